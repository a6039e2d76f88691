"""The ``tenor`` command line: parses options, picks a reporter, nothing more.

Each command hands off to a ``run_*(...) -> int`` in ``engine.app``, which
owns the exit code. Exit codes: 0 ok, 1 problems found, 2 usage error,
3 internal error (a bug in tenor; reported in one line, never a traceback).
"""
from __future__ import annotations

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
def preview(root, period, activity, profile, customers, contracts, fmt, output, strict) -> None:
    """Dry-run invoices for one month from the activity exports."""
    _guard(app.run_preview, root=root, period=period, activity=activity, profile=profile,
           customers=customers, contracts=contracts, fmt=fmt, output=output, strict=strict)


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


def main() -> None:
    cli(prog_name="tenor")


if __name__ == "__main__":
    main()
