"""Shared fixtures: the repository, and throwaway copies of its data."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from scorer.cli import main
from scorer.reading.paths import DataRoot

REPO = Path(__file__).resolve().parent.parent

# The tests run as if on a developer's machine, also inside GitHub Actions (tests.yml): there
# cqdt writes annotations instead of plain lines (cli.app), and the tests that want that say so.
for _name in [name for name in os.environ if name.startswith("GITHUB_")]:
    del os.environ[_name]
DATA_FOLDERS = ("criteria", "units", "schema", "submissions", "evidence")


@pytest.fixture(autouse=True, scope="session")
def private_cache(tmp_path_factory) -> Path:
    """Tests share one memo of their own, never the user's."""
    folder = tmp_path_factory.mktemp("cqdt-cache")
    os.environ["CQDT_CACHE_DIR"] = str(folder)
    return folder


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


def copy_data(target: Path, years: tuple[int, ...] | None = None) -> Path:
    """Copy the repository's data folders (optionally only some years) into target."""
    for folder in DATA_FOLDERS:
        source = REPO / folder
        if not source.exists():
            continue
        if folder == "submissions" and years is not None:
            for year in years:
                shutil.copytree(source / str(year), target / folder / str(year))
        else:
            shutil.copytree(source, target / folder)
    return target


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of the repository's data to change freely."""
    return copy_data(tmp_path / "data")


@pytest.fixture
def data_root(data_copy: Path) -> DataRoot:
    return DataRoot(data_copy)


@pytest.fixture
def cqdt():
    """Run the CLI in-process: cqdt("--data", path, "validate") -> click Result."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)

    return invoke


def pytest_terminal_summary(terminalreporter):
    """The fuzz suite's figures (how many inputs and processes, how long), when it ran."""
    from fuzzing import TALLIES

    for what, tally in sorted(TALLIES.items()):
        if tally.inputs:
            terminalreporter.write_line(tally.line(what))
