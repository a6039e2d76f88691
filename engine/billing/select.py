"""Narrowing a preview to some customers or contracts (--customer, --contract).

The whole preview is computed first (prepaid balances and default
contracts depend on every row), then cut down, and the disposition counts
are recounted over the rows that belong to what was kept. Rows whose
customer could not be read (malformed rows) are always kept: they are
problems whoever is being previewed.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from .result import DISPOSITIONS, Invoice, Preview


def select(p: Preview, customers: Sequence[str] = (), contracts: Sequence[str] = ()) -> Preview:
    if not customers and not contracts:
        return p
    cust = set(customers)
    cons = set(contracts)

    def keep(customer: str | None, contract: str | None) -> bool:
        if customer is None:
            return True
        if cust and customer not in cust:
            return False
        if cons and contract not in cons:
            return False
        return True

    invoices = []
    for inv in p.invoices:
        lines = [l for l in inv.lines if keep(inv.customer, l.contract)]
        warnings = [w for w in inv.warnings if keep(inv.customer, w.contract)]
        if lines or warnings:
            invoices.append(Invoice(inv.customer, inv.currency, lines, warnings))
    kept_contracts = {l.contract for inv in invoices for l in inv.lines} | cons
    balances = [b for b in p.balances
                if b.contract in kept_contracts or (not cons and _customer_ok(p, b.contract, cust))]
    held = [h for h in p.held if keep(h.customer, h.contract)]
    rows = {key: n for key, n in p.rows.items() if keep(key[1], key[2])}
    counts: dict[str, dict[str, int]] = {}
    for kind in p.dispositions:
        per = {"read": 0, **{d: 0 for d in DISPOSITIONS}}
        for (row_kind, _customer, _contract, disposition), n in rows.items():
            if row_kind == kind:
                per["read"] += n
                per[disposition] += n
        counts[kind] = per
    fixed = [f for f in p.fixed_price if f["contract"] in kept_contracts
             or (not cons and _customer_ok(p, f["contract"], cust))]
    return replace(p, invoices=invoices, balances=balances, held=held, dispositions=counts,
                   rows=rows, fixed_price=fixed)


def _customer_ok(p: Preview, contract: str, customers: set[str]) -> bool:
    return any(inv.customer in customers and any(l.contract == contract for l in inv.lines)
               for inv in p.invoices)
