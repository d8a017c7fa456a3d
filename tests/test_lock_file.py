"""requirements.lock, what the workflows and CI install with --require-hashes: every dependency
of cqdt (and of those) pinned with its hashes, and consistent with pyproject.toml."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _locked() -> dict[str, tuple[Requirement, list[str]]]:
    """Name → (requirement, hashes) of each entry of the lock."""
    text = (REPO / "requirements.lock").read_text(encoding="utf-8")
    entries = {}
    for block in re.split(r"\n(?=\S)", re.sub(r"(?m)^\s*#.*\n?", "", text)):
        if not block.strip():
            continue
        requirement = Requirement(block.split("\\", 1)[0].strip())
        entries[canonicalize_name(requirement.name)] = (requirement, re.findall(r"--hash=sha256:([0-9a-f]+)", block))
    return entries


def test_every_entry_is_pinned_with_its_hashes():
    locked = _locked()
    assert len(locked) > 20
    for name, (requirement, hashes) in locked.items():
        assert re.fullmatch(r"==[^,*]+", str(requirement.specifier)), name
        assert hashes and all(len(h) == 64 for h in hashes), name


def test_the_lock_holds_cqdts_dependencies_and_its_build_backend_in_versions_they_allow():
    locked = _locked()
    wanted = [Requirement(r) for r in (*PYPROJECT["project"]["dependencies"], *PYPROJECT["build-system"]["requires"])]
    for requirement in wanted:
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{requirement.name} is not in requirements.lock"
        version = str(locked[name][0].specifier).removeprefix("==")
        assert requirement.specifier.contains(version, prereleases=True), (requirement, version)


def test_what_each_locked_package_needs_is_locked_too():
    """pip --require-hashes refuses to install anything the lock does not name."""
    locked = _locked()
    environment = {**default_environment(), "python_version": "3.12", "python_full_version": "3.12.0",
                   "sys_platform": "linux", "platform_system": "Linux", "extra": ""}
    checked = 0
    for name, (requirement, _) in locked.items():
        try:
            installed = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        if installed.version != str(requirement.specifier).removeprefix("=="):
            continue
        checked += 1
        for needed in map(Requirement, installed.requires or []):
            if needed.marker is None or needed.marker.evaluate(environment):
                assert canonicalize_name(needed.name) in locked, f"{name} needs {needed.name}, which the lock lacks"
    assert checked > 20  # CI installs the lock first (.ci/run): most entries are checked
