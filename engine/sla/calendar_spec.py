"""The SLA business calendar, parsed from an SLA document's ``calendar:`` mapping.

Why a separate parse step: the clock (``clock.py``) runs for every ticket of
every month, so all text parsing, day-name expansion and overlap checks are
done once here and the clock only sees integers (minutes after local midnight).

Decisions where SPEC 2.3 is silent (also in docs):
- Day keys are ``mon`` .. ``sun`` (lower case) or a range ``a-b``. A range may
  wrap round the week end (``fri-mon`` = fri, sat, sun, mon), because night
  and weekend support desks really are written that way. ``mon-mon`` is
  refused (write ``mon``). Days not named are closed.
- A day's value is ``"HH:MM-HH:MM"`` or a list of them (lunch gaps); an empty
  list means closed. ``24:00`` is allowed as an end only. A range must end
  after it starts: an overnight shift is written as two ranges on two days
  (``mon: "22:00-24:00"``, ``tue: "00:00-06:00"``).
- Ranges that merely touch (``08:00-12:00`` and ``12:00-18:00``) are fine;
  ranges that share any minute are an error.
- Holidays close a whole local day, also on a ``24x7`` calendar: a holiday
  listed on a 24x7 SLA is taken at its word.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAY_NAMES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
ALL_DAY: tuple[tuple[int, int], ...] = ((0, MINUTES_PER_DAY),)

_TIME_RE = re.compile(r"([0-9]{2}):([0-9]{2})\Z")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")

# A path into the calendar mapping, e.g. ("hours", "mon-fri", 1), so the caller
# can point its diagnostic at the exact YAML node.
Path = tuple[str | int, ...]


@dataclass(frozen=True)
class CalendarProblem:
    path: Path
    message: str


class CalendarError(ValueError):
    """Every problem found in one calendar (all of them, not only the first).

    ``str(err)`` joins the messages; ``err.problems`` keeps each with the path
    of the offending node so the caller can report ``file:line:col`` for it.
    """

    def __init__(self, message: str | Sequence[CalendarProblem], path: Path = ()) -> None:
        if isinstance(message, str):
            problems: tuple[CalendarProblem, ...] = (CalendarProblem(path, message),)
        else:
            problems = tuple(message)
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))

    @property
    def message(self) -> str:
        return str(self)


@dataclass(frozen=True)
class Calendar:
    """Open hours per weekday (Monday = 0) as (start, end) minutes after local
    midnight, sorted and non-overlapping; closed local dates; the zone."""

    timezone: str
    week: tuple[tuple[tuple[int, int], ...], ...]
    holidays: frozenset[dt.date] = frozenset()
    is_24x7: bool = False
    tz: ZoneInfo = field(default=None, compare=False, repr=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.tz is None:
            object.__setattr__(self, "tz", ZoneInfo(self.timezone))

    @classmethod
    def from_spec(cls, calendar: Mapping[str, Any]) -> "Calendar":
        """Build from the schema-validated ``calendar:`` mapping; raise
        ``CalendarError`` listing every problem found."""
        problems: list[CalendarProblem] = []
        if not isinstance(calendar, Mapping):
            raise CalendarError("the calendar must be a mapping with timezone, hours "
                                "and optional holidays")
        tz = _parse_timezone(calendar.get("timezone"), problems)
        hours = calendar.get("hours")
        is_24x7 = isinstance(hours, str) and hours.strip().lower() == "24x7"
        if is_24x7:
            week: tuple[tuple[tuple[int, int], ...], ...] = (ALL_DAY,) * 7
        else:
            week = _parse_hours(hours, problems)
        holidays = _parse_holidays(calendar.get("holidays"), problems)
        if problems:
            raise CalendarError(problems)
        assert tz is not None
        return cls(timezone=tz.key, week=week, holidays=holidays, is_24x7=is_24x7, tz=tz)

    @classmethod
    def always_open(cls, timezone: str = "UTC") -> "Calendar":
        """A 24x7 calendar without holidays: what a clock with no SLA calendar means."""
        return cls(timezone=timezone, week=(ALL_DAY,) * 7, is_24x7=True)

    def open_ranges(self, day: dt.date) -> tuple[tuple[int, int], ...]:
        """The local open ranges on one date (empty on a holiday)."""
        if day in self.holidays:
            return ()
        return self.week[day.weekday()]


def _parse_timezone(value: Any, problems: list[CalendarProblem]) -> ZoneInfo | None:
    if not isinstance(value, str) or not value.strip():
        problems.append(CalendarProblem(("timezone",),
                        "the calendar needs a timezone, an IANA name such as "
                        "'America/New_York' or 'UTC'"))
        return None
    try:
        return ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):
        problems.append(CalendarProblem(("timezone",),
                        f"unknown timezone {value!r}: use an IANA name such as "
                        "'America/New_York', 'Europe/London' or 'UTC'"))
        return None


def _parse_hours(hours: Any, problems: list[CalendarProblem]
                 ) -> tuple[tuple[tuple[int, int], ...], ...]:
    if isinstance(hours, str):
        problems.append(CalendarProblem(("hours",),
                        f"hours {hours!r} is not understood: write \"24x7\" or a mapping "
                        "of days to ranges, e.g. {mon-fri: \"08:00-18:00\"}"))
        return ((),) * 7
    if not isinstance(hours, Mapping):
        problems.append(CalendarProblem(("hours",),
                        "the calendar needs hours: \"24x7\" or a mapping of days to "
                        "ranges, e.g. {mon-fri: \"08:00-18:00\"}"))
        return ((),) * 7
    days: list[tuple[tuple[int, int], ...]] = [() for _ in DAY_NAMES]
    given_by: dict[int, str] = {}
    for key, value in hours.items():
        day_idx = _parse_day_key(key, problems)
        ranges = _parse_day_ranges(key, value, problems)
        if day_idx is None or ranges is None:
            continue
        for i in day_idx:
            if i in given_by:
                problems.append(CalendarProblem(("hours", str(key)),
                                f"day '{DAY_NAMES[i]}' is given twice (in '{given_by[i]}' "
                                f"and '{key}'): name each day once"))
                continue
            given_by[i] = str(key)
            days[i] = ranges
    return tuple(days)


def _parse_day_key(key: Any, problems: list[CalendarProblem]) -> list[int] | None:
    hint = "use mon, tue, wed, thu, fri, sat, sun or a range such as mon-fri"
    if not isinstance(key, str):
        problems.append(CalendarProblem(("hours", str(key)),
                        f"{key!r} is not a day name: {hint}"))
        return None
    parts = key.strip().split("-")
    if len(parts) > 2 or any(p not in DAY_NAMES for p in parts):
        problems.append(CalendarProblem(("hours", key), f"'{key}' is not a day name: {hint}"))
        return None
    first = DAY_NAMES.index(parts[0])
    if len(parts) == 1:
        return [first]
    last = DAY_NAMES.index(parts[1])
    if first == last:
        problems.append(CalendarProblem(("hours", key),
                        f"'{key}' names one day as a range: write '{parts[0]}'"))
        return None
    count = (last - first) % 7 + 1  # wraps round the week end: fri-mon = 4 days
    return [(first + k) % 7 for k in range(count)]


def _parse_day_ranges(key: Any, value: Any, problems: list[CalendarProblem]
                      ) -> tuple[tuple[int, int], ...] | None:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        problems.append(CalendarProblem(("hours", str(key)),
                        f"hours for '{key}' must be \"HH:MM-HH:MM\" or a list of them, "
                        f"not {value!r}"))
        return None
    ranges: list[tuple[int, int, Path, str]] = []
    ok = True
    for pos, item in enumerate(items):
        path: Path = ("hours", str(key)) if isinstance(value, str) else ("hours", str(key), pos)
        parsed = _parse_range(item, path, problems)
        if parsed is None:
            ok = False
        else:
            ranges.append((parsed[0], parsed[1], path, str(item).strip()))
    ranges.sort(key=lambda r: (r[0], r[1]))
    for prev, cur in zip(ranges, ranges[1:]):
        if cur[0] < prev[1]:
            problems.append(CalendarProblem(cur[2],
                            f"ranges '{prev[3]}' and '{cur[3]}' for '{key}' overlap: "
                            "make them separate (they may touch, e.g. 08:00-12:00 and "
                            "12:00-18:00)"))
            ok = False
    if not ok:
        return None
    return _merge_touching([(s, e) for s, e, _, _ in ranges])


def _parse_range(item: Any, path: Path, problems: list[CalendarProblem]
                 ) -> tuple[int, int] | None:
    shape = "write it as \"HH:MM-HH:MM\", e.g. \"08:00-18:00\" (24:00 may end a range)"
    if not isinstance(item, str) or item.count("-") != 1:
        problems.append(CalendarProblem(path, f"hours {item!r} are not a range: {shape}"))
        return None
    start_text, end_text = (p.strip() for p in item.split("-"))
    start = _parse_time(start_text, allow_24=False)
    end = _parse_time(end_text, allow_24=True)
    if start is None or end is None:
        problems.append(CalendarProblem(path, f"hours {item!r} are not a range: {shape}"))
        return None
    if end <= start:
        problems.append(CalendarProblem(path,
                        f"hours {item!r} end before they start: an overnight shift is two "
                        "ranges on two days, e.g. mon: \"22:00-24:00\", tue: \"00:00-06:00\""))
        return None
    return start, end


def _parse_time(text: str, allow_24: bool) -> int | None:
    m = _TIME_RE.match(text)
    if not m:
        return None
    hh, mm = int(m.group(1)), int(m.group(2))
    if allow_24 and hh == 24 and mm == 0:
        return MINUTES_PER_DAY
    if hh > 23 or mm > 59:
        return None
    return hh * 60 + mm


def _merge_touching(ranges: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Join ranges that touch, so the clock never sees a zero-length seam."""
    merged: list[tuple[int, int]] = []
    for s, e in ranges:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return tuple(merged)


def _parse_holidays(value: Any, problems: list[CalendarProblem]) -> frozenset[dt.date]:
    if value is None:
        return frozenset()
    if not isinstance(value, (list, tuple)):
        problems.append(CalendarProblem(("holidays",),
                        "holidays must be a list of dates, e.g. [2026-11-26, 2026-12-25]"))
        return frozenset()
    days: set[dt.date] = set()
    for pos, item in enumerate(value):
        day = _as_date(item)
        if day is None:
            problems.append(CalendarProblem(("holidays", pos),
                            f"holiday {item!r} is not a date: write YYYY-MM-DD, "
                            "e.g. 2026-12-25"))
        else:
            days.add(day)
    return frozenset(days)


def _as_date(item: Any) -> dt.date | None:
    if isinstance(item, dt.datetime):
        return None  # a holiday is a whole day, not an instant
    if isinstance(item, dt.date):
        return item
    if isinstance(item, str) and _DATE_RE.match(item.strip()):
        try:
            return dt.date.fromisoformat(item.strip())
        except ValueError:
            return None
    return None
