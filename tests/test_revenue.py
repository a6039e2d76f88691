"""Revenue recognition (SPEC 10): hand-computed schedules, properties and the CLI.

Three layers, because each catches a different kind of mistake:

* golden cases (``tests/cases/revenue/*``): tiny contracts repos whose month-by-month
  billed / recognised / deferred figures were worked out BY HAND from the SPEC (the
  arithmetic is in each folder's ``NOTES.md``); the engine must reproduce them exactly;
* hypothesis properties over generated contracts and activity: over a contract's whole
  life recognised == billed to the cent, and deferred revenue never goes negative;
* the command line: JSON keys, CSV, ``--customer``, ``--period`` versus ``--from/--to``.

Why the golden runs happen inside the case folder: ``--root .`` and ``--activity activity``
keep the run independent of where pytest was started.
"""
from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Sequence

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from cli import cli
from engine.activity import load_activity
from engine.billing import Month
from engine.revenue import revenue
from engine.validate import validate

CASES_DIR = Path(__file__).parent / "cases" / "revenue"
CASES = sorted(p for p in CASES_DIR.iterdir() if (p / "expected.json").is_file())
FIELDS = ("billed", "recognised", "deferred_opening", "deferred_closing")
ZERO = Decimal("0.00")


def run_cli(folder: Path, args: list[str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    """``tenor revenue --root . --activity activity ARGS`` from inside ``folder``."""
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(cli, ["revenue", "--root", ".", "--activity", "activity", *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def run_case(case: Path, monkeypatch: pytest.MonkeyPatch, extra: list[str] | None = None) -> dict:
    args = (case / "args.txt").read_text(encoding="utf-8").split()
    code, out, err = run_cli(case, args + (extra or ["--format", "json"]), monkeypatch)
    assert code == 0, f"tenor revenue exited {code}\nstdout:\n{out}\nstderr:\n{err}"
    assert err == "", f"{case.name}: the case must load cleanly, got:\n{err}"
    return json.loads(out)


def cell(data: dict, month: str, contract: str) -> dict[str, Decimal]:
    """The four figures of one contract in one month (all zero when the row is left out)."""
    for m in data["months"]:
        if m["month"] == month:
            for row in m["contracts"]:
                if row["contract"] == contract:
                    return {f: Decimal(row[f]) for f in FIELDS}
            return {f: ZERO for f in FIELDS}
    raise AssertionError(f"month {month} missing from the output")


# --------------------------------------------------------------------------- golden cases

@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_revenue_matches_hand_computed_golden(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    got = run_case(case, monkeypatch)
    assert got == expected, (
        f"{case.name}: tenor revenue differs from the hand computation (see NOTES.md)\n"
        f"expected: {json.dumps(expected, indent=1)}\ngot: {json.dumps(got, indent=1)}")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_files_are_self_consistent(case: Path) -> None:
    """Catches a typo in an expected.json: the deferred roll-forward must close, month to month,
    the customer totals must add up, and every case covers its contracts' whole revenue life, so
    the range ends with nothing deferred and recognised == billed."""
    data = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    closing: dict[str, Decimal] = {}
    billed = recognised = ZERO
    for m in data["months"]:
        for row in m["contracts"]:
            v = {f: Decimal(row[f]) for f in FIELDS}
            assert v["deferred_opening"] == closing.get(row["contract"], ZERO), (m["month"], row)
            assert v["deferred_closing"] == v["deferred_opening"] + v["billed"] - v["recognised"]
            assert v["deferred_closing"] >= 0
            closing[row["contract"]] = v["deferred_closing"]
            billed += v["billed"]
            recognised += v["recognised"]
        for cust in m["customers"]:
            for f in FIELDS:
                assert Decimal(cust[f]) == sum((Decimal(r[f]) for r in m["contracts"]
                                                if r["customer"] == cust["customer"]), ZERO)
    assert billed == recognised
    assert all(v == 0 for v in closing.values())


def test_block_breakage_is_recognised_in_the_expiry_month(monkeypatch: pytest.MonkeyPatch) -> None:
    """8 + 9 + 1 of 20 hours at 120.00/h; the 2 left expire on 10-31: 120.00 used + 240.00 breakage."""
    data = run_case(CASES_DIR / "02_block_hours_breakage", monkeypatch)
    october = cell(data, "2026-10", "alpha-blocks")
    assert october["recognised"] == Decimal("120.00") + Decimal("240.00")
    assert october["deferred_closing"] == ZERO
    # November's 2 hours find no block: overage 2 x 150.00, recognised when billed
    assert cell(data, "2026-11", "alpha-blocks") == {
        "billed": Decimal("300.00"), "recognised": Decimal("300.00"),
        "deferred_opening": ZERO, "deferred_closing": ZERO}


def test_quarterly_service_months_sum_exactly_to_the_fee(monkeypatch: pytest.MonkeyPatch) -> None:
    data = run_case(CASES_DIR / "03_quarterly_service", monkeypatch)
    months = [cell(data, m, "beta-managed")["recognised"] for m in ("2026-10", "2026-11", "2026-12")]
    assert months == [Decimal("1010.87"), Decimal("978.26"), Decimal("1010.87")]
    assert sum(months, ZERO) == Decimal("3000.00")


def test_single_month_still_replays_earlier_months(monkeypatch: pytest.MonkeyPatch) -> None:
    """--period 2026-11 alone must open with October's deferral (1989.13), not with zero."""
    case = CASES_DIR / "03_quarterly_service"
    code, out, _ = run_cli(case, ["--period", "2026-11", "--format", "json"], monkeypatch)
    assert code == 0
    data = json.loads(out)
    assert [m["month"] for m in data["months"]] == ["2026-11"]
    assert cell(data, "2026-11", "beta-managed") == {
        "billed": ZERO, "recognised": Decimal("978.26"),
        "deferred_opening": Decimal("1989.13"), "deferred_closing": Decimal("1010.87")}


# --------------------------------------------------------------------------- the CLI

@pytest.fixture()
def two_customers(tmp_path: Path) -> Path:
    """alpha (case 01, block hours Aug-Oct) and beta (case 03, quarterly service Oct-Dec)."""
    shutil.copytree(CASES_DIR / "01_block_hours_used" / "contracts.d", tmp_path / "contracts.d")
    shutil.copy(CASES_DIR / "03_quarterly_service" / "contracts.d" / "beta.yaml",
                tmp_path / "contracts.d" / "beta.yaml")
    shutil.copytree(CASES_DIR / "01_block_hours_used" / "activity", tmp_path / "activity")
    return tmp_path


def test_json_keys_are_exactly_the_spec_keys(two_customers: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """SPEC 10: months[].month, months[].contracts[] with contract, billed, recognised,
    deferred_opening, deferred_closing. The engine adds the row's ``customer`` and a
    ``customers`` list of per-customer totals (SPEC: "per contract and customer totals");
    nothing else may appear, and money is a 2-place decimal string."""
    code, out, _ = run_cli(two_customers, ["--from", "2026-08", "--to", "2026-12", "--format",
                                           "json"], monkeypatch)
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"months"}
    assert [m["month"] for m in data["months"]] == ["2026-08", "2026-09", "2026-10", "2026-11",
                                                     "2026-12"]
    for m in data["months"]:
        assert set(m) == {"month", "contracts", "customers"}
        for row in m["contracts"]:
            assert set(row) == {"contract", "customer", *FIELDS}
            for f in FIELDS:
                assert Decimal(row[f]).as_tuple().exponent == -2, row
        for row in m["customers"]:
            assert set(row) == {"customer", *FIELDS}
    october = {r["contract"]: r for r in data["months"][2]["contracts"]}
    assert october == {
        "alpha-blocks": {"contract": "alpha-blocks", "customer": "alpha", "billed": "0.00",
                         "recognised": "360.00", "deferred_opening": "360.00",
                         "deferred_closing": "0.00"},
        "beta-managed": {"contract": "beta-managed", "customer": "beta", "billed": "3000.00",
                         "recognised": "1010.87", "deferred_opening": "0.00",
                         "deferred_closing": "1989.13"}}


def test_csv_output(two_customers: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run_cli(two_customers, ["--from", "2026-09", "--to", "2026-11", "--format",
                                           "csv"], monkeypatch)
    assert code == 0
    assert list(csv.reader(io.StringIO(out))) == [
        ["month", "customer", "contract", "billed", "recognised", "deferred_opening",
         "deferred_closing"],
        ["2026-09", "alpha", "alpha-blocks", "0.00", "1080.00", "1440.00", "360.00"],
        ["2026-10", "alpha", "alpha-blocks", "0.00", "360.00", "360.00", "0.00"],
        ["2026-10", "beta", "beta-managed", "3000.00", "1010.87", "0.00", "1989.13"],
        ["2026-11", "beta", "beta-managed", "0.00", "978.26", "1989.13", "1010.87"],
    ]


def test_customer_filter(two_customers: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run_cli(two_customers, ["--from", "2026-08", "--to", "2026-10", "--customer",
                                           "beta", "--format", "json"], monkeypatch)
    assert code == 0
    data = json.loads(out)
    rows = [(m["month"], r["contract"]) for m in data["months"] for r in m["contracts"]]
    assert rows == [("2026-10", "beta-managed")]
    # the per-customer totals follow the filter too
    assert [c["customer"] for m in data["months"] for c in m["customers"]] == ["beta"]


def test_table_output_shows_the_figures(two_customers: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run_cli(two_customers, ["--period", "2026-10"], monkeypatch)
    assert code == 0
    assert "Revenue 2026-10" in out
    beta = next(line for line in out.splitlines() if "beta-managed" in line)
    assert beta.split()[-4:] == ["3000.00", "1010.87", "0.00", "1989.13"]
    assert "Total: billed 3000.00, recognised 1370.87, deferred 360.00 -> 1989.13" in out


@pytest.mark.parametrize("args", [
    ["--period", "2026-10", "--from", "2026-08"],
    ["--period", "2026-10", "--to", "2026-12"],
    ["--period", "2026-10", "--from", "2026-08", "--to", "2026-12"],
])
def test_period_with_from_or_to_exits_2(args: list[str], two_customers: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run_cli(two_customers, args, monkeypatch)
    assert code == 2
    assert out == ""
    assert "--period" in err and "--from" in err


def test_to_before_from_exits_2(two_customers: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run_cli(two_customers, ["--from", "2026-10", "--to", "2026-08"], monkeypatch)
    assert code == 2
    assert "before" in err


def test_from_without_to_runs_to_the_latest_activity_month(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Case 01's activity ends in October 2026, so --from 2026-09 covers September and October."""
    code, out, _ = run_cli(CASES_DIR / "01_block_hours_used", ["--from", "2026-09", "--format",
                                                               "json"], monkeypatch)
    assert code == 0
    data = json.loads(out)
    assert [m["month"] for m in data["months"]] == ["2026-09", "2026-10"]
    assert cell(data, "2026-09", "alpha-blocks")["deferred_opening"] == Decimal("1440.00")


def test_bad_month_exits_2(two_customers: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run_cli(two_customers, ["--from", "2026-13", "--to", "2026-14"], monkeypatch)
    assert code == 2
    assert err.startswith("tenor:")


# --------------------------------------------------------------------------- known engine bug

def _write_repo(root: Path, contract_yaml: str, entries: list[tuple[str, str]],
                tickets: Sequence[str] = ()) -> None:
    (root / "contracts.d").mkdir()
    (root / "activity").mkdir()
    shutil.copy(CASES_DIR / "01_block_hours_used" / "contracts.d" / "ratecard.yaml",
                root / "contracts.d" / "ratecard.yaml")
    (root / "contracts.d" / "contract.yaml").write_text(contract_yaml, encoding="utf-8")
    lines = ["id,date,customer,contract,ticket,resource,role,work_type,hours,billable,approved,"
             "description"]
    lines += [f"TE-{i},{day},cust,,,Tom,{role},{wt},{hours},true,true,"
              for i, (day, hours, role, wt) in enumerate(entries, 1)]
    (root / "activity" / "time_entries.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if tickets:
        (root / "activity" / "tickets.csv").write_text(
            "id,customer,contract,priority,created,first_response,resolved,status,sla\n"
            + "".join(f"T-{i},cust,,low,{day}T10:00:00Z,,,closed,\n"
                      for i, day in enumerate(tickets, 1)), encoding="utf-8")


def test_block_expiring_after_contract_end_is_recognised_by_the_end(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """10 h for 1,000.00, expires 2026-12-31, contract ends 2026-09-30, 4 h used in August:
    August 400.00; the 6 hours left can never be drawn, so 600.00 by September at the latest."""
    _write_repo(tmp_path, CONTRACT_HEAD.format(type="block_hours", start="2026-08-01",
                                               end="2026-09-30") + (
        "block_hours:\n  blocks:\n"
        "    - {date: 2026-08-01, hours: 10, price: 1000.00, expires: 2026-12-31}\n"
        "  overage_rate: 150.00\n"), [("2026-08-10", "4", "technician", "remote")])
    code, out, _ = run_cli(tmp_path, ["--from", "2026-08", "--to", "2026-09", "--format", "json"],
                           monkeypatch)
    assert code == 0
    data = json.loads(out)
    assert cell(data, "2026-08", "k")["recognised"] == Decimal("400.00")
    assert cell(data, "2026-09", "k")["recognised"] == Decimal("600.00")
    assert cell(data, "2026-09", "k")["deferred_closing"] == ZERO


# --------------------------------------------------------------------------- properties

CONTRACT_HEAD = """apiVersion: tenor/v1
kind: Contract
id: k
customer: cust
name: Generated contract
type: {type}
status: active
start: {start}
end: {end}
default: true
"""


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _month_end(year: int, month: int) -> date:
    return Month(year, month).end


@st.composite
def lifetimes(draw: st.DrawFn) -> tuple[date, date]:
    """A contract life of 1 to 6 calendar months, often starting or ending mid-month."""
    year = draw(st.sampled_from([2026, 2027]))
    month = draw(st.integers(1, 12))
    start = date(year, month, draw(st.sampled_from([1, 1, 10, 17, 28])))
    months = draw(st.integers(1, 6))
    last_month = Month(year, month)
    for _ in range(months - 1):
        last_month = last_month.next()
    end_day = draw(st.sampled_from(["end", "end", "mid"]))
    end = last_month.end if end_day == "end" else date(last_month.year, last_month.month, 15)
    if end < start:
        end = last_month.end
    return start, end


def _days(draw: st.DrawFn, start: date, end: date, n: int) -> list[date]:
    span = (end - start).days
    return sorted(start + timedelta(days=draw(st.integers(0, span))) for _ in range(n))


HOURS = st.sampled_from(["0.25", "0.5", "1", "1.5", "2", "2.75", "3", "4", "6.5", "8"])


@dataclass(frozen=True)
class Generated:
    contract_yaml: str
    entries: list[tuple[str, str, str, str]]
    tickets: list[str]
    start: date
    end: date


KINDS = ["block_hours", "retainer_hours", "retainer_amount", "per_ticket", "recurring",
         "fixed_price"]


@st.composite
def contracts(draw: st.DrawFn, kind: str) -> Generated:
    start, end = draw(lifetimes())
    type_ = kind.split("_")[0] if kind.startswith("retainer") else kind
    body = CONTRACT_HEAD.format(type=type_, start=start, end=end)
    tickets: list[str] = []
    if kind == "block_hours":
        body += "block_hours:\n  blocks:\n"
        for day in _days(draw, start, end, draw(st.integers(1, 3))):
            hours = draw(st.sampled_from(["1", "3", "7", "10", "12.5", "20"]))
            body += f"    - {{date: {day}, hours: {hours}, price: {_money(draw(st.integers(1, 500000)))}"
            if draw(st.booleans()):
                body += f", expires: {_days(draw, day, end, 1)[0]}"
            body += "}\n"
        body += "  overage_rate: 150.00\n"
    elif kind.startswith("retainer"):
        body += "retainer:\n"
        if kind == "retainer_hours":
            body += f"  hours: {draw(st.sampled_from(['1', '3', '7', '10', '12.5']))}\n"
        else:
            body += f"  amount: {_money(draw(st.integers(100, 400000)))}\n"
        body += f"  fee: {_money(draw(st.integers(1, 500000)))}\n"
        unused = draw(st.sampled_from(["forfeit", "rollover", "rollover_capped"]))
        body += f"  unused: {unused}\n"
        if unused == "rollover_capped":
            body += f"  rollover_limit: {draw(st.sampled_from(['0', '1', '2.5', '5']))}\n"
        if kind == "retainer_hours" and draw(st.booleans()):
            body += "  overage_rate: 140.00\n"
    elif kind == "per_ticket":
        body += f"per_ticket:\n  fee: 95.00\n  purchases:\n"
        for day in _days(draw, start, end, draw(st.integers(1, 2))):
            body += (f"    - {{date: {day}, tickets: {draw(st.integers(1, 6))}, "
                     f"price: {_money(draw(st.integers(1, 200000)))}}}\n")
        tickets = [str(d) for d in _days(draw, start, end, draw(st.integers(0, 12)))]
    elif kind == "recurring":
        freq = draw(st.sampled_from(["monthly", "quarterly", "annually"]))
        body += f"billing: {{frequency: {freq}}}\nservices:\n"
        for i in range(draw(st.integers(1, 2))):
            body += (f"  - {{id: s{i}, name: Service {i}, price: {_money(draw(st.integers(1, 1000000)))}, "
                     f"quantity: 1}}\n")
    else:
        if draw(st.sampled_from([True, True, False])):
            body += f"estimated_hours: {draw(st.sampled_from(['1', '5', '12.5', '40']))}\n"
        body += "fixed_price:\n"
        if draw(st.booleans()):
            body += f"  amount: {_money(draw(st.integers(1, 2000000)))}\n"
        else:
            parts = [draw(st.integers(1, 500000)) for _ in range(draw(st.integers(1, 3)))]
            body += f"  amount: {_money(sum(parts))}\n  schedule:\n"
            for day, cents in zip(_days(draw, start, end, len(parts)), parts):
                body += f"    - {{date: {day}, amount: {_money(cents)}, label: Installment}}\n"
    entries = [(str(day), draw(HOURS), draw(st.sampled_from(["technician", "engineer"])),
                draw(st.sampled_from(["remote", "remote", "onsite", "after_hours"])))
               for day in _days(draw, start, end, draw(st.integers(0, 10)))]
    return Generated(body, entries, tickets, start, end)


def _whole_life(gen: Generated) -> list[tuple[str, dict[str, Decimal]]]:
    """Revenue for contract ``k`` over every month from its start month to its end month."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _write_repo(root, gen.contract_yaml, gen.entries, gen.tickets)
        repo, diags = validate(root)
        errors = [str(d) for d in diags if d.is_error]
        assert not errors, f"generator produced an invalid contract:\n{gen.contract_yaml}\n{errors}"
        act, act_diags = load_activity(root / "activity", display_prefix="activity")
        assert not [d for d in act_diags if d.is_error], [str(d) for d in act_diags]
        months = revenue(repo, act, Month.of(gen.start), Month.of(gen.end))
    out = []
    for m in months:
        for row in m.rows:
            assert row.contract == "k", f"unexpected row {row} for\n{gen.contract_yaml}"
            out.append((str(m.month), {f: getattr(row, f) for f in FIELDS}))
    return out


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=120, deadline=None)
@given(data=st.data())
def test_whole_life_recognised_equals_billed(kind: str, data: st.DataObject) -> None:
    """Over a contract's whole life (its start month to its end month) recognised == billed to
    the cent, deferred revenue rolls forward month to month, never goes negative and ends at 0."""
    gen = data.draw(contracts(kind))
    rows = _whole_life(gen)
    billed = sum((r["billed"] for _, r in rows), ZERO)
    recognised = sum((r["recognised"] for _, r in rows), ZERO)
    where = f"\n{gen.contract_yaml}\nentries={gen.entries}\ntickets={gen.tickets}\nrows={rows}"
    assert recognised == billed, where
    previous = ZERO
    for month, r in rows:
        assert r["deferred_opening"] == previous, month + where
        assert r["deferred_closing"] == r["deferred_opening"] + r["billed"] - r["recognised"]
        assert r["deferred_closing"] >= 0, f"deferred revenue negative in {month}" + where
        assert r["recognised"] == r["recognised"].quantize(Decimal("0.01")), month + where
        previous = r["deferred_closing"]
    assert previous == 0, where
