"""``tenor diff``: the billing impact of a change to the contracts (SPEC 7, 9).

Both revisions are previewed on the *same* activity and period, so every
difference in the output comes from the contracts and rules alone. Lines are
matched by (contract, kind, description): a rate change keeps the labor
line's description and shows as one line whose amount moved, while a new
or removed charge shows against 0.00.
"""
from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Callable

import click
from tabulate import tabulate

from ..activity import Activity
from ..billing import Month, Preview, preview
from ..billing.engine import preview_scope
from ..billing.result import KIND_ORDER
from ..diagnostics import Diagnostic
from ..number import ZERO, fmt_money
from ..repo import Repo, display_path
from ..report.problems import text_line
from . import gitrev
from .common import (dumps, latest_month_or_exit, load_checked, no_root_message, pct,
                     period_option, read_source, repo_root, source_or_exit)

Key = tuple[str | None, str, str]      # (contract, kind, description)


@dataclass(frozen=True)
class LineChange:
    kind: str
    description: str
    before: Decimal
    after: Decimal

    @property
    def delta(self) -> Decimal:
        return self.after - self.before


@dataclass(frozen=True)
class ContractDiff:
    contract: str | None          # None: lines with no contract in place
    before: Decimal
    after: Decimal
    lines: tuple[LineChange, ...]

    @property
    def delta(self) -> Decimal:
        return self.after - self.before

    @property
    def changed(self) -> bool:
        return self.delta != 0 or bool(self.lines)


@dataclass(frozen=True)
class CustomerDiff:
    customer: str
    currency: str
    before: Decimal
    after: Decimal
    contracts: tuple[ContractDiff, ...]

    @property
    def delta(self) -> Decimal:
        return self.after - self.before

    @property
    def changed(self) -> bool:
        return self.delta != 0 or any(c.changed for c in self.contracts)


@dataclass(frozen=True)
class DiffReport:
    base: str
    head: str
    start: str
    end: str
    customers: tuple[CustomerDiff, ...]
    changed_files: tuple[str, ...]
    problems: tuple[Diagnostic, ...]

    @property
    def changed_customers(self) -> list[CustomerDiff]:
        return [c for c in self.customers if c.changed]


# ------------------------------------------------------------------ compare

def _invoice_amounts(p: Preview) -> dict[str, tuple[str, dict[Key, Decimal]]]:
    """customer -> (currency, summed amount per line key)."""
    out: dict[str, tuple[str, dict[Key, Decimal]]] = {}
    for inv in p.invoices:
        amounts: dict[Key, Decimal] = {}
        for line in inv.lines:
            key = (line.contract, line.kind, line.description)
            amounts[key] = amounts.get(key, ZERO) + line.amount
        out[inv.customer] = (inv.currency, amounts)
    return out


def _kind_rank(kind: str) -> int:
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


def _contract_key(contract: str | None) -> tuple[bool, str]:
    return (contract is None, contract or "")


def compare(before: Preview, after: Preview, include_all: bool = False) -> list[CustomerDiff]:
    """Per customer and contract: totals before and after, and the lines that changed.

    Customers (and contracts) without a change are left out unless ``include_all``.
    """
    old, new = _invoice_amounts(before), _invoice_amounts(after)
    result: list[CustomerDiff] = []
    for customer in sorted(set(old) | set(new)):
        currency = (new.get(customer) or old.get(customer) or ("USD", {}))[0]
        a = old.get(customer, (currency, {}))[1]
        b = new.get(customer, (currency, {}))[1]
        contracts: list[ContractDiff] = []
        for contract in sorted({k[0] for k in a} | {k[0] for k in b}, key=_contract_key):
            keys = sorted({k for k in a if k[0] == contract} | {k for k in b if k[0] == contract},
                          key=lambda k: (_kind_rank(k[1]), k[1], k[2]))
            changes = tuple(LineChange(k[1], k[2], a.get(k, ZERO), b.get(k, ZERO))
                            for k in keys if a.get(k, ZERO) != b.get(k, ZERO))
            diff = ContractDiff(contract,
                                sum((a.get(k, ZERO) for k in keys), ZERO),
                                sum((b.get(k, ZERO) for k in keys), ZERO), changes)
            if include_all or diff.changed:
                contracts.append(diff)
        entry = CustomerDiff(customer, currency, sum(a.values(), ZERO), sum(b.values(), ZERO),
                             tuple(contracts))
        if include_all or entry.changed:
            result.append(entry)
    return result


# ------------------------------------------------------------------ renderers

def _m(value: Decimal) -> str:
    return fmt_money(value)


def _signed(value: Decimal) -> str:
    text = fmt_money(value)
    return text if text.startswith("-") else "+" + text


def _pct_text(before: Decimal, after: Decimal) -> str:
    change = pct(after - before, before)
    if change is None:
        return ""
    text = format(change, "f")
    return (text if text.startswith("-") else "+" + text) + "%"


_SYMBOLS = {"USD": "$", "CAD": "$", "AUD": "$", "NZD": "$", "EUR": "€", "GBP": "£"}


def money_text(value: Decimal, currency: str, signed: bool = False) -> str:
    """``+$1,240.00``: grouped, with the currency's symbol (or code), for people to read."""
    amount = format(abs(value).quantize(Decimal("0.01")), ",f")
    symbol = _SYMBOLS.get(currency, currency + " ")
    sign = "-" if value < 0 else ("+" if signed else "")
    return f"{sign}{symbol}{amount}"


def summary_line(report: DiffReport) -> str:
    """``3 customers change, +$1,240.00/month`` (one amount per currency)."""
    changed = report.changed_customers
    if not changed:
        return "No customer's bill changes"
    totals: dict[str, Decimal] = {}
    for c in changed:
        totals[c.currency] = totals.get(c.currency, ZERO) + c.delta
    amounts = ", ".join(f"{money_text(v, k, signed=True)}/month" for k, v in sorted(totals.items()))
    noun = "1 customer changes" if len(changed) == 1 else f"{len(changed)} customers change"
    return f"{noun}, {amounts}"


def to_json(report: DiffReport) -> dict:
    return {
        "base": report.base,
        "head": report.head,
        "period": {"start": report.start, "end": report.end},
        "customers": [
            {"customer": c.customer, "before": _m(c.before), "after": _m(c.after),
             "delta": _m(c.delta),
             "contracts": [
                 {"contract": k.contract, "before": _m(k.before), "after": _m(k.after),
                  "delta": _m(k.delta),
                  "lines": [{"kind": l.kind, "description": l.description,
                             "before": _m(l.before), "after": _m(l.after)} for l in k.lines]}
                 for k in c.contracts]}
            for c in report.customers],
        "changed_files": list(report.changed_files),
        "problems": [d.as_json() for d in report.problems],
    }


def render_json(report: DiffReport) -> str:
    return dumps(to_json(report))


def _contract_name(contract: str | None) -> str:
    return contract if contract is not None else "(no contract)"


def render_table(report: DiffReport) -> str:
    out = io.StringIO()
    out.write(f"tenor diff {report.base}..{report.head}, period {report.start} to {report.end}\n")
    out.write(summary_line(report) + "\n")
    if report.customers:
        rows = []
        for c in report.customers:
            rows.append([c.customer, "(total)", _m(c.before), _m(c.after), _signed(c.delta),
                         _pct_text(c.before, c.after)])
            for k in c.contracts:
                rows.append(["", _contract_name(k.contract), _m(k.before), _m(k.after),
                             _signed(k.delta), _pct_text(k.before, k.after)])
        out.write("\n" + tabulate(rows, headers=["customer", "contract", "before", "after", "delta",
                                                 "change"],
                                  colalign=("left", "left", "right", "right", "right", "right"),
                                  disable_numparse=True) + "\n")
    for c in report.customers:
        for k in c.contracts:
            if not k.lines:
                continue
            out.write(f"\n{_contract_name(k.contract)} ({c.customer})\n")
            out.write(tabulate([[l.kind, l.description, _m(l.before), _m(l.after), _signed(l.delta)]
                                for l in k.lines],
                               headers=["kind", "description", "before", "after", "delta"],
                               colalign=("left", "left", "right", "right", "right"),
                               disable_numparse=True) + "\n")
    out.write("\nChanged files:" + ("" if report.changed_files else " none") + "\n")
    for f in report.changed_files:
        out.write(f"  {f}\n")
    if report.problems:
        errors = sum(1 for d in report.problems if d.is_error)
        out.write(f"\nProblems at head: {errors} error(s), "
                  f"{len(report.problems) - errors} warning(s)\n")
        for d in report.problems:
            out.write(text_line(d) + "\n")
    return out.getvalue()


def md_escape(text: str) -> str:
    """Text from a pull request is untrusted: no HTML, no table breaks, no @mentions."""
    text = text.replace("\\", "\\\\").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("|", "\\|").replace("`", "\\`").replace("*", "\\*").replace("_", "\\_")
    text = text.replace("[", "\\[").replace("]", "\\]").replace("@", "&#64;")
    return " ".join(text.split())


def _md_money(value: Decimal, currency: str, signed: bool = False) -> str:
    return money_text(value, currency, signed)


def render_markdown(report: DiffReport) -> str:
    out = io.StringIO()
    out.write(f"### tenor diff: {md_escape(summary_line(report))}\n\n")
    out.write(f"Period {report.start} to {report.end}; base {md_escape(report.base)}, "
              f"head {md_escape(report.head)}.\n")
    if report.customers:
        out.write("\n| Customer | Before | After | Delta | Change |\n|---|---:|---:|---:|---:|\n")
        for c in report.customers:
            out.write(f"| {md_escape(c.customer)} | {_md_money(c.before, c.currency)} | "
                      f"{_md_money(c.after, c.currency)} | "
                      f"{_md_money(c.delta, c.currency, signed=True)} | "
                      f"{_pct_text(c.before, c.after)} |\n")
        for c in report.customers:
            for k in c.contracts:
                count = len(k.lines)
                out.write(f"\n<details><summary>{md_escape(_contract_name(k.contract))} "
                          f"({md_escape(c.customer)}): "
                          f"{_md_money(k.delta, c.currency, signed=True)}, "
                          f"{count} line{'' if count == 1 else 's'} changed</summary>\n\n")
                if k.lines:
                    out.write("| Kind | Description | Before | After | Delta |\n"
                              "|---|---|---:|---:|---:|\n")
                    for l in k.lines:
                        out.write(f"| {l.kind} | {md_escape(l.description)} | "
                                  f"{_md_money(l.before, c.currency)} | "
                                  f"{_md_money(l.after, c.currency)} | "
                                  f"{_md_money(l.delta, c.currency, signed=True)} |\n")
                else:
                    out.write("No line changed.\n")
                out.write("\n</details>\n")
    out.write("\n**Changed files:**" + (" none" if not report.changed_files else "") + "\n")
    if report.changed_files:
        out.write("\n")
        for f in report.changed_files:
            out.write(f"- {md_escape(f)}\n")
    if report.problems:
        errors = sum(1 for d in report.problems if d.is_error)
        title = "Head does not validate" if errors else "Warnings at head"
        out.write(f"\n**{title}:** {errors} error(s), "
                  f"{len(report.problems) - errors} warning(s)\n\n")
        for d in report.problems:
            head = d.message.split("\n", 1)[0]
            out.write(f"- {md_escape(d.location())}: {d.severity}: {md_escape(head)} "
                      f"({md_escape(d.code)})\n")
    return out.getvalue()


RENDERERS: dict[str, Callable[[DiffReport], str]] = {
    "json": render_json, "table": render_table, "markdown": render_markdown}


# ------------------------------------------------------------------ run

def _preview_or_none(side: str, repo: Repo, act: Activity, month: Month) -> Preview | None:
    """A preview that cannot be computed (a repo broken in some way validate explains) is
    reported, not a traceback; the rest of the diff is still shown."""
    try:
        result, _ = preview(repo, act, month)
    except Exception as exc:  # noqa: BLE001 - a broken revision must not crash the report
        click.echo(f"tenor: cannot preview the {side} revision ({type(exc).__name__}: {exc}); "
                   "fix the problems `tenor validate` reports there", err=True)
        return None
    return result


def run_diff(root: str | None, base: str, head: str | None, period: str | None,
             activity: str | None, fmt: str, show_all: bool, profile: str | None = None) -> int:
    folder = repo_root(root)
    if folder is None:
        click.echo(no_root_message(), err=True)
        return 2
    month = period_option(period)
    if isinstance(month, int):
        return month
    try:
        git = gitrev.open_repo(folder)
        base_sha = gitrev.resolve(git, base)
        head_sha = gitrev.resolve(git, head) if head else None
    except gitrev.GitError as exc:
        click.echo(f"tenor: {exc}", err=True)
        return 2
    shown_root = Path(display_path(folder))
    with tempfile.TemporaryDirectory(prefix="tenor-diff-") as tmp:
        base_dir, head_dir = Path(tmp) / "base", Path(tmp) / "head"
        base_dir.mkdir()
        try:
            base_files = gitrev.export(git, base_sha, base_dir)
            if head_sha is not None:
                head_dir.mkdir()
                head_files = gitrev.export(git, head_sha, head_dir)
            else:
                head_dir, head_files = folder, gitrev.worktree_files(folder)
        except (gitrev.GitError, OSError) as exc:
            click.echo(f"tenor: cannot read the revisions: {exc}", err=True)
            return 2
        changed = gitrev.changed_files(base_dir, head_dir, base_files, head_files)
        base_repo, base_diags = load_checked(base_dir, display_root=shown_root)
        if head_sha is not None:
            head_repo, head_diags = load_checked(head_dir, display_root=shown_root)
        else:
            head_repo, head_diags = load_checked(folder)
    base_errors = sum(1 for d in base_diags if d.is_error)
    if base_errors:
        click.echo(f"tenor: warning: the base revision {base} has {base_errors} validation "
                   "error(s); its preview leaves out the documents they concern", err=True)
    # parse only what the month needs, for either revision
    scope = preview_scope(month, base_repo, head_repo)
    source = source_or_exit(folder, activity, profile)
    if isinstance(source, int):
        return source
    act, _ = read_source(source, scope)
    if month is None:
        month = latest_month_or_exit(act, source.folder, "pass --period YYYY-MM", 2)
        if isinstance(month, int):
            return month
    before = _preview_or_none("base", base_repo, act, month)
    after = _preview_or_none("head", head_repo, act, month)
    customers = compare(before, after, show_all) if before and after else []
    report = DiffReport(base=base, head=head or gitrev.WORKTREE, start=month.start.isoformat(),
                        end=month.end.isoformat(), customers=tuple(customers),
                        changed_files=tuple(changed), problems=tuple(head_diags))
    click.echo(RENDERERS[fmt](report), nl=False)
    head_invalid = any(d.is_error for d in head_diags)
    return 1 if head_invalid or before is None or after is None else 0
