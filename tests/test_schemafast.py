"""The compiled schema check agrees with jsonschema, value for value.

Why: ``validate_document`` trusts ``engine.schemafast`` to skip jsonschema
when it says a document is valid. Saying "valid" for a document jsonschema
rejects would let a broken contract bill silently; saying "invalid" for a
valid one only costs time, but for ordinary documents it means the fast path
is dead. So every test here asserts equality with jsonschema's verdict, on
real documents (the golden cases, the sample repo, the benchmark repo when it
has been generated) and on hypothesis mutations of valid ones.
"""
from __future__ import annotations

import copy
import json
from collections import OrderedDict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

import engine.schema as schema_mod
from engine.formats import FORMAT_CHECKER, make_validator
from engine.schema import SCHEMA_FILES, certainly_valid, load_schema, validate_document, validator
from engine.schemafast import (
    TYPE_NAMES, UnsupportedSchema, compile_schema, compile_validator, type_predicate,
)
from engine.yamlload import Document, load_file

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "benchmarks" / "out" / "data" / "full-22b08b2c6034" / "contracts.d"
TYPE_CHECKER = validator("Contract").TYPE_CHECKER


def yaml_files(*folders: Path) -> list[Path]:
    return sorted(p for folder in folders if folder.is_dir() for p in folder.rglob("*")
                  if p.is_file() and p.suffix in (".yaml", ".yml"))


def schema_docs(paths: list[Path]) -> list[Document]:
    """Documents as engine/repo.py sees them: loaded, non-empty, of a schema kind."""
    docs = []
    for path in paths:
        loaded, _ = load_file(path, str(path.relative_to(REPO)))
        docs.extend(d for d in loaded if isinstance(d.data, dict)
                    and d.data.get("kind") in SCHEMA_FILES)
    return docs


@pytest.fixture(scope="module")
def raw_checks() -> dict[str, Any]:
    """The unguarded checkers: an exception inside them must fail a test, not hide."""
    return {kind: compile_schema(validator(kind).schema, TYPE_CHECKER, FORMAT_CHECKER)
            for kind in SCHEMA_FILES}


def jsonschema_ok(kind: str, data: Any) -> bool:
    return next(iter(validator(kind).iter_errors(data)), None) is None


def disagreements(docs: list[Document], raw_checks: dict[str, Any]) -> list[str]:
    out = []
    for doc in docs:
        kind = doc.data["kind"]
        fast, slow = raw_checks[kind](doc.data), jsonschema_ok(kind, doc.data)
        if fast != slow:
            out.append(f"{doc.file}#{doc.index}: fast={fast} jsonschema={slow}")
    return out


SAMPLE_FILES = yaml_files(REPO / "tests" / "cases", REPO / "examples", REPO / "contracts.d")
SAMPLE_DOCS = schema_docs(SAMPLE_FILES)
VALID_DOCS = [d for d in SAMPLE_DOCS if jsonschema_ok(d.data["kind"], d.data)]


def test_corpus_has_both_verdicts() -> None:
    """The agreement tests below mean little unless both answers occur."""
    assert len(SAMPLE_DOCS) >= 100
    assert len(VALID_DOCS) >= 80
    assert len(SAMPLE_DOCS) - len(VALID_DOCS) >= 10
    assert {d.data["kind"] for d in VALID_DOCS} == set(SCHEMA_FILES)


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_sample_documents_agree(path: Path, raw_checks: dict[str, Any]) -> None:
    assert disagreements(schema_docs([path]), raw_checks) == []


@pytest.mark.skipif(not BENCH.is_dir(), reason="benchmark data not generated")
def test_benchmark_documents_agree(raw_checks: dict[str, Any]) -> None:
    docs = schema_docs(yaml_files(BENCH))
    assert len(docs) >= 2000
    assert disagreements(docs, raw_checks) == []


def test_valid_document_skips_jsonschema(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = next(d for d in VALID_DOCS if d.data["kind"] == "Contract")
    certainly_valid("Contract")          # compiled (and cached) before the trap is set

    def trap(kind: str) -> Any:
        raise AssertionError("jsonschema consulted for a valid document")
    monkeypatch.setattr(schema_mod, "validator", trap)
    assert validate_document(doc) == []


# ---------------------------------------------------------------- mutations
def _schema_words() -> list[str]:
    """Property names and enum values of our schemas: mutations that reach
    the interesting rules (oneOf/not combinations, enums) need them."""
    words: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "properties" and isinstance(value, dict):
                    words.update(value)
                if key in ("enum", "const"):
                    words.update(v for v in (value if isinstance(value, list) else [value])
                                 if isinstance(v, str))
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
    for name in SCHEMA_FILES.values():
        walk(load_schema(name))
    return sorted(words)


WORDS = _schema_words()
ODD_TEXT = ("", " ", "2026-02-30", "2026-1-5", "20260101", "1899-12-31", "2026-01-31", "10%",
            "100%", "150%", "-5%", "7.5", "90%", "30m", "0h", "1.5d", "4 h", "08:00-18:00",
            "18:00-08:00", "24:00-25:00", "America/New_York", "Mars/Olympus", "device",
            "device:server", "device:", "user", "Acme", "acme-managed", "-bad", "x" * 101,
            "\U0001f600" * 100, "\U0001f600" * 101, "tenor/v1", "tenor/v2")
ODD_NUMBERS = tuple(Decimal(t) for t in ("0", "-0", "-1", "0.25", "0.00001", "1.5", "10",
                                         "999999999999.9999", "1000000000000", "1E+3", "2.50"))

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**13, 10**13),
    st.decimals(allow_nan=False, allow_infinity=False, min_value=-10**13, max_value=10**13,
                places=6),
    st.sampled_from(ODD_NUMBERS), st.sampled_from(ODD_TEXT), st.sampled_from(WORDS),
    st.text(max_size=8),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.sampled_from(WORDS) | st.text(max_size=5), inner, max_size=3)),
    max_leaves=6)
odd_numbers = st.sampled_from(ODD_NUMBERS) | st.decimals(
    allow_nan=False, allow_infinity=False, min_value=-10**13, max_value=10**13, places=6)
odd_texts = st.sampled_from(ODD_TEXT) | st.sampled_from(WORDS)
# "tweak" keeps a leaf's type (text stays text, a number a number), so the
# edit reaches format, pattern, enum and length checks instead of `type`.
MUTATIONS = ("delete", "add_key", "graft", "replace", "tweak", "tweak", "to_dict", "to_list",
             "duplicate_item", "empty")


def paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out.extend(paths(value, prefix + (key,)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out.extend(paths(value, prefix + (index,)))
    return out


def _get(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data


def _put(data: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    _get(data, path[:-1])[path[-1]] = value
    return data


def _mappings(node: Any) -> list[dict]:
    return [m for p in paths(node) if isinstance(m := _get(node, p), dict)]


# every mapping of the valid documents, for "graft": a key another mapping of
# the same shape has (a retainer's `amount` next to `hours`, a service's
# `quantity` next to `per`) is how exclusive alternatives get broken
CORPUS_MAPPINGS = [m for doc in VALID_DOCS for m in _mappings(doc.data)]


def _graft(node: dict, pick: int) -> None:
    offers = sorted({(k, json.dumps(v, default=str)): v for m in CORPUS_MAPPINGS
                     if len(m.keys() & node.keys()) >= min(2, len(node)) for k, v in m.items()
                     if k not in node}.items())
    if offers:
        (key, _), value = offers[pick % len(offers)]
        node[key] = copy.deepcopy(value)


def mutate(data: Any, kind: str, pick: int, key: str, value: Any, text: str,
           number: Decimal) -> Any:
    """One edit at the ``pick``-th node (modulo the node count)."""
    all_paths = paths(data)
    path = all_paths[pick % len(all_paths)]
    # aim each kind at the nodes it can edit: a leaf, a mapping, a mapping's key
    aims = {"tweak": lambda p: not isinstance(_get(data, p), (dict, list)),
            "add_key": lambda p: isinstance(_get(data, p), dict),
            "graft": lambda p: isinstance(_get(data, p), dict),
            "delete": lambda p: bool(p) and isinstance(_get(data, p[:-1]), dict)}
    if kind in aims:
        targets = [p for p in all_paths if aims[kind](p)]
        path = targets[pick % len(targets)] if targets else path
    node = _get(data, path)
    if kind == "tweak":
        if isinstance(node, bool):
            return _put(data, path, not node)
        if isinstance(node, str):
            return _put(data, path, text)
        if isinstance(node, (int, Decimal)):
            return _put(data, path, number)
    if kind == "delete" and path:
        parent = _get(data, path[:-1])
        del parent[path[-1]]
        return data
    if kind == "add_key" and isinstance(node, dict):
        node[key] = value
        return data
    if kind == "graft" and isinstance(node, dict):
        _graft(node, pick)
        return data
    if kind == "to_dict" and isinstance(node, list):
        return _put(data, path, {str(i): item for i, item in enumerate(node)})
    if kind == "to_list" and isinstance(node, dict):
        return _put(data, path, list(node.values()))
    if kind == "duplicate_item" and isinstance(node, list) and node:
        node.append(copy.deepcopy(node[pick % len(node)]))
        return data
    if kind == "empty" and isinstance(node, (list, dict, str)):
        return _put(data, path, type(node)())
    return _put(data, path, value)           # "replace", and the fallback for the others


mutation = st.tuples(st.sampled_from(MUTATIONS), st.integers(0, 1 << 16),
                     st.sampled_from(WORDS) | st.text(max_size=6), values, odd_texts, odd_numbers)


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(index=st.integers(0, 1 << 16), edits=st.lists(mutation, min_size=1, max_size=2))
def test_mutated_documents_agree(index: int, edits: list, raw_checks: dict[str, Any]) -> None:
    doc = VALID_DOCS[index % len(VALID_DOCS)]
    kind = doc.data["kind"]
    data = copy.deepcopy(doc.data)
    for edit in edits:
        data = mutate(data, *edit)
    assert raw_checks[kind](data) == jsonschema_ok(kind, data), data


@pytest.mark.parametrize("edit", [
    ("delete", ("customer",)),
    ("set", ("type",), "bogus"),
    ("set", ("start",), "2026-02-30"),
    ("set", ("id",), Decimal("12")),
    ("set", ("default",), "yes"),
    ("set", ("surprise",), "x"),
])
def test_known_bad_edits_are_invalid(edit: tuple, raw_checks: dict[str, Any]) -> None:
    """The fast check can say no: each edit breaks a valid contract."""
    doc = next(d for d in VALID_DOCS if d.data["kind"] == "Contract")
    data = copy.deepcopy(doc.data)
    assert raw_checks["Contract"](data) is True
    if edit[0] == "delete":
        del data[edit[1][0]]
    else:
        data[edit[1][0]] = edit[2]
    assert raw_checks["Contract"](data) is False
    assert not jsonschema_ok("Contract", data)


def test_combinators_in_real_schema(raw_checks: dict[str, Any]) -> None:
    """oneOf (retainer hours xor amount) and not (quantity with per) both bite."""
    base = {"apiVersion": "tenor/v1", "kind": "Contract", "id": "c", "customer": "a",
            "type": "retainer", "status": "active", "start": "2026-01-01", "end": "2026-12-31"}
    retainer = {"fee": Decimal("100"), "unused": "forfeit"}
    service = {"id": "s", "name": "S", "price": Decimal("1")}
    cases = [
        ({**base, "retainer": {**retainer, "hours": Decimal("5")}}, True),
        ({**base, "retainer": {**retainer, "hours": Decimal("5"), "amount": Decimal("5")}}, False),
        ({**base, "retainer": retainer}, False),
        ({**base, "services": [{**service, "per": "device"}]}, True),
        ({**base, "services": [{**service, "per": "device", "quantity": Decimal("2")}]}, False),
    ]
    for data, expected in cases:
        assert raw_checks["Contract"](data) is expected, data
        assert jsonschema_ok("Contract", data) is expected, data


# ---------------------------------------------------------------- keywords
PROBES: list[Any] = [None, True, False, 0, 1, -3, 10**40, 1.0, 1.5, -0.0, float("inf"),
                     Decimal("10"), Decimal("1.0"), Decimal("-2.5"), Decimal("1E+2"), "", "a",
                     [], [1], (), {}, {"a": 1}, OrderedDict(a=1), b"x", object()]


@pytest.mark.parametrize("name", TYPE_NAMES)
def test_type_predicates_match_the_type_checker(name: str) -> None:
    check = type_predicate(TYPE_CHECKER, name)
    for value in PROBES:
        assert check(value) == TYPE_CHECKER.is_type(value, name), (name, value)


def test_integer_rejects_decimal_like_jsonschema() -> None:
    """Why tenor's schemas say number + format count (see engine/formats.py)."""
    assert type_predicate(TYPE_CHECKER, "integer")(Decimal("10")) is False
    assert type_predicate(TYPE_CHECKER, "number")(Decimal("10")) is True
    assert type_predicate(TYPE_CHECKER, "number")(True) is False


TOY_SCHEMAS: list[dict] = [
    {"enum": [1, "a", None, [1], {"k": Decimal("2")}]},
    {"const": 0},
    {"const": False},
    {"type": ["integer", "null"], "minimum": 2},
    {"type": "number", "exclusiveMinimum": 1},  # float limits trip FloatOperation
    {"type": "string", "minLength": 2, "maxLength": 3, "pattern": "b"},
    {"minItems": 2, "uniqueItems": True},
    {"minProperties": 1, "propertyNames": {"pattern": "^[a-z]+$"}},
    {"patternProperties": {"^x-": {"type": "string"}, "n$": {"type": "number"}},
     "properties": {"name": {"type": "string"}}, "additionalProperties": False},
    {"additionalProperties": {"type": "boolean"}, "required": ["ok"]},
    {"items": False},
    {"items": {"format": "date"}},
    {"anyOf": [{"type": "string"}, {"minimum": 5}]},
    {"oneOf": [{"type": "number"}, {"minimum": 5}]},
    {"allOf": [{"not": {"type": "null"}}, {"not": {"required": ["a", "b"]}}]},
    {"$defs": {"tree": {"type": "object", "additionalProperties": False,
                        "properties": {"kids": {"type": "array", "items": {"$ref": "#/$defs/tree"}},
                                       "n": {"$ref": "#/$defs/n~1m"}}},
               "n/m": {"type": "number", "format": "count"}},
     "$ref": "#/$defs/tree"},
    True,
    False,
]

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10, 10),
              st.decimals(allow_nan=False, allow_infinity=False, min_value=-10, max_value=10,
                          places=2),
              st.sampled_from(["", "a", "ab", "abc", "abcd", "b", "x-", "ok", "n", "2026-01-31",
                               "2026-02-30", "\U0001f600\U0001f600"])),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(["a", "b", "ok", "name", "x-1",
                                                             "len", "kids", "n", "k", "A"]),
                                            inner, max_size=4)),
    max_leaves=10)


TOY_CHECKS = [(schema, compile_schema(schema, TYPE_CHECKER, FORMAT_CHECKER), make_validator(schema))
              for schema in TOY_SCHEMAS]


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(value=json_values)
def test_each_keyword_agrees(value: Any) -> None:
    """Every drawn value against every toy schema: one draw, many verdicts."""
    wrong = [schema for schema, check, reference in TOY_CHECKS
             if check(value) != reference.is_valid(value)]
    assert wrong == [], value


def test_toy_schemas_see_both_verdicts() -> None:
    """Hand-picked values on each side, so the property test above is not vacuous."""
    sides = [
        ({"enum": [1]}, [Decimal("1.0"), 1], [True, "1"]),
        ({"const": False}, [False], [0, None]),
        ({"maxLength": 2}, ["\U0001f600\U0001f600", 5], ["abc"]),
        ({"uniqueItems": True}, [[1, True], ["a", "b"]], [[1, Decimal("1.0")], ["a", "a"]]),
        (TOY_SCHEMAS[8], [{"x-a": "s", "len": 1, "name": "n"}], [{"x-a": 1}, {"other": 1}]),
        (TOY_SCHEMAS[15], [{"kids": [{"kids": []}, {"n": Decimal("3")}]}],
         [{"kids": [{"kids": [{"n": Decimal("1.5")}]}]}, {"kids": [{"x": 1}]}]),
    ]
    for schema, good, bad in sides:
        check = compile_schema(schema, TYPE_CHECKER, FORMAT_CHECKER)
        for value in good:
            assert check(value) is True and make_validator(schema).is_valid(value), value
        for value in bad:
            assert check(value) is False and not make_validator(schema).is_valid(value), value


# ---------------------------------------------------------------- compiler
@pytest.mark.parametrize("schema", [
    {"type": "array", "maxItems": 3},
    {"properties": {"a": {"contains": {"type": "string"}}}},
    {"items": {"prefixItems": [{}]}},
    {"$defs": {"x": {"dependentRequired": {}}}},           # even when nothing refers to it
    {"$ref": "other.schema.json#/$defs/x"},
    {"$ref": "#/$defs/missing"},
    {"properties": {"a": {"$id": "https://elsewhere/", "type": "string"}}},
    {"$schema": "http://json-schema.org/draft-07/schema#"},
    {"type": "decimal"},
])
def test_compiler_rejects_what_it_does_not_implement(schema: dict) -> None:
    with pytest.raises(UnsupportedSchema):
        compile_schema(schema, TYPE_CHECKER, FORMAT_CHECKER)


def test_annotations_are_accepted() -> None:
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://x/y",
              "title": "t", "description": "d", "examples": [1], "default": 1,
              "errorMessage": "e", "patternErrorMessage": "p", "x-hint": "h",
              "type": "string"}
    check = compile_schema(schema, TYPE_CHECKER, FORMAT_CHECKER)
    assert check("s") is True and check(1) is False


def test_every_shipped_schema_compiles() -> None:
    """Including the profile and preview schemas that do not use the hook yet."""
    for path in sorted((REPO / "schemas").glob("*.schema.json")):
        compile_validator(make_validator(json.loads(path.read_text(encoding="utf-8"))))


def test_guarded_check_answers_false_on_exceptions() -> None:
    """A value jsonschema itself would choke on goes to jsonschema, not through."""
    check = compile_validator(make_validator({"minimum": 1}))
    assert check(Decimal("2")) is True
    assert check(Decimal("NaN")) is False        # comparing a NaN Decimal raises
