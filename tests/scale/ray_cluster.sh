#!/usr/bin/env bash
# A real two-node Ray cluster on loopback, inside the network namespace this script is started in
# (`unshare -n bash tests/scale/ray_cluster.sh PYTHON`), then the Ray test cases, then the cluster is stopped,
# whatever happened. Both nodes have 2 logical CPUs: the head alone can hold every encoding actor after the
# worker node is killed, and the planner still leaves a CPU for Ray Data's reads and writes.
set -u
PY="$1"; shift
BIN="$(dirname "$PY")"
ip link set lo up
export RAY_AUTH_MODE=disabled RAY_USAGE_STATS_ENABLED=0 HF_HUB_OFFLINE=1 EW_IN_NETNS=1
export EW_RAY_ADDRESS=127.0.0.1:6390 EW_RAY_WORKER_PORT=6391
LOGS="$(mktemp -d)"
trap '"$BIN/ray" stop --force >/dev/null 2>&1; rm -rf "$LOGS"' EXIT
"$BIN/ray" start --head --port=6390 --num-cpus=2 --include-dashboard=false --disable-usage-stats >"$LOGS/head" 2>&1 \
  || { cat "$LOGS/head"; exit 3; }
"$BIN/ray" start --address=127.0.0.1:6390 --num-cpus=2 --node-manager-port=6391 --disable-usage-stats >"$LOGS/worker" 2>&1 \
  || { cat "$LOGS/worker"; exit 3; }
"$PY" -m pytest tests/scale/ray_cases.py -q -p no:cacheprovider --durations=10 "$@"
