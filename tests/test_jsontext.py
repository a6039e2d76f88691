"""engine.report.jsontext writes what json.dumps(indent=2, ensure_ascii=False) writes."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from engine.report.jsontext import dumps

CASES = Path(__file__).resolve().parent / "cases"


def reference(value) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


@pytest.mark.parametrize("path", sorted(CASES.rglob("*.json")), ids=lambda p: str(p.relative_to(CASES)))
def test_golden_outputs_are_written_identically(path: Path) -> None:
    value = json.loads(path.read_text(encoding="utf-8"))
    assert dumps(value) == reference(value)


scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(),
                    st.floats(allow_nan=False, allow_infinity=False))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=5), inner, max_size=4),
    st.tuples(inner, inner)), max_leaves=25)


@given(values)
def test_any_value_is_written_identically(value) -> None:
    assert dumps(value) == reference(value)


def test_non_text_keys_are_written_as_json_writes_them() -> None:
    value = {"a": {1: "x", None: [True, 2.5]}}
    assert dumps(value) == reference(value)
