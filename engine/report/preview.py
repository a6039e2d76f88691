"""Report stage for ``tenor preview``: JSON (SPEC 8), table, CSV and markdown."""
from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from tabulate import tabulate

from ..billing.result import Balance, Invoice, Line, Preview
from ..number import fmt_money, fmt_qty
from . import jsontext

TWO_PLACES = Decimal("0.01")


def fmt_price(value: Decimal) -> str:
    """Unit prices keep up to 4 places when given, and always show cents."""
    if value.as_tuple().exponent > -2:
        value = value.quantize(TWO_PLACES)
    return format(value, "f")


def line_json(line: Line) -> dict[str, Any]:
    return {"contract": line.contract, "kind": line.kind, "description": line.description,
            "quantity": fmt_qty(line.quantity), "unit_price": fmt_price(line.unit_price),
            "amount": fmt_money(line.amount), "sources": list(line.sources)}


def invoice_json(inv: Invoice) -> dict[str, Any]:
    return {"customer": inv.customer, "currency": inv.currency, "total": fmt_money(inv.total),
            "lines": [line_json(l) for l in inv.lines],
            "warnings": [{"code": w.code, "contract": w.contract, "severity": w.severity,
                          "message": w.message} for w in inv.warnings]}


def balance_json(b: Balance) -> dict[str, Any]:
    return {"contract": b.contract, "unit": b.unit, "opening": fmt_qty(b.opening),
            "added": fmt_qty(b.added), "used": fmt_qty(b.used),
            "forfeited": fmt_qty(b.forfeited), "closing": fmt_qty(b.closing)}


def to_json(p: Preview) -> dict[str, Any]:
    return {
        "period": {"start": p.start, "end": p.end},
        "invoices": [invoice_json(inv) for inv in p.invoices],
        "balances": [balance_json(b) for b in p.balances],
        "held": [{"file": h.file, "row": h.row, "id": h.id, "reason": h.reason, "kind": h.kind,
                  "message": h.message} for h in p.held],
        "dispositions": p.dispositions,
        "fixed_price": p.fixed_price,
    }


def render_json(p: Preview) -> str:
    return jsontext.dumps(to_json(p)) + "\n"


def render_table(p: Preview) -> str:
    out = io.StringIO()
    out.write(f"Preview {p.start} to {p.end}\n")
    grand = Decimal(0)
    for inv in p.invoices:
        grand += inv.total
        out.write(f"\n== {inv.customer} ({inv.currency}) total {fmt_money(inv.total)}\n")
        rows = [[l.contract or "(no contract)", l.kind, l.description, fmt_qty(l.quantity),
                 fmt_price(l.unit_price), fmt_money(l.amount)] for l in inv.lines]
        if rows:
            out.write(tabulate(rows, headers=["contract", "kind", "description", "qty",
                                              "unit price", "amount"],
                               colalign=("left", "left", "left", "right", "right", "right"),
                               disable_numparse=True))
            out.write("\n")
        for w in inv.warnings:
            out.write(f"  {w.severity}: [{w.code}] {w.contract or '-'}: {w.message}\n")
    out.write(f"\n{len(p.invoices)} invoice(s), total {fmt_money(grand)}\n")
    if p.balances:
        out.write("\nPrepaid balances\n")
        out.write(tabulate([[b.contract, b.unit, fmt_qty(b.opening), fmt_qty(b.added),
                             fmt_qty(b.used), fmt_qty(b.forfeited), fmt_qty(b.closing)]
                            for b in p.balances],
                           headers=["contract", "unit", "opening", "added", "used", "forfeited",
                                    "closing"], disable_numparse=True))
        out.write("\n")
    if p.fixed_price:
        out.write("\nFixed-price projects\n")
        out.write(tabulate([[f["contract"], f["hours_used"], f["estimated_hours"] or "-",
                             f["effective_rate"] or "-"] for f in p.fixed_price],
                           headers=["contract", "hours used", "estimated hours",
                                    "effective hourly rate"], disable_numparse=True))
        out.write("\n")
    if p.held:
        out.write(f"\nHeld rows ({len(p.held)})\n")
        out.write(tabulate([[f"{h.file}:{h.row}", h.id or "", h.reason, h.message] for h in p.held],
                           headers=["row", "id", "reason", "detail"], disable_numparse=True))
        out.write("\n")
    out.write("\nDispositions\n")
    names = ["read", "billed", "covered", "drawn", "non_billable", "other_period", "held"]
    out.write(tabulate([[kind] + [str(counts[n]) for n in names]
                        for kind, counts in p.dispositions.items()],
                       headers=["file kind"] + names, disable_numparse=True))
    out.write("\n")
    return out.getvalue()


def _cell(value: str) -> str:
    """Neutralise spreadsheet formulas in text cells (numbers stay numbers)."""
    if value and value[0] in "=+-@\t\r" and not _is_number(value):
        return "'" + value
    return value


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except Exception:  # noqa: BLE001 - any failure means "not a number"
        return False
    return text.strip() == text and text.lstrip("+-").replace(".", "", 1).isdigit()


def render_csv(p: Preview) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["period_start", "period_end", "customer", "currency", "contract", "kind",
                     "description", "quantity", "unit_price", "amount", "sources"])
    for inv in p.invoices:
        for l in inv.lines:
            writer.writerow([p.start, p.end, _cell(inv.customer), inv.currency,
                             _cell(l.contract or ""), l.kind, _cell(l.description),
                             fmt_qty(l.quantity), fmt_price(l.unit_price), fmt_money(l.amount),
                             _cell(" ".join(l.sources))])
    return out.getvalue()


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(p: Preview) -> str:
    out = io.StringIO()
    out.write(f"# Invoice preview {p.start} to {p.end}\n")
    for inv in p.invoices:
        out.write(f"\n## {_md(inv.customer)}: {inv.currency} {fmt_money(inv.total)}\n\n")
        if inv.lines:
            out.write("| contract | kind | description | qty | unit price | amount |\n")
            out.write("|---|---|---|--:|--:|--:|\n")
            for l in inv.lines:
                out.write(f"| {_md(l.contract or '(no contract)')} | {l.kind} | {_md(l.description)} | "
                          f"{fmt_qty(l.quantity)} | {fmt_price(l.unit_price)} | {fmt_money(l.amount)} |\n")
        for w in inv.warnings:
            out.write(f"\n> **{w.severity}** `{w.code}` {_md(w.contract or '')}: {_md(w.message)}\n")
    if p.held:
        out.write(f"\n## Held rows ({len(p.held)})\n\n| row | id | reason |\n|---|---|---|\n")
        for h in p.held:
            out.write(f"| {_md(h.file)}:{h.row} | {_md(h.id or '')} | {h.reason} |\n")
    return out.getvalue()


RENDERERS = {"json": render_json, "table": render_table, "csv": render_csv,
             "markdown": render_markdown}
