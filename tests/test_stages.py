"""Verification stages: their order, and where a submission stands (core.stages)."""

from __future__ import annotations

import pytest

from scorer.core.stages import required_stages, stage_order, verification_state


def test_communes_are_verified_by_their_district_then_the_province(data_root):
    from scorer.reading.catalogue import load_criteria_set

    criteria_set = load_criteria_set(data_root, "qd-1609-2018")
    assert required_stages(criteria_set, "xa") == ("district", "province")
    assert required_stages(criteria_set, "huyen") == ("province",)
    assert stage_order("district") < stage_order("province")


@pytest.mark.parametrize(("current", "stale", "state"), [
    ({"district", "province"}, set(), "verified"),
    ({"district", "province"}, {"district"}, "verified"),  # re-verified since: the old entry is history
    ({"district"}, {"province"}, "needs_reverification"),
    ({"district"}, set(), "partly_verified"),
    (set(), {"district"}, "needs_reverification"),
    (set(), set(), "submitted"),
])
def test_a_commune_is_verified_only_when_every_stage_verified_its_current_version(current, stale, state):
    assert verification_state(("district", "province"), current, stale) == state
