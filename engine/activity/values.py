"""Strict parsers for the cell values of activity exports.

Exports come from PSA systems and spreadsheets we do not control, and CI runs
on them unattended, so every parser accepts exactly one spelling and says how
to fix anything else. A wrong guess (a day/month swap, a naive time read in
the wrong zone, ``1,5`` read as fifteen) would silently move money; a clear
error costs the user one edit.

Each parser raises :class:`BadValue` (a ``ValueError``) whose message names
the offending text and the fix; the loader prefixes the column name.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from ..number import DECIMAL_RE

__all__ = [
    "BadValue", "parse_date", "parse_iso_datetime", "parse_decimal", "parse_bool",
    "parse_priority", "PRIORITIES",
]


class BadValue(ValueError):
    """A cell value that does not parse; ``code`` is the diagnostic code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")
# ISO 8601 extended format only: 'T' separator, seconds optional, a fraction
# of up to 9 digits (PSA APIs emit nanoseconds), and a mandatory offset.
_DATETIME_RE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})"
    r"(?::([0-9]{2})(?:\.([0-9]{1,9}))?)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})?\Z"
)
_UTC = timezone.utc
_fromisoformat = datetime.fromisoformat
_TZ_CACHE: dict[str, timezone] = {"Z": _UTC}

_DATE_EXAMPLE = "2026-10-05"
_DT_EXAMPLE = "2026-10-05T14:03:00-04:00 or 2026-10-05T18:03:00Z"


# Billing arithmetic adds days and months to dates; years far outside any
# MSP's history are typos (2206 for 2026) and would overflow date arithmetic.
MIN_YEAR, MAX_YEAR = 1900, 2999


def _check_year(text: str, year: int, code: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise BadValue(code, f"{text!r}: year {year} is outside {MIN_YEAR}-{MAX_YEAR}; "
                             "check the export for a typo")


def parse_date(text: str) -> date:
    """``YYYY-MM-DD`` and nothing else (no ``10/5/2026``: which is the month?)."""
    s = text.strip()
    m = _DATE_RE.match(s)
    if m is None:
        if _DATETIME_RE.match(s):
            raise BadValue("activity_bad_date",
                           f"{text!r} is a date and time, not a date; "
                           f"write just the date, like {_DATE_EXAMPLE}")
        raise BadValue("activity_bad_date",
                       f"{text!r} is not a date in the form YYYY-MM-DD; "
                       f"write it like {_DATE_EXAMPLE}")
    _check_year(text, int(m.group(1)), "activity_bad_date")
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError as exc:
        raise BadValue("activity_bad_date",
                       f"{text!r} is not a real calendar date ({exc}); "
                       f"correct the day or month") from None


def _offset(text: str) -> timezone:
    tz = _TZ_CACHE.get(text)
    if tz is None:
        hours, minutes = int(text[1:3]), int(text[4:6])
        if hours > 23 or minutes > 59:
            raise BadValue("activity_bad_datetime",
                           f"UTC offset {text!r} is out of range; use -23:59 .. +23:59")
        delta = timedelta(hours=hours, minutes=minutes)
        tz = _UTC if not delta else timezone(-delta if text[0] == "-" else delta)
        _TZ_CACHE[text] = tz
    return tz


def parse_iso_datetime(text: str) -> datetime:
    """An ISO 8601 instant WITH an offset (``-04:00`` or ``Z``) -> aware datetime.

    A naive time is refused: SLA clocks are business-hours-in-a-timezone and
    DST-correct, so "14:03" without an offset is ambiguous by hours. More than
    6 fractional digits are truncated to microseconds.
    """
    s = text.strip()
    m = _DATETIME_RE.match(s)
    if m is None:
        if _DATE_RE.match(s):
            raise BadValue("activity_bad_datetime",
                           f"{text!r} is a date without a time; write a date, time "
                           f"and UTC offset like {_DT_EXAMPLE}")
        raise BadValue("activity_bad_datetime",
                       f"{text!r} is not an ISO 8601 date and time; write it like "
                       f"{_DT_EXAMPLE}")
    y, mo, d, h, mi, sec, frac, off = m.groups()
    if off is None:
        raise BadValue("activity_bad_datetime",
                       f"{text!r} has no UTC offset, so the instant is ambiguous; "
                       f"add one, like {s}-04:00 or {s}Z")
    _check_year(text, int(y), "activity_bad_datetime")
    tz = _offset(off)
    try:
        # The regex has fixed the shape, so the C parser reads exactly what it
        # accepted (fractions past 6 digits are truncated, as below); this is
        # the hot path for a ticket_status export of hundreds of thousands of rows.
        return _fromisoformat(s[:m.start(8)]).replace(tzinfo=tz)
    except ValueError:
        pass
    micro = int((frac + "00000")[:6]) if frac else 0
    try:   # only reached for an impossible date or time: the error names the field
        return datetime(int(y), int(mo), int(d), int(h), int(mi),
                        int(sec) if sec else 0, micro, tzinfo=tz)
    except ValueError as exc:
        raise BadValue("activity_bad_datetime",
                       f"{text!r} is not a real date and time ({exc}); "
                       f"correct it, like {_DT_EXAMPLE}") from None


NUMBER_LIMIT = Decimal("1000000000000")


def parse_decimal(text: str) -> Decimal:
    """Plain decimal text only (``engine.number.DECIMAL_RE``) -> Decimal.

    The regex runs before ``Decimal()`` because ``Decimal`` itself accepts
    ``NaN``, ``1e3``, ``1_000`` and Arabic-Indic digits.
    """
    s = text.strip()
    if DECIMAL_RE.match(s) is None:
        hint = ""
        if "," in s:
            hint = " (no thousands separators or decimal commas)"
        elif "_" in s or "e" in s.lower():
            hint = " (no underscores or exponents)"
        raise BadValue("activity_bad_number",
                       f"{text!r} is not a plain decimal number{hint}; "
                       f"write it like 1.5")
    value = Decimal(s)
    if abs(value) >= NUMBER_LIMIT:
        raise BadValue("activity_bad_number",
                       f"{text!r} is too large (1,000,000,000,000 or more); check the export "
                       "for a typo or a missing decimal point")
    return value


_BOOLS: dict[str, bool] = {
    "true": True, "yes": True, "y": True, "1": True,
    "false": False, "no": False, "n": False, "0": False,
}


def parse_bool(text: str) -> bool:
    """true/false/yes/no/y/n/1/0, any case."""
    value = _BOOLS.get(text.strip().lower())
    if value is None:
        raise BadValue("activity_bad_bool",
                       f"{text!r} is not a yes/no value; write true or false "
                       f"(yes/no, y/n and 1/0 are also accepted)")
    return value


PRIORITIES: tuple[str, ...] = ("critical", "high", "medium", "low")
_PRIORITY: dict[str, str] = {p: p for p in PRIORITIES}
_PRIORITY.update({str(i + 1): p for i, p in enumerate(PRIORITIES)})


def parse_priority(text: str) -> str:
    """critical/high/medium/low or 1-4 (1 = critical) -> the name."""
    value = _PRIORITY.get(text.strip().lower())
    if value is None:
        raise BadValue("activity_bad_priority",
                       f"{text!r} is not a priority; write critical, high, medium "
                       f"or low (or 1-4, 1 being critical)")
    return value
