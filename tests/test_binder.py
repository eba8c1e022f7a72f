"""binder/ agrees with pyproject.toml: a CPU-only PyTorch from conda-forge, the other dependencies through pip
with the same lower bounds, a Python that the package allows, a postBuild that installs the repository, opens
the first lesson, cleans up after npm and stops at the first failure, and no URLs.

Conda packages cannot be installed on these machines, so the conda part is checked by parsing it here;
tests/test_binder_build.py installs the pip part (with this machine's CPU torch) and runs postBuild."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
BINDER = ROOT / "binder"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
LESSON = "notebooks/10_keyword_search_vs_meaning.ipynb"


def environment() -> dict:
    return yaml.safe_load((BINDER / "environment.yml").read_text(encoding="utf-8"))


def conda_packages() -> dict[str, str]:
    """The conda part: package name to its version constraint ("" when none)."""
    specs = [d for d in environment()["dependencies"] if isinstance(d, str)]
    out = {}
    for spec in specs:
        name = spec.split("=")[0].split(">")[0].split("<")[0].strip()
        out[name] = spec[len(name) :].strip()
    return out


def pip_lines() -> list[str]:
    """The requirements of environment.yml's pip section."""
    sections = [d["pip"] for d in environment()["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(sections) == 1, "environment.yml needs exactly one pip section"
    return requirement_lines("\n".join(sections[0]))


def by_name(requirements: list[str]) -> dict[str, Requirement]:
    parsed = [Requirement(line) for line in requirements]
    out = {canonicalize_name(r.name): r for r in parsed}
    assert len(out) == len(parsed), f"a name appears twice in {requirements}"
    return out


def requirement_lines(text: str) -> list[str]:
    """The requirement lines of a requirements file: comments and blank lines dropped, no pip options."""
    lines = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    options = [line for line in lines if line.startswith("-")]
    assert not options, f"pip options (indexes, -r, -e) do not belong in binder/requirements.txt: {options}"
    return lines


def disagreements(
    expected: dict[str, Requirement], listed: dict[str, Requirement], build_needs: dict[str, Requirement]
) -> list[str]:
    """Every way ``listed`` (binder) departs from ``expected`` (pyproject); empty when they agree.

    A listed requirement agrees when it has the same extras and marker and either the same specifier or an
    exact pin (``==``) to a version the pyproject specifier allows. Names beyond ``expected`` are allowed
    only when they are build needs of the package, under the same rule."""
    problems = []
    for name, want in expected.items():
        got = listed.get(name)
        if got is None:
            problems.append(f"{want} is missing")
            continue
        if got.extras != want.extras or str(got.marker or "") != str(want.marker or ""):
            problems.append(f"{got} has other extras or markers than {want}")
        if got.specifier == want.specifier:
            continue
        pins = [spec for spec in got.specifier if spec.operator == "=="]
        if len(pins) == 1 and len(got.specifier) == 1 and "*" not in pins[0].version:
            if not want.specifier.contains(Version(pins[0].version), prereleases=True):
                problems.append(f"{got} pins a version outside {want}")
        else:
            problems.append(f"{got} has another specifier than {want}")
    for name in listed.keys() - expected.keys():
        if name not in build_needs:
            problems.append(f"{listed[name]} is neither a dependency nor a build need of the package")
        else:
            problems.extend(disagreements({name: build_needs[name]}, {name: listed[name]}, {}))
    return problems


def expected_requirements() -> dict[str, Requirement]:
    project = PYPROJECT["project"]
    return by_name(project["dependencies"] + project["optional-dependencies"]["tutorials"])


def build_needs() -> dict[str, Requirement]:
    """What building the package needs (hatchling, hatch-jupyter-builder): fine to list, not required."""
    return by_name(PYPROJECT["build-system"]["requires"])


def test_environment_matches_pyproject_with_torch_from_conda():
    expected = expected_requirements()
    torch = expected.pop("torch")
    listed = by_name(pip_lines())
    assert "torch" not in listed, "torch comes from conda-forge's CPU build, not from pip (a CUDA wheel there)"
    assert disagreements(expected, listed, build_needs()) == []
    conda = conda_packages()
    # pytorch-cpu pins conda-forge's pytorch to its CPU variant; a bare pytorch could resolve to a CUDA build.
    assert "pytorch" not in conda and "pytorch-gpu" not in conda, conda
    assert Requirement(f"torch{conda['pytorch-cpu']}").specifier == torch.specifier, conda["pytorch-cpu"]
    assert {"pip", "nodejs"} <= conda.keys(), "postBuild needs pip, and npm to bundle the front end"
    channels = environment()["channels"]
    assert channels[0] == "conda-forge" and "defaults" not in channels, channels


def test_the_comparison_catches_each_kind_of_disagreement():
    expected = by_name(["torch>=2.1", "numpy>=1.24", "gensim>=4.3"])
    listed = by_name(["torch==2.0.1", "numpy>=1.20", "requests>=2", "hatchling>=1.0"])
    assert sorted(disagreements(expected, listed, by_name(["hatchling>=1.21"]))) == [
        "gensim>=4.3 is missing",
        "hatchling>=1.0 has another specifier than hatchling>=1.21",
        "numpy>=1.20 has another specifier than numpy>=1.24",
        "requests>=2 is neither a dependency nor a build need of the package",
        "torch==2.0.1 pins a version outside torch>=2.1",
    ]
    # Names are compared normalised, and a pin inside the range agrees.
    assert (
        disagreements(by_name(["Scikit_Learn>=1.3", "torch>=2.1"]), by_name(["scikit-learn>=1.3", "torch==2.13.0"]), {})
        == []
    )


def test_requirements_file_rejects_pip_options():
    with pytest.raises(AssertionError, match="pip options"):
        requirement_lines("numpy>=1.24\n--extra-index-url somewhere\n")


def test_python_is_one_the_package_allows():
    spec = conda_packages()["python"]
    assert spec.startswith("="), spec
    version = Version(spec.lstrip("="))
    assert len(version.release) == 2, f"python{spec}: pin major.minor"
    assert SpecifierSet(PYPROJECT["project"]["requires-python"]).contains(version)
    # With environment.yml present, repo2docker ignores these: keeping them would only mislead.
    assert not (BINDER / "requirements.txt").exists() and not (BINDER / "runtime.txt").exists()


def test_the_server_config_opens_the_first_lesson():
    config = json.loads((BINDER / "jupyter_server_config.json").read_text(encoding="utf-8"))
    url = config["LabApp"]["default_url"]
    assert url == f"/lab/tree/{LESSON}" and (ROOT / LESSON).exists()


def postbuild_commands() -> list[list[str]]:
    lines = (BINDER / "postBuild").read_text(encoding="utf-8").splitlines()
    return [shlex.split(line, comments=True) for line in lines if shlex.split(line, comments=True)]


def test_postbuild_is_an_executable_strict_bash_script():
    path = BINDER / "postBuild"
    assert os.access(path, os.X_OK), "postBuild must be executable"
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("#!") and "bash" in first, first
    commands = postbuild_commands()
    assert commands[0] == ["set", "-euo", "pipefail"], f"the first command must be set -euo pipefail: {commands[0]}"
    if shutil.which("bash"):
        syntax = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
        assert syntax.returncode == 0, syntax.stderr
    if shutil.which("git"):  # Binder clones the repository: the executable bit must be in git, once tracked
        staged = subprocess.run(["git", "ls-files", "-s", "binder/postBuild"], cwd=ROOT, capture_output=True, text=True)
        if staged.returncode == 0 and staged.stdout.strip():
            assert staged.stdout.split()[0] == "100755", staged.stdout


def test_postbuild_installs_the_repository():
    commands = postbuild_commands()
    installs = [c for c in commands if "pip" in c and c[c.index("pip") + 1 : c.index("pip") + 2] == ["install"]]
    assert installs, f"no pip install in postBuild: {commands}"
    # `.` is the repository root: the script changes there first, wherever Binder starts it.
    assert any("." in c[c.index("install") + 1 :] for c in installs), installs
    assert ["cd", "$(dirname $0)/.."] in commands, commands
    assert commands.index(["cd", "$(dirname $0)/.."]) < commands.index(installs[0])
    # Dependencies come from environment.yml, checked above, not from whatever the build resolves.
    assert all("--no-deps" in c for c in installs), installs
    assert ["jupyter", "labextension", "list"] in commands
    # The image keeps no npm leftovers: the packages, the build folder and npm's download cache go.
    removals = [c for c in commands if c[:2] == ["rm", "-rf"]]
    assert removals and "js/node_modules" in removals[0], commands
    assert ["npm", "cache", "clean", "--force"] in commands


def test_binder_has_no_urls():
    files = [p for p in BINDER.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"environment.yml", "jupyter_server_config.json", "postBuild"}
    with_urls = [p.name for p in files if "://" in p.read_text(encoding="utf-8")]
    assert with_urls == []
