"""Scoped activity loads and the history fast path, checked against the full path.

Why: a scoped load (engine.activity.scope) leaves most rows of a year's export
unparsed, and History (engine.billing.history) sums earlier draws per day
instead of pricing each row. Both exist only to be faster; neither may change
what a preview says, except where scope.py documents a product decision
(malformed or duplicated rows of *other* months are that month's concern, so a
scoped load counts them other_period instead of holding them). The properties
below reuse the random-MSP generator of test_invariants, so every contract
type, default/named contract column and planted duplicate meets both paths;
the unit tests pin each documented decision on a hand-written folder.
"""
from __future__ import annotations

import json
import re
import tempfile
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner
from hypothesis import assume, event, given, note, strategies as st

from cli import cli
from engine.activity import Activity, load_activity
from engine.activity.scope import Scope
from engine.billing import Month, preview
from engine.billing.engine import Assigner
from engine.billing.result import Preview
from engine.billing.select import select
from engine.profiles import load_profile
from engine.repo import Repo
from engine.report.explain import render_explain
from engine.report.preview import render_json
from engine.sla.render import render_json as render_sla_json
from engine.sla.report import sla_report
from engine.validate import validate
from test_invariants import (CATALOG, CH_HEADER, RATECARD, ROLES, TE_HEADER,
                             TK_HEADER, WORK_TYPES, Generated, activity_day, charges,
                             contracts_repo, csv_text, hours_text, labor_block, tickets,
                             time_entries, write_activity, write_repo)

REPO = Path(__file__).resolve().parent.parent
OCT = (2026, 10)
HELD_KEYS = ("kind", "file", "row", "reason", "id")
_FILE_ROW = re.compile(r"[\w.-]+\.csv:\d+")

HistoryFn = Callable[[str, "str | None"], bool]


# ------------------------------------------------------------------ helpers


def app_scope(repo: Repo, month: tuple[int, int] | None) -> Scope:
    """The Scope ``tenor preview`` builds (engine.app._load_for_preview)."""
    assigner = Assigner(repo)
    return Scope(month, assigner.needs_history, assigner.needs_ticket_history)


def preview_json(repo: Repo, activity: Activity, month: tuple[int, int]) -> dict:
    result, _ = preview(repo, activity, Month(*month))
    return json.loads(render_json(result))


def comparable(report: dict) -> dict:
    """The JSON with held rows compared by what they are, not how they are worded.

    A scoped load words a month/other-month clash differently from a full
    load's conflict message; both must still name the same other copies, so a
    conflicting_duplicate message is reduced to the set of ``file:row`` it cites.
    Every other message must match exactly.
    """
    data = dict(report)
    held = []
    for h in report["held"]:
        row = {k: h[k] for k in HELD_KEYS}
        row["message"] = (sorted(set(_FILE_ROW.findall(h["message"])))
                          if h["reason"] == "conflicting_duplicate" else h["message"])
        held.append(row)
    data["held"] = sorted(held, key=lambda r: json.dumps(r, sort_keys=True))
    return data


def assert_dispositions_add_up(report: dict, activity: Activity) -> None:
    for kind, counts in report["dispositions"].items():
        assert counts["read"] == activity.rows_read[kind], kind
        assert sum(v for k, v in counts.items() if k != "read") == counts["read"], (kind, counts)


def same_preview(repo: Repo, scoped: Activity, full: Activity, month: tuple[int, int]) -> dict:
    """The scoped load's preview (returned), checked against the full load's:
    dispositions add up to the rows read, and the JSON matches (``comparable``)."""
    report = preview_json(repo, scoped, month)
    assert_dispositions_add_up(report, scoped)
    assert comparable(report) == comparable(preview_json(repo, full, month))
    return report


def month_of(text: str) -> tuple[int, int] | None:
    try:
        d = date.fromisoformat(text)
    except ValueError:
        return None
    return d.year, d.month


def left_unparsed(kind: str, row: list[str], month: tuple[int, int], history: HistoryFn) -> bool:
    """Whether a scoped load of ``month`` only counts this written row (scope.py's rules)."""
    m = month_of(row[1])
    if m is None or m == month:
        return False
    if kind == "charges" or m > month:
        return True
    return not history(row[2].strip(), row[3].strip() or None)


def expected_scoped(full: Preview, written: dict[str, list[list[str]]], month: tuple[int, int],
                    history: HistoryFn) -> tuple[dict, Counter]:
    """The full load's report (JSON, and disposition counts per customer and
    contract column, which --customer/--contract recount) as a scoped load must
    give it.

    The documented differences only: a held row (invalid value, exact or
    conflicting copy) whose every copy is of another month and feeds no
    balance is counted other_period instead. A group with *one* copy the scoped
    load parses keeps all its held copies (a clash across months is a conflict).
    """
    gone: dict[tuple[str, str, int], list[str]] = {}
    for kind, rows in written.items():
        name = f"{kind}.csv"
        by_id: dict[str, list[int]] = defaultdict(list)
        for i, row in enumerate(rows):
            by_id[row[0]].append(i)
        for ids in by_id.values():
            if all(left_unparsed(kind, rows[i], month, history) for i in ids):
                gone.update(((kind, name, i + 2), rows[i]) for i in ids)   # header is line 1
    data = json.loads(render_json(full))
    counts = Counter(full.rows)
    held, data["held"] = data["held"], []
    for h in held:
        row = gone.get((h["kind"], h["file"], h["row"]))
        if row is None:
            data["held"].append(h)
            continue
        assert h["reason"] in ("invalid_row", "duplicate_row", "conflicting_duplicate"), h
        data["dispositions"][h["kind"]]["held"] -= 1
        data["dispositions"][h["kind"]]["other_period"] += 1
        counts[(h["kind"], None, None, "held")] -= 1
        counts[(h["kind"], row[2].strip() or None, row[3].strip() or None, "other_period")] += 1
    return data, +counts


# --------------------------------------------------------------- strategies


@st.composite
def te_rows(draw: st.DrawFn) -> list[list[str]]:
    """test_invariants' time entries plus, sometimes, the same id on another date
    (a clash across months) and rows with a malformed value (unique ids)."""
    rows = draw(time_entries())
    if rows and draw(st.booleans()):
        moved = list(draw(st.sampled_from(rows)))
        moved[1] = str(draw(activity_day))
        rows.append(moved)
    for i in range(draw(st.integers(0, 2))):
        bad = list(draw(st.sampled_from(rows))) if rows else [
            "", "2026-10-01", "alpha", "", "", "Sam", "technician", "remote", "1", "true",
            "true", "x"]
        bad[0] = f"BAD-{i}"
        what = draw(st.sampled_from(["hours", "hours", "date"]))
        if what == "hours":
            bad[8] = draw(st.sampled_from(["lots", "-1", "25"]))
        else:
            bad[1] = "2026-13-01"
        rows.append(bad)
    return rows


@st.composite
def ch_rows(draw: st.DrawFn) -> list[list[str]]:
    """test_invariants' charges plus exact, conflicting and moved copies (it plants none)."""
    rows = draw(charges())
    for _ in range(draw(st.integers(0, 2))):
        if not rows:
            break
        copy = list(draw(st.sampled_from(rows)))
        how = draw(st.sampled_from(["exact", "conflict", "moved"]))
        if how == "conflict":
            copy[8] += " again"
        elif how == "moved":
            copy[1] = str(draw(activity_day))
        rows.append(copy)
    return rows


# --------------------------------------------- 1. scoped == full (property)


@given(gen=contracts_repo(), te=te_rows(), ch=ch_rows(), tk=tickets())
def test_scoped_load_gives_the_full_loads_preview(gen: Generated, te: list, ch: list,
                                                  tk: list) -> None:
    """Scoped to October (as the brief's Scope, and as the app builds it) and to
    the latest month: the same preview as a full load, up to scope.py's rules."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_repo(root, gen)
        repo, diags = validate(root)
        assume(not any(d.is_error for d in diags))
        folder = root / "act"
        write_activity(folder, te, ch, tk)
        written = {"time_entries": te, "charges": ch}
        full, _ = load_activity(folder)
        history = Assigner(repo).needs_history

        latest = full.latest_month()
        for scope in (Scope(OCT, history), app_scope(repo, OCT), app_scope(repo, None)):
            scoped, _ = load_activity(folder, scope=scope)
            note(f"scope month {scope.month} -> {scoped.month}")
            assert scoped.rows_read == full.rows_read
            month = scope.month
            if month is None:
                # the latest month any written row is dated in (a ticket by the
                # date part of its creation time; held rows count too)
                month = scoped.month
                dated = [month_of(r[1]) for r in te + ch] + [month_of(r[4][:10]) for r in tk]
                assert month == max(filter(None, dated), default=None)
                if latest is not None and month != latest:
                    note(f"full load's latest month is {latest}: a ticket whose time "
                         "part does not read dates a scoped load only")
                if month is None:
                    continue
            result, _ = preview(repo, scoped, Month(*month))
            got = json.loads(render_json(result))
            assert_dispositions_add_up(got, scoped)
            want, counts = expected_scoped(preview(repo, full, Month(*month))[0], written,
                                           month, history)
            assert comparable(got) == comparable(want)
            assert +Counter(result.rows) == counts


# --------------------------------------- 2. balances chain across months


_FIELD = re.compile(r"^(id|customer|type|status|start|end|default): (\S+)$", re.M)
CHAIN = [(2026, 9), (2026, 10), (2026, 11)]

FIXED_PRICE = """\
apiVersion: tenor/v1
kind: Contract
id: {customer}-fp
customer: {customer}
name: Project of {customer}
type: fixed_price
status: {status}
start: {start}
end: 2026-12-31
{estimate}{labor}fixed_price:
  amount: 5000.00
"""


def history_contracts(gen: Generated) -> list[dict[str, str]]:
    """The generated contracts whose earlier time entries History replays."""
    out = []
    for text in gen.files.values():
        fields = dict(_FIELD.findall(text))
        if fields.get("type") in ("block_hours", "retainer", "fixed_price"):
            out.append(fields)
    return out


@st.composite
def chained_msp(draw: st.DrawFn) -> tuple[Generated, list[list[str]], list, list]:
    """A random MSP (plus, sometimes, a named fixed-price project per customer,
    a type test_invariants does not generate) whose balance and fixed-price
    contracts get time entries in September and October, so the rows October
    replays through History are never missing (the chain must be able to break)."""
    gen = draw(contracts_repo())
    customers = sorted({f["customer"] for f in map(lambda t: dict(_FIELD.findall(t)),
                                                    gen.files.values()) if "customer" in f})
    for customer in customers:
        if draw(st.booleans()):
            estimate = f"estimated_hours: {draw(st.integers(1, 80))}\n" if draw(
                st.booleans()) else ""
            start = date(2026, 8, 1) + timedelta(days=draw(st.integers(0, 60)))
            status = draw(st.sampled_from(["active", "active", "active", "inactive"]))
            gen.files[f"contracts.d/{customer}-fp.yaml"] = FIXED_PRICE.format(
                customer=customer, start=start, status=status, estimate=estimate,
                labor=draw(labor_block()))
    te = draw(time_entries())
    n = len(te)
    for c in history_contracts(gen):
        start, end = date.fromisoformat(c["start"]), date.fromisoformat(c["end"])
        for first, last in ((date(2026, 9, 1), date(2026, 9, 30)),
                            (date(2026, 10, 1), date(2026, 10, 31))):
            lo, hi = max(first, start), min(last, end)
            if lo > hi:
                continue
            for _ in range(draw(st.integers(1, 4))):
                day = lo + timedelta(days=draw(st.integers(0, (hi - lo).days)))
                named = c["id"] if c.get("default") != "true" or draw(st.booleans()) else ""
                te.append([f"TE-{n}", str(day), c["customer"], named, "", "Sam",
                           draw(st.sampled_from(ROLES)), draw(st.sampled_from(WORK_TYPES)),
                           draw(hours_text), "true", draw(st.sampled_from(["true", "false"])),
                           f"work {n}"])
                n += 1
    return gen, te, draw(charges()), draw(tickets())


@given(msp=chained_msp())
def test_history_agrees_with_row_by_row_pricing(msp: tuple) -> None:
    """Month M's preview prices M's rows one by one; M+1's replays them through
    History. So M's closing balance must be M+1's opening, and fixed-price hours
    used to date must grow by exactly what M+1's own rows add."""
    gen, te, ch, tk = msp
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_repo(root, gen)
        repo, diags = validate(root)
        assume(not any(d.is_error for d in diags))
        write_activity(root / "act", te, ch, tk)
        full, _ = load_activity(root / "act")
        reports = {m: preview_json(repo, full, m) for m in CHAIN}
        chained = 0
        for before, after in zip(CHAIN, CHAIN[1:]):
            closing = {b["contract"]: b for b in reports[before]["balances"]}
            for b in reports[after]["balances"]:
                prev = closing.get(b["contract"])
                if prev is None:
                    continue
                assert prev["unit"] == b["unit"], (prev, b)
                assert prev["closing"] == b["opening"], (before, prev, b)
                chained += prev["used"] != "0"

            # fixed price: to date(after) == to date(before) + after's own rows
            own = [r for r in te if month_of(r[1]) == after]
            write_activity(root / f"own-{after[1]}", own, [], [])
            alone, _ = load_activity(root / f"own-{after[1]}")
            added = {f["contract"]: Decimal(f["hours_used"])
                     for f in preview_json(repo, alone, after)["fixed_price"]}
            to_date = {f["contract"]: Decimal(f["hours_used"])
                       for f in reports[before]["fixed_price"]}
            for f in reports[after]["fixed_price"]:
                if f["contract"] in to_date:
                    assert Decimal(f["hours_used"]) == to_date[f["contract"]] + added.get(
                        f["contract"], Decimal(0)), (after, f)
                    chained += to_date[f["contract"]] != 0
        event(f"chained with earlier draws: {chained > 0}")
        # the chain was exercised with real draws (the earlier month priced row by row)
        assume(chained > 0 or not history_contracts(gen))


# ------------------------------------------------ 3. hand-written folders


CONTRACT = """\
apiVersion: tenor/v1
kind: Contract
id: {id}
customer: {customer}
name: Contract {id}
type: {type}
status: active
start: 2026-01-01
end: 2027-12-31
default: true
{extra}"""

BLOCK = "block_hours:\n  blocks:\n    - {date: 2026-01-01, hours: 40, price: 4000.00}\n"


def small_repo(root: Path) -> Repo:
    """acme: time and materials (no history); bolt: block hours (history matters)."""
    files = {
        "contracts.d/ratecard.yaml": RATECARD.format(
            technician="100.00", engineer="150.00", senior_engineer="200.00", default_rate=""),
        "contracts.d/catalog.yaml": CATALOG,
        "contracts.d/acme.yaml": CONTRACT.format(id="acme-tm", customer="acme",
                                                 type="time_and_materials", extra=""),
        "contracts.d/bolt.yaml": CONTRACT.format(id="bolt-block", customer="bolt",
                                                 type="block_hours", extra=BLOCK),
    }
    write_repo(root, Generated(files))
    repo, diags = validate(root)
    assert not [d for d in diags if d.is_error], diags
    return repo


def entry(row_id: str, day: str, customer: str = "acme", hours: str = "1", contract: str = ""
       ) -> list[str]:
    return [row_id, day, customer, contract, "", "Sam", "technician", "remote", hours, "true",
            "true", f"work {row_id}"]


def write(folder: Path, name: str, header: list[str], rows: list[list[str]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(csv_text(header, rows), encoding="utf-8")


def held(activity: Activity) -> list[tuple]:
    return [(b.kind, b.file, b.row, b.id, b.reason) for b in activity.bad_rows]


def codes(diags: list) -> list[tuple[int, str]]:
    return [(d.line, d.code) for d in diags if d.is_error]


def test_bad_value_in_another_month_is_other_period_in_a_scoped_load(tmp_path: Path) -> None:
    repo = small_repo(tmp_path)
    folder = tmp_path / "act"
    write(folder, "time_entries.csv", TE_HEADER,
          [entry("TE-1", "2026-09-10", hours="lots"), entry("TE-2", "2026-10-02")])
    full, full_diags = load_activity(folder)
    assert held(full) == [("time_entries", "time_entries.csv", 2, "TE-1", "invalid_row")]
    assert [line for line, _ in codes(full_diags)] == [2]

    scoped, diags = load_activity(folder, scope=app_scope(repo, OCT))
    assert scoped.bad_rows == ()
    assert codes(diags) == []
    assert scoped.other_period == {("time_entries", "acme", None): 1}
    assert [e.id for e in scoped.time_entries] == ["TE-2"]
    assert scoped.rows_read["time_entries"] == 2
    report = preview_json(repo, scoped, OCT)
    assert report["held"] == []
    assert report["dispositions"]["time_entries"]["other_period"] == 1
    assert_dispositions_add_up(report, scoped)


def test_bad_value_in_the_month_is_held_by_both_loads(tmp_path: Path) -> None:
    repo = small_repo(tmp_path)
    folder = tmp_path / "act"
    write(folder, "time_entries.csv", TE_HEADER,
          [entry("TE-1", "2026-10-10", hours="lots"), entry("TE-2", "2026-10-02")])
    for scope in (None, app_scope(repo, OCT), app_scope(repo, None)):
        activity, diags = load_activity(folder, scope=scope)
        assert held(activity) == [("time_entries", "time_entries.csv", 2, "TE-1",
                                   "invalid_row")], scope
        assert [line for line, _ in codes(diags)] == [2], scope
        report = preview_json(repo, activity, OCT)
        assert [(h["row"], h["reason"]) for h in report["held"]] == [(2, "invalid_row")]
        assert_dispositions_add_up(report, activity)


def test_bad_value_feeding_a_balance_is_held_in_a_scoped_load(tmp_path: Path) -> None:
    """An earlier row of a block-hours customer is parsed (it may draw), so it is checked."""
    repo = small_repo(tmp_path)
    folder = tmp_path / "act"
    write(folder, "time_entries.csv", TE_HEADER,
          [entry("TE-1", "2026-09-10", customer="bolt", hours="lots"), entry("TE-2", "2026-10-02")])
    scoped, diags = load_activity(folder, scope=app_scope(repo, OCT))
    assert held(scoped) == [("time_entries", "time_entries.csv", 2, "TE-1", "invalid_row")]
    assert scoped.other_period == {}


def test_bad_date_is_held_whatever_the_month(tmp_path: Path) -> None:
    repo = small_repo(tmp_path)
    folder = tmp_path / "act"
    write(folder, "time_entries.csv", TE_HEADER,
          [entry("TE-1", "2026-13-10"), entry("TE-2", "2026-10-02")])
    scoped, _ = load_activity(folder, scope=app_scope(repo, OCT))
    assert held(scoped) == [("time_entries", "time_entries.csv", 2, "TE-1", "invalid_row")]


def test_same_id_in_the_month_and_another_month_holds_every_copy(tmp_path: Path) -> None:
    repo = small_repo(tmp_path)
    folder = tmp_path / "act"
    write(folder, "time_entries.csv", TE_HEADER,
          [entry("TE-1", "2026-10-05"), entry("TE-2", "2026-10-06"), entry("TE-3", "2026-08-01")])
    write(folder, "time_entries_old.csv", TE_HEADER, [entry("TE-1", "2026-09-05")])
    full, _ = load_activity(folder)
    for scope in (app_scope(repo, OCT), app_scope(repo, None)):
        scoped, diags = load_activity(folder, scope=scope)
        assert held(scoped) == [
            ("time_entries", "time_entries.csv", 2, "TE-1", "conflicting_duplicate"),
            ("time_entries", "time_entries_old.csv", 2, "TE-1", "conflicting_duplicate")]
        assert codes(diags) == [(2, "activity_conflicting_duplicate")] * 2
        # each message names the other copy
        messages = {b.file: b.message for b in scoped.bad_rows}
        assert "time_entries_old.csv:2" in messages["time_entries.csv"]
        assert "time_entries.csv:2" in messages["time_entries_old.csv"]
        assert [e.id for e in scoped.time_entries] == ["TE-2"]
        assert scoped.other_period == {("time_entries", "acme", None): 1}      # TE-3
        assert scoped.rows_read == full.rows_read
        report = same_preview(repo, scoped, full, OCT)
        assert report["dispositions"]["time_entries"] == {
            "read": 4, "billed": 1, "covered": 0, "drawn": 0, "non_billable": 0,
            "other_period": 1, "held": 2}


def test_two_copies_both_in_another_month_are_two_other_period_rows(tmp_path: Path) -> None:
    repo = small_repo(tmp_path)
    folder = tmp_path / "act"
    write(folder, "time_entries.csv", TE_HEADER,
          [entry("TE-1", "2026-09-05"), entry("TE-1", "2026-09-05"), entry("TE-2", "2026-10-06")])
    full, _ = load_activity(folder)
    assert [d.reason for d in full.duplicates] == ["duplicate_row"]
    scoped, diags = load_activity(folder, scope=app_scope(repo, OCT))
    assert scoped.duplicates == () and scoped.bad_rows == () and diags == []
    assert scoped.other_period == {("time_entries", "acme", None): 2}
    report = preview_json(repo, scoped, OCT)
    assert report["dispositions"]["time_entries"]["other_period"] == 2
    assert_dispositions_add_up(report, scoped)


def test_copies_of_earlier_rows_feeding_a_balance_are_held_as_in_a_full_load(
        tmp_path: Path) -> None:
    """Earlier rows that feed a balance are read (even when not built as rows):
    their duplicates must be found exactly as a full load finds them."""
    repo = small_repo(tmp_path)
    folder = tmp_path / "act"
    bolt = dict(customer="bolt")
    write(folder, "time_entries.csv", TE_HEADER,
          [entry("TE-1", "2026-09-01", **bolt), entry("TE-1", "2026-09-01", **bolt),
           entry("TE-2", "2026-09-02", **bolt), entry("TE-2", "2026-09-02", hours="2", **bolt),
           entry("TE-3", "2026-09-03", **bolt), entry("TE-4", "2026-09-04", hours="3", **bolt),
           entry("TE-5", "2026-10-05", **bolt)])
    write(folder, "time_entries_b.csv", TE_HEADER, [entry("TE-3", "2026-10-03", **bolt)])
    full, _ = load_activity(folder)
    want = preview_json(repo, full, OCT)
    assert [(h["row"], h["reason"]) for h in want["held"]] == [
        (3, "duplicate_row"), (4, "conflicting_duplicate"), (5, "conflicting_duplicate"),
        (6, "conflicting_duplicate"), (2, "conflicting_duplicate")]
    assert [(b["opening"], b["used"]) for b in want["balances"]] == [("36", "1")]
    for scope in (app_scope(repo, OCT), app_scope(repo, None)):
        scoped, _ = load_activity(folder, scope=scope)
        assert scoped.rows_read == full.rows_read
        got = preview_json(repo, scoped, OCT)
        assert_dispositions_add_up(got, scoped)
        assert comparable(got) == comparable(want)


def test_bad_copy_in_another_month_does_not_hold_the_months_row(tmp_path: Path) -> None:
    """A full load leaves an invalid row out of duplicate detection, so the
    month's good TE-1 is billed. A scoped load must not turn the other month's
    unparsed bad copy into a clash that holds the good row."""
    repo = small_repo(tmp_path)
    folder = tmp_path / "act"
    write(folder, "time_entries.csv", TE_HEADER,
          [entry("TE-1", "2026-10-05"), entry("TE-1", "2026-09-05", hours="lots")])
    full, _ = load_activity(folder)
    full_report = preview_json(repo, full, OCT)
    assert full_report["dispositions"]["time_entries"]["billed"] == 1
    scoped, _ = load_activity(folder, scope=app_scope(repo, OCT))
    report = preview_json(repo, scoped, OCT)
    assert_dispositions_add_up(report, scoped)
    assert report["invoices"] == full_report["invoices"]
    assert report["dispositions"]["time_entries"]["billed"] == 1


@pytest.mark.parametrize("rows", [
    [entry("TE-1", "2026-10-05"), entry("TE-2", "2026-11-02", hours="lots")],
    [entry("TE-1", "2026-10-05"), entry("TE-2", "2026-11-02"),
     entry("TE-2", "2026-11-02", hours="2")],
], ids=["invalid_row", "conflicting_duplicate"])
def test_default_month_counts_held_rows(tmp_path: Path, rows: list) -> None:
    """Decision (README, Preview): with no --period the month is the latest month of
    any row whose date reads, held or not. A November entry with bad hours, or two
    conflicting copies dated in November, make the default month November: the
    preview then shows those rows held, instead of silently previewing October.
    A full load and a scoped load must agree (revenue reads a full load)."""
    repo = small_repo(tmp_path)
    folder = tmp_path / "act"
    write(folder, "time_entries.csv", TE_HEADER, rows)
    full, _ = load_activity(folder)
    assert full.latest_month() == (2026, 11)
    scoped, _ = load_activity(folder, scope=app_scope(repo, None))
    assert scoped.latest_month() == full.latest_month()


def test_short_row_of_another_month_is_counted_once(tmp_path: Path) -> None:
    """Regression: a row cut short before the contract column (``CH-1,2026-09-01,acme``)
    dated in another month once had its id and customer counted before the missing
    contract cell sent it to be parsed as well: counted twice, and the counted-only
    lists shifted. A row too short to classify is parsed (and held invalid_row),
    exactly once, as in a full load."""
    repo = small_repo(tmp_path)
    folder = tmp_path / "act"
    folder.mkdir()
    (folder / "charges.csv").write_text(
        csv_text(CH_HEADER, [["CH-1", "2026-09-01", "acme"],
                             ["CH-2", "2026-09-02", "bolt", "bolt-block", "", "LIC-A", "1", "",
                              "x"],
                             ["CH-3", "2026-10-02", "acme", "", "", "LIC-A", "1", "", "x"]]),
        encoding="utf-8")
    write(folder, "time_entries.csv", TE_HEADER,
          [entry("TE-1", "2026-10-02"), ["TE-2", "2026-11-03", "acme"]])
    full, _ = load_activity(folder)
    assert full.rows_read["charges"] == 3 and full.rows_read["time_entries"] == 2
    scoped, _ = load_activity(folder, scope=app_scope(repo, OCT))
    assert scoped.rows_read == full.rows_read
    assert held(scoped) == held(full) == [
        ("charges", "charges.csv", 2, "CH-1", "invalid_row"),
        ("time_entries", "time_entries.csv", 3, "TE-2", "invalid_row")]
    assert scoped.other_period == {("charges", "bolt", "bolt-block"): 1}
    same_preview(repo, scoped, full, OCT)


def test_default_month_comes_from_a_later_ticket(tmp_path: Path) -> None:
    repo = small_repo(tmp_path)
    folder = tmp_path / "act"
    write(folder, "time_entries.csv", TE_HEADER,
          [entry("TE-1", "2026-09-05"), entry("TE-2", "2026-10-06"), entry("TE-3", "2026-10-30")])
    write(folder, "tickets.csv", TK_HEADER,
          [["T-1", "acme", "", "low", "2026-11-02T10:00:00-04:00", "", "", "open", ""]])
    full, _ = load_activity(folder)
    assert full.latest_month() == (2026, 11)
    scoped, _ = load_activity(folder, scope=app_scope(repo, None))
    assert scoped.month == (2026, 11)
    assert scoped.latest_month() == (2026, 11)
    assert scoped.time_entries == ()
    assert scoped.other_period == {("time_entries", "acme", None): 3}
    assert [t.id for t in scoped.tickets] == ["T-1"]
    report = same_preview(repo, scoped, full, (2026, 11))
    assert report["dispositions"]["time_entries"]["other_period"] == 3


def test_default_month_rises_across_files(tmp_path: Path) -> None:
    """Rows kept raw for the latest month so far are settled when a later file
    (sorted after it) shows a later month: history-feeding ones still draw."""
    repo = small_repo(tmp_path)
    folder = tmp_path / "act"
    write(folder, "time_entries_a.csv", TE_HEADER,
          [entry("TE-1", "2026-09-05"), entry("TE-2", "2026-09-06", customer="bolt", hours="2")])
    write(folder, "time_entries_b.csv", TE_HEADER, [entry("TE-3", "2026-10-06", customer="bolt")])
    scoped, _ = load_activity(folder, scope=app_scope(repo, None))
    assert scoped.month == OCT
    assert [e.id for e in scoped.time_entries] == ["TE-3"]
    assert scoped.other_period == {("time_entries", "acme", None): 1}
    full, _ = load_activity(folder)
    report = same_preview(repo, scoped, full, OCT)
    [balance] = report["balances"]
    assert (balance["opening"], balance["used"]) == ("38", "1")     # TE-2 drew 2h in Sept


def test_time_entries_without_a_contract_column(tmp_path: Path) -> None:
    repo = small_repo(tmp_path)
    folder = tmp_path / "act"
    header = [c for c in TE_HEADER if c != "contract"]
    rows = [entry("TE-1", "2026-09-05"), entry("TE-2", "2026-09-06", customer="bolt", hours="3"),
            entry("TE-3", "2026-10-06", customer="bolt", hours="2"), entry("TE-4", "2026-10-07"),
            entry("TE-5", "2026-11-01", customer="bolt")]
    for r in rows:
        del r[3]
    write(folder, "time_entries.csv", header, rows)
    full, _ = load_activity(folder)
    for scope in (app_scope(repo, OCT), app_scope(repo, None)):
        scoped, diags = load_activity(folder, scope=scope)
        assert codes(diags) == []
        assert scoped.rows_read["time_entries"] == 5
        month = scoped.month or OCT
        report = same_preview(repo, scoped, full, month)
        if scope.month == OCT:
            # bolt's September row is not other_period and drew: history honoured
            # (whether it is built as a row is the loader's business)
            assert {e.id for e in scoped.time_entries} - {"TE-2"} == {"TE-3", "TE-4"}
            assert scoped.other_period == {("time_entries", "acme", None): 1,
                                           ("time_entries", "bolt", None): 1}
            [balance] = report["balances"]
            assert (balance["contract"], balance["opening"], balance["used"]) == (
                "bolt-block", "37", "2")


def test_statuses_of_other_months_tickets_are_counted_not_parsed(tmp_path: Path) -> None:
    repo = small_repo(tmp_path)
    folder = tmp_path / "act"
    write(folder, "time_entries.csv", TE_HEADER, [entry("TE-1", "2026-10-05")])
    write(folder, "tickets.csv", TK_HEADER,
          [["T-1", "acme", "", "low", "2026-09-28T10:00:00-04:00", "", "", "open", ""],
           ["T-2", "acme", "", "high", "2026-10-02T10:00:00-04:00", "", "", "open", ""],
           ["T-3", "bolt", "", "low", "2026-11-01T10:00:00-04:00", "", "", "open", ""]])
    write(folder, "ticket_status.csv", ["ticket", "at", "status"],
          [["T-1", "2026-09-28T10:00:00-04:00", "new"],
           ["T-1", "2026-10-03T10:00:00-04:00", "in_progress"],
           ["T-2", "2026-10-02T10:00:00-04:00", "new"],
           ["T-2", "2026-10-02T12:00:00-04:00", "resolved"],
           ["T-3", "2026-11-01T10:00:00-04:00", "new"],
           ["T-3", "not a time", "new"]])           # would be an error if parsed
    full, full_diags = load_activity(folder)
    assert len(full.ticket_status) == 5
    assert [line for line, _ in codes(full_diags)] == [7]
    scoped, diags = load_activity(folder, scope=app_scope(repo, OCT))
    assert {s.ticket for s in scoped.ticket_status} == {"T-2"}
    assert [(s.row, s.status) for s in scoped.ticket_status] == [(4, "new"), (5, "resolved")]
    assert codes(diags) == []
    assert scoped.rows_read == full.rows_read
    assert scoped.rows_read["ticket_status"] == 6


@pytest.fixture(scope="module")
def sample() -> tuple[Repo, Activity]:
    repo, _ = validate(REPO)
    full, _ = load_activity(REPO / "examples" / "activity")
    return repo, full


def invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, [*args, "--root", str(REPO)])
    assert result.exit_code == 0, (args, result.output)
    return result.stdout


@pytest.mark.parametrize("args", [
    ["--period", "2026-10"], ["--period", "2026-09"], ["--period", "2026-08"], [],
    ["--period", "2026-10", "--customer", "pinecrest-logistics"],
    ["--period", "2026-10", "--contract", "harbor-dental-managed"],
    ["--period", "2026-10", "--jobs", "3"], ["--jobs", "2"],
])
def test_cli_preview_matches_a_full_load(sample: tuple[Repo, Activity], args: list[str]) -> None:
    """``tenor preview`` (a scoped load) is byte for byte the preview of the whole folder."""
    repo, full = sample
    out = invoke("preview", "--format", "json", *args)
    month = Month.parse(args[1]) if args[:1] == ["--period"] else Month(*full.latest_month())
    expected, _ = preview(repo, full, month)
    customers = args[3:4] if "--customer" in args else []
    contracts = args[3:4] if "--contract" in args else []
    assert out == render_json(select(expected, customers, contracts))


@pytest.mark.parametrize("args", [["--period", "2026-10"], ["--period", "2026-09"], []])
def test_cli_sla_matches_a_full_load(sample: tuple[Repo, Activity], args: list[str]) -> None:
    """``tenor sla`` reads only the month's statuses; the report must not notice."""
    repo, full = sample
    out = invoke("sla", "--format", "json", *args)
    month = Month.parse(args[1]) if args[:1] == ["--period"] else Month(*full.latest_month())
    assert out == render_sla_json(sla_report(repo, full, month))
    assert json.loads(out)["tickets"]


@pytest.mark.parametrize("contract", ["pinecrest-blocks", "harbor-dental-managed"])
def test_cli_explain_matches_a_full_load(sample: tuple[Repo, Activity], contract: str) -> None:
    repo, full = sample
    out = invoke("explain", contract, "--period", "2026-10")
    result, _ = preview(repo, full, Month(2026, 10))
    assert out == render_explain(result, repo.contracts[contract])


def test_scoped_load_through_an_import_profile(tmp_path: Path) -> None:
    """PSA feeds go through the same scan (a feed row may already carry problems)."""
    case = REPO / "tests" / "cases" / "profiles" / "billing"
    repo, _ = validate(case)
    for folder, name in (("autotask", "autotask-acme.yaml"), ("connectwise",
                                                              "connectwise-acme.yaml")):
        profile, _ = load_profile(str(case / "profiles" / name))
        full, _ = load_activity(case / folder, profile=profile)
        for month in (OCT, None):
            profile, _ = load_profile(str(case / "profiles" / name))
            scoped, _ = load_activity(case / folder, profile=profile,
                                      scope=app_scope(repo, month))
            assert scoped.rows_read == full.rows_read
            assert scoped.other_period, "the case has rows of another month"
            month = month or scoped.month
            assert month == full.latest_month() == OCT
            report = preview_json(repo, scoped, month)
            assert_dispositions_add_up(report, scoped)
            assert report == preview_json(repo, full, month), folder
