"""``tenor preview --jobs N``: customers billed in N forked worker processes.

Customers are independent (a contract, its rows, its balances and its rules
belong to one customer), so each worker takes the customers that
``engine.activity.scope.owner`` gives it, and does everything for them: it
reads the activity (every worker parses the CSV, but builds rows only for its
own customers), replays their balances and prices their month. Reading is
most of a preview's time, so splitting it is what makes a second core help.
Workers are forked after the contracts are validated, so they share them.

The merged preview is the same as a single-process one, byte for byte
(tests/test_jobs.py). One case cannot be settled by a worker alone: an id
read under two customers (so by two workers), which one process would hold
as a conflicting duplicate. A worker that meets one says so, and the preview
is then computed in one process.
"""
from __future__ import annotations

import multiprocessing
import os
from collections import Counter
from dataclasses import dataclass, replace
from typing import Sequence

from ..activity.loader import ActivitySource
from ..activity.scope import owner
from ..diagnostics import Diagnostic
from ..repo import Repo
from .engine import preview, preview_scope
from .period import Month
from .result import DISPOSITIONS, Preview


# --jobs auto: below this much activity a second process costs more than it saves
# (forking, and every worker reading every export); above it, one worker per CPU
# up to AUTO_MAX (each worker parses every CSV line, so more give little and
# each one's memory is added).
AUTO_MIN_BYTES = 32 * 1024 * 1024
AUTO_MAX = 4


def auto_jobs(source: ActivitySource) -> int:
    """How many processes ``--jobs auto`` (the default) uses for this activity."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1                    # e.g. Windows: workers are forked to share the contracts
    try:
        cpus = len(os.sched_getaffinity(0))        # what this process may run on
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    if cpus < 2 or _activity_bytes(source) < AUTO_MIN_BYTES:
        return 1
    return min(cpus, AUTO_MAX)


def _activity_bytes(source: ActivitySource) -> int:
    """Size of the files at the top of the activity folder (0 if it cannot be read:
    the one-process path then reports the problem)."""
    total = 0
    try:
        with os.scandir(source.folder) as entries:
            for entry in entries:
                try:
                    if entry.is_file():
                        total += entry.stat().st_size
                except OSError:
                    continue
    except OSError:
        return 0
    return total


class NoWorkers(RuntimeError):
    """The worker processes could not be started; the message says why."""


@dataclass
class Part:
    """One worker's answer."""
    preview: Preview | None
    diags: list[Diagnostic]
    rows_read: dict[str, int]
    month: Month | None
    clash: bool


_SHARED: tuple[Repo, ActivitySource, Month | None, int] | None = None


def part_repo(repo: Repo, index: int, jobs: int) -> Repo:
    return replace(repo, contracts={k: c for k, c in repo.contracts.items()
                                    if owner(c.customer, jobs) == index})


def _work(index: int) -> Part:
    assert _SHARED is not None
    repo, source, month, jobs = _SHARED
    mine = part_repo(repo, index, jobs)
    scope = preview_scope(month, mine, part=(index, jobs))
    act, diags = source.read(scope)
    if act.foreign_clash:
        return Part(None, diags, act.rows_read, month, True)
    if month is None:
        latest = act.latest_month()
        month = Month(*latest) if latest else None
    if month is None:
        return Part(None, diags, act.rows_read, None, False)
    result, _ = preview(mine, act, month)
    result.reports = {}     # explain notes hold closures; preview output does not use them
    return Part(result, diags, act.rows_read, month, False)


def preview_parallel(repo: Repo, source: ActivitySource, month: Month | None, jobs: int
                     ) -> tuple[Preview, list[Diagnostic], Month] | None:
    """The merged preview, the activity problems and the month; None when the
    work cannot be split (see the module docstring) or there is no month to
    preview: the caller then does it in one process."""
    global _SHARED
    _SHARED = (repo, source, month, jobs)
    try:
        try:
            pool = multiprocessing.get_context("fork").Pool(jobs)
        except (OSError, ImportError) as exc:
            # no working semaphores (/dev/shm missing in some containers), no more
            # processes allowed...: the same preview, in this process
            raise NoWorkers(f"could not start {jobs} worker processes ({exc}); previewing "
                            f"in one process") from exc
        with pool:
            parts = pool.map(_work, range(jobs))
    finally:
        _SHARED = None
    months = {p.month for p in parts}
    if any(p.clash or p.preview is None for p in parts) or len(months) != 1:
        return None
    # whole-file problems are found by every worker: each is reported once
    diags = sorted({d for p in parts for d in p.diags})
    read: Counter = Counter()
    for p in parts:
        read.update(p.rows_read)
    # every worker counts every ticket_status row (none of them is a customer's)
    read["ticket_status"] = parts[0].rows_read.get("ticket_status", 0)
    merged = merge([p.preview for p in parts if p.preview is not None], dict(read))
    return merged, diags, months.pop()


def merge(parts: Sequence[Preview], rows_read: dict[str, int]) -> Preview:
    rows: Counter = Counter()
    for p in parts:
        rows.update(p.rows)
    dispositions: dict[str, dict[str, int]] = {}
    for kind in parts[0].dispositions:
        per = {"read": rows_read.get(kind, 0)}
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
