"""Hypothesis properties of tiered charges, discounts and evaluation order-independence."""
from __future__ import annotations

import random
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.number import money
from engine.rules import evaluate, parse_pricing

cents = st.integers(min_value=0, max_value=10_000_000).map(lambda n: Decimal(n).scaleb(-2))
quantities = st.integers(min_value=0, max_value=100_000).map(lambda n: Decimal(n).scaleb(-2))


@st.composite
def tier_tables(draw):
    """Strictly increasing bounds, prices with cents, optional flat fees."""
    steps = draw(st.lists(st.integers(min_value=1, max_value=300), min_size=0, max_size=5))
    bounds, running = [], 0
    for step in steps:
        running += step
        bounds.append(Decimal(running))
    prices = [draw(cents) for _ in range(len(bounds) + 1)]
    flats = [draw(st.sampled_from([Decimal(0), Decimal("15.00"), Decimal("2.50")]))
             for _ in range(len(bounds) + 1)]
    return bounds, prices, flats


def program(mode: str, bounds, prices, flats) -> str:
    lines = [f'charge "T" on hours {mode} {{']
    for bound, price, flat in zip(bounds, prices, flats):
        lines.append(f"  up to {bound} at {price}" + (f" plus {flat} flat" if flat else ""))
    lines.append(f"  above at {prices[-1]}" + (f" plus {flats[-1]} flat" if flats[-1] else ""))
    lines.append("}")
    return "\n".join(lines) + "\n"


def charged(text: str, quantity: Decimal) -> Decimal:
    statements, diags = parse_pricing(text, "p", 1, 0)
    assert diags == []
    lines = evaluate(statements, {"hours": quantity}, {}).lines
    return sum((line.amount for line in lines), Decimal("0.00"))


@settings(max_examples=150, deadline=None)
@given(tier_tables(), quantities)
def test_graduated_total_is_the_sum_of_its_bands(table, quantity) -> None:
    bounds, prices, flats = table
    edges = [Decimal(0)] + bounds + [None]
    expected = Decimal(0)
    for i, price in enumerate(prices):
        low, high = edges[i], edges[i + 1]
        inside = (quantity if high is None else min(quantity, high)) - low
        if inside > 0:
            expected += inside * price + flats[i]
    assert charged(program("graduated", bounds, prices, flats), quantity) == money(expected)


@settings(max_examples=150, deadline=None)
@given(tier_tables(), quantities)
def test_volume_uses_the_matched_tier_price(table, quantity) -> None:
    bounds, prices, flats = table
    index = next((i for i, bound in enumerate(bounds) if quantity <= bound), len(bounds))
    expected = quantity * prices[index] + flats[index] if quantity > 0 else Decimal(0)
    assert charged(program("volume", bounds, prices, flats), quantity) == money(expected)


adjustments = st.lists(
    st.tuples(st.sampled_from(["labor", "total", "services"]),
              st.one_of(st.integers(min_value=0, max_value=100).map(lambda n: f"{n}%"),
                        cents.map(str))),
    min_size=1, max_size=6)


@settings(max_examples=150, deadline=None)
@given(adjustments, cents, cents)
def test_discounts_never_take_a_target_below_zero(discounts, labor, services) -> None:
    text = "".join(f"discount {target} by {value}\n" for target, value in discounts)
    statements, diags = parse_pricing(text, "p", 1, 0)
    assert diags == []
    total = labor + services
    ev = evaluate(statements, {}, {"labor": labor, "services": services, "total": total})
    final = {"labor": labor, "services": services, "total": total}
    for line in ev.lines:
        assert line.amount < 0
        final[line.target] += line.amount
        if line.target != "total":
            final["total"] += line.amount
        assert final[line.target] >= 0


METRIC_NAMES = ["hours", "users", "devices", "tickets.critical", "sla.breaches"]
AMOUNT_NAMES = ["labor", "services", "overage", "charges", "device_fees", "total"]
MIXED = ('charge "A" on hours graduated {\n  up to 5 at 10\n  above at 7.5 plus 3 flat\n}\n'
         'charge "B" = users * 4 + min(devices, 3) / 3\n'
         "when tickets.critical > 1 {\n  discount labor by 10%\n} else {\n  surcharge total by 2.5%\n}\n"
         'credit "SLA" 5% of services per sla.breaches max 20%\n'
         'discount "A" by 12.34\ncap total 5000\nminimum total 150\n')


@settings(max_examples=100, deadline=None)
@given(st.lists(quantities, min_size=5, max_size=5), st.lists(cents, min_size=6, max_size=6),
       st.randoms(use_true_random=False))
def test_result_independent_of_mapping_order(metric_values, amount_values, rnd: random.Random) -> None:
    statements, diags = parse_pricing(MIXED, "p", 1, 0)
    assert diags == []
    metrics = list(zip(METRIC_NAMES, metric_values))
    amounts = list(zip(AMOUNT_NAMES, amount_values))
    first = evaluate(statements, dict(metrics), dict(amounts))
    rnd.shuffle(metrics)
    rnd.shuffle(amounts)
    second = evaluate(statements, dict(metrics), dict(amounts))
    assert first == second
