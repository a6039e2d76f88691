"""Judging one SLA target (response or resolution) of one ticket (SPEC 6).

Decisions where the spec is silent (also in docs):
- A ticket finished *after* ``as_of`` is judged as unfinished at ``as_of``:
  the report describes the world as it stood at that moment.
- A finish exactly at ``as_of`` counts as finished.
- A finish before ``created`` is a data problem for the ticket loader to
  report (it knows the CSV row); here it yields elapsed 0 and ``met`` rather
  than raising, so one bad row never stops a report.
- ``as_of`` before ``created`` (a ticket from the future): elapsed 0, ``open``.
- ``elapsed_minutes`` is rounded half-up to 0.01 minute and the status is
  decided on that rounded value, so a report never shows a number that
  contradicts its status (the difference is under a second).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Sequence

from engine.number import HUNDRED, ZERO
from engine.sla.calendar_spec import Calendar
from engine.sla.clock import Interval, business_minutes

MET = "met"
BREACHED = "breached"
AT_RISK = "at_risk"
OPEN = "open"
STATUSES: tuple[str, ...] = (MET, BREACHED, AT_RISK, OPEN)

DEFAULT_WARN_AT_PCT = Decimal(75)

_MINUTE_QUANTUM = Decimal("0.01")
_DURATION_RE = re.compile(r"([0-9]+(?:\.[0-9]+)?)([mhd])\Z")
_UNIT_MINUTES = {"m": Decimal(1), "h": Decimal(60), "d": Decimal(1440)}


class DurationError(ValueError):
    """A target duration that is not ``Nm``, ``Nh`` or ``Nd``."""


@dataclass(frozen=True)
class TargetResult:
    target_minutes: Decimal
    elapsed_minutes: Decimal
    status: str  # one of STATUSES

    def as_json(self) -> dict[str, str]:
        """SPEC 6 shape, minutes as decimal strings without trailing noise."""
        return {"target_minutes": _minutes_text(self.target_minutes),
                "elapsed_minutes": _minutes_text(self.elapsed_minutes),
                "status": self.status}


def parse_duration(text: str) -> Decimal:
    """``"30m"`` -> 30, ``"1.5h"`` -> 90, ``"2d"`` -> 2880 (1d = 24h), in minutes.

    Zero and negative targets are refused: a zero target breaches every ticket,
    which is never what an SLA means.
    """
    if isinstance(text, bool) or not isinstance(text, (str, int, Decimal)):
        raise DurationError(f"duration {text!r} must be text such as 30m, 4h or 2d")
    if not isinstance(text, str):
        raise DurationError(f"duration {text} has no unit: write {text}m, {text}h or {text}d")
    m = _DURATION_RE.match(text.strip())
    if not m:
        raise DurationError(f"duration {text!r} is not understood: write a number and a "
                            "unit m, h or d (1d = 24h), e.g. 30m, 1.5h, 2d")
    minutes = Decimal(m.group(1)) * _UNIT_MINUTES[m.group(2)]
    if minutes <= ZERO:
        raise DurationError(f"duration {text!r} is zero: an SLA target must be longer "
                            "than that, e.g. 30m")
    return minutes


def evaluate_target(cal: Calendar, created: dt.datetime, finished: dt.datetime | None,
                    target_minutes: Decimal, as_of: dt.datetime,
                    pauses: Sequence[Interval] = (),
                    warn_at_pct: Decimal = DEFAULT_WARN_AT_PCT) -> TargetResult:
    """Business minutes used so far against the target, and the verdict.

    ``warn_at_pct`` is a percentage (``Decimal("75")`` for ``warn_at: 75%``).
    """
    done = finished is not None and finished <= as_of
    end = finished if done and finished is not None else as_of
    elapsed = business_minutes(cal, created, end, pauses).quantize(
        _MINUTE_QUANTUM, rounding=ROUND_HALF_UP)
    if done:
        status = MET if elapsed <= target_minutes else BREACHED
    elif elapsed > target_minutes:
        status = BREACHED
    elif elapsed >= warn_at_pct * target_minutes / HUNDRED:
        status = AT_RISK
    else:
        status = OPEN
    return TargetResult(target_minutes, elapsed, status)


def met_pct(met: int, breached: int) -> str | None:
    """``met / (met + breached)`` as a percentage with one decimal, half-up
    (``met_pct(2, 1) == "66.7"``); None when nothing was met or breached."""
    total = met + breached
    if total <= 0:
        return None
    pct = (Decimal(met) * HUNDRED / Decimal(total)).quantize(Decimal("0.1"),
                                                               rounding=ROUND_HALF_UP)
    return format(pct, "f")


def _minutes_text(value: Decimal) -> str:
    if value == value.to_integral_value():
        return format(value.quantize(Decimal(1)), "f")
    return format(value.normalize(), "f")
