"""The wheel as a user gets it: built from the repository (npm included), installed into a fresh virtual
environment, imported from there, with the front end shipped next to the package and no model weights.

The fresh environment gets the wheel only (``pip install --no-deps``); the heavy dependencies (torch and
friends) come from this interpreter's site-packages through PYTHONPATH. PYTHONPATH entries do not run
``.pth`` files, so this environment's editable install of embedwidgets is not visible there, and the test
checks ``embedwidgets.__file__`` to be sure the import really is the installed wheel.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
STATIC_FILES = [
    "analogy.js",
    "analogy.css",
    "neighbors.js",
    "neighbors.css",
    "cluster.js",
    "cluster.css",
    "similarity.js",
    "similarity.css",
    "search_compare.js",
    "search_compare.css",
    "explorer.js",
    "explorer.css",
    "embedding_map.js",
    "embedding_map.css",
    "quiz.js",
    "quiz.css",
    "sidebar_note.js",
    "sidebar_note.css",
]
# The prebuilt JupyterLab / Notebook 7 extension: data files of the wheel, installed into the environment.
LABEXTENSION = "share/jupyter/labextensions/embedwidgets"
# Anything that looks like model weights, arrays or pickles: the models ship in their own packages.
FORBIDDEN_SUFFIXES = {
    ".npy",
    ".npz",
    ".safetensors",
    ".bin",
    ".pt",
    ".pth",
    ".ckpt",
    ".onnx",
    ".h5",
    ".hdf5",
    ".gguf",
    ".pkl",
    ".pickle",
    ".msgpack",
    ".tflite",
    ".ot",
    ".model",
    ".vec",
    ".kv",
    ".parquet",
    ".arrow",
}
MAX_FILE_BYTES = 1_000_000  # the largest legitimate file (a JS bundle, a module) is far below this


def run(command: list[str], *, timeout: float, **kwargs) -> subprocess.CompletedProcess:
    """Run ``command``; on failure, fail the test with its output rather than a bare CalledProcessError."""
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, **kwargs)
    except subprocess.TimeoutExpired as error:
        pytest.fail(f"{' '.join(command)} took more than {timeout:.0f} s:\n{error.stdout or ''}\n{error.stderr or ''}")
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(command)} exited with {result.returncode}\n"
            f"--- stdout (tail) ---\n{result.stdout[-6000:]}\n--- stderr (tail) ---\n{result.stderr[-6000:]}"
        )
    return result


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from the working tree; the build hook runs ``npm install`` and ``npm run build``."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            pytest.fail(f"building the wheel needs {tool} on PATH (the JavaScript is built at install time)")
    outdir = tmp_path_factory.mktemp("wheel")
    command = [sys.executable, "-m", "build", "--wheel", "--outdir", str(outdir)]
    # Without isolation when the build backend and its hook are already here: faster, and no index needed.
    if all(importlib.util.find_spec(name) for name in ("hatchling", "hatch_jupyter_builder")):
        command.append("--no-isolation")
    run(command + [str(ROOT)], timeout=900, cwd=ROOT)
    wheels = sorted(outdir.glob("embedwidgets-*.whl"))
    assert len(wheels) == 1, f"expected one embedwidgets wheel in {outdir}, found {[w.name for w in outdir.iterdir()]}"
    return wheels[0]


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A fresh virtual environment with the wheel (and only the wheel) installed; its python and env."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    run([sys.executable, "-m", "venv", str(venv)], timeout=300)
    python = venv_python(venv)
    run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "--disable-pip-version-check",
            "--quiet",
            str(wheel),
        ],
        timeout=300,
    )
    fresh_site = run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], timeout=60
    ).stdout.strip()
    # The dependencies come from this interpreter's site-packages (the main venv under `make test`). The fresh
    # site-packages goes first so that nothing there can shadow the installed wheel.
    paths = [fresh_site]
    for key in ("purelib", "platlib"):
        site = sysconfig.get_paths()[key]
        if site not in paths:
            paths.append(site)
    env = {key: value for key, value in os.environ.items() if key not in {"PYTHONHOME", "PYTHONSTARTUP"}}
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env["PYTHONNOUSERSITE"] = "1"
    env.setdefault("HF_HUB_OFFLINE", "1")
    return python, env


def test_wheel_ships_the_front_end(wheel):
    with zipfile.ZipFile(wheel) as archive:
        sizes = {info.filename: info.file_size for info in archive.infolist()}
    for name in STATIC_FILES:
        path = f"embedwidgets/static/{name}"
        assert path in sizes, f"{path} is missing from {wheel.name}; it has {sorted(sizes)}"
        assert sizes[path] > 0, f"{path} is empty in {wheel.name}"


def test_wheel_ships_the_sidebar_extension(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        prefix = next((name.split(LABEXTENSION)[0] for name in names if LABEXTENSION in name), None)
        assert prefix, f"no {LABEXTENSION} in {wheel.name}"
        package = json.loads(archive.read(f"{prefix}{LABEXTENSION}/package.json"))
        install = json.loads(archive.read(f"{prefix}{LABEXTENSION}/install.json"))
    assert package["name"] == "embedwidgets" and package["jupyterlab"]["_build"]["load"].startswith(
        "static/remoteEntry."
    )
    assert f"{prefix}{LABEXTENSION}/{package['jupyterlab']['_build']['load']}" in names
    assert install["packageName"] == "embedwidgets"


def test_wheel_holds_no_weights_or_build_leftovers(wheel):
    with zipfile.ZipFile(wheel) as archive:
        infos = archive.infolist()
    names = [info.filename for info in infos]
    assert any(name.endswith(".dist-info/METADATA") for name in names)
    stray = [
        name
        for name in names
        if not (name.startswith("embedwidgets/") or ".dist-info/" in name or f".data/data/{LABEXTENSION}/" in name)
    ]
    assert not stray, f"files outside the package in the wheel: {stray}"
    leftovers = [
        name
        for name in names
        if any(part in name.split("/") for part in ("node_modules", "__pycache__", ".ipynb_checkpoints"))
    ]
    assert not leftovers, f"build leftovers in the wheel: {leftovers}"
    weights = [name for name in names if Path(name).suffix.lower() in FORBIDDEN_SUFFIXES]
    assert not weights, f"model weights or array files in the wheel: {weights}"
    large = [(info.filename, info.file_size) for info in infos if info.file_size > MAX_FILE_BYTES]
    assert not large, f"files too large for code in the wheel (weights?): {large}"


def test_installed_wheel_imports_and_builds_a_widget(installed, tmp_path):
    python, env = installed
    script = textwrap.dedent(
        """
        import json, pathlib, sys
        import embedwidgets
        widget = embedwidgets.NeighborBrowser(embedwidgets.EmbeddingSet(["a", "b"], [[1, 0], [0, 1]]))
        static = pathlib.Path(embedwidgets.__file__).resolve().parent / "static"
        print(json.dumps({
            "file": str(pathlib.Path(embedwidgets.__file__).resolve()),
            "prefix": str(pathlib.Path(sys.prefix).resolve()),
            "static": {p.name: p.stat().st_size for p in static.iterdir()} if static.is_dir() else None,
            "esm": str(widget._esm),
            "css": str(widget._css),
            "rows": len(widget._rows),
        }))
        """
    )
    # Run outside the repository, so that the working tree is not on sys.path as the current directory.
    result = run([str(python), "-c", script], timeout=300, cwd=tmp_path, env=env)
    info = json.loads(result.stdout.strip().splitlines()[-1])

    installed_file = Path(info["file"])
    prefix = Path(info["prefix"])
    assert prefix == python.parent.parent.resolve(), f"ran in {prefix}, not the fresh venv"
    assert installed_file.is_relative_to(prefix), (
        f"embedwidgets was imported from {installed_file}, not from the fresh venv at {prefix}"
    )
    assert not installed_file.is_relative_to(ROOT), f"embedwidgets was imported from the working tree: {installed_file}"
    assert "site-packages" in installed_file.parts

    assert info["static"] is not None, f"no static folder next to {installed_file}"
    for name in STATIC_FILES:
        assert info["static"].get(name, 0) > 0, (
            f"{name} missing or empty next to the installed package: {info['static']}"
        )

    esm = info["esm"]
    assert esm.strip(), "the widget's _esm is empty"
    assert "export" in esm, "the widget's _esm is not an ES module"
    assert not esm.lstrip().startswith("<"), "the widget's _esm looks like markup, not JavaScript"
    assert info["css"].strip(), "the widget's _css is empty"
    assert info["rows"] > 0, "the widget ran no initial query"
    # And node parses it as a module.
    module = tmp_path / "neighbors.mjs"
    module.write_text(esm)
    run(["node", "--check", str(module)], timeout=60)


def test_installed_wheel_enables_the_sidebar_extension(installed, tmp_path):
    """`jupyter labextension list` in the fresh environment: enabled, with no JupyterLab rebuild."""
    python, env = installed
    env = dict(
        env,
        JUPYTER_DATA_DIR=str(tmp_path / "data"),
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
        JUPYTER_PLATFORM_DIRS="0",
    )  # nothing from ~ can make it look enabled
    script = "from jupyterlab.labextensions import LabExtensionApp; LabExtensionApp.launch_instance(argv=['list'])"
    result = run([str(python), "-c", script], timeout=300, cwd=tmp_path, env=env)
    listing = result.stdout + result.stderr
    fresh_share = str(python.parent.parent / "share" / "jupyter" / "labextensions")
    assert fresh_share in listing, f"the fresh environment's extension folder is not listed:\n{listing}"
    section = listing.split(fresh_share, 1)[1]
    line = next((line for line in section.splitlines() if line.strip().startswith("embedwidgets ")), None)
    assert line is not None, f"embedwidgets is not among the fresh environment's extensions:\n{listing}"
    assert "enabled" in line and "OK" in line, line
