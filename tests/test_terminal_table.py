"""`cqdt score`'s table: at most 100 columns, names (never ids), level and the gap to the next
level, long names cut with the full name given below the table."""

from __future__ import annotations

import pytest

from scorer.core.text import vn_number
from scorer.export.terminal import WIDTH, gap_text
from scorer.reading.paths import DataRoot
from scorer.shell.scoring import evaluate


def _unit_lines(table: str) -> dict[str, str]:
    """Each table line by its first cell after the rank: {name shown: line}."""
    return {line[6:].split("  ")[0].strip(): line for line in table.splitlines() if line[:4].strip().isdigit() or line[:4].strip() == "–"}


@pytest.mark.parametrize("year", [2023, 2024])
def test_score_table_fits_100_columns_with_names_levels_and_gaps(repo_root, cqdt, year):
    result = cqdt("--data", repo_root, "score", "--year", year)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= WIDTH
    assert sum(line.startswith("Hạng  Đơn vị") and "Lên mức trên" in line and line.rstrip().endswith("Trạng thái")
               for line in lines) == 3
    shown = _unit_lines(result.stdout)
    results = evaluate(DataRoot(repo_root), year)
    checked_gaps = 0
    for r in results.units:
        line = shown.get(r.unit.name) or shown[r.unit.short_name]
        assert r.unit.id not in line
        if r.submitted:
            assert f"  {vn_number(r.total)}  {results.criteria_set.level_name(r.level)} " in line
            assert f"  {gap_text(r)}  " in line
            checked_gaps += r.gap is not None
        else:
            assert line.rstrip().endswith("Chưa nộp")
    assert checked_gaps > 10


def test_gap_column_sums_the_missing_points_of_the_groups_below(repo_root):
    results = evaluate(DataRoot(repo_root), 2024)
    unit = next(r for r in results.units if r.gap is not None and len(r.gap.shortfalls) > 1)
    missing = sum(s.missing for s in unit.gap.shortfalls)
    groups = ",".join(str(s.group_id) for s in unit.gap.shortfalls)
    assert gap_text(unit) == f"{vn_number(missing)} (N{groups})"
    top = next(r for r in results.units if r.submitted and r.level == 1)
    assert gap_text(top) == "–"


def test_long_names_are_cut_and_written_in_full_below_the_table(data_copy, cqdt):
    long_name = "Trung tâm Phục vụ hành chính công và Chuyển đổi số tỉnh Phú Thọ, cơ sở số hai ở Việt Trì"
    units = data_copy / "units" / "so.yaml"
    text = units.read_text(encoding="utf-8")
    assert "name: Sở Y tế\n" in text
    units.write_text(text.replace("name: Sở Y tế\n", f"name: {long_name}\n"), encoding="utf-8")
    result = cqdt("--data", data_copy, "score", "--year", 2024, "--tier", "so")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= WIDTH
    cut = next(line for line in lines if "Trung tâm Phục vụ" in line and line.startswith(" "))
    assert "…" in cut and long_name not in cut
    below = " ".join(lines[lines.index(cut):])
    assert long_name in below and "Tên đầy đủ:" in below
