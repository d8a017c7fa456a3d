"""Điều 7 levels, checked against the decision's tables typed in independently here."""

from __future__ import annotations

from decimal import Decimal

import pytest

from scorer.core.levels import competition_ranks, gap_to_next, level_of
from scorer.reading.catalogue import load_criteria_set
from scorer.reading.paths import DataRoot

# Điều 7, QĐ 1609/QĐ-UBND, typed from the decision: tier -> group -> (Mức I, II, III, IV).
DIEU_7 = {
    "so": {1: ("25.2", "22.4", "21", "19.6"), 2: ("9.0", "8.0", "7.5", "7.0"), 3: ("10.8", "9.6", "9.0", "8.4"),
           4: ("16.2", "16.2", "15.3", "14.4"), 5: ("46.8", "44.2", "41.6", "36.4"), 6: ("18.0", "16.0", "15.0", "14.0"),
           7: ("9.0", "5.0", "0.0", "0.0")},
    "huyen": {1: ("27.0", "24.0", "22.5", "21.0"), 2: ("10.8", "9.6", "9.0", "8.4"), 3: ("7.2", "6.4", "6.0", "5.6"),
              4: ("36.0", "36.0", "34.0", "32.0"), 5: ("31.5", "29.75", "28.0", "24.5"),
              6: ("18.0", "16.0", "15.0", "14.0"), 7: ("4.5", "2.5", "0.0", "0.0")},
    "xa": {1: ("18.0", "16.0", "15.0", "14.0"), 2: ("4.5", "4.0", "3.75", "3.5"), 3: ("4.5", "4.0", "3.75", "3.5"),
           4: ("24.3", "24.3", "21.6", "18.9"), 5: ("16.2", "15.3", "14.4", "12.6"), 6: ("9.0", "8.0", "7.5", "7.0"),
           7: ("4.5", "2.5", "0.0", "0.0")},
}
CENT = Decimal("0.01")


def table(tier: str, level: int) -> dict[int, Decimal]:
    return {g: Decimal(row[level - 1]) for g, row in DIEU_7[tier].items()}


def expected_level(tier: str, scores: dict[int, Decimal]) -> int | None:
    """The decision's rule, written out plainly: the best level whose every minimum is met."""
    for level in (1, 2, 3, 4):
        minimums = table(tier, level)
        if all(scores[g] >= minimums[g] for g in minimums):
            return level
    return None


@pytest.fixture(scope="module")
def criteria_set(repo_root):
    return load_criteria_set(DataRoot(repo_root), "qd-1609-2018")


@pytest.mark.parametrize("tier", ["so", "huyen", "xa"])
def test_catalogue_minimums_are_the_decisions(criteria_set, tier):
    for level in (1, 2, 3, 4):
        got = {g.id: g.minimums[level] for g in criteria_set.tiers[tier].groups}
        assert got == table(tier, level)


def boundary_cases():
    for tier in DIEU_7:
        for level in (1, 2, 3, 4):
            yield tier, level, None, Decimal(0)
            for group in range(1, 8):
                if Decimal(DIEU_7[tier][group][level - 1]) > 0:  # a minimum of 0 cannot be undercut
                    yield tier, level, group, -CENT


@pytest.mark.parametrize(("tier", "level", "lowered", "delta"), list(boundary_cases()))
def test_levels_on_and_just_under_every_minimum(criteria_set, tier, level, lowered, delta):
    scores = table(tier, level)
    if lowered is not None:
        scores[lowered] += delta
    got = level_of(scores, criteria_set.tiers[tier], criteria_set.levels)
    assert got == expected_level(tier, scores)
    if lowered is None:
        assert got == level  # exactly on every minimum reaches that level
    else:
        assert got != level  # 0,01 under one minimum loses the level


def test_row_where_level_one_equals_level_two(criteria_set):
    # Group 4 of cấp sở has 16,2 for both Mức I and Mức II: 16,2 with every other group at
    # Mức I is Mức I, and 16,19 drops the unit to Mức III (Mức II needs 16,2 too).
    scores = table("so", 1)
    assert level_of(scores, criteria_set.tiers["so"], criteria_set.levels) == 1
    scores[4] = Decimal("16.19")
    assert level_of(scores, criteria_set.tiers["so"], criteria_set.levels) == 3


def test_huyen_interaction_threshold_29_75_is_exact(criteria_set):
    scores = table("huyen", 2)
    assert scores[5] == Decimal("29.75")
    assert level_of(scores, criteria_set.tiers["huyen"], criteria_set.levels) == 2
    scores[5] = Decimal("29.74")
    assert level_of(scores, criteria_set.tiers["huyen"], criteria_set.levels) == 3


def test_gap_names_the_groups_below_the_next_level(criteria_set):
    tier = criteria_set.tiers["so"]
    scores = table("so", 3)
    scores[1] = Decimal("22.0")  # Mức II needs 22,4 in group 1
    gap = gap_to_next(scores, tier, criteria_set.levels, 3)
    assert gap.level == 2
    missing = {s.group_id: s.missing for s in gap.shortfalls}
    assert missing[1] == Decimal("0.4")
    assert missing[5] == Decimal("44.2") - Decimal("41.6")
    assert gap_to_next(table("so", 1), tier, criteria_set.levels, 1) is None


def test_unranked_gap_points_to_level_four(criteria_set):
    tier = criteria_set.tiers["xa"]
    scores = table("xa", 4)
    scores[2] = Decimal("3.49")
    assert level_of(scores, tier, criteria_set.levels) is None
    gap = gap_to_next(scores, tier, criteria_set.levels, None)
    assert gap.level == 4
    assert [(s.group_id, s.missing) for s in gap.shortfalls] == [(2, CENT)]


def test_competition_ranking_shares_ranks_and_skips():
    # The 2020 column of Phú Thọ's published results: three units tie at 129,8.
    totals = [Decimal(t) for t in ("141.4", "136.1", "130.0", "129.8", "129.8", "129.8", "129.3")]
    keys = [(1, -t) for t in totals]
    assert competition_ranks(keys) == [1, 2, 3, 4, 4, 4, 7]
    assert competition_ranks([]) == []
