"""A year's inputs → Results: answers → points → groups → level → rank.

Nothing downstream recomputes a score; every output reads these Results.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .levels import competition_ranks, gap_to_next, level_of, rank_key
from .model import (
    CriteriaSet,
    CriterionResult,
    Results,
    Review,
    ReviewRecord,
    Submission,
    TierCriteria,
    Unit,
    UnitResult,
)
from .rules import points, relative_quantity

if TYPE_CHECKING:
    from ..shell.year import YearInputs

ZERO = Decimal(0)



def current_reviews(submission: Submission, record: ReviewRecord | None) -> tuple[list[Review], list[Review]]:
    """Reviews of this version of the submission, and stale ones, in the record's order.

    Records are append-only and validated in stage order (an entry of a stage follows the
    entries of the earlier stages for the same version), so the record's order is the order
    of verification: a later entry's adjustments win."""
    if record is None:
        return [], []
    current = [r for r in record.reviews if r.submission_sha256 == submission.sha256]
    stale = [r for r in record.reviews if r.submission_sha256 != submission.sha256]
    return current, stale


def verified_answers(submission: Submission, reviews: list[Review]) -> dict[str, tuple[Any, Review]]:
    """The latest applicable verification of each criterion a review changed."""
    verified: dict[str, tuple[Any, Review]] = {}
    for review in reviews:
        for cid, answer in review.answers.items():
            verified[cid] = (answer.value, review)
    return verified


def relative_values(tier: TierCriteria, values: dict[str, Any]) -> dict[str, Decimal | None]:
    """A unit's quantity for each relative criterion of its tier (None: not answered)."""
    return {c.id: relative_quantity(c, values.get(c.id)) for c in tier.criteria if c.kind == "relative"}


def answered_bests(tier: TierCriteria, quantities: list[dict[str, Decimal | None]]) -> dict[str, Decimal]:
    """Highest quantity of each relative criterion that some unit of the tier answered."""
    best = {}
    for criterion in tier.criteria:
        if criterion.kind == "relative":
            found = [q for v in quantities if (q := v.get(criterion.id)) is not None]
            if found:
                best[criterion.id] = max(found)
    return best


def best_values(answered: dict[str, Decimal], tier: TierCriteria) -> dict[str, Decimal]:
    """The best quantity each relative criterion is measured against (0 when nobody answered it)."""
    return {c.id: answered.get(c.id, ZERO) for c in tier.criteria if c.kind == "relative"}


def self_values(submission: Submission) -> dict[str, Any]:
    return {cid: a.value for cid, a in submission.answers.items()}


def _group_sums(tier: TierCriteria, per_criterion: dict[str, Decimal]) -> dict[int, Decimal]:
    return {g.id: sum((per_criterion[c.id] for c in g.criteria), ZERO) for g in tier.groups}


def unit_result(
    unit: Unit,
    tier: TierCriteria,
    criteria_set: CriteriaSet,
    submission: Submission | None,
    record: ReviewRecord | None,
    best_self: dict[str, Decimal],
    best_counted: dict[str, Decimal],
    published: bool,
) -> UnitResult:
    zero_groups = {g.id: ZERO for g in tier.groups}
    if submission is None:
        return UnitResult(unit, "not_submitted", None, None, zero_groups, ZERO, zero_groups, ZERO,
                          None, None, None, (), (), ())
    current, stale = current_reviews(submission, record)
    verified = verified_answers(submission, current)
    decimals = criteria_set.decimals
    rows = []
    for criterion in tier.criteria:
        answer = submission.answers[criterion.id]
        self_points = points(criterion, answer.value, decimals, best_self.get(criterion.id))
        reason = reviewer = stage = None
        verified_value: Any = None
        verified_points = None
        if current:
            verified_value, review = verified.get(criterion.id, (answer.value, current[-1]))
            verified_points = points(criterion, verified_value, decimals, best_counted.get(criterion.id))
            stage, reviewer = review.stage, review.reviewer
            if criterion.id in verified:
                reason = review.answers[criterion.id].reason
        counted = verified_points if verified_points is not None else points(
            criterion, answer.value, decimals, best_counted.get(criterion.id))
        rows.append(CriterionResult(
            criterion_id=criterion.id, group_id=criterion.group_id,
            self_value=answer.value, self_points=self_points,
            verified_value=verified_value, verified_points=verified_points,
            counted_points=counted, reason=reason, reviewer=reviewer, stage=stage,
            evidence=answer.evidence, note=answer.note,
        ))
    groups = _group_sums(tier, {r.criterion_id: r.counted_points for r in rows})
    self_groups = _group_sums(tier, {r.criterion_id: r.self_points for r in rows})
    level = level_of(groups, tier, criteria_set.levels)
    status = "published" if published else ("verified" if current else "submitted")
    return UnitResult(
        unit=unit, status=status,
        submission_path=submission.path, submission_sha256=submission.sha256,
        group_scores=groups, total=sum(groups.values(), ZERO),
        self_group_scores=self_groups, self_total=sum(self_groups.values(), ZERO),
        level=level, rank=None,
        gap=gap_to_next(groups, tier, criteria_set.levels, level),
        criteria=tuple(rows),
        review_stages=tuple(dict.fromkeys(r.stage for r in current)),
        stale_reviews=tuple(sorted({r.stage for r in stale})),
    )


def counted_values(submission: Submission, record: ReviewRecord | None) -> dict[str, Any]:
    current, _ = current_reviews(submission, record)
    values = {cid: a.value for cid, a in submission.answers.items()}
    values.update({cid: v for cid, (v, _) in verified_answers(submission, current).items()})
    return values


def score(inputs: YearInputs) -> Results:
    """Score valid inputs (see require_valid) into Results."""
    registry, cycle, criteria_set = inputs.registry, inputs.cycle, inputs.criteria_set
    assert registry is not None and cycle is not None and criteria_set is not None
    published = cycle.state == "published"
    results: list[UnitResult] = []
    bests = {}
    for tier_id, tier in criteria_set.tiers.items():
        units = registry.in_tier(tier_id)
        submitted = [inputs.submissions[u.id] for u in units if u.id in inputs.submissions]
        bests[tier_id] = (
            answered_bests(tier, [relative_values(tier, self_values(s)) for s in submitted]),
            answered_bests(tier, [relative_values(tier, counted_values(s, inputs.reviews.get(s.unit_id)))
                                  for s in submitted]))
        best_self, best_counted = (best_values(answered, tier) for answered in bests[tier_id])
        tier_results = [
            unit_result(u, tier, criteria_set, inputs.submissions.get(u.id), inputs.reviews.get(u.id),
                         best_self, best_counted, published)
            for u in units
        ]
        results.extend(with_ranks(tier_results, criteria_set))
    return Results(inputs.year, cycle, criteria_set, tuple(results), bests=bests)


def with_ranks(tier_results: list[UnitResult], criteria_set: CriteriaSet) -> list[UnitResult]:
    """Ranks for submitted units; the registry order is kept."""
    rank_of = ranks([(r.unit.id, r.level, r.total) for r in tier_results if r.submitted], criteria_set)
    return [_with_rank(r, rank_of.get(r.unit.id)) for r in tier_results]


def ranks(submitted: list[tuple[str, int | None, Decimal]], criteria_set: CriteriaSet) -> dict[str, int]:
    """Competition ranks (1-2-2-4) of (unit id, level, total) within one tier."""
    # Each key made once, flat (level, -total, id): a nationwide tier sorts 11,000 of them.
    levels = criteria_set.levels
    ranked = sorted([(*rank_key(level, total, levels), unit_id) for unit_id, level, total in submitted])
    positions = competition_ranks([key[:2] for key in ranked])
    return {key[2]: rank for key, rank in zip(ranked, positions, strict=True)}


def _with_rank(result: UnitResult, rank: int | None) -> UnitResult:
    from dataclasses import replace

    return replace(result, rank=rank)

