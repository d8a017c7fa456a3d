"""Values far outside a tier's distribution, by a robust rule that one absurd value cannot bend.

The rule (Iglewicz and Hoaglin's modified z-score, with a floor): with m the median of the
tier's self-assessed quantities of a criterion and MAD the median of |x − m|, the spread is
s = max(1.4826 × MAD, |m| ÷ 10), and a value x is flagged when |x − m| > 3.5 × s. The median and
MAD ignore up to half the values, however extreme; 1.4826 × MAD estimates the standard deviation
of normal data; the floor keeps a tier where most units answer alike from flagging every small
difference. Fewer than MIN_COUNT answers are too few to judge: nothing is flagged.
"""

from __future__ import annotations

from decimal import Decimal

from .model import Spread

MIN_COUNT = 5
THRESHOLD = Decimal("3.5")
NORMAL_SCALE = Decimal("1.4826")
FLOOR_SHARE = Decimal("0.1")


def median(values: list[Decimal]) -> Decimal:
    """The median of a non-empty list (the mean of the middle two for an even count)."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def spread_of(values: list[Decimal]) -> Spread | None:
    """The median and MAD of the values, or None when there are too few to judge."""
    if len(values) < MIN_COUNT:
        return None
    middle = median(values)
    return Spread(middle, median([abs(v - middle) for v in values]), len(values))


def outlier(value: Decimal | None, spread: Spread | None) -> str | None:
    """"outlier_high" or "outlier_low" when the value is far from the tier's median, else None."""
    if value is None or spread is None:
        return None
    scale = max(NORMAL_SCALE * spread.mad, FLOOR_SHARE * abs(spread.median))
    distance = value - spread.median
    if abs(distance) <= THRESHOLD * scale:
        return None
    return "outlier_high" if distance > 0 else "outlier_low"
