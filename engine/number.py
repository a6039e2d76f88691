"""Exact money arithmetic.

Every amount in tenor is a ``Decimal`` built from source text. Floats are
refused outright (``FloatOperation`` is trapped in the context) so that a
binary float can never slip into an invoice unnoticed.
"""
from __future__ import annotations

import decimal
import re
from decimal import Decimal, ROUND_HALF_UP

# Enough precision for a year of a large MSP's hours times rates, with room.
CONTEXT = decimal.Context(
    prec=34,
    rounding=ROUND_HALF_UP,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow,
           decimal.FloatOperation],
)
decimal.setcontext(CONTEXT)
decimal.DefaultContext.prec = CONTEXT.prec
decimal.DefaultContext.rounding = ROUND_HALF_UP
decimal.DefaultContext.traps[decimal.FloatOperation] = True

ZERO = Decimal(0)
CENT = Decimal("0.01")
HUNDRED = Decimal(100)

# Plain decimal text: optional sign, ASCII digits, optional fraction. No
# exponents, underscores, NaN or Infinity: those are never money.
DECIMAL_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\Z")
PERCENT_RE = re.compile(r"([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))%\Z")


class NumberError(ValueError):
    """Raised when text is not a plain decimal number."""


def D(value: str | int | Decimal) -> Decimal:
    """The one way to make a Decimal from user input.

    Accepts only strings of plain decimal text, ints and Decimals; a float is
    a programming error and raises ``TypeError``.
    """
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        raise TypeError("floats are never used for money; pass the source text")
    text = value.strip()
    if not DECIMAL_RE.match(text):
        raise NumberError(f"{value!r} is not a plain decimal number")
    return Decimal(text)


def is_decimal_text(text: str) -> bool:
    return DECIMAL_RE.match(text.strip()) is not None


def parse_percent(text: str) -> Decimal | None:
    """``"10%"`` -> ``Decimal("10")``; None when the text is not a percentage."""
    m = PERCENT_RE.match(text.strip())
    return Decimal(m.group(1)) if m else None


def money(value: Decimal) -> Decimal:
    """Round to cents, half-up: the rounding of every invoice line."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(value: Decimal) -> str:
    """Canonical text for a quantity: no exponent, no trailing noise.

    ``Decimal("2.50")`` stays ``"2.50"`` (money keeps its cents); integers in
    exponent form (``1E+1``) are written out.
    """
    if value == value.to_integral_value() and value.as_tuple().exponent > 0:
        value = value.quantize(Decimal(1))
    text = format(value, "f")
    if text == "-0" or text.startswith("-0") and Decimal(text) == 0:
        text = text[1:]
    return text


def fmt_money(value: Decimal) -> str:
    """``fmt(money(value))``, memoised (see ``_memo``)."""
    return _memo(_MONEY_TEXT, _fmt_money, value)


def fmt_qty(value: Decimal) -> str:
    """Quantities print without trailing zeros (``1.50`` hours -> ``1.5``).

    Memoised (see ``_memo``): a preview prints a few hundred distinct
    quantities some hundred thousand times."""
    return _memo(_QTY_TEXT, _fmt_qty, value)


def _fmt_money(value: Decimal) -> str:
    return fmt(money(value))


def _fmt_qty(value: Decimal) -> str:
    if value == value.to_integral_value():
        return fmt(value.quantize(Decimal(1)))
    return fmt(value.normalize())


# Text by value, for formatters whose text depends on the value alone (not on its
# exponent: 1.5 and 1.50 are one key, and both print 1.5, or as cents 1.50).
_QTY_TEXT: dict[Decimal, str] = {}
_MONEY_TEXT: dict[Decimal, str] = {}
_MEMO_LIMIT = 100_000


def _memo(memo: dict[Decimal, str], make, value: Decimal) -> str:
    """``make(value)``, remembered for Decimals only: anything else (a float, an
    int) goes to ``make`` and fails there as it always did; so does a signalling
    NaN, which cannot be hashed."""
    if type(value) is not Decimal:
        return make(value)
    try:
        found = memo.get(value)
    except TypeError:       # a signalling NaN
        return make(value)
    if found is None:
        found = make(value)
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()
        memo[value] = found
    return found
