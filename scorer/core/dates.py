"""Days as the province counts them: Vietnam's time, UTC+7 all year (no daylight saving).

A deadline is a day: anything received before midnight of that day in Vietnam is on time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

PROVINCE_TIME = timezone(timedelta(hours=7), "ICT")


def province_day(moment: datetime) -> date:
    """The day in Vietnam at a moment (an aware datetime, e.g. GitHub's UTC times)."""
    return moment.astimezone(PROVINCE_TIME).date()


def province_today() -> date:
    """Today in Vietnam by this machine's clock: the one place cqdt reads the wall clock, for
    checks made now (a pull request's lateness, a review dated in the future, overdue work)."""
    return province_day(datetime.now(UTC))
