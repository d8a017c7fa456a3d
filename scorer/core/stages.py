"""Verification stages (thẩm định, Điều 5): which stages verify a tier's submissions, in order.

Every rule about stages asks here: the scorer (which review counts), the checks of review
records, the pull-request check, status and publication.
"""

from __future__ import annotations

from .model import CriteriaSet

STAGES = ("district", "province")  # in the order they verify (UBND huyện, then Sở TT&TT)


def required_stages(criteria_set: CriteriaSet, tier: str) -> tuple[str, ...]:
    """The stages that must verify a current submission of this tier before it is published,
    in order: communes by their district, then Sở TT&TT; other tiers by Sở TT&TT."""
    return ("district", "province") if tier == "xa" else ("province",)


def stage_order(stage: str) -> int:
    """A stage's place in the order of verification (earlier stages first)."""
    return STAGES.index(stage)


def verification_state(required: tuple[str, ...], current: set[str], stale: set[str]) -> str:
    """Where a submission stands in verification: "verified" when every required stage verified
    its current version; "needs_reverification" when a stage verified an earlier version and has
    not verified this one (never counted as verified, never published); "partly_verified" when
    some required stages verified the current version; else "submitted"."""
    if set(required) <= current:
        return "verified"
    if stale - current:
        return "needs_reverification"
    return "partly_verified" if current else "submitted"
