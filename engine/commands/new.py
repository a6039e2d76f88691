"""``tenor new ID --from CONTRACT --customer C``: clone a contract as a template.

Why edit text instead of dumping YAML: a contract's comments are part of it
(why a rate was agreed, which clause a blocklist comes from). The loader
keeps the line and column of every value, so the clone is the source
document's own text with a few scalars replaced in place; comments, key
order, quoting and layout survive. The edited text is then loaded again and
compared with the intended values, so an edit that would land in the wrong
place is refused rather than written.

Decisions (documented for users):

* Replaced: ``id``, ``customer``, ``start``, ``end`` (added after ``start`` when
  the source has none). ``end`` = start + N months - 1 day, N = ``--months``,
  else the source's length in whole months (rounded), else 12. ``--start``
  defaults to the first day of next month.
* Other dates in the document (block dates and expiries, fixed-price
  schedule, ticket purchases, price-override ``effective``) move with the
  start: by whole months when both starts fall on the same day of the month,
  else by the number of days, so they keep their place in the term.
* ``block_hours.opening_balance`` is removed: it is the source customer's
  migrated history, never a new customer's.
* ``default: true`` is kept (a template usually is the customer's main
  contract) unless the customer already has an active default contract
  overlapping the new dates; then it is set to false so the repo still validates.
* ``status`` becomes ``active``. ``name``, ``number`` and ``purchase_order`` are
  copied as they are; the command reminds the user to review them.
* Only the source's own document is copied from a multi-document file.
"""
from __future__ import annotations

import copy
import json
import os
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Callable

import click

from ..diagnostics import did_you_mean
from ..model import Contract
from ..repo import Repo, display_path
from ..yamlload import Document, load_file, load_text
from .common import UsageError, add_months, load_checked, no_root_message, option_date, repo_root

ID_RE = re.compile(r"[a-z0-9][a-z0-9._-]*\Z")
CUSTOMER_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
_PLAIN_SAFE = re.compile(r"[A-Za-z][A-Za-z0-9._-]*\Z")
_YAML_WORDS = {"yes", "no", "on", "off", "y", "n", "true", "false", "null", "~"}
_SEPARATOR = re.compile(r"(---|\.\.\.)(\s|$)")
_MODELINE = re.compile(r"(#\s*yaml-language-server:\s*\$schema=)(\S+)(.*)\Z")

# Paths (in the document) of the dates that move with the start.
_DATE_LISTS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("block_hours", "blocks"), ("date", "expires")),
    (("fixed_price", "schedule"), ("date",)),
    (("per_ticket", "purchases"), ("date",)),
    (("price_overrides",), ("effective",)),
)


class CloneError(Exception):
    """The source text cannot be edited safely (an unusual layout); nothing is written."""


@dataclass(frozen=True)
class Edit:
    line: int        # 1-based
    start: int       # 0-based column, inclusive
    end: int         # 0-based column, exclusive
    text: str


def yaml_scalar(text: str) -> str:
    """``text`` as a YAML scalar: plain when that reads back as the same string."""
    if _PLAIN_SAFE.match(text) and text.lower() not in _YAML_WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)   # a JSON string is a YAML double-quoted scalar


def term_months(c: Contract) -> int:
    """The source's length in whole months (rounded), or 12 when it has no end."""
    if c.end is None:
        return 12
    after = c.end + timedelta(days=1)
    months = (after.year - c.start.year) * 12 + after.month - c.start.month
    if add_months(c.start, months) == after:
        return max(months, 1)
    return max(1, round((after - c.start).days * 12 / 365.25))


def shift_date(day: date, old_start: date, new_start: date) -> date:
    if old_start.day == new_start.day:
        months = (new_start.year - old_start.year) * 12 + new_start.month - old_start.month
        return add_months(day, months)
    return day + (new_start - old_start)


# ------------------------------------------------------------------ text editing

def _scalar_end(doc: Document, path: tuple, line_text: str, col: int) -> int:
    """End column (0-based, exclusive) of the scalar starting at ``col`` (0-based)."""
    style = doc.styles.get(path, "")
    if style == "'":
        i = col + 1
        while i < len(line_text):
            if line_text[i] == "'":
                if line_text[i + 1:i + 2] == "'":
                    i += 2
                    continue
                return i + 1
            i += 1
        raise CloneError(f"the quoted value of {'.'.join(map(str, path))} spans lines")
    if style == '"':
        i = col + 1
        while i < len(line_text):
            if line_text[i] == "\\":
                i += 2
                continue
            if line_text[i] == '"':
                return i + 1
            i += 1
        raise CloneError(f"the quoted value of {'.'.join(map(str, path))} spans lines")
    if style:
        raise CloneError(f"{'.'.join(map(str, path))} is a block scalar; write it on one line")
    parent_line, parent_col = doc.mark(path[:-1]) if path[:-1] else (0, 0)
    in_flow = bool(parent_line) and doc.lines[parent_line - 1][parent_col - 1:parent_col] in "{["
    i = col
    while i < len(line_text):
        ch = line_text[i]
        if ch == "#" and i > col and line_text[i - 1] in " \t":
            break
        if in_flow and ch in ",]}":
            break
        i += 1
    while i > col and line_text[i - 1] in " \t":
        i -= 1
    return i


def _replace(doc: Document, path: tuple, new_text: str) -> Edit:
    if path not in doc.marks:
        raise CloneError(f"no value at {'.'.join(map(str, path))}")
    line, col = doc.marks[path]
    text = doc.lines[line - 1]
    return Edit(line, col - 1, _scalar_end(doc, path, text, col - 1), new_text)


def _block_key_lines(doc: Document, path: tuple, last_line: int) -> range:
    """The lines of a block-style ``key: value`` entry, nested lines included."""
    line, col = doc.key_mark(path)
    text = doc.lines[line - 1]
    if text[:col - 1].strip():
        raise CloneError(f"{'.'.join(map(str, path))} is not on a line of its own")
    end = line
    for number in range(line + 1, last_line + 1):
        body = doc.lines[number - 1]
        if not body.strip():
            continue
        if len(body) - len(body.lstrip(" ")) <= col - 1:
            break
        end = number
    return range(line, end + 1)


def document_span(doc: Document) -> tuple[int, int]:
    """First and last line (1-based) of ``doc``'s own text, without ``---`` separators."""
    separators = [i + 1 for i, text in enumerate(doc.lines) if _SEPARATOR.match(text)]
    before = [n for n in separators if n < doc.line]
    after = [n for n in separators if n > doc.line]
    first = (before[-1] + 1) if before else 1
    last = (after[0] - 1) if after else len(doc.lines)
    while last > first and not doc.lines[last - 1].strip():
        last -= 1
    while first < last and not doc.lines[first - 1].strip():
        first += 1
    return first, last


@dataclass(frozen=True)
class Plan:
    """What the clone changes, as values (for the check) and text edits."""
    values: dict[tuple, Any]
    edits: list[Edit]
    insert_after: dict[int, list[str]]
    drop_lines: set[int]
    drop_paths: list[tuple]


def plan_clone(doc: Document, source: Contract, new_id: str, customer: str, start: date,
               end: date, default: bool | None) -> Plan:
    first, last = document_span(doc)
    values: dict[tuple, Any] = {("id",): new_id, ("customer",): customer,
                                ("start",): start.isoformat(), ("end",): end.isoformat()}
    edits = [_replace(doc, ("id",), yaml_scalar(new_id)),
             _replace(doc, ("customer",), yaml_scalar(customer)),
             _replace(doc, ("start",), start.isoformat())]
    insert_after: dict[int, list[str]] = {}
    if ("end",) in doc.marks:
        edits.append(_replace(doc, ("end",), end.isoformat()))
    else:
        line, col = doc.key_mark(("start",))
        if doc.lines[line - 1][:col - 1].strip():
            raise CloneError("start is not on a line of its own")
        insert_after[line] = [" " * (col - 1) + f"end: {end.isoformat()}"]
    if default is not None and ("default",) in doc.marks and doc.data.get("default") != default:
        values[("default",)] = default
        edits.append(_replace(doc, ("default",), "true" if default else "false"))
    if ("status",) in doc.marks and doc.data.get("status") != "active":
        values[("status",)] = "active"
        edits.append(_replace(doc, ("status",), "active"))
    for list_path, keys in _DATE_LISTS:
        items = _get(doc.data, list_path) or []
        for i, item in enumerate(items if isinstance(items, list) else []):
            for key in keys:
                if isinstance(item, dict) and item.get(key) is not None:
                    path = (*list_path, i, key)
                    moved = shift_date(date.fromisoformat(str(item[key])), source.start, start)
                    values[path] = moved.isoformat()
                    edits.append(_replace(doc, path, moved.isoformat()))
    drop_lines: set[int] = set()
    drop_paths: list[tuple] = []
    opening = ("block_hours", "opening_balance")
    if isinstance(doc.data.get("block_hours"), dict) and "opening_balance" in doc.data["block_hours"]:
        drop_lines.update(_block_key_lines(doc, opening, last))
        drop_paths.append(opening)
    return Plan(values, edits, insert_after, drop_lines, drop_paths)


def _get(data: Any, path: tuple) -> Any:
    for part in path:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def _set(data: Any, path: tuple, value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


def _fix_modeline(text: str, source_file: Path, target_file: Path) -> str:
    """Keep a ``# yaml-language-server: $schema=`` path pointing at the same schema."""
    match = _MODELINE.match(text.strip())
    if not match or "://" in match.group(2):
        return text
    schema = (source_file.parent / match.group(2)).resolve()
    relative = os.path.relpath(schema, target_file.parent.resolve()).replace(os.sep, "/")
    return f"{match.group(1)}{relative}{match.group(3)}"


def render_clone(doc: Document, plan: Plan, source: Contract, source_file: Path,
                 target_file: Path, source_label: str | None = None) -> str:
    first, last = document_span(doc)
    by_line: dict[int, list[Edit]] = {}
    for e in plan.edits:
        if not first <= e.line <= last:
            raise CloneError(f"an edit at line {e.line} falls outside the document")
        by_line.setdefault(e.line, []).append(e)
    out: list[str] = []
    for number in range(first, last + 1):
        if number in plan.drop_lines:
            continue
        text = doc.lines[number - 1]
        for e in sorted(by_line.get(number, []), key=lambda e: e.start, reverse=True):
            text = text[:e.start] + e.text + text[e.end:]
        out.append(_fix_modeline(text, source_file, target_file))
        out.extend(plan.insert_after.get(number, []))
    note = (f"# Cloned from {source.id} ({source_label or source.doc.file}) by `tenor new`: review the name, "
            "number, prices and comments.")
    at = 1 if out and _MODELINE.match(out[0].strip()) else 0
    out.insert(at, note)
    return "\n".join(out) + "\n"


def check_clone(text: str, doc: Document, plan: Plan) -> None:
    """Load the new text and compare with the source data plus the intended changes."""
    docs, diags = load_text(text, "<clone>")
    if diags or len(docs) != 1:
        raise CloneError("the edited text does not load back as one YAML document")
    expected = copy.deepcopy(doc.data)
    for path in plan.drop_paths:
        container = _get(expected, path[:-1])
        container.pop(path[-1], None)
    for path, value in plan.values.items():
        if path == ("end",) and "end" not in expected:
            expected["end"] = value
        else:
            _set(expected, path, value)
    if docs[0].data != expected:
        raise CloneError("the edited text does not read back as intended")


# ------------------------------------------------------------------ run

def _customer_has_default(repo: Repo, customer: str, start: date, end: date) -> str | None:
    for c in sorted(repo.contracts.values(), key=lambda c: c.id):
        if (c.customer == customer and c.default and c.status == "active"
                and c.start <= end and start <= (c.end or date.max)):
            return c.id
    return None


def run_new(root: str | None, new_id: str, source: str, customer: str, start: str | None,
            months: int | None, today: date | None = None,
            echo: Callable[..., None] = click.echo) -> int:
    folder = repo_root(root)
    if folder is None:
        echo(no_root_message(), err=True)
        return 2
    if not ID_RE.match(new_id):
        echo(f"tenor: '{new_id}' is not a valid id: use lower-case letters, digits, '.', '_' or "
             "'-', starting with a letter or digit", err=True)
        return 2
    if not CUSTOMER_RE.match(customer) or customer.startswith("."):
        echo(f"tenor: --customer '{customer}' cannot name a folder: use letters, digits, '.', "
             "'_' or '-'", err=True)
        return 2
    try:
        start_day = option_date(start, "--start")
    except UsageError as exc:
        echo(str(exc), err=True)
        return 2
    if start_day is None:
        start_day = add_months((today or date.today()).replace(day=1), 1)
    repo, _ = load_checked(folder)
    contract = repo.contracts.get(source)
    if contract is None:
        broken = ("Contract", source) in repo.ids
        echo(f"tenor: --from {source}: " + (
            "that contract has errors; fix them (tenor validate) before cloning it" if broken
            else f"no such contract{did_you_mean(source, repo.contracts)}"), err=True)
        return 1 if broken else 2
    if ("Contract", new_id) in repo.ids:
        first = repo.ids[("Contract", new_id)][0]
        echo(f"tenor: contract id '{new_id}' is already used in {first.file}; choose another id",
             err=True)
        return 1
    target = folder / "contracts.d" / customer / f"{new_id}.yaml"
    if target.exists():
        echo(f"tenor: {display_path(target)} already exists; not overwriting it", err=True)
        return 1
    end_day = add_months(start_day, months or term_months(contract)) - timedelta(days=1)
    default = None
    clash = _customer_has_default(repo, customer, start_day, end_day) if contract.default else None
    if clash:
        default = False
    source_file = Path(contract.doc.file)
    docs, _ = load_file(source_file, contract.doc.file)
    doc = next((d for d in docs if d.index == contract.doc.index), None)
    if doc is None:
        echo(f"tenor: cannot re-read {contract.doc.file}", err=True)
        return 1
    try:
        plan = plan_clone(doc, contract, new_id, customer, start_day, end_day, default)
        label = Path(os.path.relpath(source_file.resolve(), folder.resolve())).as_posix()
        text = render_clone(doc, plan, contract, source_file, target, label)
        check_clone(text, doc, plan)
    except CloneError as exc:
        echo(f"tenor: cannot clone {source} safely: {exc}; copy the file by hand", err=True)
        return 1
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "x", encoding="utf-8", newline="\n") as fh:   # never overwrite
        fh.write(text)
    _, diags = load_checked(folder)
    shown = display_path(target)
    mine = [d for d in diags if d.file == shown and d.is_error]
    if mine:
        target.unlink()
        for d in mine:
            echo(str(d), err=True)
        echo("tenor: the clone would not validate; nothing written", err=True)
        return 1
    echo(f"created {shown}: {new_id} for {customer}, {start_day} to {end_day}, from {source}")
    if clash:
        echo(f"note: default: true was set to false, since {customer} already has the default "
             f"contract '{clash}' on these dates")
    echo("review its name, number, purchase_order and prices, then run tenor validate")
    return 0
