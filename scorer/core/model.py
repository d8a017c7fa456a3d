"""The data model: frozen dataclasses shared by every part of cqdt.

Everything here is plain data. Loading lives in `catalogue`, `registry` and
`submissions`; scoring lives in `rules`, `levels` and `evaluate`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

# The tier ids cqdt knows (folder and file names). Which tiers a year has, in which order, and who
# verifies them come from its criteria set (set.yaml: tiers, stages), never from this list.
TIERS = ("so", "huyen", "xa")
KINDS = ("yes_no", "ratio", "count", "choice", "relative")


@dataclass(frozen=True, slots=True)
class Level:
    """One of the four levels of Điều 7 (id 1 = Mức I, the best)."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class Option:
    """A graded answer of a `choice` criterion."""

    id: str
    label: str
    points: Decimal


class Range(NamedTuple):
    """A plausible range of one quantity of an answer ("value", "numerator" or "denominator");
    None: no bound on that side."""

    quantity: str
    low: Decimal | None
    high: Decimal | None


@dataclass(frozen=True, slots=True)
class Criterion:
    """One scored item of a tier's criteria (Phụ lục I–III)."""

    id: str
    group_id: int
    title: str
    kind: str
    max: Decimal
    how: str
    evidence_hint: str = ""
    numerator: str = ""
    denominator: str = ""
    full_at: Decimal = Decimal(1)
    per_item: Decimal = Decimal(0)
    counted: str = ""
    options: tuple[Option, ...] = ()
    quantity: str = ""
    quantity_unit: str = ""
    # Plausible ranges of the answer's quantities, and what a value outside them needs:
    # "refuse" (an error) or "justify" (accepted with a written note, flagged to reviewers).
    plausible: tuple[Range, ...] = ()
    outside: str = ""

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


@dataclass(frozen=True, slots=True)
class Group:
    """A criteria group (1–7) of one tier, with its Điều 7 minimums."""

    id: int
    code: str
    name: str
    part: str
    max: Decimal
    minimums: dict[int, Decimal]
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True, slots=True)
class TierCriteria:
    """The criteria of one tier (one appendix)."""

    tier: str
    name: str
    appendix: str
    description: str
    groups: tuple[Group, ...]

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return tuple(c for g in self.groups for c in g.criteria)

    @property
    def max_total(self) -> Decimal:
        return sum((g.max for g in self.groups), Decimal(0))

    def criterion(self, criterion_id: str) -> Criterion | None:
        return next((c for c in self.criteria if c.id == criterion_id), None)


@dataclass(frozen=True, slots=True)
class Stage:
    """A verification stage (thẩm định, Điều 5): who holds it, which tiers it verifies, by when.

    `reviewers` names where its holders are listed: "district_reviewers" (the reviewers of the
    unit named in a unit's `district`) or "province_reviewers" (units/roles.yaml). `due` is
    "verification" (the cycle's verification working days after the last submission deadline)
    or a tier whose submission deadline it must meet."""

    id: str
    name: str
    reviewers: str
    tiers: tuple[str, ...]
    due: str


@dataclass(frozen=True, slots=True)
class CriteriaSet:
    """A versioned criteria set, as issued by one decision."""

    id: str
    title: str
    decision: str
    issued: date
    issuer: str
    status: str
    status_note: str
    decimals: int
    levels: tuple[Level, ...]
    unranked_name: str
    tiers: dict[str, TierCriteria]  # in the set's order
    stages: tuple[Stage, ...] = ()  # in the order they verify

    def level_name(self, level_id: int | None) -> str:
        if level_id is None:
            return self.unranked_name
        return next(lv.name for lv in self.levels if lv.id == level_id)


@dataclass(frozen=True, slots=True)
class Unit:
    """An evaluated unit: a sở-level agency, a district or a commune."""

    id: str
    name: str
    tier: str
    kind: str
    code: str | None = None
    short_name: str | None = None
    district: str | None = None
    owners: tuple[str, ...] = ()
    reviewers: tuple[str, ...] = ()

    def __reduce__(self) -> tuple:
        return (Unit, (self.id, self.name, self.tier, self.kind, self.code, self.short_name, self.district,
                       self.owners, self.reviewers))


@dataclass(frozen=True, slots=True)
class Registry:
    """Every evaluated unit, and who administers and verifies."""

    units: tuple[Unit, ...]
    admins: tuple[str, ...]
    province_reviewers: tuple[str, ...]
    by_id: dict[str, Unit] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.by_id.update({u.id: u for u in self.units})

    def in_tier(self, tier: str) -> tuple[Unit, ...]:
        return tuple(u for u in self.units if u.tier == tier)

    def communes_of(self, district_id: str) -> tuple[Unit, ...]:
        return tuple(u for u in self.units if u.district == district_id)


@dataclass(frozen=True, slots=True)
class Publication:
    """The decision that published (or amended) a year's results."""

    decision: str
    date: date


class AmendmentChange(NamedTuple):
    """A unit's results before and after an amendment: status, level, rank, total and groups
    (None: the unit was not in the results)."""

    unit_id: str
    name: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class Amendment:
    """A decision that amends a published year's results for the units it names; once applied,
    the record keeps every unit it changed (the named ones; others only in rank)."""

    decision: str
    date: date
    units: tuple[str, ...]
    reason: str
    changes: tuple[AmendmentChange, ...] = ()


UNIT_ACTIONS = ("exclude", "count_unverified")


@dataclass(frozen=True, slots=True)
class UnitDecision:
    """The province's decision about one unit of a year: leave it out of the evaluation
    ("exclude") or count its answers without complete verification ("count_unverified")."""

    unit_id: str
    action: str
    reason: str
    decision: str


# How a tier's best value of a relative criterion is found (cycle.yaml `relative_best`):
# "verified": from verified answers once a unit verified it, until then from self-assessments
# (provisional); "counted": from every submitted unit's counted answer (cqdt before format 2).
RELATIVE_BEST_RULES = ("verified", "counted")


@dataclass(frozen=True, slots=True)
class Cycle:
    """One year's evaluation: criteria set, Điều 5 deadlines, state."""

    year: int
    criteria_set: str
    demo: bool
    deadlines: dict[str, date]
    verification_working_days: int
    holidays: tuple[date, ...]
    state: str
    publication: Publication | None = None
    amendments: tuple[Amendment, ...] = ()
    unit_decisions: tuple[UnitDecision, ...] = ()
    relative_best: str = "verified"

    def decision_for(self, unit_id: str) -> UnitDecision | None:
        """The province's decision about this unit, if any."""
        return next((d for d in self.unit_decisions if d.unit_id == unit_id), None)


@dataclass(frozen=True, slots=True)
class Answer:
    """A unit's raw answer to one criterion (a fact, not points)."""

    value: Any
    evidence: tuple[str, ...] = ()
    note: str = ""

    def __reduce__(self) -> tuple:
        # The constructor is far cheaper to unpickle than dataclasses' generic slot state.
        return (Answer, (self.value, self.evidence, self.note))


@dataclass(frozen=True, slots=True)
class Submission:
    """A unit's self-assessment for a year."""

    unit_id: str
    year: int
    path: str
    sha256: str
    answers: dict[str, Answer]


@dataclass(frozen=True, slots=True)
class VerifiedAnswer:
    """A reviewer's answer to one criterion, with the reason for it."""

    value: Any
    reason: str

    def __reduce__(self) -> tuple:
        return (VerifiedAnswer, (self.value, self.reason))


@dataclass(frozen=True, slots=True)
class Review:
    """One verification (thẩm định) of a submission at one stage."""

    stage: str
    reviewer: str
    date: date
    submission_sha256: str
    answers: dict[str, VerifiedAnswer]
    note: str = ""


@dataclass(frozen=True, slots=True)
class ReviewRecord:
    """All verifications of one unit's submission for a year."""

    unit_id: str
    year: int
    path: str
    reviews: tuple[Review, ...]


class CriterionResult(NamedTuple):
    """One criterion of one unit: self-assessed, verified and counted.

    A named tuple rather than a frozen dataclass: a nationwide site reads half a million of
    them back from the cache, and a tuple is made in one step instead of one per field."""

    criterion_id: str
    group_id: int
    self_value: Any
    self_points: Decimal
    verified_value: Any
    verified_points: Decimal | None
    counted_points: Decimal
    reason: str | None
    reviewer: str | None
    stage: str | None
    evidence: tuple[str, ...]
    note: str

    @property
    def changed_by_review(self) -> bool:
        return self.verified_points is not None and self.verified_value != self.self_value


@dataclass(frozen=True, slots=True)
class Shortfall:
    """How far one group is below a level's minimum."""

    group_id: int
    score: Decimal
    minimum: Decimal

    def __reduce__(self) -> tuple:
        return (Shortfall, (self.group_id, self.score, self.minimum))

    @property
    def missing(self) -> Decimal:
        return self.minimum - self.score


@dataclass(frozen=True, slots=True)
class Gap:
    """What holds a unit back from the next level up."""

    level: int
    shortfalls: tuple[Shortfall, ...]

    def __reduce__(self) -> tuple:
        return (Gap, (self.level, self.shortfalls))


class LazyCriteria(Sequence):
    """A unit's criterion results, read again from the results cache each time they are walked.

    A nationwide site keeps 12,000 units' results at hand but needs one unit's criteria at a
    time; keeping none of them keeps a build's memory small and lets a forked renderer share
    it. Equal to the tuple of the same results; pickles as that tuple."""

    __slots__ = ("_length", "_load")

    def __init__(self, load: Callable[[], tuple[CriterionResult, ...]], length: int):
        self._load = load
        self._length = length

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[CriterionResult]:
        return iter(self._load())

    def __getitem__(self, index):
        return self._load()[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (tuple, LazyCriteria)):
            return tuple(self) == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # like the results holding it

    def __repr__(self) -> str:
        return repr(tuple(self))

    def __reduce__(self) -> tuple:
        return (tuple, (tuple(self),))


@dataclass(frozen=True, slots=True)
class UnitResult:
    """A unit's scores, level, rank and status for a year."""

    unit: Unit
    status: str
    submission_path: str | None
    submission_sha256: str | None
    group_scores: dict[int, Decimal]
    total: Decimal
    self_group_scores: dict[int, Decimal]
    self_total: Decimal
    level: int | None
    rank: int | None
    gap: Gap | None
    criteria: tuple[CriterionResult, ...] | LazyCriteria
    review_stages: tuple[str, ...]
    # Stages that verified an earlier version of the file and not this one.
    stale_reviews: tuple[str, ...]
    # Criteria whose answer now differs from the value a stale review set for it.
    changed_since_review: tuple[str, ...] = ()
    # (criterion id, flag) of self-assessed values reviewers should look at: "above_range" or
    # "below_range" (outside the criterion's plausible range, justified in the note),
    # "outlier_high" or "outlier_low" (far outside the tier's distribution, see core.spread).
    flags: tuple[tuple[str, str], ...] = ()

    def __reduce__(self) -> tuple:
        return (UnitResult, (self.unit, self.status, self.submission_path, self.submission_sha256, self.group_scores, self.total, self.self_group_scores, self.self_total, self.level, self.rank, self.gap, self.criteria, self.review_stages, self.stale_reviews, self.changed_since_review, self.flags))

    @property
    def submitted(self) -> bool:
        return self.status != "not_submitted"

    @property
    def ranked(self) -> bool:
        """Whether the unit takes part in its tier's ranking (submitted and not excluded)."""
        return is_ranked(self.status)

    @property
    def needs_reverification(self) -> bool:
        return bool(self.stale_reviews)


# What the results cache's index holds of every unit: a LazyUnitResult has these from the start.
EAGER_RESULT_FIELDS = ("unit", "rank", "status", "total", "level", "stale_reviews")


class LazyUnitResult(UnitResult):
    """A UnitResult from the results cache whose other fields are read the first time one is asked for.

    A rebuild of the site after one change needs the ranks, levels and totals of 12,000
    units but every field of only the few whose pages change; reading the rest of each
    unit's record up front took a third of a second. Equal to the UnitResult of the same
    values; pickles as one."""

    __slots__ = ("_load",)

    def __new__(cls, load: Callable[[], dict[str, Any]] | None = None, /, **fields: Any) -> UnitResult:
        if load is None:  # dataclasses.replace() passes every field: a plain UnitResult of them
            return UnitResult(**fields)
        return super().__new__(cls)

    def __init__(self, load: Callable[[], dict[str, Any]], /, **eager: Any) -> None:
        """`eager`: EAGER_RESULT_FIELDS; `load()`: every field, read when another is asked for."""
        object.__setattr__(self, "_load", load)
        for name in EAGER_RESULT_FIELDS:
            object.__setattr__(self, name, eager[name])

    @classmethod
    def of(cls, load: Callable[[], dict[str, Any]], unit: Unit, rank: int | None, status: str, total: Decimal,
           level: int | None, stale_reviews: tuple[str, ...]) -> LazyUnitResult:
        """cls(load, unit=unit, ...) without its keyword dictionaries: a rebuild makes 12,000."""
        self = object.__new__(cls)
        set_load, set_unit, set_rank, set_status, set_total, set_level, set_stale = _LAZY_SLOTS
        set_load(self, load)
        set_unit(self, unit)
        set_rank(self, rank)
        set_status(self, status)
        set_total(self, total)
        set_level(self, level)
        set_stale(self, stale_reviews)
        return self

    def __getattr__(self, name: str) -> Any:
        # Reached only when a field's slot is still empty (or for a name that is no field).
        if name not in UnitResult.__dataclass_fields__:
            raise AttributeError(name)
        for field_name, value in object.__getattribute__(self, "_load")().items():
            if field_name not in EAGER_RESULT_FIELDS:
                object.__setattr__(self, field_name, value)
        return object.__getattribute__(self, name)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, UnitResult):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in UnitResult.__dataclass_fields__)

    __hash__ = None  # type: ignore[assignment]  # like UnitResult, whose dicts do not hash


# The slots LazyUnitResult.of fills, set through their descriptors (frozen dataclass: no setattr).
_LAZY_SLOTS = tuple(getattr(LazyUnitResult if name == "_load" else UnitResult, name).__set__
                    for name in ("_load", *EAGER_RESULT_FIELDS))


class Spread(NamedTuple):
    """The middle and the robust spread of a tier's self-assessed quantities of one criterion
    (see core.spread)."""

    median: Decimal
    mad: Decimal  # median absolute deviation from the median
    count: int


class TierBests(NamedTuple):
    """What a tier's relative criteria are measured against, by criterion id.

    `answered_self`: the highest self-assessed quantity some unit answered (self points);
    `answered_counted`: the best counted points are measured against (from verified answers
    under the "verified" rule); `provisional`: criteria whose counted best is still a
    self-assessment; `spreads`: the distribution of self-assessed quantities."""

    answered_self: dict[str, Decimal]
    answered_counted: dict[str, Decimal]
    provisional: tuple[str, ...] = ()
    spreads: dict[str, Spread] = {}  # noqa: RUF012  # never mutated; NamedTuple defaults are shared


@dataclass(frozen=True, slots=True)
class Results:
    """A year's results: one immutable model every output reads."""

    year: int
    cycle: Cycle
    criteria_set: CriteriaSet
    units: tuple[UnitResult, ...]
    # Tier → what its relative criteria are measured against (evaluate.tier_bests).
    bests: dict[str, TierBests] = field(default_factory=dict)
    # Unit id → digest of everything its result depends on but its rank (from the results
    # cache): equal fingerprints and ranks mean equal results, without walking them.
    fingerprints: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    # Unit id → the unit's entry of the results document as one compact JSON line with
    # "rank":null (export.unit_line), when the results cache holds it.
    lines: Mapping[str, bytes] = field(default_factory=dict, compare=False, repr=False)
    _tiers: dict[str, tuple[UnitResult, ...]] = field(default_factory=dict, compare=False, repr=False, init=False)

    def tier(self, tier: str) -> tuple[UnitResult, ...]:
        found = self._tiers.get(tier)
        if found is None:  # asked for again and again by the pages of a year
            found = self._tiers[tier] = tuple(r for r in self.units if r.unit.tier == tier)
        return found

    def unit(self, unit_id: str) -> UnitResult | None:
        return next((r for r in self.units if r.unit.id == unit_id), None)


STATUSES = ("not_submitted", "submitted", "partly_verified", "needs_reverification", "verified", "excluded",
            "published")


def is_ranked(status: str) -> bool:
    """Whether a unit of this status takes part in its tier's ranking."""
    return status not in ("not_submitted", "excluded")
