"""parse_condition / eval_condition for `tenor contracts --where`."""
from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from engine.rules import RuleError, eval_condition, parse_condition

ACME = {"type": "block_hours", "end": datetime.date(2026, 6, 30), "status": "active",
        "default": True, "estimated_revenue": Decimal("12000"), "number": None}


def where(text: str, env: dict = ACME) -> bool:
    cond, diags = parse_condition(text)
    assert diags == [] and cond is not None
    return eval_condition(cond, env)


def test_spec_example() -> None:
    assert where('type == "block_hours" and end < 2026-12-31') is True
    assert where('type == "block_hours" and end < 2026-06-30') is False
    assert where('type == "recurring" or end <= 2026-06-30') is True


def test_numbers_booleans_and_not() -> None:
    assert where("estimated_revenue >= 10000 and default") is True
    assert where("not default or estimated_revenue * 2 > 30000") is False
    assert where("default == true and not (status != \"active\")") is True


def test_empty_field() -> None:
    assert where("number == number") is True
    assert where('number != "C-1"') is True
    assert where("number < 3") is False


def test_mismatched_types_raise_rule_error() -> None:
    with pytest.raises(RuleError, match="cannot compare a date"):
        where("end < 5")
    with pytest.raises(RuleError, match="not true/false"):
        where("type")
    with pytest.raises(RuleError, match="unknown field 'typ'; did you mean 'type'"):
        where('typ == "x"')


def test_syntax_error_has_position_and_caret() -> None:
    cond, diags = parse_condition('type == == "x"')
    assert cond is None
    assert [(d.file, d.line, d.col) for d in diags] == [("<where>", 1, 9)]
    assert diags[0].message.endswith('type == == "x"\n            ^')


def test_invalid_date_literal() -> None:
    cond, diags = parse_condition("end < 2026-02-30")
    assert cond is None and diags[0].code == "rule-type" and diags[0].col == 7
