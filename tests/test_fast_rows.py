"""The loader's plain-line fast path reads exactly what csv.reader reads.

``engine.activity.loader._FastRows`` splits lines without quotes at commas and
hands every other line to a real csv.reader. These tests compare it with
``csv.reader(strict=True)`` record by record, line numbers and errors included,
on hand-picked awkward inputs and on generated ones.
"""
from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, strategies as st

from engine.activity.loader import _csv_rows, _FastRows


def via_csv(text: str):
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    out = []
    try:
        for row in _csv_rows(reader):
            out.append(row)
    except csv.Error:
        return out, ("error", reader.line_num)
    return out, None


def via_fast(text: str):
    fast = _FastRows(io.StringIO(text, newline=""), 0)
    out = []
    try:
        for row in fast.rows():
            out.append(row)
    except csv.Error:
        return out, ("error", fast.line)
    return out, None


CASES = [
    "",
    "a,b,c\n",
    "a,b,c",
    "a,b\r\nc,d\r\n",
    "a,b\rc,d\r",
    "\n\n,\n , \n",
    'id,desc\n1,"x, y"\n2,plain\n',
    'id,desc\n1,"two\nlines"\n2,after\n',
    'id,desc\n1,"two\r\nlines, and ""quotes"""\r\n2,after\r\n',
    'a,"unterminated\nb,c\n',
    'a,b"c,d\n',
    'a,"b"c,d\n',
    "a,\x00,b\n",
    'a,b\r\r\nc\n',
    '"",""\n,\n',
    "x" * (csv.field_size_limit() + 5) + "\n",
]


@pytest.mark.parametrize("text", CASES)
def test_awkward_inputs_read_as_csv_reads_them(text: str) -> None:
    assert via_fast(text) == via_csv(text)


@given(st.text(alphabet=st.sampled_from(list('ab ,"\n\r\x00')), max_size=60))
def test_any_text_reads_as_csv_reads_it(text: str) -> None:
    assert via_fast(text) == via_csv(text)


cell = st.one_of(st.text(alphabet=st.sampled_from(list("abc 1.5-")), max_size=6),
                 st.text(alphabet=st.sampled_from(list('ab ,"\n\r')), max_size=8))


@given(st.lists(st.lists(cell, min_size=1, max_size=5), max_size=8),
       st.sampled_from(["\n", "\r\n", "\r"]))
def test_written_files_read_back_the_same(rows: list, newline: str) -> None:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator=newline).writerows(rows)
    text = buf.getvalue()
    assert via_fast(text) == via_csv(text)
