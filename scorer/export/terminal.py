"""Results as a table for a terminal (`cqdt score`): at most 100 columns, Vietnamese headers.

Per tier, one line a unit in listing order: rank, name, total, level, what it lacks for the
next level up, status. A name too long for its column is written by its short name when it
has one, else cut with "…"; either way the full name follows the table. Group scores are in
the JSON and CSV formats.
"""

from __future__ import annotations

import textwrap
from decimal import Decimal

from ..core.model import CriteriaSet, Results, UnitResult
from ..core.text import STATUS_LABELS, vn_number
from .results import ordered_units

WIDTH = 100
NAME_WIDTH = (18, 40)  # the name column's narrowest and widest
GAP_LEGEND = ("Lên mức trên: số điểm còn thiếu để lên mức kế tiếp và các nhóm tiêu chí chưa đạt "
              "ngưỡng của mức đó (N4,7: nhóm 4 và nhóm 7).")
EMPTY = "–"


def gap_text(r: UnitResult) -> str:
    """'1,61 (N4,7)': points missing for the next level, summed over the groups below its minimum."""
    if not r.submitted or r.gap is None:
        return EMPTY
    missing = sum((s.missing for s in r.gap.shortfalls), start=Decimal(0))
    groups = ",".join(str(s.group_id) for s in r.gap.shortfalls)
    return f"{vn_number(missing)} (N{groups})"


def _cells(r: UnitResult, cs: CriteriaSet) -> tuple[str, str, str, str, str]:
    """rank, total, level, gap, status of one unit's line."""
    if not r.submitted:
        return str(r.rank or EMPTY), EMPTY, EMPTY, EMPTY, STATUS_LABELS[r.status]
    return str(r.rank or EMPTY), vn_number(r.total), cs.level_name(r.level), gap_text(r), STATUS_LABELS[r.status]


def _fitted(r: UnitResult, width: int) -> str:
    """The unit's name as it fits the column: whole, its short name, or cut with '…'."""
    name = r.unit.name
    if len(name) <= width:
        return name
    short = r.unit.short_name
    if short and len(short) <= width:
        return short
    return name[: width - 1].rstrip() + "…"


def _tier_table(results: Results, tier: str) -> list[str]:
    cs = results.criteria_set
    units = [r for r in ordered_units(results) if r.unit.tier == tier]
    rows = [_cells(r, cs) for r in units]
    heads = ("Hạng", "Tổng", "Mức", "Lên mức trên", "Trạng thái")
    widths = [max([len(head), *(len(row[i]) for row in rows)]) for i, head in enumerate(heads)]
    # rank  name  total  level  gap  status, two spaces apart
    name_width = WIDTH - sum(widths) - 2 * len(heads)
    name_width = max(NAME_WIDTH[0], min(NAME_WIDTH[1], name_width,
                                        max([len("Đơn vị"), *(len(r.unit.name) for r in units)])))
    rank_w, total_w, level_w, gap_w, _ = widths

    def line(rank: str, name: str, total: str, level: str, gap: str, status: str) -> str:
        return (f"{rank:>{rank_w}}  {name:<{name_width}}  {total:>{total_w}}  {level:<{level_w}}  "
                f"{gap:<{gap_w}}  {status}").rstrip()

    lines = [f"{cs.tiers[tier].name} (tối đa {vn_number(cs.tiers[tier].max_total)} điểm)",
             line("Hạng", "Đơn vị", "Tổng", "Mức", "Lên mức trên", "Trạng thái")]
    shortened = []
    for r, (rank, total, level, gap, status) in zip(units, rows, strict=True):
        shown = _fitted(r, name_width)
        if shown != r.unit.name:
            shortened.append(f"{shown.removesuffix('…')}: {r.unit.name}")
        lines.append(line(rank, shown, total, level, gap, status))
    if shortened:
        lines.extend(textwrap.wrap("Tên đầy đủ: " + "; ".join(shortened) + ".", WIDTH))
    return lines


def table(results: Results, tiers: tuple[str, ...]) -> str:
    """The results as a table for a terminal: per tier, every unit in listing order."""
    cs = results.criteria_set
    lines = [f"Kết quả năm {results.year} ({cs.decision}){' — DỮ LIỆU MINH HỌA' if results.cycle.demo else ''}"]
    for tier in tiers:
        if tier in cs.tiers:
            lines.append("")
            lines.extend(_tier_table(results, tier))
    lines.append("")
    lines.extend(textwrap.wrap(GAP_LEGEND, WIDTH))
    return "\n".join(lines) + "\n"
