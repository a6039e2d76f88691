"""Time entries before the preview month: what they took from balances.

A year of exports holds hundreds of thousands of such rows for prepaid and
fixed-price contracts. None of them reaches this month's invoice; each only
lowers a balance (or adds to fixed-price hours used). Two facts keep this
cheap without changing any result:

* What a row takes depends on a few of its values only (contract, billable,
  approved, hours, role, work type, and the ticket when the contract prices
  tickets), so it is computed once per distinct combination.
* A ledger draws first-in, first-out, so several draws on one day leave the
  lots exactly as one draw of their sum would. Earlier months appear in a
  preview only through the opening balance and totals to date, which are
  sums. So each contract gets one draw per day of its history.

The rules here are the ones ``engine._time_entry`` applies to a row of the
month (SPEC 5.2-5.7); tests/test_history.py checks the two agree.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Callable

from ..activity import TimeEntry
from ..model import Contract, RateCard
from ..repo import Repo
from ..number import money
from .labor import billable_hours, entry_rate, work_type_multiplier
from .prepaid import Draw

HISTORY_TYPES = ("block_hours", "retainer", "fixed_price")
_ONE = Decimal(1)


class History:
    """Collects earlier rows; ``draws()`` gives each contract's daily draws."""

    def __init__(self, repo: Repo, defaults: dict[str, list[Contract]],
                 card_for: Callable[[Contract | None], RateCard | None], other: dict) -> None:
        self.repo = repo
        self.defaults = defaults
        self.card_for = card_for
        self.other = other          # state.rows: (kind, customer, contract, disposition) -> n
        self.resolvers: dict[tuple[str, str | None], tuple[bool, tuple[_Candidate, ...]]] = {}
        self.rules: dict[tuple, tuple[str, Decimal] | None] = {}
        self.hours: dict[tuple[str, Decimal], Decimal] = {}
        self.ticket_rates: dict[str, bool] = {}     # contract id -> prices some ticket?
        self.daily: dict[str, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))

    def _resolver(self, customer: str, named: str | None) -> tuple[bool, tuple[_Candidate, ...]]:
        """SPEC 5.1 for one (customer, contract column) pair, as date ranges
        (the same answers as ``Assigner.assign``, without a memo per day)."""
        if named is not None:
            contract = self.repo.contracts.get(named)
            if contract is None or contract.customer != customer:
                return True, ()
            return True, (_candidate(contract),)
        return False, tuple(_candidate(c) for c in self.defaults.get(customer, ()))

    def add_entry(self, e: TimeEntry) -> None:
        self.add((e.customer, e.contract, e.date, e.billable, e.approved, e.role, e.work_type,
                  e.hours, e.ticket))

    def add(self, values: tuple, n: int = 1) -> None:
        """``n`` earlier rows with these values (activity.scope.EARLIER_FIELDS order)."""
        customer, named, day, billable, approved, role, work_type, hours, ticket = values
        pair = (customer, named)
        resolver = self.resolvers.get(pair)
        if resolver is None:
            resolver = self.resolvers[pair] = self._resolver(*pair)
        is_named, candidates = resolver
        contract = None
        usable = False
        for contract, start, end, active, usable in candidates:
            if active and start <= day <= end:
                break
            if is_named:
                usable = False       # named but not in effect: held in its month
                break
        else:
            contract, usable = None, False
        if contract is None:
            self.other[("time_entries", customer, None, "other_period")] += n
            return
        cid = contract.id
        self.other[("time_entries", customer, cid, "other_period")] += n
        if not usable:
            return
        by_ticket = self.ticket_rates.get(cid)
        if by_ticket is None:
            by_ticket = self.ticket_rates[cid] = any(r.ticket is not None
                                                     for r in contract.labor.rates)
        if not by_ticket:
            ticket = None
        key = (cid, billable, approved, role, work_type, ticket)
        try:
            rule = self.rules[key]
        except KeyError:
            rule = self.rules[key] = self._rule(contract, billable, approved, role, work_type,
                                                ticket)
        if rule is None:
            return
        hkey = (cid, hours)
        worked = self.hours.get(hkey)
        if worked is None:
            worked = self.hours[hkey] = billable_hours(hours, contract)[0]
        how, factor = rule
        need = worked * factor if how == "x" else money(worked * factor)
        self.daily[cid][day] += need if n == 1 else need * n

    def _rule(self, contract: Contract, billable: bool, approved: bool, role: str,
              work_type: str, ticket: str | None) -> tuple[str, Decimal] | None:
        """How a row's billable hours become balance units: ("x", multiplier) or
        ("money", unit price); None when the row takes nothing from a balance."""
        if not billable:
            return None
        labor = contract.labor
        if labor.approval_required and not approved:
            return None
        if work_type in labor.excluded_work_types or role in labor.excluded_roles:
            return None                 # billed as labor in its own month
        if contract.type == "fixed_price":
            return "x", _ONE
        card = self.card_for(contract)
        money_retainer = contract.type == "retainer" and contract.retainer.amount is not None
        overage_rate = (contract.block_hours.overage_rate if contract.type == "block_hours"
                        else contract.retainer.overage_rate)
        if money_retainer or overage_rate is None:
            rate = entry_rate(role, work_type, ticket, contract, card)
            if rate is None:
                return None             # held no_rate in its own month: took nothing
            if money_retainer:
                return "money", rate.unit_price
        return "x", work_type_multiplier(work_type, contract, card)

    def draws(self) -> dict[str, list[Draw]]:
        out: dict[str, list[Draw]] = {}
        for cid, days in self.daily.items():
            out[cid] = [Draw(f"entries of {day}", day, need, False)
                        for day, need in sorted(days.items())]
        return out


# (contract, first day, last day, active, feeds a balance)
_Candidate = tuple[Contract, date, date, bool, bool]


def _candidate(c: Contract) -> _Candidate:
    return (c, c.start, c.end or date.max, c.status == "active", c.type in HISTORY_TYPES)
