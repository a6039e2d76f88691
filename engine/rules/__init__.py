"""The tenor rule language (SPEC section 3): parse, check, evaluate.

Three separate steps so that ``tenor validate`` can report every problem
without computing anything, and billing can evaluate a program that is
known to be well formed:

* ``parse_rules_file`` / ``parse_pricing`` / ``parse_condition`` turn text into
  frozen AST nodes (``engine.rules.ast``) plus diagnostics;
* ``check_program`` finds static problems (unknown names, tier tables, ...);
* ``evaluate`` applies a program to one contract's metrics and amounts, and
  ``eval_condition`` evaluates a ``tenor contracts --where`` condition.
"""
from __future__ import annotations

from engine.rules.ast import Cond, Rule, Statement
from engine.rules.checks import check_program
from engine.rules.errors import RuleError
from engine.rules.evaluate import Evaluation, RuleLine, TraceStep, evaluate
from engine.rules.names import AMOUNTS, QUANTITY_METRICS
from engine.rules.parser import parse_condition, parse_pricing, parse_rules_file
from engine.rules.values import eval_condition

__all__ = [
    "AMOUNTS", "QUANTITY_METRICS", "Cond", "Evaluation", "Rule", "RuleError", "RuleLine",
    "Statement", "TraceStep", "check_program", "eval_condition", "evaluate",
    "parse_condition", "parse_pricing", "parse_rules_file",
]
