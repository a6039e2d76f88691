"""Lines that come from the contract itself, not from activity rows:
services (SPEC 5.3), fixed-price schedules (5.4) and device fees (5.8)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from ..model import Contract
from ..number import fmt_qty, money
from .period import Month, billing_period, overlap_days
from .result import Line

PERIOD_WORDS = {"monthly": "month", "quarterly": "quarter", "annually": "year"}


class Counts:
    """Devices and users active on a day, per customer (SPEC 5.8)."""

    def __init__(self, devices, users, day: date) -> None:
        self.devices: dict[str, dict[str, int]] = {}
        self.users: dict[str, int] = {}
        for d in devices:
            if _active_on(d, day):
                per_type = self.devices.setdefault(d.customer, {})
                per_type[d.type] = per_type.get(d.type, 0) + 1
        for u in users:
            if _active_on(u, day):
                self.users[u.customer] = self.users.get(u.customer, 0) + 1

    def device_count(self, customer: str, type_: str | None = None) -> int:
        per_type = self.devices.get(customer, {})
        return sum(per_type.values()) if type_ is None else per_type.get(type_, 0)

    def user_count(self, customer: str) -> int:
        return self.users.get(customer, 0)


def _active_on(row, day: date) -> bool:
    """active not false, added empty or on/before the day, removed empty or after it."""
    return (row.active is not False and (row.added is None or row.added <= day)
            and (row.removed is None or row.removed > day))


def service_lines(contract: Contract, month: Month, counts: Counts) -> list[Line]:
    if contract.status != "active" or not contract.services:
        return []
    period_start, period_end = billing_period(month.start, contract.frequency)
    end = contract.end or date.max
    effect_start = max(contract.start, period_start)
    effect_end = min(end, period_end)
    if effect_end < effect_start:
        return []
    # billed in the first month of the billing period in which the contract is in effect
    if Month.of(effect_start) != month:
        return []
    days = overlap_days(effect_start, effect_end, period_start, period_end)
    period_days = (period_end - period_start).days + 1
    prorated = days != period_days
    lines = []
    for s in contract.services:
        if s.per is None:
            qty = s.quantity if s.quantity is not None else Decimal(1)
            basis = ""
        elif s.per == "user":
            qty = Decimal(counts.user_count(contract.customer))
            basis = f" ({fmt_qty(qty)} users on {month.end})"
        else:
            type_ = s.per.split(":", 1)[1] if ":" in s.per else None
            qty = Decimal(counts.device_count(contract.customer, type_))
            basis = f" ({fmt_qty(qty)} {type_ or 'device'}s on {month.end})"
        word = PERIOD_WORDS.get(contract.frequency, "month")
        if prorated:
            amount = money(qty * s.price * days / period_days)
            desc = (f"{s.name}{basis}, prorated {days}/{period_days} days of the {word} "
                    f"{period_start} to {period_end}")
        else:
            amount = money(qty * s.price)
            desc = s.name + basis + (f", {word} {period_start} to {period_end}"
                                     if contract.frequency != "monthly" else "")
        explain = (f"service '{s.id}' at {s.loc}: {fmt_qty(qty)} x {s.price}"
                   + (f" x {days}/{period_days}" if prorated else "") + f" = {amount}",)
        lines.append(Line(contract=contract.id, kind="service", description=desc, quantity=qty,
                          unit_price=s.price, amount=amount, explain=explain, loc=s.loc,
                          spread=(effect_start, effect_end)))
    return lines


def fixed_lines(contract: Contract, month: Month) -> list[Line]:
    fp = contract.fixed_price
    if fp is None or contract.status != "active":
        return []
    lines = []
    for item in fp.schedule:
        if month.contains(item.date):
            label = item.label or f"Fixed price installment {item.date}"
            lines.append(Line(contract=contract.id, kind="fixed", description=label,
                              quantity=Decimal(1), unit_price=item.amount, amount=money(item.amount),
                              explain=(f"schedule entry at {item.loc}",), loc=item.loc))
    return lines


def device_lines(contract: Contract, month: Month, counts: Counts) -> list[Line]:
    if contract.status != "active" or not contract.devices:
        return []
    end = contract.end or date.max
    if contract.start > month.end or end < month.start:
        return []
    lines = []
    for rate in contract.devices:
        count = Decimal(counts.device_count(contract.customer, rate.type))
        qty = max(count, rate.minimum)
        note = f" (minimum {fmt_qty(rate.minimum)})" if qty > count else ""
        lines.append(Line(
            contract=contract.id, kind="device",
            description=f"{rate.type} devices on {month.end}: {fmt_qty(count)}{note}",
            quantity=qty, unit_price=rate.rate, amount=money(qty * rate.rate),
            explain=(f"device rate at {rate.loc}: max({fmt_qty(count)} active, minimum "
                     f"{fmt_qty(rate.minimum)}) x {rate.rate}",), loc=rate.loc))
    return lines
