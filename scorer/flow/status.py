"""Where a year stands (Điều 5): per tier, who has submitted, late, verified, outstanding.

A submission's date is the date of the commit that first added its file, read
from the data root's git history; outside a git repository the dates are
unknown and nobody is marked late. Late submissions are accepted, only marked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ..core.evaluate import current_reviews
from ..core.model import TIERS, Cycle, Unit
from ..core.text import STATE_LABELS, TIER_LABELS
from ..core.workdays import add_working_days
from ..reading.paths import DataRoot

STATE_TEXT = {
    "not_submitted": "chưa nộp",
    "invalid": "bài nộp có lỗi",
    "submitted": "đã nộp, chờ thẩm định",
    "district_verified": "huyện đã thẩm định, chờ Sở TT&TT",
    "verified": "đã thẩm định",
    "needs_reverification": "bài nộp đã sửa sau thẩm định, cần thẩm định lại",
}


@dataclass(frozen=True)
class UnitStatus:
    """One unit's place in the year's process."""

    unit: Unit
    state: str
    submitted_on: date | None
    late: bool

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.unit.id, "name": self.unit.name, "state": self.state,
                "submitted_on": self.submitted_on.isoformat() if self.submitted_on else None, "late": self.late}


@dataclass(frozen=True)
class TierStatus:
    """A tier's deadlines and its units."""

    tier: str
    deadline: date
    verification_due: date
    units: tuple[UnitStatus, ...]

    def count(self, *states: str) -> int:
        return sum(1 for u in self.units if u.state in states)

    @property
    def late(self) -> int:
        return sum(1 for u in self.units if u.late)


@dataclass(frozen=True)
class YearStatus:
    """The whole year's status, tier by tier."""

    year: int
    cycle: Cycle
    dates_known: bool
    tiers: tuple[TierStatus, ...]


def verification_due(cycle: Cycle) -> date:
    """Sở TT&TT's deadline: N working days after the last forms are due (Điều 5.2.d)."""
    received = max(cycle.deadlines["huyen"], cycle.deadlines["so"])
    return add_working_days(received, cycle.verification_working_days, cycle.holidays)


def submission_dates(root: DataRoot, year: int) -> dict[str, date] | None:
    """Date each file of the year was first committed, by data-root path; None outside git."""
    from .gitread import GitError, data_prefix, first_added

    prefix = data_prefix(root.root)
    if prefix is None:
        return None
    try:
        found = first_added(root.root, f"submissions/{year}")
    except GitError:
        return None
    return {path[len(prefix):]: day for path, day in found.items() if path.startswith(prefix)}


def _unit_state(unit: Unit, inputs: Any, root: DataRoot, year: int) -> str:
    submission = inputs.submissions.get(unit.id)
    if submission is None:
        return "invalid" if root.submission_path(year, unit.tier, unit.id).is_file() else "not_submitted"
    current, stale = current_reviews(submission, inputs.reviews.get(unit.id))
    stages = {r.stage for r in current}
    if "province" in stages:
        return "verified"
    if stale:
        return "needs_reverification"
    return "district_verified" if "district" in stages else "submitted"


def year_status(root: DataRoot, year: int) -> YearStatus:
    """Read a year (files with problems count as 'có lỗi') and place every unit."""
    from ..core.problems import InputError
    from ..shell.year import read_year

    inputs = read_year(root, year)
    if inputs.registry is None or inputs.cycle is None or inputs.criteria_set is None:
        raise InputError(inputs.problems)
    cycle = inputs.cycle
    dates = submission_dates(root, year)
    due = verification_due(cycle)
    tiers = []
    for tier in TIERS:
        if tier not in inputs.criteria_set.tiers:
            continue
        deadline = cycle.deadlines[tier]
        units = []
        for unit in sorted(inputs.registry.in_tier(tier), key=lambda u: u.id):
            state = _unit_state(unit, inputs, root, year)
            path = root.relative(root.submission_path(year, tier, unit.id))
            submitted_on = dates.get(path) if dates and state != "not_submitted" else None
            units.append(UnitStatus(unit, state, submitted_on, submitted_on is not None and submitted_on > deadline))
        tiers.append(TierStatus(tier, deadline, due, tuple(units)))
    return YearStatus(year, cycle, dates is not None, tuple(tiers))


def status_to_dict(status: YearStatus) -> dict[str, Any]:
    """The status as plain JSON data."""
    return {
        "year": status.year,
        "state": status.cycle.state,
        "dates_known": status.dates_known,
        "tiers": [
            {"tier": t.tier, "deadline": t.deadline.isoformat(), "verification_due": t.verification_due.isoformat(),
             "units": [u.to_dict() for u in t.units]}
            for t in status.tiers
        ],
    }


def status_text(status: YearStatus) -> str:
    """The status as text for a terminal, in Vietnamese."""
    cycle = status.cycle
    lines = [f"Năm {status.year}: {STATE_LABELS[cycle.state].lower()}"]
    if cycle.publication:
        lines[0] += f" (quyết định {cycle.publication.decision} ngày {cycle.publication.date:%d/%m/%Y})"
    if not status.dates_known:
        lines.append("Không đọc được lịch sử git: chưa biết ngày nộp, chưa xác định nộp muộn.")
    for tier in status.tiers:
        total = len(tier.units)
        submitted = total - tier.count("not_submitted")
        lines += [
            "",
            f"{TIER_LABELS[tier.tier]}: hạn nộp {tier.deadline:%d/%m/%Y}; hạn thẩm định của Sở TT&TT "
            f"{tier.verification_due:%d/%m/%Y} ({cycle.verification_working_days} ngày làm việc)"
            + (f"; UBND huyện thẩm định xã trước {cycle.deadlines['huyen']:%d/%m/%Y}" if tier.tier == "xa" else ""),
            f"  Đã nộp {submitted}/{total} (nộp muộn {tier.late}); đã thẩm định {tier.count('verified')}; "
            f"cần thẩm định lại {tier.count('needs_reverification')}; có lỗi {tier.count('invalid')}; "
            f"chưa nộp {tier.count('not_submitted')}",
        ]
        for unit in tier.units:
            day = f"{unit.submitted_on:%d/%m/%Y}" if unit.submitted_on else "–"
            late = " (nộp muộn)" if unit.late else ""
            lines.append(f"  {unit.unit.id:<28} {day:<10}  {STATE_TEXT[unit.state]}{late}")
    return "\n".join(lines) + "\n"
