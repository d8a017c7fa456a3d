"""Results as a table for a terminal (`cqdt score`)."""

from __future__ import annotations

from ..core.model import Results
from ..core.text import STATUS_LABELS, vn_number
from .results import ordered_units


def table(results: Results, tiers: tuple[str, ...]) -> str:
    """The results as a table for a terminal: per tier, every unit in ranking order."""
    cs = results.criteria_set
    lines = [f"Kết quả năm {results.year} ({cs.decision}){' — DỮ LIỆU MINH HỌA' if results.cycle.demo else ''}"]
    for tier in tiers:
        if tier not in cs.tiers:
            continue
        lines.append("")
        lines.append(f"{cs.tiers[tier].name} (tối đa {vn_number(cs.tiers[tier].max_total)} điểm)")
        header = f"{'Hạng':>4}  {'Đơn vị':<42}" + "".join(f"{'N' + str(g.id):>7}" for g in cs.tiers[tier].groups)
        lines.append(header + f"{'Tổng':>8}  {'Mức':<15} Trạng thái")
        for r in ordered_units(results):
            if r.unit.tier != tier:
                continue
            groups = "".join(f"{vn_number(r.group_scores[g.id]) if r.submitted else '–':>7}" for g in cs.tiers[tier].groups)
            level = cs.level_name(r.level) if r.submitted else "–"
            lines.append(f"{r.rank or '–':>4}  {r.unit.name[:42]:<42}{groups}{vn_number(r.total) if r.submitted else '–':>8}  {level:<15} {STATUS_LABELS[r.status]}")
    return "\n".join(lines) + "\n"
