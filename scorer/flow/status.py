"""Where a year stands (Điều 5): per tier, who has submitted, late, verified, overdue, outstanding.

When a submission was received comes from the year's receipt ledger (submissions/<year>/
receipts.jsonl, written from GitHub's clock by the merge workflow), for the version of the
file that counts now; never from git's commit dates, which the committer sets. Where there is
no receipt (a repository not on GitHub, data from before the ledger), status says so and marks
nobody late. Late submissions are accepted, only marked. A file that answers no criterion is
not a submission.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ..core.evaluate import current_reviews
from ..core.model import CriteriaSet, Cycle, Stage, Submission, Unit
from ..core.problems import InputError
from ..core.stages import required_stages, stage_due, stage_name, stage_named, verification_state
from ..core.text import STATE_LABELS
from ..reading.paths import DataRoot
from .receipts import Receipt, first_receipts, is_late, ledger_path, read_ledger

STATE_TEXT = {
    "not_submitted": "chưa nộp",
    "empty": "tệp chưa trả lời tiêu chí nào, chưa tính là đã nộp",
    "invalid": "bài nộp có lỗi",
    "submitted": "đã nộp, chờ thẩm định",
    "partly_verified": "đã nộp, đang thẩm định",
    "verified": "đã thẩm định",
    "needs_reverification": "chờ thẩm định lại",
}
SUBMITTED = ("submitted", "partly_verified", "verified", "needs_reverification")


@dataclass(frozen=True)
class UnitStatus:
    """One unit's place in the year's process."""

    unit: Unit
    state: str
    receipt: Receipt | None  # of the version that counts now
    late: bool | None  # None: not submitted, or no receipt to judge by
    verified_by: tuple[str, ...] = ()  # stages that verified the current version
    stale: tuple[str, ...] = ()  # stages that verified an earlier version only
    waiting_for: tuple[str, ...] = ()  # required stages still to verify the current version
    overdue: tuple[str, ...] = ()  # of those, the stages past their due date

    @property
    def submitted(self) -> bool:
        return self.state in SUBMITTED


@dataclass(frozen=True)
class StageDue:
    """A verification stage of a tier and the day it is due."""

    stage: Stage
    due: date
    overdue: bool  # the day has passed with some submission still waiting for this stage (not published yet)


@dataclass(frozen=True)
class TierStatus:
    """A tier's deadlines and its units."""

    tier: str
    name: str
    deadline: date
    stages: tuple[StageDue, ...]
    units: tuple[UnitStatus, ...]

    def count(self, *states: str) -> int:
        return sum(1 for u in self.units if u.state in states)

    @property
    def late(self) -> int:
        return sum(1 for u in self.units if u.late)

    @property
    def without_receipt(self) -> int:
        return sum(1 for u in self.units if u.submitted and u.receipt is None)

    @property
    def overdue(self) -> int:
        return sum(1 for u in self.units if u.overdue)


@dataclass(frozen=True)
class YearStatus:
    """The whole year's status, tier by tier, as of a day."""

    year: int
    cycle: Cycle
    criteria_set: CriteriaSet
    today: date
    ledger: str | None  # the ledger's path, when the year has one
    tiers: tuple[TierStatus, ...]

    def stage_name(self, stage_id: str) -> str:
        return stage_name(self.criteria_set.stages, stage_id)


def answered_nothing(submission: Submission) -> bool:
    """A file that answers no criterion: not a submission (it cannot make later answers on time)."""
    return all(answer.value is None for answer in submission.answers.values())


def _unit_status(unit: Unit, inputs: Any, root: DataRoot, year: int, receipts: dict[tuple[str, str], Receipt], deadline: date,
                 stages: tuple[StageDue, ...], overdue_after: date | None) -> UnitStatus:
    """overdue_after: the day after which a stage's due date has passed (None: nothing is overdue)."""
    submission = inputs.submissions.get(unit.id)
    if submission is None:
        state = "invalid" if root.submission_path(year, unit.tier, unit.id).is_file() else "not_submitted"
        return UnitStatus(unit, state, None, None)
    if answered_nothing(submission):
        return UnitStatus(unit, "empty", None, None)
    receipt = receipts.get((submission.path, submission.sha256))
    current, stale = current_reviews(submission, inputs.reviews.get(unit.id))
    required = tuple(s.stage.id for s in stages)
    done = {r.stage for r in current}
    state = verification_state(required, done, {r.stage for r in stale})
    waiting = tuple(s for s in required if s not in done)
    return UnitStatus(
        unit, state, receipt, is_late(receipt, deadline) if receipt is not None else None,
        verified_by=tuple(s for s in required if s in done),
        stale=tuple(s for s in required if s in {r.stage for r in stale} - done),
        waiting_for=waiting,
        overdue=tuple(s.stage.id for s in stages
                      if overdue_after is not None and overdue_after > s.due and s.stage.id in waiting),
    )


def year_status(root: DataRoot, year: int, today: date) -> YearStatus:
    """Read a year (files with problems count as 'có lỗi') and place every unit, as of today."""
    from ..shell.year import read_year

    inputs = read_year(root, year)
    if inputs.registry is None or inputs.cycle is None or inputs.criteria_set is None:
        raise InputError(inputs.problems)
    receipts, problems = read_ledger(root, year)
    if problems:
        raise InputError(problems)
    cycle, criteria_set = inputs.cycle, inputs.criteria_set
    overdue_after = today if cycle.state != "published" else None  # a published year's work is done
    first = first_receipts(receipts or [])
    tiers = []
    for tier, tier_criteria in criteria_set.tiers.items():
        deadline = cycle.deadlines[tier]
        stages = [stage_named(criteria_set.stages, s) for s in required_stages(criteria_set, tier)]
        dues = tuple(StageDue(s, stage_due(s, cycle), False) for s in stages)
        units = tuple(_unit_status(unit, inputs, root, year, first, deadline, dues, overdue_after)
                      for unit in inputs.registry.in_tier(tier))
        late_stages = {s for u in units for s in u.overdue}
        dues = tuple(StageDue(d.stage, d.due, d.stage.id in late_stages) for d in dues)
        tiers.append(TierStatus(tier, tier_criteria.name, deadline, dues, units))
    ledger = root.relative(ledger_path(root, year)) if receipts is not None else None
    return YearStatus(year, cycle, criteria_set, today, ledger, tuple(tiers))


def status_to_dict(status: YearStatus) -> dict[str, Any]:
    """The status as plain JSON data."""
    def unit(u: UnitStatus) -> dict[str, Any]:
        receipt = u.receipt
        return {
            "id": u.unit.id, "name": u.unit.name, "state": u.state,
            "received_at": receipt.to_dict()["received_at"] if receipt else None,
            "received_on": receipt.received_on.isoformat() if receipt else None,
            "pull_request": receipt.pull_request if receipt else None,
            "late": u.late,
            "verified_by": list(u.verified_by), "stale": list(u.stale), "overdue": list(u.overdue),
        }

    return {
        "year": status.year,
        "state": status.cycle.state,
        "today": status.today.isoformat(),
        "receipts": status.ledger,
        "tiers": [
            {"tier": t.tier, "name": t.name, "deadline": t.deadline.isoformat(),
             "stages": [{"id": s.stage.id, "name": s.stage.name, "due": s.due.isoformat(), "overdue": s.overdue}
                        for s in t.stages],
             "units": [unit(u) for u in t.units]}
            for t in status.tiers
        ],
    }


def _state_text(status: YearStatus, unit: UnitStatus) -> str:
    names = ", ".join
    if unit.state == "partly_verified":
        text = f"{names(map(status.stage_name, unit.verified_by))} đã thẩm định, chờ {names(map(status.stage_name, unit.waiting_for))}"
    elif unit.state == "needs_reverification":
        text = f"chờ thẩm định lại: bài nộp đã sửa sau thẩm định của {names(map(status.stage_name, unit.stale))}"
    else:
        text = STATE_TEXT[unit.state]
    if unit.late:
        text += " (nộp muộn)"
    elif unit.submitted and unit.receipt is None and status.ledger is not None:
        text += " (phiên bản này chưa có biên nhận)"
    if unit.overdue:
        text += f"; quá hạn thẩm định: {names(map(status.stage_name, unit.overdue))}"
    return text


def status_text(status: YearStatus) -> str:
    """The status as text for a terminal, in Vietnamese."""
    cycle = status.cycle
    lines = [f"Năm {status.year}: {STATE_LABELS[cycle.state].lower()}"]
    if cycle.publication:
        lines[0] += f" (quyết định {cycle.publication.decision} ngày {cycle.publication.date:%d/%m/%Y})"
    lines.append(f"Tính đến ngày {status.today:%d/%m/%Y}.")
    if status.ledger is None:
        lines.append(f"Chưa có sổ biên nhận (submissions/{status.year}/receipts.jsonl): chưa biết thời điểm nộp, "
                     "chưa xác định ai nộp muộn.")
    else:
        lines.append(f"Thời điểm nộp theo sổ biên nhận {status.ledger} (đồng hồ của GitHub, không theo ngày ghi trong commit).")
    for tier in status.tiers:
        total = len(tier.units)
        submitted = sum(1 for u in tier.units if u.submitted)
        dues = "; ".join(f"{s.stage.name} thẩm định trước {s.due:%d/%m/%Y}" + (" (đã quá hạn)" if s.overdue else "")
                         for s in tier.stages)
        counts = (f"  Đã nộp {submitted}/{total} (nộp muộn {tier.late}"
                  + (f", chưa có biên nhận {tier.without_receipt}" if status.ledger is not None and tier.without_receipt else "")
                  + f"); đã thẩm định {tier.count('verified')}; chờ thẩm định lại {tier.count('needs_reverification')}; "
                  f"quá hạn thẩm định {tier.overdue}; có lỗi {tier.count('invalid')}; chưa nộp {tier.count('not_submitted', 'empty')}")
        lines += ["", f"{tier.name}: hạn nộp {tier.deadline:%d/%m/%Y}; {dues}", counts]
        width = max((len(u.unit.name) for u in tier.units), default=0)
        for unit in tier.units:
            day = f"{unit.receipt.received_on:%d/%m/%Y}" if unit.receipt else "–"
            lines.append(f"  {unit.unit.name:<{width}}  {day:<10}  {_state_text(status, unit)}")
    return "\n".join(lines) + "\n"
