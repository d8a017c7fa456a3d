"""Working days (ngày làm việc): Monday to Friday, less the public holidays a cycle lists.

Điều 5.2.d counts the verification period in working days "kể từ ngày nhận được"
(from the day the forms arrive): the day of arrival itself is not counted.
Holidays that fall on a weekend need no entry; a compensatory day off (nghỉ bù)
or a swapped day off is listed as the weekday it falls on.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)


def is_working_day(day: date, holidays: Iterable[date] = ()) -> bool:
    """True on Monday–Friday unless the day is a listed holiday."""
    return day.weekday() < 5 and day not in set(holidays)


def add_working_days(start: date, days: int, holidays: Iterable[date] = ()) -> date:
    """The day on which the `days`-th working day after `start` ends (start not counted)."""
    if days < 0:
        raise ValueError("days must not be negative")
    off = set(holidays)
    day, counted = start, 0
    while counted < days:
        day += ONE_DAY
        if day.weekday() < 5 and day not in off:
            counted += 1
    return day


def working_days_between(start: date, end: date, holidays: Iterable[date] = ()) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    off = set(holidays)
    count, day = 0, start
    while day < end:
        day += ONE_DAY
        if day.weekday() < 5 and day not in off:
            count += 1
    return count
