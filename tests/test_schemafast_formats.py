"""engine.schemafast's format keyword: the registered function called directly,
its answers remembered per exact text and per exact number.

Why: a remembered answer must never stand in for a value the format could tell
apart. Decimal("1.0") == Decimal("1.00") (and they hash alike), yet a format may
count decimal places, so numbers are remembered by their exact text.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from engine.schemafast import compile_schema, compile_validator

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def _checker(calls: list[Any]) -> FormatChecker:
    checker = FormatChecker(formats=())

    @checker.checks("two-places", raises=ValueError)
    def two_places(instance: object) -> bool:
        calls.append(instance)
        if isinstance(instance, str) and instance == "boom":
            raise ValueError("refused")
        if isinstance(instance, Decimal):
            return instance.as_tuple().exponent == -2
        if isinstance(instance, str):
            return instance.endswith(".00")
        return instance is not None

    @checker.checks("buggy", raises=ValueError)
    def buggy(instance: object) -> bool:
        raise KeyError("a bug in a format function")
    return checker


VALUES = [Decimal("1.00"), Decimal("1.0"), Decimal("1.00"), Decimal("100E-2"), Decimal("1"),
          Decimal("-0.00"), Decimal("0.00"), "1.00", "1.0", "1.00", "boom", "boom",
          1, True, None, 1.5]


def test_answers_match_jsonschema_value_for_value() -> None:
    calls: list[Any] = []
    validator = Draft202012Validator({"$schema": DRAFT, "format": "two-places"},
                                     format_checker=_checker(calls))
    check = compile_validator(validator)
    for value in VALUES + list(reversed(VALUES)):
        assert check(value) == validator.is_valid(value), value


def test_each_exact_text_and_number_is_asked_once() -> None:
    calls: list[Any] = []
    checker = _checker(calls)
    validator = Draft202012Validator({"$schema": DRAFT, "format": "two-places"},
                                     format_checker=checker)
    check = compile_validator(validator)
    answers = [check(v) for v in VALUES + VALUES]
    assert answers[:len(VALUES)] == answers[len(VALUES):]
    asked_numbers = [str(v) for v in calls if isinstance(v, Decimal)]
    asked_texts = [v for v in calls if isinstance(v, str)]
    # 1.00 and 100E-2 are the same exact number (coefficient 100, exponent -2)
    assert sorted(asked_numbers) == sorted({"1.00", "1.0", "1", "-0.00", "0.00"})
    assert sorted(asked_texts) == sorted({"1.00", "1.0", "boom"})
    # other types are not remembered: asked every time
    assert sum(1 for v in calls if v is None) == 2
    assert answers[:7] == [True, False, True, True, False, True, True]


def test_an_unexpected_exception_is_not_remembered_as_an_answer() -> None:
    calls: list[Any] = []
    checker = _checker(calls)
    raw = compile_schema({"format": "buggy"}, Draft202012Validator.TYPE_CHECKER, checker)
    for _ in range(2):
        with pytest.raises(KeyError):
            raw("x")
    safe = compile_validator(Draft202012Validator({"$schema": DRAFT, "format": "buggy"},
                                                  format_checker=checker))
    assert safe("x") is False          # unsure: jsonschema decides (and raises) as before


def test_an_unknown_format_is_not_asserted() -> None:
    validator = Draft202012Validator({"$schema": DRAFT, "format": "no-such-format"},
                                     format_checker=FormatChecker(formats=()))
    assert compile_validator(validator)("anything") is True
    assert validator.is_valid("anything")


def test_long_values_are_not_remembered() -> None:
    calls: list[Any] = []
    validator = Draft202012Validator({"$schema": DRAFT, "format": "two-places"},
                                     format_checker=_checker(calls))
    check = compile_validator(validator)
    long_text = "9" * 100 + ".00"
    long_number = Decimal(long_text)
    assert [check(long_text), check(long_text), check(long_number), check(long_number)] == \
        [True, True, True, True]
    assert calls == [long_text, long_text, long_number, long_number]
