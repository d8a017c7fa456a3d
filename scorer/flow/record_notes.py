"""What reviewers and readers are told about a unit's record, in Vietnamese: a submission that
waits for verification again, values to look at closely, and what a tier's relative criteria
are measured against. The pull-request summary and the site show the same sentences, each
escaping them its own way; `quote` holds what a submitter wrote, never trusted.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, NamedTuple

from ..core.model import CriteriaSet, Results, TierBests, UnitResult
from ..core.plausible import QUANTITY_NAMES, out_of_range, quantity_of
from ..core.spread import FLOOR_SHARE, NORMAL_SCALE, THRESHOLD
from ..core.stages import stage_name
from ..core.text import TIER_LABELS, vn_number

OUTLIER_RULE = (f"|giá trị − trung vị| > {vn_number(THRESHOLD)} × max({vn_number(NORMAL_SCALE)} × MAD; "
                f"{vn_number(FLOOR_SHARE * 100)}% trung vị), MAD là trung vị của |giá trị − trung vị|")


class Note(NamedTuple):
    """A sentence about a unit, and what the unit itself wrote that goes with it (untrusted)."""

    text: str
    quote: str = ""


def value_text(value: Any, unit: str = "") -> str:
    """An answer's value as people read it: 25,2 Mbps/người; 8/10; có."""
    if isinstance(value, dict) and "numerator" in value:
        return f"{vn_number(value['numerator'])}/{vn_number(value['denominator'])}"
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, int | Decimal):
        return vn_number(value) + (f" {unit}" if unit else "")
    return "để trống" if value is None else str(value)


def stage_names(criteria_set: CriteriaSet, stage_ids: Iterable[str]) -> str:
    """"UBND huyện và Sở TT&TT": the stages' names as the criteria set gives them."""
    return " và ".join(stage_name(criteria_set.stages, s) for s in stage_ids)


def stale_note(result: UnitResult, criteria_set: CriteriaSet) -> Note | None:
    """The unit waits for verification again: which stages, and what the review record tells of what changed."""
    if not result.stale_reviews:
        return None
    stages = stage_names(criteria_set, result.stale_reviews)
    text = (f"Chờ thẩm định lại: phiếu đã sửa sau khi {stages} thẩm định (mã băm của phiếu khác bản đã thẩm định); "
            "phiếu không được tính là đã thẩm định và không được công bố cho tới khi được thẩm định lại.")
    if result.changed_since_review:
        text += (" Tiêu chí có số liệu khác giá trị mà lần thẩm định trước đã ghi: "
                 + ", ".join(result.changed_since_review) + ".")
    return Note(text)


def flag_notes(result: UnitResult, criteria_set: CriteriaSet, bests: TierBests | None) -> list[Note]:
    """One note per flagged value (see UnitResult.flags): what it is, against what, and the unit's justification."""
    tier = criteria_set.tiers[result.unit.tier]
    rows = {row.criterion_id: row for row in result.criteria} if result.flags else {}
    notes = []
    for cid, flag in result.flags:
        criterion = tier.criterion(cid)
        row = rows.get(cid)
        if criterion is None or row is None:
            continue
        unit = criterion.quantity_unit
        if flag in ("above_range", "below_range"):
            for found in out_of_range(criterion, row.self_value):
                if found.flag != flag:
                    continue  # the quantity's note goes with its own flag
                side = "cao hơn" if flag == "above_range" else "thấp hơn"
                low, high = found.range.low, found.range.high
                bounds = " – ".join(vn_number(b) if b is not None else "…" for b in (low, high))
                name = QUANTITY_NAMES.get(found.quantity, "số liệu")
                notes.append(Note(f"{cid}: {name} {value_text(found.value, unit)}, "
                                  f"{side} khoảng hợp lý bộ tiêu chí khai báo ({bounds}); đơn vị giải trình:", row.note))
        else:
            spread = bests.spreads.get(cid) if bests else None
            side = "cao" if flag == "outlier_high" else "thấp"
            middle = f" (trung vị {value_text(spread.median, unit)} của {spread.count} đơn vị)" if spread else ""
            notes.append(Note(f"{cid}: {value_text(quantity_of(row.self_value, 'value'), unit)} {side} bất thường so với "
                              f"{TIER_LABELS[result.unit.tier].lower()}{middle}; quy tắc: {OUTLIER_RULE}."))
    return notes


def best_notes(results: Results, tier_id: str) -> list[Note]:
    """What each relative criterion of the tier is measured against, and whether it is still provisional."""
    bests = results.bests.get(tier_id)
    tier = results.criteria_set.tiers.get(tier_id)
    if bests is None or tier is None:
        return []
    notes = []
    for criterion in tier.criteria:
        if criterion.kind != "relative" or criterion.id not in bests.answered_counted:
            continue
        unit = criterion.quantity_unit
        best = bests.answered_counted[criterion.id]
        if criterion.id in bests.provisional:
            source = "tạm tính từ số liệu tự đánh giá, vì chưa đơn vị nào được thẩm định đủ tiêu chí này; sẽ đổi khi có số liệu đã thẩm định"
        elif results.cycle.relative_best == "verified":
            source = "từ số liệu đã thẩm định đủ các bước"
        else:
            source = "từ số liệu được tính của mọi đơn vị đã nộp (cách tính cũ, ghi trong cycle.yaml)"
        text = f"{criterion.id} ({criterion.quantity}): giá trị cao nhất dùng để tính điểm là {value_text(best, unit)}, {source}."
        self_best = bests.answered_self.get(criterion.id)
        if self_best is not None and self_best != best:
            text += (f" Giá trị tự đánh giá cao nhất là {value_text(self_best, unit)}: chưa thẩm định nên không làm "
                     "thay đổi điểm của đơn vị khác.")
        notes.append(Note(text))
    return notes
