"""The data model: frozen dataclasses shared by every part of cqdt.

Everything here is plain data. Loading lives in `catalogue`, `registry` and
`submissions`; scoring lives in `rules`, `levels` and `evaluate`.
"""

from __future__ import annotations

import hashlib
import io
import pickle
from collections.abc import Sequence
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


@dataclass(frozen=True, slots=True)
class UnitDecision:
    """The province's decision about one unit of a year: leave it out of the evaluation
    ("exclude") or count its answers without complete verification ("count_unverified")."""

    unit_id: str
    action: str
    reason: str
    decision: str


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
    # How a tier's best value of a relative criterion is found: "verified" from verified answers
    # once a unit verified it, until then from self-assessments (provisional); "counted" from
    # every submitted unit's counted answer (cqdt before format 2).
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


@dataclass(frozen=True, slots=True)
class UnitResult:
    """A unit's scores, level, rank and status for a year.

    `criteria` is a tuple, or (from the memo, see shell.scoring) an equal sequence read each
    time it is walked. `digest` tells results apart by every field but the rank: equal digests,
    equal results. It is worked out from the fields when not given."""

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
    criteria: Sequence[CriterionResult]
    review_stages: tuple[str, ...]
    # Stages that verified an earlier version of the file and not this one.
    stale_reviews: tuple[str, ...]
    # Criteria whose answer now differs from the value a stale review set for it.
    changed_since_review: tuple[str, ...] = ()
    # (criterion id, flag) of self-assessed values reviewers should look at: "above_range" or
    # "below_range" (outside the criterion's plausible range, justified in the note),
    # "outlier_high" or "outlier_low" (far outside the tier's distribution, see core.spread).
    flags: tuple[tuple[str, str], ...] = ()
    digest: str = field(default="", compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.digest:
            object.__setattr__(self, "digest", result_digest(self))

    def __reduce__(self) -> tuple:
        return (UnitResult, (self.unit, self.status, self.submission_path, self.submission_sha256, self.group_scores,
                             self.total, self.self_group_scores, self.self_total, self.level, self.rank, self.gap,
                             tuple(self.criteria), self.review_stages, self.stale_reviews, self.changed_since_review,
                             self.flags, self.digest))

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


def result_digest(result: UnitResult) -> str:
    """A digest of every field of a result but its rank (see UnitResult)."""
    unit = result.unit
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True  # no memo: equal values give equal bytes however objects are shared
    pickler.dump((
        (unit.id, unit.name, unit.tier, unit.kind, unit.code, unit.short_name, unit.district, unit.owners,
         unit.reviewers),
        result.status, result.submission_path, result.submission_sha256, result.group_scores, result.total,
        result.self_group_scores, result.self_total, result.level,
        None if result.gap is None else (result.gap.level, [(s.group_id, s.score, s.minimum) for s in result.gap.shortfalls]),
        [(c[0], c[1], _canonical(c[2]), c[3], _canonical(c[4]), *c[5:]) for c in result.criteria],
        result.review_stages, result.stale_reviews, result.changed_since_review, result.flags))
    return hashlib.blake2b(buffer.getbuffer(), digest_size=16).hexdigest()


def _canonical(answer: Any) -> Any:
    # A ratio's two numbers may be listed in either order; equal answers, equal digests.
    return tuple(sorted(answer.items())) if type(answer) is dict else answer


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

    def tier(self, tier: str) -> tuple[UnitResult, ...]:
        return tuple(r for r in self.units if r.unit.tier == tier)

    def unit(self, unit_id: str) -> UnitResult | None:
        return next((r for r in self.units if r.unit.id == unit_id), None)


def is_ranked(status: str) -> bool:
    """Whether a unit of this status takes part in its tier's ranking."""
    return status not in ("not_submitted", "excluded")
