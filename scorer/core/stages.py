"""Verification stages (thẩm định, Điều 5): which stages verify a tier's submissions, in order,
who holds each stage for a unit, and by when.

The stages are data (set.yaml of the criteria set: `stages`); every rule about stages asks
here: the scorer (which review counts), the checks of review records, the pull-request
check, status and publication.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from .model import CriteriaSet, Cycle, Registry, Stage, Unit
from .workdays import add_working_days


def required_stages(criteria_set: CriteriaSet, tier: str) -> tuple[str, ...]:
    """The stages that must verify a current submission of this tier before it is published,
    in the order they verify (e.g. communes by their district, then Sở TT&TT)."""
    return tuple(s.id for s in criteria_set.stages if tier in s.tiers)


def stage_order(stage: str, criteria_set: CriteriaSet) -> int:
    """A stage's place in the order of verification (earlier stages first)."""
    return next(index for index, s in enumerate(criteria_set.stages) if s.id == stage)


def stage_named(stages: Iterable[Stage], stage_id: str) -> Stage | None:
    """The stage with this id, or None."""
    return next((s for s in stages if s.id == stage_id), None)


def stage_name(stages: Iterable[Stage], stage_id: str) -> str:
    """The stage's name as the criteria set gives it ("UBND huyện"), else its id."""
    stage = stage_named(stages, stage_id)
    return stage.name if stage is not None else stage_id


def stage_holders(stage: Stage, unit: Unit, registry: Registry) -> tuple[str, ...]:
    """The GitHub logins that may verify this unit at this stage (as the registry lists them)."""
    if unit.tier not in stage.tiers:
        return ()
    if stage.reviewers == "district_reviewers":
        district = registry.by_id.get(unit.district or "")
        return district.reviewers if district is not None else ()
    return registry.province_reviewers


def holds(stage: Stage, unit: Unit, registry: Registry, login: str) -> bool:
    """True when login may verify this unit at this stage (GitHub logins ignore case)."""
    return login.casefold() in {h.casefold() for h in stage_holders(stage, unit, registry)}


def held_stages(stages: Iterable[Stage], unit: Unit, registry: Registry, login: str) -> tuple[str, ...]:
    """The stages at which login may verify this unit, in order."""
    return tuple(s.id for s in stages if holds(s, unit, registry, login))


def holders_text(stage: Stage, unit: Unit, registry: Registry) -> str:
    """Where the holders of a stage for this unit are listed, for a message."""
    if stage.reviewers == "district_reviewers":
        district = registry.by_id.get(unit.district or "")
        if district is None:
            return f"danh sách người thẩm định của huyện (đơn vị {unit.id} chưa ghi trường 'district')"
        return f"danh sách người thẩm định của {district.name} (units/{district.tier}.yaml)"
    return "tổ thẩm định của Sở TT&TT (units/roles.yaml)"


def verification_due(cycle: Cycle) -> date:
    """Sở TT&TT's deadline: the cycle's working days after the last submission deadline (Điều 5.2.d)."""
    return add_working_days(max(cycle.deadlines.values()), cycle.verification_working_days, cycle.holidays)


def stage_due(stage: Stage, cycle: Cycle) -> date:
    """The day by which a stage should have verified the submissions of a cycle."""
    if stage.due == "verification":
        return verification_due(cycle)
    return cycle.deadlines[stage.due]


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
