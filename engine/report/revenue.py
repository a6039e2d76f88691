"""Renderers for ``tenor revenue`` (SPEC 10): JSON, a journal-style table, CSV."""
from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from decimal import Decimal
from typing import Any, Sequence

from tabulate import tabulate

from ..number import ZERO, fmt_money
from ..revenue import RevenueMonth, RevenueRow

FIELDS = ("billed", "recognised", "deferred_opening", "deferred_closing")


def _customer_totals(rows: Sequence[RevenueRow]) -> list[tuple[str, dict[str, Decimal]]]:
    totals: dict[str, dict[str, Decimal]] = defaultdict(lambda: {f: ZERO for f in FIELDS})
    for r in rows:
        for f in FIELDS:
            totals[r.customer][f] += getattr(r, f)
    return sorted(totals.items())


def to_json(months: Sequence[RevenueMonth]) -> dict[str, Any]:
    return {"months": [{
        "month": str(m.month),
        "contracts": [{"contract": r.contract, "customer": r.customer,
                       **{f: fmt_money(getattr(r, f)) for f in FIELDS}} for r in m.rows],
        "customers": [{"customer": c, **{f: fmt_money(v) for f, v in t.items()}}
                      for c, t in _customer_totals(m.rows)],
    } for m in months]}


def render_json(months: Sequence[RevenueMonth]) -> str:
    return json.dumps(to_json(months), indent=2) + "\n"


def render_table(months: Sequence[RevenueMonth]) -> str:
    out = io.StringIO()
    for m in months:
        out.write(f"Revenue {m.month}\n")
        rows = [[r.customer, r.contract or "(no contract)"] + [fmt_money(getattr(r, f)) for f in FIELDS]
                for r in m.rows]
        out.write(tabulate(rows, headers=["customer", "contract", "billed", "recognised",
                                          "deferred opening", "deferred closing"],
                           disable_numparse=True, colalign=("left", "left", "right", "right",
                                                            "right", "right")))
        out.write("\n\nJournal (per customer)\n")
        journal = []
        for customer, t in _customer_totals(m.rows):
            movement = t["deferred_closing"] - t["deferred_opening"]
            journal.append([customer, fmt_money(t["billed"]), fmt_money(t["recognised"]),
                            fmt_money(movement)])
        out.write(tabulate(journal, headers=["customer", "invoiced (Dr receivable)",
                                             "revenue recognised (Cr revenue)",
                                             "deferred revenue movement (Cr/Dr deferred)"],
                           disable_numparse=True,
                           colalign=("left", "right", "right", "right")))
        total = {f: sum((getattr(r, f) for r in m.rows), ZERO) for f in FIELDS}
        out.write(f"\nTotal: billed {fmt_money(total['billed'])}, recognised "
                  f"{fmt_money(total['recognised'])}, deferred {fmt_money(total['deferred_opening'])}"
                  f" -> {fmt_money(total['deferred_closing'])}\n\n")
    return out.getvalue()


def render_csv(months: Sequence[RevenueMonth]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["month", "customer", "contract", *FIELDS])
    for m in months:
        for r in m.rows:
            writer.writerow([str(m.month), r.customer, r.contract or "",
                             *[fmt_money(getattr(r, f)) for f in FIELDS]])
    return out.getvalue()


RENDERERS = {"json": render_json, "table": render_table, "csv": render_csv}
