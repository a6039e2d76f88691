"""JSON Schema validation whose errors point at YAML lines.

The schemas ship inside the package (``engine.schemas``), so ``tenor
validate`` run in CI always uses the installed tool's schemas, never files
from the revision under review. Each validator is compiled once.

jsonschema reports a path into the instance (``['labor', 'rates', 2]``); the
loader recorded a ``(line, column)`` for every such path, so every schema
error lands on the exact node. Messages are rewritten for a billing person:
what is wrong, and the fix.
"""
from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterable

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from .diagnostics import ERROR, Diagnostic, did_you_mean
from .formats import FORMAT_CHECKER, friendly_message
from .schemafast import compile_validator
from .yamlload import Document

SCHEMA_FILES = {
    "RateCard": "ratecard.schema.json",
    "Catalog": "catalog.schema.json",
    "SLA": "sla.schema.json",
    "Contract": "contract.schema.json",
}
API_VERSION = "tenor/v1"


def schema_dir() -> Path:
    """Where the installed package keeps its schemas (source tree as fallback)."""
    try:
        base = resources.files("engine.schemas")
        path = Path(str(base))
        if (path / "contract.schema.json").is_file():
            return path
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parent.parent / "schemas"


@cache
def load_schema(name: str) -> dict:
    with open(schema_dir() / name, encoding="utf-8") as handle:
        return json.load(handle)


@cache
def validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(load_schema(SCHEMA_FILES[kind]), format_checker=FORMAT_CHECKER)


@cache
def certainly_valid(kind: str) -> Callable[[Any], bool]:
    """The compiled yes/no check (engine.schemafast): valid documents, nearly
    all of them, skip jsonschema; any other answer falls back to it."""
    return compile_validator(validator(kind))


def describe_path(path: Iterable[Any]) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text or "document"


def validate_document(doc: Document) -> list[Diagnostic]:
    """Schema problems of one document, each at its node's line and column."""
    data = doc.data
    file = doc.file
    if not isinstance(data, dict):
        return [Diagnostic(file, doc.line, doc.col, "not-a-mapping", ERROR,
                           "a document must be a mapping with apiVersion, kind and id "
                           "(see schemas/ for the fields of each kind)")]
    kind = data.get("kind")
    if kind not in SCHEMA_FILES:
        line, col = doc.mark(("kind",)) if "kind" in data else (doc.line, doc.col)
        if kind is None:
            message = "document has no 'kind'; add kind: " + " | ".join(SCHEMA_FILES)
        else:
            message = (f"unknown kind {kind!r}{did_you_mean(str(kind), SCHEMA_FILES)}; "
                       f"kinds are {', '.join(SCHEMA_FILES)}")
        return [Diagnostic(file, line, col, "unknown-kind", ERROR, message)]
    if certainly_valid(kind)(data):
        return []
    diags = [_diagnostic(doc, error) for error in validator(kind).iter_errors(data)]
    out: list[Diagnostic] = []
    for group in diags:
        out.extend(group)
    return sorted(set(out))


def _where(doc: Document, path: tuple) -> str:
    """How a message names the place: the dotted path, or the document's kind
    at the top level ("unknown key 'nmae' in Contract" reads better than
    "in document")."""
    if not path and isinstance(doc.data, dict) and isinstance(doc.data.get("kind"), str):
        return str(doc.data["kind"])
    return describe_path(path)


def _diagnostic(doc: Document, error: ValidationError) -> list[Diagnostic]:
    if error.validator not in ("additionalProperties", "required", "type"):
        friendly = friendly_message(error)
        if friendly:
            path = tuple(error.absolute_path)
            line, col = (doc.key_mark(path) if isinstance(error.instance, dict)
                         else doc.mark(path))
            return [Diagnostic(doc.file, line, col, "bad-value", ERROR,
                               f"{_where(doc, path)}: {friendly}")]
    if error.validator in ("anyOf", "oneOf") and error.context:
        deepest = best_match(error.context)
        return _diagnostic(doc, deepest)
    path = tuple(error.absolute_path)
    where = _where(doc, path)
    keyword = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    value = error.instance
    hint = schema.get("x-hint")

    def at(p: tuple, message: str, code: str = "schema", key: bool = False) -> Diagnostic:
        # A problem with a whole mapping (a missing key, a forbidden combination)
        # points at the key that names it: a block mapping's own position is its
        # first child's line, which would blame an innocent key.
        key = key or (isinstance(value, dict) and p == path)
        line, col = doc.key_mark(p) if key else doc.mark(p)
        if hint and not message.endswith(hint):
            message = f"{message}; {hint}"
        return Diagnostic(doc.file, line, col, code, ERROR, message)

    if keyword == "additionalProperties" and isinstance(value, dict):
        known = set(schema.get("properties", {}))
        patterns = schema.get("patternProperties", {})
        import re
        extras = [k for k in value if k not in known
                  and not any(re.search(p, k) for p in patterns)]
        return [at(path + (k,), f"unknown key '{k}' in {where}{did_you_mean(k, known)}"
                   + ("" if did_you_mean(k, known) else
                      f"; allowed keys are {', '.join(sorted(known))}" if known else ""),
                   code="unknown-key", key=True)
                for k in extras]
    if keyword == "required":
        missing = error.message.split("'")[1] if "'" in error.message else str(error.message)
        prop = schema.get("properties", {}).get(missing, {})
        prop = prop if isinstance(prop, dict) else {}
        if prop.get("enum"):
            fix = f"add {missing}: (one of {', '.join(map(str, prop['enum']))})"
        else:
            about = str(prop.get("description", "")).split(". ")[0].rstrip(".")
            fix = f"add {missing}:" + (f" ({about})" if about else "")
            if "const" in prop:
                fix = f"add {missing}: {prop['const']}"
        return [at(path, f"{where}: missing required key '{missing}'; {fix}",
                   code="missing-key")]
    if keyword == "type":
        if value is None and path in doc.refused:
            return [doc.refused[path]]   # the loader said why; do not say it twice
        expected = error.validator_value
        expected = [expected] if isinstance(expected, str) else list(expected)
        if path in doc.bool_words and "string" in expected:
            word = doc.bool_words[path]
            return [at(path, f"{where}: YAML reads the bare word {word} as a boolean; "
                             f"quote it if you mean the text: \"{word}\"", code="yaml-boolean")]
        if isinstance(value, Decimal) and "string" in expected and "number" not in expected:
            return [at(path, f"{where}: {value} is a number, but text is expected here; "
                             f"quote it: \"{value}\"")]
        fix = "; give a value or remove the key" if value is None else ""
        return [at(path, f"{where}: expected {_or(expected)}, found {_type_name(value)}{fix}")]
    if keyword == "enum":
        options = [str(o) for o in error.validator_value]
        return [at(path, f"{where}: {_show(value)} is not one of {', '.join(options)}"
                         f"{did_you_mean(str(value), options)}", code="bad-value")]
    if keyword == "const":
        return [at(path, f"{where}: must be {_show(error.validator_value)}, found {_show(value)}",
                   code="bad-value")]
    if keyword == "format":
        return [at(path, f"{where}: {_show(value)} {_FORMAT_HELP.get(error.validator_value, 'is not valid')}",
                   code="bad-value")]
    if keyword == "pattern":
        return [at(path, f"{where}: {_show(value)} does not have the expected form "
                         f"{_PATTERN_HELP.get(error.validator_value, error.validator_value)}",
                   code="bad-value")]
    if keyword == "propertyNames":
        # the error's instance is the offending key
        return [at(path + (value,), f"{where}: key {_show(value)} is not allowed here"
                   + _describe_sub(error), code="bad-key", key=True)]
    if keyword in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        words = {"minimum": "at least", "exclusiveMinimum": "more than",
                 "maximum": "at most", "exclusiveMaximum": "less than"}[keyword]
        return [at(path, f"{where}: {_show(value)} must be {words} {error.validator_value}",
                   code="bad-value")]
    if keyword in ("maxLength", "minLength"):
        words = "at most" if keyword == "maxLength" else "at least"
        return [at(path, f"{where}: text must be {words} {error.validator_value} characters "
                         f"(it has {len(value)})", code="bad-value")]
    if keyword in ("minItems", "maxItems"):
        words = "at least" if keyword == "minItems" else "at most"
        return [at(path, f"{where}: list must have {words} {error.validator_value} items",
                   code="bad-value")]
    if keyword in ("minProperties",):
        return [at(path, f"{where}: must not be empty", code="bad-value")]
    if keyword == "uniqueItems":
        return [at(path, f"{where}: list has repeated items; remove the duplicates",
                   code="bad-value")]
    if keyword == "not":
        return [at(path, f"{where}: this combination of keys is not allowed"
                         + (f" ({schema.get('description')})" if schema.get("description") else ""),
                   code="bad-value")]
    if keyword in ("oneOf", "anyOf"):
        return [at(path, f"{where}: {_show(value)} matches none of the allowed forms"
                         if keyword == "anyOf" or "is not valid under any" in error.message
                         else f"{where}: ambiguous: give only one of the alternative keys",
                   code="bad-value")]
    return [at(path, f"{where}: {error.message}")]


def _describe_sub(error: ValidationError) -> str:
    if error.context:
        sub = best_match(error.context)
        if sub.validator == "pattern":
            return f"; keys must look like {_PATTERN_HELP.get(sub.validator_value, sub.validator_value)}"
        if sub.validator == "enum":
            return f"; allowed keys are {', '.join(map(str, sub.validator_value))}"
    return ""


def _or(types: list[str]) -> str:
    names = [_TYPE_WORDS.get(t, t) for t in types]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


_TYPE_WORDS = {"string": "text", "number": "a number", "integer": "a whole number",
               "boolean": "true or false", "object": "a mapping (key: value)",
               "array": "a list", "null": "nothing"}


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, Decimal):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Decimal):
        return str(value)
    return repr(value)


_FORMAT_HELP = {
    "date": "is not a date; write YYYY-MM-DD, e.g. 2026-01-31",
    "money": "is not an amount; write a non-negative number with at most 4 decimal places, e.g. 150.00",
    "quantity": "is not a quantity; write a non-negative number with at most 4 decimal places, e.g. 0.25",
    "percent": "is not a percentage; write a number followed by %, e.g. 10%",
    "money-or-percent": "is neither an amount nor a percentage; write e.g. 140.00 or 90%",
    "duration": "is not a duration; write a number with m, h or d, e.g. 30m, 8h, 2d",
    "timezone": "is not a known IANA timezone; write e.g. America/New_York or Europe/London",
    "time-range": "is not a time range; write HH:MM-HH:MM with the start before the end, e.g. 08:00-18:00",
}
_PATTERN_HELP = {
    "^[a-z0-9][a-z0-9._-]*$": "of an id: lower-case letters, digits, '.', '_' or '-', "
                              "starting with a letter or digit (e.g. acme-managed)",
}
