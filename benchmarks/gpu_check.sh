#!/usr/bin/env bash
# The GPU checks, in one short run (well under 5 minutes) on a machine with a CUDA GPU, as the device image has
# them (torch, scikit-learn, pytest; no FAISS, no bundled models): the engine's search tests on cuda, then the
# 1M×384 timing in float32 and float16 storage. Goal on an H100: one query, top-10, under 1 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-python3}
export PYTHONPATH=.
$PY -c "import torch; assert torch.cuda.is_available(), 'no CUDA GPU'; print(torch.cuda.get_device_name(0))"
$PY -m pytest tests/engine/test_search.py tests/engine/test_kmeans_convergence.py -q -p no:cacheprovider -k "not glove and not faiss"
$PY benchmarks/gpu_neighbors.py
