"""Small helpers the contract-operation commands share.

Why a module of its own: every command needs the same three steps (find the
repo, load and check it, read the activity) with the same messages, and the
messages are part of the interface users learn.
"""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..activity import Activity, parse_date
from ..activity.loader import ActivitySource
from ..activity.scope import Scope
from ..activity.values import BadValue
from ..checks import run_checks
from ..diagnostics import Diagnostic
from ..repo import Repo, display_path, load_repo
from ..validate import resolve_root

if TYPE_CHECKING:
    from ..billing.period import Month


class UsageError(Exception):
    """A bad option value: reported on stderr, exit 2."""


def no_root_message() -> str:
    return ("tenor: no contracts repo found: no contracts.d/ folder here or in any parent folder; "
            "run tenor inside your contracts repo or pass --root DIR")


def repo_root(root: str | None) -> Path | None:
    return resolve_root(root)


def load_checked(root: Path, display_root: Path | None = None) -> tuple[Repo, list[Diagnostic]]:
    """Load and run every validate check, as ``tenor validate`` does (sorted, deduplicated)."""
    repo, diags = load_repo(root, display_root=display_root)
    return repo, sorted(set(diags + run_checks(repo)))


def warn_if_invalid(diags: list[Diagnostic]) -> None:
    """Listing commands still work on a repo with errors, but say that they skipped documents."""
    errors = sum(1 for d in diags if d.is_error)
    if errors:
        click.echo(f"tenor: warning: the contracts have {errors} error(s); documents with schema "
                   "errors are left out. Run `tenor validate` for details.", err=True)


def period_option(period: str | None) -> Month | None | int:
    """--period as a Month, None when not given, or exit code 2 (the problem echoed)."""
    from ..billing import Month
    if not period:
        return None
    try:
        return Month.parse(period)
    except ValueError as exc:
        click.echo(f"tenor: --period: {exc}", err=True)
        return 2


class ProfileUnusable(Exception):
    """--profile names a profile with errors (already printed): exit 2."""


def activity_source(root: Path, activity: str | None, profile: str | None = None
                    ) -> ActivitySource:
    """Where the activity is (default examples/activity in the repo) and how to read
    it. Raises ProfileUnusable (the profile's problems already echoed)."""
    feed = None
    if profile:
        from ..profiles import load_profile
        feed, profile_diags = load_profile(profile, cwd=Path.cwd())
        for d in profile_diags:
            click.echo(str(d), err=True)
        if feed is None:
            raise ProfileUnusable(f"tenor: --profile {profile}: the profile cannot be used; fix "
                                  "it (see above) or check it with `tenor profile check`")
    folder = Path(activity) if activity else root / "examples" / "activity"
    return ActivitySource(folder, activity or display_path(folder), feed)


def source_or_exit(root: Path, activity: str | None, profile: str | None
                   ) -> ActivitySource | int:
    """activity_source, or exit code 2 for an unusable --profile (said on stderr)."""
    try:
        return activity_source(root, activity, profile)
    except ProfileUnusable as exc:
        click.echo(str(exc), err=True)
        return 2


def latest_month_or_exit(act: Activity, folder: Path, fix: str, code: int) -> Month | int:
    """The activity's latest month, or ``code`` when there is no activity (said on
    stderr with ``fix``, the option that would let the command go on)."""
    from ..billing.period import Month
    latest = act.latest_month()
    if latest is None:
        click.echo(f"tenor: no activity found in {folder}; {fix}", err=True)
        return code
    return Month(*latest)


def read_source(source: ActivitySource, scope: Scope | None = None
                ) -> tuple[Activity, list[Diagnostic]]:
    """Load the activity; its problems are echoed to stderr and returned. ``scope``
    limits parsing to what one month's preview needs (see engine.activity.scope)."""
    act, diags = source.read(scope)
    for d in diags:
        click.echo(str(d), err=True)
    return act, diags


def option_date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return parse_date(text)
    except BadValue as exc:
        raise UsageError(f"tenor: {option}: {exc}") from exc


def dumps(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def pct(part: Decimal, whole: Decimal) -> Decimal | None:
    """part / whole as a percentage with one decimal, half-up; None when whole is 0."""
    if whole == 0:
        return None
    return (part * 100 / whole).quantize(Decimal("0.1"))


def add_months(day: date, months: int) -> date:
    """Calendar month arithmetic; the day is clamped to the target month's last day."""
    import calendar
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))
