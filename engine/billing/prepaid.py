"""Prepaid balances replayed over the whole history (SPEC 5.5, 5.6, 5.7).

A balance can only be known by replaying every draw since the contract
began, in (date, id) order, so these functions take all of a contract's
draws up to the end of the preview month and report what happened in it.
Each keeps a ledger of dated movements; the month's opening, added, used,
forfeited and closing are sums over that ledger, so the balance identity
opening + added - used - forfeited = closing holds by construction.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from operator import attrgetter

from ..model import Contract
from ..number import ZERO, fmt_qty, money
from .period import ONE_DAY, Month, months_between
from .result import Balance, Line, Warning


@dataclass(slots=True)
class Draw:
    """One time entry (or ticket) that wants units from a prepaid balance."""
    id: str
    date: date
    need: Decimal                    # balance units wanted (hours x multiplier, money, 1 ticket)
    in_month: bool
    overage_price: Decimal | None = None   # unit price of uncovered units
    drawn: Decimal = ZERO
    over: Decimal = ZERO


# the replay order of draws (attrgetter: no Python call per draw)
_DATE_ID = attrgetter("date", "id")


@dataclass
class Ledger:
    unit: str
    moves: list[tuple[date, str, Decimal, str, str | None]] = field(default_factory=list)
    # lot key -> (price paid for the lot, units in it): what revenue recognition needs
    lots: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)

    def add(self, day: date, kind: str, amount: Decimal, note: str, lot: str | None = None) -> None:
        if amount:
            self.moves.append((day, kind, amount, note, lot))

    def balance(self, contract: str, month: Month) -> Balance:
        result = Balance(contract=contract, unit=self.unit)
        opening = ZERO
        for day, kind, amount, note, lot in self.moves:
            sign = 1 if kind == "added" else -1
            if day < month.start:
                opening += sign * amount
            elif day <= month.end:
                setattr(result, kind, getattr(result, kind) + amount)
                result.movements.append(f"{day} {kind} {fmt_qty(amount)} {self.unit}: {note}")
                result.events.append((day, kind, amount, lot))
        result.lots = dict(self.lots)
        result.opening = opening
        result.closing = opening + result.added - result.used - result.forfeited
        return result


@dataclass
class _Lot:
    """A purchased block (or allocation, or ticket bundle) being drawn down."""
    start: date
    expires: date
    remaining: Decimal
    label: str
    order: int
    key: str = ""


@dataclass
class PrepaidResult:
    balance: Balance
    lines: list[Line] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)
    used_to_date: Decimal = ZERO
    purchased_to_date: Decimal = ZERO


def _draw_from(lots: list[_Lot], draw: Draw, ledger: Ledger) -> None:
    """Draw from the usable lots in the order of ``lots`` (blocks: earliest expiry
    first; retainer allocations: oldest first); what they cannot cover is over."""
    need = draw.need
    day = draw.date
    drawn = draw.drawn
    for lot in lots:
        if need <= 0:
            break
        remaining = lot.remaining
        if remaining <= 0 or not lot.start <= day <= lot.expires:
            continue
        take = need if need <= remaining else remaining     # min(need, remaining)
        lot.remaining = remaining - take
        need -= take
        drawn += take
        # take > 0 here, so always a move (Ledger.add skips only zero)
        ledger.moves.append((day, "used", take, f"{draw.id} from {lot.label}", lot.key))
    draw.drawn = drawn
    draw.over = need


def _expire(lots: list[_Lot], start: int, before: date, ledger: Ledger) -> int:
    """Forfeit what is left of every lot whose last usable day is before ``before``.

    ``lots`` are sorted by expiry, and ``lots[:start]`` expired at an earlier call
    (days only grow): those are a prefix, so the lots looked at are only the ones
    expiring now. Returns the new ``start``."""
    while start < len(lots) and lots[start].expires < before:
        lot = lots[start]
        if lot.remaining > 0:
            ledger.add(lot.expires, "forfeited", lot.remaining, f"{lot.label} expired {lot.expires}",
                       lot.key)
            lot.remaining = ZERO
        start += 1
    return start


def _overage_lines(contract: Contract, draws: list[Draw], unit_word: str) -> list[Line]:
    groups: dict[Decimal, list[Draw]] = {}
    for d in draws:
        if d.in_month and d.over > 0 and d.overage_price is not None:
            groups.setdefault(d.overage_price, []).append(d)
    lines = []
    for price, group in sorted(groups.items()):
        qty = sum((d.over for d in group), ZERO)
        lines.append(Line(
            contract=contract.id, kind="overage",
            description=f"Overage: {unit_word} beyond the prepaid balance",
            quantity=qty, unit_price=price, amount=money(qty * price),
            sources=tuple(sorted(d.id for d in group)),
            explain=tuple(f"{d.id} {d.date}: needed {fmt_qty(d.need)}, drawn {fmt_qty(d.drawn)}, "
                          f"over {fmt_qty(d.over)} at {price}" for d in sorted(group, key=_DATE_ID))))
    return lines


def _purchase(contract: Contract, month: Month, ledger: Ledger, lots: list[_Lot],
              lines: list[Line], *, key: str, order: int, day: date, units: Decimal,
              price: Decimal, expires: date, label: str, description: str, loc) -> None:
    """A block or ticket bundle: a lot to draw from, and a line in the month it is bought."""
    if day > month.end:
        return
    lots.append(_Lot(day, expires, units, label, order, key))
    ledger.lots[key] = (price, units)
    ledger.add(day, "added", units, label, key)
    if month.contains(day):
        lines.append(Line(contract=contract.id, kind="block_purchase", description=description,
                          quantity=Decimal(1), unit_price=price, amount=money(price),
                          explain=(f"bought at {loc}",), loc=loc))


def replay_block_hours(contract: Contract, draws: list[Draw], month: Month) -> PrepaidResult:
    bh = contract.block_hours
    assert bh is not None
    ledger = Ledger("hours")
    last_day = contract.end or date.max
    lots: list[_Lot] = []
    lines: list[Line] = []
    if bh.opening_as_of is not None and bh.opening_hours is not None:
        lots.append(_Lot(bh.opening_as_of, last_day, bh.opening_hours,
                         f"opening balance as of {bh.opening_as_of}", -1, "opening"))
        ledger.lots["opening"] = (ZERO, bh.opening_hours)
        ledger.add(bh.opening_as_of, "added", bh.opening_hours, "opening balance", "opening")
    for i, block in enumerate(sorted(bh.blocks, key=lambda b: (b.date, b.loc))):
        expires = min(block.expires or last_day, last_day)   # nothing is usable after the end
        _purchase(contract, month, ledger, lots, lines, key=f"block:{i}", order=i,
                  day=block.date, units=block.hours, price=block.price, expires=expires,
                  label=f"block of {fmt_qty(block.hours)}h bought {block.date}",
                  description=f"Block of {fmt_qty(block.hours)} hours bought {block.date}"
                              + (f", usable until {expires}" if expires != date.max else ""),
                  loc=block.loc)
    lots.sort(key=lambda lot: (lot.expires, lot.start, lot.order))
    exhausted = False
    replay = sorted((d for d in draws if bh.opening_as_of is None or d.date > bh.opening_as_of),
                    key=_DATE_ID)
    expired = 0         # lots[:expired] are past their last day (see _expire)
    for draw in replay:
        if expired < len(lots) and lots[expired].expires < draw.date:
            expired = _expire(lots, expired, draw.date, ledger)
        _draw_from(lots, draw, ledger)
        if draw.in_month and (draw.over > 0 or sum(l.remaining for l in lots
                                                  if l.start <= draw.date <= l.expires) == 0):
            exhausted = True
    # every lot whose last day is in or before the month
    _expire(lots, expired, month.end + ONE_DAY, ledger)
    balance = ledger.balance(contract.id, month)
    # skipped draws (on or before the opening balance date) still count as drawn
    for d in draws:
        if bh.opening_as_of is not None and d.date <= bh.opening_as_of:
            d.drawn = d.need
    used = sum((d.drawn + d.over for d in replay if d.date <= month.end), ZERO)
    purchased = sum((amount for day, kind, amount, _, _ in ledger.moves
                     if kind == "added" and day <= month.end), ZERO)
    result = PrepaidResult(balance=balance, lines=lines + _overage_lines(contract, draws, "hours"),
                           used_to_date=used, purchased_to_date=purchased)
    if balance.closing == 0 and balance.opening + balance.added > 0:
        exhausted = True
    if purchased > 0 and used * 100 >= bh.alert_at * purchased:
        result.warnings.append(Warning(
            "block_hours_alert", contract.id, "warning",
            f"{fmt_qty(used)} of {fmt_qty(purchased)} prepaid hours used since the contract start "
            f"({fmt_qty((used * 100 / purchased).quantize(Decimal('0.1')))}%), at or above the "
            f"{fmt_qty(bh.alert_at)}% alert; closing balance {fmt_qty(balance.closing)}h"))
    if exhausted:
        result.warnings.append(Warning(
            "block_hours_exhausted", contract.id, "warning",
            f"the prepaid balance reached zero in {month}; "
            f"{fmt_qty(sum((d.over for d in draws if d.in_month), ZERO))} hours billed as overage"))
    return result


def replay_retainer(contract: Contract, draws: list[Draw], month: Month,
                    currency: str) -> PrepaidResult:
    r = contract.retainer
    assert r is not None
    money_mode = r.amount is not None
    unit = currency if money_mode else "hours"
    allocation = r.amount if money_mode else (r.hours or ZERO)
    ledger = Ledger(unit)
    first = Month.of(contract.start)
    last = min(month, Month.of(contract.end)) if contract.end else month
    # by (year, month): cheaper to make and hash than a Month per draw
    by_month: dict[tuple[int, int], list[Draw]] = {}
    for d in sorted(draws, key=_DATE_ID):
        day = d.date
        by_month.setdefault((day.year, day.month), []).append(d)
    lots: list[_Lot] = []      # oldest first: carried units are drawn before new ones
    lines: list[Line] = []
    for m in months_between(first, last):
        alloc_day = max(m.start, contract.start)
        key = f"allocation:{m}"
        ledger.lots[key] = (r.fee, allocation)
        lots.append(_Lot(alloc_day, date.max, allocation, f"allocation for {m}", len(lots), key))
        ledger.add(alloc_day, "added", allocation, f"allocation for {m}", key)
        if m == month:
            lines.append(Line(contract=contract.id, kind="retainer_fee",
                              description=f"Retainer fee {m} ({fmt_qty(allocation)} "
                                          f"{unit} allocated)",
                              quantity=Decimal(1), unit_price=r.fee, amount=money(r.fee)))
        for d in by_month.get((m.year, m.month), ()):
            _draw_from(lots, d, ledger)
        unused = sum((lot.remaining for lot in lots), ZERO)
        if r.unused == "rollover":
            keep = unused
        elif r.unused == "rollover_capped":
            keep = min(unused, r.rollover_limit or ZERO)
        else:
            keep = ZERO
        period_end = m.end if contract.end is None else min(m.end, contract.end)
        if contract.end is not None and m.end >= contract.end:
            keep = ZERO   # nothing carries past the contract's end
        forfeit = unused - keep
        for lot in lots:          # the oldest units go first
            if forfeit <= 0:
                break
            take = min(forfeit, lot.remaining)
            if take > 0:
                lot.remaining -= take
                forfeit -= take
                ledger.add(period_end, "forfeited", take, f"{lot.label} unused at the end of {m}",
                           lot.key)
        lots = [lot for lot in lots if lot.remaining > 0]
    balance = ledger.balance(contract.id, month)
    lines.extend(_overage_lines(contract, draws, unit if not money_mode else "work"))
    if money_mode:  # a money overage is the uncovered T&M value itself
        lines = [l if l.kind != "overage" else
                 Line(l.contract, "overage", "Overage: work beyond the retainer amount",
                      Decimal(1), money(l.quantity), money(l.quantity), l.sources, l.explain)
                 for l in lines]
    return PrepaidResult(balance=balance, lines=lines)


def replay_per_ticket(contract: Contract, tickets: list[Draw], month: Month) -> PrepaidResult:
    pt = contract.per_ticket
    assert pt is not None
    ledger = Ledger("tickets")
    last_day = contract.end or date.max
    lots: list[_Lot] = []
    lines: list[Line] = []
    for i, p in enumerate(sorted(pt.purchases, key=lambda p: (p.date, p.loc))):
        _purchase(contract, month, ledger, lots, lines, key=f"bundle:{i}", order=i,
                  day=p.date, units=p.tickets, price=p.price, expires=last_day,
                  label=f"bundle of {fmt_qty(p.tickets)} tickets bought {p.date}",
                  description=f"Bundle of {fmt_qty(p.tickets)} tickets bought {p.date}",
                  loc=p.loc)
    lots.sort(key=lambda lot: (lot.start, lot.order))   # earliest purchase first
    for t in sorted(tickets, key=_DATE_ID):
        usable = next((lot for lot in lots if lot.remaining > 0 and lot.start <= t.date), None)
        if usable is not None:
            usable.remaining -= 1
            t.drawn = Decimal(1)
            ledger.add(t.date, "used", Decimal(1), f"ticket {t.id} from {usable.label}",
                       usable.key)
        else:
            t.over = Decimal(1)
    if contract.end is not None and contract.end <= month.end:
        for lot in lots:
            if lot.remaining > 0:
                ledger.add(contract.end, "forfeited", lot.remaining,
                           f"{lot.label} unused at contract end", lot.key)
                lot.remaining = ZERO
    billed = sorted((t for t in tickets if t.in_month and t.over > 0), key=lambda t: t.id)
    if billed:
        qty = Decimal(len(billed))
        lines.append(Line(contract=contract.id, kind="ticket",
                          description="Tickets beyond the prepaid bundles",
                          quantity=qty, unit_price=pt.fee, amount=money(qty * pt.fee),
                          sources=tuple(t.id for t in billed)))
    return PrepaidResult(balance=ledger.balance(contract.id, month), lines=lines)
