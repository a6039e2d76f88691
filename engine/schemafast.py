"""A yes/no JSON Schema checker compiled into closures, for the common case.

Why: almost every document ``tenor validate`` reads is valid, and
jsonschema's ``iter_errors`` pays for error objects, paths and reference
lookups on every node anyway (over half of a large repository's validate
time). ``compile_validator`` turns a validator's schema into nested Python
closures that answer one question, "is this instance valid?"; only when the
answer is no does the caller run jsonschema for the located, worded errors.

The contract is one-sided: a checker must never say True where jsonschema
would report an error. Saying False for a valid instance only costs time, so
anything this module is unsure about (an exotic Python type, an equality it
cannot decide cheaply) answers False. Semantics follow jsonschema's Draft
2020-12 keyword functions: a keyword about one JSON type ignores instances of
other types, ``pattern`` uses ``re.search``, ``format`` calls the function the
validator's own format checker registered for it (remembering its answers) and
type names ask its own type checker.

The compiler knows a fixed list of keywords and raises
``UnsupportedSchema`` on any other one that is not a pure annotation, so a
schema edit that uses something new cannot silently weaken the check.
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Callable, Mapping, Sequence
from urllib.parse import unquote

try:  # jsonschema's own equality (1 != True, Decimal("1.0") == 1) and uniqueness
    from jsonschema._utils import equal as _js_equal, uniq as _js_uniq
except ImportError:  # pragma: no cover - private helpers moved: answer "not sure"
    def _js_equal(one: Any, two: Any) -> bool:
        return False

    def _js_uniq(container: Any) -> bool:
        return False

Check = Callable[[Any], bool]

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
# Keywords that never change whether an instance is valid. ``$defs`` holds
# subschemas reached only through ``$ref``; ``$id``/``$schema`` are checked
# separately (allowed at the root only, where they cannot move ``$ref`` bases).
ANNOTATIONS = frozenset({
    "$defs", "$comment", "title", "description", "examples", "default",
    "errorMessage", "patternErrorMessage", "x-hint",
})
ROOT_ONLY = frozenset({"$schema", "$id"})
KEYWORDS = frozenset({
    "type", "properties", "required", "additionalProperties", "patternProperties",
    "items", "enum", "const", "pattern", "format", "minLength", "maxLength",
    "minItems", "minimum", "exclusiveMinimum", "uniqueItems", "minProperties",
    "propertyNames", "anyOf", "allOf", "oneOf", "not", "$ref",
})
TYPE_NAMES = ("array", "boolean", "integer", "null", "number", "object", "string")

# Values of every Python type our loader (and callers building data by hand)
# produce, several per type so that a type checker whose answer depends on
# the value, not only the type, is noticed and asked every time.
_PROBES: tuple[Any, ...] = (
    None, True, False, 0, 1, -7, 10**30, Decimal("10"), Decimal("1.5"), Decimal("-0"),
    Decimal("1E+2"), "", "x", "10", [], [1], {}, {"a": 1},
)


# Remembered format answers per format keyword (see _Compiler.format): at
# most this many, of values at most this long (dates, amounts, percentages).
_FORMAT_MEMO_MAX = 4096
_FORMAT_MEMO_TEXT = 64


def _every(is_kind: Check, each: Check) -> Check:
    """``each`` holds for every member (a list's items, an object's keys) of an
    instance of the kind; other instances pass. A plain loop, not all() over a
    generator: it runs for every list item of every document."""
    def check(instance: Any) -> bool:
        if not is_kind(instance):
            return True
        for member in instance:
            if not each(member):
                return False
        return True
    return check


class UnsupportedSchema(ValueError):
    """The schema uses something this compiler does not implement."""


def _true(instance: Any) -> bool:
    return True


def _false(instance: Any) -> bool:
    return False


def type_predicate(type_checker: Any, name: str) -> Check:
    """``type_checker.is_type(v, name)`` as a predicate, fast for our value types.

    For each Python type among the probes whose answer did not depend on the
    value, the answer is tabled; any other value (a float, a subclass, a type
    whose probes disagreed) is asked of the type checker itself. jsonschema's
    checkers decide str, bool, None, int, Decimal, list and dict by type
    alone; tests compare this predicate with ``is_type`` value by value.
    """
    answers: dict[type, set[bool]] = {}
    for probe in _PROBES:
        answers.setdefault(type(probe), set()).add(bool(type_checker.is_type(probe, name)))
    yes = frozenset(t for t, seen in answers.items() if seen == {True})
    no = frozenset(t for t, seen in answers.items() if seen == {False})
    is_type = type_checker.is_type

    def check(instance: Any) -> bool:
        kind = type(instance)
        if kind in yes:
            return True
        if kind in no:
            return False
        return bool(is_type(instance, name))
    return check


class _Compiler:
    """Compiles one root schema; ``$ref`` targets are compiled once each."""

    def __init__(self, root: Any, type_checker: Any, format_checker: Any) -> None:
        self.root = root
        self.format_checker = format_checker
        self.types = {name: type_predicate(type_checker, name) for name in TYPE_NAMES}
        self.refs: dict[str, list[Check | None]] = {}

    def compile_root(self) -> Check:
        if isinstance(self.root, dict):
            dialect = self.root.get("$schema", DRAFT_2020_12)
            if dialect != DRAFT_2020_12:
                raise UnsupportedSchema(f"$schema {dialect!r}: only {DRAFT_2020_12} is compiled")
            for name in self.root.get("$defs", {}):   # every definition, used or not
                self.ref("#/$defs/" + name.replace("~", "~0").replace("/", "~1"))
        return self.subschema(self.root, root=True)

    # ------------------------------------------------------------ references
    def ref(self, ref: Any) -> Check:
        """The target's check itself, compiled once; only a reference met while
        its own target is being compiled (a recursive schema) looks the check
        up at each call, which costs a call per use."""
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise UnsupportedSchema(f"$ref {ref!r}: only local references (#/...) are compiled")
        holder = self.refs.get(ref)
        if holder is None:
            holder = self.refs[ref] = [None]
            holder[0] = self.subschema(self.resolve(ref))   # a dangling reference fails now
        compiled = holder[0]
        if compiled is not None:
            return compiled

        def check(instance: Any) -> bool:
            return holder[0](instance)  # type: ignore[misc]
        return check

    def resolve(self, ref: str) -> Any:
        node = self.root
        pointer = unquote(ref[1:])
        if pointer and not pointer.startswith("/"):
            raise UnsupportedSchema(f"$ref {ref!r}: anchors are not supported, use a JSON pointer")
        for part in pointer.split("/")[1:]:
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                raise UnsupportedSchema(f"$ref {ref!r} does not resolve")
        return node

    # ------------------------------------------------------------ schemas
    def subschema(self, schema: Any, root: bool = False) -> Check:
        if schema is True:
            return _true
        if schema is False:
            return _false
        if not isinstance(schema, dict):
            raise UnsupportedSchema(f"a schema must be a mapping or a boolean, not {schema!r}")
        for key in schema:
            if key not in KEYWORDS and key not in ANNOTATIONS and not (root and key in ROOT_ONLY):
                raise UnsupportedSchema(f"keyword {key!r} is not supported by the fast checker")
        checks: list[Check] = []
        if "type" in schema:
            checks.append(self.type_keyword(schema["type"]))
        if {"properties", "required", "additionalProperties", "patternProperties"} & set(schema):
            checks.append(self.object_keywords(schema))
        for key in ("enum", "const"):
            if key in schema:
                checks.append(self.enum_keyword([schema[key]] if key == "const" else schema[key]))
        if "$ref" in schema:
            checks.append(self.ref(schema["$ref"]))
        for key, build in (("pattern", self.pattern), ("format", self.format),
                           ("items", self.items), ("propertyNames", self.property_names),
                           ("uniqueItems", self.unique_items), ("not", self.not_)):
            if key in schema:
                checks.append(build(schema[key]))
        for key in ("minLength", "maxLength", "minItems", "minProperties"):
            if key in schema:
                checks.append(self.size(key, schema[key]))
        for key in ("minimum", "exclusiveMinimum"):
            if key in schema:
                checks.append(self.bound(key, schema[key]))
        for key in ("allOf", "anyOf", "oneOf"):
            if key in schema:
                checks.append(self.combinator(key, schema[key]))
        return _all(checks)

    def type_keyword(self, value: Any) -> Check:
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not names or \
                any(not isinstance(n, str) or n not in self.types for n in names):
            raise UnsupportedSchema(f"type {value!r}")
        preds = tuple(self.types[n] for n in names)
        if len(preds) == 1:
            return preds[0]
        return lambda instance: any(p(instance) for p in preds)

    def object_keywords(self, schema: Mapping[str, Any]) -> Check:
        """properties, required, patternProperties and additionalProperties in one pass."""
        is_object = self.types["object"]
        props = schema.get("properties", {})
        required = schema.get("required", [])
        patterns = schema.get("patternProperties", {})
        extra = schema.get("additionalProperties", True)
        if not isinstance(props, dict) or not isinstance(patterns, dict) or \
                not isinstance(required, list) or not all(isinstance(r, str) for r in required):
            raise UnsupportedSchema("properties/patternProperties/required have the wrong shape")
        prop_checks = {name: self.subschema(sub) for name, sub in props.items()}
        pattern_checks = tuple((re.compile(p), self.subschema(sub)) for p, sub in patterns.items())
        # jsonschema decides "additional" by searching all patterns joined with |
        joined = re.compile("|".join(patterns)) if patterns else None
        if isinstance(extra, dict):
            extra_check: Check | None = self.subschema(extra)
        elif extra is False:
            extra_check = _false
        elif extra is True:
            extra_check = None
        else:
            raise UnsupportedSchema(f"additionalProperties {extra!r}")
        required_keys = tuple(required)
        get = prop_checks.get

        def check(instance: Any) -> bool:
            if not is_object(instance):
                return True
            for key in required_keys:
                if key not in instance:
                    return False
            for key, value in instance.items():
                sub = get(key)
                if sub is not None:
                    if not sub(value):
                        return False
                elif extra_check is not None and (joined is None or not joined.search(key)):
                    if not extra_check(value):
                        return False
                for regex, pattern_check in pattern_checks:
                    if regex.search(key) and not pattern_check(value):
                        return False
            return True
        return check

    def enum_keyword(self, options: Any) -> Check:
        if not isinstance(options, list):
            raise UnsupportedSchema(f"enum {options!r} must be a list")
        texts = frozenset(o for o in options if type(o) is str)
        options = tuple(options)

        def check(instance: Any) -> bool:
            if type(instance) is str:
                # jsonschema's equal() compares strings with ==
                return instance in texts
            return any(_js_equal(option, instance) for option in options)
        return check

    def pattern(self, value: Any) -> Check:
        if not isinstance(value, str):
            raise UnsupportedSchema(f"pattern {value!r}")
        search = re.compile(value).search
        is_string = self.types["string"]
        return lambda instance: not is_string(instance) or search(instance) is not None

    def format(self, name: Any) -> Check:
        if not isinstance(name, str):
            raise UnsupportedSchema(f"format {name!r}")
        if self.format_checker is None:   # jsonschema asserts formats only with a checker
            return _true
        checkers = getattr(self.format_checker, "checkers", None)
        entry = checkers.get(name) if isinstance(checkers, dict) else None
        if entry is None or not isinstance(entry, tuple) or len(entry) != 2:
            conforms = self.format_checker.conforms     # unknown format, or an unknown checker
            return lambda instance: conforms(instance, name)
        # FormatChecker.conforms(instance, name) is "func(instance) is truthy and
        # raised none of ``raises``"; calling the registered function directly
        # skips the checker's lookups and its FormatError. Answers are kept per
        # text and per number: format checks are pure, and valid documents
        # repeat the same few dates and amounts thousands of times. A number is
        # keyed by its exact text (str() of a Decimal keeps sign, digits and
        # exponent: 1.0 and 1.00 are two keys), so no two values that a format
        # could tell apart share an answer.
        func, raises = entry
        texts: dict[str, bool] = {}
        numbers: dict[str, bool] = {}

        def conforms_now(instance: Any) -> bool:
            try:
                return bool(func(instance))
            except raises:
                return False

        def check(instance: Any) -> bool:
            kind = type(instance)
            if kind is str:
                memo, key = texts, instance
            elif kind is Decimal:
                memo, key = numbers, str(instance)
            else:
                return conforms_now(instance)
            if len(key) > _FORMAT_MEMO_TEXT:
                return conforms_now(instance)
            answer = memo.get(key)
            if answer is None:
                if len(memo) >= _FORMAT_MEMO_MAX:
                    memo.clear()
                answer = memo[key] = conforms_now(instance)
            return answer
        return check

    def items(self, schema: Any) -> Check:
        return _every(self.types["array"], self.subschema(schema))

    def property_names(self, schema: Any) -> Check:
        return _every(self.types["object"], self.subschema(schema))

    def unique_items(self, value: Any) -> Check:
        if not isinstance(value, bool):
            raise UnsupportedSchema(f"uniqueItems {value!r}")
        if not value:
            return _true
        is_array = self.types["array"]

        def check(instance: Any) -> bool:
            if not is_array(instance):
                return True
            if all(type(item) is str for item in instance):
                return len(set(instance)) == len(instance)
            return bool(_js_uniq(instance))
        return check

    def not_(self, schema: Any) -> Check:
        inner = self.subschema(schema)
        return lambda instance: not inner(instance)

    def size(self, key: str, limit: Any) -> Check:
        if type(limit) is not int or limit < 0:
            raise UnsupportedSchema(f"{key} {limit!r}")
        is_right_type = self.types[{"minLength": "string", "maxLength": "string",
                                    "minItems": "array", "minProperties": "object"}[key]]
        if key == "maxLength":     # len() of a str counts code points, as jsonschema does
            return lambda instance: not is_right_type(instance) or len(instance) <= limit
        return lambda instance: not is_right_type(instance) or len(instance) >= limit

    def bound(self, key: str, limit: Any) -> Check:
        if isinstance(limit, bool) or not isinstance(limit, (int, float, Decimal)):
            raise UnsupportedSchema(f"{key} {limit!r}")
        is_number = self.types["number"]
        if key == "minimum":
            return lambda instance: not is_number(instance) or not instance < limit
        return lambda instance: not is_number(instance) or not instance <= limit

    def combinator(self, key: str, schemas: Any) -> Check:
        if not isinstance(schemas, list) or not schemas:
            raise UnsupportedSchema(f"{key} must be a non-empty list")
        subs = tuple(self.subschema(s) for s in schemas)
        if key == "allOf":
            return _all(subs)
        if key == "anyOf":
            def any_of(instance: Any) -> bool:
                for sub in subs:
                    if sub(instance):
                        return True
                return False
            return any_of
        return lambda instance: sum(1 for s in subs if s(instance)) == 1


def _all(checks: Sequence[Check]) -> Check:
    if not checks:
        return _true
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda instance: first(instance) and second(instance)
    every = tuple(checks)

    def check(instance: Any) -> bool:
        for one in every:
            if not one(instance):
                return False
        return True
    return check


def compile_schema(schema: Any, type_checker: Any, format_checker: Any = None) -> Check:
    """A raw checker for ``schema``; it may raise on values jsonschema would raise on."""
    return _Compiler(schema, type_checker, format_checker).compile_root()


def compile_validator(validator: Any) -> Check:
    """A safe "certainly valid?" predicate equivalent to ``validator.is_valid``.

    Any exception inside the check answers False, so the caller's jsonschema
    run behaves (and fails) exactly as it did without the fast path.
    """
    dialect = validator.META_SCHEMA.get("$id")
    if dialect != DRAFT_2020_12:
        raise UnsupportedSchema(f"validator for {dialect!r}: only Draft 2020-12 is compiled")
    check = compile_schema(validator.schema, validator.TYPE_CHECKER, validator.format_checker)

    def certainly_valid(instance: Any) -> bool:
        try:
            return bool(check(instance))
        except Exception:  # noqa: BLE001 - unsure: let jsonschema decide and report
            return False
    return certainly_valid
