"""``tenor preview --jobs N``: bill groups of customers in forked processes.

Customers are independent (a contract, its rows, its balances and its rules
belong to one customer), so each worker previews a subset and the results
are merged. Workers are forked after the contracts and activity are loaded,
so they share them instead of receiving copies. The merged preview is the
same as a single-process one, byte for byte (tests/test_jobs.py).
"""
from __future__ import annotations

import multiprocessing
from collections import Counter
from dataclasses import replace
from typing import Sequence

from ..activity import Activity
from ..diagnostics import Diagnostic
from ..repo import Repo
from .engine import preview
from .period import Month
from .result import DISPOSITIONS, Preview

_SHARED: tuple[Repo, Activity, Month, list[list[str]]] | None = None


def customers_of(repo: Repo, activity: Activity) -> list[str]:
    names = {c.customer for c in repo.contracts.values()}
    for rows in (activity.time_entries, activity.charges, activity.tickets, activity.devices,
                 activity.users):
        names.update(r.customer for r in rows)
    names.update(k[1] for k in activity.other_period if k[1] is not None)
    return sorted(names)


def subset(repo: Repo, activity: Activity, customers: set[str], first: bool
           ) -> tuple[Repo, Activity]:
    """The part of the repo and activity that belongs to ``customers``. Rows whose
    customer could not be read (malformed, duplicates) go to the first part only."""
    part_repo = replace(repo, contracts={k: c for k, c in repo.contracts.items()
                                         if c.customer in customers})
    tickets = tuple(t for t in activity.tickets if t.customer in customers)
    ticket_ids = {t.id for t in tickets}
    part = replace(
        activity,
        time_entries=tuple(e for e in activity.time_entries if e.customer in customers),
        charges=tuple(c for c in activity.charges if c.customer in customers),
        tickets=tickets,
        ticket_status=tuple(s for s in activity.ticket_status if s.ticket in ticket_ids),
        devices=tuple(d for d in activity.devices if d.customer in customers),
        users=tuple(u for u in activity.users if u.customer in customers),
        other_period={k: n for k, n in activity.other_period.items()
                      if k[1] in customers or (first and k[1] is None)},
        bad_rows=activity.bad_rows if first else (),
        duplicates=activity.duplicates if first else ())
    return part_repo, part


def _work(index: int) -> tuple[Preview, list[Diagnostic]]:
    assert _SHARED is not None
    repo, activity, month, groups = _SHARED
    part_repo, part = subset(repo, activity, set(groups[index]), index == 0)
    result, diags = preview(part_repo, part, month)
    result.reports = {}     # explain notes hold closures; preview output does not use them
    return result, diags


def preview_parallel(repo: Repo, activity: Activity, month: Month, jobs: int
                     ) -> tuple[Preview, list[Diagnostic]]:
    customers = customers_of(repo, activity)
    if jobs <= 1 or len(customers) < 2:
        return preview(repo, activity, month)
    jobs = min(jobs, len(customers))
    groups = [customers[i::jobs] for i in range(jobs)]
    global _SHARED
    _SHARED = (repo, activity, month, groups)
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            parts = pool.map(_work, range(jobs))
    finally:
        _SHARED = None
    return merge([p for p, _ in parts], activity), [d for _, ds in parts for d in ds]


def merge(parts: Sequence[Preview], activity: Activity) -> Preview:
    rows: Counter = Counter()
    for p in parts:
        rows.update(p.rows)
    dispositions: dict[str, dict[str, int]] = {}
    for kind in parts[0].dispositions:
        per = {"read": activity.rows_read.get(kind, 0)}
        for d in DISPOSITIONS:
            per[d] = sum(p.dispositions[kind][d] for p in parts)
        dispositions[kind] = per
    first = parts[0]
    return replace(
        first,
        invoices=sorted((inv for p in parts for inv in p.invoices), key=lambda i: i.customer),
        balances=sorted((b for p in parts for b in p.balances), key=lambda b: b.contract),
        held=sorted((h for p in parts for h in p.held), key=lambda h: (h.kind, h.file, h.row)),
        dispositions=dispositions,
        fixed_price=sorted((f for p in parts for f in p.fixed_price), key=lambda f: f["contract"]),
        rows=rows, reports={})
