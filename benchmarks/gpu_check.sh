#!/usr/bin/env bash
# The GPU checks, in one short run (under 5 minutes) on a machine with a CUDA GPU:
# the engine tests on cuda, then the 1M×384 neighbour benchmark with float16 storage.
# Goal on an H100: one query, top-10, under 1 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-python3}
$PY -c "import torch; assert torch.cuda.is_available(), 'no CUDA GPU'; print(torch.cuda.get_device_name(0))"
$PY -m pytest tests/engine -q -x
$PY benchmarks/neighbors.py --sizes 1m --device cuda --dtype float16 --queries 1000 --json
$PY benchmarks/neighbors.py --sizes glove --device cuda --json
