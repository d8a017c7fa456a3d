"""Random valid answers for the tests that compare a form's score with the scorer's."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from scorer.core.model import Criterion


def random_answer(rng, criterion: Criterion) -> Any:
    """A random valid answer, with enough variety to land on rounding boundaries."""
    if rng.random() < 0.1:
        return None
    if criterion.kind == "yes_no":
        return rng.random() < 0.6
    if criterion.kind == "ratio":
        denominator = rng.choice([0, 1, 3, 7, 8, 16, 40, 125, 200, 400, rng.randint(1, 400)])
        numerator = rng.randint(0, denominator)
        if rng.random() < 0.2 and denominator:
            return {"numerator": Decimal(numerator) / 2, "denominator": denominator}
        return {"numerator": numerator, "denominator": denominator}
    if criterion.kind == "count":
        return rng.randint(0, 40)
    if criterion.kind == "choice":
        return rng.choice(criterion.options).id
    return Decimal(rng.randint(0, 99999)) / rng.choice([1, 8, 100, 1000])
