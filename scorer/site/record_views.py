"""What the unit and year pages show of the official record: waiting for verification again,
the province's decisions about units, amendments with their before and after, flagged values,
and what relative criteria are measured against. Templates: _record.html, _year_record.html.
"""

from __future__ import annotations

from typing import Any

from ..core.model import CriteriaSet, Cycle, UnitResult
from ..core.text import TIER_LABELS
from ..flow.record_notes import best_notes, flag_notes, stale_note

ACTIONS = {"exclude": "Không đánh giá", "count_unverified": "Tính điểm khi chưa thẩm định đủ"}


def unit_record(result: UnitResult, criteria_set: CriteriaSet, cycle: Cycle) -> dict[str, Any]:
    """The unit page's part: its stale note, the decision about it, the amendments that changed it, its flags."""
    return {
        "stale": stale_note(result, criteria_set),
        "decision": cycle.decision_for(result.unit.id),
        "action": ACTIONS,
        "amendments": [(amendment, change) for amendment in cycle.amendments for change in amendment.changes
                       if change.unit_id == result.unit.id],
        "flags": flag_notes(result, criteria_set, None) if result.submitted else [],
    }


def year_record(view: Any) -> dict[str, Any]:
    """The year page's part: decisions about units, amendments and every unit they changed, and
    what each tier's relative criteria are measured against."""
    results = view.results
    names = {r.unit.id: r.unit.name for r in results.units}
    return {
        "decisions": [(d, names.get(d.unit_id, d.unit_id)) for d in sorted(results.cycle.unit_decisions,
                                                                            key=lambda d: d.unit_id)],
        "action": ACTIONS,
        "amendments": results.cycle.amendments,
        "bests": [(TIER_LABELS[tier.tier], best_notes(results, tier.tier)) for tier in view.tiers()],
    }


RECORD_FILTERS = {"unit_record": unit_record, "year_record": year_record}
