"""Strict cell parsers: each accepts one spelling and explains the fix otherwise."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from engine.activity import (BadValue, kind_of, parse_bool, parse_date, parse_decimal,
                             parse_iso_datetime, parse_priority)
from engine.number import DECIMAL_RE


def test_date_accepts_only_iso() -> None:
    assert parse_date("2026-10-05") == date(2026, 10, 5)
    assert parse_date(" 2026-10-05 ") == date(2026, 10, 5)
    for bad in ("2026/10/05", "10/05/2026", "20261005", "2026-10-5", "2026-10-05T10:00:00Z",
                "２０２６-10-05", "", "yesterday"):
        with pytest.raises(BadValue) as exc:
            parse_date(bad)
        assert exc.value.code == "activity_bad_date"
        assert repr(bad) in exc.value.message


def test_date_must_exist() -> None:
    with pytest.raises(BadValue, match="not a real calendar date"):
        parse_date("2026-02-29")
    assert parse_date("2028-02-29") == date(2028, 2, 29)


def test_datetime_with_offset_and_z() -> None:
    minus4 = timezone(timedelta(hours=-4))
    assert parse_iso_datetime("2026-10-05T14:03:00-04:00") == \
        datetime(2026, 10, 5, 14, 3, tzinfo=minus4)
    z = parse_iso_datetime("2026-10-05T18:03:00Z")
    assert z == datetime(2026, 10, 5, 18, 3, tzinfo=timezone.utc)
    # the same instant, two spellings
    assert z == parse_iso_datetime("2026-10-05T14:03:00-04:00")
    # seconds optional, fractional seconds allowed (nanoseconds truncated)
    assert parse_iso_datetime("2026-10-05T18:03Z") == z
    assert parse_iso_datetime("2026-10-05T18:03:00.5Z").microsecond == 500000
    assert parse_iso_datetime("2026-10-05T18:03:00.123456789+05:30").microsecond == 123456
    assert parse_iso_datetime("2026-10-05T18:03:00+05:30").utcoffset() == \
        timedelta(hours=5, minutes=30)


def test_naive_datetime_says_add_offset() -> None:
    with pytest.raises(BadValue) as exc:
        parse_iso_datetime("2026-10-05T14:03:00")
    assert exc.value.code == "activity_bad_datetime"
    assert "no UTC offset" in exc.value.message
    assert "2026-10-05T14:03:00-04:00" in exc.value.message


@pytest.mark.parametrize("bad", [
    "2026-10-05 14:03:00Z", "2026-10-05T14:03:00+0400", "2026-10-05T14:03:00z",
    "2026-10-05T25:00:00Z", "2026-10-05T14:03:00+24:00", "2026-10-05", "14:03",
    "2026-10-05T14:03:00.Z", "2026-10-05T14:03:00.1234567890Z",
])
def test_datetime_rejects(bad: str) -> None:
    with pytest.raises(BadValue) as exc:
        parse_iso_datetime(bad)
    assert exc.value.code == "activity_bad_datetime"


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-inf", "1e3", "1E3", "12_000", "1,000",
                                 "1,5", "١٢", "１２", "", "$5", "5h", "--1", "1.2.3"])
def test_decimal_rejects(bad: str) -> None:
    with pytest.raises(BadValue) as exc:
        parse_decimal(bad)
    assert exc.value.code == "activity_bad_number"


def test_decimal_keeps_text_exactly() -> None:
    assert str(parse_decimal("1.50")) == "1.50"
    assert parse_decimal(".5") == Decimal("0.5")
    assert parse_decimal("-2") == Decimal(-2)


@given(st.text(max_size=12))
def test_decimal_agrees_with_number_module(text: str) -> None:
    try:
        value = parse_decimal(text)
    except BadValue:
        assert DECIMAL_RE.match(text.strip()) is None
    else:
        assert DECIMAL_RE.match(text.strip()) is not None
        assert value == Decimal(text.strip())


@given(st.text(max_size=40))
def test_parsers_raise_only_badvalue(text: str) -> None:
    for parser in (parse_date, parse_iso_datetime, parse_decimal, parse_bool, parse_priority):
        try:
            parser(text)
        except BadValue:
            pass


def test_bool_words() -> None:
    for word in ("true", "TRUE", "Yes", "y", "1"):
        assert parse_bool(word) is True
    for word in ("false", "No", "N", "0"):
        assert parse_bool(word) is False
    with pytest.raises(BadValue, match="'maybe' is not a yes/no value"):
        parse_bool("maybe")


def test_priority_names_and_numbers() -> None:
    assert [parse_priority(p) for p in ("1", "2", "3", "4")] == \
        ["critical", "high", "medium", "low"]
    assert parse_priority("High") == "high"
    for bad in ("0", "5", "P1", "urgent"):
        with pytest.raises(BadValue) as exc:
            parse_priority(bad)
        assert exc.value.code == "activity_bad_priority"


def test_kind_of_longest_prefix() -> None:
    assert kind_of("ticket_status.csv") == "ticket_status"
    assert kind_of("ticket_status_2026-10.csv") == "ticket_status"
    assert kind_of("tickets.csv") == "tickets"
    assert kind_of("tickets_status.csv") == "tickets"
    assert kind_of("Time_Entries_Oct.CSV") == "time_entries"
    assert kind_of("users2026.csv") == "users"
    assert kind_of("time_entries.csv.bak") is None
    assert kind_of("notes.csv") is None
    assert kind_of("time_entries.xlsx") is None
