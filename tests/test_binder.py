"""binder/ agrees with pyproject.toml: the same dependencies and lower bounds, a Python that the package
allows, a postBuild that installs the repository and stops at the first failure, and no URLs."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
BINDER = ROOT / "binder"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


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


def test_requirements_match_pyproject():
    listed = by_name(requirement_lines((BINDER / "requirements.txt").read_text(encoding="utf-8")))
    assert disagreements(expected_requirements(), listed, build_needs()) == []


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


def test_runtime_is_a_python_the_package_allows():
    text = (BINDER / "runtime.txt").read_text(encoding="utf-8").strip()
    assert text.startswith("python-"), text
    version = Version(text.removeprefix("python-"))
    assert len(version.release) == 2, f"{text}: repo2docker takes major.minor"
    assert SpecifierSet(PYPROJECT["project"]["requires-python"]).contains(version)


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
    # Dependencies come from requirements.txt, checked above, not from whatever the build resolves.
    assert all("--no-deps" in c for c in installs), installs
    assert ["jupyter", "labextension", "list"] in commands


def test_binder_has_no_urls():
    files = [p for p in BINDER.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"runtime.txt", "requirements.txt", "postBuild"}
    with_urls = [p.name for p in files if "://" in p.read_text(encoding="utf-8")]
    assert with_urls == []
