"""Golden output: the site built from a small committed data root, compared file by file and
byte by byte with the committed expected tree (tests/fixtures/golden/output).

A change to the templates, the plugin or the scorer that alters any page fails here; when the
change is intended, `python tests/regen_golden.py` rebuilds the expected tree to review and commit.
"""

from __future__ import annotations

import difflib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from regen_golden import DATA, EXPECTED, REGEN_COMMAND, SETTINGS, build_golden

from scorer.cli import main

DIFF_LINES = 60


def tree_files(root: Path) -> set[str]:
    """Relative paths (forward slashes) of every file under root."""
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}


def compare_trees(expected: Path, actual: Path) -> tuple[list[str], list[str], list[str]]:
    """(differing, missing, extra) relative paths, each sorted: missing are only in expected."""
    wanted, got = tree_files(expected), tree_files(actual)
    differing = sorted(
        name for name in wanted & got
        if (expected / name).read_bytes() != (actual / name).read_bytes()
    )
    return differing, sorted(wanted - got), sorted(got - wanted)


def first_text_diff(expected: Path, actual: Path, differing: list[str]) -> str:
    """Unified diff (its first DIFF_LINES lines) of the first differing file that is UTF-8 text."""
    for name in differing:
        try:
            old = (expected / name).read_text(encoding="utf-8").splitlines(keepends=True)
            new = (actual / name).read_text(encoding="utf-8").splitlines(keepends=True)
        except UnicodeDecodeError:
            continue
        lines = list(difflib.unified_diff(old, new, f"expected/{name}", f"built/{name}"))
        shown = "".join(lines[:DIFF_LINES])
        if len(lines) > DIFF_LINES:
            shown += f"... ({len(lines) - DIFF_LINES} more diff lines)\n"
        return shown
    return ""


def mismatch_report(expected: Path, actual: Path) -> str:
    """What differs between the two trees, for a person to read; "" when they are identical."""
    differing, missing, extra = compare_trees(expected, actual)
    if not (differing or missing or extra):
        return ""
    parts = [f"The built site differs from {expected}."]
    for title, names in (("differing", differing), ("missing from the build", missing),
                         ("extra in the build", extra)):
        if names:
            parts.append(f"{title} ({len(names)}):\n" + "\n".join(f"  {name}" for name in names))
    diff = first_text_diff(expected, actual, differing)
    if diff:
        parts.append(diff)
    parts.append(f"If the change is intended, run `{REGEN_COMMAND}` and commit the new expected tree.")
    return "\n".join(parts)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The golden data root built once, with the fixed settings of regen_golden."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in SETTINGS.items():
            patch.setenv(name, value)
        return build_golden(tmp_path_factory.mktemp("golden") / "site")


def test_built_site_matches_golden_output(built):
    assert EXPECTED.is_dir(), f"no expected tree; run `{REGEN_COMMAND}`"
    report = mismatch_report(EXPECTED, built)
    assert report == "", report


def test_golden_data_root_is_valid():
    result = CliRunner().invoke(main, ["--data", str(DATA), "validate"], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def test_golden_data_covers_the_cases_it_is_kept_for():
    """A stale review, a unit with no submission and a two-stage verification, in the year in verification."""
    result = CliRunner().invoke(main, ["--data", str(DATA), "score", "--year", "2024", "--format", "json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    units = {unit["id"]: unit for unit in json.loads(result.output)["units"]}
    assert units["so-gtvt"]["needs_reverification"]
    assert units["so-ldtbxh"]["status"] == "not_submitted"
    assert units["xa-phu-khe"]["review_stages"] == ["district", "province"]
    assert (DATA / "submissions" / "2023" / "results.json").is_file()


@pytest.fixture
def expected_copy(tmp_path) -> Path:
    return Path(shutil.copytree(EXPECTED, tmp_path / "expected"))


def test_comparison_reports_one_changed_byte(built, expected_copy):
    page = expected_copy / "index.html"
    data = bytearray(page.read_bytes())
    position = data.index(b"<title>") + len(b"<title>")
    data[position] = ord("#") if data[position] != ord("#") else ord("*")
    page.write_bytes(bytes(data))

    assert compare_trees(expected_copy, built) == (["index.html"], [], [])
    report = mismatch_report(expected_copy, built)
    assert "--- expected/index.html" in report
    assert "+++ built/index.html" in report
    assert REGEN_COMMAND in report


def test_comparison_reports_missing_extra_and_binary_files(built, expected_copy):
    workbooks = sorted(expected_copy.rglob("*.xlsx"))
    assert workbooks, "the expected tree has no XLSX file"
    workbook = workbooks[0]
    workbook.write_bytes(workbook.read_bytes() + b"\0")
    (expected_copy / "sitemap.xml").unlink()
    (expected_copy / "only-expected.html").write_text("x", encoding="utf-8")

    differing, missing, extra = compare_trees(expected_copy, built)
    assert differing == [workbook.relative_to(expected_copy).as_posix()]
    assert missing == ["only-expected.html"]
    assert extra == ["sitemap.xml"]
    report = mismatch_report(expected_copy, built)
    assert "only-expected.html" in report and "sitemap.xml" in report
    assert "--- expected/" not in report  # a workbook is not text: no diff is shown

