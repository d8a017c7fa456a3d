"""Điều 7: the level a unit reaches, what holds it back, and ranking within a tier."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from .model import Gap, Level, Shortfall, TierCriteria


def reaches(group_scores: dict[int, Decimal], tier: TierCriteria, level_id: int) -> bool:
    """A level is reached when every group is at or above its minimum (Điều 7.2)."""
    return all(group_scores[g.id] >= g.minimums[level_id] for g in tier.groups)


def level_of(group_scores: dict[int, Decimal], tier: TierCriteria, levels: Sequence[Level]) -> int | None:
    """The best level reached, or None (không xếp hạng)."""
    return next((lv.id for lv in levels if reaches(group_scores, tier, lv.id)), None)


def next_level(level_id: int | None, levels: Sequence[Level]) -> int | None:
    """The level just above; None when already at the best one."""
    ids = [lv.id for lv in levels]
    if level_id is None:
        return ids[-1]
    position = ids.index(level_id)
    return ids[position - 1] if position > 0 else None


def gap_to_next(
    group_scores: dict[int, Decimal], tier: TierCriteria, levels: Sequence[Level], level_id: int | None
) -> Gap | None:
    """Which groups are below the next level's minimum, and by how much."""
    target = next_level(level_id, levels)
    if target is None:
        return None
    shortfalls = tuple(
        Shortfall(g.id, group_scores[g.id], g.minimums[target])
        for g in tier.groups
        if group_scores[g.id] < g.minimums[target]
    )
    return Gap(target, shortfalls)


def rank_key(level_id: int | None, total: Decimal, levels: Sequence[Level]) -> tuple[int, Decimal]:
    """Sort key: level first (Mức I best, unranked last), then total, higher first."""
    return (level_id if level_id is not None else len(levels) + 1, -total)


def competition_ranks(keys: Sequence[tuple]) -> list[int]:
    """Standard competition ranking (1-2-2-4) of keys already in sorted order."""
    ranks: list[int] = []
    for position, key in enumerate(keys):
        if position and key == keys[position - 1]:
            ranks.append(ranks[-1])
        else:
            ranks.append(position + 1)
    return ranks
