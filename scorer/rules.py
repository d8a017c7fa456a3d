"""Points of one answer to one criterion: one rule per criterion kind.

Arithmetic is exact (fractions); each criterion's points are rounded once,
half up, to the decimals the criteria set declares.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .model import Criterion

ZERO = Decimal(0)


def round_points(value: Fraction, decimals: int) -> Decimal:
    """Round a non-negative exact value half up to `decimals` places."""
    scaled = value * 10**decimals
    rounded = math.floor(scaled + Fraction(1, 2))
    return Decimal(rounded).scaleb(-decimals).quantize(Decimal(1).scaleb(-decimals))


def raw_points(criterion: Criterion, value: Any, best: Decimal | None = None) -> Fraction:
    """Exact, unrounded points of an answer (0 when unanswered)."""
    if value is None:
        return Fraction(0)
    maximum = Fraction(criterion.max)
    kind = criterion.kind
    if kind == "yes_no":
        return maximum if value is True else Fraction(0)
    if kind == "ratio":
        numerator, denominator = Fraction(value["numerator"]), Fraction(value["denominator"])
        if denominator == 0:
            return Fraction(0)
        return min(maximum, maximum * numerator / (denominator * Fraction(criterion.full_at)))
    if kind == "count":
        return min(maximum, Fraction(value) * Fraction(criterion.per_item))
    if kind == "choice":
        option = criterion.option(value)
        return Fraction(option.points) if option else Fraction(0)
    if kind == "relative":
        if not best:
            return Fraction(0)
        return min(maximum, maximum * Fraction(value) / Fraction(best))
    raise ValueError(f"unknown criterion kind {kind}")


def points(criterion: Criterion, value: Any, decimals: int, best: Decimal | None = None) -> Decimal:
    """Points of an answer, rounded once to the set's decimals."""
    return round_points(raw_points(criterion, value, best), decimals)


def is_nonzero(criterion: Criterion, value: Any) -> bool:
    """Whether an answer claims something (and so needs evidence)."""
    if value is None or value is False:
        return False
    if criterion.kind == "ratio":
        return bool(value["numerator"])
    if criterion.kind == "choice":
        option = criterion.option(value)
        return bool(option and option.points)
    return bool(value)


def relative_quantity(criterion: Criterion, value: Any) -> Decimal | None:
    """The value a `relative` criterion compares across the tier."""
    if criterion.kind != "relative" or value is None:
        return None
    return Decimal(value)
