"""``tenor renewals``: active contracts ending soon, with their notice dates.

Why the notice date matters more than the end date: a contract that does
not auto-renew must be renegotiated before ``end - notice_days``, and one
that does must be cancelled before it if the customer is leaving. So the
report says whether that date has already passed.

Decisions: "ending within DAYS" means ``as_of <= end <= as_of + DAYS``
(contracts that already ended are not renewals any more); a contract with no
``renewal.notice_days`` has no notice date; the notice date has passed when
it is strictly before as-of (on the day itself there is still time).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import click
from tabulate import tabulate

from ..model import Contract
from .common import (UsageError, dumps, load_checked, no_root_message, option_date, repo_root,
                     warn_if_invalid)


@dataclass(frozen=True)
class Renewal:
    contract: str
    customer: str
    type: str
    end: date
    days_left: int
    auto_renew: bool
    notice_days: int | None
    notice_date: date | None
    notice_passed: bool


def renewals(contracts: list[Contract], as_of: date, within: int) -> list[Renewal]:
    """Active contracts with ``as_of <= end <= as_of + within``, soonest end first."""
    last = as_of + timedelta(days=within)
    out = []
    for c in contracts:
        if c.status != "active" or c.end is None or not as_of <= c.end <= last:
            continue
        notice = (c.end - timedelta(days=c.renewal_notice_days)
                  if c.renewal_notice_days is not None else None)
        out.append(Renewal(c.id, c.customer, c.type, c.end, (c.end - as_of).days, c.renewal_auto,
                           c.renewal_notice_days, notice, notice is not None and notice < as_of))
    return sorted(out, key=lambda r: (r.end, r.contract))


def to_json(rows: list[Renewal], as_of: date, within: int) -> dict:
    return {"as_of": as_of.isoformat(), "within_days": within,
            "contracts": [{"contract": r.contract, "customer": r.customer, "type": r.type,
                           "end": r.end.isoformat(), "days_left": r.days_left,
                           "auto_renew": r.auto_renew, "notice_days": r.notice_days,
                           "notice_date": r.notice_date.isoformat() if r.notice_date else None,
                           "notice_passed": r.notice_passed} for r in rows]}


def render_table(rows: list[Renewal], as_of: date, within: int) -> str:
    head = f"Contracts ending {as_of} to {as_of + timedelta(days=within)} ({within} days)\n"
    if not rows:
        return head + "none\n"
    table = [[r.contract, r.customer, r.end.isoformat(), str(r.days_left),
              "yes" if r.auto_renew else "no",
              r.notice_date.isoformat() if r.notice_date else "",
              ("PASSED" if r.notice_passed else "") if r.notice_date else "no notice period"]
             for r in rows]
    return head + "\n" + tabulate(
        table, headers=["contract", "customer", "end", "days left", "auto-renew", "notice by",
                        "notice"],
        colalign=("left", "left", "left", "right", "left", "left", "left"),
        disable_numparse=True) + f"\n\n{len(rows)} contract(s)\n"


def run_renewals(root: str | None, within: int, as_of: str | None, fmt: str,
                 today: date | None = None) -> int:
    folder = repo_root(root)
    if folder is None:
        click.echo(no_root_message(), err=True)
        return 2
    try:
        day = option_date(as_of, "--as-of") or today or date.today()
    except UsageError as exc:
        click.echo(str(exc), err=True)
        return 2
    if within < 0:
        click.echo("tenor: --within: give a number of days, 0 or more", err=True)
        return 2
    repo, diags = load_checked(folder)
    warn_if_invalid(diags)
    rows = renewals(list(repo.contracts.values()), day, within)
    if fmt == "json":
        click.echo(dumps(to_json(rows, day, within)), nl=False)
    else:
        click.echo(render_table(rows, day, within), nl=False)
    return 0
