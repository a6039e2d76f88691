"""Parse trees are reused per text (engine.rules.parser._parse), never ASTs.

Why: 2,000 contracts often share a handful of pricing: texts, so each text is
parsed once; but every contract must still get its own AST whose positions and
diagnostics point into its own file.
"""
from __future__ import annotations

from typing import Iterator

import pytest

import engine.rules.parser as parser_mod
from engine.rules import parse_pricing


def _clear() -> None:
    parser_mod._TREES.clear()
    parser_mod._PASSED.clear()


@pytest.fixture
def fresh() -> Iterator[None]:
    _clear()
    yield
    _clear()


def test_a_shared_pricing_text_keeps_each_contracts_positions(fresh: None) -> None:
    """Parse trees are reused per text; the AST and its diagnostics are not."""
    text = 'charge "x" = hours > 3\ndiscount labor by 10% when hours > 40\n'
    first = parse_pricing(text, "a.yaml", 10, 4)
    second = parse_pricing(text, "b.yaml", 31, 2)
    assert len(parser_mod._TREES) == 1
    assert first != second
    _clear()
    assert parse_pricing(text, "b.yaml", 31, 2) == second
    _clear()
    assert parse_pricing(text, "a.yaml", 10, 4) == first
    statements, diags = first
    assert [(d.file, d.line, d.col, d.code) for d in diags] == [("a.yaml", 10, 18, "rule-type")]
    assert statements[1].loc.line == 11 and statements[1].loc.col == 5
