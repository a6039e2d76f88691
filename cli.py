"""The ``tenor`` command line: parses options, picks a reporter, nothing more.

Each command hands off to a ``run_*(...) -> int`` in ``engine.app``, which
owns the exit code. Exit codes: 0 ok, 1 problems found, 2 usage error,
3 internal error (a bug in tenor; reported in one line, never a traceback).
"""
from __future__ import annotations

import gc
import os
import sys
from typing import Callable

import click

from engine import app


def _guard(fn: Callable[..., int], *args, **kwargs) -> None:
    try:
        code = fn(*args, **kwargs)
    except (click.exceptions.Exit, click.ClickException, click.Abort):
        raise
    except KeyboardInterrupt:
        click.echo("tenor: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        click.echo(f"tenor: internal error: {type(exc).__name__}: {exc}. This is a bug in tenor; "
                   "please report it with the command you ran.", err=True)
        sys.exit(3)
    sys.exit(code)


class _Jobs(click.ParamType):
    """--jobs: a whole number of processes, at least 1, or "auto"."""
    name = "N|auto"

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        if str(value).strip().lower() == "auto":
            return "auto"
        try:
            n = int(str(value).strip())
        except ValueError:
            n = 0
        if n < 1:
            self.fail(f"{value!r} is not a number of processes; give a whole number of at "
                      f"least 1, or auto", param, ctx)
        return n


JOBS = _Jobs()

root_option = click.option(
    "--root", type=click.Path(file_okay=False, exists=True), default=None,
    help="The contracts repo (default: nearest ancestor with contracts.d/).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tenor", prog_name="tenor")
def cli() -> None:
    """tenor: MSP contracts as code. Validate contracts, preview invoices."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@root_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text",
              show_default=True, help="Output format; github prints workflow annotations.")
def validate(paths: tuple[str, ...], root: str | None, fmt: str) -> None:
    """Check contracts, SLAs, rate cards, catalogs and rules (exit 1 on errors)."""
    _guard(app.run_validate, root=root, paths=paths, fmt=fmt)


@cli.command()
@root_option
@click.option("--period", metavar="YYYY-MM", help="Month to preview (default: latest in the activity).")
@click.option("--activity", type=click.Path(file_okay=False), default=None,
              help="Folder of activity CSV exports (default: examples/activity in the repo).")
@click.option("--profile", default=None, help="Import profile: autotask, connectwise or a file.")
@click.option("--customer", "customers", multiple=True, metavar="ID", help="Only these customers.")
@click.option("--contract", "contracts", multiple=True, metavar="ID", help="Only these contracts.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "markdown"]),
              default="table", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the report to FILE instead of standard output.")
@click.option("--strict", is_flag=True, help="Exit 1 on any error (bad rows, blocklisted, no rate).")
@click.option("--jobs", type=JOBS, default="auto", show_default=True, metavar="N|auto",
              help="Read and bill groups of customers in N processes (same output as 1); "
                   "auto: one per CPU (up to 4) when the activity exceeds 32 MiB, else 1.")
def preview(root, period, activity, profile, customers, contracts, fmt, output, strict,
            jobs) -> None:
    """Dry-run invoices for one month from the activity exports."""
    _guard(app.run_preview, root=root, period=period, activity=activity, profile=profile,
           customers=customers, contracts=contracts, fmt=fmt, output=output, strict=strict,
           jobs=jobs)


@cli.command()
@click.argument("contract")
@root_option
@click.option("--period", metavar="YYYY-MM", help="Month to explain (default: latest in the activity).")
@click.option("--activity", type=click.Path(file_okay=False), default=None,
              help="Folder of activity CSV exports (default: examples/activity in the repo).")
@click.option("--profile", default=None, help="Import profile: autotask, connectwise or a file.")
def explain(contract, root, period, activity, profile) -> None:
    """How each line of one contract's invoice was computed."""
    _guard(app.run_explain, root=root, contract=contract, period=period, activity=activity,
           profile=profile)


@cli.command()
@root_option
@click.option("--period", metavar="YYYY-MM", help="One month (default: latest in the activity).")
@click.option("--from", "first", metavar="YYYY-MM", help="First month of a range.")
@click.option("--to", "last", metavar="YYYY-MM", help="Last month of a range.")
@click.option("--activity", type=click.Path(file_okay=False), default=None,
              help="Folder of activity CSV exports (default: examples/activity in the repo).")
@click.option("--profile", default=None, help="Import profile: autotask, connectwise or a file.")
@click.option("--customer", "customers", multiple=True, metavar="ID", help="Only these customers.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True)
def revenue(root, period, first, last, activity, profile, customers, fmt) -> None:
    """Billed, recognised and deferred revenue per contract and month."""
    _guard(app.run_revenue, root=root, period=period, first=first, last=last, activity=activity,
           profile=profile, customers=customers, fmt=fmt)


# ---------------------------------------------------------- contract operations
# (diff, contracts, renewals, balances, new: engine/commands/)

@cli.command()
@root_option
@click.option("--base", required=True, metavar="GITREF", help="The revision to compare against.")
@click.option("--head", default=None, metavar="GITREF",
              help="The revision under review (default: the working tree, WORKTREE).")
@click.option("--period", metavar="YYYY-MM", help="Month to preview (default: latest in the activity).")
@click.option("--activity", type=click.Path(file_okay=False), default=None,
              help="Folder of activity CSV exports (default: examples/activity in the repo).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table",
              show_default=True, help="markdown suits a pull-request comment.")
@click.option("--all", "show_all", is_flag=True, help="Also list customers whose bill does not change.")
@click.option("--profile", default=None, help="Import profile: autotask, connectwise or a file.")
def diff(root, base, head, period, activity, fmt, show_all, profile) -> None:
    """Billing impact of a change: preview both revisions, per customer and contract."""
    from engine.commands.diff import run_diff
    _guard(run_diff, root=root, base=base, head=head, period=period, activity=activity,
           profile=profile, fmt=fmt,
           show_all=show_all)


@cli.command()
@root_option
@click.option("--where", "where", default=None, metavar="COND",
              help='A rule-language condition, e.g. \'type == "block_hours" and end < 2026-12-31\'.')
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
def contracts(root, where, fmt) -> None:
    """List contracts, optionally filtered with --where."""
    from engine.commands.contracts import run_contracts
    _guard(run_contracts, root=root, where=where, fmt=fmt)


@cli.command()
@root_option
@click.option("--within", type=click.IntRange(min=0), default=90, show_default=True, metavar="DAYS",
              help="Contracts ending within this many days of --as-of.")
@click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD", help="Default: today.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
def renewals(root, within, as_of, fmt) -> None:
    """Active contracts ending soon, with auto-renew and notice dates."""
    from engine.commands.renewals import run_renewals
    _guard(run_renewals, root=root, within=within, as_of=as_of, fmt=fmt)


@cli.command()
@root_option
@click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD",
              help="Default: the last day of the latest month in the activity.")
@click.option("--activity", type=click.Path(file_okay=False), default=None,
              help="Folder of activity CSV exports (default: examples/activity in the repo).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.option("--profile", default=None, help="Import profile: autotask, connectwise or a file.")
def balances(root, as_of, activity, fmt, profile) -> None:
    """Prepaid balances: used, remaining, monthly burn and forecast exhaustion."""
    from engine.commands.balances import run_balances
    _guard(run_balances, root=root, as_of=as_of, activity=activity, fmt=fmt, profile=profile)


@cli.command()
@click.argument("new_id", metavar="ID")
@root_option
@click.option("--from", "source", required=True, metavar="CONTRACT_ID",
              help="The contract to copy (a template).")
@click.option("--customer", required=True, metavar="C", help="The new contract's customer.")
@click.option("--start", default=None, metavar="YYYY-MM-DD",
              help="Default: the first day of next month.")
@click.option("--months", type=click.IntRange(min=1, max=1200), default=None, metavar="N",
              help="Term length (default: the source's length in months, or 12).")
def new(new_id, root, source, customer, start, months) -> None:
    """Clone a contract into contracts.d/CUSTOMER/ID.yaml, keeping its comments."""
    from engine.commands.new import run_new
    _guard(run_new, root=root, new_id=new_id, source=source, customer=customer, start=start,
           months=months)


@cli.command()
@root_option
@click.option("--period", metavar="YYYY-MM", help="Tickets created in this month (default: latest).")
@click.option("--activity", type=click.Path(file_okay=False), default=None,
              help="Folder of activity CSV exports (default: examples/activity in the repo).")
@click.option("--profile", default=None, help="Import profile: autotask, connectwise or a file.")
@click.option("--as-of", "as_of", metavar="DATETIME",
              help="Judge open tickets at this time (default: the end of the month).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table",
              show_default=True)
def sla(root, period, activity, profile, as_of, fmt) -> None:
    """SLA response and resolution per ticket, breaches per contract."""
    _guard(app.run_sla, root=root, period=period, activity=activity, profile=profile,
           as_of=as_of, fmt=fmt)


@cli.group()
def profile() -> None:
    """Import profiles: read Autotask, ConnectWise or your own PSA's exports."""


@profile.command("check")
@root_option
@click.option("--profile", "profile_", required=True,
              help="Import profile: autotask, connectwise or a file.")
@click.option("--activity", type=click.Path(file_okay=False), default=None,
              help="Folder of the PSA's exports (default: examples/activity in the repo).")
def profile_check(root, profile_, activity) -> None:
    """Before billing: unmapped columns and picklist values, rows per file (exit 1 if any)."""
    from engine.profiles.check import run_profile_check
    _guard(run_profile_check, root=root, profile=profile_, activity=activity)


def main() -> None:
    # A run builds up to a few million small objects that live until it exits
    # (rows, contracts, parsed YAML) and hold no reference cycles worth finding:
    # collect rarely instead of rescanning them every few thousand allocations.
    gc.set_threshold(100_000, 50, 1000)
    # ...and do not free them one by one at the end either: the commands keep
    # them alive (app.keep), and the process ends without tearing down its heap.
    app.KEEP_ALIVE = True
    try:
        cli(prog_name="tenor")
        code = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            click.echo(str(exc.code), err=True)
            code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass
    os._exit(code)


if __name__ == "__main__":
    main()
