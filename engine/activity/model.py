"""The parsed activity: one frozen, slotted dataclass per CSV row.

Slots because a large MSP exports millions of time entries a year and a
prepaid balance replays all of them: a slotted object is a fraction of the
size of a dict per row. ``file`` is the bare file name and ``row`` the
physical line number (header = 1), exactly what SPEC 8's ``held`` list shows.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

KINDS: tuple[str, ...] = ("time_entries", "tickets", "ticket_status", "devices", "users",
                          "charges")


@dataclass(frozen=True, slots=True)
class TimeEntry:
    file: str
    row: int
    id: str
    date: date
    customer: str
    contract: str | None
    ticket: str | None
    resource: str | None
    role: str
    work_type: str
    hours: Decimal
    billable: bool
    approved: bool
    description: str | None


@dataclass(frozen=True, slots=True)
class Ticket:
    file: str
    row: int
    id: str
    customer: str
    contract: str | None
    priority: str                    # critical | high | medium | low
    created: datetime                # aware
    first_response: datetime | None
    resolved: datetime | None
    status: str | None
    sla: str | None


@dataclass(frozen=True, slots=True)
class TicketStatus:
    file: str
    row: int
    ticket: str
    at: datetime                     # aware; the status holds from here on
    status: str


@dataclass(frozen=True, slots=True)
class Device:
    file: str
    row: int
    id: str
    customer: str
    type: str
    active: bool
    added: date | None
    removed: date | None


@dataclass(frozen=True, slots=True)
class User:
    file: str
    row: int
    id: str
    customer: str
    active: bool
    added: date | None
    removed: date | None


@dataclass(frozen=True, slots=True)
class Charge:
    file: str
    row: int
    id: str
    date: date
    customer: str
    contract: str | None
    ticket: str | None
    product: str
    quantity: Decimal                # never zero; negative = a return / credit
    unit_price: Decimal | None       # never negative
    description: str | None


@dataclass(frozen=True, slots=True)
class BadRow:
    """A row that cannot be used as is.

    ``reason`` is ``invalid_row`` (a value did not parse; time_entries and
    charges only), ``conflicting_duplicate`` (same id, different content; all
    copies) or ``duplicate_row`` (an exact copy; in ``Activity.duplicates``).
    ``id`` is the row's id text (for ticket_status: its ticket), None if empty.
    """
    kind: str
    file: str
    row: int
    id: str | None
    reason: str
    message: str


@dataclass(frozen=True, slots=True)
class Activity:
    """Everything read from an activity folder, in a deterministic order.

    For each kind, ``rows_read[kind]`` = kept rows + that kind's ``bad_rows``
    + that kind's ``duplicates`` + (for tickets, ticket_status, devices and
    users only) rows rejected as invalid, which are reported but not kept.
    Files skipped whole (missing column, not UTF-8, broken quoting) count 0.
    """
    time_entries: tuple[TimeEntry, ...]
    tickets: tuple[Ticket, ...]
    ticket_status: tuple[TicketStatus, ...]
    devices: tuple[Device, ...]
    users: tuple[User, ...]
    charges: tuple[Charge, ...]
    bad_rows: tuple[BadRow, ...]
    duplicates: tuple[BadRow, ...]
    rows_read: dict[str, int]
    files: dict[str, tuple[str, ...]]
    # A scoped load (engine.activity.scope) leaves rows that cannot matter to
    # its month unparsed: (kind, customer, contract column) -> how many. They
    # are other_period rows; rows_read counts them too.
    other_period: dict[tuple[str, str | None, str | None], int] = field(default_factory=dict)
    # The month the loader settled on: the latest month of any row whose date
    # reads (held rows too), or the month a scoped load was given. None when a
    # load found no dated row, or for an Activity built by hand.
    month: tuple[int, int] | None = None
    # a partitioned load (one of several workers) met an id it shares with another
    # worker's row: its preview cannot be trusted alone (engine.billing.parallel)
    foreign_clash: bool = False
    # Earlier time entries a scoped load read without building rows (they only
    # feed balances): (customer, contract column) -> tuples of the values in
    # scope.EARLIER_FIELDS order. They are other_period rows; rows_read counts them.
    earlier: dict[tuple[str, str | None], list[tuple]] = field(default_factory=dict)

    def latest_month(self) -> tuple[int, int] | None:
        """(year, month) of the latest time entry, charge or ticket creation.

        Rows held as invalid or as duplicates count too, as long as their date
        reads: the loader records that month (``month``; a scoped load finds it
        while reading), so full and scoped loads agree.

        The default preview period (SPEC 5). A ticket's month is taken in its
        own offset, as written in the export.
        """
        if self.month is not None:
            return self.month
        latest: date | None = None
        if self.time_entries:
            latest = max(e.date for e in self.time_entries)
        if self.charges:
            d = max(c.date for c in self.charges)
            latest = d if latest is None or d > latest else latest
        for t in self.tickets:
            d = t.created.date()
            if latest is None or d > latest:
                latest = d
        return None if latest is None else (latest.year, latest.month)

    def bad_rows_of(self, kind: str) -> tuple[BadRow, ...]:
        return tuple(b for b in self.bad_rows if b.kind == kind)

    def duplicates_of(self, kind: str) -> tuple[BadRow, ...]:
        return tuple(b for b in self.duplicates if b.kind == kind)
