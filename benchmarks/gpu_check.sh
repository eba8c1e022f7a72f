#!/usr/bin/env bash
# The GPU checks, in one short run (about 5 minutes) on a machine with a CUDA GPU, as the device image has
# them (torch, scikit-learn, pytest; no FAISS, no bundled models): the engine's search and k-means tests on
# cuda, then benchmarks/gpu_neighbors.py (1M×384 in each storage dtype; 10M×384 float16 search, PCA, k-means),
# then benchmarks/gpu_encode.py when its model folder .gpu_model was prepared and carried.
# Goal on an H100: one query, top-10, under 1 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-python3}
export PYTHONPATH=. PYTHONUNBUFFERED=1
$PY -c "import torch; assert torch.cuda.is_available(), 'no CUDA GPU'; print(torch.cuda.get_device_name(0))"
$PY -m pytest tests/engine/test_search.py tests/engine/test_kmeans_convergence.py -q -p no:cacheprovider -k "not glove and not faiss and not bfloat16_screen_gives and not bfloat16_error_stays"
$PY benchmarks/gpu_neighbors.py
# The encoder's throughput (docs/scale.md), when the model was prepared here and carried along:
#   python benchmarks/gpu_encode.py --prepare .gpu_model      then carry .gpu_model
if [ -d .gpu_model ]; then HF_HUB_OFFLINE=1 $PY benchmarks/gpu_encode.py --run .gpu_model; fi
