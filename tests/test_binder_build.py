"""Binder's build, simulated on a fresh virtualenv: environment.yml's pip part (with this machine's CPU torch
standing in for conda-forge's pytorch-cpu, which cannot be installed here), then binder/postBuild on a copy of
the repository. The install and postBuild succeed, no CUDA package comes in, npm leaves nothing behind,
JupyterLab opens the first lesson, and the first lesson executes.

Prints the image's size (the virtualenv plus the repository after postBuild) for the README."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from test_binder import LESSON, pip_lines
from test_packaging import run as run_checked

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
TORCH = "torch==2.13.0"  # the CPU build on this machine's disk, standing in for conda-forge's pytorch-cpu


def run(command: list[str], *, timeout: float, **kwargs) -> str:
    """Run ``command`` (failing the test with its output if it fails); returns what it printed."""
    result = run_checked(command, timeout=timeout, **kwargs)
    return result.stdout + result.stderr


def size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def copy_repository(target: Path) -> None:
    """What Binder clones: the tracked files (and new ones git does not ignore), nothing built."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (n.decode() for n in listed)):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def binder_env(tmp_path: Path, venv: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "VIRTUAL_ENV", "PYTHON"))}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    env["HOME"] = str(tmp_path / "home")
    # npm's cache: a copy of this machine's (postBuild empties it; the real one stays, and nothing downloads).
    cache = tmp_path / "npm-cache"
    npm_home = Path.home() / ".npm"
    if npm_home.is_dir():
        shutil.copytree(npm_home, cache, symlinks=True, ignore=shutil.ignore_patterns("_logs"))
    env["npm_config_cache"] = str(cache)
    (tmp_path / "home").mkdir()
    return env


def test_binder_build_is_cpu_only_clean_and_opens_the_first_lesson(tmp_path):
    if sys.platform != "linux":
        pytest.skip("Binder images are Linux")
    venv, repo = tmp_path / "venv", tmp_path / "repo"
    run([sys.executable, "-m", "venv", str(venv)], timeout=120)
    python = str(venv / "bin" / "python")
    env = binder_env(tmp_path, venv)
    run([python, "-m", "pip", "install", "--quiet", TORCH, *pip_lines()], timeout=1800, env=env)
    packages = run([python, "-m", "pip", "list", "--format=freeze"], timeout=120, env=env).lower()
    cuda = [line for line in packages.splitlines() if line.startswith(("nvidia-", "triton"))]
    assert cuda == [], f"the pip part pulled CUDA packages: {cuda}"

    copy_repository(repo)
    log = run(["bash", "binder/postBuild"], cwd=repo, timeout=1800, env=env)
    assert "embedwidgets" in log and "enabled" in log, log[-2000:]
    assert not (repo / "js" / "node_modules").exists(), "postBuild left js/node_modules in the image"
    cache = Path(env["npm_config_cache"])
    assert not (cache / "_cacache").exists() or not any((cache / "_cacache").iterdir()), "npm's cache was kept"
    config = json.loads((tmp_path / "home" / ".jupyter" / "jupyter_server_config.json").read_text())
    assert config["LabApp"]["default_url"] == f"/lab/tree/{LESSON}"

    # A plain launch (no URL path, as Binder's default) lands on the first lesson.
    port = _free_port()
    server = subprocess.Popen(
        [
            str(venv / "bin" / "jupyter"),
            "lab",
            "--no-browser",
            "--allow-root",
            "--ip=127.0.0.1",
            f"--port={port}",
            "--ServerApp.token=binder-test",
            "--ServerApp.port_retries=0",
        ],
        cwd=repo,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        landing = _first_redirect(f"{base}/?token=binder-test", server)
        assert landing.split("?")[0] == f"{base}/lab/tree/{LESSON}", landing
        with urllib.request.urlopen(landing, timeout=30) as response:
            assert response.status == 200
    finally:
        server.terminate()
        server.wait(30)

    # The first lesson executes (its cells assert their numbers) in the built environment.
    run([str(venv / "bin" / "jupyter"), "execute", "--inplace", LESSON], cwd=repo, timeout=900, env=env)

    image = size(venv) + size(repo)
    print(
        f"\nBinder image (simulated): virtualenv {size(venv) / 1e9:.2f} GB, repository {size(repo) / 1e6:.0f} MB, "
        f"total {image / 1e9:.2f} GB"
    )


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _first_redirect(url: str, server: subprocess.Popen, timeout: float = 120) -> str:
    """Where the server sends ``url`` first (polling until it answers)."""
    opener = urllib.request.build_opener(_NoRedirect)
    deadline = time.monotonic() + timeout
    while True:
        assert server.poll() is None, "jupyter lab exited"
        try:
            opener.open(url, timeout=10)
        except urllib.error.HTTPError as error:
            if error.code in (301, 302, 303, 307):
                return (
                    error.headers["Location"]
                    if "://" in error.headers["Location"]
                    else (url.split("/?")[0] + error.headers["Location"])
                )
            raise
        except (urllib.error.URLError, ConnectionError):
            pass
        assert time.monotonic() < deadline, f"no answer from {url}"
        time.sleep(0.5)
