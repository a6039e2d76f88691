"""Calendar months and billing periods (monthly, quarterly, annually)."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> "Month":
        match = re.fullmatch(r"([0-9]{4})-([0-9]{2})", text.strip())
        if not match or not 1 <= int(match.group(2)) <= 12 or not 1900 <= int(match.group(1)) <= 2999:
            raise ValueError(f"{text!r} is not a month; write YYYY-MM, e.g. 2026-10")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> "Month":
        return cls(day.year, day.month)

    @cached_property
    def start(self) -> date:
        return date(self.year, self.month, 1)

    @cached_property
    def end(self) -> date:
        # cached: the engine asks for it once per activity row
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]

    def next(self) -> "Month":
        return Month(self.year + (self.month == 12), 1 if self.month == 12 else self.month + 1)

    def contains(self, day: date) -> bool:
        return day.month == self.month and day.year == self.year

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def months_between(first: Month, last: Month) -> list[Month]:
    out = []
    m = first
    while m <= last:
        out.append(m)
        m = m.next()
    return out


def billing_period(day: date, frequency: str) -> tuple[date, date]:
    """The calendar-aligned billing period (first day, last day) containing ``day``."""
    if frequency == "quarterly":
        first_month = 3 * ((day.month - 1) // 3) + 1
        start = date(day.year, first_month, 1)
        last = Month(day.year, first_month + 2).end
        return start, last
    if frequency == "annually":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    m = Month.of(day)
    return m.start, m.end


def whole_months(since: date, until: date) -> int:
    """Whole calendar months from ``since`` to ``until`` (0 if until < since)."""
    if until < since:
        return 0
    months = (until.year - since.year) * 12 + (until.month - since.month)
    # a month is whole once the same day-of-month is reached (clamped to month end)
    anchor_day = min(since.day, calendar.monthrange(until.year, until.month)[1])
    if until.day < anchor_day:
        months -= 1
    return max(months, 0)


def overlap_days(a_start: date, a_end: date, b_start: date, b_end: date) -> int:
    start = max(a_start, b_start)
    end = min(a_end, b_end)
    return (end - start).days + 1 if end >= start else 0


ONE_DAY = timedelta(days=1)
