"""``tenor contracts [--where COND]``: list contracts, filtered in the rule language.

Why the rule language and not a new filter syntax: users already write
conditions for pricing (``hours > 40 and tickets.critical > 3``); the same
parser gives the same error messages, with a caret under the mistake.
Dates are ``datetime.date`` values, so ``end < 2027-01-01`` compares dates,
not text.
"""
from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import date
from typing import Any, Iterator

import click
from tabulate import tabulate

from ..diagnostics import did_you_mean
from ..model import Contract
from ..rules import Cond, RuleError, eval_condition, parse_condition
from ..rules.ast import Name
from .common import dumps, load_checked, no_root_message, repo_root, warn_if_invalid

# The fields --where can read, in the order they are documented.
FIELDS = ("id", "customer", "type", "status", "start", "end", "sla", "default", "frequency", "name")
COLUMNS = ("id", "customer", "type", "status", "start", "end", "sla", "default")


def contract_fields(c: Contract) -> dict[str, Any]:
    """The values a ``--where`` condition sees (text, dates, booleans; absent = None)."""
    return {"id": c.id, "customer": c.customer, "type": c.type, "status": c.status,
            "start": c.start, "end": c.end, "sla": c.sla, "default": c.default,
            "frequency": c.frequency, "name": c.name}


def _names(cond: Cond) -> Iterator[Name]:
    """Every field name a condition reads (iterative walk: the tree may be wide)."""
    stack: list[Any] = [cond]
    while stack:
        node = stack.pop()
        if isinstance(node, Name):
            yield node
        elif isinstance(node, tuple):
            stack.extend(node)
        elif is_dataclass(node):
            stack.extend(getattr(node, f.name) for f in fields(node) if f.name != "loc")


def caret(text: str, col: int) -> str:
    """The condition with a caret under column ``col`` (1-based)."""
    line = text.split("\n", 1)[0]
    return f"    {line}\n    {' ' * max(col - 1, 0)}^"


def parse_where(text: str) -> tuple[Cond | None, str | None]:
    """(condition, None) or (None, an error message with a caret)."""
    cond, diags = parse_condition(text, "--where")
    errors = [d for d in diags if d.is_error]
    if errors or cond is None:
        d = errors[0] if errors else None
        message = d.message if d else "the condition could not be read"
        if d and "\n" not in message:
            message += "\n" + caret(text, d.col)
        return None, f"tenor: --where: {message}"
    for name in sorted(_names(cond), key=lambda n: (n.loc.line, n.loc.col)):
        if name.name not in FIELDS:
            return None, (f"tenor: --where: unknown field '{name.name}'"
                          f"{did_you_mean(name.name, FIELDS)} (fields: {', '.join(FIELDS)})\n"
                          + caret(text, name.loc.col))
    return cond, None


def select(contracts: list[Contract], cond: Cond | None) -> list[Contract]:
    """Contracts matching ``cond`` (all when None), sorted by id. Raises RuleError."""
    ordered = sorted(contracts, key=lambda c: c.id)
    if cond is None:
        return ordered
    return [c for c in ordered if eval_condition(cond, contract_fields(c))]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def to_json(contracts: list[Contract]) -> dict:
    out = []
    for c in contracts:
        row = contract_fields(c)
        out.append({k: (v.isoformat() if isinstance(v, date) else v) for k, v in row.items()})
    return {"contracts": out}


def render_json(contracts: list[Contract]) -> str:
    return dumps(to_json(contracts))


def render_table(contracts: list[Contract]) -> str:
    if not contracts:
        return "no contracts match\n"
    rows = [[_text(contract_fields(c)[k]) for k in COLUMNS] for c in contracts]
    return (tabulate(rows, headers=list(COLUMNS), disable_numparse=True)
            + f"\n\n{len(contracts)} contract(s)\n")


RENDERERS = {"json": render_json, "table": render_table}


def run_contracts(root: str | None, where: str | None, fmt: str) -> int:
    folder = repo_root(root)
    if folder is None:
        click.echo(no_root_message(), err=True)
        return 2
    cond = None
    if where is not None:
        cond, error = parse_where(where)
        if error:
            click.echo(error, err=True)
            return 2
    repo, diags = load_checked(folder)
    warn_if_invalid(diags)
    try:
        chosen = select(list(repo.contracts.values()), cond)
    except RuleError as exc:
        click.echo(f"tenor: --where: {exc.message}"
                   + ("\n" + caret(where or "", exc.loc.col) if exc.loc else ""), err=True)
        return 2
    click.echo(RENDERERS[fmt](chosen), nl=False)
    return 0
