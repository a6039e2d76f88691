"""Frozen syntax-tree nodes of the rule language.

Parsing builds these once; checking and evaluation only read them, so they are
immutable and every node carries the ``Loc`` that diagnostics and ``tenor
explain`` point at.  Operator chains are n-ary (``Arith``, ``And``, ``Or``)
rather than nested binary nodes so that a long ``a + b + c + ...`` stays a
shallow tree: nothing that walks these nodes can hit Python's recursion limit
on input that passed the nesting limit.
"""
from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Union

from engine.diagnostics import Loc

# --------------------------------------------------------------- expressions


@dataclass(frozen=True)
class Num:
    """A decimal literal, kept exact (built from the source text)."""
    value: Decimal
    loc: Loc


@dataclass(frozen=True)
class Name:
    """A metric or amount (``hours.onsite``, ``labor``), or a contract field in ``--where``."""
    name: str
    loc: Loc


@dataclass(frozen=True)
class Str:
    """A string literal; only meaningful in ``tenor contracts --where`` conditions."""
    value: str
    loc: Loc


@dataclass(frozen=True)
class DateLit:
    """A ``YYYY-MM-DD`` literal; only meaningful in ``--where`` conditions."""
    value: datetime.date
    loc: Loc


@dataclass(frozen=True)
class BoolLit:
    value: bool
    loc: Loc


@dataclass(frozen=True)
class Neg:
    """Unary minus (an even run of ``-`` signs is folded away by the parser)."""
    operand: "Expr"
    loc: Loc


@dataclass(frozen=True)
class Arith:
    """``first op1 x1 op2 x2 ...`` with one precedence level (``+ -`` or ``* /``), left to right."""
    first: "Expr"
    rest: tuple[tuple[str, "Expr"], ...]
    loc: Loc


@dataclass(frozen=True)
class Call:
    """``min(a, b)`` or ``max(a, b)``."""
    func: str
    args: tuple["Expr", ...]
    loc: Loc


Expr = Union[Num, Name, Str, DateLit, BoolLit, Neg, Arith, Call]

# ---------------------------------------------------------------- conditions


@dataclass(frozen=True)
class Compare:
    left: Expr
    op: str
    right: Expr
    loc: Loc


@dataclass(frozen=True)
class And:
    items: tuple["Cond", ...]
    loc: Loc


@dataclass(frozen=True)
class Or:
    items: tuple["Cond", ...]
    loc: Loc


@dataclass(frozen=True)
class Not:
    operand: "Cond"
    loc: Loc


@dataclass(frozen=True)
class Truthy:
    """A bare name used as a condition (``--where default``); the value must be a boolean."""
    name: Name
    loc: Loc


Cond = Union[Compare, And, Or, Not, Truthy, BoolLit]

# ---------------------------------------------------------------- statements


@dataclass(frozen=True)
class Target:
    """What an adjustment applies to: an amount name, or a charge label when ``quoted``."""
    name: str
    quoted: bool
    loc: Loc

    def __str__(self) -> str:
        return f'"{self.name}"' if self.quoted else self.name


@dataclass(frozen=True)
class Tier:
    """``up to BOUND at PRICE [plus FLAT flat]``; ``bound`` is None for ``above``."""
    bound: Decimal | None
    price: Decimal
    flat: Decimal
    loc: Loc


@dataclass(frozen=True)
class TieredCharge:
    label: str
    metric: Name
    mode: str                 # "graduated" | "volume"
    tiers: tuple[Tier, ...]
    loc: Loc


@dataclass(frozen=True)
class ComputedCharge:
    label: str
    expr: Expr
    loc: Loc


@dataclass(frozen=True)
class Adjustment:
    """``discount``/``surcharge TARGET by VALUE [when COND]``."""
    kind: str                 # "discount" | "surcharge"
    target: Target
    value: Decimal
    percent: bool             # True: value is a percentage (10 means 10%)
    cond: Cond | None
    loc: Loc
    value_loc: Loc


@dataclass(frozen=True)
class Credit:
    """``credit "LABEL" PCT of TARGET per METRIC [max PCT]``."""
    label: str
    percent: Decimal
    target: Target
    metric: Name
    max_percent: Decimal | None
    loc: Loc


@dataclass(frozen=True)
class Minimum:
    target: Target
    amount: Decimal
    loc: Loc


@dataclass(frozen=True)
class Cap:
    target: Target
    amount: Decimal
    loc: Loc


@dataclass(frozen=True)
class When:
    cond: Cond
    then: tuple["Statement", ...]
    otherwise: tuple["Statement", ...]
    loc: Loc


Statement = Union[TieredCharge, ComputedCharge, Adjustment, Credit, Minimum, Cap, When]


@dataclass(frozen=True)
class Rule:
    name: str
    statements: tuple[Statement, ...]
    loc: Loc


EXPR_TYPES = (Num, Name, Str, DateLit, BoolLit, Neg, Arith, Call)
COND_TYPES = (Compare, And, Or, Not, Truthy, BoolLit)


def node_text(node: Expr | Cond) -> str:
    """Source-like text of an expression or condition, for traces and messages.

    Iterative over the operator chains, recursive only through parentheses,
    whose depth the parser bounds.
    """
    if isinstance(node, Num):
        return format(node.value, "f")
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Str):
        return f'"{node.value}"'
    if isinstance(node, DateLit):
        return node.value.isoformat()
    if isinstance(node, BoolLit):
        return "true" if node.value else "false"
    if isinstance(node, Neg):
        return "-" + _paren(node.operand)
    if isinstance(node, Arith):
        parts = [_paren(node.first)]
        for op, item in node.rest:
            parts.append(f"{op} {_paren(item)}")
        return " ".join(parts)
    if isinstance(node, Call):
        return f"{node.func}({', '.join(node_text(a) for a in node.args)})"
    if isinstance(node, Compare):
        return f"{node_text(node.left)} {node.op} {node_text(node.right)}"
    if isinstance(node, And):
        return " and ".join(_paren(i) for i in node.items)
    if isinstance(node, Or):
        return " or ".join(_paren(i) for i in node.items)
    if isinstance(node, Not):
        return "not " + _paren(node.operand)
    if isinstance(node, Truthy):
        return node.name.name
    raise TypeError(f"not a rule-language node: {node!r}")


def _paren(node: Expr | Cond) -> str:
    text = node_text(node)
    return f"({text})" if isinstance(node, (Arith, And, Or, Compare)) else text


def mentions(statements: tuple, prefix: str) -> bool:
    """Does any name in ``statements`` start with ``prefix`` (e.g. ``sla.``)?

    Lets billing skip work whose only use is a metric no rule reads. It may
    answer yes for a string literal that looks like such a name: that only
    costs the skipped work, never a wrong figure."""
    stack: list = list(statements)
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            if node.startswith(prefix):
                return True
        elif isinstance(node, (tuple, list)):
            stack.extend(node)
        elif dataclasses.is_dataclass(node) and not isinstance(node, type):
            stack.extend(getattr(node, f.name) for f in dataclasses.fields(node)
                         if f.name != "loc")
    return False
