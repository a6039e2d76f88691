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

The rules here are the ones ``month.MonthRows`` applies to a row of the
month (SPEC 5.2-5.7); tests/test_scoped.py::test_history_agrees_with_row_by_row_pricing
checks the two agree (a closing balance is the next month's opening).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from operator import itemgetter
from typing import Callable

from ..activity import TimeEntry
from ..model import Contract, RateCard
from ..repo import Repo
from ..number import money
from .labor import billable_hours, entry_rate, work_type_multiplier
from .prepaid import Draw

HISTORY_TYPES = ("block_hours", "retainer", "fixed_price")
_ONE = Decimal(1)
_UNSET = object()
# EARLIER_FIELDS picks: the date, the hours, and what decides how a row's hours
# count (billable, approved, role, work_type) for a contract no rate rule of
# which names a ticket
_DAY = itemgetter(0)
_HOURS = itemgetter(5)
_RULE_KEY = itemgetter(1, 2, 3, 4)


def earlier_fields(e: TimeEntry) -> tuple:
    """A built row as the activity.scope.EARLIER_FIELDS tuple History reads."""
    return (e.date, e.billable, e.approved, e.role, e.work_type, e.hours, e.ticket, e.id, e.row)


class History:
    """Collects earlier rows; ``draws()`` gives each contract's daily draws."""

    def __init__(self, repo: Repo,
                 candidates: Callable[[str, str | None], tuple[bool, tuple[Contract, ...]]],
                 card_for: Callable[[Contract | None], RateCard | None], other: dict) -> None:
        self.repo = repo
        self.candidates = candidates    # Assigner.candidates: SPEC 5.1 per pair
        self.card_for = card_for
        self.other = other          # state.rows: (kind, customer, contract, disposition) -> n
        # per contract: (billable, approved, role, work_type[, ticket]) -> rule; hours -> billable
        self.rules: dict[str, dict[tuple, tuple[str, Decimal] | None]] = defaultdict(dict)
        self.hours: dict[str, dict[Decimal, Decimal]] = defaultdict(dict)
        self.daily: dict[str, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))

    def add_group(self, customer: str, named: str | None, entries: list[tuple]) -> None:
        """Earlier rows of one (customer, contract column), as
        activity.scope.EARLIER_FIELDS tuples; each is other_period here.
        ``entries`` is read, never changed."""
        is_named, candidates = self.candidates(customer, named)
        active = [c for c in candidates if c.status == "active"]
        if len(active) == 1:
            # one contract can take rows (the usual case): one pass over the rows,
            # which are many and spread over memory, each pass a cost of its own
            c = active[0]
            start, end = c.start, c.end or date.max
            if c.type in HISTORY_TYPES:
                hits = self._draws(c, entries, start, end)
            else:
                hits = sum(1 for e in entries if start <= e[0] <= end)
            if is_named:    # named but not in effect on those dates: held in their month
                self.other[("time_entries", customer, c.id, "other_period")] += len(entries) - hits
            elif hits != len(entries):
                self.other[("time_entries", customer, None, "other_period")] += len(entries) - hits
            self.other[("time_entries", customer, c.id, "other_period")] += hits
            return
        by_contract: dict[str, list[tuple]] = {}
        for c in candidates:    # contracts tried in order; entries they do not cover go on
            start, end = c.start, c.end or date.max
            if c.status == "active":
                hit = [e for e in entries if start <= e[0] <= end]
                if len(hit) != len(entries):
                    entries = [e for e in entries if not start <= e[0] <= end]
                else:
                    entries = []
                by_contract[c.id] = hit
            if is_named:       # named but not in effect on those dates: held in their month
                self.other[("time_entries", customer, c.id, "other_period")] += len(entries)
                entries = []
            if not entries:
                break
        if entries:
            self.other[("time_entries", customer, None, "other_period")] += len(entries)
        for cid, hit in by_contract.items():
            self.other[("time_entries", customer, cid, "other_period")] += len(hit)
            contract = self.repo.contracts[cid]
            if contract.type in HISTORY_TYPES:
                self._draws(contract, hit, date.min, date.max)

    def _draws(self, contract: Contract, entries: list[tuple], start: date, end: date) -> int:
        """Add the rows dated ``start`` to ``end`` to the contract's daily draws;
        returns how many there are."""
        cid = contract.id
        rules, worked_for, daily = self.rules[cid], self.hours[cid], self.daily[cid]
        tickets = contract.labor.rate_tickets
        if tickets:     # rows whose ticket a rate rule names; any other prices as none
            keys = ((billable, approved, role, work_type, ticket if ticket and ticket in tickets
                     else None)
                    for _, billable, approved, role, work_type, _, ticket, _, _ in entries)
        else:           # picked out by itemgetter, not by Python code per row
            keys = map(_RULE_KEY, entries)
        get, worked_get = rules.get, worked_for.get
        outside = 0
        for day, key, hours in zip(map(_DAY, entries), keys, map(_HOURS, entries)):
            if not start <= day <= end:
                outside += 1
                continue
            rule = get(key, _UNSET)
            if rule is _UNSET:
                rule = rules[key] = self._rule(contract, *key)
            if rule is None:
                continue
            worked = worked_get(hours)
            if worked is None:
                worked = worked_for[hours] = billable_hours(hours, contract)[0]
            how, factor = rule
            daily[day] += worked * factor if how == "x" else money(worked * factor)
        return len(entries) - outside

    def _rule(self, contract: Contract, billable: bool, approved: bool, role: str,
              work_type: str, ticket: str | None = None) -> tuple[str, Decimal] | None:
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
        names = _DayNames()     # contracts share days: each name is made once
        for cid, days in self.daily.items():
            out[cid] = [Draw(names[day], day, need, False) for day, need in sorted(days.items())]
        return out


class _DayNames(dict):
    """day -> the id of that day's draw."""

    def __missing__(self, day: date) -> str:
        name = self[day] = f"entries of {day}"
        return name
