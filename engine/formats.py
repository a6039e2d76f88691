"""Custom JSON Schema formats for tenor documents.

Why formats and not ``multipleOf``/``pattern``: money arrives as ``Decimal``
(read from the YAML source text) and ``multipleOf: 0.01`` would compare it
with a binary float; a pattern cannot see a number at all. A format check is
plain Python, so each one can say *exactly* what is wrong and how to fix it.

Every check has two faces:

* ``format_problem(name, instance) -> str | None`` gives the human message
  (None when the value is fine, or when the value's type is not one the
  format concerns: the schema's ``type`` keyword reports those).
* ``FORMAT_CHECKER`` (a ``jsonschema.FormatChecker``) registers the same
  checks; a failing check raises ``FormatProblem``, so the resulting
  ``ValidationError.cause`` carries that message. ``friendly_message(error)``
  picks it up (or a schema's own ``errorMessage`` annotation) for the loader.

Formats: ``date``, ``money``, ``quantity``, ``count``, ``percent``,
``percent-100``, ``money-or-percent``, ``duration``, ``timezone``,
``time-range``.
"""
from __future__ import annotations

import datetime
import functools
import re
import zoneinfo
from decimal import Decimal
from typing import Any, Callable, Mapping

from jsonschema import Draft202012Validator, FormatChecker, ValidationError

from engine.diagnostics import did_you_mean
from engine.number import parse_percent

__all__ = [
    "FORMAT_CHECKER", "FORMATS", "FormatProblem", "format_problem",
    "friendly_message", "make_validator", "MAX_PLACES",
]

# Money and quantities may carry up to 4 decimal places (unit prices such as
# 0.0125 per GB exist); invoice lines are still rounded to cents.
MAX_PLACES = 4
# No MSP amount or quantity comes near a trillion; refusing larger values keeps
# every product of amounts well inside the 34-digit Decimal context.
LIMIT = Decimal("1000000000000")

Problem = Callable[[object], "str | None"]


class FormatProblem(ValueError):
    """Raised inside FORMAT_CHECKER so the message reaches ``error.cause``."""


# --------------------------------------------------------------- numbers
def _number_problem(instance: object, what: str, example: str) -> str | None:
    """Shared rules for money and quantities: exact, finite, >= 0, <= 4 places."""
    if isinstance(instance, bool) or not isinstance(instance, (int, float, Decimal)):
        return None  # the schema's `type` reports non-numbers
    if isinstance(instance, float):
        return (f"{instance!r} is a binary floating-point number; {what} must be an exact "
                f"decimal read from the document's text (load documents with tenor's loader)")
    value = Decimal(instance)
    if not value.is_finite():
        return f"{value} is not a number; write {what} as a plain decimal such as {example}"
    if value < 0:
        return (f"{_show(value)} is negative; {what} must be 0 or more "
                f"(use a discount or a credit to reduce an invoice)")
    if value >= LIMIT:
        return (f"{_show(value)} is too large; {what} must be below 1,000,000,000,000 "
                "(check for a typo or a missing decimal point)")
    places = max(0, -value.normalize().as_tuple().exponent)  # type: ignore[operator]
    if places > MAX_PLACES:
        return (f"{_show(value)} has {places} decimal places; {what} allows at most "
                f"{MAX_PLACES} (e.g. {example})")
    return None


def _show(value: Decimal) -> str:
    return format(value, "f")


def money_problem(instance: object) -> str | None:
    return _number_problem(instance, "a money amount", "125.50")


def quantity_problem(instance: object) -> str | None:
    return _number_problem(instance, "a quantity", "1.25")


def count_problem(instance: object) -> str | None:
    """Whole, non-negative counts (tickets, devices, days).

    JSON Schema's ``integer`` type rejects ``Decimal("10")`` in jsonschema, so
    tenor's schemas say ``type: number, format: count`` instead.
    """
    problem = _number_problem(instance, "a count", "10")
    if problem is not None:
        return problem
    if isinstance(instance, bool) or not isinstance(instance, (int, Decimal)):
        return None
    if Decimal(instance) != Decimal(instance).to_integral_value():
        return f"{_show(Decimal(instance))} is not a whole number; write a count such as 10"
    return None


# --------------------------------------------------------------- percentages
_PERCENT_RE = re.compile(r"[0-9]+(?:\.[0-9]+)?%\Z")


def _percent_problem(instance: object, limit: Decimal | None) -> str | None:
    if not isinstance(instance, str):
        return None
    if _PERCENT_RE.match(instance):
        value = parse_percent(instance)
        if limit is not None and value is not None and value > limit:
            return f"{instance!r} is over {limit}%; write a percentage from 0% to {limit}%"
        return None
    value = parse_percent(instance)
    if value is not None and value < 0:
        return f"{instance!r} is negative; percentages here are 0% or more"
    if value is None and re.fullmatch(r"\s*[0-9.]+\s*", instance):
        return f"{instance!r} has no '%' sign; write a percentage such as '{instance.strip()}%'"
    return (f"{instance!r} is not a percentage; write digits followed by '%', "
            f"such as 10% or 7.5% (no spaces, no exponent)")


def percent_problem(instance: object) -> str | None:
    return _percent_problem(instance, None)


def percent_100_problem(instance: object) -> str | None:
    return _percent_problem(instance, Decimal(100))


def money_or_percent_problem(instance: object) -> str | None:
    if isinstance(instance, str):
        problem = percent_problem(instance)
        if problem is not None:
            return (f"{instance!r} is neither an amount nor a percentage; write an amount "
                    f"such as 140 or a percentage of the rate card's rate such as 90%")
        return None
    return money_problem(instance)


# --------------------------------------------------------------- dates, times
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


def date_problem(instance: object) -> str | None:
    """Strict ``YYYY-MM-DD`` (Python 3.11's fromisoformat also takes 20260101)."""
    if not isinstance(instance, str):
        return None
    if not _DATE_RE.match(instance):
        return f"{instance!r} is not a date; write dates as YYYY-MM-DD, e.g. 2026-01-31"
    try:
        value = datetime.date.fromisoformat(instance)
    except ValueError:
        return f"{instance!r} is not a real calendar date; check the month and day"
    if not 1900 <= value.year <= 2999:
        return f"{instance!r}: the year is outside 1900-2999; check for a typo"
    return None


_DURATION_RE = re.compile(r"([0-9]+(?:\.[0-9]+)?)([mhd])\Z")


def duration_problem(instance: object) -> str | None:
    if not isinstance(instance, str):
        return None
    m = _DURATION_RE.match(instance)
    if m is None:
        bare = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*", instance)
        if bare:
            return (f"{instance!r} has no unit; write {bare.group(1)}m (minutes), "
                    f"{bare.group(1)}h (hours) or {bare.group(1)}d (days)")
        return (f"{instance!r} is not a duration; write a number followed by m, h or d, "
                f"such as 30m, 4h or 1.5h")
    if Decimal(m.group(1)) == 0:
        return f"{instance!r} is zero; a target must be longer than zero, such as 30m"
    return None


@functools.lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    try:
        return frozenset(zoneinfo.available_timezones())
    except Exception:  # noqa: BLE001 - hints only; never fail a check for them
        return frozenset()


def timezone_problem(instance: object) -> str | None:
    if not isinstance(instance, str):
        return None
    ok = bool(instance) and instance == instance.strip()
    if ok:
        try:
            zoneinfo.ZoneInfo(instance)
        except (KeyError, ValueError, OSError):  # ZoneInfoNotFoundError is a KeyError
            ok = False
    if ok:
        return None
    return (f"{instance!r} is not an IANA time zone name; use a name such as "
            f"America/New_York or Europe/London{did_you_mean(instance, _zone_names())}")


_TIME_RANGE_RE = re.compile(r"([0-9]{2}):([0-9]{2})-([0-9]{2}):([0-9]{2})\Z")


def time_range_problem(instance: object) -> str | None:
    if not isinstance(instance, str):
        return None
    m = _TIME_RANGE_RE.match(instance)
    if m is None:
        return (f"{instance!r} is not a time range; write HH:MM-HH:MM on a 24-hour clock, "
                f"such as 08:00-18:00")
    sh, sm, eh, em = (int(g) for g in m.groups())
    if sh > 23 or sm > 59 or em > 59 or eh > 24 or (eh == 24 and em != 0):
        return (f"{instance!r} has an impossible time; hours run 00-23 and minutes 00-59 "
                f"(24:00 is allowed only as an end)")
    if sh * 60 + sm >= eh * 60 + em:
        return (f"{instance!r} ends before it starts; the start must be earlier than the end "
                f"(for overnight cover split it, e.g. 22:00-24:00 and 00:00-06:00 on the next day)")
    return None


FORMATS: Mapping[str, Problem] = {
    "date": date_problem,
    "money": money_problem,
    "quantity": quantity_problem,
    "count": count_problem,
    "percent": percent_problem,
    "percent-100": percent_100_problem,
    "money-or-percent": money_or_percent_problem,
    "duration": duration_problem,
    "timezone": timezone_problem,
    "time-range": time_range_problem,
}


def format_problem(name: str, instance: object) -> str | None:
    """The message for ``instance`` failing format ``name``; None if it passes or is unknown."""
    check = FORMATS.get(name)
    return check(instance) if check is not None else None


def _as_check(problem: Problem) -> Callable[[object], bool]:
    def check(instance: object) -> bool:
        message = problem(instance)
        if message is not None:
            raise FormatProblem(message)
        return True
    return check


def _build_checker() -> FormatChecker:
    """The standard formats (so email/uri etc. keep working) plus tenor's, ``date`` replaced."""
    checker = FormatChecker()
    for name, problem in FORMATS.items():
        checker.checks(name, raises=FormatProblem)(_as_check(problem))
    return checker


FORMAT_CHECKER: FormatChecker = _build_checker()


def make_validator(schema: Mapping[str, Any]) -> Draft202012Validator:
    """Compile once per schema, with format checking on (formats are off by default)."""
    return Draft202012Validator(schema, format_checker=FORMAT_CHECKER)


def friendly_message(error: ValidationError) -> str | None:
    """A precise message for a schema error, when tenor has one.

    Format failures carry it in ``error.cause``; hand-tuned checks in the
    schemas (exclusive alternatives, patterns) carry an ``errorMessage``
    annotation next to the failing keyword (not used for ``type`` errors: a
    wrong type has its own, better message). None: the caller words it.
    """
    if error.validator == "format" and isinstance(error.cause, FormatProblem):
        return str(error.cause)
    if error.validator != "type" and isinstance(error.schema, Mapping):
        message = error.schema.get("errorMessage")
        if isinstance(message, str):
            return message
    return None
