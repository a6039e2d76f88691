"""The SLA clock: how much business time passed between two instants.

Why interval arithmetic over local days (never minute by minute): a ticket may
stay open for months, and ``tenor sla`` evaluates every ticket twice. Each
local day contributes at most a few open windows; windows, pauses and the
query are intersected as UTC intervals, so the cost is O(days + pauses).

Wall clock to instant (DST): a window opens at the first instant at which the
local wall clock reads its start time or later, and closes at the first
instant at which it reads its end time or later. So a window's length is the
real time that passed: ``00:00-04:00`` on the US fall-back day is 5 hours, on
the spring-forward day 3 hours; a boundary inside the skipped hour (02:30 on
spring-forward day) is the moment the clock jumps; a boundary inside the
repeated hour is its first occurrence.

Minutes are exact ``Decimal`` values: real microseconds / 60,000,000, exact
whenever the duration is a whole number of 3-second steps (all that minute-
and second-stamped PSA data produce in practice is rounded to 34 significant
digits only for odd seconds).
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Collection, Iterable, Iterator, Sequence

from engine.number import ZERO
from engine.sla.calendar_spec import MINUTES_PER_DAY, Calendar, CalendarError  # noqa: F401

UTC = dt.timezone.utc
Interval = tuple[dt.datetime, dt.datetime]

_ONE_DAY = dt.timedelta(days=1)
_MICROS_PER_MINUTE = Decimal(60_000_000)


def business_minutes(cal: Calendar, start: dt.datetime, end: dt.datetime,
                     pauses: Sequence[Interval] = ()) -> Decimal:
    """Real minutes inside the calendar's open windows and outside every pause,
    between two aware datetimes; 0 when ``end <= start``.

    Pauses may overlap each other, the windows, or lie outside the span.
    Naive datetimes raise ``ValueError``: an instant without an offset has no
    place on the clock, and the activity loader already demands one.
    """
    _require_aware(start, "start")
    _require_aware(end, "end")
    lo, hi = start.astimezone(UTC), end.astimezone(UTC)
    if hi <= lo:
        return ZERO
    open_spans = _merge(open_windows(cal, lo, hi))
    paused = _merge(_clip(_aware_pauses(pauses), lo, hi))
    total = _measure(_subtract(open_spans, paused))
    return _minutes(total)


def open_windows(cal: Calendar, lo: dt.datetime, hi: dt.datetime) -> Iterator[Interval]:
    """The calendar's open windows as UTC intervals, clipped to [lo, hi]."""
    lo, hi = lo.astimezone(UTC), hi.astimezone(UTC)
    if cal.is_24x7 and not cal.holidays:
        yield lo, hi
        return
    # One local day of slack each side: the zone offset may move a window's
    # instants across the UTC date, and day D's 24:00 is day D+1's midnight.
    day = lo.astimezone(cal.tz).date() - _ONE_DAY
    last = hi.astimezone(cal.tz).date() + _ONE_DAY
    while day <= last:
        for start_min, end_min in cal.open_ranges(day):
            w_start = wall_to_utc(cal, day, start_min)
            w_end = wall_to_utc(cal, day, end_min)
            s, e = max(w_start, lo), min(w_end, hi)
            if e > s:
                yield s, e
        day += _ONE_DAY


def wall_to_utc(cal: Calendar, day: dt.date, minute: int) -> dt.datetime:
    """The first instant at which the local clock reads ``day`` + ``minute`` or later."""
    if minute >= MINUTES_PER_DAY:
        day, minute = day + _ONE_DAY, minute - MINUTES_PER_DAY
    wall = dt.datetime(day.year, day.month, day.day, minute // 60, minute % 60)
    first = wall.replace(tzinfo=cal.tz, fold=0).astimezone(UTC)
    if _local(cal, first) == wall:
        return first  # exists; fold=0 is the first of a repeated hour
    # Inside a skipped hour: the clock jumps over ``wall`` somewhere between the
    # two readings; find the jump (transitions are on whole seconds).
    other = wall.replace(tzinfo=cal.tz, fold=1).astimezone(UTC)
    before, after = min(first, other), max(first, other)
    if _local(cal, before) >= wall:
        return before
    step = dt.timedelta(seconds=1)
    while after - before > step:
        mid = before + (after - before) // 2
        mid = mid.replace(microsecond=0)
        if mid <= before:
            mid = before + step
        if _local(cal, mid) >= wall:
            after = mid
        else:
            before = mid
    return after


def pause_intervals(changes: Sequence[tuple[dt.datetime, str]],
                    pause_statuses: Collection[str],
                    until: dt.datetime) -> list[Interval]:
    """Merged intervals during which the ticket's status was a pause status.

    Each status holds from its ``at`` until the next change; the last until
    ``until``. Changes need not be sorted; of several at the same instant the
    later one in the input wins. Before the first change the status is unknown
    and the clock runs. Statuses compare loosely (case, spaces, hyphens:
    ``"Waiting Customer"`` matches ``waiting_customer``), because PSAs export
    display names while SLA files hold identifiers.
    """
    _require_aware(until, "until")
    wanted = {status_key(s) for s in pause_statuses}
    ordered = sorted(((at.astimezone(UTC), i, status) for i, (at, status) in enumerate(changes)),
                     key=lambda c: (c[0], c[1]))
    limit = until.astimezone(UTC)
    raw: list[Interval] = []
    for (at, _, status), nxt in zip(ordered, ordered[1:] + [None]):
        end = limit if nxt is None else min(nxt[0], limit)
        if status_key(status) in wanted and end > at:
            raw.append((at, end))
    return _merge(raw)


def status_key(status: str) -> str:
    """``" Waiting - Customer "`` -> ``"waiting_customer"``."""
    return re.sub(r"[\s_-]+", "_", status.strip().casefold()).strip("_")


def _require_aware(value: dt.datetime, name: str) -> None:
    if not isinstance(value, dt.datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} {value.isoformat()} has no UTC offset; SLA times "
                         "must be aware datetimes")


def _local(cal: Calendar, instant: dt.datetime) -> dt.datetime:
    return instant.astimezone(cal.tz).replace(tzinfo=None, fold=0)


def _aware_pauses(pauses: Iterable[Interval]) -> Iterator[Interval]:
    for p_start, p_end in pauses:
        _require_aware(p_start, "pause start")
        _require_aware(p_end, "pause end")
        yield p_start.astimezone(UTC), p_end.astimezone(UTC)


def _clip(spans: Iterable[Interval], lo: dt.datetime, hi: dt.datetime) -> Iterator[Interval]:
    for s, e in spans:
        s, e = max(s, lo), min(e, hi)
        if e > s:
            yield s, e


def _merge(spans: Iterable[Interval]) -> list[Interval]:
    """Sorted union of intervals; touching ones are joined."""
    merged: list[Interval] = []
    for s, e in sorted(spans):
        if e <= s:
            continue
        if merged and s <= merged[-1][1]:
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def _subtract(spans: list[Interval], holes: list[Interval]) -> Iterator[Interval]:
    """``spans`` minus ``holes``; both sorted and disjoint (a linear sweep)."""
    j = 0
    for s, e in spans:
        while j < len(holes) and holes[j][1] <= s:
            j += 1
        cur = s
        k = j
        while k < len(holes) and holes[k][0] < e:
            h_s, h_e = holes[k]
            if h_s > cur:
                yield cur, h_s
            cur = max(cur, h_e)
            k += 1
        if cur < e:
            yield cur, e


def _measure(spans: Iterable[Interval]) -> dt.timedelta:
    total = dt.timedelta(0)
    for s, e in spans:
        total += e - s
    return total


def _minutes(span: dt.timedelta) -> Decimal:
    micros = span // dt.timedelta(microseconds=1)
    return Decimal(micros) / _MICROS_PER_MINUTE
