"""Product charges (SPEC 5.10): price overrides, entered prices, catalog, blocklists."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..model import BlockEntry, Contract, PriceOverride, Product
from ..number import HUNDRED, money


@dataclass(frozen=True)
class ChargePrice:
    unit_price: Decimal
    source: str


def _override_applies(o: PriceOverride, contract: Contract, sku: str, category: str | None,
                      day: date) -> bool:
    effective = o.effective or contract.start
    if effective > day:
        return False   # an override never reprices a line added before it took effect
    return o.product == sku or (o.product is None and category is not None and o.category == category)


def charge_price(contract: Contract | None, sku: str, product: Product | None,
                 entered: Decimal | None, day: date) -> ChargePrice | None:
    """Override (product beats category, then the latest effective), else entered, else catalog."""
    category = product.category if product else None
    if contract is not None:
        matches = [o for o in contract.price_overrides
                   if _override_applies(o, contract, sku, category, day)]
        if matches:
            best = max(matches, key=lambda o: (o.product is not None,
                                               o.effective or contract.start, o.loc))
            if best.price is not None:
                return ChargePrice(best.price, f"price override {best.price} at {best.loc}")
            if product is not None and product.price is not None and best.discount is not None:
                unit = money(product.price * (HUNDRED - best.discount) / HUNDRED)
                return ChargePrice(unit, f"{best.discount}% off catalog price {product.price} "
                                         f"(override at {best.loc})")
    if entered is not None:
        return ChargePrice(entered, "price entered on the charge row")
    if product is not None and product.price is not None:
        return ChargePrice(product.price, f"catalog price at {product.loc}")
    return None


def blocking_entry(contracts: list[Contract], sku: str, product: Product | None,
                   day: date) -> tuple[Contract, BlockEntry] | None:
    """The first blocklist entry, on any of the customer's contracts in effect, that blocks the product."""
    category = product.category if product else None
    for contract in sorted(contracts, key=lambda c: c.id):
        if not contract.in_effect(day):
            continue
        for entry in contract.blocklist:
            if entry.product == sku or (entry.category is not None and entry.category == category):
                return contract, entry
    return None
