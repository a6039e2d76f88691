"""The SLA report of a month (SPEC 6): every ticket created in the month, judged
against its SLA, and per-contract breach counts that feed the ``sla.*`` metrics.

Why a separate module from the clock: the clock (``clock.py``, ``evaluate.py``)
is pure time arithmetic; this module decides *which* SLA, contract and as-of
instant apply to each ticket, and that needs the repo, the activity and the
billing assigner (SPEC 5.1). ``tenor sla`` renders it (``render.py``) and the
billing engine reads ``breach_counts``.

Decisions where SPEC 6 is silent (also in docs):

- **Which tickets**: those whose ``created`` date, read in the ticket's own UTC
  offset as exported, falls in the month -- the same test billing uses for the
  ``tickets`` metric, so ``sla.breaches`` and ``tickets`` count the same set.
- **Contract**: ``Assigner.assign(customer, contract column, created date)``.
  When the assigner reports a problem (``unknown_contract``,
  ``contract_not_in_effect``) the ticket is *not* assigned -- billing holds such
  rows -- so it shows ``contract: null``, counts toward no contract, and a
  warning names the row. Tickets without a contract appear in ``tickets`` but
  in no ``contracts`` entry.
- **SLA**: the ticket's ``sla`` column; else the assigned contract's ``sla``;
  else the ``sla`` of the customer's ``default: true`` contract in effect on the
  created date. An ``sla`` column naming an SLA that does not exist is reported
  as a warning and the ticket is listed with that id and null targets: falling
  back to the contract's SLA would silently judge it by a promise nobody
  wrote down for it. The same for a contract's ``sla`` that does not resolve,
  or an SLA whose calendar does not parse.
- **No SLA / no target**: a ticket with no SLA is listed with ``sla: null``; a
  priority the SLA has no target for (SPEC 2.3 allows leaving one out) is
  listed with the SLA id. Both have ``response`` and ``resolution`` null and
  count toward neither breaches nor ``met_pct`` (they do count in the
  contract's ``tickets``).
- **As-of**: default = the end of the month in each ticket's SLA calendar
  timezone (the first instant of the next month's first day, local midnight),
  because "the end of November" for a New York help desk is New York midnight.
  ``as_of`` may also be an aware datetime (one instant for every ticket), a
  naive datetime (that wall-clock time in each SLA's timezone) or a date (the
  end of that day in each SLA's timezone). The report's ``as_of`` text is the
  ISO form: with an offset for an instant, without one for a wall-clock time
  (e.g. ``2026-12-01T00:00:00``, meaning local time of each SLA calendar).
- **Response without first_response**: when ``first_response`` is empty but
  ``resolved`` is set, the resolution is taken as the first response (resolving
  a ticket answers it); otherwise a resolved ticket's response clock would run
  forever and breach.
- **Pauses**: ``ticket_status`` rows of the ticket, with the SLA's
  ``pause_statuses`` (compared loosely, see ``clock.status_key``); before the
  first status row the clock runs.
- **met_pct**: ``met / (met + breached)`` over both targets of the contract's
  tickets, one decimal, half-up; null when nothing was met or breached.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Union

from engine.activity.model import Activity, Ticket, TicketStatus
from engine.billing.period import Month
from engine.diagnostics import WARNING, Diagnostic
from engine.model import SLA, Contract
from engine.repo import Repo
from engine.sla.calendar_spec import Calendar, CalendarError
from engine.sla.clock import Interval, pause_intervals, wall_to_utc
from engine.sla.evaluate import BREACHED, MET, TargetResult, evaluate_target, met_pct

if TYPE_CHECKING:  # imported at call time: billing reads breach_counts, so no import cycle
    from engine.billing.engine import Assigner

AsOf = Union[dt.datetime, dt.date, None]

RESPONSE = "response"
RESOLUTION = "resolution"
METRIC_KEYS: tuple[str, ...] = ("sla.breaches", "sla.response_breaches",
                                "sla.resolution_breaches")


@dataclass(frozen=True)
class TicketSla:
    """One ticket as judged. ``file``/``row``/``pauses``/``as_of_instant`` are for
    ``tenor explain`` and error messages; they are not part of the JSON."""
    id: str
    customer: str
    contract: str | None
    sla: str | None
    priority: str
    response: TargetResult | None
    resolution: TargetResult | None
    created: dt.datetime
    file: str
    row: int
    as_of_instant: dt.datetime | None = None   # None when the ticket was not judged
    pauses: tuple[Interval, ...] = ()

    @property
    def breaches(self) -> tuple[str, ...]:
        """The targets breached: ``("response",)``, ``("response", "resolution")``..."""
        return tuple(name for name, res in ((RESPONSE, self.response),
                                            (RESOLUTION, self.resolution))
                     if res is not None and res.status == BREACHED)

    def count(self, status: str) -> int:
        return sum(1 for res in (self.response, self.resolution)
                   if res is not None and res.status == status)


@dataclass(frozen=True)
class ContractSla:
    contract: str
    tickets: int
    response_breaches: int
    resolution_breaches: int
    met: int
    breached: int
    met_pct: str | None
    breached_tickets: tuple[str, ...]   # ticket ids with any breach, sorted

    @property
    def breaches(self) -> int:
        """``sla.breaches``: a ticket breaching both targets counts twice (SPEC 6)."""
        return self.response_breaches + self.resolution_breaches


@dataclass(frozen=True)
class SlaReport:
    as_of: str
    month: Month
    tickets: tuple[TicketSla, ...]          # sorted by id
    contracts: tuple[ContractSla, ...]      # sorted by contract id
    problems: tuple[Diagnostic, ...] = ()   # warnings about tickets; for stderr

    def contract(self, contract_id: str) -> ContractSla | None:
        for c in self.contracts:
            if c.contract == contract_id:
                return c
        return None


# ---------------------------------------------------------------- building

def sla_report(repo: Repo, activity: Activity, month: Month, as_of: AsOf = None,
               contracts: set[str] | None = None) -> SlaReport:
    """Judge every ticket created in ``month``; never raises on bad data (each
    problem becomes a warning in ``problems`` and the ticket is still listed).
    ``contracts``: judge only tickets assigned to these (billing asks for the
    contracts whose rules read sla.* metrics)."""
    from engine.billing.engine import Assigner

    _check_as_of(as_of)
    assigner = Assigner(repo)
    calendars: dict[str, Calendar | CalendarError] = {}
    statuses = _StatusesByTicket(activity.ticket_status)
    problems: list[Diagnostic] = []
    judged: list[TicketSla] = []
    # the month's tickets, then sorted: the same order as sorting all of them first.
    # A ticket falls only to a contract of its own customer, so with ``contracts``
    # given the other customers' tickets are passed over unassigned.
    customers = None if contracts is None else {
        c.customer for c in repo.contracts.values() if c.id in contracts}
    created = [t for t in activity.tickets if month.contains(t.created.date())
               and (customers is None or t.customer in customers)]
    for ticket in sorted(created, key=lambda t: (t.id, t.file, t.row)):
        if contracts is not None:
            contract, problem = assigner.assign(ticket.customer, ticket.contract,
                                                ticket.created.date())
            if problem is not None or contract is None or contract.id not in contracts:
                continue
        judged.append(_judge(ticket, repo, assigner, calendars, statuses.get(ticket.id, ()),
                             month, as_of, problems))
    return SlaReport(as_of=_as_of_text(as_of, month), month=month, tickets=tuple(judged),
                     contracts=_contracts(judged), problems=tuple(sorted(set(problems))))


def _check_as_of(as_of: AsOf) -> None:
    if as_of is not None and not isinstance(as_of, dt.date):
        raise TypeError(f"as_of must be a datetime, a date or None, not {type(as_of).__name__}")


class _StatusesByTicket:
    """Status changes per ticket in a canonical order, so the input row order
    never matters (the loader already rejects two rows at one instant).

    Put in that order when a ticket is judged: a month judges a few of the
    tickets whose changes the export holds."""

    def __init__(self, rows: Iterable[TicketStatus]) -> None:
        self.rows: dict[str, list[tuple[dt.datetime, str]]] = defaultdict(list)
        for row in rows:
            self.rows[row.ticket].append((row.at, row.status))

    def get(self, ticket: str, default: tuple = ()) -> tuple[tuple[dt.datetime, str], ...]:
        changes = self.rows.get(ticket)
        if changes is None:
            return default
        return tuple(sorted(changes, key=lambda c: (c[0].astimezone(dt.timezone.utc), c[1])))


def _judge(ticket: Ticket, repo: Repo, assigner: Assigner,
           calendars: dict[str, Calendar | CalendarError],
           changes: tuple[tuple[dt.datetime, str], ...], month: Month, as_of: AsOf,
           problems: list[Diagnostic]) -> TicketSla:
    day = ticket.created.date()
    contract, problem = assigner.assign(ticket.customer, ticket.contract, day)
    if problem is not None:
        problems.append(_contract_problem(ticket, problem))
        contract = None
    sla_id = _sla_id(ticket, contract, assigner, day)
    base = dict(id=ticket.id, customer=ticket.customer,
                contract=contract.id if contract is not None else None, sla=sla_id,
                priority=ticket.priority, created=ticket.created, file=ticket.file,
                row=ticket.row)
    if sla_id is None:
        return TicketSla(response=None, resolution=None, **base)
    sla = repo.slas.get(sla_id)
    if sla is None:
        problems.append(_unknown_sla(ticket, sla_id, contract, repo))
        return TicketSla(response=None, resolution=None, **base)
    cal = _calendar(sla, calendars)
    if isinstance(cal, CalendarError):
        problems.append(_warn(ticket, "sla_calendar_invalid",
                              f"ticket {ticket.id}: SLA '{sla.id}' has an invalid calendar "
                              f"({cal}); fix it (tenor validate shows where) to judge this "
                              "ticket"))
        return TicketSla(response=None, resolution=None, **base)
    target = sla.targets.get(ticket.priority)
    if target is None:
        return TicketSla(response=None, resolution=None, **base)
    instant = _as_of_instant(as_of, month, cal)
    pauses = tuple(pause_intervals(changes, sla.pause_statuses, instant))
    first_response = ticket.first_response if ticket.first_response is not None \
        else ticket.resolved
    response = evaluate_target(cal, ticket.created, first_response, target.response, instant,
                               pauses, sla.warn_at)
    resolution = evaluate_target(cal, ticket.created, ticket.resolved, target.resolution,
                                 instant, pauses, sla.warn_at)
    return TicketSla(response=response, resolution=resolution, as_of_instant=instant,
                     pauses=pauses, **base)


def _sla_id(ticket: Ticket, contract: Contract | None, assigner: Assigner,
            day: dt.date) -> str | None:
    if ticket.sla:
        return ticket.sla
    if contract is not None and contract.sla:
        return contract.sla
    default, _ = assigner.assign(ticket.customer, None, day)
    return default.sla if default is not None and default.sla else None


def _calendar(sla: SLA, cache: dict[str, Calendar | CalendarError]) -> Calendar | CalendarError:
    if sla.id not in cache:
        try:
            cache[sla.id] = Calendar.from_spec(sla.calendar)
        except CalendarError as err:
            cache[sla.id] = err
    return cache[sla.id]


def _as_of_instant(as_of: AsOf, month: Month, cal: Calendar) -> dt.datetime:
    """The instant a ticket is judged at (see the module docstring)."""
    if isinstance(as_of, dt.datetime):
        if as_of.tzinfo is not None and as_of.utcoffset() is not None:
            return as_of
        minute = as_of.hour * 60 + as_of.minute
        return wall_to_utc(cal, as_of.date(), minute) + dt.timedelta(
            seconds=as_of.second, microseconds=as_of.microsecond)
    if isinstance(as_of, dt.date):
        return wall_to_utc(cal, as_of + dt.timedelta(days=1), 0)
    return wall_to_utc(cal, month.next().start, 0)


def _as_of_text(as_of: AsOf, month: Month) -> str:
    if isinstance(as_of, dt.datetime):
        return as_of.isoformat()
    day = as_of + dt.timedelta(days=1) if isinstance(as_of, dt.date) else month.next().start
    return f"{day.isoformat()}T00:00:00"


def _contracts(tickets: list[TicketSla]) -> tuple[ContractSla, ...]:
    groups: dict[str, list[TicketSla]] = defaultdict(list)
    for t in tickets:
        if t.contract is not None:
            groups[t.contract].append(t)
    out = []
    for cid in sorted(groups):
        group = groups[cid]
        met = sum(t.count(MET) for t in group)
        breached = sum(t.count(BREACHED) for t in group)
        out.append(ContractSla(
            contract=cid, tickets=len(group),
            response_breaches=sum(1 for t in group if RESPONSE in t.breaches),
            resolution_breaches=sum(1 for t in group if RESOLUTION in t.breaches),
            met=met, breached=breached, met_pct=met_pct(met, breached),
            breached_tickets=tuple(sorted(t.id for t in group if t.breaches))))
    return tuple(out)


# ---------------------------------------------------------------- problems

def _warn(ticket: Ticket, code: str, message: str) -> Diagnostic:
    return Diagnostic(ticket.file, ticket.row, 0, code, WARNING, message)


def _contract_problem(ticket: Ticket, problem: str) -> Diagnostic:
    if problem == "unknown_contract":
        return _warn(ticket, problem,
                     f"ticket {ticket.id} names contract '{ticket.contract}', which is not a "
                     f"contract of customer '{ticket.customer}'; it counts toward no contract "
                     "in the SLA report. Correct the contract column or add the contract")
    return _warn(ticket, problem,
                 f"ticket {ticket.id} names contract '{ticket.contract}', which is not active "
                 f"on {ticket.created.date().isoformat()}; it counts toward no contract in the "
                 "SLA report. Correct the contract column or the contract's status/dates")


def _unknown_sla(ticket: Ticket, sla_id: str, contract: Contract | None, repo: Repo) -> Diagnostic:
    from engine.diagnostics import did_you_mean

    where = "its sla column" if ticket.sla else "its contract"
    return _warn(ticket, "unknown_sla",
                 f"ticket {ticket.id}: SLA '{sla_id}' (from {where}) does not exist"
                 f"{did_you_mean(sla_id, repo.slas)}; the ticket is listed without targets. "
                 f"Use one of: {', '.join(sorted(repo.slas)) or '(no SLAs defined)'}")


# ---------------------------------------------------------------- outputs

def breach_counts(report: SlaReport) -> dict[str, dict[str, Decimal]]:
    """Per contract id, the ``sla.*`` metric values of SPEC 3 for billing.

    Only contracts with tickets in the month appear; billing defaults the
    others to 0.
    """
    return {c.contract: {"sla.breaches": Decimal(c.breaches),
                         "sla.response_breaches": Decimal(c.response_breaches),
                         "sla.resolution_breaches": Decimal(c.resolution_breaches)}
            for c in report.contracts}


def _target_json(result: TargetResult | None) -> dict[str, str] | None:
    return None if result is None else result.as_json()


def ticket_json(t: TicketSla) -> dict[str, Any]:
    return {"id": t.id, "customer": t.customer, "contract": t.contract, "sla": t.sla,
            "priority": t.priority, "response": _target_json(t.response),
            "resolution": _target_json(t.resolution)}


def contract_json(c: ContractSla) -> dict[str, Any]:
    return {"contract": c.contract, "tickets": c.tickets,
            "response_breaches": c.response_breaches,
            "resolution_breaches": c.resolution_breaches, "met_pct": c.met_pct}


def to_json(report: SlaReport) -> dict[str, Any]:
    """Exactly the SPEC 6 shape; tickets by id, contracts by id."""
    return {"as_of": report.as_of,
            "tickets": [ticket_json(t) for t in report.tickets],
            "contracts": [contract_json(c) for c in report.contracts]}


def problems_json(report: SlaReport) -> list[Mapping[str, Any]]:
    return [p.as_json() for p in report.problems]
