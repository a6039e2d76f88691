"""Static checks of check_program, each with its exact file:line:col."""
from __future__ import annotations

from engine.rules import check_program, parse_pricing, parse_rules_file


def check(text: str, first_line: int = 1, indent: int = 0, **kwargs) -> list[tuple[int, int, str]]:
    statements, diags = parse_pricing(text, "c.yaml", first_line, indent)
    assert diags == []
    return [(d.line, d.col, d.code) for d in check_program(statements, **kwargs)]


def messages(text: str, **kwargs) -> list[str]:
    statements, _ = parse_pricing(text, "c.yaml", 1, 0)
    return [d.message for d in check_program(statements, **kwargs)]


def test_clean_program() -> None:
    assert check('charge "A" on devices.workstation volume {\n  up to 5 at 1\n  above at 2\n}\n'
                 'discount "A" by 100%\nminimum total 10\ncap labor 5\n'
                 'credit "c" 1% of services per sla.response_breaches max 10%\n'
                 'charge "B" = hours.onsite * 2 + tickets.critical\n') == []


def test_unknown_metric_with_suggestion() -> None:
    assert check("discount labor by 10% when hourz > 40\n") == [(1, 28, "rule-unknown-metric")]
    assert messages("discount labor by 10% when hourz > 40\n")[0].endswith("did you mean 'hours'?")


def test_work_and_device_types_restrict_families() -> None:
    text = 'charge "x" = hours.onsight + devices.server\n'
    assert check(text) == []
    assert check(text, 3, 2, work_types=["onsite", "remote"], device_types=["server"]) == \
        [(3, 16, "rule-unknown-metric")]
    assert "did you mean 'hours.onsite'?" in messages(text, work_types=["onsite"])[0]
    assert check('charge "x" = tickets.urgent\n') == [(1, 14, "rule-unknown-metric")]


def test_unknown_targets() -> None:
    assert check("cap labr 5\ndiscount hours by 5%\n") == \
        [(1, 5, "rule-unknown-target"), (2, 10, "rule-unknown-target")]
    assert "did you mean 'labor'?" in messages("cap labr 5\n")[0]
    assert "quantity, not an amount" in messages("discount hours by 5%\n")[0]


def test_quoted_label_must_be_a_charge_anywhere_in_the_program() -> None:
    assert check('discount "Mgmt fe" by 10%\ncharge "Mgmt fee" = 3\n') == [(1, 10, "rule-unknown-target")]
    assert messages('discount "Mgmt fe" by 10%\ncharge "Mgmt fee" = 3\n')[0].endswith(
        "did you mean 'Mgmt fee'?")
    # defined in an earlier rule of the same contract: fine
    rules, _ = parse_rules_file('rule r {\n  charge "Mgmt" = 1\n}\n', "r.rules")
    pricing, _ = parse_pricing('cap "Mgmt" 10\n', "c.yaml", 1, 0)
    assert check_program(rules["r"].statements + pricing) == []


def test_tier_bounds_must_increase() -> None:
    text = 'charge "T" on hours graduated {\n  up to 10 at 1\n  up to 10 at 2\n  up to 5 at 3\n  above at 4\n}\n'
    assert check(text) == [(3, 3, "rule-tier-order"), (4, 3, "rule-tier-order")]
    assert check('charge "T" on hours graduated {\n  up to 0 at 1\n  above at 4\n}\n') == \
        [(2, 3, "rule-tier-order")]


def test_missing_and_misplaced_above() -> None:
    assert check('charge "T" on hours volume {\n  up to 10 at 1\n  up to 20 at 2\n}\n') == \
        [(3, 3, "rule-tier-above")]
    assert check('charge "T" on hours volume {\n  above at 1\n  up to 20 at 2\n}\n') == \
        [(2, 3, "rule-tier-order"), (3, 3, "rule-tier-above")]


def test_percentage_discount_over_100() -> None:
    assert check("discount labor by 100.5%\nsurcharge labor by 150%\n") == [(1, 19, "rule-percent")]


def test_division_by_literal_zero() -> None:
    assert check('charge "x" = labor / 0.00 + hours / (0)\n') == \
        [(1, 22, "rule-div-zero"), (1, 38, "rule-div-zero")]


def test_where_only_literals_are_rejected_in_pricing() -> None:
    assert check('when months > 2026-01-01 { cap total 1 }\nwhen hours { cap total 1 }\n') == \
        [(1, 15, "rule-type"), (2, 6, "rule-type")]


def test_checks_look_inside_when_blocks() -> None:
    assert check("when hours > 1 {\n  when users > 1 {\n    cap totl 1\n  } else {\n"
                 "    discount labor by 200%\n  }\n}\n") == \
        [(3, 9, "rule-unknown-target"), (5, 23, "rule-percent")]
