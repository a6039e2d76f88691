"""Properties of the SLA clock (hypothesis).

Instants are drawn on a 3-second grid so every business-minute value is an
exact Decimal (seconds / 60 terminates when seconds is a multiple of 3) and
additivity can be checked with ``==``. Draws cluster round the 2026 DST
changes of New York and London as well as anywhere in 2025-2027.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.sla import Calendar, business_minutes

UTC = dt.timezone.utc
ZONES = ["America/New_York", "Europe/London", "UTC", "Australia/Lord_Howe", "Asia/Kolkata"]
DST_DAYS = [dt.datetime(2026, 3, 8, 7, tzinfo=UTC), dt.datetime(2026, 11, 1, 6, tzinfo=UTC),
            dt.datetime(2026, 3, 29, 1, tzinfo=UTC), dt.datetime(2026, 10, 25, 1, tzinfo=UTC),
            dt.datetime(2026, 4, 4, 15, tzinfo=UTC), dt.datetime(2026, 10, 3, 15, tzinfo=UTC)]
BASE = dt.datetime(2025, 1, 1, tzinfo=UTC)
STEP = dt.timedelta(seconds=3)

anywhere = st.integers(0, 3 * 365 * 86400 // 3).map(lambda k: BASE + k * STEP)
near_dst = st.builds(lambda base, k: base + k * STEP, st.sampled_from(DST_DAYS),
                     st.integers(-3 * 86400 // 3, 3 * 86400 // 3))
instants = st.one_of(anywhere, near_dst)


def minute_text(m: int) -> str:
    return f"{m // 60:02d}:{m % 60:02d}"


@st.composite
def day_ranges(draw, grid: int = 30) -> list[str]:
    """0-3 sorted, non-overlapping ranges on a ``grid``-minute raster."""
    cuts = sorted(draw(st.sets(st.integers(0, 1440 // grid), max_size=6)))
    if len(cuts) % 2:
        cuts = cuts[:-1]
    return [f"{minute_text(cuts[i] * grid)}-{minute_text(cuts[i + 1] * grid)}"
            for i in range(0, len(cuts), 2)]


@st.composite
def calendars(draw, grid: int = 30) -> Calendar:
    zone = draw(st.sampled_from(ZONES))
    holidays = draw(st.lists(st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31)), max_size=20)
                    | st.lists(st.dates(dt.date(2026, 10, 20), dt.date(2026, 11, 5)), max_size=5))
    if draw(st.booleans()):
        hours: object = "24x7"
    else:
        hours = {day: draw(day_ranges(grid)) for day in ("mon", "tue", "wed", "thu", "fri",
                                                         "sat", "sun")}
    return Calendar.from_spec({"timezone": zone, "hours": hours,
                               "holidays": [d.isoformat() for d in holidays]})


pause_lists = st.lists(st.tuples(instants, instants).map(lambda p: (min(p), max(p))),
                       max_size=4)
ordered3 = st.lists(instants, min_size=3, max_size=3).map(sorted)

FAST = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(calendars(), ordered3, pause_lists)
def test_additive(cal: Calendar, abc: list[dt.datetime], pauses) -> None:
    a, b, c = abc
    for ps in ((), pauses):
        assert business_minutes(cal, a, c, ps) == (business_minutes(cal, a, b, ps)
                                                   + business_minutes(cal, b, c, ps))


@FAST
@given(calendars(), instants, instants, pause_lists)
def test_never_more_than_real_time_and_pauses_only_reduce(cal, a, b, pauses) -> None:
    real = Decimal(max(b - a, dt.timedelta(0)) // dt.timedelta(seconds=1)) / 60
    plain = business_minutes(cal, a, b)
    paused = business_minutes(cal, a, b, pauses)
    fewer = business_minutes(cal, a, b, pauses[:1])
    assert Decimal(0) <= paused <= fewer <= plain <= real


@FAST
@given(st.sampled_from(ZONES), instants, instants)
def test_24x7_counts_real_time(zone: str, a, b) -> None:
    cal = Calendar.from_spec({"timezone": zone, "hours": "24x7"})
    real = Decimal(max(b - a, dt.timedelta(0)) // dt.timedelta(seconds=1)) / 60
    assert business_minutes(cal, a, b) == real


@FAST
@given(calendars(), instants, instants)
def test_the_offset_of_the_inputs_does_not_matter(cal, a, b) -> None:
    shifted = dt.timezone(dt.timedelta(hours=-7, minutes=-30))
    assert business_minutes(cal, a, b) == business_minutes(cal, a.astimezone(shifted),
                                                           b.astimezone(shifted))


# --- a slow, obviously-correct oracle ---------------------------------------------

def oracle_minutes(cal: Calendar, a: dt.datetime, b: dt.datetime, pauses) -> int:
    """Count whole minutes u in [a, b) whose local wall-clock reading lies in an
    open range of its local date (not a holiday) and in no pause. Agrees with
    the clock whenever no range boundary lies strictly inside a repeated hour,
    which whole-hour boundaries guarantee for the zones drawn here."""
    count = 0
    u = a
    while u < b:
        local = u.astimezone(cal.tz)
        minute = local.hour * 60 + local.minute
        is_open = any(s <= minute < e for s, e in cal.open_ranges(local.date()))
        if is_open and not any(ps <= u < pe for ps, pe in pauses):
            count += 1
        u += dt.timedelta(minutes=1)
    return count


minute_instants = st.one_of(
    st.integers(0, 3 * 365 * 1440).map(lambda k: BASE + dt.timedelta(minutes=k)),
    st.builds(lambda base, k: base + dt.timedelta(minutes=k), st.sampled_from(DST_DAYS),
              st.integers(-2 * 1440, 2 * 1440)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calendars(grid=60), minute_instants, st.integers(0, 2 * 1440),
       st.lists(st.tuples(minute_instants, st.integers(0, 1440)), max_size=3))
def test_matches_minute_by_minute_oracle(cal, a, span, raw_pauses) -> None:
    b = a + dt.timedelta(minutes=span)
    pauses = [(p, p + dt.timedelta(minutes=n)) for p, n in raw_pauses]
    assert business_minutes(cal, a, b, pauses) == Decimal(oracle_minutes(cal, a, b, pauses))
