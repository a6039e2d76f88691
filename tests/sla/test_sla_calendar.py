"""Calendar.from_spec: parsing the SLA calendar mapping (SPEC 2.3)."""
from __future__ import annotations

import datetime as dt

import pytest

from engine.sla import Calendar, CalendarError


def cal(hours, **extra) -> Calendar:
    return Calendar.from_spec({"timezone": "America/New_York", "hours": hours, **extra})


def problems(spec) -> list[tuple[tuple, str]]:
    with pytest.raises(CalendarError) as info:
        Calendar.from_spec(spec)
    return [(p.path, p.message) for p in info.value.problems]


def test_gold_calendar_week_and_holidays(gold: Calendar) -> None:
    weekday = ((8 * 60, 18 * 60),)
    assert gold.week == (weekday,) * 5 + (((9 * 60, 13 * 60),), ())
    assert gold.holidays == frozenset({dt.date(2026, 11, 26), dt.date(2026, 12, 25)})
    assert gold.timezone == "America/New_York"
    assert not gold.is_24x7
    assert gold.open_ranges(dt.date(2026, 11, 26)) == ()          # Thanksgiving
    assert gold.open_ranges(dt.date(2026, 11, 27)) == weekday      # Friday


def test_24x7_is_open_all_day_and_keeps_holidays() -> None:
    c = cal("24x7", holidays=["2026-12-25"])
    assert c.is_24x7
    assert c.week == (((0, 1440),),) * 7
    assert c.open_ranges(dt.date(2026, 12, 25)) == ()


def test_list_of_ranges_and_24_00_end() -> None:
    c = cal({"mon": ["13:00-17:00", "08:00-12:00"], "sun": "20:00-24:00"})
    assert c.week[0] == ((480, 720), (780, 1020))  # sorted
    assert c.week[6] == ((1200, 1440),)
    assert c.week[1] == ()                          # not named: closed


def test_touching_ranges_are_joined() -> None:
    assert cal({"tue": ["08:00-12:00", "12:00-18:00"]}).week[1] == ((480, 1080),)


def test_empty_list_is_closed() -> None:
    assert cal({"mon": []}).week[0] == ()


def test_wrapping_day_range_fri_mon() -> None:
    c = cal({"fri-mon": "00:00-24:00"})
    open_days = [i for i, r in enumerate(c.week) if r]
    assert open_days == [0, 4, 5, 6]  # mon, fri, sat, sun


def test_sun_sat_is_the_whole_week() -> None:
    assert all(r == ((60, 120),) for r in cal({"sun-sat": "01:00-02:00"}).week)


def test_overlapping_ranges_are_an_error_with_path() -> None:
    found = problems({"timezone": "UTC", "hours": {"mon": ["08:00-12:00", "11:30-13:00"]}})
    assert len(found) == 1
    path, message = found[0]
    assert path == ("hours", "mon", 1)
    assert "overlap" in message and "08:00-12:00" in message and "11:30-13:00" in message


def test_day_given_twice_is_an_error() -> None:
    found = problems({"timezone": "UTC", "hours": {"mon-fri": "08:00-18:00", "fri": "09:00-12:00"}})
    assert found == [(("hours", "fri"),
                      "day 'fri' is given twice (in 'mon-fri' and 'fri'): name each day once")]


def test_one_day_range_is_refused() -> None:
    [(path, message)] = problems({"timezone": "UTC", "hours": {"mon-mon": "08:00-18:00"}})
    assert path == ("hours", "mon-mon") and "write 'mon'" in message


@pytest.mark.parametrize("text", ["8:00-18:00", "08:00-24:30", "24:00-24:00", "08:00",
                                  "08:00-12:00-13:00", "08:60-09:00", "25:00-26:00"])
def test_malformed_range(text: str) -> None:
    [(path, message)] = problems({"timezone": "UTC", "hours": {"wed": text}})
    assert path == ("hours", "wed")
    assert "HH:MM-HH:MM" in message


def test_range_ending_before_it_starts() -> None:
    [(_, message)] = problems({"timezone": "UTC", "hours": {"wed": "22:00-06:00"}})
    assert "end before they start" in message and "two days" in message


def test_all_problems_are_collected() -> None:
    found = problems({"timezone": "Mars/Olympus", "hours": {"xyz": "08:00-18:00",
                                                            True: "08:00-09:00",
                                                            "sat": "09:00-08:00"},
                      "holidays": ["2026-02-30", dt.datetime(2026, 1, 1, 9, 0), "tomorrow"]})
    paths = [p for p, _ in found]
    assert paths == [("timezone",), ("hours", "xyz"), ("hours", "True"), ("hours", "sat"),
                     ("holidays", 0), ("holidays", 1), ("holidays", 2)]
    assert "Mars/Olympus" in found[0][1]


@pytest.mark.parametrize("spec, path", [
    ({"hours": "24x7"}, ("timezone",)),
    ({"timezone": "UTC"}, ("hours",)),
    ({"timezone": "UTC", "hours": "9to5"}, ("hours",)),
    ({"timezone": "UTC", "hours": "24x7", "holidays": "2026-12-25"}, ("holidays",)),
])
def test_missing_or_wrong_shape(spec, path) -> None:
    assert [p for p, _ in problems(spec)] == [path]


def test_calendar_error_message_joins_problems() -> None:
    with pytest.raises(CalendarError) as info:
        Calendar.from_spec({"hours": "nope"})
    assert str(info.value).count(";") == 1
    assert info.value.message == str(info.value)


def test_calendar_error_from_plain_message() -> None:
    err = CalendarError("bad", path=("hours",))
    assert str(err) == "bad" and err.problems[0].path == ("hours",)


def test_calendar_is_frozen_and_comparable(gold: Calendar, gold_spec: dict) -> None:
    assert Calendar.from_spec(gold_spec) == gold
    with pytest.raises(AttributeError):
        gold.timezone = "UTC"  # type: ignore[misc]
