"""Working days (Điều 5.2.d): weekends and the cycle's public holidays are not counted."""

from __future__ import annotations

from datetime import date

import pytest
from flowdata import HOLIDAYS_2024

from scorer.core.workdays import add_working_days, is_working_day, working_days_between

HOLIDAYS = [date.fromisoformat(d) for d in HOLIDAYS_2024]


def test_sixty_working_days_from_31_october_2024():
    """Nov 21 + Dec 22 working days = 43; 1/1/2025 is a holiday; the 60th is Friday 24/1/2025."""
    assert add_working_days(date(2024, 10, 31), 60, HOLIDAYS) == date(2025, 1, 24)
    assert add_working_days(date(2024, 10, 31), 60) == date(2025, 1, 23)


def test_start_day_is_not_counted():
    assert add_working_days(date(2024, 10, 31), 1) == date(2024, 11, 1)
    assert add_working_days(date(2024, 10, 31), 0) == date(2024, 10, 31)


def test_weekend_is_skipped():
    friday = date(2024, 11, 1)
    assert add_working_days(friday, 1) == date(2024, 11, 4)
    assert working_days_between(friday, date(2024, 11, 3)) == 0
    assert working_days_between(friday, date(2024, 11, 4)) == 1


def test_tet_holiday_week_is_skipped():
    """Tết Ất Tỵ 2025: Monday 27/1 to Friday 31/1 are off, so the day after Friday 24/1 is Monday 3/2."""
    assert add_working_days(date(2025, 1, 24), 1, HOLIDAYS) == date(2025, 2, 3)
    assert working_days_between(date(2025, 1, 24), date(2025, 2, 3), HOLIDAYS) == 1
    assert add_working_days(date(2025, 1, 24), 1) == date(2025, 1, 27)


def test_counting_back_matches_adding():
    for days in (1, 5, 23, 60, 61):
        end = add_working_days(date(2024, 10, 31), days, HOLIDAYS)
        assert working_days_between(date(2024, 10, 31), end, HOLIDAYS) == days


@pytest.mark.parametrize(("day", "working"), [
    (date(2024, 9, 2), False),   # Quốc khánh, a Monday
    (date(2024, 9, 3), False),   # the adjacent day off
    (date(2024, 9, 4), True),
    (date(2024, 9, 7), False),   # Saturday
    (date(2025, 1, 1), False),   # Tết Dương lịch
])
def test_is_working_day(day, working):
    assert is_working_day(day, HOLIDAYS) is working


def test_negative_days_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2024, 10, 31), -1)
