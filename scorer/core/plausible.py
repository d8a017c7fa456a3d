"""Plausible ranges that criteria declare for the quantities of an answer.

A criterion may declare, per quantity ("value" of a count or relative criterion, "numerator"
and "denominator" of a ratio), the lowest and highest plausible number, and what a value
outside needs (`outside`): "refuse" makes it an error; "justify" accepts it only with a
written explanation in the answer's note, and flags it to reviewers.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NamedTuple

from .model import Criterion, Range

QUANTITIES = {"count": ("value",), "relative": ("value",), "ratio": ("numerator", "denominator")}


# The parts of a ratio as messages name them.
QUANTITY_NAMES = {"numerator": "tử số", "denominator": "mẫu số"}


class OutOfRange(NamedTuple):
    """One quantity of an answer outside its plausible range."""

    quantity: str
    value: Decimal
    range: Range

    @property
    def flag(self) -> str:
        """"above_range" or "below_range"."""
        return "above_range" if self.range.high is not None and self.value > self.range.high else "below_range"


def quantity_of(value: Any, quantity: str) -> Decimal | None:
    """The number an answer gives for one of its quantities (None: not answered)."""
    if value is None:
        return None
    number = value.get(quantity) if isinstance(value, dict) else value if quantity == "value" else None
    if isinstance(number, bool) or not isinstance(number, int | Decimal | float):
        return None
    return Decimal(number)


def out_of_range(criterion: Criterion, value: Any) -> list[OutOfRange]:
    """The answer's quantities outside the criterion's plausible ranges."""
    found = []
    for bounds in criterion.plausible:
        number = quantity_of(value, bounds.quantity)
        if number is None:
            continue
        if (bounds.low is not None and number < bounds.low) or (bounds.high is not None and number > bounds.high):
            found.append(OutOfRange(bounds.quantity, number, bounds))
    return found
