"""What the templates show, built from Results: stages, counts, rows, charts, history.

Nothing here recomputes a score; it only arranges what `evaluate` produced.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from ..core.model import Cycle, Group, Results, TierCriteria, UnitResult
from ..core.text import STATUS_LABELS
from ..core.workdays import add_working_days
from ..export.results import ordered_units
from .filters import vn_date

NOT_SUBMITTED = "not_submitted"
CHART_WIDTH = 620
CHART_LEFT = 16  # room for the first tick's label
CHART_ROW = 60


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


@dataclass
class YearView:
    """A year's Results with what every page of that year needs."""

    results: Results
    previous: Results | None
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

    @property
    def year(self) -> int:
        return self.results.year

    def tiers(self) -> list[TierCriteria]:
        """The tiers of the year's criteria set, in the set's order."""
        return list(self.results.criteria_set.tiers.values())

    def ranked(self, tier: str) -> list[UnitResult]:
        """A tier's units in ranking order (unranked and not submitted last)."""
        return self._ranked.get(tier, [])


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
    """A level minimum marked on a group's bar."""

    levels: tuple[int, ...]  # levels sharing this minimum share one tick
    minimum: Decimal
    x: float


class Bar(NamedTuple):
    """One group of the chart: its bar, its ticks and whether it holds the unit back."""

    group: Group
    score: Decimal
    self_score: Decimal
    y: int
    width: float
    ticks: tuple[Tick, ...]
    missing: Decimal | None  # how far below the next level's minimum


def histories(views: Sequence[YearView]) -> dict[str, list[tuple[int, UnitResult]]]:
    """Each unit's result in every year that has one, newest first."""
    found: dict[str, list[tuple[int, UnitResult]]] = {}
    for view in sorted(views, key=lambda v: -v.year):
        for r in view.results.units:
            found.setdefault(r.unit.id, []).append((view.year, r))
    return found
