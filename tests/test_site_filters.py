"""The Jinja filters: Vietnamese numbers, dates and answers in words."""

from __future__ import annotations

from decimal import Decimal

from scorer.core.model import Criterion, Option
from scorer.site.filters import answer_text, vn_date, vn_signed


def test_signed_changes_use_a_comma_and_a_real_minus():
    assert vn_signed(Decimal("3.50")) == "+3,5"
    assert vn_signed(Decimal("-1.25")) == "−1,25"
    assert vn_signed(Decimal(0)) == "0"
    assert vn_signed(None) == "–"


def test_dates_are_day_month_year():
    from datetime import date

    assert vn_date(date(2024, 10, 5)) == "05/10/2024"


def test_answers_in_words():
    ratio = Criterion("ht1", 1, "t", "ratio", Decimal(4), "h")
    choice = Criterion("ht7", 1, "t", "choice", Decimal(3), "h", options=(Option("b", "Có máy chủ", Decimal("1.5")),))
    relative = Criterion("ht3", 1, "t", "relative", Decimal(2), "h", quantity_unit="Mbps/người")
    yes_no = Criterion("ht4", 1, "t", "yes_no", Decimal(2), "h")
    assert answer_text({"numerator": 12, "denominator": Decimal("15.5")}, ratio) == "12 / 15,5"
    assert answer_text("b", choice) == "b. Có máy chủ"
    assert answer_text(Decimal("25.50"), relative) == "25,5 Mbps/người"
    assert answer_text(True, yes_no) == "Có"
    assert answer_text(None, yes_no) == "Chưa trả lời"
