"""The working-day clock: deadlines such as "respond within 5 working days".

A working day is a weekday that is not a bank holiday in the nation of the case's area.
England and Wales share one calendar; Scotland and Northern Ireland each have their own
(the ``holidays`` package's UK subdivisions "ENG", "WLS", "SCT" and "NIR"). Substitute
days ("Boxing Day (observed)") are bank holidays too, and the package includes them.
"""

from datetime import date, timedelta
from functools import lru_cache

import holidays

from roundtable.accounts.models import Area

SUBDIVISIONS = {
    Area.Nation.ENGLAND: "ENG",
    Area.Nation.WALES: "WLS",
    Area.Nation.SCOTLAND: "SCT",
    Area.Nation.NORTHERN_IRELAND: "NIR",
}
SATURDAY = 5


@lru_cache(maxsize=64)
def bank_holidays(nation: str, year: int) -> frozenset[date]:
    """The bank holidays of one nation in one year (cached: the calendar does not change while we run)."""
    try:
        subdivision = SUBDIVISIONS[Area.Nation(nation)]
    except ValueError:
        raise ValueError(
            f"{nation!r} is not a nation Roundtable knows: use one of {', '.join(Area.Nation.values)}"
        ) from None
    return frozenset(holidays.UK(subdiv=subdivision, years=year).keys())


def is_working_day(day: date, nation: str) -> bool:
    return day.weekday() < SATURDAY and day not in bank_holidays(nation, day.year)


def add_working_days(start: date, n: int, nation: str) -> date:
    """The date ``n`` working days after ``start``. ``n=0`` is ``start`` itself ("due today")."""
    if n < 0:
        raise ValueError("The number of working days cannot be negative")
    day = start
    while n > 0:
        day += timedelta(days=1)
        if is_working_day(day, nation):
            n -= 1
    return day


def working_days_between(start: date, end: date, nation: str) -> int:
    """Working days after ``start`` up to and including ``end``; negative when ``end`` is earlier.

    The inverse of ``add_working_days``: ``working_days_between(d, add_working_days(d, n), x) == n``."""
    if end < start:
        return -working_days_between(end, start, nation)
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day, nation):
            count += 1
    return count
