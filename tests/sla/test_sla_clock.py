"""business_minutes and pause_intervals: hand-computed cases (SPEC 2.3, 6).

The gold calendar: America/New_York, mon-fri 08:00-18:00, sat 09:00-13:00,
holidays 2026-11-26 (Thu) and 2026-12-25 (Fri).
"""
from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from engine.sla import Calendar, business_minutes, pause_intervals, status_key, wall_to_utc

NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
UTC = dt.timezone.utc


def ny(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, s, tzinfo=NY)


# --- ordinary business hours -------------------------------------------------

def test_across_a_weekend(gold: Calendar) -> None:
    # Fri 2026-10-16 16:00 -> Mon 2026-10-19 10:00
    # Fri 16:00-18:00 = 120, Sat 09:00-13:00 = 240, Sun closed, Mon 08:00-10:00 = 120
    assert business_minutes(gold, ny(2026, 10, 16, 16), ny(2026, 10, 19, 10)) == Decimal(480)


def test_across_a_weekend_without_saturday() -> None:
    c = Calendar.from_spec({"timezone": "America/New_York", "hours": {"mon-fri": "08:00-18:00"}})
    # Fri 16:00-18:00 = 120 + Mon 08:00-10:00 = 120
    assert business_minutes(c, ny(2026, 10, 16, 16), ny(2026, 10, 19, 10)) == Decimal(240)


def test_across_a_holiday(gold: Calendar) -> None:
    # Wed 2026-11-25 17:00 -> Fri 2026-11-27 09:00
    # Wed 17:00-18:00 = 60, Thu 26 Thanksgiving closed, Fri 08:00-09:00 = 60
    assert business_minutes(gold, ny(2026, 11, 25, 17), ny(2026, 11, 27, 9)) == Decimal(120)


def test_start_and_end_outside_business_hours(gold: Calendar) -> None:
    # Mon 06:00 -> 07:30: before opening, nothing counts
    assert business_minutes(gold, ny(2026, 10, 19, 6), ny(2026, 10, 19, 7, 30)) == 0
    # Mon 06:00 -> 19:00: the whole day 08:00-18:00 = 600
    assert business_minutes(gold, ny(2026, 10, 19, 6), ny(2026, 10, 19, 19)) == Decimal(600)
    # Sat 14:00 -> Mon 07:00: Sat closed after 13:00, Sun closed, Mon not yet open
    assert business_minutes(gold, ny(2026, 10, 17, 14), ny(2026, 10, 19, 7)) == 0
    # Fri 19:00 -> Sat 10:00: only Sat 09:00-10:00 = 60
    assert business_minutes(gold, ny(2026, 10, 16, 19), ny(2026, 10, 17, 10)) == Decimal(60)


def test_end_before_or_at_start_is_zero(gold: Calendar) -> None:
    assert business_minutes(gold, ny(2026, 10, 19, 12), ny(2026, 10, 19, 10)) == 0
    assert business_minutes(gold, ny(2026, 10, 19, 12), ny(2026, 10, 19, 12)) == 0


def test_several_ranges_a_day_lunch_gap() -> None:
    c = Calendar.from_spec({"timezone": "America/New_York",
                            "hours": {"mon-fri": ["08:00-12:00", "13:00-17:00"]}})
    # Mon 11:00 -> 14:30: 11:00-12:00 = 60, lunch closed, 13:00-14:30 = 90
    assert business_minutes(c, ny(2026, 10, 19, 11), ny(2026, 10, 19, 14, 30)) == Decimal(150)
    # a ticket raised and answered during lunch
    assert business_minutes(c, ny(2026, 10, 19, 12, 5), ny(2026, 10, 19, 12, 55)) == 0


def test_seconds_give_fractions(gold: Calendar) -> None:
    # 90 seconds inside hours = 1.5 minutes
    assert business_minutes(gold, ny(2026, 10, 19, 9), ny(2026, 10, 19, 9, 1, 30)) == Decimal("1.5")
    # 1 second = 1/60 minute, to 34 significant digits
    one = business_minutes(gold, ny(2026, 10, 19, 9), ny(2026, 10, 19, 9, 0, 1))
    assert abs(one - Decimal(1) / Decimal(60)) < Decimal("1e-30")


def test_offsets_of_the_inputs_do_not_matter(gold: Calendar) -> None:
    # 2026-10-19 13:00Z = 09:00 EDT; 2026-10-19 18:30+02:00 = 16:30Z = 12:30 EDT -> 210
    start = dt.datetime(2026, 10, 19, 13, 0, tzinfo=UTC)
    end = dt.datetime(2026, 10, 19, 18, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert business_minutes(gold, start, end) == Decimal(210)


def test_naive_datetimes_are_refused(gold: Calendar) -> None:
    with pytest.raises(ValueError, match="no UTC offset"):
        business_minutes(gold, dt.datetime(2026, 10, 19, 9), ny(2026, 10, 19, 10))


def test_a_year_is_cheap_and_exact(gold: Calendar, ny_24x7: Calendar) -> None:
    # Mon 2026-01-05 -> Mon 2027-01-04 = 52 weeks of (5 x 10h + 4h) = 2808h,
    # minus Thu 11-26 and Fri 12-25 (10h each) = 2788h = 167280 minutes.
    begin = time.perf_counter()
    assert business_minutes(gold, ny(2026, 1, 5), ny(2027, 1, 4)) == Decimal(167280)
    # 24x7 over the calendar year: the two DST changes cancel out: 365 x 1440
    assert business_minutes(ny_24x7, ny(2026, 1, 1), ny(2027, 1, 1)) == Decimal(525600)
    assert time.perf_counter() - begin < 1.0


# --- pauses --------------------------------------------------------------------

def test_pause_inside_business_hours(gold: Calendar) -> None:
    # Tue 2026-10-20 09:00 -> 15:00 = 360; waiting_customer 10:30-12:00 = 90 -> 270
    pauses = [(ny(2026, 10, 20, 10, 30), ny(2026, 10, 20, 12))]
    assert business_minutes(gold, ny(2026, 10, 20, 9), ny(2026, 10, 20, 15), pauses) == Decimal(270)


def test_pause_spanning_the_night(gold: Calendar) -> None:
    # Tue 16:00 -> Wed 11:00: open Tue 16:00-18:00 = 120 + Wed 08:00-11:00 = 180 = 300
    # paused Tue 17:00 -> Wed 09:30 removes Tue 17:00-18:00 = 60 and Wed 08:00-09:30 = 90
    # 300 - 150 = 150
    pauses = [(ny(2026, 10, 20, 17), ny(2026, 10, 21, 9, 30))]
    assert business_minutes(gold, ny(2026, 10, 20, 16), ny(2026, 10, 21, 11), pauses) == Decimal(150)


def test_overlapping_and_outside_pauses(gold: Calendar) -> None:
    # Mon 09:00 -> 17:00 = 480; pauses 10:00-11:00 and 10:30-12:00 overlap -> 10:00-12:00 = 120;
    # a pause the previous Sunday and one after the end change nothing -> 360
    pauses = [(ny(2026, 10, 19, 10, 30), ny(2026, 10, 19, 12)),
              (ny(2026, 10, 19, 10), ny(2026, 10, 19, 11)),
              (ny(2026, 10, 18, 9), ny(2026, 10, 18, 12)),
              (ny(2026, 10, 19, 17), ny(2026, 10, 19, 18))]
    assert business_minutes(gold, ny(2026, 10, 19, 9), ny(2026, 10, 19, 17), pauses) == Decimal(360)


def test_pause_covering_everything(gold: Calendar) -> None:
    pauses = [(ny(2026, 10, 1), ny(2026, 11, 1))]
    assert business_minutes(gold, ny(2026, 10, 19, 9), ny(2026, 10, 19, 17), pauses) == 0


# --- daylight saving time -----------------------------------------------------

def test_24x7_across_the_november_change_counts_real_hours(ny_24x7: Calendar) -> None:
    # 2026-11-01 00:00 EDT (04:00Z) -> 04:00 EST (09:00Z): 5 real hours = 300
    assert business_minutes(ny_24x7, ny(2026, 11, 1, 0), ny(2026, 11, 1, 4)) == Decimal(300)
    # Sat 22:00 EDT (02:00Z) -> Sun 03:00 EST (08:00Z): 6 real hours although the
    # wall clock moved 5
    assert business_minutes(ny_24x7, ny(2026, 10, 31, 22), ny(2026, 11, 1, 3)) == Decimal(360)


def test_24x7_with_a_holiday_across_the_change() -> None:
    c = Calendar.from_spec({"timezone": "America/New_York", "hours": "24x7",
                            "holidays": ["2026-11-01"]})
    # Sat 2026-10-31 20:00 EDT -> Mon 2026-11-02 02:00 EST:
    # Sat 20:00-24:00 = 4h, Sun 1 Nov closed (a 25-hour day), Mon 00:00-02:00 = 2h -> 360
    assert business_minutes(c, ny(2026, 10, 31, 20), ny(2026, 11, 2, 2)) == Decimal(360)


def test_24x7_across_the_march_change(ny_24x7: Calendar) -> None:
    # 2026-03-08 00:00 EST (05:00Z) -> 04:00 EDT (08:00Z): 3 real hours
    assert business_minutes(ny_24x7, ny(2026, 3, 8, 0), ny(2026, 3, 8, 4)) == Decimal(180)


def test_business_window_on_the_dst_day() -> None:
    c = Calendar.from_spec({"timezone": "America/New_York",
                            "hours": {"sun": "00:00-04:00", "mon-fri": "08:00-18:00"}})
    week = (ny(2026, 10, 30, 17), ny(2026, 11, 2, 9))
    # Fri 17:00-18:00 = 60; Sun 1 Nov 00:00 EDT (04:00Z) -> 04:00 EST (09:00Z) = 300;
    # Mon 08:00-09:00 = 60 -> 420
    assert business_minutes(c, *week) == Decimal(420)
    # on the March change the same window is 3 real hours: 05:00Z -> 08:00Z
    assert business_minutes(c, ny(2026, 3, 7), ny(2026, 3, 9)) == Decimal(180)


def test_window_boundary_in_the_skipped_hour() -> None:
    c = Calendar.from_spec({"timezone": "America/New_York", "hours": {"sun": "02:30-04:00"}})
    # 02:30 does not exist on 2026-03-08: the window opens when the clock jumps
    # 02:00 EST -> 03:00 EDT (07:00Z) and closes at 04:00 EDT (08:00Z): 60
    assert wall_to_utc(c, dt.date(2026, 3, 8), 150) == dt.datetime(2026, 3, 8, 7, tzinfo=UTC)
    assert business_minutes(c, ny(2026, 3, 7), ny(2026, 3, 9)) == Decimal(60)


def test_window_boundary_in_the_repeated_hour() -> None:
    c = Calendar.from_spec({"timezone": "America/New_York", "hours": {"sun": "00:00-01:30"}})
    # 01:30 happens twice on 2026-11-01; the window closes at the first (05:30Z):
    # 00:00 EDT (04:00Z) -> 05:30Z = 90
    assert business_minutes(c, ny(2026, 10, 31), ny(2026, 11, 2)) == Decimal(90)


def test_london_autumn_change() -> None:
    c = Calendar.from_spec({"timezone": "Europe/London", "hours": "24x7"})
    # 2026-10-25 00:00 BST (23:00Z on the 24th) -> 03:00 GMT (03:00Z): 4 real hours
    start = dt.datetime(2026, 10, 25, 0, tzinfo=LONDON)
    end = dt.datetime(2026, 10, 25, 3, tzinfo=LONDON)
    assert business_minutes(c, start, end) == Decimal(240)


def test_business_hours_across_the_change_stay_ten_hours(gold: Calendar) -> None:
    # Fri 2026-10-30 17:00 EDT -> Mon 2026-11-02 09:00 EST:
    # Fri 60 + Sat 09:00-13:00 240 + Sun 0 + Mon 08:00-09:00 60 = 360
    assert business_minutes(gold, ny(2026, 10, 30, 17), ny(2026, 11, 2, 9)) == Decimal(360)


# --- pause_intervals ------------------------------------------------------------

def test_pause_intervals_from_history() -> None:
    changes = [(ny(2026, 10, 20, 9), "new"),
               (ny(2026, 10, 20, 10, 30), "waiting_customer"),
               (ny(2026, 10, 20, 12), "in_progress"),
               (ny(2026, 10, 21, 8), "on_hold"),
               (ny(2026, 10, 21, 9), "Waiting Customer"),   # pause to pause: one interval
               (ny(2026, 10, 21, 11), "resolved")]
    assert pause_intervals(changes, ["waiting_customer", "on_hold"], ny(2026, 10, 31)) == [
        (ny(2026, 10, 20, 10, 30).astimezone(UTC), ny(2026, 10, 20, 12).astimezone(UTC)),
        (ny(2026, 10, 21, 8).astimezone(UTC), ny(2026, 10, 21, 11).astimezone(UTC)),
    ]


def test_pause_open_until_until_and_unsorted_input() -> None:
    changes = [(ny(2026, 10, 22, 9), "on_hold"), (ny(2026, 10, 20, 9), "new")]
    assert pause_intervals(changes, {"on_hold"}, ny(2026, 10, 22, 15)) == [
        (ny(2026, 10, 22, 9).astimezone(UTC), ny(2026, 10, 22, 15).astimezone(UTC))]


def test_changes_after_until_are_cut() -> None:
    changes = [(ny(2026, 10, 20, 9), "on_hold"), (ny(2026, 10, 25, 9), "in_progress"),
               (ny(2026, 11, 2, 9), "on_hold")]
    assert pause_intervals(changes, ["on_hold"], ny(2026, 10, 22)) == [
        (ny(2026, 10, 20, 9).astimezone(UTC), ny(2026, 10, 22).astimezone(UTC))]


def test_no_history_no_pauses() -> None:
    assert pause_intervals([], ["on_hold"], ny(2026, 10, 31)) == []
    assert pause_intervals([(ny(2026, 10, 20), "open")], [], ny(2026, 10, 31)) == []


def test_same_instant_changes_later_row_wins() -> None:
    t = ny(2026, 10, 20, 9)
    assert pause_intervals([(t, "on_hold"), (t, "in_progress")], ["on_hold"], ny(2026, 10, 21)) == []
    assert pause_intervals([(t, "in_progress"), (t, "on_hold")], ["on_hold"], ny(2026, 10, 21)) == [
        (t.astimezone(UTC), ny(2026, 10, 21).astimezone(UTC))]


def test_pause_intervals_feed_business_minutes(gold: Calendar) -> None:
    # the night-spanning pause case, from a status history
    changes = [(ny(2026, 10, 20, 16), "new"), (ny(2026, 10, 20, 17), "waiting_customer"),
               (ny(2026, 10, 21, 9, 30), "in_progress")]
    end = ny(2026, 10, 21, 11)
    pauses = pause_intervals(changes, ["waiting_customer"], end)
    assert business_minutes(gold, ny(2026, 10, 20, 16), end, pauses) == Decimal(150)


@pytest.mark.parametrize("raw, key", [("Waiting Customer", "waiting_customer"),
                                      (" on-hold ", "on_hold"), ("ON_HOLD", "on_hold"),
                                      ("Waiting - Customer", "waiting_customer")])
def test_status_key(raw: str, key: str) -> None:
    assert status_key(raw) == key
