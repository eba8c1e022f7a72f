"""The ray engine on a real two-node Ray cluster: parity with the local engine, resume, a stopped job resumed,
index and map built on the cluster, a killed worker node, an unreachable address (tests/scale/ray_cases.py).

Ray advertises the machine's network address even when told 127.0.0.1, so the cluster and every test that
talks to it run in a network namespace of their own (`unshare -n`, root only), where nothing but loopback
exists; tests/scale/ray_cluster.sh starts both nodes there and stops them at the end whatever happens.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
CASES = 7  # test functions in ray_cases.py: all must pass, none skipped


def _can_unshare() -> bool:
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


@pytest.mark.slow
def test_ray_engine_on_a_two_node_loopback_cluster():
    pytest.importorskip("ray")
    pytest.importorskip("lance")
    if not _can_unshare():
        pytest.skip("needs `unshare -n` (root) and `ip`, to keep the Ray cluster on loopback")
    done = subprocess.run(
        ["unshare", "-n", "bash", str(ROOT / "tests/scale/ray_cluster.sh"), sys.executable],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1500,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))},
    )
    output = done.stdout + done.stderr
    print(output[-6000:])
    failures = output[output.find("= FAILURES =") :][:8000] if "= FAILURES =" in output else output[-6000:]
    assert done.returncode == 0, failures
    passed = re.search(r"(\d+) passed", output)
    assert passed and int(passed.group(1)) == CASES and "skipped" not in output, output[-3000:]
