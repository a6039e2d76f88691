"""The SLA report (SPEC 6): golden case, as-of handling, SLA/contract choice,
breach counting, renderers, and independence from row order.

Every expected minute count is hand-computed; the arithmetic for the golden
case is in ``tests/cases/sla/01_gold_month/NOTES.md``.
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import random
import tempfile
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.activity import load_activity
from engine.activity.model import Activity, Ticket, TicketStatus
from engine.billing.period import Month
from engine.repo import Repo, load_repo
from engine.sla.render import render_json, render_markdown, render_table
from engine.sla.report import SlaReport, breach_counts, sla_report, to_json

CASE = Path(__file__).resolve().parent.parent / "cases" / "sla" / "01_gold_month"
NOV = Month(2026, 11)
NY = ZoneInfo("America/New_York")
EST = dt.timezone(dt.timedelta(hours=-5))


@pytest.fixture(scope="module")
def repo() -> Repo:
    loaded, diags = load_repo(CASE)
    assert diags == []
    return loaded


@pytest.fixture(scope="module")
def activity() -> Activity:
    loaded, diags = load_activity(CASE / "activity")
    assert diags == []
    return loaded


def _ticket(id_: str, created: str, first: str | None = None, resolved: str | None = None,
            *, customer: str = "acme", contract: str | None = None, priority: str = "high",
            sla: str | None = None, row: int = 2) -> Ticket:
    def t(text: str | None) -> dt.datetime | None:
        return None if text is None else dt.datetime.fromisoformat(text)
    created_dt = t(created)
    assert created_dt is not None
    return Ticket("tickets.csv", row, id_, customer, contract, priority, created_dt, t(first),
                  t(resolved), None, sla)


def _activity(tickets: tuple[Ticket, ...], statuses: tuple[TicketStatus, ...] = ()) -> Activity:
    return Activity(time_entries=(), tickets=tickets, ticket_status=statuses, devices=(),
                    users=(), charges=(), bad_rows=(), duplicates=(), rows_read={}, files={})


def _by_id(report: SlaReport) -> dict[str, dict]:
    return {t["id"]: t for t in to_json(report)["tickets"]}


# ---------------------------------------------------------------- golden case

def test_golden_case_matches_hand_computed_json(repo: Repo, activity: Activity) -> None:
    expected = json.loads((CASE / "expected.json").read_text(encoding="utf-8"))
    period = Month.parse((CASE / "period.txt").read_text(encoding="utf-8"))
    assert to_json(sla_report(repo, activity, period)) == expected


def test_golden_case_warns_about_the_unknown_sla_only(repo: Repo, activity: Activity) -> None:
    report = sla_report(repo, activity, NOV)
    assert [(p.file, p.line, p.col, p.code, p.severity) for p in report.problems] == [
        ("tickets.csv", 10, 0, "unknown_sla", "warning")]
    message = report.problems[0].message
    assert "T-09" in message and "'silver'" in message and "gold, platinum" in message


def test_breach_counts_feed_billing_metrics(repo: Repo, activity: Activity) -> None:
    counts = breach_counts(sla_report(repo, activity, NOV))
    assert counts == {
        "acme-managed": {"sla.breaches": Decimal(3), "sla.response_breaches": Decimal(1),
                         "sla.resolution_breaches": Decimal(2)},
        "acme-project": {"sla.breaches": Decimal(0), "sla.response_breaches": Decimal(0),
                         "sla.resolution_breaches": Decimal(0)},
        "globex-noc": {"sla.breaches": Decimal(1), "sla.response_breaches": Decimal(0),
                       "sla.resolution_breaches": Decimal(1)},
    }


def test_contract_detail_for_explain(repo: Repo, activity: Activity) -> None:
    report = sla_report(repo, activity, NOV)
    acme = report.contract("acme-managed")
    assert acme is not None
    assert (acme.met, acme.breached, acme.breached_tickets) == (6, 3, ("T-01", "T-05", "T-10"))
    t03 = next(t for t in report.tickets if t.id == "T-03")
    # the "Waiting Customer" interval, Tue 10:00 -> Wed 14:00 New York
    assert t03.pauses == ((dt.datetime(2026, 11, 10, 15, 0, tzinfo=dt.timezone.utc),
                           dt.datetime(2026, 11, 11, 19, 0, tzinfo=dt.timezone.utc)),)
    assert t03.as_of_instant == dt.datetime(2026, 12, 1, tzinfo=NY)


def test_a_ticket_breaching_both_targets_counts_in_both(repo: Repo) -> None:
    # gold critical 30m / 8h; Mon 11-02 08:00 -> response 09:00 (60 > 30),
    # resolved Tue 11-03 08:00 (Mon 08:00-18:00 = 600 > 480)
    both = _ticket("T-20", "2026-11-02T08:00:00-05:00", "2026-11-02T09:00:00-05:00",
                   "2026-11-03T08:00:00-05:00", priority="critical")
    met = _ticket("T-21", "2026-11-02T08:00:00-05:00", "2026-11-02T08:10:00-05:00",
                  "2026-11-02T09:00:00-05:00", priority="critical")
    report = sla_report(repo, _activity((met, both)), NOV)
    c = report.contract("acme-managed")
    assert c is not None
    assert (c.tickets, c.response_breaches, c.resolution_breaches, c.breaches) == (2, 1, 1, 2)
    assert c.breached_tickets == ("T-20",)
    assert c.met_pct == "50.0"  # 2 met (T-21), 2 breached (T-20)
    assert breach_counts(report)["acme-managed"]["sla.breaches"] == Decimal(2)


# ---------------------------------------------------------------- as-of

def test_explicit_aware_as_of(repo: Repo, activity: Activity) -> None:
    report = sla_report(repo, activity, NOV, dt.datetime(2026, 11, 20, 12, 0, tzinfo=EST))
    assert report.as_of == "2026-11-20T12:00:00-05:00"
    got = _by_id(report)
    # T-04: Mon-Thu 11-16..19 4 x 600 + Fri 08:00-12:00 240 = 2640 < 5400 -> open
    assert got["T-04"]["resolution"] == {"target_minutes": "7200", "elapsed_minutes": "2640",
                                         "status": "open"}
    # T-05 is created after the as-of instant: nothing has elapsed yet
    assert got["T-05"]["response"] == {"target_minutes": "60", "elapsed_minutes": "0",
                                       "status": "open"}
    # T-01 finished long before: unchanged
    assert got["T-01"]["response"]["status"] == "breached"


def test_naive_as_of_is_wall_time_in_each_sla_timezone(repo: Repo, activity: Activity) -> None:
    naive = sla_report(repo, activity, NOV, dt.datetime(2026, 11, 20, 12, 0))
    aware = sla_report(repo, activity, NOV, dt.datetime(2026, 11, 20, 12, 0, tzinfo=EST))
    assert naive.as_of == "2026-11-20T12:00:00"
    assert to_json(naive)["tickets"] == to_json(aware)["tickets"]


def test_date_as_of_means_the_end_of_that_day(repo: Repo, activity: Activity) -> None:
    report = sla_report(repo, activity, NOV, dt.date(2026, 11, 20))
    assert report.as_of == "2026-11-21T00:00:00"
    # T-04: Mon-Fri 11-16..20, 5 x 600 = 3000 < 5400 -> open
    assert _by_id(report)["T-04"]["resolution"]["elapsed_minutes"] == "3000"
    assert _by_id(report)["T-04"]["resolution"]["status"] == "open"


def test_a_ticket_finished_after_as_of_is_judged_unfinished(repo: Repo, activity: Activity) -> None:
    # T-01 (critical, 30m) responded Sat 09:20; at Sat 09:00 only Fri 17:30-18:00 had run:
    # 30 is not over 30 but >= 75% of it -> at_risk, not yet breached
    report = sla_report(repo, activity, NOV, dt.datetime(2026, 11, 7, 9, 0, tzinfo=EST))
    t01 = _by_id(report)["T-01"]
    assert t01["response"] == {"target_minutes": "30", "elapsed_minutes": "30",
                               "status": "at_risk"}
    assert t01["resolution"] == {"target_minutes": "480", "elapsed_minutes": "30",
                                 "status": "open"}


def test_as_of_must_be_a_date_or_datetime(repo: Repo, activity: Activity) -> None:
    with pytest.raises(TypeError):
        sla_report(repo, activity, NOV, "2026-11-20")  # type: ignore[arg-type]


# ---------------------------------------------------------------- choosing SLA and contract

def test_resolved_without_first_response_counts_resolution_as_response(repo: Repo) -> None:
    # gold high 1h: Tue 11-03 08:00 -> resolved 08:50, no first_response: 50 <= 60 met
    t = _ticket("T-30", "2026-11-03T08:00:00-05:00", None, "2026-11-03T08:50:00-05:00")
    got = _by_id(sla_report(repo, _activity((t,)), NOV))["T-30"]
    assert got["response"] == {"target_minutes": "60", "elapsed_minutes": "50", "status": "met"}


def test_unknown_contract_counts_nowhere_but_keeps_the_default_sla(repo: Repo) -> None:
    t = _ticket("T-31", "2026-11-03T08:00:00-05:00", "2026-11-03T08:20:00-05:00",
                contract="globex-noc")  # globex's contract named on an acme ticket
    report = sla_report(repo, _activity((t,)), NOV)
    got = _by_id(report)["T-31"]
    assert (got["contract"], got["sla"]) == (None, "gold")
    assert got["response"]["elapsed_minutes"] == "20"
    assert report.contracts == ()
    assert [(p.code, p.line) for p in report.problems] == [("unknown_contract", 2)]


def test_contract_not_in_effect_is_not_assigned(repo: Repo) -> None:
    inactive = dataclasses.replace(repo.contracts["acme-project"], status="inactive")
    other = dataclasses.replace(repo, contracts={**repo.contracts, "acme-project": inactive})
    t = _ticket("T-32", "2026-11-03T08:00:00-05:00", contract="acme-project", row=7)
    report = sla_report(other, _activity((t,)), NOV)
    assert _by_id(report)["T-32"]["contract"] is None
    assert [(p.code, p.line, p.col) for p in report.problems] == [
        ("contract_not_in_effect", 7, 0)]


def test_priority_without_a_target_has_null_targets_and_no_warning(repo: Repo) -> None:
    t = _ticket("T-33", "2026-11-03T08:00:00-05:00", priority="low", sla="platinum")
    report = sla_report(repo, _activity((t,)), NOV)
    got = _by_id(report)["T-33"]
    assert (got["sla"], got["response"], got["resolution"]) == ("platinum", None, None)
    assert report.problems == ()
    c = report.contract("acme-managed")
    assert c is not None and (c.tickets, c.met_pct) == (1, None)


def test_invalid_calendar_is_a_warning_not_a_crash(repo: Repo) -> None:
    bad = dataclasses.replace(repo.slas["gold"], calendar={"timezone": "Mars/Olympus",
                                                           "hours": "24x7"})
    other = dataclasses.replace(repo, slas={**repo.slas, "gold": bad})
    t = _ticket("T-34", "2026-11-03T08:00:00-05:00")
    report = sla_report(other, _activity((t,)), NOV)
    assert _by_id(report)["T-34"]["response"] is None
    assert [p.code for p in report.problems] == ["sla_calendar_invalid"]


def test_tickets_are_picked_by_created_date_in_their_own_offset(repo: Repo) -> None:
    inside = _ticket("T-35", "2026-11-30T23:30:00-05:00")    # 12-01 04:30Z, still Nov
    outside = _ticket("T-36", "2026-12-01T01:00:00+00:00")   # Nov 30 in New York
    report = sla_report(repo, _activity((inside, outside)), NOV)
    assert [t.id for t in report.tickets] == ["T-35"]


def test_empty_activity_gives_an_empty_report(repo: Repo) -> None:
    report = sla_report(repo, _activity(()), NOV)
    assert to_json(report) == {"as_of": "2026-12-01T00:00:00", "tickets": [], "contracts": []}
    assert "No tickets created in this month." in render_table(report)


# ---------------------------------------------------------------- renderers

def test_render_json_is_to_json(repo: Repo, activity: Activity) -> None:
    report = sla_report(repo, activity, NOV)
    assert json.loads(render_json(report)) == to_json(report)


def test_render_table_rows(repo: Repo, activity: Activity) -> None:
    text = render_table(sla_report(repo, activity, NOV))
    lines = text.splitlines()
    assert lines[0] == "SLA report 2026-11 (as of 2026-12-01T00:00:00)"
    t05 = next(l for l in lines if l.startswith("T-05"))
    assert t05.split() == ["T-05", "acme", "acme-managed", "gold", "high", "45", "/", "60",
                           "min", "met", "2640", "/", "1440", "min", "breached"]
    t08 = next(l for l in lines if l.startswith("T-08"))
    assert t08.split() == ["T-08", "initech", "-", "-", "low", "-", "-"]
    acme = next(l for l in lines if l.startswith("acme-managed "))
    assert acme.split() == ["acme-managed", "7", "1", "2", "66.7"]


def test_render_markdown_tables(repo: Repo, activity: Activity) -> None:
    text = render_markdown(sla_report(repo, activity, NOV))
    assert text.startswith("# SLA report 2026-11\n")
    rows = [[c.strip() for c in l.strip("|").split("|")] for l in text.splitlines()
            if l.startswith("| ")]
    assert ["globex-noc", "1", "0", "1", "50.0"] in rows
    assert ["T-06", "globex", "globex-noc", "platinum", "critical", "10 / 15 min met",
            "255 / 240 min breached"] in rows


# ---------------------------------------------------------------- row order

@settings(max_examples=40)
@given(st.randoms(use_true_random=False))
def test_report_does_not_depend_on_row_order(rnd: random.Random) -> None:
    loaded_repo, _ = load_repo(CASE)
    loaded, _ = load_activity(CASE / "activity")
    tickets = list(loaded.tickets)
    statuses = list(loaded.ticket_status)
    rnd.shuffle(tickets)
    rnd.shuffle(statuses)
    shuffled = dataclasses.replace(loaded, tickets=tuple(tickets), ticket_status=tuple(statuses))
    base = sla_report(loaded_repo, loaded, NOV)
    again = sla_report(loaded_repo, shuffled, NOV)
    assert to_json(again) == to_json(base)
    assert render_table(again) == render_table(base)
    assert render_markdown(again) == render_markdown(base)


@settings(max_examples=15)
@given(st.randoms(use_true_random=False))
def test_shuffled_csv_files_give_the_golden_json(rnd: random.Random) -> None:
    """End to end through the CSV loader: rows and columns in any order."""
    expected = json.loads((CASE / "expected.json").read_text(encoding="utf-8"))
    loaded_repo, _ = load_repo(CASE)
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("tickets.csv", "ticket_status.csv"):
            with open(CASE / "activity" / name, encoding="utf-8", newline="") as fh:
                header, *rows = list(csv.reader(fh))
            order = list(range(len(header)))
            rnd.shuffle(order)
            rnd.shuffle(rows)
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow([header[i] for i in order])
            writer.writerows([[r[i] for i in order] for r in rows])
            (Path(tmp) / name).write_text(out.getvalue(), encoding="utf-8")
        loaded, diags = load_activity(tmp)
        assert diags == []
        assert to_json(sla_report(loaded_repo, loaded, NOV)) == expected
