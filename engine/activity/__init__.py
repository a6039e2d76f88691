"""Activity exports (SPEC 4): time entries, tickets, statuses, devices, users, charges.

``load_activity(folder)`` is the entry point; ``parse_date`` and
``parse_iso_datetime`` are the strict parsers other commands reuse (``--as-of``).

Decisions where SPEC 4 is silent:

* File names match kinds case-insensitively; the longest kind prefix wins.
  Files of no kind, and sub-folders, are ignored. An empty folder is a warning.
* Header names: stripped, lower-cased, inner whitespace -> ``_`` (so ``Work
  Type`` is ``work_type``). A canonical column given twice is an error.
* A file that cannot be used whole (required column missing, not UTF-8,
  malformed quoting, unreadable) is one error and counts 0 rows read.
  Quoting is strict: an unterminated quote is an error, not a swallowed file.
* Blank lines (and rows of only empty cells) are not rows and are not counted.
  A row shorter than the header has empty cells for the missing ones.
* Invalid rows: time_entries and charges -> ``bad_rows`` (``invalid_row``) and
  are held; the other kinds are reported and skipped. Every problem of a row
  is reported (one diagnostic each).
* Hours: 0 <= hours <= 24. Charge quantity: any non-zero number (negative =
  return/credit); zero is an error. unit_price: optional, not negative.
* Tickets: first_response / resolved before created is an invalid row;
  devices / users: removed before added is an invalid row.
* Datetimes: up to 9 fractional digits, truncated to microseconds; offsets as
  ``Z`` or ``+HH:MM`` only.
* Duplicates are keyed by id (ticket_status: by (ticket, at)); content is
  compared on parsed values, with decimals and datetimes compared by their
  exact text form (``1.5`` vs ``1.50``, or one instant with two offsets, are
  conflicting: otherwise the kept copy would look different depending on row
  order). Conflicting copies of every kind go to ``bad_rows``; invalid rows
  take no part in duplicate detection.
"""
from __future__ import annotations

from .columns import HELD_KINDS, SPECS, kind_of
from .loader import load_activity
from .model import (KINDS, Activity, BadRow, Charge, Device, Ticket, TicketStatus, TimeEntry,
                    User)
from .values import (PRIORITIES, BadValue, parse_bool, parse_date, parse_decimal,
                     parse_iso_datetime, parse_priority)

__all__ = [
    "load_activity", "parse_date", "parse_iso_datetime", "parse_bool", "parse_decimal",
    "parse_priority", "BadValue", "PRIORITIES", "KINDS", "HELD_KINDS", "SPECS", "kind_of",
    "Activity", "BadRow", "Charge", "Device", "Ticket", "TicketStatus", "TimeEntry", "User",
]
