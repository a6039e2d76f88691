"""Activity exports (SPEC 4): time entries, tickets, statuses, devices, users, charges.

``load_activity(folder)`` is the entry point; ``parse_date`` and
``parse_iso_datetime`` are the strict parsers other commands reuse (``--as-of``).
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
