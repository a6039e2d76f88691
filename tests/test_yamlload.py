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


# --- differential test: the single-pass loader against the loader it replaced ---
#
# tests/_yamlload_reference.py is the composer + builder version frozen before
# the rewrite; for any text both must give the same documents (values, number
# text, key order, marks, styles, refusals) and the same diagnostics in the
# same order.

import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from hypothesis import example, given, settings, strategies as st  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _yamlload_reference as reference  # noqa: E402


def reference_bytes(raw: bytes, name: str):
    """The old loader on a file's bytes (decoding is shared, unchanged)."""
    from engine.yamlload import _decode
    text, diags = _decode(raw, name)
    return ([], diags) if text is None else reference.load_text(text, name)

REPO = Path(__file__).resolve().parent.parent
YAML_FILES = sorted(p for folder in ("tests", "contracts.d") for p in (REPO / folder).rglob("*")
                    if p.is_file() and p.suffix in (".yaml", ".yml"))


def canon(value):
    """Equality that also tells 1.0 from 1.00, True from 1 and key orders apart."""
    if isinstance(value, dict):
        return ("map", [(k, canon(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("seq", [canon(v) for v in value])
    return (type(value).__name__, str(value))


def snapshot(result):
    docs, diags = result
    return ([(d.file, d.index, canon(d.data), d.line, d.col, list(d.marks.items()),
              list(d.key_marks.items()), list(d.styles.items()), list(d.bool_words.items()),
              list(d.refused.items()), d.lines) for d in docs], list(diags))


def assert_same(text: str) -> None:
    try:
        expected = snapshot(reference.load_text(text, "f.yaml"))
    except RecursionError:
        # the old builder recursed through chains of aliases; the new one
        # does not, and only has to finish without crashing
        load_text(text, "f.yaml")
        return
    assert snapshot(load_text(text, "f.yaml")) == expected


def test_yaml_files_of_the_repo_load_as_before():
    assert len(YAML_FILES) >= 20
    for path in YAML_FILES:
        raw = path.read_bytes()
        assert snapshot(load_bytes(raw, path.name)) == snapshot(reference_bytes(raw, path.name)), path


# Fragments that reach every branch: anchors and aliases (also as keys, also
# undefined or recursive), tags, merge keys, non-text keys, duplicates, every
# number trap, block and quoted styles, several documents, syntax errors.
FRAGMENTS = (
    "a", "b", "k", "id", ": ", ":", "\n", "  ", "    ", "- ", "-", "[", "]", "{", "}", ", ", "? ",
    "&x ", "&y ", "*x", "*y", "&x [", "&y {", "!!str ", "!!int ", "!!float ", "!!bool ", "!!null ",
    "!!map ", "!!seq ", "!!binary ", "!secret ", "! ", "!!python/object:os.system ", "<<", "~",
    "null", "true", "False", "yes", "No", "on", "y", "1", "0", "-2.50", "18.10", ".5", "007", "1e3",
    "0x1F", "12_000", "1:30", ".nan", "-.inf", "+1", "'q'", '"q"', '""', "|\n  t\n", ">\n  t\n",
    "---\n", "...\n", "# c\n", "\t", "2026-01-01", "a: &x [1, 2]\n", "b: *x\n",
)


def flow(draw_depth: int = 3):
    """Flow-style YAML nodes with anchors and aliases sprinkled in."""
    name = st.sampled_from("xyz")
    scalar = st.sampled_from(["1", "2.50", "007", "yes", "~", "w", "'s'", "!!int 3", "!!int x",
                              "!no v", "!!str 4", "1e3", "<<", ""])
    leaf = st.one_of(scalar, name.map(lambda n: "*" + n))

    def grow(children):
        keys = st.sampled_from(["a", "b", "a", "1", "on", "<<", "'q'", "[k]", "*x", "!!str 5",
                                "! on", "! <<"])
        seq = st.lists(children, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]")
        mapping = st.lists(st.tuples(keys, children), max_size=4).map(
            lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}")
        tagged = st.tuples(st.sampled_from(["", "", "!!map ", "!!seq ", "!bad "]),
                           st.one_of(seq, mapping)).map("".join)
        return st.one_of(tagged, st.tuples(name, children).map(lambda t: f"&{t[0]} {t[1]}"))

    return st.recursive(leaf, grow, max_leaves=12)


def documents():
    # anchors defined up front, so most aliases resolve and get built again
    head = "d: [&x {a: 1, b: [2, !bad 3]}, &y 5, &z [k, 07]]"
    line = st.one_of(
        st.tuples(st.sampled_from(["a", "b", "c", "a", "1", "*x", "*y", "'q'"]), flow()).map(
            lambda t: f"{t[0]}: {t[1]}"),
        st.sampled_from(["? [k]\n: v", "<<: *x", "? *z\n: v", "e: *x", "f: *z"]))
    doc = st.lists(line, min_size=1, max_size=5).map(lambda ls: "\n".join([head, *ls]))
    return st.lists(doc, min_size=1, max_size=3).map(lambda ds: "\n---\n".join(ds) + "\n")


@settings(max_examples=300)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join))
@example("a: &x {k: !bad [1, 2]}\nb: [*x, *x]\n")
@example("a: &x [1]\nb: &y [*x, 2]\na2: &x 3\nc: {*y: 1, *x: 2, k: *y}\n")
@example("base: &b {x: 1}\nc:\n  <<: *b\n  1: one\n  on: x\n")
@example("! on: x\n! <<: y\n!!str 1: z\na: ! 5\n")
def test_fragment_soup_loads_as_before(text):
    assert_same(text)


@settings(max_examples=300)
@given(documents())
@example("a: &x {k: 1, k: [2, 3]}\nb: [*x, *x]\n---\nc: *x\n")
@example("a: &x [&y {q: 1}, *y]\n? *x\n: v\nb: *y\n")
def test_documents_with_aliases_load_as_before(text):
    assert_same(text)


def test_hostile_inputs_load_as_before():
    bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        bomb.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    refused = "a: &a !bad [" + ", ".join(["1"] * 2000) + "]\nb: [" + ", ".join(["*a"] * 2000) + "]\n"
    texts = ["\n".join(bomb) + "\n", refused, "a: " + "[" * 100 + "]" * 100 + "\n",
             "a: &a [1, *a]\n", "kind: A\n---\nkind: [C\n", "a: 1\n---\nb: *a\n",
             "a: " + "{k: " * (MAX_DEPTH - 1) + "1" + "}" * (MAX_DEPTH - 1) + "\n"]
    for text in texts:
        assert_same(text)


def test_a_long_chain_of_aliases_does_not_recurse():
    lines = ["a0: &a0 1"]
    for i in range(1, 40):
        lines.append(f"a{i}: &a{i} " + "[" * 60 + f"*a{i - 1}" + "]" * 60)
    docs, diags = load_text("\n".join(lines) + "\n", "f.yaml")
    assert diags == []
    value = docs[0].data["a39"]
    for _ in range(39 * 60):
        (value,) = value
    assert value == Decimal("1")
