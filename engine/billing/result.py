"""What a preview produces: invoice lines, balances, held rows, dispositions."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..diagnostics import Loc

# The order lines appear in on an invoice, within a contract.
KIND_ORDER = ("service", "fixed", "retainer_fee", "block_purchase", "labor", "overage",
              "ticket", "device", "charge", "rule_charge", "discount", "surcharge", "credit",
              "cap", "minimum")
DISPOSITIONS = ("billed", "covered", "drawn", "non_billable", "other_period", "held")


@dataclass(frozen=True)
class Line:
    contract: str | None
    kind: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    sources: tuple[str, ...] = ()
    # how the line was computed, for `tenor explain` (not in the JSON)
    explain: tuple[str, ...] = field(default=(), compare=False)
    loc: Loc | None = field(default=None, compare=False)
    customer: str = ""   # set for lines with no contract in place
    # the days whose service this line pays for (services), for revenue recognition
    spread: tuple | None = field(default=None, compare=False)

    def sort_key(self) -> tuple:
        return (self.contract or "", KIND_ORDER.index(self.kind), self.description,
                self.unit_price, self.sources)


@dataclass(frozen=True)
class Warning:
    code: str
    contract: str | None
    severity: str
    message: str
    customer: str = ""   # set when there is no contract


@dataclass(frozen=True)
class Held:
    file: str
    row: int
    id: str | None
    reason: str
    kind: str            # time_entries | charges
    message: str = ""
    customer: str | None = None
    contract: str | None = None


@dataclass
class Balance:
    contract: str
    unit: str            # "hours", "tickets" or a currency code for money retainers
    opening: Decimal = Decimal(0)
    added: Decimal = Decimal(0)
    used: Decimal = Decimal(0)
    forfeited: Decimal = Decimal(0)
    closing: Decimal = Decimal(0)
    movements: list[str] = field(default_factory=list)   # for explain
    # structured movements in the month and the lots they touch, for revenue recognition
    events: list[tuple] = field(default_factory=list)     # (day, kind, amount, lot key)
    lots: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)


@dataclass
class Invoice:
    customer: str
    currency: str
    lines: list[Line] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))


@dataclass
class ContractReport:
    """Per-contract facts for explain and the fixed-price report."""
    contract: str
    metrics: dict[str, Decimal] = field(default_factory=dict)
    amounts: dict[str, Decimal] = field(default_factory=dict)
    trace: list = field(default_factory=list)
    # strings, or zero-argument callables that make one (formatted only when shown)
    notes: list = field(default_factory=list)

    def note_texts(self) -> list[str]:
        return [n() if callable(n) else n for n in self.notes]


@dataclass
class Preview:
    start: str
    end: str
    invoices: list[Invoice]
    balances: list[Balance]
    held: list[Held]
    dispositions: dict[str, dict[str, int]]
    reports: dict[str, ContractReport] = field(default_factory=dict)
    fixed_price: list[dict] = field(default_factory=list)
    # disposition counts by (kind, customer, contract, disposition)
    rows: dict = field(default_factory=dict, repr=False)
