"""Frozen copy of engine/yamlload.py before the single-pass rewrite, kept only as
the oracle for the differential test in tests/test_yamlload.py.

Load YAML contract files into plain values plus a map of source positions.

Why not ``yaml.safe_load``: it forgets where each value came from, turns
``18.10`` into a binary float, keeps the last of two duplicate keys, reads
``customer: no`` as ``False`` without a word, and builds aliases without any
bound. We read the C parser's *event stream* instead (fast, and iterative, so
deep nesting cannot crash it), and compose values ourselves:

* every node's ``(line, column)`` is kept, keyed by its path in the document;
* numbers become ``Decimal`` from their source text;
* duplicate keys, merge keys, non-text keys and unknown tags are errors;
* nesting depth, alias expansion, file size, NUL and non-UTF-8 bytes are
  bounded before anything large is built.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

import yaml

from engine.diagnostics import ERROR, Diagnostic

try:  # the C parser keeps marks and is an order of magnitude faster
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - pure-Python fallback
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES_PER_DOCUMENT = 200_000

Path_ = tuple[Any, ...]

_TAG = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null", "map", "seq")}
_NULL_WORDS = {"", "~", "null", "Null", "NULL"}
_TRUE_WORDS = {"true", "True", "TRUE"}
_FALSE_WORDS = {"false", "False", "FALSE"}
# YAML 1.1 reads these as booleans; a string field given one is a classic trap.
_YAML11_TRUE = {"yes", "Yes", "YES", "on", "On", "ON", "y", "Y"}
_YAML11_FALSE = {"no", "No", "NO", "off", "Off", "OFF", "n", "N"}
_PLAIN_DECIMAL = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\Z")
# Text that some YAML reader would take for a number but that is not plain
# decimal notation: exponents, hex/octal/binary, underscores, sexagesimal,
# infinities and NaN.
_NUMBERISH = re.compile(
    r"""[-+]?(?:
        [0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+
      | 0[xX][0-9a-fA-F_]+ | 0[oO][0-7_]+ | 0[bB][01_]+
      | [0-9][0-9_]*_[0-9_]*(?:\.[0-9_]*)?
      | [1-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?
      | \.(?:inf|Inf|INF) | \.(?:nan|NaN|NAN)
    )\Z""",
    re.X,
)
_LEADING_ZERO_INT = re.compile(r"[-+]?0[0-9]+\Z")


@dataclass
class Document:
    """One YAML document: its value and where every part of it came from."""

    file: str
    index: int                       # 0-based position in the file
    data: Any
    line: int                        # where the document's root node starts
    col: int
    marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    styles: dict[Path_, str] = field(default_factory=dict)   # scalar style by path
    bool_words: dict[Path_, str] = field(default_factory=dict)  # yes/no/on/off source text
    # values the loader refused (left as None) with the diagnostic it gave, so
    # the schema stage repeats that one instead of "expected text, found nothing"
    refused: dict[Path_, Diagnostic] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list, repr=False)

    def mark(self, path: Path_) -> tuple[int, int]:
        """Position of the node at ``path``, or of its nearest ancestor."""
        path = tuple(path)
        while path:
            if path in self.marks:
                return self.marks[path]
            path = path[:-1]
        return self.marks.get((), (self.line, self.col))

    def key_mark(self, path: Path_) -> tuple[int, int]:
        """Position of the *key* naming ``path`` (falls back to the value)."""
        return self.key_marks.get(tuple(path)) or self.mark(path)

    def text_origin(self, path: Path_) -> tuple[int, int]:
        """(first_line, indent) of a scalar's text, so that line ``i`` (0-based)
        and column ``c`` (1-based) of the string map to file line
        ``first_line + i`` and column ``indent + c``."""
        line, col = self.mark(path)
        style = self.styles.get(tuple(path), "")
        if style in ("|", ">"):
            first = line + 1
            for number in range(first, len(self.lines) + 1):
                text = self.lines[number - 1]
                if text.strip():
                    return number, len(text) - len(text.lstrip(" "))
            return first, col
        if style in ("'", '"'):
            return line, col
        return line, col - 1


@dataclass
class _Node:
    kind: str                      # "scalar" | "seq" | "map"
    line: int
    col: int
    value: Any = None              # scalar text
    style: str = ""
    tag: str | None = None
    plain: bool = False
    items: list = field(default_factory=list)   # seq: nodes; map: (key_node, value_node)
    done: bool = False


def _show_tag(tag: str) -> str:
    return "!!" + tag[len(_TAG):] if tag.startswith(_TAG) else tag


def _diag(file: str, line: int, col: int, code: str, message: str) -> Diagnostic:
    return Diagnostic(file, line, col, code, ERROR, message)


def _decode(raw: bytes, file: str) -> tuple[str | None, list[Diagnostic]]:
    if len(raw) > MAX_FILE_BYTES:
        return None, [_diag(file, 1, 1, "file-too-large",
                            f"file is {len(raw)} bytes, over the {MAX_FILE_BYTES} byte limit; "
                            "split it into several files")]
    if b"\x00" in raw:
        pos = raw.index(b"\x00")
        line = raw.count(b"\n", 0, pos) + 1
        col = pos - (raw.rfind(b"\n", 0, pos) + 1) + 1
        return None, [_diag(file, line, col, "nul-byte",
                            "file contains a NUL byte; it is not a text file (re-save it as UTF-8 text)")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [_diag(file, line, col, "not-utf8",
                            f"byte 0x{raw[exc.start]:02x} is not valid UTF-8; re-save the file as UTF-8")]
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, []


def load_file(path: str | Path, display: str | None = None) -> tuple[list[Document], list[Diagnostic]]:
    """Read and load one YAML file; problems come back as diagnostics."""
    name = display or str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        return [], [_diag(name, 0, 0, "unreadable", f"cannot read file: {exc.strerror or exc}")]
    return load_bytes(raw, name)


def load_bytes(raw: bytes, file: str) -> tuple[list[Document], list[Diagnostic]]:
    text, diags = _decode(raw, file)
    if text is None:
        return [], diags
    return load_text(text, file)


def load_text(text: str, file: str) -> tuple[list[Document], list[Diagnostic]]:
    """Load every document of a YAML stream.

    A syntax error stops the file (the parser cannot resynchronise), but
    every complete document before it is returned; problems inside a document
    (duplicate keys, bad tags...) are all collected.
    """
    lines = text.split("\n")
    roots: list[_Node] = []
    diags: list[Diagnostic] = []
    try:
        for root in _compose(text, file, diags):
            roots.append(root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or "invalid YAML"
        hint = ""
        at = lines[line - 1][col - 1:col] if 0 < line <= len(lines) else ""
        if "tab" in problem.lower() or at == "\t":
            hint = "; indent with spaces, not tabs"
        elif "mapping values are not allowed" in problem:
            hint = "; a value containing ': ' must be quoted"
        diags.append(_diag(file, line, col, "yaml-syntax", f"YAML syntax error: {problem}{hint}"))
    except _Abort as exc:
        diags.append(exc.diagnostic)
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        diags.append(_diag(file, 1, 1, "yaml-syntax", f"YAML error: {exc}"))
    docs: list[Document] = []
    for index, root in enumerate(roots):
        doc = Document(file=file, index=index, data=None, line=root.line, col=root.col, lines=lines)
        builder = _Builder(doc, diags)
        try:
            doc.data = builder.build(root, ())
        except _Abort as exc:
            diags.append(exc.diagnostic)
            continue
        docs.append(doc)
    return docs, diags


class _Abort(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def _compose(text: str, file: str, diags: list[Diagnostic]) -> Iterator[_Node]:
    """Turn parser events into a node graph, checking depth and anchors as we go."""
    stack: list[_Node] = []
    pending_key: list[Any] = []     # per open mapping: key node awaiting its value, or None
    anchors: dict[str, _Node] = {}
    root: _Node | None = None

    def attach(node: _Node) -> None:
        nonlocal root
        if not stack:
            root = node
            return
        parent = stack[-1]
        if parent.kind == "seq":
            parent.items.append(node)
        elif pending_key[-1] is None:
            pending_key[-1] = node
        else:
            parent.items.append((pending_key[-1], node))
            pending_key[-1] = None

    for event in yaml.parse(text, Loader=_Loader):
        kind = type(event)
        if kind is yaml.ScalarEvent:
            mark = event.start_mark
            node = _Node("scalar", mark.line + 1, mark.column + 1, value=event.value,
                         style=event.style or "", tag=event.tag, plain=bool(event.implicit[0]),
                         done=True)
            if event.anchor:
                anchors[event.anchor] = node
            attach(node)
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            mark = event.start_mark
            if len(stack) >= MAX_DEPTH:
                raise _Abort(_diag(file, mark.line + 1, mark.column + 1, "too-deep",
                                   f"nesting is deeper than {MAX_DEPTH} levels; "
                                   "contract files never need this much, flatten the structure"))
            node = _Node("map" if kind is yaml.MappingStartEvent else "seq",
                         mark.line + 1, mark.column + 1, tag=event.tag)
            if event.anchor:
                anchors[event.anchor] = node
            attach(node)
            stack.append(node)
            if node.kind == "map":
                pending_key.append(None)
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            node = stack.pop()
            node.done = True
            if node.kind == "map":
                pending_key.pop()
        elif kind is yaml.AliasEvent:
            mark = event.start_mark
            target = anchors.get(event.anchor)
            if target is None:
                raise _Abort(_diag(file, mark.line + 1, mark.column + 1, "yaml-alias",
                                   f"alias *{event.anchor} names no anchor defined before it"))
            if not target.done:
                raise _Abort(_diag(file, mark.line + 1, mark.column + 1, "yaml-alias",
                                   f"alias *{event.anchor} refers to a node that contains it "
                                   "(a recursive structure); write the values out"))
            attach(target)
        elif kind is yaml.DocumentEndEvent:
            if root is not None:
                yield root
            root = None
            anchors = {}


class _Builder:
    """Build plain values from a node graph, recording positions by path."""

    def __init__(self, doc: Document, diags: list[Diagnostic]) -> None:
        self.doc = doc
        self.diags = diags
        self.count = 0

    def error(self, node: _Node, code: str, message: str) -> None:
        self.diags.append(_diag(self.doc.file, node.line, node.col, code, message))

    def refuse(self, node: _Node, path: Path_, code: str, message: str) -> None:
        """Report a value that cannot be used; it becomes None."""
        diag = _diag(self.doc.file, node.line, node.col, code, message)
        self.diags.append(diag)
        self.doc.refused[path] = diag

    def build(self, node: _Node, path: Path_) -> Any:
        self.count += 1
        if self.count > MAX_NODES_PER_DOCUMENT:
            raise _Abort(_diag(self.doc.file, node.line, node.col, "alias-bomb",
                               f"document expands to more than {MAX_NODES_PER_DOCUMENT} values "
                               "(aliases repeating aliases?); write the values out"))
        self.doc.marks[path] = (node.line, node.col)
        if node.tag is not None and node.tag not in _ALLOWED_TAGS and node.tag != "!":
            self.refuse(node, path, "yaml-tag",
                        f"tag {_show_tag(node.tag)} is not allowed; tenor reads plain YAML only "
                        "and never builds objects from tags, remove the tag")
            return None
        if node.kind == "scalar":
            return self.scalar(node, path)
        if node.kind == "seq":
            return [self.build(item, path + (i,)) for i, item in enumerate(node.items)]
        return self.mapping(node, path)

    def mapping(self, node: _Node, path: Path_) -> dict:
        result: dict[str, Any] = {}
        seen: dict[str, _Node] = {}
        for key_node, value_node in node.items:
            if key_node.kind != "scalar":
                self.error(key_node, "yaml-key", "a key must be plain text, not a list or mapping")
                continue
            key = key_node.value
            if key_node.plain and key_node.tag is None:
                if key == "<<":
                    self.error(key_node, "yaml-merge",
                               "merge keys (<<) are not supported; write the keys out in full")
                    continue
                if key in _NULL_WORDS or key in _TRUE_WORDS or key in _FALSE_WORDS \
                        or key in _YAML11_TRUE or key in _YAML11_FALSE \
                        or _PLAIN_DECIMAL.match(key) or _NUMBERISH.match(key):
                    self.error(key_node, "yaml-key",
                               f"key {key!r} is not read as text by YAML; quote it: \"{key}\"")
                    continue
            if key in seen:
                first = seen[key]
                self.error(key_node, "duplicate-key",
                           f"duplicate key '{key}' (first defined at line {first.line}); "
                           "remove one of them")
                continue
            seen[key] = key_node
            self.doc.key_marks[path + (key,)] = (key_node.line, key_node.col)
            result[key] = self.build(value_node, path + (key,))
        return result

    def scalar(self, node: _Node, path: Path_) -> Any:
        text: str = node.value
        self.doc.styles[path] = node.style
        tag = node.tag
        if tag == _TAG + "str" or not node.plain and tag in (None, "!"):
            return text
        if tag is None:
            return self.resolve_plain(node, path, text)
        if tag == _TAG + "null":
            return None
        if tag == _TAG + "bool":
            if text in _TRUE_WORDS:
                return True
            if text in _FALSE_WORDS:
                return False
            self.refuse(node, path, "yaml-value", f"{text!r} is not a boolean; write true or false")
            return None
        if tag in (_TAG + "int", _TAG + "float"):
            if _PLAIN_DECIMAL.match(text):
                return Decimal(text)
            self.refuse(node, path, "yaml-number", f"{text!r} is not a plain decimal number")
            return None
        if tag in (_TAG + "map", _TAG + "seq"):
            self.refuse(node, path, "yaml-tag",
                        f"tag {_show_tag(tag)} does not fit a scalar value; remove the tag")
            return None
        return text

    def resolve_plain(self, node: _Node, path: Path_, text: str) -> Any:
        if text in _NULL_WORDS:
            return None
        if text in _TRUE_WORDS:
            return True
        if text in _FALSE_WORDS:
            return False
        if text in _YAML11_TRUE or text in _YAML11_FALSE:
            # Kept as a boolean (what other YAML tools would read) but
            # remembered, so a string field can say "quote it".
            self.doc.bool_words[path] = text
            return text in _YAML11_TRUE
        if _LEADING_ZERO_INT.match(text):
            self.refuse(node, path, "yaml-number",
                        f"{text} has a leading zero, which YAML 1.1 reads as an octal number; "
                       f"write {text.lstrip('+-0') or '0'} or quote it: \"{text}\"")
            return None
        if _PLAIN_DECIMAL.match(text):
            return Decimal(text)
        if _NUMBERISH.match(text):
            self.refuse(node, path, "yaml-number",
                        f"{text} is not a plain decimal number (YAML would convert it silently); "
                       f"write digits with an optional decimal point, or quote it: \"{text}\"")
            return None
        return text
