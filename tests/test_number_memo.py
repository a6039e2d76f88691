"""fmt_qty and fmt_money remember their text per value (engine.number._memo):
the remembered text must be what the plain formatter gives, whatever order
values come in (1.5 and 1.50, 0 and -0 are one key and must print alike)."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from engine import number
from engine.number import _fmt_money, _fmt_qty, fmt_money, fmt_qty

decimals = st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"),
                       allow_nan=False, allow_infinity=False, places=None)
scaled = st.builds(lambda d, e: d.scaleb(e) if d.adjusted() + e < 12 else d,
                   decimals, st.integers(min_value=-6, max_value=3))


@given(st.lists(scaled, max_size=30))
def test_remembered_text_is_the_plain_text_in_any_order(values):
    number._QTY_TEXT.clear()
    number._MONEY_TEXT.clear()
    for v in values + list(reversed(values)):
        assert fmt_qty(v) == _fmt_qty(v)
        assert fmt_money(v) == _fmt_money(v)


@pytest.mark.parametrize("first, second", [("1.5", "1.50"), ("1.50", "1.5"), ("-0", "0"),
                                           ("0.00", "-0"), ("2", "2.000"), ("1E+2", "100")])
def test_equal_values_written_differently_print_alike(first, second):
    number._QTY_TEXT.clear()
    number._MONEY_TEXT.clear()
    a, b = Decimal(first), Decimal(second)
    assert (fmt_qty(a), fmt_money(a)) == (_fmt_qty(a), _fmt_money(a))
    assert (fmt_qty(b), fmt_money(b)) == (_fmt_qty(b), _fmt_money(b))


@pytest.mark.parametrize("value", [1.5, 2])
def test_a_float_or_int_is_refused_as_before(value):
    for memoised, plain in ((fmt_qty, _fmt_qty), (fmt_money, _fmt_money)):
        with pytest.raises(Exception) as got:
            memoised(value)
        with pytest.raises(type(got.value)):
            plain(value)
    assert value not in number._QTY_TEXT and value not in number._MONEY_TEXT
