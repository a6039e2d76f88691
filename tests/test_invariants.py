"""Billing invariants over random small MSPs (hypothesis).

Why: golden cases pin down what one invoice should be; invariants say what
*every* invoice must satisfy, whatever the contracts and the activity. Each
example writes a random contracts repo (a default RateCard, a Catalog, 1-3
customers with contracts of random types and blocks) and random activity
CSVs to a temp folder, loads them the way ``tenor preview`` does
(``engine.validate.validate`` then ``engine.activity.load_activity``), runs
``engine.billing.preview`` for October 2026 and checks:

* every invoice total == the sum of its lines (as printed in the JSON);
* no line amount has more than 2 decimal places;
* dispositions add up to the rows read, and rows read == rows written;
* every balance: opening + added - used - forfeited == closing;
* a percentage discount never takes its target below zero;
* shuffling the CSV rows gives the same JSON, once held row numbers and
  ``file:row`` mentions in messages are normalised.

Examples whose generated repo does not validate are skipped (``assume``);
the generator is built so that almost all do.
"""
from __future__ import annotations

import json
import random
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import Phase, assume, given, settings, strategies as st

from engine.activity import load_activity
from engine.billing import Month, preview
from engine.number import CENT
from engine.report.preview import render_json
from engine.validate import validate

MONTH = Month(2026, 10)
ROLES = ("technician", "engineer", "senior_engineer")
WORK_TYPES = ("remote", "onsite", "after_hours", "project")
TYPES = ("time_and_materials", "recurring", "block_hours", "retainer", "per_ticket")
PRODUCTS = {"LIC-A": "22.00", "SEC-B": "6.50", "HW-C": "1389.00"}
CUSTOMERS = ("alpha", "bravo", "charlie")
DAY0 = date(2026, 7, 1)          # activity and contract dates fall in Jul-Nov 2026

RATECARD = """\
apiVersion: tenor/v1
kind: RateCard
id: standard
default: true
currency: USD
roles:
  technician: {technician}
  engineer: {engineer}
  senior_engineer: {senior_engineer}
{default_rate}work_types:
  remote: 1.0
  onsite: 1.25
  after_hours: 1.5
  project: 1.0
"""

CATALOG = "apiVersion: tenor/v1\nkind: Catalog\nid: products\nproducts:\n" + "".join(
    f"  - {{sku: {sku}, name: Product {sku}, price: {price}, category: cat{i}}}\n"
    for i, (sku, price) in enumerate(PRODUCTS.items()))


# ------------------------------------------------------------- strategies

money_text = st.integers(0, 500_00).map(lambda c: f"{c // 100}.{c % 100:02d}")
hours_text = st.integers(0, 80).map(lambda t: str(Decimal(t) / 10))     # 0 .. 8.0 in tenths
day = st.integers(0, 150).map(lambda n: DAY0 + timedelta(days=n))
activity_day = st.integers(0, 66).map(lambda n: date(2026, 9, 1) + timedelta(days=n))  # Sep 1 - Nov 6


@dataclass
class Generated:
    files: dict[str, str]                    # contracts.d/... -> YAML
    discounts: dict[str, tuple[str, Decimal]] = field(default_factory=dict)  # contract -> (target, pct)


@st.composite
def labor_block(draw: st.DrawFn) -> str:
    parts = []
    if draw(st.booleans()):
        inc = draw(st.sampled_from(["0.1", "0.25", "0.5", "1"]))
        mode = draw(st.sampled_from(["up", "nearest", "down"]))
        parts.append(f"  rounding: {{increment: {inc}, mode: {mode}}}\n")
    if draw(st.booleans()):
        parts.append(f"  minimum: {draw(st.sampled_from(['0.25', '0.5', '1']))}\n")
    if draw(st.booleans()):
        parts.append("  approval: required\n")
    rates = draw(st.lists(st.tuples(st.sampled_from(ROLES + (None,)),
                                    st.sampled_from(WORK_TYPES + (None,)),
                                    st.one_of(money_text.filter(lambda m: m != "0.00"),
                                              st.integers(1, 150).map(lambda p: f"{p}%"))),
                          max_size=3, unique_by=lambda r: (r[0], r[1])))
    rates = [r for r in rates if r[0] or r[1]]
    if rates:
        parts.append("  rates:\n")
        for role, wt, rate in rates:
            keys = ([f"role: {role}"] if role else []) + ([f"work_type: {wt}"] if wt else [])
            if rate.endswith("%") and role is None:
                rate = "99.00"            # a percentage needs the role's card rate
            value = f'"{rate}"' if rate.endswith("%") else rate
            parts.append(f"    - {{{', '.join(keys)}, rate: {value}}}\n")
    if draw(st.booleans()):
        parts.append(f"  exclusions: {{work_types: [{draw(st.sampled_from(WORK_TYPES))}], roles: []}}\n")
    return "labor:\n" + "".join(parts) if parts else ""


@st.composite
def type_block(draw: st.DrawFn, kind: str, start: date, end: date) -> str:
    span = (end - start).days + 1           # blocks and bundles must fall inside the contract
    if kind == "recurring":
        services = draw(st.lists(money_text, min_size=1, max_size=2))
        return "services:\n" + "".join(
            f"  - {{id: s{i}, name: Service {i}, price: {p}, quantity: 1}}\n"
            for i, p in enumerate(services))
    if kind == "block_hours":
        blocks = draw(st.lists(st.tuples(st.integers(0, 120), st.integers(1, 20), money_text,
                                         st.one_of(st.none(), st.integers(10, 200))),
                               min_size=1, max_size=3))
        text = "block_hours:\n  blocks:\n"
        for offset, hours, price, expires in blocks:
            when = start + timedelta(days=offset % span)
            exp = f", expires: {when + timedelta(days=expires)}" if expires is not None else ""
            text += f"    - {{date: {when}, hours: {hours}, price: {price}{exp}}}\n"
        if draw(st.booleans()):
            text += f"  overage_rate: {draw(money_text)}\n"
        return text + f"  alert_at: {draw(st.integers(1, 100))}%\n"
    if kind == "retainer":
        unused = draw(st.sampled_from(["forfeit", "rollover", "rollover_capped"]))
        alloc = (f"  hours: {draw(st.integers(1, 20))}\n" if draw(st.booleans())
                 else f"  amount: {draw(money_text)}\n")
        text = f"retainer:\n{alloc}  fee: {draw(money_text)}\n  unused: {unused}\n"
        if unused == "rollover_capped":
            text += f"  rollover_limit: {draw(st.integers(0, 10))}\n"
        if draw(st.booleans()):
            text += f"  overage_rate: {draw(money_text)}\n"
        return text
    if kind == "per_ticket":
        text = f"per_ticket:\n  fee: {draw(money_text)}\n"
        buys = draw(st.lists(st.tuples(st.integers(0, 120), st.integers(1, 5), money_text),
                             max_size=2))
        if buys:
            text += "  purchases:\n" + "".join(
                f"    - {{date: {start + timedelta(days=o % span)}, tickets: {n}, price: {p}}}\n"
                for o, n, p in buys)
        return text
    return ""


@st.composite
def contracts_repo(draw: st.DrawFn) -> Generated:
    card = {r: draw(money_text.filter(lambda m: m != "0.00")) for r in ROLES}
    default_rate = (f"default_rate: {draw(money_text)}\n" if draw(st.booleans()) else "")
    files = {"contracts.d/ratecard.yaml": RATECARD.format(default_rate=default_rate, **card),
             "contracts.d/catalog.yaml": CATALOG}
    gen = Generated(files)
    customers = CUSTOMERS[:draw(st.integers(1, 3))]
    for customer in customers:
        for n in range(draw(st.integers(1, 2))):
            cid = f"{customer}-{n}"
            kind = draw(st.sampled_from(TYPES))
            start = DAY0 + timedelta(days=draw(st.integers(-60, 100)))
            end = start + timedelta(days=draw(st.integers(30, 400)))
            status = draw(st.sampled_from(["active", "active", "active", "inactive"]))
            text = (f"apiVersion: tenor/v1\nkind: Contract\nid: {cid}\ncustomer: {customer}\n"
                    f"name: Contract {cid}\ntype: {kind}\nstatus: {status}\n"
                    f"start: {start}\nend: {end}\n")
            if n == 0:
                text += "default: true\n"
            text += draw(labor_block()) + draw(type_block(kind, start, end))
            if draw(st.booleans()):
                target = draw(st.sampled_from(["labor", "services", "total", "charges"]))
                pct = Decimal(draw(st.integers(0, 100)))
                gen.discounts[cid] = (target, pct)
                text += f"pricing: |\n  discount {target} by {pct}%\n"
            files[f"contracts.d/{cid}.yaml"] = text
    return gen


TE_HEADER = ["id", "date", "customer", "contract", "ticket", "resource", "role", "work_type",
             "hours", "billable", "approved", "description"]
CH_HEADER = ["id", "date", "customer", "contract", "ticket", "product", "quantity",
             "unit_price", "description"]
TK_HEADER = ["id", "customer", "contract", "priority", "created", "first_response", "resolved",
             "status", "sla"]

customer_col = st.sampled_from(CUSTOMERS * 3 + ("zulu",))     # zulu has no contract
# mostly blank (the customer's default contract applies), sometimes named, sometimes wrong
contract_col = st.sampled_from([""] * 10 + [f"{c}-{n}" for c in CUSTOMERS for n in (0, 1)]
                               + ["nope"])


@st.composite
def time_entries(draw: st.DrawFn) -> list[list[str]]:
    rows = []
    for i in range(draw(st.integers(0, 25))):
        rows.append([f"TE-{i}", str(draw(activity_day)), draw(customer_col), draw(contract_col), "",
                     "Sam", draw(st.sampled_from(ROLES + ("wizard",))),
                     draw(st.sampled_from(WORK_TYPES)), draw(hours_text),
                     draw(st.sampled_from(["true", "true", "true", "false"])),
                     draw(st.sampled_from(["true", "true", "false"])), f"work {i}"])
    if rows and draw(st.booleans()):         # an exact duplicate (counted once, the copy held)
        rows.append(list(draw(st.sampled_from(rows))))
    if rows and draw(st.booleans()):         # a conflicting copy (every copy held)
        clash = list(draw(st.sampled_from(rows)))
        clash[8] = str(Decimal(clash[8]) + 1)
        rows.append(clash)
    return rows


@st.composite
def charges(draw: st.DrawFn) -> list[list[str]]:
    rows = []
    for i in range(draw(st.integers(0, 8))):
        qty = draw(st.sampled_from(["1", "2", "3", "0.5", "12"]))
        price = draw(st.one_of(st.just(""), money_text))
        rows.append([f"CH-{i}", str(draw(activity_day)), draw(customer_col), draw(contract_col), "",
                     draw(st.sampled_from(list(PRODUCTS) + ["UNKNOWN-SKU"])), qty, price,
                     f"charge {i}"])
    return rows


@st.composite
def tickets(draw: st.DrawFn) -> list[list[str]]:
    rows = []
    for i in range(draw(st.integers(0, 6))):
        created = draw(activity_day)
        rows.append([f"T-{i}", draw(customer_col), draw(contract_col),
                     draw(st.sampled_from(["critical", "high", "medium", "low"])),
                     f"{created}T10:00:00-04:00", "", "", "open", ""])
    return rows


# ---------------------------------------------------------------- helpers


def write_repo(root: Path, gen: Generated) -> None:
    for rel, text in gen.files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    # generated cells never hold commas, quotes or newlines
    return "\n".join(",".join(r) for r in [header, *rows]) + "\n"


def write_activity(folder: Path, te: list, ch: list, tk: list) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "time_entries.csv").write_text(csv_text(TE_HEADER, te), encoding="utf-8")
    (folder / "charges.csv").write_text(csv_text(CH_HEADER, ch), encoding="utf-8")
    (folder / "tickets.csv").write_text(csv_text(TK_HEADER, tk), encoding="utf-8")


def run_preview(root: Path, folder: Path):
    repo, diags = validate(root)
    assume(not any(d.is_error for d in diags))
    activity, act_diags = load_activity(folder)
    result, _ = preview(repo, activity, MONTH)
    return result, act_diags


_FILE_ROW = re.compile(r"(\.csv):\d+")


def normalised(report_json: str) -> dict:
    """The JSON with row numbers taken out: they are the only thing a row order may change."""
    data = json.loads(report_json)
    for held in data["held"]:
        held.pop("row")
        held["message"] = _FILE_ROW.sub(r"\1:N", held["message"])
    data["held"].sort(key=lambda h: json.dumps(h, sort_keys=True))
    for inv in data["invoices"]:
        for w in inv["warnings"]:
            w["message"] = _FILE_ROW.sub(r"\1:N", w["message"])
    return data


# ------------------------------------------------------------------ tests


@given(gen=contracts_repo(), te=time_entries(), ch=charges(), tk=tickets(),
       shuffle=st.randoms(use_true_random=False))
def test_billing_invariants(gen: Generated, te: list, ch: list, tk: list,
                            shuffle: random.Random) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_repo(root, gen)
        write_activity(root / "act", te, ch, tk)
        result, act_diags = run_preview(root, root / "act")
        # the generated cells are all valid: the only row errors are the planted clashes
        assert {d.code for d in act_diags if d.is_error} <= {"activity_conflicting_duplicate"}

        # dispositions add up, and every row written was read
        written = {"time_entries": len(te), "charges": len(ch)}
        for kind, counts in result.dispositions.items():
            assert sum(v for k, v in counts.items() if k != "read") == counts["read"], kind
            if kind in written:
                assert counts["read"] == written[kind], kind

        # line amounts are whole cents; totals are the sum of the printed lines
        for inv in result.invoices:
            for line in inv.lines:
                assert line.amount == line.amount.quantize(CENT), line
        report = json.loads(render_json(result))
        for inv in report["invoices"]:
            for line in inv["lines"]:
                assert re.fullmatch(r"-?[0-9]+\.[0-9]{2}", line["amount"]), line
            assert Decimal(inv["total"]) == sum(Decimal(l["amount"]) for l in inv["lines"]), inv

        # prepaid balances
        for b in result.balances:
            assert b.opening + b.added - b.used - b.forfeited == b.closing, b

        # a percentage discount never takes its target below zero
        of_kind = {"labor": ("labor",), "services": ("service",), "charges": ("charge",)}
        for cid, (target, pct) in gen.discounts.items():
            lines = [l for inv in result.invoices for l in inv.lines if l.contract == cid]
            discount = sum((l.amount for l in lines if l.kind == "discount"), Decimal(0))
            assert discount <= 0, (cid, lines)
            base = sum((l.amount for l in lines
                        if target == "total" and l.kind not in ("discount",)
                        or l.kind in of_kind.get(target, ())), Decimal(0))
            if base >= 0:
                assert base + discount >= 0, (cid, target, pct, base, discount)

        # row order never changes the result
        first = normalised(render_json(result))
        for rows in (te, ch, tk):
            shuffle.shuffle(rows)
        write_activity(root / "shuffled", te, ch, tk)
        again, _ = run_preview(root, root / "shuffled")
        assert normalised(render_json(again)) == first


def test_generator_yields_valid_repos() -> None:
    """The invariants are only checked on repos that validate, so most generated ones must."""
    outcomes: list[list[str]] = []

    @settings(max_examples=40, database=None, derandomize=True, phases=[Phase.generate])
    @given(gen=contracts_repo())
    def draw_one(gen: Generated) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            write_repo(Path(tmp), gen)
            _, diags = validate(Path(tmp))
            outcomes.append([str(d) for d in diags if d.is_error])

    draw_one()
    invalid = [o for o in outcomes if o]
    assert len(outcomes) >= 30
    assert len(invalid) <= len(outcomes) // 5, invalid[:3]
