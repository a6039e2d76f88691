"""Evaluating expressions and conditions against a name -> value lookup.

Shared by pricing (where every value is a Decimal metric or amount) and by
``tenor contracts --where`` (where values may also be text, dates and
booleans).  Type mix-ups raise ``RuleError`` with a message naming the
values, never a Python ``TypeError``.  Recursion only follows parentheses and
function arguments, whose depth the parser limits to 50.
"""
from __future__ import annotations

import datetime
import decimal
from decimal import Decimal
from typing import Callable, Mapping

from engine.number import ZERO, fmt
from engine.rules.ast import (
    And, Arith, BoolLit, Call, Compare, Cond, DateLit, Expr, Name, Neg, Not, Num, Or, Str,
    Truthy, node_text,
)
from engine.rules.errors import RuleError

Value = Decimal | str | datetime.date | bool | None
Reader = Callable[[Name], Value]

_ORDERING = {"<", "<=", ">", ">="}


def _kind(value: Value) -> str:
    if value is None:
        return "nothing (empty)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, Decimal):
        return "a number"
    if isinstance(value, datetime.date):
        return "a date"
    return "text"


def _show(value: Value) -> str:
    if isinstance(value, Decimal):
        return fmt(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return '""' if value is None else f'"{value}"'


def normalise(value: object) -> Value:
    """Accept ints for numbers (never floats: they are not money)."""
    if isinstance(value, bool) or value is None or isinstance(value, (Decimal, str)):
        return value
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int):
        return Decimal(value)
    raise RuleError(f"cannot compare a value of type {type(value).__name__}")


def eval_expr(node: Expr, read: Reader) -> Value:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Name):
        return read(node)
    if isinstance(node, Str):
        return node.value
    if isinstance(node, DateLit):
        return node.value
    if isinstance(node, BoolLit):
        return node.value
    if isinstance(node, Neg):
        return -_number(eval_expr(node.operand, read), node.operand)
    if isinstance(node, Call):
        a, b = (_number(eval_expr(arg, read), arg) for arg in node.args)
        return min(a, b) if node.func == "min" else max(a, b)
    if isinstance(node, Arith):
        acc = _number(eval_expr(node.first, read), node.first)
        try:
            for op, item in node.rest:
                value = _number(eval_expr(item, read), item)
                if op == "+":
                    acc = acc + value
                elif op == "-":
                    acc = acc - value
                elif op == "*":
                    acc = acc * value
                else:
                    if value == 0:
                        raise RuleError(f"division by zero: `{node_text(item)}` is 0; guard it, "
                                        f"e.g. `max({node_text(item)}, 1)` or a `when`",
                                        item.loc)
                    acc = acc / value
        except decimal.DecimalException as exc:
            raise RuleError(f"arithmetic out of range in `{node_text(node)}`", node.loc) from exc
        return acc
    raise RuleError(f"`{node_text(node)}` is a condition where a value is needed",
                    getattr(node, "loc", None))


def _number(value: Value, node: Expr) -> Decimal:
    if isinstance(value, Decimal):
        return value
    raise RuleError(f"`{node_text(node)}` is {_kind(value)} ({_show(value)}), but arithmetic "
                    "needs numbers", node.loc)


def eval_cond(node: Cond, read: Reader) -> bool:
    if isinstance(node, BoolLit):
        return node.value
    if isinstance(node, Not):
        return not eval_cond(node.operand, read)
    if isinstance(node, And):
        return all(eval_cond(item, read) for item in node.items)
    if isinstance(node, Or):
        return any(eval_cond(item, read) for item in node.items)
    if isinstance(node, Truthy):
        value = read(node.name)
        if isinstance(value, bool):
            return value
        raise RuleError(f"'{node.name.name}' is {_kind(value)} ({_show(value)}), not true/false; "
                        f"compare it, e.g. `{node.name.name} == ...`", node.loc)
    if isinstance(node, Compare):
        left = eval_expr(node.left, read)
        right = eval_expr(node.right, read)
        return compare(left, node.op, right, node)
    raise RuleError(f"`{node_text(node)}` is a value where a condition is needed",
                    getattr(node, "loc", None))


def compare(left: Value, op: str, right: Value, node: Compare) -> bool:
    if left is None or right is None:
        # An empty field equals only another empty field and is never < or >.
        if op == "==":
            return left is None and right is None
        if op == "!=":
            return not (left is None and right is None)
        return False
    same = (isinstance(left, bool) == isinstance(right, bool)
            and type(left) is type(right))
    if not same:
        raise RuleError(f"cannot compare {_kind(left)} ({_show(left)}) with {_kind(right)} "
                        f"({_show(right)}) in `{node_text(node)}`; compare like with like, "
                        "e.g. dates as 2026-12-31 and text in double quotes", node.loc)
    if isinstance(left, bool) and op in _ORDERING:
        raise RuleError(f"true/false values can only be compared with == or != in "
                        f"`{node_text(node)}`", node.loc)
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    if op == "<":
        return left < right  # type: ignore[operator]
    if op == "<=":
        return left <= right  # type: ignore[operator]
    if op == ">":
        return left > right  # type: ignore[operator]
    return left >= right  # type: ignore[operator]


def eval_condition(cond: Cond, env: Mapping[str, object]) -> bool:
    """Evaluate a ``--where`` condition over one contract's fields.

    ``env`` values may be Decimal (or int), str, datetime.date, bool or None.
    An unknown field or a comparison of mismatched types raises ``RuleError``.
    """
    def read(name: Name) -> Value:
        if name.name not in env:
            from engine.diagnostics import did_you_mean
            raise RuleError(f"unknown field '{name.name}'{did_you_mean(name.name, env)}; "
                            f"fields are {', '.join(sorted(env))}", name.loc)
        return normalise(env[name.name])
    return eval_cond(cond, read)


def decimal_reader(values: Mapping[str, Decimal], seen: dict[str, str]) -> Reader:
    """A pricing lookup: absent names read 0, and every read is recorded for the trace."""
    def read(name: Name) -> Value:
        value = values.get(name.name, ZERO)
        seen[name.name] = fmt(value)
        return value
    return read
