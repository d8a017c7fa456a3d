"""Building the site once per test session, for the site and browser tests."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from conftest import copy_data

from scorer.cli import main

_built: dict[str, Path] = {}


def run_cqdt(*args: str):
    """Run the CLI in-process and fail loudly with its output."""
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def build(data: Path, output: Path, *extra: str) -> Path:
    run_cqdt("--data", data, "build", "--output", output, *extra)
    return output


def demo_site(tmp_path_factory) -> tuple[Path, Path]:
    """(data root, output) of the repository's data built once per session."""
    if "demo" not in _built:
        base = tmp_path_factory.mktemp("site")
        data = copy_data(base / "data")
        _built["demo"] = build(data, base / "output")
        _built["demo-data"] = data
    return _built["demo-data"], _built["demo"]


def scores(data: Path, year: int) -> dict:
    """`cqdt score --format json` of a year, parsed."""
    return json.loads(run_cqdt("--data", data, "score", "--year", str(year), "--format", "json").output)
