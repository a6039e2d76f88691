"""SLA business-time clock and per-target evaluation (SPEC 2.3 and 6).

Pure library code: the ``tenor sla`` command reads the files and calls
``Calendar.from_spec``, ``pause_intervals``, ``parse_duration``,
``evaluate_target`` and ``met_pct``.
"""
from engine.sla.calendar_spec import Calendar, CalendarError, CalendarProblem
from engine.sla.clock import business_minutes, pause_intervals, status_key, wall_to_utc
from engine.sla.evaluate import (AT_RISK, BREACHED, DEFAULT_WARN_AT_PCT, MET, OPEN, STATUSES,
                                 DurationError, TargetResult, evaluate_target, met_pct,
                                 parse_duration)

__all__ = [
    "AT_RISK", "BREACHED", "DEFAULT_WARN_AT_PCT", "MET", "OPEN", "STATUSES",
    "Calendar", "CalendarError", "CalendarProblem", "DurationError", "TargetResult",
    "business_minutes", "evaluate_target", "met_pct", "parse_duration", "pause_intervals",
    "status_key", "wall_to_utc",
]
