"""What the templates show, built from Results: stages, counts, rows, charts, history.

Nothing here recomputes a score; it only arranges what `evaluate` produced.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from ..core.model import Cycle, Group, Results, TierCriteria, UnitResult
from ..core.text import STATUS_LABELS
from ..core.workdays import add_working_days
from ..export.results import ordered_units
from ..flow.receipts import Receipt, first_receipts, is_late
from .filters import roman, vn_date

NOT_SUBMITTED = "not_submitted"
# The chart of a unit's groups is drawn in percentages of its width, its text at its own size,
# so it reads the same on any screen. Level labels are laid out for the narrowest track (a
# 320 px screen), each in the first row where it does not touch the one before.
CHART_NARROWEST = 280  # px: the track's width on a 320 px screen
CHART_LABEL_CHAR = 7.5  # px: the widest a character of a level label (I, V, comma) is at 12 px
CHART_LABEL_GAP = 6  # px between two labels of a row


@dataclass(frozen=True)
class Step:
    """One step of the yearly process (nộp → thẩm định → công bố)."""

    key: str
    title: str
    detail: str
    state: str  # done / current / todo


@dataclass(frozen=True)
class Change:
    """A unit's movement against the previous year."""

    previous_year: int
    previous_rank: int | None
    previous_total: Decimal
    rank_delta: int | None  # positive: moved up
    total_delta: Decimal


class Received(NamedTuple):
    """When GitHub received the version of a submission that counts, and whether it was late."""

    at: datetime  # aware
    late: bool


@dataclass
class YearView:
    """A year's Results with what every page of that year needs."""

    results: Results
    previous: Results | None
    receipts: Sequence[Receipt] = ()  # the year's receipt ledger (flow.receipts)
    by_id: dict[str, UnitResult] = field(init=False)
    changes: dict[str, Change] = field(init=False)
    submitted_count: dict[str, int] = field(init=False)
    _ranked: dict[str, list[UnitResult]] = field(init=False)

    def __post_init__(self) -> None:
        self.by_id = {r.unit.id: r for r in self.results.units}
        self.changes = changes(self.results, self.previous)
        self._ranked = {}
        for r in ordered_units(self.results):
            self._ranked.setdefault(r.unit.tier, []).append(r)
        self.submitted_count = {tier: sum(1 for r in rows if r.submitted) for tier, rows in self._ranked.items()}
        self._receipts = first_receipts(self.receipts)  # a version's first receipt counts

    @property
    def year(self) -> int:
        return self.results.year

    def tiers(self) -> list[TierCriteria]:
        """The tiers of the year's criteria set, in the set's order."""
        return list(self.results.criteria_set.tiers.values())

    def ranked(self, tier: str) -> list[UnitResult]:
        """A tier's units in ranking order (unranked and not submitted last)."""
        return self._ranked.get(tier, [])

    def received(self, result: UnitResult) -> Received | None:
        """When the version of the unit's submission that counts was received (None: no receipt),
        late by its tier's deadline."""
        if result.submission_path is None or result.submission_sha256 is None:
            return None
        receipt = self._receipts.get((result.submission_path, result.submission_sha256))
        if receipt is None:
            return None
        deadline = self.results.cycle.deadlines.get(result.unit.tier)
        return Received(receipt.received_at, deadline is not None and is_late(receipt, deadline))


def steps(cycle: Cycle) -> list[Step]:
    """The three steps of Điều 5 with this cycle's dates, and which one is current."""
    deadlines = cycle.deadlines
    parts = []
    for tier, label in (("xa", "cấp xã gửi UBND huyện"), ("huyen", "cấp huyện gửi Sở TT&TT"),
                        ("so", "cấp sở gửi Sở TT&TT")):
        if tier in deadlines:
            parts.append(f"{label} trước ngày {vn_date(deadlines[tier])}")
    last = max(deadlines.values()) if deadlines else None
    verify = f"Sở TT&TT thẩm định, xác minh trong {cycle.verification_working_days} ngày làm việc"
    if last is not None:
        end = add_working_days(last, cycle.verification_working_days, cycle.holidays)
        verify += f" kể từ khi nhận đủ phiếu (dự kiến đến ngày {vn_date(end)})"
    if cycle.publication is not None:
        publish = (f"UBND tỉnh công bố kết quả theo Quyết định số {cycle.publication.decision} "
                   f"ngày {vn_date(cycle.publication.date)}")
    else:
        publish = "UBND tỉnh phê duyệt và công bố kết quả sau khi thẩm định xong"
    order = {"open": 0, "verifying": 1, "published": 2}[cycle.state]
    entries = [("nop", "Nộp phiếu tự đánh giá", _sentence("; ".join(parts))),
               ("tham-dinh", "Thẩm định", _sentence(verify)),
               ("cong-bo", "Công bố", _sentence(publish))]
    return [
        Step(key, title, detail, "done" if i < order or order == 2 else ("current" if i == order else "todo"))
        for i, (key, title, detail) in enumerate(entries)
    ]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "." if text else ""


def level_counts(view: YearView, tier: str) -> list[tuple[str, int | None, int]]:
    """(label, level or None, count) per level, then unranked and not submitted."""
    counts = Counter(r.level if r.submitted else NOT_SUBMITTED for r in view.ranked(tier))
    cs = view.results.criteria_set
    rows: list[tuple[str, int | None, int]] = [(lv.name, lv.id, counts[lv.id]) for lv in cs.levels]
    rows.append((cs.unranked_name, None, counts[None]))
    rows.append((STATUS_LABELS[NOT_SUBMITTED], None, counts[NOT_SUBMITTED]))
    return rows


def leaders(view: YearView, tier: str, top: int = 3) -> list[UnitResult]:
    """Units ranked in the first `top` places (ties included)."""
    return [r for r in view.ranked(tier) if r.rank is not None and r.rank <= top]


def summary(view: YearView) -> dict:
    """What the home and year pages show about a year: steps, counts per level, leaders."""
    tiers = view.tiers()
    return {
        "steps": steps(view.results.cycle),
        "counts": [(tier, level_counts(view, tier.tier)) for tier in tiers],
        "leaders": {tier.tier: leaders(view, tier.tier) for tier in tiers},
    }


def changes(current: Results, previous: Results | None) -> dict[str, Change]:
    """Rank and total movement of each submitted unit against the previous year."""
    if previous is None:
        return {}
    earlier = {r.unit.id: r for r in previous.units}
    found = {}
    for r in current.units:
        before = earlier.get(r.unit.id)
        if before is None or not before.submitted or not r.submitted:
            continue
        delta = None if r.rank is None or before.rank is None else before.rank - r.rank
        found[r.unit.id] = Change(previous.year, before.rank, before.total, delta, r.total - before.total)
    return found


class Tick(NamedTuple):
    """A level minimum marked on a group's bar, and where its label goes."""

    levels: tuple[int, ...]  # levels sharing this minimum share one tick
    minimum: Decimal
    label: str  # the levels as the decision writes them: "III,IV"
    x: float  # % of the track
    anchor: str  # the label's text-anchor: start at the left end, end at the right end, else middle
    row: int  # the label's row under the bar, from 0


class Bar(NamedTuple):
    """One group of the chart: its bar, its ticks and whether it holds the unit back."""

    group: Group
    score: Decimal
    self_score: Decimal
    width: float  # % of the track
    ticks: tuple[Tick, ...]
    missing: Decimal | None  # how far below the next level's minimum


def level_ticks(minimums: Mapping[int, Decimal], maximum: Decimal) -> tuple[Tick, ...]:
    """A group's level minimums as ticks (levels sharing a minimum share one), each label in
    the first row where, on the narrowest track, it keeps CHART_LABEL_GAP from the label before
    it, and anchored so that it stays inside the track."""
    shared: dict[Decimal, list[int]] = {}
    for level, minimum in sorted(minimums.items()):
        shared.setdefault(minimum, []).append(level)
    ticks = []
    row_ends: list[float] = []  # the right end of the last label of each row, in px
    for minimum, levels in sorted(shared.items()):
        x = round(100 * float(minimum) / float(maximum), 1) if maximum else 0.0
        label = ",".join(map(roman, levels))
        width = len(label) * CHART_LABEL_CHAR
        centre = x / 100 * CHART_NARROWEST
        anchor, left = "middle", centre - width / 2
        if left < 0:
            anchor, left = "start", centre
        elif centre + width / 2 > CHART_NARROWEST:
            anchor, left = "end", centre - width
        row = next((i for i, end in enumerate(row_ends) if end + CHART_LABEL_GAP <= left), len(row_ends))
        if row == len(row_ends):
            row_ends.append(0)
        row_ends[row] = left + width
        ticks.append(Tick(tuple(levels), minimum, label, x, anchor, row))
    return tuple(ticks)


def histories(views: Sequence[YearView]) -> dict[str, list[tuple[int, UnitResult]]]:
    """Each unit's result in every year that has one, newest first."""
    found: dict[str, list[tuple[int, UnitResult]]] = {}
    for view in sorted(views, key=lambda v: -v.year):
        for r in view.results.units:
            found.setdefault(r.unit.id, []).append((view.year, r))
    return found
