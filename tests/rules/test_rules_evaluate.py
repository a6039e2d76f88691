"""Semantics of every statement, with hand-computed figures (SPEC 3)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from engine.rules import RuleError, evaluate, parse_pricing, parse_rules_file

TIERS = """charge "Workstation management" on devices.workstation {mode} {{
  up to 10 at 45.00
  up to 50 at 40.00
  above at 35.00
}}
"""


def run(text: str, metrics: dict[str, str] | None = None, amounts: dict[str, str] | None = None):
    statements, diags = parse_pricing(text, "c.yaml", 1, 0)
    assert diags == []
    return evaluate(statements,
                    {k: Decimal(v) for k, v in (metrics or {}).items()},
                    {k: Decimal(v) for k, v in (amounts or {}).items()})


def amounts_of(ev) -> list[tuple[str, str]]:
    return [(line.kind, str(line.amount)) for line in ev.lines]


@pytest.mark.parametrize("mode,quantity,expected", [
    ("graduated", "60", "2400.00"),   # 10*45 + 40*40 + 10*35
    ("volume", "60", "2100.00"),      # 60*35
    ("volume", "50", "2000.00"),      # 50*40, 50 is inside (10, 50]
    ("graduated", "10", "450.00"),
    ("graduated", "50", "2050.00"),   # 450 + 1600
    ("volume", "10", "450.00"),
    ("volume", "11", "440.00"),
])
def test_spec_tier_examples(mode: str, quantity: str, expected: str) -> None:
    ev = run(TIERS.format(mode=mode), {"devices.workstation": quantity})
    assert amounts_of(ev) == [("rule_charge", expected)]
    line = ev.lines[0]
    assert line.quantity == Decimal(quantity)
    assert line.target is None


def test_fractional_quantity_across_a_bound() -> None:
    # 10.5: 10 * 45 + 0.5 * 40 = 470.00 graduated; volume 10.5 * 40 = 420.00
    assert amounts_of(run(TIERS.format(mode="graduated"), {"devices.workstation": "10.5"})) == \
        [("rule_charge", "470.00")]
    assert amounts_of(run(TIERS.format(mode="volume"), {"devices.workstation": "10.5"})) == \
        [("rule_charge", "420.00")]


def test_graduated_unit_price_is_the_average() -> None:
    line = run(TIERS.format(mode="graduated"), {"devices.workstation": "60"}).lines[0]
    assert line.unit_price == Decimal("40.00")   # 2400 / 60
    assert "10 × 45.00 + 40 × 40.00 + 10 × 35.00" in line.description


def test_quantity_zero_charges_nothing() -> None:
    ev = run(TIERS.format(mode="graduated"), {})
    assert ev.lines == ()
    assert [step.fired for step in ev.trace] == [False]
    assert ev.trace[0].values == {"devices.workstation": "0"}


FLAT = """charge "Hours" on hours {mode} {{
  up to 10 at 100 plus 50 flat
  above at 80 plus 20 flat
}}
"""


def test_flat_fees() -> None:
    # graduated 4: 4*100 + 50 = 450; 12: 10*100+50 + 2*80+20 = 1230
    assert amounts_of(run(FLAT.format(mode="graduated"), {"hours": "4"})) == [("rule_charge", "450.00")]
    assert amounts_of(run(FLAT.format(mode="graduated"), {"hours": "12"})) == [("rule_charge", "1230.00")]
    # exactly on the bound: the above tier holds no unit, so no flat fee
    assert amounts_of(run(FLAT.format(mode="graduated"), {"hours": "10"})) == [("rule_charge", "1050.00")]
    # volume 12: 12 * 80 + 20 = 980
    assert amounts_of(run(FLAT.format(mode="volume"), {"hours": "12"})) == [("rule_charge", "980.00")]


def test_computed_charge_precedence_min_max() -> None:
    # 2 + 3 * 4 = 14; (2 + 3) * 4 = 20; max(hours, 5) * 10 - min(users, 2) = 50 - 2 = 48
    ev = run('charge "a" = 2 + 3 * 4\ncharge "b" = (2 + 3) * 4\n'
             'charge "c" = max(hours, 5) * 10 - min(users, 2)\ncharge "d" = 10 - 4 - 3\n'
             'charge "e" = 100 / 8 / 5\ncharge "f" = -hours + 10\n',
             {"hours": "3", "users": "7"})
    assert amounts_of(ev) == [("rule_charge", "14.00"), ("rule_charge", "20.00"),
                              ("rule_charge", "48.00"), ("rule_charge", "3.00"),
                              ("rule_charge", "2.50"), ("rule_charge", "7.00")]
    assert ev.lines[0].quantity == Decimal(1) and ev.lines[0].unit_price == Decimal("14.00")


def test_computed_charge_rounds_half_up() -> None:
    # 10 / 8 = 1.25 ; 0.125 -> 0.13 (half-up)
    assert amounts_of(run('charge "a" = 1 / 8')) == [("rule_charge", "0.13")]


def test_charge_adds_to_total_and_reads_amounts() -> None:
    ev = run('charge "setup" = labor * 0.1\ncap total 500\n', {}, {"labor": "300", "total": "480"})
    # total after charge = 480 + 30 = 510 -> cap 500 credits 10
    assert amounts_of(ev) == [("rule_charge", "30.00"), ("cap", "-10.00")]


def test_when_else() -> None:
    text = ("when hours >= 40 {\n  discount labor by 10%\n} else {\n"
            "  surcharge labor by 25.00 when tickets.critical > 3\n}\n")
    assert amounts_of(run(text, {"hours": "40"}, {"labor": "1000"})) == [("discount", "-100.00")]
    assert amounts_of(run(text, {"hours": "39", "tickets.critical": "4"}, {"labor": "1000"})) == \
        [("surcharge", "25.00")]
    assert amounts_of(run(text, {"hours": "39", "tickets.critical": "3"}, {"labor": "1000"})) == []


def test_nested_when_and_boolean_logic() -> None:
    text = ("when hours > 10 and not (users < 5 or devices == 0) {\n"
            "  when months >= 12 {\n    charge \"loyal\" = 1\n  }\n}\n")
    assert amounts_of(run(text, {"hours": "11", "users": "5", "devices": "1", "months": "12"})) == \
        [("rule_charge", "1.00")]
    assert amounts_of(run(text, {"hours": "11", "users": "4", "devices": "1", "months": "12"})) == []


def test_discount_percent_and_money_no_compounding() -> None:
    # both computed from labor after step 2 = 1000: -100 and -200, not -100 then -180
    ev = run("discount labor by 10%\ndiscount labor by 20%\ndiscount labor by 50.00\n",
             {}, {"labor": "1000", "total": "1200"})
    assert amounts_of(ev) == [("discount", "-100.00"), ("discount", "-200.00"),
                              ("discount", "-50.00")]
    assert all(line.target == "labor" for line in ev.lines)


def test_money_discount_clamped_at_zero() -> None:
    ev = run("discount labor by 500.00\ndiscount labor by 10.00\n", {}, {"labor": "120.50"})
    assert amounts_of(ev) == [("discount", "-120.50")]
    assert "limited" in ev.lines[0].description
    assert ev.trace[1].fired is False


def test_percentage_rounds_half_up_per_line() -> None:
    # 10% of 0.25 = 0.025 -> 0.03 ; 15% of 33.33 = 4.9995 -> 5.00
    assert amounts_of(run("discount labor by 10%\n", {}, {"labor": "0.25"})) == [("discount", "-0.03")]
    assert amounts_of(run("surcharge services by 15%\n", {}, {"services": "33.33"})) == \
        [("surcharge", "5.00")]


def test_surcharge() -> None:
    ev = run("surcharge total by 3%\nsurcharge labor by 25.00\n", {}, {"labor": "100", "total": "300"})
    assert amounts_of(ev) == [("surcharge", "9.00"), ("surcharge", "25.00")]


def test_credit_with_max() -> None:
    text = 'credit "SLA credit" 5% of services per sla.breaches max 20%\n'
    # 3 breaches: 15% of 1200 = 180 ; 6 breaches: 30% capped at 20% -> 240
    assert amounts_of(run(text, {"sla.breaches": "3"}, {"services": "1200"})) == [("credit", "-180.00")]
    assert amounts_of(run(text, {"sla.breaches": "6"}, {"services": "1200"})) == [("credit", "-240.00")]
    assert amounts_of(run(text, {}, {"services": "1200"})) == []


def test_credit_without_max_never_goes_below_zero() -> None:
    text = 'credit "SLA credit" 40% of services per sla.breaches\n'
    assert amounts_of(run(text, {"sla.breaches": "3"}, {"services": "100"})) == [("credit", "-100.00")]


def test_cap_then_minimum_on_total() -> None:
    text = "minimum total 1000\ncap total 900\n"
    # cap first: 1200 -> 900 (-300), then minimum 1000 adds 100: the minimum is guaranteed
    assert amounts_of(run(text, {}, {"total": "1200"})) == [("cap", "-300.00"), ("minimum", "100.00")]
    assert amounts_of(run(text, {}, {"total": "950"})) == [("cap", "-50.00"), ("minimum", "100.00")]
    assert amounts_of(run("minimum total 1000\n", {}, {"total": "1000"})) == []


def test_minimum_sees_discounts() -> None:
    ev = run("minimum total 1000\ndiscount labor by 50%\n", {}, {"labor": "800", "total": "1100"})
    # discount -400 -> total 700 -> minimum adds 300
    assert amounts_of(ev) == [("discount", "-400.00"), ("minimum", "300.00")]


def test_cap_on_label_and_discount_on_label() -> None:
    ev = run('charge "Mgmt" = devices * 30\ndiscount "Mgmt" by 10%\ncap "Mgmt" 250\n',
             {"devices": "10"}, {"total": "0"})
    # 300, -30 -> 270, cap 250 -> -20
    assert amounts_of(ev) == [("rule_charge", "300.00"), ("discount", "-30.00"), ("cap", "-20.00")]
    assert ev.lines[1].target == "Mgmt"


def test_conditions_read_amounts_after_charges() -> None:
    # the discount's condition sees total 900 + 200 = 1100
    ev = run('discount total by 10% when total > 1000\ncharge "x" = 200\n', {}, {"total": "900"})
    assert amounts_of(ev) == [("rule_charge", "200.00"), ("discount", "-110.00")]


def test_when_with_charge_decided_once_in_text_order() -> None:
    # decided during the charge phase on total 80 (< 100): charge fires, and the
    # discount in the same block follows the same decision although total is 130 later
    ev = run('when total < 100 {\n  charge "a" = 50\n  discount "a" by 10%\n}\n', {}, {"total": "80"})
    assert amounts_of(ev) == [("rule_charge", "50.00"), ("discount", "-5.00")]


def test_rules_in_order_then_pricing() -> None:
    rules, diags = parse_rules_file(
        'rule one {\n  charge "A" = 10\n}\nrule two {\n  discount "A" by 50%\n}\n', "r.rules")
    assert diags == []
    pricing, diags = parse_pricing('charge "B" = 5\n', "c.yaml", 20, 2)
    ev = evaluate(rules["one"].statements + rules["two"].statements + pricing, {}, {})
    assert amounts_of(ev) == [("rule_charge", "10.00"), ("rule_charge", "5.00"), ("discount", "-5.00")]


def test_trace_records_values() -> None:
    ev = run("discount labor by 10% when hours > 40\n", {"hours": "41.5"}, {"labor": "200"})
    step = ev.trace[0]
    assert step.fired is True
    assert step.values == {"hours": "41.5", "labor": "200"}
    assert step.loc.line == 1 and step.loc.col == 1


def test_division_by_zero_metric_is_a_rule_error() -> None:
    statements, _ = parse_pricing('charge "x" = labor / hours\n', "c.yaml", 3, 2)
    with pytest.raises(RuleError) as info:
        evaluate(statements, {}, {"labor": Decimal(10)})
    assert "division by zero" in str(info.value)
    assert info.value.loc is not None and info.value.loc.line == 3
