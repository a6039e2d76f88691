"""Running one contract's rule program on its metrics and base amounts (SPEC 3 "Order").

The phases are explicit because the order is the billing contract:

1. base amounts come in (``amounts``);
2. ``charge`` statements in text order; each adds to ``total`` and its label
   becomes a target;
3. discounts, surcharges and credits in text order, each computed from the
   amounts as they stood after phase 2 (no compounding), each applied to its
   target and to ``total``;
4. ``cap`` statements, then ``minimum`` statements, each on the target's
   amount after everything before it.

``when`` blocks are decided once.  A block that contains a ``charge`` (in
either branch, at any depth) is decided during phase 2 at its place in the
text, on metrics and the amounts as they are at that point (base amounts plus
the charges above it): its charges cannot wait for a phase that needs them.
Every other block, and every trailing ``when`` of a discount or surcharge, is
decided on the amounts after phase 2.  The decision then holds for all later
phases, so a block's charge and its discount always agree.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable, Mapping, Sequence

from engine.diagnostics import Loc
from engine.number import HUNDRED, ZERO, fmt, fmt_qty, money
from engine.rules.ast import (
    Adjustment, Cap, ComputedCharge, Credit, Minimum, Statement, Target, TieredCharge, When,
    node_text,
)
from engine.rules.checks import walk_statements
from engine.rules.errors import RuleError
from engine.rules.names import AMOUNTS
from engine.rules.values import decimal_reader, eval_cond, eval_expr


@dataclass(frozen=True)
class RuleLine:
    """One invoice line produced by a rule.

    ``amount`` is rounded to cents; negative for discount, credit and cap.
    Tiered charge: quantity = the metric's value, unit_price = amount ÷
    quantity rounded to cents (an average; the description gives the bands).
    Every other kind: quantity 1 and unit_price = amount.
    """
    kind: str                 # rule_charge | discount | surcharge | credit | minimum | cap
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    target: str | None        # the amount name or charge label adjusted; None for charges
    loc: Loc


@dataclass(frozen=True)
class TraceStep:
    """One visited statement, for ``tenor explain``."""
    loc: Loc
    text: str
    fired: bool
    values: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Evaluation:
    lines: tuple[RuleLine, ...]
    trace: tuple[TraceStep, ...]


Path = tuple[int, ...]


def _has_charge(block: When) -> bool:
    return any(isinstance(s, (TieredCharge, ComputedCharge))
               for s in walk_statements(block.then + block.otherwise))


def tier_amount(tiers: Sequence, mode: str, quantity: Decimal) -> tuple[Decimal, list[str]]:
    """Exact (unrounded) amount of a tier table and the bands' description.

    Graduated: each tier prices the units in (previous bound, bound] and adds
    its flat fee when it holds any unit.  Volume: every unit at the price of
    the tier the whole quantity falls in, plus that tier's flat fee.
    """
    if quantity <= 0:
        return ZERO, []
    total = ZERO
    parts: list[str] = []
    if mode == "volume":
        for tier in tiers:
            if tier.bound is None or quantity <= tier.bound:
                total = quantity * tier.price + tier.flat
                parts.append(f"{fmt_qty(quantity)} × {fmt(tier.price)}")
                if tier.flat:
                    parts.append(f"{fmt(tier.flat)} flat")
                return total, parts
        raise RuleError(f"quantity {fmt_qty(quantity)} is above every tier and there is no "
                        "`above` tier", tiers[-1].loc if tiers else None)
    previous = ZERO
    for tier in tiers:
        upper = quantity if tier.bound is None else min(quantity, tier.bound)
        units = upper - previous
        if units > 0:
            total += units * tier.price + tier.flat
            parts.append(f"{fmt_qty(units)} × {fmt(tier.price)}")
            if tier.flat:
                parts.append(f"{fmt(tier.flat)} flat")
        if tier.bound is None or quantity <= tier.bound:
            return total, parts
        previous = tier.bound
    raise RuleError(f"quantity {fmt_qty(quantity)} is above every tier and there is no "
                    "`above` tier", tiers[-1].loc if tiers else None)


class _Run:
    """The mutable state of one evaluation; ``evaluate`` wraps it in a pure function."""

    def __init__(self, metrics: Mapping[str, Decimal], amounts: Mapping[str, Decimal]) -> None:
        self.metrics = dict(metrics)
        self.current: dict[str, Decimal] = {name: ZERO for name in AMOUNTS}
        self.current.update(amounts)
        self.labels: dict[str, Decimal] = {}
        self.snapshot: dict[str, Decimal] = {}
        self.snapshot_labels: dict[str, Decimal] = {}
        self.decisions: dict[Path, bool] = {}
        self.lines: list[RuleLine] = []
        self.trace: list[TraceStep] = []

    # reading ---------------------------------------------------------------
    def env(self, after_charges: bool) -> dict[str, Decimal]:
        values = dict(self.metrics)
        values.update(self.snapshot if after_charges else self.current)
        return values

    def target_value(self, target: Target, snapshot: bool) -> Decimal:
        if target.quoted:
            source = self.snapshot_labels if snapshot else self.labels
        else:
            source = self.snapshot if snapshot else self.current
        return source.get(target.name, ZERO)

    # writing ---------------------------------------------------------------
    def add(self, kind: str, description: str, amount: Decimal, target: Target | None,
            loc: Loc, quantity: Decimal = Decimal(1), unit_price: Decimal | None = None) -> None:
        """Record a line and move the running amounts: the target's and the total."""
        if target is not None and target.quoted:
            self.labels[target.name] = self.labels.get(target.name, ZERO) + amount
        elif target is not None and target.name != "total":
            self.current[target.name] = self.current.get(target.name, ZERO) + amount
        self.current["total"] = self.current.get("total", ZERO) + amount
        self.lines.append(RuleLine(kind, description, quantity,
                                   amount if unit_price is None else unit_price, amount,
                                   None if kind == "rule_charge" else target.name if target else None,
                                   loc))

    # phases ----------------------------------------------------------------
    def decide(self, block: When, path: Path, after_charges: bool) -> bool:
        if path not in self.decisions:
            seen: dict[str, str] = {}
            env = self.env(after_charges)
            decided = eval_cond(block.cond, decimal_reader(env, seen))
            self.decisions[path] = decided
            branch = "then" if decided else ("else" if block.otherwise else "no branch")
            self.trace.append(TraceStep(block.loc, f"when {node_text(block.cond)} -> {branch}",
                                        decided, seen))
        return self.decisions[path]

    def charges(self, statements: Sequence[Statement], path: Path) -> None:
        for i, stmt in enumerate(statements):
            here = path + (i,)
            if isinstance(stmt, TieredCharge):
                self.tiered(stmt)
            elif isinstance(stmt, ComputedCharge):
                self.computed(stmt)
            elif isinstance(stmt, When) and _has_charge(stmt):
                taken = self.decide(stmt, here, after_charges=False)
                self.charges(stmt.then if taken else stmt.otherwise, here + (0 if taken else 1,))

    def walk(self, statements: Sequence[Statement], path: Path, kinds: tuple[type, ...],
             handle: Callable[[Statement], None]) -> None:
        for i, stmt in enumerate(statements):
            here = path + (i,)
            if isinstance(stmt, When):
                taken = self.decide(stmt, here, after_charges=True)
                self.walk(stmt.then if taken else stmt.otherwise, here + (0 if taken else 1,),
                          kinds, handle)
            elif isinstance(stmt, kinds):
                handle(stmt)

    # statements ------------------------------------------------------------
    def tiered(self, stmt: TieredCharge) -> None:
        quantity = self.metrics.get(stmt.metric.name, self.current.get(stmt.metric.name, ZERO))
        values = {stmt.metric.name: fmt(quantity)}
        exact, parts = tier_amount(stmt.tiers, stmt.mode, quantity)
        amount = money(exact)
        text = f'charge "{stmt.label}" on {stmt.metric.name} {stmt.mode}'
        if amount == 0:
            self.trace.append(TraceStep(stmt.loc, f"{text}: nothing to charge", False, values))
            return
        description = (f"{stmt.label} ({stmt.mode}, {fmt_qty(quantity)} {stmt.metric.name}: "
                       f"{' + '.join(parts)})")
        self.add("rule_charge", description, amount, Target(stmt.label, True, stmt.loc),
                 stmt.loc, quantity, money(amount / quantity))
        self.trace.append(TraceStep(stmt.loc, f"{text} = {fmt(amount)}", True, values))

    def computed(self, stmt: ComputedCharge) -> None:
        seen: dict[str, str] = {}
        amount = money(eval_expr(stmt.expr, decimal_reader(self.env(False), seen)))  # type: ignore[arg-type]
        text = f'charge "{stmt.label}" = {node_text(stmt.expr)}'
        if amount == 0:
            self.trace.append(TraceStep(stmt.loc, f"{text}: 0.00, no line", False, seen))
            return
        self.add("rule_charge", stmt.label, amount, Target(stmt.label, True, stmt.loc), stmt.loc)
        self.trace.append(TraceStep(stmt.loc, f"{text} = {fmt(amount)}", True, seen))

    def adjustment(self, stmt: Statement) -> None:
        if isinstance(stmt, Credit):
            self.credit(stmt)
            return
        assert isinstance(stmt, Adjustment)
        seen: dict[str, str] = {}
        shown = f"{fmt(stmt.value)}%" if stmt.percent else fmt(money(stmt.value))
        text = f"{stmt.kind} {stmt.target} by {shown}"
        if stmt.cond is not None:
            text += f" when {node_text(stmt.cond)}"
            if not eval_cond(stmt.cond, decimal_reader(self.env(True), seen)):
                self.trace.append(TraceStep(stmt.loc, text, False, seen))
                return
        base = self.target_value(stmt.target, snapshot=True)
        seen[str(stmt.target)] = fmt(base)
        raw = money(base * stmt.value / HUNDRED) if stmt.percent else money(stmt.value)
        raw = max(raw, ZERO)
        label = "Discount" if stmt.kind == "discount" else "Surcharge"
        description = f"{label} {shown} on {stmt.target}"
        if stmt.kind == "discount":
            room = money(max(self.target_value(stmt.target, snapshot=False), ZERO))
            if raw > room:
                raw = room
                description += " (limited to the remaining amount)"
            amount = -raw
        else:
            amount = raw
        if amount == 0:
            self.trace.append(TraceStep(stmt.loc, f"{text}: nothing to adjust", False, seen))
            return
        self.add(stmt.kind, description, amount, stmt.target, stmt.loc)
        self.trace.append(TraceStep(stmt.loc, f"{text} = {fmt(amount)}", True, seen))

    def credit(self, stmt: Credit) -> None:
        count = self.metrics.get(stmt.metric.name, ZERO)
        base = self.target_value(stmt.target, snapshot=True)
        seen = {stmt.metric.name: fmt(count), str(stmt.target): fmt(base)}
        percent = max(stmt.percent * count, ZERO)
        capped = stmt.max_percent is not None and percent > stmt.max_percent
        if capped:
            percent = stmt.max_percent  # type: ignore[assignment]
        raw = max(money(base * percent / HUNDRED), ZERO)
        room = money(max(self.target_value(stmt.target, snapshot=False), ZERO))
        text = (f'credit "{stmt.label}" {fmt(stmt.percent)}% of {stmt.target} per '
                f"{stmt.metric.name}" + (f" max {fmt(stmt.max_percent)}%"
                                         if stmt.max_percent is not None else ""))
        description = (f"{stmt.label} ({fmt(stmt.percent)}% × {fmt_qty(count)} "
                       f"{stmt.metric.name}{', capped' if capped else ''} = {fmt(percent)}% "
                       f"of {stmt.target})")
        if raw > room:
            raw = room
            description += " (limited to the remaining amount)"
        if raw == 0:
            self.trace.append(TraceStep(stmt.loc, f"{text}: nothing to credit", False, seen))
            return
        self.add("credit", description, -raw, stmt.target, stmt.loc)
        self.trace.append(TraceStep(stmt.loc, f"{text} = {fmt(-raw)}", True, seen))

    def bound(self, stmt: Statement) -> None:
        assert isinstance(stmt, (Cap, Minimum))
        value = self.target_value(stmt.target, snapshot=False)
        limit = money(stmt.amount)
        seen = {str(stmt.target): fmt(value)}
        if isinstance(stmt, Cap):
            kind, text, amount = "cap", f"cap {stmt.target} {fmt(limit)}", -(value - limit)
            description = f"Cap of {fmt(limit)} on {stmt.target}: excess credited"
            fires = value > limit
        else:
            kind, text, amount = "minimum", f"minimum {stmt.target} {fmt(limit)}", limit - value
            description = f"Minimum of {fmt(limit)} on {stmt.target}: shortfall"
            fires = value < limit
        amount = money(amount)
        if not fires or amount == 0:
            self.trace.append(TraceStep(stmt.loc, f"{text}: within the limit", False, seen))
            return
        self.add(kind, description, amount, stmt.target, stmt.loc)
        self.trace.append(TraceStep(stmt.loc, f"{text} = {fmt(amount)}", True, seen))


def evaluate(statements: Sequence[Statement], metrics: Mapping[str, Decimal],
             amounts: Mapping[str, Decimal]) -> Evaluation:
    """Apply a contract's statements (its rules in order, then pricing).

    ``metrics`` are quantities and ``amounts`` the base amounts (labor,
    overage, services, device_fees, charges, total); absent names read 0.
    Lines whose amount rounds to 0.00 are not emitted (the trace still shows
    the statement, as not fired).  Raises ``RuleError`` when a statement cannot
    be computed (division by a metric that is 0).
    """
    run = _Run(metrics, amounts)
    run.charges(statements, ())
    run.snapshot = dict(run.current)
    run.snapshot_labels = dict(run.labels)
    run.walk(statements, (), (Adjustment, Credit), run.adjustment)
    run.walk(statements, (), (Cap,), run.bound)
    run.walk(statements, (), (Minimum,), run.bound)
    return Evaluation(tuple(run.lines), tuple(run.trace))
