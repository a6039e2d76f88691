"""The preview month's time entries (SPEC 5.1-5.7), priced by plans worked out once.

A month holds tens of thousands of rows but a handful of distinct answers to
"which contract takes it, at what rate, billed how": those are worked out per
(customer, contract column) and per contract and (role, work type, named
ticket), not per row. Earlier months' rows go to ``history.History`` instead.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING

from ..activity import TimeEntry
from ..model import Contract, RateCard
from ..number import fmt_qty, money
from .labor import Rate, billable_hours, entry_rate, work_type_multiplier
from .prepaid import Draw

if TYPE_CHECKING:           # engine imports this module
    from .engine import Assigner, _State

COVERED_TYPES = ("recurring", "per_device", "per_ticket", "fixed_price")


@dataclass(slots=True)
class Priced:
    """A time entry of the month with its billable hours and rate, as labor lines and
    prepaid replays need it."""
    entry: TimeEntry
    contract: Contract | None
    hours: Decimal
    rounding: str
    rate: Rate | None = None


def not_in_effect(contract: Contract, day: date) -> str:
    """The message of a row held because its contract does not take it that day
    (time entries, tickets and charges alike): why, and what to change."""
    if contract.status != "active":
        return f"contract '{contract.id}' is {contract.status}; reassign the row or reactivate the contract"
    return (f"contract '{contract.id}' runs {contract.start} to {contract.end or 'open-ended'} and "
            f"does not cover {day}; reassign the row or correct the contract dates")


# what a plan does with a row (see _Plan)
_LABOR, _COVERED, _DRAW, _NO_RATE = "labor", "covered", "draw", "no_rate"


@dataclass(slots=True, eq=False)
class _Plan:
    """How every billable, approved row of one contract (or of no contract) with one
    (role, work type, ticket) is priced (SPEC 5.2-5.7): worked out on its first
    row, not per row. Hashed by identity: a target keys its labor groups by it."""
    how: str                          # _LABOR, _COVERED, _DRAW or _NO_RATE
    rate: Rate | None = None
    multiplier: Decimal = Decimal(1)
    overage_price: Decimal | None = None
    money_retainer: bool = False
    fixed: bool = False               # covered by a fixed-price contract: also a draw
    type_key: str = ""                # "hours.<work type>"
    no_rate: str = ""                 # the held message of a _NO_RATE plan


# the plans of rows a contract covers: the same whatever the role and work type
_COVERED_PLAN = _Plan(_COVERED)
_FIXED_PRICE = _Plan(_COVERED, fixed=True)


@dataclass(slots=True)
class _Target:
    """One (customer, contract or none) that rows of the month fall to, with what
    they share: disposition keys, plans, billable hours and where their rows go."""
    contract: Contract | None
    cid: str | None
    customer: str
    card: RateCard | None
    approval: bool
    tickets: frozenset                # Labor.rate_tickets: any other prices as none
    # a contract covering its rows: the plan of every row not in its labor.exclusions
    covering: _Plan | None
    excluded_work_types: frozenset
    excluded_roles: frozenset
    billed_key: tuple                 # state.rows keys
    covered_key: tuple
    non_billable_key: tuple
    plans: dict                       # (role, work type, ticket) -> _Plan, per contract
    # id(hours) -> (hours, billable hours, rounding note), shared by contracts with the
    # same minimum and rounding; entries share their Decimal objects, and the
    # identity check keeps 1.5 and 1.50 apart
    worked: dict
    groups: dict = field(default_factory=dict)   # _LABOR plan -> its state.labor list
    billed: int = 0                   # rows so far, for state.rows (MonthRows.flush)
    covered: int = 0
    non_billable: int = 0
    hours: dict | None = None         # state.hours[cid], once used
    notes: list | None = None         # the contract report's notes, once used
    draws: list | None = None         # prepaid[cid], once used


def _covered_note(e: TimeEntry, hours: Decimal) -> str:
    """The explain note of a row a contract covers (made only if explain shows it)."""
    return f"{e.id} {e.date} {fmt_qty(hours)}h {e.role}/{e.work_type}: covered by the contract"


def _draw_note(e: TimeEntry, hours: Decimal, rounding: str, plan: _Plan, need: Decimal) -> str:
    """The explain note of a row drawing on a prepaid balance."""
    if plan.money_retainer:
        unit = ""
        how = f"{fmt_qty(hours)}h x {plan.rate.unit_price}"
    else:
        unit = " balance hours"
        how = f"{fmt_qty(hours)}h x multiplier {fmt_qty(plan.multiplier)}"
    return (f"{e.id} {e.date} {e.role}/{e.work_type}: {fmt_qty(e.hours)}h"
            + (f" -> {fmt_qty(hours)}h ({rounding})" if rounding else "")
            + f"; draws {how} = {fmt_qty(need)}{unit}")


class MonthRows:
    """Time entries of the preview month (earlier rows: history.History).

    SPEC 5.1-5.7 per row, as one function did row by row before, with what does
    not depend on the row itself worked out once: the contract a (customer,
    contract column) can fall to, by date window; per contract and (role, work
    type, ticket) the rate and how the row is billed; per hours value its
    billable hours. Side effects happen in the same order as row by row."""

    def __init__(self, state: _State, assigner: Assigner,
                 prepaid: dict[str, list[tuple[Draw, Priced]]]) -> None:
        self.state = state
        self.assigner = assigner
        self.prepaid = prepaid
        self.targets: dict[tuple[str, str | None], _Target] = {}
        self.plans: dict[str | None, dict] = {}
        self.worked: dict[tuple | None, dict] = {}
        # (customer, contract column) -> ((first day, last day, target), ...) tried in
        # order, and the target when none covers the day (None: the row is held)
        self.pairs: dict[tuple[str, str | None], tuple[tuple, _Target | None]] = {}

    def _target(self, customer: str, contract: Contract | None) -> _Target:
        cid = contract.id if contract is not None else None
        found = self.targets.get((customer, cid))
        if found is None:
            kind = "time_entries"
            labor = contract.labor if contract is not None else None
            rounding = (labor.minimum, labor.rounding_increment, labor.rounding_mode) if labor else None
            covering = None
            if contract is not None and contract.type in COVERED_TYPES:
                covering = _FIXED_PRICE if contract.type == "fixed_price" else _COVERED_PLAN
            found = self.targets[(customer, cid)] = _Target(
                contract, cid, customer, self.state.card_for(contract),
                labor is not None and labor.approval_required,
                labor.rate_tickets if labor else frozenset(), covering,
                labor.excluded_work_types if labor else frozenset(),
                labor.excluded_roles if labor else frozenset(),
                (kind, customer, cid, "billed"), (kind, customer, cid, "covered"),
                (kind, customer, cid, "non_billable"),
                self.plans.setdefault(cid, {}), self.worked.setdefault(rounding, {}))
        return found

    def _pair(self, customer: str, named: str | None) -> tuple[tuple, _Target | None]:
        """Assigner.assign by date windows: the same contract for every day. A row
        of a named contract that covers no window is held; any other goes to no
        contract."""
        is_named, candidates = self.assigner.candidates(customer, named)
        windows = tuple((c.start, c.end or date.max, self._target(customer, c))
                        for c in candidates if c.status == "active")
        return windows, None if is_named else self._target(customer, None)

    def _plan(self, t: _Target, role: str, work_type: str, ticket: str | None) -> _Plan:
        contract, card = t.contract, t.card
        excluded = contract is not None and (work_type in contract.labor.excluded_work_types
                                             or role in contract.labor.excluded_roles)
        if contract is None or contract.type == "time_and_materials" or excluded:
            rate = entry_rate(role, work_type, ticket, contract, card)
            if rate is None:
                return _Plan(_NO_RATE, no_rate=f"no rate for role '{role}'")
            return _Plan(_LABOR, rate, type_key=f"hours.{work_type}")
        if contract.type in COVERED_TYPES:
            return _FIXED_PRICE if contract.type == "fixed_price" else _COVERED_PLAN
        # block_hours / retainer: a draw on the prepaid balance
        multiplier = work_type_multiplier(work_type, contract, card)
        money_retainer = contract.type == "retainer" and contract.retainer.amount is not None
        overage_rate = (contract.block_hours.overage_rate if contract.type == "block_hours"
                        else contract.retainer.overage_rate)
        rate = None
        if money_retainer or overage_rate is None:
            rate = entry_rate(role, work_type, ticket, contract, card)
            if rate is None:
                return _Plan(_NO_RATE, no_rate=f"no rate for role '{role}' to price work "
                                               "beyond the prepaid balance")
        if money_retainer:
            overage_price = Decimal(1)
        else:
            overage_price = overage_rate if overage_rate is not None else rate.rate
        return _Plan(_DRAW, rate, multiplier, overage_price, money_retainer,
                     type_key=f"hours.{work_type}")

    def add(self, e: TimeEntry) -> None:
        """One row of the month."""
        pair = self.pairs.get((e.customer, e.contract))
        if pair is None:
            pair = self.pairs[(e.customer, e.contract)] = self._pair(e.customer, e.contract)
        day = e.date
        for first, last, t in pair[0]:
            if first <= day <= last:
                break
        else:
            t = pair[1]
            if t is None:
                self._held(e)
                return
        if not e.billable:
            t.non_billable += 1
            return
        if t.approval and not e.approved:
            self.state.hold("time_entries", e, "pending_approval", e.customer, t.cid,
                            "not approved; approve it in the PSA or it stays off the invoice")
            return
        worked = t.worked.get(id(e.hours))
        if worked is None or worked[0] is not e.hours:
            worked = t.worked[id(e.hours)] = (e.hours, *billable_hours(e.hours, t.contract))
        _, hours, rounding = worked
        plan = t.covering
        if plan is None or e.work_type in t.excluded_work_types or e.role in t.excluded_roles:
            key = (e.role, e.work_type, e.ticket if e.ticket in t.tickets else None)
            plan = t.plans.get(key)
            if plan is None:
                plan = t.plans[key] = self._plan(t, *key)
        how = plan.how
        if how is _LABOR:
            group = t.groups.get(plan)
            if group is None:
                group = t.groups[plan] = self.state.labor[
                    (t.cid, t.customer, e.role, e.work_type, plan.rate.unit_price)]
            group.append(Priced(e, t.contract, hours, rounding, plan.rate))
            t.billed += 1
            if t.contract is not None:      # (the hours of no contract are never read)
                self._add_hours(t, hours, plan.type_key)
        elif how is _COVERED:
            notes = t.notes if t.notes is not None else self._notes(t)
            notes.append(partial(_covered_note, e, hours))
            t.covered += 1
            if plan.fixed:
                draws = t.draws if t.draws is not None else self._draws(t)
                draws.append((Draw(e.id, e.date, hours, True),
                              Priced(e, t.contract, hours, rounding)))
        elif how is _DRAW:
            # block_hours / retainer: a draw on the prepaid balance; the disposition
            # is known only after the replay (recorded in _contract_lines)
            if plan.money_retainer:
                need = money(hours * plan.rate.unit_price)
            else:
                need = hours * plan.multiplier
            notes = t.notes if t.notes is not None else self._notes(t)
            notes.append(partial(_draw_note, e, hours, rounding, plan, need))
            draws = t.draws if t.draws is not None else self._draws(t)
            draws.append((Draw(e.id, day, need, True, plan.overage_price),
                          Priced(e, t.contract, hours, rounding, plan.rate)))
            self._add_hours(t, hours, plan.type_key)
        else:
            self.state.no_rate[(t.cid, e.customer, e.role)].append(e)
            self.state.hold("time_entries", e, "no_rate", e.customer, t.cid, plan.no_rate)

    def flush(self) -> None:
        """Add the targets' disposition counts to state.rows (kept on the target
        while rows come: one small object, not a look-up in a big Counter, per row)."""
        rows = self.state.rows
        for t in self.targets.values():
            if t.billed:
                rows[t.billed_key] += t.billed
            if t.covered:
                rows[t.covered_key] += t.covered
            if t.non_billable:
                rows[t.non_billable_key] += t.non_billable

    def _add_hours(self, t: _Target, hours: Decimal, type_key: str) -> None:
        """The contract's hours metrics (``_metrics``), in row order."""
        per = t.hours
        if per is None:
            per = t.hours = self.state.hours[t.cid]
        per["hours"] += hours
        per[type_key] += hours

    def _notes(self, t: _Target) -> list:
        t.notes = self.state.report(t.cid).notes
        return t.notes

    def _draws(self, t: _Target) -> list:
        t.draws = self.prepaid[t.cid]
        return t.draws

    def _held(self, e: TimeEntry) -> None:
        """A row naming a contract that is not the customer's or not in effect."""
        contract, problem = self.assigner.assign(e.customer, e.contract, e.date)
        assert problem is not None
        if problem == "unknown_contract":
            msg = (f"contract '{e.contract}' does not exist or is not {e.customer}'s; "
                   "fix the contract column in the PSA")
        else:
            msg = not_in_effect(contract, e.date)
        self.state.hold("time_entries", e, problem, e.customer,
                        contract.id if contract else None, msg)
