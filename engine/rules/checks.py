"""Static checks over all statements of one contract (its rules, then pricing).

Run at ``tenor validate`` time so that a typo in a metric or a tier table that
does not increase fails CI instead of producing a wrong invoice.  The checker
never evaluates anything; it only reads the AST.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Iterable, Iterator, Sequence

from engine.diagnostics import ERROR, Diagnostic, Loc, did_you_mean
from engine.number import HUNDRED, ZERO, fmt
from engine.rules.ast import (
    Adjustment, And, Arith, BoolLit, Call, Cap, Compare, ComputedCharge, Cond, Credit,
    DateLit, Expr, Minimum, Name, Neg, Not, Num, Or, Statement, Str, Target,
    TieredCharge, Truthy, When,
)
from engine.rules.names import AMOUNTS, PRIORITIES, QUANTITY_METRICS, Vocabulary


def _diag(loc: Loc, code: str, message: str) -> Diagnostic:
    return Diagnostic(loc.file, loc.line, loc.col, code, ERROR, message)


def walk_statements(statements: Sequence[Statement]) -> Iterator[Statement]:
    """Every statement, nested ones included, in text order (iteratively)."""
    stack: list[Statement] = list(reversed(statements))
    while stack:
        stmt = stack.pop()
        yield stmt
        if isinstance(stmt, When):
            stack.extend(reversed(stmt.then + stmt.otherwise))


def walk_nodes(root: Expr | Cond) -> Iterator[Expr | Cond]:
    """Every expression/condition node under ``root`` (iteratively)."""
    stack: list[Expr | Cond] = [root]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, Arith):
            stack.extend(item for _, item in reversed(node.rest))
            stack.append(node.first)
        elif isinstance(node, (Neg, Not)):
            stack.append(node.operand)
        elif isinstance(node, Call):
            stack.extend(reversed(node.args))
        elif isinstance(node, Compare):
            stack.extend((node.right, node.left))
        elif isinstance(node, (And, Or)):
            stack.extend(reversed(node.items))
        elif isinstance(node, Truthy):
            stack.append(node.name)


def charge_labels(statements: Sequence[Statement]) -> list[str]:
    return [s.label for s in walk_statements(statements)
            if isinstance(s, (TieredCharge, ComputedCharge))]


def check_program(statements: Sequence[Statement], *, work_types: Iterable[str] = (),
                  device_types: Iterable[str] = (),
                  priorities: Iterable[str] = PRIORITIES) -> list[Diagnostic]:
    """All static problems of one contract's program, in source order per statement."""
    vocab = Vocabulary(work_types, device_types, priorities)
    labels = charge_labels(statements)
    diags: list[Diagnostic] = []
    for stmt in walk_statements(statements):
        if isinstance(stmt, TieredCharge):
            diags += _check_name(stmt.metric, vocab)
            diags += _check_tiers(stmt)
        elif isinstance(stmt, ComputedCharge):
            diags += _check_tree(stmt.expr, vocab)
        elif isinstance(stmt, Adjustment):
            diags += _check_target(stmt.target, labels, stmt.kind)
            if stmt.kind == "discount" and stmt.percent and stmt.value > HUNDRED:
                diags.append(_diag(stmt.value_loc, "rule-percent",
                                   f"a discount of {fmt(stmt.value)}% is over 100%; a discount "
                                   "can at most remove the whole amount (use 100% or less)"))
            if stmt.cond is not None:
                diags += _check_tree(stmt.cond, vocab)
        elif isinstance(stmt, Credit):
            diags += _check_target(stmt.target, labels, "credit")
            diags += _check_name(stmt.metric, vocab)
            if stmt.max_percent is not None and stmt.max_percent > HUNDRED:
                diags.append(_diag(stmt.loc, "rule-percent",
                                   f"a credit capped at {fmt(stmt.max_percent)}% can exceed the "
                                   "whole amount; use `max 100%` or less"))
        elif isinstance(stmt, (Minimum, Cap)):
            diags += _check_target(stmt.target, labels,
                                   "minimum" if isinstance(stmt, Minimum) else "cap")
        elif isinstance(stmt, When):
            diags += _check_tree(stmt.cond, vocab)
    return diags


def _check_name(name: Name, vocab: Vocabulary) -> list[Diagnostic]:
    if vocab.is_known(name.name):
        return []
    return [_diag(name.loc, "rule-unknown-metric",
                  f"unknown metric '{name.name}' (metrics are {', '.join(QUANTITY_METRICS)}, "
                  f"hours.WORK_TYPE, devices.TYPE, tickets.PRIORITY and the amounts "
                  f"{', '.join(AMOUNTS)}){did_you_mean(name.name, vocab.suggestions())}")]


def _check_target(target: Target, labels: list[str], what: str) -> list[Diagnostic]:
    if target.quoted:
        if target.name in labels:
            return []
        hint = did_you_mean(target.name, labels)
        return [_diag(target.loc, "rule-unknown-target",
                      f"no charge is labelled \"{target.name}\": a quoted {what} target must "
                      f"be the label of a `charge` of this contract{hint}")]
    if target.name in AMOUNTS:
        return []
    if target.name in QUANTITY_METRICS or "." in target.name:
        reason = f"'{target.name}' is a quantity, not an amount"
    else:
        reason = f"unknown target '{target.name}'"
    return [_diag(target.loc, "rule-unknown-target",
                  f"{reason}: a {what} applies to one of {', '.join(AMOUNTS)} or a quoted "
                  f"charge label{did_you_mean(target.name, list(AMOUNTS) + labels)}")]


def _check_tiers(stmt: TieredCharge) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    previous: Decimal = ZERO
    last = len(stmt.tiers) - 1
    for i, tier in enumerate(stmt.tiers):
        if tier.bound is None:
            if i != last:
                diags.append(_diag(tier.loc, "rule-tier-order",
                                   "`above` must be the last tier; move it after the `up to` "
                                   "tiers"))
            continue
        if tier.bound <= previous:
            after = f"the previous bound {fmt(previous)}" if i else "0"
            diags.append(_diag(tier.loc, "rule-tier-order",
                               f"tier bound {fmt(tier.bound)} is not above {after}; bounds must "
                               "strictly increase from one tier to the next"))
        previous = max(previous, tier.bound)
    if stmt.tiers[-1].bound is not None:
        diags.append(_diag(stmt.tiers[-1].loc, "rule-tier-above",
                           f"charge \"{stmt.label}\" has no `above` tier, so units over "
                           f"{fmt(previous)} would not be priced; end the tiers with "
                           "`above at PRICE`"))
    return diags


def _check_tree(root: Expr | Cond, vocab: Vocabulary) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    for node in walk_nodes(root):
        if isinstance(node, Name):
            diags += _check_name(node, vocab)
        elif isinstance(node, Truthy):
            diags.append(_diag(node.loc, "rule-type",
                               f"'{node.name.name}' is a number, not a condition; compare it, "
                               f"e.g. `{node.name.name} > 0`"))
        elif isinstance(node, (Str, DateLit, BoolLit)):
            diags.append(_diag(node.loc, "rule-type",
                               "pricing rules work on numbers; string, date and true/false "
                               "literals are only for `tenor contracts --where`"))
        elif isinstance(node, Arith):
            for op, item in node.rest:
                if op == "/" and _is_literal_zero(item):
                    diags.append(_diag(item.loc, "rule-div-zero",
                                       "division by zero; divide by a non-zero number"))
    return diags


def _is_literal_zero(node: Expr) -> bool:
    while isinstance(node, Neg):
        node = node.operand
    return isinstance(node, Num) and node.value == 0
