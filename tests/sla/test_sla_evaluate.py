"""evaluate_target, parse_duration, met_pct (SPEC 2.3 durations, SPEC 6 verdicts)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from engine.sla import (AT_RISK, BREACHED, MET, OPEN, Calendar, DurationError, TargetResult,
                        evaluate_target, met_pct, parse_duration)

NY = ZoneInfo("America/New_York")
MONTH_END = dt.datetime(2026, 11, 1, 0, 0, tzinfo=NY)  # as-of: end of October 2026
WARN = Decimal(75)


def ny(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, s, tzinfo=NY)


# --- parse_duration -------------------------------------------------------------

@pytest.mark.parametrize("text, minutes", [("30m", "30"), ("1h", "60"), ("1.5h", "90"),
                                           ("2d", "2880"), (" 8h ", "480"), ("120h", "7200"),
                                           ("0.5m", "0.5")])
def test_parse_duration(text: str, minutes: str) -> None:
    assert parse_duration(text) == Decimal(minutes)


@pytest.mark.parametrize("text", ["8", "8H", "h", "1h30m", "-1h", "1e3m", "1.h", "", "8 h"])
def test_parse_duration_refuses(text: str) -> None:
    with pytest.raises(DurationError, match="30m"):
        parse_duration(text)


def test_parse_duration_refuses_zero_and_bare_numbers() -> None:
    with pytest.raises(DurationError, match="zero"):
        parse_duration("0m")
    with pytest.raises(DurationError, match="write 30m, 30h or 30d"):
        parse_duration(30)  # type: ignore[arg-type]


# --- evaluate_target --------------------------------------------------------------

def test_met_when_finished_in_time(gold: Calendar) -> None:
    # Mon 2026-10-19 09:00 -> 09:20 = 20 business minutes against 30m
    r = evaluate_target(gold, ny(2026, 10, 19, 9), ny(2026, 10, 19, 9, 20), Decimal(30),
                        MONTH_END, (), WARN)
    assert r == TargetResult(Decimal(30), Decimal(20), MET)


def test_met_exactly_on_target(gold: Calendar) -> None:
    # Fri 17:45 -> Sat 09:15: Fri 15 + Sat 15 = 30 against 30m: met (not late)
    r = evaluate_target(gold, ny(2026, 10, 16, 17, 45), ny(2026, 10, 17, 9, 15), Decimal(30),
                        MONTH_END, (), WARN)
    assert (r.elapsed_minutes, r.status) == (Decimal(30), MET)


def test_breached_when_finished_late(gold: Calendar) -> None:
    # Fri 2026-10-16 16:00 -> Mon 10:00 = 480 business minutes against 4h = 240
    r = evaluate_target(gold, ny(2026, 10, 16, 16), ny(2026, 10, 19, 10), Decimal(240),
                        MONTH_END, (), WARN)
    assert (r.elapsed_minutes, r.status) == (Decimal(480), BREACHED)


def test_pause_turns_a_breach_into_met(gold: Calendar) -> None:
    # Tue 09:00 -> 15:00 = 360, waiting_customer 10:30-12:00 = 90 -> 270 <= 300
    pauses = [(ny(2026, 10, 20, 10, 30), ny(2026, 10, 20, 12))]
    r = evaluate_target(gold, ny(2026, 10, 20, 9), ny(2026, 10, 20, 15), Decimal(300),
                        MONTH_END, pauses, WARN)
    assert (r.elapsed_minutes, r.status) == (Decimal(270), MET)


def test_unresolved_at_risk_at_month_end(gold: Calendar) -> None:
    # created Fri 2026-10-30 14:00, unresolved; as-of 2026-11-01 00:00:
    # Fri 14:00-18:00 = 240 + Sat 31 09:00-13:00 = 240 -> 480 against 10h = 600;
    # 75% of 600 = 450 <= 480 < 600 -> at_risk
    r = evaluate_target(gold, ny(2026, 10, 30, 14), None, parse_duration("10h"),
                        MONTH_END, (), WARN)
    assert r == TargetResult(Decimal(600), Decimal(480), AT_RISK)


def test_unresolved_exactly_at_target_is_at_risk_not_breached(gold: Calendar) -> None:
    # same 480 minutes against 8h = 480: not yet past the target
    r = evaluate_target(gold, ny(2026, 10, 30, 14), None, Decimal(480), MONTH_END, (), WARN)
    assert r.status == AT_RISK


def test_unresolved_open_below_warn(gold: Calendar) -> None:
    # 480 against 24h = 1440; 75% = 1080 > 480 -> open
    r = evaluate_target(gold, ny(2026, 10, 30, 14), None, Decimal(1440), MONTH_END, (), WARN)
    assert (r.elapsed_minutes, r.status) == (Decimal(480), OPEN)


def test_unresolved_breached(gold: Calendar) -> None:
    # created Thu 2026-10-29 09:00, unresolved at month end:
    # Thu 09:00-18:00 = 540 + Fri 600 + Sat 240 = 1380 > 8h = 480 -> breached
    r = evaluate_target(gold, ny(2026, 10, 29, 9), None, Decimal(480), MONTH_END, (), WARN)
    assert r == TargetResult(Decimal(480), Decimal(1380), BREACHED)


def test_finished_after_as_of_is_unfinished_at_as_of(gold: Calendar) -> None:
    # resolved Mon 2026-11-02 09:00, but as-of is 2026-11-01 00:00: judged at as-of,
    # 480 against 600 -> at_risk (had it counted to the resolution, 540 -> met)
    r = evaluate_target(gold, ny(2026, 10, 30, 14), ny(2026, 11, 2, 9), Decimal(600),
                        MONTH_END, (), WARN)
    assert (r.elapsed_minutes, r.status) == (Decimal(480), AT_RISK)


def test_finished_exactly_at_as_of_counts_as_finished(gold: Calendar) -> None:
    r = evaluate_target(gold, ny(2026, 10, 30, 14), MONTH_END, Decimal(600), MONTH_END, (), WARN)
    assert (r.elapsed_minutes, r.status) == (Decimal(480), MET)


def test_finish_before_created_is_zero_and_met(gold: Calendar) -> None:
    r = evaluate_target(gold, ny(2026, 10, 20, 12), ny(2026, 10, 20, 9), Decimal(30),
                        MONTH_END, (), WARN)
    assert (r.elapsed_minutes, r.status) == (Decimal(0), MET)


def test_as_of_before_created_is_open(gold: Calendar) -> None:
    r = evaluate_target(gold, ny(2026, 11, 5, 9), None, Decimal(30), MONTH_END, (), WARN)
    assert (r.elapsed_minutes, r.status) == (Decimal(0), OPEN)


def test_warn_at_threshold_is_inclusive(gold: Calendar) -> None:
    # Mon 09:00 -> as-of 09:45 = 45 against 60; 75% of 60 = 45 -> at_risk; at 50% too
    as_of = ny(2026, 10, 19, 9, 45)
    assert evaluate_target(gold, ny(2026, 10, 19, 9), None, Decimal(60), as_of, (), WARN).status == AT_RISK
    # 44 minutes -> open
    as_of = ny(2026, 10, 19, 9, 44)
    assert evaluate_target(gold, ny(2026, 10, 19, 9), None, Decimal(60), as_of, (), WARN).status == OPEN
    # warn_at 80%: 48 is the threshold, 45 -> open
    assert evaluate_target(gold, ny(2026, 10, 19, 9), None, Decimal(60), ny(2026, 10, 19, 9, 45),
                           (), Decimal(80)).status == OPEN


def test_24x7_resolution_across_dst(ny_24x7: Calendar) -> None:
    # Sat 2026-10-31 22:00 EDT -> Sun 03:00 EST = 6 real hours = 360 against 5h = 300
    r = evaluate_target(ny_24x7, ny(2026, 10, 31, 22), ny(2026, 11, 1, 3), Decimal(300),
                        ny(2026, 11, 30), (), WARN)
    assert (r.elapsed_minutes, r.status) == (Decimal(360), BREACHED)


def test_elapsed_rounds_to_hundredths_and_status_follows(gold: Calendar) -> None:
    # 30 minutes and 1 second = 30.01666.. -> 30.02 -> breached against 30
    r = evaluate_target(gold, ny(2026, 10, 19, 9), ny(2026, 10, 19, 9, 30, 1), Decimal(30),
                        MONTH_END, (), WARN)
    assert (r.elapsed_minutes, r.status) == (Decimal("30.02"), BREACHED)
    # 10 seconds = 0.1666.. -> 0.17
    r = evaluate_target(gold, ny(2026, 10, 19, 9), ny(2026, 10, 19, 9, 0, 10), Decimal(30),
                        MONTH_END, (), WARN)
    assert r.elapsed_minutes == Decimal("0.17")


def test_as_json_minutes_are_decimal_strings() -> None:
    assert TargetResult(Decimal(480), Decimal("1380.00"), BREACHED).as_json() == {
        "target_minutes": "480", "elapsed_minutes": "1380", "status": "breached"}
    assert TargetResult(Decimal(90), Decimal("1.50"), MET).as_json()["elapsed_minutes"] == "1.5"


# --- met_pct ------------------------------------------------------------------------

@pytest.mark.parametrize("met, breached, pct", [
    (2, 1, "66.7"),    # 66.666.. -> 66.7
    (1, 0, "100.0"),
    (0, 3, "0.0"),
    (1, 15, "6.3"),    # 6.25 -> 6.3 half-up (banker's rounding would give 6.2)
    (7, 1, "87.5"),
    (1, 2, "33.3"),
])
def test_met_pct(met: int, breached: int, pct: str) -> None:
    assert met_pct(met, breached) == pct


def test_met_pct_nothing_to_count() -> None:
    assert met_pct(0, 0) is None
