"""Applying a contract's rules (SPEC 3) to its base invoice lines."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Sequence

from ..model import Contract
from ..number import ZERO, money
from ..repo import Repo
from .result import Line, Warning

# Which base line kinds feed which rule-language amount.
AMOUNT_OF_KIND = {"labor": "labor", "overage": "overage", "service": "services",
                  "device": "device_fees", "charge": "charges"}


@dataclass
class RulesReport:
    amounts: dict[str, Decimal] = field(default_factory=dict)
    trace: list = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)


def base_amounts(lines: Sequence[Line]) -> dict[str, Decimal]:
    amounts = {name: ZERO for name in ("labor", "overage", "services", "device_fees",
                                       "charges", "total")}
    for line in lines:
        name = AMOUNT_OF_KIND.get(line.kind)
        if name:
            amounts[name] += line.amount
        amounts["total"] += line.amount
    return amounts


def program(repo: Repo, contract: Contract) -> tuple:
    from ..checks import contract_program
    return contract_program(repo, contract)[0]


def apply_rules(repo: Repo, contract: Contract, base: Sequence[Line],
                metrics: dict[str, Decimal]) -> tuple[list[Line], RulesReport]:
    from ..rules import RuleError, evaluate

    report = RulesReport(amounts=base_amounts(base))
    statements = program(repo, contract)
    if not statements:
        return [], report
    try:
        result = evaluate(statements, metrics, report.amounts)
    except (RuleError, ArithmeticError) as exc:
        report.warnings.append(Warning("rule_error", contract.id, "error",
                                       f"a pricing rule could not be computed: {exc}"))
        return [], report
    report.trace = list(result.trace)
    lines = []
    for r in result.lines:
        quantity, unit = r.quantity, r.unit_price
        if money(quantity * unit) != r.amount:
            # a tier average that is not a whole number of cents: show the line as
            # 1 x amount so quantity x unit price always equals the amount (SPEC 5.9)
            quantity, unit = Decimal(1), r.amount
        lines.append(Line(contract=contract.id, kind=r.kind, description=r.description,
                          quantity=quantity, unit_price=unit, amount=r.amount,
                          explain=(f"{r.kind} from the rule at {r.loc}",), loc=r.loc))
    return lines, report
