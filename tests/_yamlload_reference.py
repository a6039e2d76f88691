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

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterator

import yaml

from engine.diagnostics import Diagnostic

# The constants and the Document class are the new module's own (what is
# compared is how documents are composed, not these definitions).
from engine.yamlload import (  # noqa: F401
    _ALLOWED_TAGS, _FALSE_WORDS, _LEADING_ZERO_INT, _NULL_WORDS, _NUMBERISH, _PLAIN_DECIMAL,
    _TAG, _TRUE_WORDS, _YAML11_FALSE, _YAML11_TRUE, MAX_DEPTH,
    MAX_NODES_PER_DOCUMENT, Document, Path_, _Abort, _diag, _Loader, _show_tag, _stopped)


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


def load_text(text: str, file: str) -> tuple[list[Document], list[Diagnostic]]:
    """The old composer + builder over a decoded text."""
    lines = text.split("\n")
    roots: list[_Node] = []
    diags: list[Diagnostic] = []
    try:
        for root in _compose(text, file, diags):
            roots.append(root)
    except (yaml.YAMLError, _Abort) as exc:
        diags.append(_stopped(exc, lines, file))
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
