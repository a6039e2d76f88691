"""Revenue recognition (SPEC 10): billed, recognised and deferred per contract and month.

It never recomputes billing: it runs the preview for every month of each
contract's life and reads what the preview produced (the invoice lines, the
prepaid ledgers' lot-by-lot movements, fixed-price hours). Every cumulative
figure is rounded once ("recognised to date = round(...)"), so the months
of a service period, a block or an allocation add up exactly to its price.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .activity import Activity
from .billing import Month, preview
from .billing.period import months_between
from .model import Contract
from .number import ZERO, money
from .repo import Repo

IMMEDIATE = {"labor", "overage", "ticket", "device", "charge", "rule_charge", "discount",
             "surcharge", "credit", "minimum", "cap"}


@dataclass
class RevenueRow:
    contract: str | None
    customer: str
    billed: Decimal = ZERO
    recognised: Decimal = ZERO
    deferred_opening: Decimal = ZERO
    deferred_closing: Decimal = ZERO


@dataclass
class RevenueMonth:
    month: Month
    rows: list[RevenueRow] = field(default_factory=list)


@dataclass
class _Tracker:
    """Running state for one contract (or one customer's no-contract work)."""
    deferred: Decimal = ZERO
    spreads: list[tuple[Decimal, date, date, Decimal]] = field(default_factory=list)
    lot_consumed: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    lot_recognised: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    fixed_billed: Decimal = ZERO
    fixed_recognised: Decimal = ZERO


def _spread_to_date(amount: Decimal, start: date, end: date, upto: date) -> Decimal:
    total = (end - start).days + 1
    if upto < start:
        return ZERO
    elapsed = (min(upto, end) - start).days + 1
    return money(amount * elapsed / total)


def revenue(repo: Repo, activity: Activity, first: Month, last: Month) -> list[RevenueMonth]:
    contracts = [c for c in repo.contracts.values() if c.status == "active"]
    start = min([Month.of(c.start) for c in contracts] + [first])
    trackers: dict[tuple[str | None, str], _Tracker] = defaultdict(_Tracker)
    out: list[RevenueMonth] = []
    for m in months_between(start, last):
        p, _ = preview(repo, activity, m)
        rows: dict[tuple[str | None, str], RevenueRow] = {}
        balances = {b.contract: b for b in p.balances}
        fixed_hours = {f["contract"]: Decimal(f["hours_used"]) for f in p.fixed_price}
        touched: set[tuple[str | None, str]] = set()
        for inv in p.invoices:
            for line in inv.lines:
                key = (line.contract, inv.customer)
                touched.add(key)
                row = rows.setdefault(key, RevenueRow(line.contract, inv.customer))
                t = trackers[key]
                row.billed += line.amount
                if line.kind in IMMEDIATE:
                    row.recognised += line.amount
                elif line.kind == "service" and line.spread is not None:
                    t.spreads.append((line.amount, line.spread[0], line.spread[1], ZERO))
                elif line.kind == "fixed":
                    t.fixed_billed += line.amount
                # block_purchase and retainer_fee: recognised as their lots are consumed
        for c in contracts:
            key = (c.id, c.customer)
            t = trackers.get(key)
            if t is None and c.id not in balances:
                continue
            t = trackers[key]
            row = rows.setdefault(key, RevenueRow(c.id, c.customer))
            row.recognised += _services(t, m) + _lots(t, balances.get(c.id)) + _fixed(t, c, m, fixed_hours)
        for key, row in rows.items():
            t = trackers[key]
            row.deferred_opening = t.deferred
            row.deferred_closing = t.deferred + row.billed - row.recognised
            t.deferred = row.deferred_closing
        if m >= first:
            out.append(RevenueMonth(m, sorted(
                (r for r in rows.values() if r.billed or r.recognised or r.deferred_opening
                 or r.deferred_closing),
                key=lambda r: (r.customer, r.contract or ""))))
    return out


def _services(t: _Tracker, m: Month) -> Decimal:
    recognised = ZERO
    kept = []
    for amount, start, end, done in t.spreads:
        to_date = _spread_to_date(amount, start, end, m.end)
        recognised += to_date - done
        if to_date != amount:
            kept.append((amount, start, end, to_date))
    t.spreads = kept
    return recognised


def _lots(t: _Tracker, balance) -> Decimal:
    if balance is None:
        return ZERO
    recognised = ZERO
    for _day, kind, amount, lot in balance.events:
        if kind not in ("used", "forfeited") or lot is None or lot not in balance.lots:
            continue
        price, units = balance.lots[lot]
        if not units:
            continue
        t.lot_consumed[lot] += amount
        to_date = money(price * min(t.lot_consumed[lot], units) / units)
        recognised += to_date - t.lot_recognised[lot]
        t.lot_recognised[lot] = to_date
    return recognised


def _fixed(t: _Tracker, c: Contract, m: Month, hours: dict[str, Decimal]) -> Decimal:
    if c.fixed_price is None:
        return ZERO
    amount = c.fixed_price.amount
    if c.end is not None and c.end <= m.end:
        target = t.fixed_billed                      # the rest at contract end
    elif c.estimated_hours:
        by_hours = money(amount * hours.get(c.id, ZERO) / c.estimated_hours)
        target = min(amount, t.fixed_billed, by_hours)
    else:
        target = t.fixed_billed                      # as billed
    delta = target - t.fixed_recognised
    t.fixed_recognised = target
    return delta
