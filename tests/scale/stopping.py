"""Stopping an encoding job the hard way, as a killed cluster job is stopped: shared by the local and Ray tests."""

import signal
import subprocess
import time
from pathlib import Path

import lance

ROOT = Path(__file__).parents[2]


def kill_once_committed(command: list[str], out: Path, rows: int, timeout: float) -> None:
    """Run ``command`` and SIGKILL it (no clean-up) as soon as the Lance dataset ``out`` holds ``rows`` rows."""
    job = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and job.poll() is None:
            if out.exists() and lance.dataset(str(out)).count_rows() >= rows:
                break
            time.sleep(0.2)
        assert job.poll() is None, "the job ended before it could be stopped; make the corpus bigger"
        job.send_signal(signal.SIGKILL)
    finally:
        job.kill()
        job.wait()
