"""A year's inputs → Results: answers → points → groups → level → rank.

Nothing downstream recomputes a score; every output reads these Results.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Protocol

from .levels import competition_ranks, gap_to_next, level_of, rank_key
from .model import (
    CriteriaSet,
    CriterionResult,
    Cycle,
    Registry,
    Results,
    Review,
    ReviewRecord,
    Spread,
    Submission,
    TierBests,
    TierCriteria,
    Unit,
    UnitDecision,
    UnitResult,
    is_ranked,
)
from .plausible import out_of_range
from .rules import points, relative_quantity
from .spread import outlier, spread_of
from .stages import required_stages, verification_state


class YearInputs(Protocol):
    """What scoring a year needs (the shell's reading of a year gives it, see shell.year)."""

    year: int
    registry: Registry | None
    cycle: Cycle | None
    criteria_set: CriteriaSet | None
    submissions: Mapping[str, Submission]
    reviews: Mapping[str, ReviewRecord]

ZERO = Decimal(0)
# Bumped when a change to how answers become results would change any result; a published
# year's record keeps the version it was scored with (flow.record). 2: statuses of verification,
# bests from verified answers, unit decisions, flags.
RULES_VERSION = 2


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


def unit_verification(criteria_set: CriteriaSet, tier_id: str, current: list[Review], stale: list[Review]) -> str:
    """Where a submission stands in verification (stages.verification_state) given its reviews."""
    return verification_state(required_stages(criteria_set, tier_id), {r.stage for r in current},
                              {r.stage for r in stale})


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


RelativeInputs = tuple[dict[str, Decimal | None], dict[str, Decimal | None]]


def relative_inputs(tier: TierCriteria, criteria_set: CriteriaSet, cycle: Cycle, submission: Submission,
                    record: ReviewRecord | None) -> RelativeInputs:
    """A unit's part in its tier's bests: its self-assessed quantities, and the quantities its
    counted answers add to the counted best. Under the "verified" rule only a unit verified on
    its current version by every required stage adds any: an unverified value, however absurd,
    never moves what other units are measured against. An excluded unit takes no part."""
    decision = cycle.decision_for(submission.unit_id)
    if decision is not None and decision.action == "exclude":
        return {}, {}
    own = relative_values(tier, self_values(submission))
    current, stale = current_reviews(submission, record)
    if cycle.relative_best == "verified" and unit_verification(criteria_set, tier.tier, current, stale) != "verified":
        return own, {}
    counted = self_values(submission)
    counted.update({cid: v for cid, (v, _) in verified_answers(submission, current).items()})
    return own, relative_values(tier, counted)


def tier_bests(tier: TierCriteria, units: list[RelativeInputs], rule: str) -> TierBests:
    """What the tier's relative criteria are measured against, from every submitted unit's
    relative_inputs. Under the "verified" rule a criterion no verified unit answered yet is
    measured against the highest self-assessment, labelled provisional."""
    answered_self = answered_bests(tier, [own for own, _ in units])
    counted = answered_bests(tier, [adds for _, adds in units])
    provisional: tuple[str, ...] = ()
    if rule == "verified":
        provisional = tuple(cid for cid in answered_self if cid not in counted)
        counted = {c.id: counted.get(c.id, answered_self.get(c.id)) for c in tier.criteria
                   if c.id in counted or c.id in answered_self}
    spreads = {}
    for criterion in tier.criteria:
        if criterion.kind == "relative":
            found = spread_of([q for own, _ in units if (q := own.get(criterion.id)) is not None])
            if found is not None:
                spreads[criterion.id] = found
    return TierBests(answered_self, counted, provisional, spreads)


def best_values(answered: dict[str, Decimal], tier: TierCriteria) -> dict[str, Decimal]:
    """The best quantity each relative criterion is measured against (0 when nobody answered it)."""
    return {c.id: answered.get(c.id, ZERO) for c in tier.criteria if c.kind == "relative"}


def self_values(submission: Submission) -> dict[str, Any]:
    return {cid: a.value for cid, a in submission.answers.items()}


def _group_sums(tier: TierCriteria, per_criterion: dict[str, Decimal]) -> dict[int, Decimal]:
    return {g.id: sum((per_criterion[c.id] for c in g.criteria), ZERO) for g in tier.groups}


def unit_status(verification: str, decision: UnitDecision | None, published: bool) -> str:
    """A submitted unit's status: its place in verification; "excluded" by the province's
    decision; "published" in a published year when verified, or counted unverified by decision.
    A submission that changed after verification is never "verified" nor "published"."""
    if decision is not None and decision.action == "exclude":
        return "excluded"
    if published and (verification == "verified" or decision is not None):
        return "published"
    return verification


def answer_flags(tier: TierCriteria, submission: Submission, spreads: dict[str, Spread]) -> tuple[tuple[str, str], ...]:
    """(criterion id, flag) of self-assessed values outside a plausible range or far outside the tier's distribution."""
    flags = []
    for criterion in tier.criteria:
        value = submission.answers[criterion.id].value
        flags.extend((criterion.id, found.flag) for found in out_of_range(criterion, value))
        if criterion.kind == "relative":
            far = outlier(relative_quantity(criterion, value), spreads.get(criterion.id))
            if far is not None:
                flags.append((criterion.id, far))
    return tuple(dict.fromkeys(flags))


def changed_since(tier: TierCriteria, submission: Submission, current: list[Review], stale: list[Review]) -> tuple[str, ...]:
    """Criteria whose answer differs from the value a stale review (of a stage that has not
    verified this version) set: what the review record can tell of what changed."""
    verified_now = {r.stage for r in current}
    set_by_stale = {cid: answer.value for r in stale if r.stage not in verified_now for cid, answer in r.answers.items()}
    return tuple(c.id for c in tier.criteria
                 if c.id in set_by_stale and set_by_stale[c.id] != submission.answers[c.id].value)


def unit_result(
    unit: Unit,
    tier: TierCriteria,
    criteria_set: CriteriaSet,
    submission: Submission | None,
    record: ReviewRecord | None,
    bests: TierBests,
    cycle: Cycle,
) -> UnitResult:
    zero_groups = {g.id: ZERO for g in tier.groups}
    if submission is None:
        return UnitResult(unit, "not_submitted", None, None, zero_groups, ZERO, zero_groups, ZERO,
                          None, None, None, (), (), ())
    best_self, best_counted = best_values(bests.answered_self, tier), best_values(bests.answered_counted, tier)
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
    state = unit_verification(criteria_set, tier.tier, current, stale)
    status = unit_status(state, cycle.decision_for(unit.id), cycle.state == "published")
    level = level_of(groups, tier, criteria_set.levels) if is_ranked(status) else None
    current_stages = {r.stage for r in current}
    return UnitResult(
        unit=unit, status=status,
        submission_path=submission.path, submission_sha256=submission.sha256,
        group_scores=groups, total=sum(groups.values(), ZERO),
        self_group_scores=self_groups, self_total=sum(self_groups.values(), ZERO),
        level=level, rank=None,
        gap=gap_to_next(groups, tier, criteria_set.levels, level) if is_ranked(status) else None,
        criteria=tuple(rows),
        review_stages=tuple(dict.fromkeys(r.stage for r in current)),
        stale_reviews=tuple(sorted({r.stage for r in stale} - current_stages)),
        changed_since_review=changed_since(tier, submission, current, stale),
        flags=answer_flags(tier, submission, bests.spreads),
    )


def score(inputs: YearInputs) -> Results:
    """Score valid inputs (see require_valid) into Results."""
    registry, cycle, criteria_set = inputs.registry, inputs.cycle, inputs.criteria_set
    assert registry is not None and cycle is not None and criteria_set is not None
    results: list[UnitResult] = []
    bests = {}
    for tier_id, tier in criteria_set.tiers.items():
        units = registry.in_tier(tier_id)
        submitted = [inputs.submissions[u.id] for u in units if u.id in inputs.submissions]
        bests[tier_id] = tier_bests(tier, [relative_inputs(tier, criteria_set, cycle, s, inputs.reviews.get(s.unit_id))
                                           for s in submitted], cycle.relative_best)
        tier_results = [
            unit_result(u, tier, criteria_set, inputs.submissions.get(u.id), inputs.reviews.get(u.id),
                        bests[tier_id], cycle)
            for u in units
        ]
        results.extend(with_ranks(tier_results, criteria_set))
    return Results(inputs.year, cycle, criteria_set, tuple(results), bests=bests)


def with_ranks(tier_results: list[UnitResult], criteria_set: CriteriaSet) -> list[UnitResult]:
    """Ranks for submitted units; the registry order is kept."""
    rank_of = ranks([(r.unit.id, r.level, r.total) for r in tier_results if r.ranked], criteria_set)
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

