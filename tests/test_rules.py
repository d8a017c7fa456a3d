"""Points per criterion kind: exact, rounded once, half up."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from scorer.core.model import Criterion, Option
from scorer.core.rules import is_nonzero, points, round_points


def crit(kind: str, maximum: str = "4", **extra) -> Criterion:
    return Criterion(id="x1", group_id=1, title="t", kind=kind, max=Decimal(maximum), how="h", **extra)


def test_ratio_is_share_of_max_rounded_half_up():
    c = crit("ratio", "3")
    assert points(c, {"numerator": 1, "denominator": 3}, 2) == Decimal("1.00")
    assert points(c, {"numerator": 2, "denominator": 3}, 2) == Decimal("2.00")
    # 5 × 1/8 = 0,625 → 0,63 (half up, not banker's rounding)
    assert points(crit("ratio", "5"), {"numerator": 1, "denominator": 8}, 2) == Decimal("0.63")


def test_ratio_full_at_reaches_max_early_and_caps():
    c = crit("ratio", "6", full_at=Decimal("0.3"))
    assert points(c, {"numerator": 30, "denominator": 100}, 2) == Decimal("6.00")
    assert points(c, {"numerator": 90, "denominator": 100}, 2) == Decimal("6.00")
    assert points(c, {"numerator": 15, "denominator": 100}, 2) == Decimal("3.00")


def test_ratio_with_zero_denominator_scores_zero():
    assert points(crit("ratio"), {"numerator": 0, "denominator": 0}, 2) == Decimal("0.00")


def test_count_is_capped():
    c = crit("count", "5", per_item=Decimal(1))
    assert points(c, 3, 2) == Decimal("3.00")
    assert points(c, 12, 2) == Decimal("5.00")


def test_choice_yes_no_and_unanswered():
    c = crit("choice", "3", options=(Option("a", "tốt", Decimal(3)), Option("b", "vừa", Decimal("1.5")), Option("c", "không", Decimal(0))))
    assert points(c, "b", 2) == Decimal("1.50")
    assert points(crit("yes_no", "2"), True, 2) == Decimal("2.00")
    assert points(crit("yes_no", "2"), False, 2) == Decimal("0.00")
    assert points(crit("yes_no", "2"), None, 2) == Decimal("0.00")


def test_relative_compares_with_the_best_of_the_tier():
    c = crit("relative", "2")
    assert points(c, Decimal("50"), 2, best=Decimal("80")) == Decimal("1.25")
    assert points(c, Decimal("50"), 2, best=Decimal("0")) == Decimal("0.00")


def test_nonzero_answers_need_evidence():
    assert is_nonzero(crit("ratio"), {"numerator": 1, "denominator": 2})
    assert not is_nonzero(crit("ratio"), {"numerator": 0, "denominator": 2})
    assert not is_nonzero(crit("count", per_item=Decimal(1)), 0)
    assert not is_nonzero(crit("yes_no"), False)


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=10**6))
def test_rounding_matches_exact_half_up(numerator, denominator):
    value = Fraction(numerator, denominator)
    got = round_points(value, 2)
    # Independent check: the result is within half a cent, and ties go up.
    assert abs(Fraction(got) - value) <= Fraction(1, 200)
    if abs(Fraction(got) - value) == Fraction(1, 200):
        assert Fraction(got) > value
    assert got.as_tuple().exponent == -2


@given(
    st.integers(min_value=0, max_value=5000),
    st.integers(min_value=1, max_value=5000),
    st.sampled_from(["1", "0.3", "0.5", "0.8"]),
    st.sampled_from(["1", "1.5", "2.25", "4", "8"]),
)
def test_ratio_points_equal_the_exact_formula(numerator, extra, full_at, maximum):
    denominator = numerator + extra - 1 if numerator else extra
    c = crit("ratio", maximum, full_at=Decimal(full_at))
    exact = min(Fraction(maximum), Fraction(maximum) * numerator / (denominator * Fraction(full_at)))
    assert points(c, {"numerator": numerator, "denominator": denominator}, 2) == round_points(exact, 2)


@given(st.decimals(min_value=0, max_value=1000, places=2), st.decimals(min_value="0.01", max_value=1000, places=2))
def test_relative_points_equal_the_exact_formula(value, best):
    c = crit("relative", "2")
    exact = min(Fraction(2), Fraction(2) * Fraction(value) / Fraction(best))
    assert points(c, value, 2, best=best) == round_points(exact, 2)
