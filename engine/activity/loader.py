"""Read an activity folder (SPEC 4) into an :class:`Activity`.

Design choices, and why:

* Rows stream through ``csv.reader`` (strict quoting) and become one slotted
  dataclass each; no per-row dict, so a million time entries fit in a few
  hundred MB. Each distinct date / datetime / number text is parsed once and
  repeated names are interned, because exports repeat them endlessly.
* A row's line number is the physical line it starts on (header = 1), taken
  from ``reader.line_num`` *before* the row is read, so quoted fields with
  embedded newlines do not shift the numbers of later rows.
* Whole-file problems (not UTF-8, broken quoting, a required column missing)
  skip the file: it counts 0 rows read, and an error says why. Nothing of it
  can be trusted, so nothing of it is dispositioned.
* Duplicate detection runs over all files of a kind together and is a
  function of the *set* of rows: exact copies keep the smallest (file, row);
  same id with different content holds every copy. Row order or the way rows
  are split across files never changes which content wins.
"""
from __future__ import annotations

import csv
import dataclasses
import gc
import operator
import os
import re
import sys
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Protocol

from ..diagnostics import ERROR, WARNING, Diagnostic, did_you_mean
from .columns import (BOOL, DATE, DATETIME, HELD_KINDS, HOURS, ID, NAME, PRICE, PRIORITY,
                      QUANTITY, SPECS, TEXT, Col, KindSpec, kind_of)
from .model import KINDS, Activity, BadRow
from .scope import (DISPOSED, EARLIER_FIELDS, SCOPED, FileScan, Lean, Scanner, Scope,
                    month_index)
from .values import (BadValue, parse_bool, parse_date, parse_decimal, parse_iso_datetime,
                     parse_priority)

__all__ = ["load_activity", "ActivitySource", "Feed", "FeedSource", "FeedError"]

# One canonical row from a feed: (line, cells in the feed's header order,
# problems found before parsing as (code, message) pairs, or None).
FeedRow = tuple[int, list[str], "list[tuple[str, str]] | None"]


class FeedError(Exception):
    """Raised by a feed's rows when its whole file turns out unusable (like a
    CSV with broken quoting): what was read of it is dropped, the file counts
    0 rows, and ``diagnostic`` says why."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


class Feed(Protocol):
    """One source file already translated to canonical columns (an import
    profile's output). ``rows`` is consumed once, lazily, so a feed can stream;
    ``diags`` is read after ``rows`` is exhausted."""
    kind: str
    name: str                       # bare file name, as in held rows
    display: str                    # how diagnostics name the file
    header: list[str]               # canonical column names
    rows: Iterable[FeedRow]
    diags: list[Diagnostic]


class FeedSource(Protocol):
    """What ``load_activity(profile=...)`` takes: anything that can list the
    feeds of a folder (``engine.profiles.Profile`` does)."""

    def feeds(self, folder: Path, display_prefix: str | None
              ) -> tuple[Iterable[Feed], list[Diagnostic]]:
        """(the feeds, problems of the folder as a whole — read after the feeds)."""
        ...

# Past this many distinct texts a column's cache stops growing: a column of
# all-unique values gains nothing from caching and must not double the memory.
_CACHE_LIMIT = 200_000
_MAX_HOURS = Decimal(24)
_SPACES = re.compile(r"\s+")


def _hours(text: str) -> Decimal:
    value = parse_decimal(text)
    if value < 0:
        raise BadValue("activity_negative_hours",
                       f"{text!r} is negative; hours worked cannot be below zero — "
                       f"correct the entry (a correction is a changed row, not a negative one)")
    if value > _MAX_HOURS:
        raise BadValue("activity_too_many_hours",
                       f"{text!r} is more than 24 hours in one entry; split it by day or "
                       f"correct the figure")
    return value


def _quantity(text: str) -> Decimal:
    value = parse_decimal(text)
    if value == 0:
        raise BadValue("activity_zero_quantity",
                       f"{text!r} is zero; a charge must have a quantity (negative for a "
                       f"return or credit) — correct it or delete the row")
    return value


def _price(text: str) -> Decimal:
    value = parse_decimal(text)
    if value < 0:
        raise BadValue("activity_negative_price",
                       f"{text!r} is a negative unit price; record a return or credit as a "
                       f"negative quantity with a positive price")
    return value


_BASE_PARSERS: dict[str, Callable[[str], Any] | None] = {
    ID: None, TEXT: None, NAME: sys.intern, DATE: parse_date, DATETIME: parse_iso_datetime,
    HOURS: _hours, QUANTITY: _quantity, PRICE: _price, BOOL: parse_bool,
    PRIORITY: parse_priority,
}


class _Cache(dict):
    """Raw cell text -> parsed value, filled on first sight (``__missing__``).

    A hit is a C-level ``dict.__getitem__``; only a text not seen before costs
    a Python call, which parses it once. A text that does not parse raises
    KeyError, which sends the row to the slow path that reports every problem
    of the row. Past ``_CACHE_LIMIT`` distinct texts values are still parsed,
    just not stored: a column of unique values must not double the memory.
    """
    __slots__ = ("column",)

    def __init__(self, column: "_Column", initial: dict[str, Any]) -> None:
        super().__init__(initial)
        self.column = column

    def __missing__(self, raw: str) -> Any:
        try:
            value = self.column.convert(raw)
        except BadValue:
            raise KeyError(raw) from None
        if len(self) < _CACHE_LIMIT:
            self[raw] = value
        return value


class _Column:
    """One canonical column of one kind, with its parse cache for this load.

    The fast path of a row maps C-level calls over its cells: the raw text is
    looked up in ``cache`` (parsed on first sight, see :class:`_Cache`), or
    just stripped for unique text (ids, descriptions). A bad value raises
    KeyError and the row takes the slow path (:meth:`parse`), which reports.
    Caches are per load, so nothing grows across calls in a long process.
    """
    __slots__ = ("name", "required", "default", "base", "cache", "fast")

    def __init__(self, col: Col) -> None:
        self.name, self.required, self.default = col.name, col.required, col.default
        self.base = _BASE_PARSERS[col.type]
        self.cache: _Cache | None = None
        self.fast: Callable[[str], Any]
        if self.base is None:
            self.fast = str.strip
        else:
            self.cache = _Cache(self, {} if col.required else {"": col.default})
            self.fast = self.cache.__getitem__

    @property
    def uncached(self) -> bool:
        return self.cache is None

    def convert(self, raw: str) -> Any:
        """Parse one cell (no cache); raises BadValue with the fix in its message."""
        text = raw.strip()
        if not text:
            if self.required:
                raise BadValue("activity_missing_value",
                               f"column '{self.name}' is empty; it is required — fill it in")
            return self.default
        return text if self.base is None else self.base(text)

    def parse(self, raw: str) -> Any:
        """The slow path: the same value as the fast path, or BadValue saying why not."""
        cache = self.cache
        if cache is not None and raw in cache:       # ``in`` never calls __missing__
            return cache[raw]
        value = self.convert(raw)
        if cache is not None and len(cache) < _CACHE_LIMIT:
            cache[raw] = value
        return value


def _columns() -> dict[str, tuple[_Column, ...]]:
    return {kind: tuple(_Column(c) for c in spec.columns) for kind, spec in SPECS.items()}


class _FileResult:
    __slots__ = ("rows", "bad", "diags", "count", "ok", "dated")

    def __init__(self) -> None:
        self.rows: list[Any] = []
        self.bad: list[BadRow] = []
        self.diags: list[Diagnostic] = []
        self.count = 0
        self.ok = True
        self.dated: list[tuple[int, int]] = []   # months of rejected rows whose date reads

    def fail(self, diag: Diagnostic) -> "_FileResult":
        """A whole-file problem: drop what was read of it, keep only the reason."""
        self.rows, self.bad, self.diags, self.count, self.ok = [], [], [diag], 0, False
        self.dated = []
        return self


def _header_map(header: list[str]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for i, cell in enumerate(header):
        name = _SPACES.sub("_", cell.strip().lower())
        found.setdefault(name, []).append(i)
    return found


def _undecodable_line(path: Path) -> tuple[int, str]:
    """Where the first non-UTF-8 byte is (only called once a file failed)."""
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                return number, (f"byte 0x{raw[exc.start]:02X} at column {exc.start + 1} "
                                f"is not UTF-8")
    return 0, "the file is not UTF-8"


# What a file's rows go to once its header is understood: by default straight
# to _read_rows; a scoped load (see .scope) sorts them first.
Consume = Callable[[Iterable[FeedRow], "_Plan", _FileResult], None]


def _read_file(path: Path, name: str, display: str, spec: KindSpec,
               columns: tuple[_Column, ...], consume: Consume | None = None) -> _FileResult:
    res = _FileResult()
    kind = spec.kind
    try:
        fh = open(path, encoding="utf-8-sig", newline="")
    except OSError as exc:
        return res.fail(Diagnostic(display, 0, 0, "activity_unreadable", ERROR,
                                   f"cannot read file: {exc.strerror or exc}; check that it "
                                   f"exists and is readable"))
    reader = csv.reader(fh, strict=True)
    fast: _FastRows | None = None
    try:
        with fh:
            header: list[str] | None = None
            for cells in reader:
                if any(c.strip() for c in cells):
                    header = cells
                    break
            if header is None:
                res.diags.append(Diagnostic(display, 1, 0, "activity_empty_file", WARNING,
                                            f"the file is empty (no header row); it holds no "
                                            f"{kind} — delete it or export it again"))
                return res
            header_line = reader.line_num
            plan = _plan(header, header_line, display, spec, columns, res)
            if plan is None:
                return res
            fast = _FastRows(fh, header_line)
            if consume is None:
                _read_rows(fast.rows(), plan, name, display, spec, res)
            else:
                consume(fast.rows(), plan, res)
    except UnicodeDecodeError:
        line, what = _undecodable_line(path)
        return res.fail(Diagnostic(display, line, 0, "activity_not_utf8", ERROR,
                                   f"{what}; the file was skipped — save or export it as "
                                   f"UTF-8 (e.g. 'CSV UTF-8' in Excel)"))
    except csv.Error as exc:
        line = fast.line if fast is not None else reader.line_num
        return res.fail(Diagnostic(display, line, 0, "activity_bad_csv", ERROR,
                                   f"malformed CSV ({exc}); the file was skipped — check "
                                   f"the quotes around this line (a quote inside a field "
                                   f"is written twice: \"\")"))
    except OSError as exc:
        return res.fail(Diagnostic(display, 0, 0, "activity_unreadable", ERROR,
                                   f"cannot read file: {exc.strerror or exc}"))
    return res


class _Plan:
    """How to turn one file's rows into objects (built once per file)."""
    __slots__ = ("getter", "width", "columns", "fast", "must_have", "blank_to_none",
                 "id_index", "index")

    def __init__(self, indices: list[int], columns: tuple[_Column, ...], id_index: int,
                 absent: int) -> None:
        # canonical column name -> its position in a raw row (absent columns left out)
        self.index = {c.name: i for c, i in zip(columns, indices) if i != absent}
        self.getter = operator.itemgetter(*indices)
        self.width = max(indices) + 1
        self.columns = columns
        self.fast = tuple(c.fast for c in columns)
        # Uncached text columns are only stripped on the fast path: an empty
        # required one sends the row to the slow path, an empty optional one is None.
        self.must_have = tuple(i for i, c in enumerate(columns) if c.uncached and c.required)
        self.blank_to_none = tuple(i for i, c in enumerate(columns)
                                   if c.uncached and not c.required)
        self.id_index = id_index


def _plan(header: list[str], header_line: int, display: str, spec: KindSpec,
          columns: tuple[_Column, ...], res: _FileResult) -> _Plan | None:
    """Header -> column plan in dataclass order; None (and a diagnostic) if unusable."""
    found = _header_map(header)
    names = [n for n in found if n]
    problems: list[str] = []
    doubled = [c.name for c in spec.columns if len(found.get(c.name, ())) > 1]
    for col in doubled:
        cols = ", ".join(str(i + 1) for i in found[col])
        problems.append(f"column '{col}' appears more than once (columns {cols}); "
                        f"keep only one")
    missing = [c for c in spec.required if c not in found]
    if missing:
        which = ", ".join(f"'{m}'" + (f" ({hint[2:]})" if (hint := did_you_mean(m, names))
                                      else "") for m in missing)
        them = "them" if len(missing) > 1 else "it"
        problems.append(
            f"missing required column{'s' if len(missing) > 1 else ''} {which} "
            f"(found: {', '.join(names) or 'none'}); add {them} or rename the "
            f"column that holds {them}")
    if problems:
        res.fail(Diagnostic(display, header_line, 0, "activity_missing_column", ERROR,
                            "; ".join(problems) + f"; the file was skipped (no {spec.kind} "
                            f"read from it)"))
        return None
    absent = len(header)              # rows are padded with "" up to here
    indices = [found[c.name][0] if c.name in found else absent for c in spec.columns]
    return _Plan(indices, columns, found[spec.id_column][0], absent)


def _slow_row(plan: _Plan, texts: tuple[str, ...], known: str = ""
              ) -> tuple[list[Any], list[tuple[str, str]]]:
    """Parse a row column by column, collecting every problem.

    ``known`` is what a feed already said about the row: a column it names
    (``column 'x'``) is not reported a second time (say, as empty).
    """
    values: list[Any] = []
    problems: list[tuple[str, str]] = []
    for col, text in zip(plan.columns, texts):
        if known and f"column '{col.name}'" in known:
            values.append(None)
            continue
        try:
            values.append(col.parse(text))
        except BadValue as exc:
            values.append(None)
            problems.append((exc.code, exc.message if exc.code == "activity_missing_value"
                             else f"column '{col.name}': {exc.message}"))
    return values, problems


# csv's default field_size_limit: a line shorter than this cannot hold a field
# the csv module would refuse, so the split below never accepts what it rejects.
_FIELD_LIMIT = csv.field_size_limit()


class _FastRows:
    """(line, cells, None) per record of an open CSV file, exactly as
    ``_csv_rows(csv.reader(fh, strict=True))`` gives them, at a fraction of the cost.

    Exports are mostly plain lines: no quote, no NUL, shorter than any field
    csv refuses. Such a line is one record and splitting it at commas is
    exactly what csv does (tests/test_fast_rows.py checks this against the csv
    module on generated files). Any other line -- quoted fields, possibly over
    several lines, or anything odd -- is read by a real ``csv.reader``, fed the
    same physical lines, so quoting rules and errors are the csv module's own.
    ``line`` is the number of physical lines consumed when csv raised (what
    ``reader.line_num`` would say), for its error message.
    """

    def __init__(self, fh: Any, line: int) -> None:
        self.it = iter(fh)
        self.line = line
        self.pending: str | None = None
        self.reader = csv.reader(self, strict=True)

    def __next__(self) -> str:          # the csv reader's line source
        if self.pending is not None:
            raw, self.pending = self.pending, None
        else:
            raw = next(self.it)
        self.line += 1
        return raw

    def __iter__(self) -> Any:
        return self

    def rows(self) -> Iterator[tuple[int, list[str], None]]:
        it, reader, limit = self.it, self.reader, _FIELD_LIMIT
        n = self.line
        for raw in it:
            n += 1
            if '"' in raw or "\0" in raw or len(raw) >= limit:
                self.line, self.pending = n - 1, raw
                cells = next(reader)            # may read more lines
                start, n = n, self.line
                yield start, cells, None
                continue
            text = raw.rstrip("\r\n")
            yield n, (text.split(",") if text else []), None
        self.line = n


def _csv_rows(reader: Any) -> Iterator[tuple[int, list[str], None]]:
    """(line, cells, None) per CSV record; line = the physical line it starts on."""
    prev = reader.line_num
    for cells in reader:
        line = prev + 1
        prev = reader.line_num
        yield line, cells, None


def _read_rows(rows: Iterable[tuple[int, list[str], list[tuple[str, str]] | None]],
               plan: _Plan, name: str, display: str, spec: KindSpec,
               res: _FileResult) -> None:
    """Turn canonical rows into objects (or held rows); ``rows`` yields
    ``(line, cells, problems)`` where ``problems`` are (code, message) pairs a
    feed found before parsing (e.g. an unmapped picklist value): such a row is
    invalid whatever its cells say."""
    kind = spec.kind
    cls = spec.cls
    make = _builder(cls)
    check = spec.check
    held = kind in HELD_KINDS
    rows_append = res.rows.append
    getter, width, fast = plan.getter, plan.width, plan.fast
    must_have, blank_to_none = plan.must_have, plan.blank_to_none
    consequence = ("; the row is held until fixed" if held
                   else "; the row is ignored until fixed")
    call = operator.call
    dated_at, dated_parse = _DATED.get(kind, (None, None))
    count = 0
    for line, cells, problems in rows:
        if not any(cells) and not problems:
            continue                       # a blank line is not a row
        count += 1
        if len(cells) < width:
            cells.extend([""] * (width - len(cells)))
        texts = getter(cells)
        if problems:                       # a feed already found the row invalid
            problems = problems + _slow_row(plan, texts, " ".join(m for _, m in problems))[1]
        else:
            try:
                values = list(map(call, fast, texts))
                for i in must_have:
                    if not values[i]:
                        raise KeyError(i)
            except KeyError:
                values, problems = _slow_row(plan, texts)
            else:
                for i in blank_to_none:
                    if not values[i]:
                        values[i] = None
        if not problems:
            obj = make(name, line, *values)
            if check is None:
                rows_append(obj)
                continue
            found = check(obj)
            if not found:
                rows_append(obj)
                continue
            problems = [(code, f"column '{col}': {msg}") for code, col, msg in found]
        if dated_at is not None:       # it still dates activity: see _latest_month
            try:
                when = dated_parse(texts[dated_at])
                res.dated.append((when.year, when.month))
            except BadValue:
                pass
        for code, msg in problems:
            res.diags.append(Diagnostic(display, line, 0, code, ERROR, msg + consequence))
        if held:
            row_id = cells[plan.id_index].strip()
            res.bad.append(BadRow(kind, name, line, row_id or None, "invalid_row",
                                  "; ".join(m for _, m in problems)))
    res.count = count


_BUILDERS: dict[type, Callable[..., Any]] = {}

# The column that dates a row of a kind, as a position in its columns, and its
# parser: the default preview month is the latest month of ANY row whose date
# reads, held or not (a scoped load sees no more than that, so both agree).
_DATED: dict[str, tuple[int, Callable[[str], Any]]] = {
    kind: ([c.name for c in SPECS[kind].columns].index(column),
           parse_iso_datetime if column == "created" else parse_date)
    for kind, column in (("time_entries", "date"), ("charges", "date"), ("tickets", "created"))}


def _latest_month(rows: dict[str, list[Any]], results: list[tuple[str, "_FileResult"]]
                  ) -> tuple[int, int] | None:
    """The latest month of a dated row (time entry, charge, ticket creation in its
    own offset), counting rows held as invalid or as duplicates too."""
    months = [m for _, res in results for m in res.dated]
    for kind in ("time_entries", "charges"):
        if rows[kind]:
            latest = max(map(operator.attrgetter("date"), rows[kind]))
            months.append((latest.year, latest.month))
    if rows["tickets"]:       # the local date as exported, not the latest instant
        latest = max(map(datetime.date, map(operator.attrgetter("created"), rows["tickets"])))
        months.append((latest.year, latest.month))
    return max(months, default=None)


def _builder(cls: type) -> Callable[..., Any]:
    """A constructor for a frozen, slotted row class that is several times faster.

    A frozen dataclass's ``__init__`` sets every field through
    ``object.__setattr__`` (about 3 µs for a time entry: 3 s per million rows).
    Instead, build a plain slotted twin with the *same* slots (its ``__init__``
    is ordinary attribute stores), then switch the instance's class: CPython
    allows that between classes of identical layout. The result is a genuine,
    frozen instance of ``cls``, equal to ``cls(*args)``; the self-test below
    falls back to ``cls`` itself should an interpreter refuse the switch.
    """
    made = _BUILDERS.get(cls)
    if made is not None:
        return made
    fields = dataclasses.fields(cls)
    twin = dataclasses.make_dataclass(f"_{cls.__name__}Twin", [(f.name, Any) for f in fields],
                                      slots=True)

    def make(*args: Any) -> Any:
        obj = twin(*args)
        obj.__class__ = cls
        return obj

    try:
        sample = tuple(f"v{i}" for i in range(len(fields)))
        ok = make(*sample) == cls(*sample) and type(make(*sample)) is cls
    except TypeError:
        ok = False
    made = make if ok and twin.__slots__ == cls.__slots__ else cls
    _BUILDERS[cls] = made
    return made


def _canon(value: Any) -> Any:
    """Exact identity of a parsed value: ``1.5`` and ``1.50`` differ, as do the
    same instant written with two offsets, so a kept copy is never a
    different-looking row than the one a user would see in another order."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _label(spec: KindSpec, row: Any) -> str:
    if spec.kind == "ticket_status":
        return f"ticket '{row.ticket}' at {row.at.isoformat()}"
    return f"id '{row.id}'"


def _dedupe(spec: KindSpec, rows: list[Any], displays: dict[str, str]
            ) -> tuple[list[Any], list[BadRow], list[BadRow], list[Diagnostic]]:
    """Split rows into (kept, duplicates, conflicting, diagnostics)."""
    key = spec.key
    # The usual case, no duplicates at all, is settled at C speed; only a kind
    # that has some pays for the Python loop that groups them.
    if len(set(map(key, rows))) == len(rows):
        return rows, [], [], []
    seen: dict[Any, Any] = {}
    multi: dict[Any, list[Any]] = {}
    for r in rows:
        k = key(r)
        prev = seen.get(k)
        if prev is None:
            seen[k] = r
        elif k in multi:
            multi[k].append(r)
        else:
            multi[k] = [prev, r]
    if not multi:
        return rows, [], [], []
    kept = [r for k, r in seen.items() if k not in multi]
    dups: list[BadRow] = []
    conflicts: list[BadRow] = []
    diags: list[Diagnostic] = []
    fields = tuple(c.name for c in spec.columns)
    kind = spec.kind
    held = kind in HELD_KINDS
    for group in multi.values():
        group.sort(key=lambda r: (r.file, r.row))
        canons = [tuple(_canon(getattr(r, f)) for f in fields) for r in group]
        label = _label(spec, group[0])
        row_id = key(group[0]) if isinstance(key(group[0]), str) else group[0].ticket
        first = group[0]
        if all(c == canons[0] for c in canons):
            kept.append(first)
            for r in group[1:]:
                msg = (f"exact duplicate of {first.file}:{first.row} ({label}); it is counted "
                       f"once — delete the extra row")
                dups.append(BadRow(kind, r.file, r.row, row_id, "duplicate_row", msg))
                diags.append(Diagnostic(displays[r.file], r.row, 0, "activity_duplicate_row",
                                        WARNING, msg))
            continue
        fate = "held" if held else "ignored"
        for i, r in enumerate(group):
            j = next(j for j, c in enumerate(canons) if c != canons[i])
            other = group[j]
            diff = "; ".join(
                f"{f} {_show(getattr(r, f))!r} here, {_show(getattr(other, f))!r} there"
                for f, a, b in zip(fields, canons[i], canons[j]) if a != b)
            where = ", ".join(f"{o.file}:{o.row}" for o in group if o is not r)
            msg = (f"{label} also appears at {where} with different content (vs "
                   f"{other.file}:{other.row}: {diff}); all {len(group)} copies are {fate} "
                   f"— keep one correct row for it")
            conflicts.append(BadRow(kind, r.file, r.row, row_id, "conflicting_duplicate", msg))
            diags.append(Diagnostic(displays[r.file], r.row, 0,
                                    "activity_conflicting_duplicate", ERROR, msg))
    return kept, dups, conflicts, diags


def _datetime_order_key(spec: KindSpec) -> Callable[[Any], tuple] | None:
    """A sort key for kinds ordered by an aware datetime, else None.

    Aware datetimes with different offsets compare through their UTC offsets,
    which made sorting 340,000 ticket status rows take 3 s. Their UTC values
    order and tie exactly alike, at same-zone speed, so one stable sort on
    (primary, secondary) with datetimes in UTC gives the very same order as
    the two attrgetter passes.
    """
    types = {c.name: c.type for c in spec.columns}
    primary, secondary = spec.order
    if DATETIME not in (types.get(primary), types.get(secondary)):
        return None
    to_utc = {name: types.get(name) == DATETIME for name in (primary, secondary)}

    def key(row: Any, _utc: Any = timezone.utc) -> tuple:
        a, b = getattr(row, primary), getattr(row, secondary)
        return (a.astimezone(_utc) if to_utc[primary] else a,
                b.astimezone(_utc) if to_utc[secondary] else b)
    return key


def _empty_activity(files: dict[str, tuple[str, ...]] | None = None) -> Activity:
    return Activity((), (), (), (), (), (), (), (), {k: 0 for k in KINDS},
                    files or {k: () for k in KINDS})


def _read_feed(feed: Feed, spec: KindSpec, columns: tuple[_Column, ...],
               consume: Consume | None = None) -> _FileResult:
    """A profile's canonical rows go through exactly the checks a CSV's do."""
    res = _FileResult()
    plan = _plan(list(feed.header), 1, feed.display, spec, columns, res)
    if plan is None:
        return res
    try:
        if consume is None:
            _read_rows(feed.rows, plan, feed.name, feed.display, spec, res)
        else:
            consume(feed.rows, plan, res)
    except FeedError as exc:
        return res.fail(exc.diagnostic)
    res.diags.extend(feed.diags)
    return res


@dataclasses.dataclass(frozen=True)
class ActivitySource:
    """Where an activity folder is, how messages name it, and the import profile
    that reads it (None: canonical CSV files): what a --jobs worker needs to
    read the same exports as its parent."""
    folder: Path
    display: str
    profile: FeedSource | None = None

    def read(self, scope: Scope | None = None) -> tuple[Activity, list[Diagnostic]]:
        return load_activity(self.folder, display_prefix=self.display, profile=self.profile,
                             scope=scope)


def load_activity(folder: str | Path, *, display_prefix: str | None = None,
                  profile: FeedSource | None = None, scope: Scope | None = None
                  ) -> tuple[Activity, list[Diagnostic]]:
    """Read every activity CSV at the top of ``folder``; never raises on bad input.

    Returns the activity and all diagnostics (sorted). Diagnostics name files
    as ``display_prefix/NAME`` when a prefix is given, else ``folder/NAME``.
    With ``profile`` (an import profile, see ``engine.profiles``) the folder
    holds a PSA's own exports and the profile's feeds replace the canonical
    CSV files; every later step (row checks, duplicates, order) is the same.
    With ``scope`` only the rows one month's preview needs are parsed; the
    rest are counted in ``Activity.other_period`` (see ``.scope``).
    """
    folder = Path(folder)
    where = display_prefix if display_prefix is not None else str(folder)
    # Rows are immutable and hold no reference cycles, yet every one is a
    # GC-tracked object: with the cyclic collector on, a million-row load pays
    # for repeated full-heap scans (~15% of the load). Pause it for the load only.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _load(folder, where, display_prefix, profile, scope)
    finally:
        if gc_was_enabled:
            # everything allocated while paused sits in the youngest generation:
            # the first collection after enabling would scan it all (a million
            # objects, ~0.3 s) only to find it alive. Freezing moves it aside, O(1).
            gc.freeze()
            gc.enable()


class _Scoped:
    """The loader's side of a scoped load: hands scoped kinds' rows to the
    scanner, parses the kept ones once the month is known, filters statuses."""

    def __init__(self, scope: Scope) -> None:
        self.scanner = Scanner(scope)
        self.foreign: dict[str, list[str]] = {}

    def consumer(self, name: str, display: str, spec: KindSpec, path: Path | None = None
                 ) -> Consume | None:
        """``path``: the CSV file, to look at a counted-only row again should its id
        clash (None for a profile's feed, which cannot be read twice)."""
        if spec.kind not in SCOPED:
            return self._part_consumer(name, display, spec)

        def consume(rows: Iterable[FeedRow], plan: _Plan, res: _FileResult) -> None:
            idx = plan.index
            fs = FileScan(spec.kind, name, (plan, display, spec, res, path),
                          (idx[SCOPED[spec.kind][0]], idx["customer"], idx.get("contract"),
                           idx["id"]))
            if spec.kind == "time_entries" and path is not None:
                # earlier entries that feed a balance are read without building rows;
                # a CSV can be read again should one of them need a row after all
                fs.lean = _lean(plan)
            try:
                self.scanner.scan(fs, rows)
            except BaseException:
                self.scanner.files.remove(fs)
                raise
        return consume

    def _part_consumer(self, name: str, display: str, spec: KindSpec) -> Consume | None:
        """devices and users in a partitioned load: this worker's customers only."""
        own = self.scanner.own
        if own is None or spec.kind == "ticket_status":
            return None
        first = self.scanner.first
        foreign = self.foreign.setdefault(spec.kind, [])

        def consume(rows: Iterable[FeedRow], plan: _Plan, res: _FileResult) -> None:
            ci, ii = plan.index["customer"], plan.index["id"]
            kept: list[FeedRow] = []
            for row in rows:
                cells = row[1]
                try:
                    mine = own[cells[ci]]
                except IndexError:
                    mine = first
                if mine:
                    kept.append(row)
                elif len(cells) > ii:
                    foreign.append(cells[ii])
            _read_rows(kept, plan, name, display, spec, res)
        return consume

    def foreign_clash(self, rows: dict[str, list[Any]], bad: list[BadRow]) -> bool:
        """Does an id this worker read also sit on another worker's row (so under
        another customer)? Then the split would miss a duplicate a single process
        catches, and the caller previews in one process instead."""
        foreign: dict[str, list[str]] = {k: list(v) for k, v in self.foreign.items()}
        for fs in self.scanner.files:
            foreign.setdefault(fs.kind, []).extend(fs.foreign)
        for kind, ids in foreign.items():
            if not ids:
                continue
            theirs = set(map(str.strip, ids))
            mine = {r.id for r in rows[kind]} | {b.id for b in bad if b.kind == kind}
            for fs in self.scanner.files:
                if fs.kind == kind:
                    mine |= fs.other_id_set()
            if not theirs.isdisjoint(mine):
                return True
        return False

    def parse_kept(self) -> None:
        """Now that the month is known: parse what each scanned file kept."""
        for fs in self.scanner.files:
            plan, display, spec, res, _ = fs.context
            if not res.ok:
                continue
            _read_rows(fs.rows(), plan, fs.name, display, spec, res)
            res.count += len(fs.other_ids) + sum(map(len, fs.earlier.values()))
            fs.keep, fs.buffer = [], []

    def earlier(self) -> dict[tuple[str, str | None], list[tuple]]:
        """Activity.earlier: earlier entries read without a row, by (customer,
        contract column). One whose id is not unique (a duplicate, or the same id
        on a row of another month) is read again as a row, so duplicate detection
        treats it exactly as a full load would."""
        files = [fs for fs in self.scanner.files
                 if fs.kind == "time_entries" and fs.context[3].ok and fs.earlier]
        id_at = EARLIER_FIELDS.index("id")
        ids = [e[id_at] for fs in files for group in fs.earlier.values() for e in group]
        if not ids:
            return {}
        unique = set(ids)
        clash: set[str] = set()
        if len(unique) != len(ids):
            seen: set[str] = set()
            for i in ids:
                if i in seen:
                    clash.add(i)
                seen.add(i)
        parsed = {r.id for fs in self.scanner.files if fs.kind == "time_entries"
                  for r in fs.context[3].rows}
        clash |= unique & parsed
        for fs in self.scanner.files:
            if fs.kind == "time_entries" and fs.other_ids:
                clash |= unique & fs.other_id_set()
        if clash:
            row_at = EARLIER_FIELDS.index("row")
            for fs in files:
                again = {e[row_at] for group in fs.earlier.values() for e in group
                         if e[id_at] in clash}
                if not again:
                    continue
                for pair, group in fs.earlier.items():
                    fs.earlier[pair] = [e for e in group if e[id_at] not in clash]
                plan, display, spec, res, path = fs.context
                probe = _FileResult()
                _read_rows(_reread(path, again), plan, fs.name, display, spec, probe)
                res.rows.extend(probe.rows)
                res.bad.extend(probe.bad)
                res.diags.extend(probe.diags)
        out: dict[tuple[str, str | None], list[tuple]] = {}
        for fs in files:
            for (customer, contract), group in fs.earlier.items():
                if group:
                    key = (customer.strip(), None if fs.no_contract else contract.strip() or None)
                    out.setdefault(key, []).extend(group)
        return out

    def status_consumer(self, wanted: set[str], spec: KindSpec, name: str, display: str
                        ) -> Consume:
        def consume(rows: Iterable[FeedRow], plan: _Plan, res: _FileResult) -> None:
            ti = plan.index["ticket"]
            kept: list[FeedRow] = []
            skipped = 0
            for row in rows:
                try:
                    if row[2] is None and row[1][ti].strip() not in wanted:
                        skipped += 1
                        continue
                except IndexError:
                    pass
                kept.append(row)
            _read_rows(kept, plan, name, display, spec, res)
            res.count += skipped
        return consume

    def clashes(self, kind: str, kept: list[Any], displays: dict[str, str]
                ) -> tuple[list[Any], list[BadRow], list[Diagnostic]]:
        """Same id parsed here and counted-only elsewhere: every copy is held."""
        found = _valid_only(self.scanner.clashes(kind, {r.id for r in kept}))
        if not found:
            return kept, [], []
        bad: list[BadRow] = []
        diags: list[Diagnostic] = []
        fate = "held" if kind in HELD_KINDS else "ignored"
        parsed = [r for r in kept if r.id in found]
        places: dict[str, list[tuple[str, int]]] = {}
        for r in parsed:
            places.setdefault(r.id, []).append((r.file, r.row))
        for row_id, copies in found.items():
            for fs, i in copies:
                fs.dropped.add(i)
                places[row_id].append((fs.name, fs.other_lines[i]))
        for row_id, where in places.items():
            where.sort()
            for file, line in where:
                others = ", ".join(f"{f}:{n}" for f, n in where if (f, n) != (file, line))
                msg = (f"id '{row_id}' also appears at {others} with different content (a "
                       f"different date or values); all {len(where)} copies are {fate} — keep "
                       f"one correct row for it")
                bad.append(BadRow(kind, file, line, row_id, "conflicting_duplicate", msg))
                diags.append(Diagnostic(displays[file], line, 0,
                                        "activity_conflicting_duplicate", ERROR, msg))
        return [r for r in kept if r.id not in found], bad, diags


def _reread(path: Path, lines: set[int]) -> list[FeedRow]:
    """The rows of a CSV file that start on ``lines`` (read once already, so sound)."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [row for row in _csv_rows(csv.reader(fh, strict=True)) if row[0] in lines]


# What the lean path reads of an earlier time entry: the columns that can be
# wrong (checked with the loader's own parsers) and those a balance needs. The
# ticket is only stripped (a blank one is ""): ticket ids are nearly unique, so
# interning them would cost a cache miss per row, and it cannot be invalid.
_LEAN_COLUMNS = ("id", "date", "customer", "contract", "role", "work_type", "hours", "billable",
                 "approved", "ticket")
_LEAN_KEY = operator.itemgetter(*(len(_LEAN_COLUMNS) if f == "row" else _LEAN_COLUMNS.index(f)
                                   for f in EARLIER_FIELDS))


def _lean(plan: _Plan) -> Lean | None:
    if any(c not in plan.index for c in _LEAN_COLUMNS):
        return None           # an optional column is missing: rows are built as usual
    names = [c.name for c in plan.columns]
    fast = tuple(str.strip if c == "ticket" else plan.fast[names.index(c)]
                 for c in _LEAN_COLUMNS)
    return Lean(operator.itemgetter(*(plan.index[c] for c in _LEAN_COLUMNS)), fast, (0,),
                _LEAN_KEY)


def _valid_only(found: dict[str, list[tuple[FileScan, int]]]
                ) -> dict[str, list[tuple[FileScan, int]]]:
    """Keep the clashing counted-only rows that are valid rows: as in a full load,
    an invalid row takes no part in duplicate detection (and in a scoped load an
    invalid row of another month is just other_period). Rare, so the file is
    simply read again; a feed's rows cannot be, and count as valid."""
    lines: dict[int, set[int]] = {}
    scans: dict[int, FileScan] = {}
    for copies in found.values():
        for fs, i in copies:
            scans[id(fs)] = fs
            lines.setdefault(id(fs), set()).add(fs.other_lines[i])
    valid: dict[int, set[int]] = {}
    for key, fs in scans.items():
        plan, display, spec, _, path = fs.context
        if path is None:
            valid[key] = lines[key]
            continue
        probe = _FileResult()
        _read_rows(_reread(path, lines[key]), plan, fs.name, display, spec, probe)
        valid[key] = {r.row for r in probe.rows}
    out: dict[str, list[tuple[FileScan, int]]] = {}
    for row_id, copies in found.items():
        ok = [(fs, i) for fs, i in copies if fs.other_lines[i] in valid[id(fs)]]
        if ok:
            out[row_id] = ok
    return out


def _load(folder: Path, where: str, display_prefix: str | None,
          profile: FeedSource | None = None, scope: Scope | None = None
          ) -> tuple[Activity, list[Diagnostic]]:
    try:
        entries = sorted(os.listdir(folder))
    except OSError as exc:
        problem = ("does not exist" if isinstance(exc, FileNotFoundError) else
                   "is not a folder" if isinstance(exc, NotADirectoryError) else
                   f"cannot be read ({exc.strerror or exc})")
        return _empty_activity(), [Diagnostic(
            where, 0, 0, "activity_folder_missing", ERROR,
            f"activity folder {str(folder)!r} {problem}; pass an existing folder of CSV "
            f"exports with --activity DIR")]
    diags: list[Diagnostic] = []
    columns = _columns()
    rows: dict[str, list[Any]] = {k: [] for k in KINDS}
    bad: list[BadRow] = []
    read = {k: 0 for k in KINDS}
    files: dict[str, list[str]] = {k: [] for k in KINDS}
    displays: dict[str, str] = {}
    scoped = _Scoped(scope) if scope is not None else None
    results: list[tuple[str, _FileResult]] = []
    # a scoped load reads ticket_status last: which statuses matter depends on
    # the month, known once every dated row has been seen
    later: list[tuple[str, str, Callable[[Consume], _FileResult]]] = []
    feeds, feed_diags = (profile.feeds(folder, display_prefix) if profile is not None
                         else ((), []))
    for feed in feeds:
        displays[feed.name] = feed.display
        files[feed.kind].append(feed.name)
        spec = SPECS[feed.kind]
        if scoped is not None and feed.kind == "ticket_status":
            later.append((feed.name, feed.display, lambda consume, feed=feed, spec=spec:
                          _read_feed(feed, spec, columns[feed.kind], consume)))
            continue
        consume = scoped.consumer(feed.name, feed.display, spec) if scoped else None
        results.append((feed.kind, _read_feed(feed, spec, columns[feed.kind], consume)))
    for name in (entries if profile is None else ()):
        kind = kind_of(name)
        path = folder / name
        if kind is None or not path.is_file():
            continue
        display = f"{display_prefix}/{name}" if display_prefix is not None else str(path)
        displays[name] = display
        files[kind].append(name)
        spec = SPECS[kind]
        if scoped is not None and kind == "ticket_status":
            later.append((name, display, lambda consume, path=path, name=name, display=display,
                          spec=spec: _read_file(path, name, display, spec, columns[spec.kind],
                                                consume)))
            continue
        consume = scoped.consumer(name, display, spec, path) if scoped else None
        results.append((kind, _read_file(path, name, display, spec, columns[kind], consume)))
    other_period: dict[tuple[str, str | None, str | None], int] = {}
    earlier: dict[tuple[str, str | None], list[tuple]] = {}
    foreign_clash = False
    if scoped is not None:
        scoped.parse_kept()
        earlier = scoped.earlier()
        top = scoped.scanner.top
        wanted = {t.id for kind, res in results if kind == "tickets" for t in res.rows
                  if month_index(t.created.year, t.created.month) == top}
        status = SPECS["ticket_status"]
        for name, display, read_later in later:
            results.append(("ticket_status", read_later(
                scoped.status_consumer(wanted, status, name, display))))
    for kind, res in results:
        rows[kind].extend(res.rows)
        bad.extend(res.bad)
        diags.extend(res.diags)
        read[kind] += res.count
    month = _latest_month(rows, results) if scoped is None else scoped.scanner.month
    diags.extend(feed_diags)
    if not displays and profile is None:
        diags.append(Diagnostic(where, 0, 0, "activity_no_files", WARNING,
                                "no activity files found; name them time_entries*.csv, "
                                "tickets*.csv, ticket_status*.csv, devices*.csv, users*.csv "
                                "or charges*.csv"))
    if scoped is not None:
        for kind in SCOPED:
            rows[kind], k_bad, k_diags = scoped.clashes(kind, rows[kind], displays)
            bad.extend(k_bad)
            diags.extend(k_diags)
        if scoped.scanner.own is not None:
            foreign_clash = scoped.foreign_clash(rows, bad)
        for kind in DISPOSED:
            for (customer, contract), n in scoped.scanner.other_period(kind).items():
                other_period[(kind, customer, contract)] = n
    kept: dict[str, tuple[Any, ...]] = {}
    dups: list[BadRow] = []
    for kind in KINDS:
        spec = SPECS[kind]
        k_rows, k_dups, k_conf, k_diags = _dedupe(spec, rows[kind], displays)
        rows[kind] = []                      # release before sorting the next kind
        # Two stable passes with attrgetter keys instead of one tuple key: no
        # million temporary tuples. After _dedupe the (primary, secondary)
        # pairs are unique, so (file, row) never needs to break a tie.
        key = _datetime_order_key(spec)
        if key is not None:
            k_rows.sort(key=key)
        else:
            k_rows.sort(key=operator.attrgetter(spec.order[1]))
            k_rows.sort(key=operator.attrgetter(spec.order[0]))
        kept[kind] = tuple(k_rows)
        dups.extend(k_dups)
        bad.extend(k_conf)
        diags.extend(k_diags)
    order = lambda b: (b.file, b.row, b.kind, b.reason)  # noqa: E731
    activity = Activity(
        time_entries=kept["time_entries"], tickets=kept["tickets"],
        ticket_status=kept["ticket_status"], devices=kept["devices"], users=kept["users"],
        charges=kept["charges"], bad_rows=tuple(sorted(bad, key=order)),
        duplicates=tuple(sorted(dups, key=order)), rows_read=read,
        files={k: tuple(v) for k, v in files.items()},
        other_period=dict(sorted(other_period.items(), key=lambda kv: tuple(
            "" if x is None else x for x in kv[0]))),
        month=month, foreign_clash=foreign_clash, earlier=earlier)
    diags.sort()
    return activity, diags
