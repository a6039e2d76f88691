"""The contract data model: frozen dataclasses built from validated documents.

Every later stage (checks, billing, SLA, reports) reads these, never raw
YAML. Each object keeps ``loc`` (where it was written) so that errors and
``tenor explain`` can point at the line that decided an amount.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any, Mapping

from .diagnostics import Loc
from .number import D, parse_percent
from .yamlload import Document

CONTRACT_TYPES = ("time_and_materials", "fixed_price", "recurring", "block_hours",
                  "retainer", "per_ticket", "per_device")
# The block each type requires; a type may not carry another type's block.
TYPE_BLOCKS = {
    "fixed_price": "fixed_price",
    "block_hours": "block_hours",
    "retainer": "retainer",
    "per_ticket": "per_ticket",
}
PRIORITIES = ("critical", "high", "medium", "low")


@dataclass(frozen=True)
class RateCard:
    id: str
    name: str | None
    default: bool
    currency: str
    roles: Mapping[str, Decimal]
    default_rate: Decimal | None
    work_types: Mapping[str, Decimal]
    loc: Loc
    doc: Document = field(repr=False, compare=False)


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    price: Decimal | None
    category: str | None
    loc: Loc


@dataclass(frozen=True)
class Catalog:
    id: str
    name: str | None
    products: tuple[Product, ...]
    loc: Loc
    doc: Document = field(repr=False, compare=False)


@dataclass(frozen=True)
class Target:
    response: Decimal        # minutes
    resolution: Decimal      # minutes
    response_text: str
    resolution_text: str


@dataclass(frozen=True)
class SLA:
    id: str
    name: str | None
    calendar: Mapping[str, Any]      # as written; engine.sla builds the clock
    targets: Mapping[str, Target]
    pause_statuses: tuple[str, ...]
    warn_at: Decimal                 # percent, e.g. 75
    loc: Loc
    doc: Document = field(repr=False, compare=False)


@dataclass(frozen=True)
class RateRule:
    role: str | None
    work_type: str | None
    ticket: str | None
    rate: Decimal | None             # an hourly rate, or
    percent: Decimal | None          # a percentage of the rate card's role rate
    loc: Loc

    @property
    def specificity(self) -> int:
        """ticket > role+work_type > role > work_type (SPEC 5.2)."""
        if self.ticket is not None:
            return 4
        if self.role is not None and self.work_type is not None:
            return 3
        if self.role is not None:
            return 2
        return 1


@dataclass(frozen=True)
class Labor:
    rate_card: str | None
    rates: tuple[RateRule, ...]
    multipliers: Mapping[str, Decimal]
    rounding_increment: Decimal | None
    rounding_mode: str
    minimum: Decimal | None
    approval_required: bool
    excluded_work_types: frozenset[str]
    excluded_roles: frozenset[str]

    @cached_property
    def rate_tickets(self) -> frozenset[str]:
        """The tickets some rate rule names: any other ticket (or none) matches the
        same rules, so it prices as no ticket (billing.labor._matches)."""
        return frozenset(r.ticket for r in self.rates if r.ticket is not None)


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    price: Decimal
    quantity: Decimal | None
    per: str | None                  # "device", "device:TYPE", "user"
    loc: Loc


@dataclass(frozen=True)
class ScheduledAmount:
    date: date
    amount: Decimal
    label: str | None
    loc: Loc


@dataclass(frozen=True)
class FixedPrice:
    amount: Decimal
    schedule: tuple[ScheduledAmount, ...]


@dataclass(frozen=True)
class Block:
    date: date
    hours: Decimal
    price: Decimal
    expires: date | None
    loc: Loc


@dataclass(frozen=True)
class BlockHours:
    blocks: tuple[Block, ...]
    overage_rate: Decimal | None
    alert_at: Decimal                # percent
    opening_as_of: date | None
    opening_hours: Decimal | None


@dataclass(frozen=True)
class Retainer:
    hours: Decimal | None
    amount: Decimal | None
    fee: Decimal
    unused: str
    rollover_limit: Decimal | None
    overage_rate: Decimal | None


@dataclass(frozen=True)
class TicketPurchase:
    date: date
    tickets: Decimal
    price: Decimal
    loc: Loc


@dataclass(frozen=True)
class PerTicket:
    fee: Decimal
    purchases: tuple[TicketPurchase, ...]


@dataclass(frozen=True)
class DeviceRate:
    type: str
    rate: Decimal
    minimum: Decimal
    loc: Loc


@dataclass(frozen=True)
class PriceOverride:
    product: str | None
    category: str | None
    price: Decimal | None
    discount: Decimal | None         # percent off the catalog price
    effective: date | None           # None: the contract start
    loc: Loc


@dataclass(frozen=True)
class BlockEntry:
    product: str | None
    category: str | None
    loc: Loc


@dataclass(frozen=True)
class RuleRef:
    name: str
    loc: Loc


@dataclass(frozen=True)
class Contract:
    id: str
    customer: str
    name: str | None
    type: str
    status: str
    start: date
    end: date | None
    default: bool
    number: str | None
    purchase_order: str | None
    description: str | None
    estimated_revenue: Decimal | None
    estimated_hours: Decimal | None
    renewal_auto: bool
    renewal_notice_days: int | None
    sla: str | None
    frequency: str
    terms: str | None
    tax_exempt: bool
    labor: Labor
    services: tuple[Service, ...]
    fixed_price: FixedPrice | None
    block_hours: BlockHours | None
    retainer: Retainer | None
    per_ticket: PerTicket | None
    devices: tuple[DeviceRate, ...]
    price_overrides: tuple[PriceOverride, ...]
    blocklist: tuple[BlockEntry, ...]
    rules: tuple[RuleRef, ...]
    pricing: str | None
    loc: Loc
    doc: Document = field(repr=False, compare=False)

    def in_effect(self, day: date) -> bool:
        return self.status == "active" and self.start <= day and (self.end is None or day <= self.end)

    def covers(self, day: date) -> bool:
        """Dates only, whatever the status."""
        return self.start <= day and (self.end is None or day <= self.end)


# ---------------------------------------------------------------- builders

def _date(value: Any) -> date | None:
    if value is None:
        return None
    return date.fromisoformat(str(value))


def _dec(value: Any) -> Decimal | None:
    if value is None:
        return None
    return D(value) if not isinstance(value, Decimal) else value


def _pct(value: Any) -> Decimal | None:
    if value is None:
        return None
    return parse_percent(str(value))


def _loc(doc: Document, path: tuple) -> Loc:
    line, col = doc.mark(path)
    return Loc(doc.file, line, col)


_DURATION = re.compile(r"([0-9]+(?:\.[0-9]+)?)([mhd])\Z")
_UNIT_MINUTES = {"m": Decimal(1), "h": Decimal(60), "d": Decimal(1440)}


def duration_minutes(text: str) -> Decimal:
    match = _DURATION.match(str(text).strip())
    if not match:
        raise ValueError(f"{text!r} is not a duration")
    return Decimal(match.group(1)) * _UNIT_MINUTES[match.group(2)]


def build_rate_card(doc: Document) -> RateCard:
    d = doc.data
    return RateCard(
        id=d["id"], name=d.get("name"), default=bool(d.get("default", False)),
        currency=d.get("currency", "USD"),
        roles={k: _dec(v) for k, v in (d.get("roles") or {}).items()},
        default_rate=_dec(d.get("default_rate")),
        work_types={k: _dec(v) for k, v in (d.get("work_types") or {}).items()},
        loc=_loc(doc, ()), doc=doc)


def build_catalog(doc: Document) -> Catalog:
    d = doc.data
    products = tuple(
        Product(sku=p["sku"], name=p.get("name", p["sku"]), price=_dec(p.get("price")),
                category=p.get("category"), loc=_loc(doc, ("products", i)))
        for i, p in enumerate(d.get("products") or []))
    return Catalog(id=d["id"], name=d.get("name"), products=products, loc=_loc(doc, ()), doc=doc)


def build_sla(doc: Document) -> SLA:
    d = doc.data
    targets = {}
    for priority, target in (d.get("targets") or {}).items():
        targets[priority] = Target(
            response=duration_minutes(target["response"]),
            resolution=duration_minutes(target["resolution"]),
            response_text=str(target["response"]), resolution_text=str(target["resolution"]))
    return SLA(id=d["id"], name=d.get("name"), calendar=d.get("calendar") or {},
               targets=targets, pause_statuses=tuple(d.get("pause_statuses") or ()),
               warn_at=_pct(d.get("warn_at")) if d.get("warn_at") is not None else Decimal(75),
               loc=_loc(doc, ()), doc=doc)


def _labor(doc: Document, raw: Mapping[str, Any] | None) -> Labor:
    raw = raw or {}
    rates = []
    for i, r in enumerate(raw.get("rates") or []):
        rate_value = r.get("rate")
        percent = _pct(rate_value) if isinstance(rate_value, str) else None
        rates.append(RateRule(
            role=r.get("role"), work_type=r.get("work_type"),
            ticket=None if r.get("ticket") is None else str(r.get("ticket")),
            rate=None if percent is not None else _dec(rate_value), percent=percent,
            loc=_loc(doc, ("labor", "rates", i))))
    rounding = raw.get("rounding") or {}
    exclusions = raw.get("exclusions") or {}
    return Labor(
        rate_card=raw.get("rate_card"), rates=tuple(rates),
        multipliers={k: _dec(v) for k, v in (raw.get("multipliers") or {}).items()},
        rounding_increment=_dec(rounding.get("increment")),
        rounding_mode=rounding.get("mode", "nearest"),
        minimum=_dec(raw.get("minimum")),
        approval_required=raw.get("approval", "none") == "required",
        excluded_work_types=frozenset(exclusions.get("work_types") or ()),
        excluded_roles=frozenset(exclusions.get("roles") or ()))


def build_contract(doc: Document) -> Contract:
    d = doc.data
    start = _date(d["start"])
    services = tuple(
        Service(id=str(s.get("id", "")), name=s.get("name") or str(s.get("id", "")),
                price=_dec(s["price"]),
                quantity=_dec(s.get("quantity")) if s.get("per") is None else None,
                per=s.get("per"), loc=_loc(doc, ("services", i)))
        for i, s in enumerate(d.get("services") or []))
    if any(s.per is None and s.quantity is None for s in services):
        services = tuple(s if s.per is not None or s.quantity is not None
                         else Service(s.id, s.name, s.price, Decimal(1), None, s.loc)
                         for s in services)
    fixed = None
    if d.get("fixed_price") is not None:
        fp = d["fixed_price"]
        amount = _dec(fp["amount"])
        schedule = tuple(
            ScheduledAmount(date=_date(s["date"]), amount=_dec(s["amount"]), label=s.get("label"),
                            loc=_loc(doc, ("fixed_price", "schedule", i)))
            for i, s in enumerate(fp.get("schedule") or []))
        if not schedule:
            schedule = (ScheduledAmount(start, amount, None, _loc(doc, ("fixed_price",))),)
        fixed = FixedPrice(amount=amount, schedule=schedule)
    block = None
    if d.get("block_hours") is not None:
        bh = d["block_hours"]
        opening = bh.get("opening_balance") or {}
        block = BlockHours(
            blocks=tuple(Block(date=_date(b["date"]), hours=_dec(b["hours"]),
                               price=_dec(b.get("price", 0)), expires=_date(b.get("expires")),
                               loc=_loc(doc, ("block_hours", "blocks", i)))
                         for i, b in enumerate(bh.get("blocks") or [])),
            overage_rate=_dec(bh.get("overage_rate")),
            alert_at=_pct(bh.get("alert_at")) if bh.get("alert_at") is not None else Decimal(75),
            opening_as_of=_date(opening.get("as_of")), opening_hours=_dec(opening.get("hours")))
    retainer = None
    if d.get("retainer") is not None:
        r = d["retainer"]
        retainer = Retainer(hours=_dec(r.get("hours")), amount=_dec(r.get("amount")),
                            fee=_dec(r.get("fee", 0)), unused=r.get("unused", "forfeit"),
                            rollover_limit=_dec(r.get("rollover_limit")),
                            overage_rate=_dec(r.get("overage_rate")))
    per_ticket = None
    if d.get("per_ticket") is not None:
        pt = d["per_ticket"]
        per_ticket = PerTicket(
            fee=_dec(pt.get("fee", 0)),
            purchases=tuple(TicketPurchase(date=_date(p["date"]), tickets=_dec(p["tickets"]),
                                           price=_dec(p.get("price", 0)),
                                           loc=_loc(doc, ("per_ticket", "purchases", i)))
                            for i, p in enumerate(pt.get("purchases") or [])))
    renewal = d.get("renewal") or {}
    billing = d.get("billing") or {}
    return Contract(
        id=d["id"], customer=str(d["customer"]), name=d.get("name"), type=d["type"],
        status=d.get("status", "active"), start=start, end=_date(d.get("end")),
        default=bool(d.get("default", False)),
        number=None if d.get("number") is None else str(d.get("number")),
        purchase_order=None if d.get("purchase_order") is None else str(d.get("purchase_order")),
        description=d.get("description"),
        estimated_revenue=_dec(d.get("estimated_revenue")),
        estimated_hours=_dec(d.get("estimated_hours")),
        renewal_auto=bool(renewal.get("auto", False)),
        renewal_notice_days=None if renewal.get("notice_days") is None else int(renewal["notice_days"]),
        sla=d.get("sla"), frequency=billing.get("frequency", "monthly"), terms=billing.get("terms"),
        tax_exempt=bool(billing.get("tax_exempt", False)),
        labor=_labor(doc, d.get("labor")), services=services, fixed_price=fixed,
        block_hours=block, retainer=retainer, per_ticket=per_ticket,
        devices=tuple(DeviceRate(type=x["type"], rate=_dec(x["rate"]),
                                 minimum=_dec(x.get("minimum", 0)),
                                 loc=_loc(doc, ("devices", i)))
                      for i, x in enumerate(d.get("devices") or [])),
        price_overrides=tuple(
            PriceOverride(product=o.get("product"), category=o.get("category"),
                          price=_dec(o.get("price")), discount=_pct(o.get("discount")),
                          effective=_date(o.get("effective")),
                          loc=_loc(doc, ("price_overrides", i)))
            for i, o in enumerate(d.get("price_overrides") or [])),
        blocklist=tuple(BlockEntry(product=b.get("product"), category=b.get("category"),
                                   loc=_loc(doc, ("blocklist", i)))
                        for i, b in enumerate(d.get("blocklist") or [])),
        rules=tuple(RuleRef(name=n, loc=_loc(doc, ("rules", i)))
                    for i, n in enumerate(d.get("rules") or [])),
        pricing=d.get("pricing"),
        loc=_loc(doc, ()), doc=doc)


BUILDERS = {
    "RateCard": build_rate_card,
    "Catalog": build_catalog,
    "SLA": build_sla,
    "Contract": build_contract,
}
