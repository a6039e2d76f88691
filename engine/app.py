"""Command runners: each ``run_*`` returns the process exit code.

They connect the pipeline stages (load -> validate -> evaluate -> report) and
choose the reporter; ``cli.py`` only turns options into arguments.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Sequence

import click

from .commands.common import latest_month_or_exit, period_option, read_source, source_or_exit
from .report import problems
from .report.progress import Progress
from .validate import resolve_root, validate


# Set by the command-line entry point: the big results of a run (rows, repo,
# preview) are kept referenced until the process ends, which then skips freeing
# them object by object. Off for library use and tests, which must not pile up.
KEEP_ALIVE = False
_LIVE: list = []


def keep(*objects: object) -> None:
    if KEEP_ALIVE:
        _LIVE.append(objects)


def _no_root_message() -> str:
    from .commands.common import no_root_message
    return no_root_message()


def run_validate(root: str | None, paths: Sequence[str], fmt: str) -> int:
    repo_root = resolve_root(root)
    if repo_root is None and not paths:
        click.echo(_no_root_message(), err=True)
        return 2
    repo, diags = validate(repo_root, [Path(p) for p in paths])
    keep(repo)
    out = sys.stdout
    if fmt == "json":
        problems.write_json(diags, out)
    elif fmt == "github":
        problems.write_github(diags, out)
        if not diags:
            click.echo("tenor validate: no problems", err=True)
    else:
        problems.write_text(diags, out, len(repo.files))
    return 1 if any(d.is_error for d in diags) else 0


def _contracts_for_preview(root: str | None, progress: Progress):
    """(repo root, validated repo) or an exit code (the problems already printed)."""
    repo_root = resolve_root(root)
    if repo_root is None:
        click.echo(_no_root_message(), err=True)
        return 2
    progress.stage("loading contracts")
    repo, diags = validate(repo_root)
    errors = [d for d in diags if d.is_error]
    for d in diags:
        click.echo(str(d), err=True)
    if errors:
        click.echo(f"tenor: {len(errors)} error(s) in the contracts; fix them (see above) "
                   "before previewing invoices", err=True)
        return 1
    return repo_root, repo


def _prepare(root: str | None, period: str | None, activity: str | None, profile: str | None,
             progress: Progress):
    """(validated repo, --period or None, activity source), or an exit code."""
    found = _contracts_for_preview(root, progress)
    if isinstance(found, int):
        return found
    repo_root, repo = found
    month = period_option(period)
    if isinstance(month, int):
        return month
    source = source_or_exit(repo_root, activity, profile)
    if isinstance(source, int):
        return source
    return repo, month, source


def _load_for_preview(root: str | None, period: str | None, activity: str | None,
                      profile: str | None, progress: Progress | None = None,
                      scoped: bool = True):
    """Shared by preview, explain, revenue and sla: (repo, activity, month, activity
    diagnostics) or an exit code. ``scoped``: parse only what the month needs
    (engine.activity.scope); revenue, which walks many months, reads everything."""
    progress = progress or Progress(2)
    ready = _prepare(root, period, activity, profile, progress)
    if isinstance(ready, int):
        return ready
    return _read_for_month(*ready, progress, scoped)


def _read_for_month(repo, month, source, progress: Progress, scoped: bool):
    """(repo, activity, month, activity diagnostics), the month found in the
    activity when not given; or exit code 1 when there is none."""
    from .billing.engine import preview_scope

    progress.stage("reading activity")
    # parse only the rows this month's preview needs (the month's own, and earlier
    # ones that can still draw on a balance); count the rest as other_period
    act, act_diags = read_source(source, preview_scope(month, repo) if scoped else None)
    if month is None:
        month = latest_month_or_exit(
            act, source.folder, "pass --period YYYY-MM to preview contract-only lines", 1)
        if isinstance(month, int):
            return month
    return repo, act, month, act_diags


def run_preview(root: str | None, period: str | None, activity: str | None, profile: str | None,
                customers: Sequence[str], contracts: Sequence[str], fmt: str,
                output: str | None, strict: bool, jobs: int | str = 1) -> int:
    """``jobs``: a number of processes, or "auto" (see billing.parallel.auto_jobs)."""
    from .billing import preview
    from .billing.select import select
    from .report.preview import RENDERERS

    progress = Progress(3)
    ready = _prepare(root, period, activity, profile, progress)
    if isinstance(ready, int):
        return ready
    repo, month, source = ready
    result = act = None
    if jobs == "auto":
        from .billing.parallel import auto_jobs
        jobs = auto_jobs(source)
    if jobs > 1:
        from .billing.parallel import NoWorkers, preview_parallel
        progress.stage(f"reading activity and billing in {jobs} processes")
        try:
            done = preview_parallel(repo, source, month, jobs)
        except NoWorkers as exc:
            click.echo(f"tenor: {exc}", err=True)
            done = None
        if done is not None:       # None: the work could not be split; one process then
            result, act_diags, month = done
            for d in act_diags:
                click.echo(str(d), err=True)
    if result is None:
        loaded = _read_for_month(repo, month, source, progress, scoped=True)
        if isinstance(loaded, int):
            return loaded
        repo, act, month, act_diags = loaded
    unknown = [c for c in contracts if c not in repo.contracts]
    for c in unknown:
        click.echo(f"tenor: --contract {c}: no such contract", err=True)
    if unknown:
        return 2
    if result is None:
        progress.stage(f"billing {month}")
        result, _ = preview(repo, act, month)
    progress.finish()
    keep(repo, result, act)
    result = select(result, customers, contracts)
    text = RENDERERS[fmt](result)
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    has_error = any(d.is_error for d in act_diags) or any(
        w.severity == "error" for inv in result.invoices for w in inv.warnings)
    return 1 if strict and has_error else 0


def run_explain(root: str | None, contract: str, period: str | None, activity: str | None,
                profile: str | None) -> int:
    from .billing import preview
    from .diagnostics import did_you_mean
    from .report.explain import render_explain

    loaded = _load_for_preview(root, period, activity, profile)
    if isinstance(loaded, int):
        return loaded
    repo, act, month, _ = loaded
    if contract not in repo.contracts:
        click.echo(f"tenor: no contract '{contract}'{did_you_mean(contract, repo.contracts)}; "
                   "`tenor contracts` lists them", err=True)
        return 2
    result, _ = preview(repo, act, month)
    sys.stdout.write(render_explain(result, repo.contracts[contract]))
    return 0


def run_revenue(root: str | None, period: str | None, first: str | None, last: str | None,
                activity: str | None, profile: str | None, customers: Sequence[str],
                fmt: str) -> int:
    from .billing import Month
    from .report.revenue import RENDERERS
    from .revenue import revenue

    if period and (first or last):
        click.echo("tenor: give either --period or --from/--to, not both", err=True)
        return 2
    loaded = _load_for_preview(root, period or last or first, activity, profile, scoped=False)
    if isinstance(loaded, int):
        return loaded
    repo, act, month, _ = loaded
    try:
        start = Month.parse(first) if first else month
        end = Month.parse(last) if last else (month if not first else month)
    except ValueError as exc:
        click.echo(f"tenor: {exc}", err=True)
        return 2
    if first and not last:
        latest = act.latest_month()
        end = Month(*latest) if latest else start
    if end < start:
        click.echo(f"tenor: --to {end} is before --from {start}", err=True)
        return 2
    months = revenue(repo, act, start, end)
    if customers:
        wanted = set(customers)
        for m in months:
            m.rows = [r for r in m.rows if r.customer in wanted]
    sys.stdout.write(RENDERERS[fmt](months))
    return 0


def parse_as_of(text: str):
    """An instant (with offset), a wall-clock time in each SLA's timezone, or a date."""
    import datetime as dt

    from .activity import BadValue, parse_date, parse_iso_datetime
    text = text.strip()
    try:
        return parse_iso_datetime(text)
    except BadValue:
        pass
    try:
        return parse_date(text)
    except BadValue:
        pass
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date or datetime; write 2026-10-31, "
                         "2026-10-31T18:00 or 2026-10-31T18:00:00-04:00") from None
    if value.tzinfo is not None:
        raise ValueError(f"{text!r}: write the offset as Z or +HH:MM")
    return value


def run_sla(root: str | None, period: str | None, activity: str | None, profile: str | None,
            as_of: str | None, fmt: str) -> int:
    from .sla.render import RENDERERS
    from .sla.report import sla_report

    loaded = _load_for_preview(root, period, activity, profile)
    if isinstance(loaded, int):
        return loaded
    repo, act, month, _ = loaded
    when = None
    if as_of:
        try:
            when = parse_as_of(as_of)
        except ValueError as exc:
            click.echo(f"tenor: --as-of: {exc}", err=True)
            return 2
    report = sla_report(repo, act, month, when)
    for problem in report.problems:
        click.echo(str(problem), err=True)
    sys.stdout.write(RENDERERS[fmt](report))
    return 0
