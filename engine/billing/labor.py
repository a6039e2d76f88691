"""Pricing one time entry (SPEC 5.2): hours rounding, rate choice, multiplier."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from ..model import Contract, RateCard, RateRule
from ..number import HUNDRED, fmt_qty, money

ONE = Decimal(1)
_MODES = {"up": ROUND_CEILING, "down": ROUND_FLOOR, "nearest": ROUND_HALF_UP}


_BILLABLE: dict[tuple, tuple[Decimal, str]] = {}


def billable_hours(hours: Decimal, contract: Contract | None) -> tuple[Decimal, str]:
    """Apply the contract's minimum, then its rounding; also say what happened.

    Memoised: a year of entries holds few distinct hour values per contract."""
    if contract is None:
        return hours, ""
    # the exponent is part of the key: 1.5 and 1.50 are equal but print differently,
    # and a memo must not make output depend on which came first
    key = (hours, hours.as_tuple().exponent, contract.labor.minimum,
           contract.labor.rounding_increment, contract.labor.rounding_mode)
    found = _BILLABLE.get(key)
    if found is None:
        if len(_BILLABLE) > 100_000:
            _BILLABLE.clear()
        found = _BILLABLE[key] = _billable_hours(hours, contract)
    return found


def _billable_hours(hours: Decimal, contract: Contract) -> tuple[Decimal, str]:
    labor = contract.labor
    notes = []
    result = hours
    if labor.minimum is not None and result < labor.minimum:
        result = labor.minimum
        notes.append(f"minimum {fmt_qty(labor.minimum)}h")
    inc = labor.rounding_increment
    if inc is not None and inc > 0:
        steps = (result / inc).quantize(ONE, rounding=_MODES[labor.rounding_mode])
        rounded = steps * inc
        if rounded != result:
            notes.append(f"rounded {labor.rounding_mode} to {fmt_qty(inc)}h")
        result = rounded
    return result, ", ".join(notes)


@dataclass(frozen=True)
class Rate:
    rate: Decimal            # hourly rate before the multiplier
    multiplier: Decimal
    unit_price: Decimal      # rate x multiplier, in cents
    source: str              # which rule or card decided the rate, for explain
    rule: RateRule | None


def _matches(rule: RateRule, role: str, work_type: str, ticket: str | None) -> bool:
    if rule.ticket is not None and rule.ticket != ticket:
        return False
    if rule.role is not None and rule.role != role:
        return False
    if rule.work_type is not None and rule.work_type != work_type:
        return False
    return True


def card_rate(card: RateCard | None, role: str) -> Decimal | None:
    if card is None:
        return None
    if role in card.roles:
        return card.roles[role]
    return card.default_rate


def work_type_multiplier(work_type: str, contract: Contract | None, card: RateCard | None) -> Decimal:
    """The contract's multiplier for the work type, else the card's, else 1."""
    if contract is not None and work_type in contract.labor.multipliers:
        return contract.labor.multipliers[work_type]
    if card is not None and work_type in card.work_types:
        return card.work_types[work_type]
    return ONE


# (id(contract), id(card), role, work_type, ticket) -> (contract, card, rate).
# The value holds the objects themselves, so an id is never reused while its
# entry lives, and a hit is checked against them.
_RATES: dict[tuple, tuple] = {}


def entry_rate(role: str, work_type: str, ticket: str | None,
               contract: Contract | None, card: RateCard | None) -> Rate | None:
    """The most specific matching contract rule, else the card's rate; None: no rate.

    Memoised per contract and card (immutable once loaded): a month prices tens
    of thousands of entries with a handful of distinct answers. The ticket is
    part of the key only when a rule of the contract names it."""
    if contract is None or ticket not in contract.labor.rate_tickets:
        ticket = None
    key = (id(contract), id(card), role, work_type, ticket)
    found = _RATES.get(key)
    if found is not None and found[0] is contract and found[1] is card:
        return found[2]
    if len(_RATES) > 100_000:
        _RATES.clear()
    rate = _entry_rate(role, work_type, ticket, contract, card)
    _RATES[key] = (contract, card, rate)
    return rate


def _entry_rate(role: str, work_type: str, ticket: str | None,
                contract: Contract | None, card: RateCard | None) -> Rate | None:
    rule = None
    if contract is not None:
        best = -1
        for candidate in contract.labor.rates:
            if _matches(candidate, role, work_type, ticket) and candidate.specificity > best:
                rule, best = candidate, candidate.specificity
    if rule is not None and rule.rate is not None:
        rate = rule.rate
        source = f"contract rate {rule.rate} ({_describe(rule)}) at {rule.loc}"
    elif rule is not None:
        base = card_rate(card, role)
        if base is None:
            return None
        rate = base * rule.percent / HUNDRED
        source = (f"{fmt_qty(rule.percent)}% of rate card '{card.id}' rate {base} for {role} "
                  f"({_describe(rule)}) at {rule.loc}")
    else:
        rate = card_rate(card, role)
        if rate is None:
            return None
        which = "role rate" if card and role in card.roles else "default_rate"
        source = f"rate card '{card.id}' {which} {rate} for {role}"
    if rule is not None and rule.work_type is not None:
        multiplier = ONE   # the rule already priced this work type
    else:
        multiplier = work_type_multiplier(work_type, contract, card)
    unit = money(rate * multiplier)
    return Rate(rate=rate, multiplier=multiplier, unit_price=unit, source=source, rule=rule)


def _describe(rule: RateRule) -> str:
    parts = []
    if rule.ticket is not None:
        parts.append(f"ticket {rule.ticket}")
    if rule.role is not None:
        parts.append(f"role {rule.role}")
    if rule.work_type is not None:
        parts.append(f"work_type {rule.work_type}")
    return ", ".join(parts)
