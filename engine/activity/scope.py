"""Reading only the rows a one-month preview needs (issue 8, performance).

A year of exports is a million time entries, but a preview of one month uses
the rows of that month plus the earlier rows that can still draw on a
prepaid balance (block hours, retainers) or count towards a fixed price.
Every other row only needs counting as ``other_period`` (SPEC 5.11). Turning
such a row into a checked, parsed object costs several times what reading
it costs, so a scoped load looks at three cells of it (date, customer,
contract), counts it and moves on.

What a scoped load promises, and the product decision behind it:

* Every row is still counted in ``rows_read`` and still gets exactly one
  disposition: rows not parsed are ``Activity.other_period``, counted per
  (kind, customer, contract column) as the engine's own fast path counted
  them before.
* A row is *checked* when it matters to the month: it is dated in the month,
  its date does not parse, or it feeds a balance. A malformed value in a row
  of another month (bad hours, say) is reported by the preview of that
  month, not by every later one; such a row is ``other_period`` here.
* The same id dated in the month and in another month is a conflict, as in
  a full load: every copy is held ``conflicting_duplicate``. Two exact copies
  both dated in another month are that month's concern; here they are two
  ``other_period`` rows.
* Earlier time entries that feed a balance are checked with the loader's own
  parsers but kept as small tuples (``EARLIER_FIELDS``) grouped by customer
  and contract column, not as row objects; one that is malformed, or whose id
  is not unique, is read again as a row so it is held exactly as in a full load.
* With no ``--period`` the month is the latest month of any row whose date
  reads (time entries, charges, ticket creation; held rows too, as in a full
  load), found during the same single pass: rows of the latest month seen so
  far are kept raw until a later month turns up.
* ticket_status rows matter only to SLA figures of tickets created in the
  month; others are counted as read and not parsed (they get no disposition
  in SPEC 5.11, so none is lost).
* ``part=(i, n)`` (``--jobs n``): only the rows of worker i's customers; the
  others leave their id, to catch one id under two customers (the caller then
  previews in one process), and their month, so all workers agree on it.
"""
from __future__ import annotations

import operator
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from .values import BadValue, parse_date

# kinds whose rows are filtered by month: (the dated column, may earlier rows
# still matter); tickets matter earlier only to per-ticket bundles
SCOPED: dict[str, tuple[str, bool]] = {"time_entries": ("date", True),
                                       "charges": ("date", False),
                                       "tickets": ("created", True)}
# kinds whose unparsed rows get the other_period disposition (SPEC 5.11)
DISPOSED = ("time_entries", "charges")
_BAD = -2          # month index of a date that does not parse (below any real one)
_CACHE_LIMIT = 100_000


@dataclass(frozen=True)
class Scope:
    """What a preview needs: ``month`` as (year, month), or None for the latest
    present; ``history(customer, contract_column)`` says whether an earlier
    time entry of that customer (naming that contract, or None) can still
    draw on a balance. It must be cheap; the loader memoises it per pair."""
    month: tuple[int, int] | None
    history: Callable[[str, str | None], bool]
    # the same question for earlier tickets (per-ticket bundles); None: keep them all
    ticket_history: Callable[[str, str | None], bool] | None = None
    # (i, n): read only the rows of customers with owner(customer, n) == i, for one
    # of n worker processes (rows without a readable customer go to worker 0)
    part: tuple[int, int] | None = None


def owner(customer: str, parts: int) -> int:
    """Which of ``parts`` workers bills ``customer``: stable across runs and
    processes (unlike hash()), so contracts and rows split the same way."""
    name = customer.strip()
    return zlib.crc32(name.encode("utf-8")) % parts if name else 0


class Owner(dict):
    """Customer text as read -> is it this worker's?"""

    def __init__(self, index: int, parts: int) -> None:
        super().__init__()
        self.index, self.parts = index, parts

    def __missing__(self, raw: str) -> bool:
        value = self[raw] = owner(raw, self.parts) == self.index
        return value


class _MonthIndex(dict):
    """Date text -> year * 12 + month - 1 (``_BAD`` if not a date), parsed once per text."""

    def __missing__(self, raw: str) -> int:
        try:
            d = parse_date(raw)
        except BadValue:
            value = _BAD
        else:
            value = d.year * 12 + d.month - 1
        if len(self) < _CACHE_LIMIT:
            self[raw] = value
        return value


class _DatetimeMonthIndex(dict):
    """Datetime text -> the month of its date part, as written (in its own offset).

    Only the date part is parsed (once per date): a ticket's creation time is
    nearly unique, and a row of another month is judged by its date alone; a
    row of the month is parsed in full, so a bad time there is still reported.
    """

    def __init__(self, dates: _MonthIndex) -> None:
        super().__init__()
        self.dates = dates

    def __missing__(self, raw: str) -> int:
        return self.dates[raw[:10]] if len(raw) > 10 and raw[10] in "Tt " else _BAD


def _always(customer: str, contract: str | None) -> bool:
    return True


class _History(dict):
    """(customer text, contract text) as read -> does the pair feed a balance?

    A file without a contract column passes the customer cell twice (the hot
    loop stays one loop); ``no_contract`` makes the second one mean "empty".
    """

    def __init__(self, history: Callable[[str, str | None], bool], no_contract: bool) -> None:
        super().__init__()
        self.history, self.no_contract = history, no_contract

    def __missing__(self, key: tuple[str, str]) -> bool:
        customer = key[0].strip()
        contract = None if self.no_contract else key[1].strip() or None
        value = self[key] = bool(customer) and self.history(customer, contract)
        return value


Row = tuple[int, list[str], Any]

# What an earlier time entry contributes to a balance, grouped under its
# (customer, contract column): date, billable, approved, role, work_type,
# hours, ticket ("" when blank), and where it came from: id, line.
EARLIER_FIELDS = ("date", "billable", "approved", "role", "work_type", "hours", "ticket", "id",
                  "row")


@dataclass(frozen=True)
class Lean:
    """The loader's fast path for one file, minus building the row object:
    ``getter`` picks the canonical cells, ``fast`` parses each (KeyError when a
    value is bad), ``must_have`` are positions that must not be blank, and
    ``key`` picks the EARLIER_FIELDS values (the line is appended last)."""
    getter: Callable[[list[str]], tuple]
    fast: tuple
    must_have: tuple[int, ...]
    key: Callable[[list], tuple]


class FileScan:
    """One file's rows sorted into: parse (``keep``), parse if the month turns
    out to be the latest (``buffer``), and counted only (``other_*``)."""
    __slots__ = ("kind", "name", "context", "cells", "no_contract", "keep", "buffer",
                 "other_ids", "other_customers", "other_contracts", "other_lines", "dropped",
                 "foreign", "lean", "earlier", "_other_set")

    def __init__(self, kind: str, name: str, context: Any, cells: tuple[int, int, int | None, int]
                 ) -> None:
        """``cells``: where date, customer, contract (None if the file has no such
        column) and id sit in a raw row; ``context`` is the loader's, for later."""
        self.kind, self.name, self.context = kind, name, context
        date, customer, contract, row_id = cells
        self.no_contract = contract is None
        self.cells = (date, customer, customer if contract is None else contract, row_id)
        self.keep: list[Row] = []
        self.buffer: list[Row] = []
        self.other_ids: list[str] = []
        self.other_customers: list[str] = []
        self.other_contracts: list[str] = []
        self.other_lines: list[int] = []
        self.dropped: set[int] = set()      # indexes into other_* moved to held
        self.foreign: list[str] = []        # ids of rows another worker reads
        # earlier time entries read without building a row, by (customer, contract)
        # cells as read: EARLIER_FIELDS tuples
        self.earlier: dict[tuple[str, str], list[tuple]] = defaultdict(list)
        self.lean: Lean | None = None       # how to read them (set by the loader)
        self._other_set: set[str] | None = None

    def rows(self) -> list[Row]:
        return self.keep + self.buffer

    def other_id_set(self) -> set[str]:
        """The ids of the counted-only rows, stripped: built once, for the three
        duplicate checks that compare them with parsed ids (call after the scan)."""
        if self._other_set is None:
            self._other_set = set(map(str.strip, self.other_ids))
        return self._other_set


class Scanner:
    """The single pass over the scoped kinds of one load."""

    def __init__(self, scope: Scope) -> None:
        self.fixed = scope.month is not None
        self.top = (scope.month[0] * 12 + scope.month[1] - 1) if scope.month else -1
        dates = _MonthIndex()
        self.months = {"date": dates, "created": _DatetimeMonthIndex(dates)}
        tickets = scope.ticket_history or _always
        self.histories = {
            "time_entries": (_History(scope.history, False), _History(scope.history, True)),
            "tickets": (_History(tickets, False), _History(tickets, True)),
            "charges": (_History(_always, False), _History(_always, True))}
        self.files: list[FileScan] = []
        self.own = Owner(*scope.part) if scope.part else None
        self.first = scope.part is None or scope.part[0] == 0

    @property
    def month(self) -> tuple[int, int] | None:
        if self.top < 0:
            return None
        year, month0 = divmod(self.top, 12)
        return year, month0 + 1

    def _raise(self, index: int) -> None:
        self.top = index
        for fs in self.files:
            if fs.buffer:
                old = fs.buffer[:]
                fs.buffer.clear()
                self._settle(fs, old)

    def _settle(self, fs: FileScan, rows: list[Row]) -> None:
        """Rows of a month now known to be earlier than the preview month."""
        di, ci, ki, ii = fs.cells
        hist = self.histories[fs.kind][fs.no_contract]
        with_history = SCOPED[fs.kind][1]
        for row in rows:
            cells = row[1]
            try:
                if with_history and hist[(cells[ci], cells[ki])]:
                    if not self._early(fs, row):
                        fs.keep.append(row)
                    continue
                self._other(fs, row[0], cells[ii], cells[ci], cells[ki])
            except IndexError:
                fs.keep.append(row)

    @staticmethod
    def _early(fs: FileScan, row: Row) -> bool:
        """The lean path of the scan loop, for rows settled later: True if taken."""
        lean = fs.lean
        if lean is None or fs.kind != "time_entries" or row[2] is not None:
            return False
        try:
            cells = row[1]
            values = list(map(operator.call, lean.fast, lean.getter(cells)))
            if any(not values[i] for i in lean.must_have):
                return False
            _, ci, ki, _ = fs.cells
            pair = (cells[ci], cells[ki])
        except (KeyError, IndexError):
            return False
        values.append(row[0])
        fs.earlier[pair].append(lean.key(values))
        return True

    @staticmethod
    def _other(fs: FileScan, line: int, row_id: str, customer: str, contract: str) -> None:
        fs.other_ids.append(row_id)
        fs.other_customers.append(customer)
        fs.other_contracts.append(contract)
        fs.other_lines.append(line)

    def scan(self, fs: FileScan, rows: Iterable[Row]) -> None:
        """Sort one file's rows; the hot loop of a scoped load (a million rows)."""
        self.files.append(fs)
        di, ci, ki, ii = fs.cells
        column, with_history = SCOPED[fs.kind]
        months, hist = self.months[column], self.histories[fs.kind][fs.no_contract]
        keep = fs.keep.append
        later = keep if self.fixed else fs.buffer.append
        o_id, o_cu = fs.other_ids.append, fs.other_customers.append
        o_co, o_li = fs.other_contracts.append, fs.other_lines.append
        lean = fs.lean if fs.kind == "time_entries" else None
        if lean is not None:
            getter, fast, must_have, lean_key = lean.getter, lean.fast, lean.must_have, lean.key
            groups, call = fs.earlier, operator.call
        own, first, foreign = self.own, self.first, fs.foreign.append
        part = own is not None
        for row in rows:
            line, cells, problems = row
            if part:
                # another worker's row leaves only its id (to catch one id under two
                # customers) and its month (so every worker finds the same latest one)
                try:
                    mine = own[cells[ci]]
                except IndexError:
                    mine = first
                if not mine:
                    try:
                        foreign(cells[ii])
                        m = months[cells[di]]
                        if m > self.top and not self.fixed:
                            self._raise(m)
                    except IndexError:
                        pass
                    continue
            top = self.top
            if problems is None:
                try:
                    m = months[cells[di]]
                    if m == top:
                        later(row)
                    elif m < top:
                        if m == _BAD:
                            keep(row)
                        elif with_history and hist[pair := (cells[ci], cells[ki])]:
                            if lean is None:
                                keep(row)
                                continue
                            try:      # valid: keep only what feeds a balance
                                values = list(map(call, fast, getter(cells)))
                                for i in must_have:
                                    if not values[i]:
                                        raise KeyError(i)
                            except (KeyError, IndexError):
                                keep(row)     # parsed in full, reported, held
                                continue
                            values.append(line)
                            groups[pair].append(lean_key(values))
                        else:
                            row_id, customer, contract = cells[ii], cells[ci], cells[ki]
                            o_id(row_id); o_cu(customer); o_co(contract); o_li(line)
                    elif self.fixed:
                        row_id, customer, contract = cells[ii], cells[ci], cells[ki]
                        o_id(row_id); o_cu(customer); o_co(contract); o_li(line)
                    else:
                        self._raise(m)
                        later(row)
                    continue
                except IndexError:
                    pass
            keep(row)

    def other_period(self, kind: str) -> Counter:
        """(customer, contract column) -> rows counted only, for one kind."""
        raw: Counter = Counter()
        for fs in self.files:
            if fs.kind != kind:
                continue
            contracts = ([""] * len(fs.other_customers) if fs.no_contract
                         else fs.other_contracts)
            if fs.dropped:
                raw.update((c, k) for i, (c, k) in enumerate(zip(fs.other_customers, contracts))
                           if i not in fs.dropped)
            else:
                raw.update(zip(fs.other_customers, contracts))
        out: Counter = Counter()
        for (customer, contract), n in raw.items():
            out[(customer.strip() or None, contract.strip() or None)] += n
        return out

    def clashes(self, kind: str, ids: set[str]) -> dict[str, list[tuple[FileScan, int]]]:
        """Counted-only rows whose id is also on a parsed row: (file scan, index) per id."""
        found: dict[str, list[tuple[FileScan, int]]] = {}
        for fs in self.files:
            if fs.kind != kind or not fs.other_ids:
                continue
            if ids.isdisjoint(fs.other_id_set()):
                continue
            for i, raw in enumerate(fs.other_ids):
                row_id = raw.strip()
                if row_id in ids:
                    found.setdefault(row_id, []).append((fs, i))
        return found


def month_index(year: int, month: int) -> int:
    return year * 12 + month - 1
