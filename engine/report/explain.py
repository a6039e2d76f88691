"""``tenor explain``: how every line of one contract was computed.

Written for a billing person checking an invoice by hand: each line with its
arithmetic, the rate rule that won (file:line), rounding per entry, proration,
balance movements, and each rule statement with the values it read.
"""
from __future__ import annotations

import io

from ..billing.result import Preview
from ..model import Contract
from ..number import fmt_money, fmt_qty
from .preview import fmt_price


def render_explain(p: Preview, contract: Contract) -> str:
    out = io.StringIO()
    w = out.write
    w(f"Contract {contract.id} ({contract.type}, {contract.status}) for customer {contract.customer}\n")
    w(f"Defined at {contract.loc}; runs {contract.start} to {contract.end or 'open-ended'}\n")
    w(f"Period {p.start} to {p.end}\n")
    lines = [l for inv in p.invoices for l in inv.lines if l.contract == contract.id]
    w(f"\nLines ({len(lines)})\n")
    if not lines:
        w("  (none)\n")
    total = sum((l.amount for l in lines), start=lines[0].amount * 0) if lines else 0
    for i, line in enumerate(lines, 1):
        w(f"{i:3d}. [{line.kind}] {line.description}\n")
        w(f"       {fmt_qty(line.quantity)} x {fmt_price(line.unit_price)} = {fmt_money(line.amount)}"
          f"{' (prorated, rounded once)' if 'prorated' in line.description else ''}\n")
        for note in line.explain:
            w(f"       - {note}\n")
        if line.loc is not None and not any(str(line.loc) in n for n in line.explain):
            w(f"       - defined at {line.loc}\n")
    if lines:
        w(f"     Total for this contract: {fmt_money(total)}\n")
    for b in p.balances:
        if b.contract != contract.id:
            continue
        w(f"\nBalance ({b.unit}): opening {fmt_qty(b.opening)} + added {fmt_qty(b.added)} - used "
          f"{fmt_qty(b.used)} - forfeited {fmt_qty(b.forfeited)} = closing {fmt_qty(b.closing)}\n")
        for move in b.movements:
            w(f"  {move}\n")
    report = p.reports.get(contract.id)
    if report is not None and report.trace:
        w("\nRules (in evaluation order)\n")
        for step in report.trace:
            state = "fired" if step.fired else "did not fire"
            values = ", ".join(f"{k}={v}" for k, v in sorted(step.values.items()))
            w(f"  {step.loc}: {step.text} -> {state}" + (f" [{values}]" if values else "") + "\n")
    if report is not None and report.metrics:
        w("\nMetrics\n")
        w("  " + ", ".join(f"{k}={fmt_qty(v)}" for k, v in sorted(report.metrics.items())) + "\n")
        amounts = {k: v for k, v in report.amounts.items() if k != "fixed_price_hours_used"}
        if amounts:
            w("  base amounts: " + ", ".join(f"{k}={fmt_money(v)}" for k, v in sorted(amounts.items())) + "\n")
    notes = report.note_texts() if report is not None else []
    if notes:
        w("\nNotes\n")
        for note in notes:
            w(f"  {note}\n")
    warnings = [x for inv in p.invoices for x in inv.warnings if x.contract == contract.id]
    if warnings:
        w("\nWarnings\n")
        for x in warnings:
            w(f"  {x.severity}: [{x.code}] {x.message}\n")
    held = [h for h in p.held if h.contract == contract.id]
    if held:
        w(f"\nHeld rows ({len(held)})\n")
        for h in held:
            w(f"  {h.file}:{h.row} {h.id or ''} {h.reason}: {h.message}\n")
    return out.getvalue()
