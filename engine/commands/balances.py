"""``tenor balances``: prepaid balances, monthly burn and forecast exhaustion.

Why replay through ``preview`` rather than re-implement the ledger: a
balance is only known by replaying every draw since the contract began
(SPEC 5.5-5.7), and the billing engine already does that; reading its
``Preview.balances`` month by month keeps one source of truth, so this
report can never disagree with an invoice.

Decisions where the spec is silent:

* Granularity is the month: as-of picks its month, activity dated after
  as-of is ignored, and blocks/bundles bought after as-of are not counted.
  Block expiries later in the as-of month are counted (the engine forfeits at
  month end). With the default as-of (the last day of the latest activity
  month) this is exact.
* purchased = everything added to the balance up to as-of: blocks (and an
  ``opening_balance``), monthly retainer allocations, ticket bundles.
  used / forfeited = their sums over the same months; remaining = the closing
  balance; so purchased - used - forfeited = remaining.
* Burn = average ``used`` over the last 3 months up to as-of's month, counting
  only months in which the contract was in effect (at least one).
* Forecast: as-of + remaining / burn months (a month = 365.25 / 12 days,
  rounded down to whole days). For a retainer the monthly allocation offsets
  the burn: only burn beyond the allocation eats the carried balance, so the
  forecast is none unless burn exceeds the allocation. None when burn is 0.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal

import click
from tabulate import tabulate

from ..activity import Activity
from ..billing import Month, preview
from ..billing.period import months_between
from ..model import Contract
from ..number import ZERO, fmt_qty
from ..repo import Repo
from .common import (UsageError, dumps, latest_month_or_exit, load_checked, no_root_message,
                     option_date, pct, read_source, repo_root, source_or_exit, warn_if_invalid)

PREPAID = ("block_hours", "retainer", "per_ticket")
BURN_MONTHS = 3
DAYS_PER_MONTH = Decimal("365.25") / 12
MAX_MONTHS = 1200          # a century of history is plenty


@dataclass(frozen=True)
class BalanceRow:
    contract: str
    customer: str
    type: str
    unit: str
    purchased: Decimal
    used: Decimal
    forfeited: Decimal
    remaining: Decimal
    consumed_pct: Decimal | None
    burn: Decimal               # average used per month
    burn_months: tuple[str, ...]
    forecast: date | None


def _first_month(c: Contract) -> Month:
    first = c.start
    bh = c.block_hours
    if bh is not None and bh.opening_as_of is not None and bh.opening_as_of < first:
        first = bh.opening_as_of
    return Month.of(first)


def _as_of_repo(repo: Repo, as_of: date) -> Repo:
    """The repo as known on as-of: purchases dated later are not yet made."""
    contracts = {}
    for cid, c in repo.contracts.items():
        if c.block_hours is not None:
            bh = c.block_hours
            c = dataclasses.replace(c, block_hours=dataclasses.replace(
                bh, blocks=tuple(b for b in bh.blocks if b.date <= as_of)))
        if c.per_ticket is not None:
            pt = c.per_ticket
            c = dataclasses.replace(c, per_ticket=dataclasses.replace(
                pt, purchases=tuple(p for p in pt.purchases if p.date <= as_of)))
        contracts[cid] = c
    return dataclasses.replace(repo, contracts=contracts)


def _as_of_activity(act: Activity, as_of: date) -> Activity:
    return dataclasses.replace(
        act,
        time_entries=tuple(e for e in act.time_entries if e.date <= as_of),
        tickets=tuple(t for t in act.tickets if t.created.date() <= as_of),
        charges=tuple(c for c in act.charges if c.date <= as_of))


def _in_effect_in(c: Contract, m: Month) -> bool:
    return c.start <= m.end and (c.end is None or c.end >= m.start)


def compute(repo: Repo, act: Activity, as_of: date) -> tuple[list[BalanceRow], list[Month]]:
    """One row per prepaid contract (sorted by id), and the burn months used."""
    prepaid = sorted((c for c in repo.contracts.values() if c.type in PREPAID),
                     key=lambda c: c.id)
    last = Month.of(as_of)
    burn_window = months_between(Month.of(_add_months(last.start, -(BURN_MONTHS - 1))), last)
    if not prepaid:
        return [], burn_window
    first = max(min(_first_month(c) for c in prepaid),
                Month.of(_add_months(last.start, -(MAX_MONTHS - 1))))
    trimmed_repo, trimmed_act = _as_of_repo(repo, as_of), _as_of_activity(act, as_of)
    totals: dict[str, dict[str, Decimal]] = {}
    units: dict[str, str] = {}
    closing: dict[str, Decimal] = {}
    used_by_month: dict[tuple[str, Month], Decimal] = {}
    wanted = {c.id for c in prepaid}
    for month in months_between(first, last):
        result, _ = preview(trimmed_repo, trimmed_act, month)
        for b in result.balances:
            if b.contract not in wanted:
                continue
            t = totals.setdefault(b.contract, {"added": ZERO, "used": ZERO, "forfeited": ZERO})
            t["added"] += b.added
            t["used"] += b.used
            t["forfeited"] += b.forfeited
            units[b.contract] = b.unit
            closing[b.contract] = b.closing
            used_by_month[(b.contract, month)] = b.used
    rows = []
    for c in prepaid:
        t = totals.get(c.id, {"added": ZERO, "used": ZERO, "forfeited": ZERO})
        remaining = closing.get(c.id, ZERO)
        months = [m for m in burn_window if _in_effect_in(c, m)] or burn_window[-1:]
        burn = sum((used_by_month.get((c.id, m), ZERO) for m in months), ZERO) / len(months)
        rows.append(BalanceRow(
            contract=c.id, customer=c.customer, type=c.type,
            unit=units.get(c.id, "tickets" if c.type == "per_ticket" else "hours"),
            purchased=t["added"], used=t["used"], forfeited=t["forfeited"], remaining=remaining,
            consumed_pct=pct(t["used"], t["added"]), burn=burn,
            burn_months=tuple(str(m) for m in months),
            forecast=forecast(c, remaining, burn, as_of)))
    return rows, burn_window


def forecast(c: Contract, remaining: Decimal, burn: Decimal, as_of: date) -> date | None:
    """The day the balance runs out at this burn, or None if it never does."""
    net = burn
    if c.type == "retainer" and c.retainer is not None:
        net = burn - (c.retainer.amount if c.retainer.amount is not None else c.retainer.hours or ZERO)
    if net <= 0:
        return None
    if remaining <= 0:
        return as_of
    days = int((remaining / net * DAYS_PER_MONTH).to_integral_value(rounding=ROUND_FLOOR))
    try:
        return as_of + timedelta(days=days)
    except OverflowError:
        return None


def _add_months(day: date, months: int) -> date:
    from .common import add_months
    return add_months(day, months)


def _q(value: Decimal) -> str:
    """Quantities to at most 2 places for people (burn is an average)."""
    return fmt_qty(value.quantize(Decimal("0.01")))


def to_json(rows: list[BalanceRow], as_of: date, window: list[Month]) -> dict:
    return {"as_of": as_of.isoformat(), "burn_months": [str(m) for m in window],
            "balances": [{"contract": r.contract, "customer": r.customer, "type": r.type,
                          "unit": r.unit, "purchased": fmt_qty(r.purchased),
                          "used": fmt_qty(r.used), "forfeited": fmt_qty(r.forfeited),
                          "remaining": fmt_qty(r.remaining),
                          "consumed_pct": None if r.consumed_pct is None else format(r.consumed_pct, "f"),
                          "burn_per_month": _q(r.burn),
                          "forecast": r.forecast.isoformat() if r.forecast else None}
                         for r in rows]}


def render_table(rows: list[BalanceRow], as_of: date, window: list[Month]) -> str:
    head = (f"Prepaid balances as of {as_of}; burn = average use per month over "
            f"{window[0]} to {window[-1]}\n")
    if not rows:
        return head + "no block_hours, retainer or per_ticket contracts\n"
    table = [[r.contract, r.unit, fmt_qty(r.purchased), fmt_qty(r.used), fmt_qty(r.forfeited),
              fmt_qty(r.remaining),
              "" if r.consumed_pct is None else format(r.consumed_pct, "f") + "%",
              _q(r.burn), r.forecast.isoformat() if r.forecast else "-"] for r in rows]
    return head + "\n" + tabulate(
        table, headers=["contract", "unit", "purchased", "used", "forfeited", "remaining",
                        "consumed", "burn/month", "runs out"],
        colalign=("left", "left", "right", "right", "right", "right", "right", "right", "left"),
        disable_numparse=True) + "\n"


def run_balances(root: str | None, as_of: str | None, activity: str | None, fmt: str,
                 profile: str | None = None) -> int:
    folder = repo_root(root)
    if folder is None:
        click.echo(no_root_message(), err=True)
        return 2
    try:
        day = option_date(as_of, "--as-of")
    except UsageError as exc:
        click.echo(str(exc), err=True)
        return 2
    repo, diags = load_checked(folder)
    warn_if_invalid(diags)
    source = source_or_exit(folder, activity, profile)
    if isinstance(source, int):
        return source
    act, _ = read_source(source)
    if day is None:
        month = latest_month_or_exit(act, source.folder, "pass --as-of YYYY-MM-DD", 2)
        if isinstance(month, int):
            return month
        day = month.end
    rows, window = compute(repo, act, day)
    if fmt == "json":
        click.echo(dumps(to_json(rows, day, window)), nl=False)
    else:
        click.echo(render_table(rows, day, window), nl=False)
    return 0
