"""Points of one answer to one criterion: one rule per criterion kind.

Arithmetic is exact: every number becomes an integer fraction (Decimal's
as_integer_ratio), and each criterion's points are rounded once, half up,
to the decimals the criteria set declares. Plain integers keep it fast.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from .model import Criterion

ZERO = Decimal(0)


def _ratio(value: Decimal | int) -> tuple[int, int]:
    return (value, 1) if isinstance(value, int) else value.as_integer_ratio()


def round_half_up(numerator: int, denominator: int, decimals: int) -> Decimal:
    """numerator/denominator (≥ 0) rounded half up to `decimals` places, exactly."""
    scale = 10**decimals
    rounded = (2 * numerator * scale + denominator) // (2 * denominator)
    return Decimal(rounded).scaleb(-decimals)


def round_points(value: Fraction, decimals: int) -> Decimal:
    """Round a non-negative exact value half up to `decimals` places."""
    return round_half_up(value.numerator, value.denominator, decimals)


def _capped(maximum: Decimal, numerator: int, denominator: int, decimals: int) -> Decimal:
    """min(maximum, numerator/denominator), rounded once."""
    max_n, max_d = _ratio(maximum)
    if denominator == 0:
        return round_half_up(0, 1, decimals)
    if numerator * max_d >= max_n * denominator:
        return round_half_up(max_n, max_d, decimals)
    return round_half_up(numerator, denominator, decimals)


def points(criterion: Criterion, value: Any, decimals: int, best: Decimal | None = None) -> Decimal:
    """Points of an answer (0 when unanswered), rounded once to the set's decimals."""
    kind = criterion.kind
    if value is None:
        return round_half_up(0, 1, decimals)
    max_n, max_d = _ratio(criterion.max)
    if kind == "yes_no":
        return round_half_up(max_n if value is True else 0, max_d, decimals)
    if kind == "ratio":
        # max × numerator / (denominator × full_at)
        num_n, num_d = _ratio(value["numerator"])
        den_n, den_d = _ratio(value["denominator"])
        full_n, full_d = _ratio(criterion.full_at)
        return _capped(criterion.max, max_n * num_n * den_d * full_d, max_d * num_d * den_n * full_n, decimals)
    if kind == "count":
        per_n, per_d = _ratio(criterion.per_item)
        val_n, val_d = _ratio(value)
        return _capped(criterion.max, val_n * per_n, val_d * per_d, decimals)
    if kind == "choice":
        option = criterion.option(value)
        return round_half_up(*_ratio(option.points), decimals) if option else round_half_up(0, 1, decimals)
    if kind == "relative":
        if not best:
            return round_half_up(0, 1, decimals)
        val_n, val_d = _ratio(value)
        best_n, best_d = _ratio(best)
        return _capped(criterion.max, max_n * val_n * best_d, max_d * val_d * best_n, decimals)
    raise ValueError(f"unknown criterion kind {kind}")


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
