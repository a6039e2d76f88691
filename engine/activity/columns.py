"""The canonical columns of each activity kind (SPEC 4), as data.

Column order here is the dataclass field order after ``file`` and ``row``,
so the loader can build each row positionally without a dict per row.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any, Callable, Hashable

from .model import Charge, Device, Ticket, TicketStatus, TimeEntry, User

# Value types; the loader maps each to a (cached) parser.
ID = "id"              # stripped text, unique per row: not interned
NAME = "name"          # stripped text that repeats (customer, role...): interned
TEXT = "text"          # free text (description)
DATE = "date"
DATETIME = "datetime"
HOURS = "hours"        # decimal, 0 <= h <= 24
QUANTITY = "quantity"  # decimal, not zero
PRICE = "price"        # decimal, not negative
BOOL = "bool"
PRIORITY = "priority"


@dataclass(frozen=True, slots=True)
class Col:
    name: str
    type: str
    required: bool = False
    default: Any = None


# A cross-field problem: (diagnostic code, column, message).
Problem = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class KindSpec:
    kind: str
    cls: type
    columns: tuple[Col, ...]
    key: Callable[[Any], Hashable]          # identity for duplicate detection
    order: tuple[str, str]                   # (primary, secondary) sort attributes
    id_column: str                           # column whose text is BadRow.id
    check: Callable[[Any], list[Problem]] | None = None

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


def _check_ticket(t: Ticket) -> list[Problem]:
    out: list[Problem] = []
    for name in ("first_response", "resolved"):
        value = getattr(t, name)
        if value is not None and value < t.created:
            out.append(("activity_time_order", name,
                        f"{name} {value.isoformat()} is before created "
                        f"{t.created.isoformat()}; correct one of the two times"))
    return out


def _check_span(r: Device | User) -> list[Problem]:
    if r.added is not None and r.removed is not None and r.removed < r.added:
        return [("activity_time_order", "removed",
                 f"removed {r.removed.isoformat()} is before added {r.added.isoformat()}; "
                 f"correct one of the two dates")]
    return []


SPECS: dict[str, KindSpec] = {s.kind: s for s in (
    KindSpec(
        "time_entries", TimeEntry,
        (Col("id", ID, True), Col("date", DATE, True), Col("customer", NAME, True),
         Col("contract", NAME), Col("ticket", NAME), Col("resource", NAME),
         Col("role", NAME, True), Col("work_type", NAME, True), Col("hours", HOURS, True),
         Col("billable", BOOL, False, True), Col("approved", BOOL, False, True),
         Col("description", TEXT)),
        key=operator.attrgetter("id"), order=("date", "id"), id_column="id"),
    KindSpec(
        "tickets", Ticket,
        (Col("id", ID, True), Col("customer", NAME, True), Col("contract", NAME),
         Col("priority", PRIORITY, True), Col("created", DATETIME, True),
         Col("first_response", DATETIME), Col("resolved", DATETIME), Col("status", NAME),
         Col("sla", NAME)),
        key=operator.attrgetter("id"), order=("created", "id"),
        id_column="id", check=_check_ticket),
    KindSpec(
        "ticket_status", TicketStatus,
        (Col("ticket", NAME, True), Col("at", DATETIME, True), Col("status", NAME, True)),
        key=operator.attrgetter("ticket", "at"), order=("ticket", "at"),
        id_column="ticket"),
    KindSpec(
        "devices", Device,
        (Col("id", ID, True), Col("customer", NAME, True), Col("type", NAME, True),
         Col("active", BOOL, False, True), Col("added", DATE), Col("removed", DATE)),
        key=operator.attrgetter("id"), order=("id", "file"), id_column="id",
        check=_check_span),
    KindSpec(
        "users", User,
        (Col("id", ID, True), Col("customer", NAME, True), Col("active", BOOL, False, True),
         Col("added", DATE), Col("removed", DATE)),
        key=operator.attrgetter("id"), order=("id", "file"), id_column="id",
        check=_check_span),
    KindSpec(
        "charges", Charge,
        (Col("id", ID, True), Col("date", DATE, True), Col("customer", NAME, True),
         Col("contract", NAME), Col("ticket", NAME), Col("product", NAME, True),
         Col("quantity", QUANTITY, True), Col("unit_price", PRICE), Col("description", TEXT)),
        key=operator.attrgetter("id"), order=("date", "id"), id_column="id"),
)}

# Kinds whose invalid rows become BadRow(reason="invalid_row"): the ones that
# get a billing disposition (SPEC 5.11), so they are held, never dropped.
HELD_KINDS: frozenset[str] = frozenset({"time_entries", "charges"})


def kind_of(filename: str) -> str | None:
    """The kind a file name belongs to; the longest matching prefix wins.

    Checking the longest kind first means no kind can shadow a longer kind
    it is a prefix of. Case-insensitive, so an export saved as
    ``Tickets.CSV`` is not silently ignored.
    """
    low = filename.lower()
    if not low.endswith(".csv"):
        return None
    for kind in sorted(SPECS, key=len, reverse=True):
        if low.startswith(kind):
            return kind
    return None
