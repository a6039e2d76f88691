"""The YAML loader: exact decimals, positions, and every trap refused."""
from __future__ import annotations

from decimal import Decimal

import pytest

from engine.yamlload import MAX_DEPTH, load_bytes, load_text


def codes(diags):
    return [(d.line, d.col, d.code) for d in diags]


def test_numbers_are_exact_decimals_from_source_text():
    docs, diags = load_text("rate: 18.10\nhours: 0.1\ncount: 3\nneg: -2.50\n", "f.yaml")
    assert diags == []
    data = docs[0].data
    assert data == {"rate": Decimal("18.10"), "hours": Decimal("0.1"),
                    "count": Decimal("3"), "neg": Decimal("-2.50")}
    assert str(data["rate"]) == "18.10"  # trailing zero kept: it came from the text
    assert all(isinstance(v, Decimal) for v in data.values())


def test_dates_stay_text_and_quoted_values_stay_strings():
    docs, _ = load_text('start: 2026-01-01\nnumber: "1042"\nflag: true\nnothing: ~\n', "f.yaml")
    assert docs[0].data == {"start": "2026-01-01", "number": "1042", "flag": True, "nothing": None}


def test_every_node_has_a_line_and_column():
    text = "a:\n  b:\n    - x: 1\n    - x: 2\n"
    docs, _ = load_text(text, "f.yaml")
    doc = docs[0]
    assert doc.mark(("a", "b", 1, "x")) == (4, 10)
    assert doc.key_mark(("a", "b", 1, "x")) == (4, 7)
    assert doc.mark(("a", "b", 0)) == (3, 7)
    # an unknown deeper path falls back to the nearest ancestor
    assert doc.mark(("a", "b", 1, "x", "nope")) == (4, 10)


def test_duplicate_keys_are_errors_at_the_second_key():
    _, diags = load_text("id: a\nname: x\nid: b\n", "f.yaml")
    assert codes(diags) == [(3, 1, "duplicate-key")]
    assert "first defined at line 1" in diags[0].message


def test_yaml11_boolean_words_are_remembered_for_hints():
    docs, diags = load_text("customer: no\nauto: yes\n", "f.yaml")
    assert diags == []
    assert docs[0].data == {"customer": False, "auto": True}
    assert docs[0].bool_words == {("customer",): "no", ("auto",): "yes"}


@pytest.mark.parametrize("text,code", [
    ("a: 0777\n", "yaml-number"),
    ("a: 1e3\n", "yaml-number"),
    ("a: 12_000\n", "yaml-number"),
    ("a: .nan\n", "yaml-number"),
    ("a: 0x1F\n", "yaml-number"),
    ("a: 1:30\n", "yaml-number"),
])
def test_numbers_yaml_would_convert_silently_are_errors(text, code):
    docs, diags = load_text(text, "f.yaml")
    assert codes(diags) == [(1, 4, code)]
    assert "quote it" in diags[0].message


def test_python_tags_are_refused_and_nothing_runs(tmp_path):
    marker = tmp_path / "ran"
    text = f'a: !!python/object/apply:os.system ["touch {marker}"]\n'
    docs, diags = load_text(text, "f.yaml")
    assert codes(diags) == [(1, 4, "yaml-tag")]
    assert "!!python/object/apply:os.system" in diags[0].message
    assert not marker.exists()
    assert docs[0].data == {"a": None}


def test_custom_local_tags_are_refused():
    _, diags = load_text("a: !secret value\n", "f.yaml")
    assert codes(diags) == [(1, 4, "yaml-tag")]


def test_merge_keys_and_non_text_keys_are_refused():
    text = "base: &b {x: 1}\nc:\n  <<: *b\n  1: one\n  on: x\n"
    _, diags = load_text(text, "f.yaml")
    assert codes(diags) == [(3, 3, "yaml-merge"), (4, 3, "yaml-key"), (5, 3, "yaml-key")]


def test_deep_nesting_is_an_error_not_a_crash():
    text = "a: " + "[" * 30000 + "]" * 30000 + "\n"
    docs, diags = load_text(text, "deep.yaml")
    assert [d.code for d in diags] == ["too-deep"]
    assert diags[0].line == 1 and diags[0].col == 4 + MAX_DEPTH - 1


def test_billion_laughs_is_bounded():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    _, diags = load_text("\n".join(lines) + "\n", "bomb.yaml")
    assert [d.code for d in diags] == ["alias-bomb"]


def test_recursive_alias_is_an_error():
    _, diags = load_text("a: &a [1, *a]\n", "f.yaml")
    assert [d.code for d in diags] == ["yaml-alias"]


def test_several_documents_and_syntax_error_keeps_earlier_ones():
    docs, diags = load_text("kind: A\n---\nkind: B\n---\nkind: [C\n", "f.yaml")
    assert [d.data for d in docs] == [{"kind": "A"}, {"kind": "B"}]
    assert [d.index for d in docs] == [0, 1]
    assert diags[0].code == "yaml-syntax" and diags[0].line == 6


def test_tabs_get_a_hint():
    _, diags = load_text("a:\n\tb: 1\n", "f.yaml")
    assert diags[0].code == "yaml-syntax"
    assert "spaces" in diags[0].message


@pytest.mark.parametrize("raw,code,line,col", [
    (b"a: 1\nb: \xff\n", "not-utf8", 2, 4),
    (b"a: 1\nb: x\x00y\n", "nul-byte", 2, 5),
])
def test_bytes_that_are_not_text(raw, code, line, col):
    docs, diags = load_bytes(raw, "f.yaml")
    assert docs == []
    assert codes(diags) == [(line, col, code)]


def test_file_size_limit():
    from engine import yamlload
    raw = b"a: 1\n" * (yamlload.MAX_FILE_BYTES // 5 + 1)
    _, diags = load_bytes(raw, "big.yaml")
    assert [d.code for d in diags] == ["file-too-large"]


def test_bom_is_accepted():
    docs, diags = load_bytes("\ufeffa: 1\n".encode("utf-8"), "f.yaml")
    assert diags == [] and docs[0].data == {"a": Decimal("1")}


def test_block_scalar_origin_maps_lines_into_the_file():
    text = "id: x\npricing: |\n    discount labor by 10%\n    cap total 100\n"
    docs, _ = load_text(text, "f.yaml")
    assert docs[0].text_origin(("pricing",)) == (3, 4)
    text = 'id: x\npricing: "discount labor by 10%"\n'
    docs, _ = load_text(text, "f.yaml")
    assert docs[0].text_origin(("pricing",)) == (2, 10)
