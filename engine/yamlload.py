"""Load YAML contract files into plain values plus a map of source positions.

Why not ``yaml.safe_load``: it forgets where each value came from, turns
``18.10`` into a binary float, keeps the last of two duplicate keys, reads
``customer: no`` as ``False`` without a word, and builds aliases without any
bound. We read the C parser's *event stream* instead (fast, and iterative, so
deep nesting cannot crash it), and build values ourselves in the same single
pass, without an intermediate node graph: only anchored nodes have their
events logged, and each alias replays them at its own path (iteratively, so
chains of aliases cannot recurse; a refused part is passed over in one step):

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
from typing import Any

import yaml

from .diagnostics import ERROR, Diagnostic

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
    build = _Build(file, lines)
    stopped: list[Diagnostic] = []
    try:
        _read_events(text, file, build)
    except (yaml.YAMLError, _Abort) as exc:
        stopped.append(_stopped(exc, lines, file))
    # What stopped the file is reported before what was found inside the
    # documents that completed, in document order.
    return build.docs, stopped + build.diags


def _stopped(exc: Exception, lines: list[str], file: str) -> Diagnostic:
    """What stopped reading a file: a syntax error (with a hint for the usual
    causes) or a limit (an _Abort carries its own diagnostic)."""
    if isinstance(exc, _Abort):
        return exc.diagnostic
    if not isinstance(exc, yaml.MarkedYAMLError):  # pragma: no cover - unmarked errors are rare
        return _diag(file, 1, 1, "yaml-syntax", f"YAML error: {exc}")
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = exc.problem or "invalid YAML"
    hint = ""
    at = lines[line - 1][col - 1:col] if 0 < line <= len(lines) else ""
    if "tab" in problem.lower() or at == "\t":
        hint = "; indent with spaces, not tabs"
    elif "mapping values are not allowed" in problem:
        hint = "; a value containing ': ' must be quoted"
    return _diag(file, line, col, "yaml-syntax", f"YAML syntax error: {problem}{hint}")


class _Abort(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


_SCALAR = yaml.ScalarEvent
_MAP_START = yaml.MappingStartEvent
_SEQ_START = yaml.SequenceStartEvent
_MAP_END = yaml.MappingEndEvent
_SEQ_END = yaml.SequenceEndEvent
_ALIAS = yaml.AliasEvent
_DOC_END = yaml.DocumentEndEvent

# plain words YAML reads as something other than text, and what they become
_WORDS: dict[str, Any] = {
    **dict.fromkeys(_NULL_WORDS), **dict.fromkeys(_TRUE_WORDS, True),
    **dict.fromkeys(_FALSE_WORDS, False), **dict.fromkeys(_YAML11_TRUE, True),
    **dict.fromkeys(_YAML11_FALSE, False),
}
_YAML11_WORDS = _YAML11_TRUE | _YAML11_FALSE
# every number pattern above starts with one of these; other text is just text
_NUMBER_START = frozenset("+-.0123456789")
# Decimals are immutable, and contract files repeat the same few amounts.
_DECIMALS: dict[str, Decimal] = {}
_DECIMALS_MAX = 4096
_DEAD = 1 << 62      # skip depth of an abandoned document: never counts down to 0
_KEY = object()      # a mapping waits for its next key
_SKIP = object()     # a mapping's next value belongs to a refused key


class _Anchor:
    """An anchored node: a slice of its document's event log, so that each
    alias builds the node again at the alias's path (own marks, own checks)."""

    __slots__ = ("log", "ends", "start", "stop", "depth", "done")

    def __init__(self, log: list, ends: dict[int, int], depth: int) -> None:
        self.log = log
        self.ends = ends          # log index of a collection start -> of its end
        self.start = len(log)
        self.stop = self.start + 1
        self.depth = depth        # nesting depth of a collection; 0 for a scalar
        self.done = depth == 0


def _stop(file: str, event: Any, code: str, message: str) -> _Abort:
    mark = event.start_mark
    return _Abort(_diag(file, mark.line + 1, mark.column + 1, code, message))


def _read_events(text: str, file: str, build: "_Build") -> None:
    """Feed parser events to ``build`` in one pass, enforcing stream limits.

    Depth and alias validity are checked on the source text as it is read;
    only anchored nodes are logged, so that aliases can be replayed.
    """
    scalar, start, end, alias, finish = build.scalar, build.start, build.end, build.alias, build.finish
    anchors: dict[str, _Anchor] = {}
    log: list = []                    # events of anchored nodes (aliases as their _Anchor)
    ends: dict[int, int] = {}
    opened: list[int] = []            # log index of each logged collection still open
    recording: list[_Anchor] = []     # anchored collections still open, innermost last
    depth = 0
    parser = _Loader(text)
    try:
        # get_event answers None after the stream's end
        for event in iter(parser.get_event, None):
            kind = type(event)
            if kind is _SCALAR:
                if event.anchor:
                    anchors[event.anchor] = _Anchor(log, ends, 0)
                    log.append(event)
                elif recording:
                    log.append(event)
                scalar(event)
            elif kind is _MAP_START or kind is _SEQ_START:
                if depth >= MAX_DEPTH:
                    raise _stop(file, event, "too-deep",
                                f"nesting is deeper than {MAX_DEPTH} levels; "
                                "contract files never need this much, flatten the structure")
                depth += 1
                if event.anchor:
                    anchor = _Anchor(log, ends, depth)
                    anchors[event.anchor] = anchor
                    recording.append(anchor)
                if recording:
                    opened.append(len(log))
                    log.append(event)
                start(event, kind is _MAP_START)
            elif kind is _MAP_END or kind is _SEQ_END:
                if recording:
                    ends[opened.pop()] = len(log)
                    log.append(event)
                    if recording[-1].depth == depth:
                        anchor = recording.pop()
                        anchor.stop = len(log)
                        anchor.done = True
                depth -= 1
                end()
            elif kind is _ALIAS:
                target = anchors.get(event.anchor)
                if target is None:
                    raise _stop(file, event, "yaml-alias",
                                f"alias *{event.anchor} names no anchor defined before it")
                if not target.done:
                    raise _stop(file, event, "yaml-alias",
                                f"alias *{event.anchor} refers to a node that contains it "
                                "(a recursive structure); write the values out")
                if recording:
                    log.append(target)
                alias(target)
            elif kind is _DOC_END:
                finish()
                anchors, log, ends = {}, [], {}
    finally:
        parser.dispose()


class _Build:
    """Build plain values straight from events, recording positions by path.

    Mappings and sequences being built sit on ``frames`` as
    ``[container, path, pending, seen]``: for a sequence ``pending`` is the
    next index and ``seen`` is None; for a mapping ``pending`` is _KEY, the
    accepted key whose value comes next, or _SKIP, and ``seen`` maps each key
    to its line. A node that is not built (refused key or tag, a list used as
    a key) is passed over by counting ``skip`` down to its end.
    """

    __slots__ = ("file", "lines", "docs", "diags", "doc", "found", "count", "dead",
                 "frames", "skip", "index")

    def __init__(self, file: str, lines: list[str]) -> None:
        self.file = file
        self.lines = lines
        self.docs: list[Document] = []
        self.diags: list[Diagnostic] = []    # from completed documents only
        self.index = 0                        # of the next document
        self.doc: Document | None = None
        self._reset()

    def finish(self) -> None:
        """End of a document: keep it, or only its diagnostics if it was abandoned."""
        if self.doc is not None:
            self.index += 1
            self.diags.extend(self.found)
            if self.dead is None:
                self.docs.append(self.doc)
            else:
                self.diags.append(self.dead)
            self.doc = None
        self._reset()

    def _reset(self) -> None:
        self.found: list[Diagnostic] = []
        self.count = 0
        self.dead: Diagnostic | None = None   # why the document was abandoned
        self.frames: list[list] = []
        self.skip = 0

    def _open(self, event: Any) -> None:
        mark = event.start_mark
        self.doc = Document(file=self.file, index=self.index, data=None, line=mark.line + 1,
                            col=mark.column + 1, lines=self.lines)

    def _abandon(self, event: Any) -> None:
        mark = event.start_mark
        self.dead = _diag(self.file, mark.line + 1, mark.column + 1, "alias-bomb",
                          f"document expands to more than {MAX_NODES_PER_DOCUMENT} values "
                          "(aliases repeating aliases?); write the values out")
        self.skip = _DEAD

    def _refuse(self, line: int, col: int, path: Path_, code: str, message: str) -> None:
        """Report a value that cannot be used; it becomes None."""
        diag = _diag(self.file, line, col, code, message)
        self.found.append(diag)
        self.doc.refused[path] = diag  # type: ignore[union-attr]

    def scalar(self, event: Any) -> None:
        if self.skip:
            return
        frames = self.frames
        if not frames:
            self._open(event)
            self.doc.data = self._value(event, ())  # type: ignore[union-attr]
            return
        frame = frames[-1]
        if frame[3] is None:
            index = frame[2]
            frame[2] = index + 1
            frame[0].append(self._value(event, frame[1] + (index,)))
            return
        key = frame[2]
        if key is _KEY:
            text: str = event.value
            seen = frame[3]
            if text in seen or event.implicit[0] and event.tag is None and (
                    text in _WORDS or text[:1] in _NUMBER_START or text == "<<"):
                self._key(frame, event)   # may be refused: the full checks
                return
            mark = event.start_mark
            line = mark.line + 1
            seen[text] = line
            self.doc.key_marks[frame[1] + (text,)] = (line, mark.column + 1)  # type: ignore[union-attr]
            frame[2] = text
            return
        frame[2] = _KEY
        if key is not _SKIP:
            frame[0][key] = self._value(event, frame[1] + (key,))

    def _key(self, frame: list, event: Any) -> None:
        text: str = event.value
        mark = event.start_mark
        if event.implicit[0] and event.tag is None:
            if text == "<<":
                frame[2] = _SKIP
                self.found.append(_diag(self.file, mark.line + 1, mark.column + 1, "yaml-merge",
                                        "merge keys (<<) are not supported; write the keys out in full"))
                return
            if text in _WORDS or text[:1] in _NUMBER_START and (
                    _PLAIN_DECIMAL.match(text) or _NUMBERISH.match(text)):
                frame[2] = _SKIP
                self.found.append(_diag(self.file, mark.line + 1, mark.column + 1, "yaml-key",
                                        f"key {text!r} is not read as text by YAML; quote it: \"{text}\""))
                return
        seen = frame[3]
        if text in seen:
            frame[2] = _SKIP
            self.found.append(_diag(self.file, mark.line + 1, mark.column + 1, "duplicate-key",
                                    f"duplicate key '{text}' (first defined at line {seen[text]}); "
                                    "remove one of them"))
            return
        line = mark.line + 1
        seen[text] = line
        self.doc.key_marks[frame[1] + (text,)] = (line, mark.column + 1)  # type: ignore[union-attr]
        frame[2] = text

    def _value(self, event: Any, path: Path_) -> Any:
        self.count += 1
        if self.count > MAX_NODES_PER_DOCUMENT:
            self._abandon(event)
            return None
        doc = self.doc
        mark = event.start_mark
        line = mark.line + 1
        col = mark.column + 1
        doc.marks[path] = (line, col)  # type: ignore[union-attr]
        tag = event.tag
        text: str = event.value
        if tag is None:
            doc.styles[path] = event.style or ""  # type: ignore[union-attr]
            if not event.implicit[0]:
                return text
            if text in _WORDS:
                if text in _YAML11_WORDS:
                    # Kept as a boolean (what other YAML tools would read) but
                    # remembered, so a string field can say "quote it".
                    doc.bool_words[path] = text  # type: ignore[union-attr]
                return _WORDS[text]
            if text[:1] not in _NUMBER_START:
                return text
            return self._number(line, col, path, text)
        if tag not in _ALLOWED_TAGS and tag != "!":
            self._refuse(line, col, path, "yaml-tag",
                         f"tag {_show_tag(tag)} is not allowed; tenor reads plain YAML only "
                         "and never builds objects from tags, remove the tag")
            return None
        doc.styles[path] = event.style or ""  # type: ignore[union-attr]
        if tag == _TAG + "str" or not event.implicit[0] and tag == "!":
            return text
        if tag == _TAG + "null":
            return None
        if tag == _TAG + "bool":
            if text in _TRUE_WORDS:
                return True
            if text in _FALSE_WORDS:
                return False
            self._refuse(line, col, path, "yaml-value", f"{text!r} is not a boolean; write true or false")
            return None
        if tag in (_TAG + "int", _TAG + "float"):
            if _PLAIN_DECIMAL.match(text):
                return Decimal(text)
            self._refuse(line, col, path, "yaml-number", f"{text!r} is not a plain decimal number")
            return None
        if tag in (_TAG + "map", _TAG + "seq"):
            self._refuse(line, col, path, "yaml-tag",
                         f"tag {_show_tag(tag)} does not fit a scalar value; remove the tag")
            return None
        return text

    def _number(self, line: int, col: int, path: Path_, text: str) -> Any:
        """A plain scalar that may be a number: Decimal, refused, or text."""
        number = _DECIMALS.get(text)
        if number is not None:
            return number
        if _LEADING_ZERO_INT.match(text):
            self._refuse(line, col, path, "yaml-number",
                         f"{text} has a leading zero, which YAML 1.1 reads as an octal number; "
                         f"write {text.lstrip('+-0') or '0'} or quote it: \"{text}\"")
            return None
        if _PLAIN_DECIMAL.match(text):
            if len(_DECIMALS) >= _DECIMALS_MAX:
                _DECIMALS.clear()
            number = _DECIMALS[text] = Decimal(text)
            return number
        if _NUMBERISH.match(text):
            self._refuse(line, col, path, "yaml-number",
                         f"{text} is not a plain decimal number (YAML would convert it silently); "
                         f"write digits with an optional decimal point, or quote it: \"{text}\"")
            return None
        return text

    def start(self, event: Any, is_map: bool) -> bool:
        """Open a mapping or sequence; True when it is to be passed over."""
        if self.skip:
            self.skip += 1
            return False
        frames = self.frames
        if not frames:
            self._open(event)
            path: Path_ = ()
            parent = None
        else:
            parent = frames[-1]
            if parent[3] is None:
                index = parent[2]
                parent[2] = index + 1
                path = parent[1] + (index,)
            else:
                key = parent[2]
                if key is _KEY:
                    parent[2] = _SKIP
                    mark = event.start_mark
                    self.found.append(_diag(self.file, mark.line + 1, mark.column + 1, "yaml-key",
                                            "a key must be plain text, not a list or mapping"))
                    self.skip = 1
                    return True
                parent[2] = _KEY
                if key is _SKIP:
                    self.skip = 1
                    return True
                path = parent[1] + (key,)
        self.count += 1
        if self.count > MAX_NODES_PER_DOCUMENT:
            self._abandon(event)
            return False
        mark = event.start_mark
        line = mark.line + 1
        col = mark.column + 1
        self.doc.marks[path] = (line, col)  # type: ignore[union-attr]
        tag = event.tag
        if tag is not None and tag not in _ALLOWED_TAGS and tag != "!":
            self._refuse(line, col, path, "yaml-tag",
                         f"tag {_show_tag(tag)} is not allowed; tenor reads plain YAML only "
                         "and never builds objects from tags, remove the tag")
            container: Any = None
            self.skip = 1
        else:
            container = {} if is_map else []
            frames.append([container, path, _KEY, {}] if is_map else [container, path, 0, None])
        if parent is None:
            self.doc.data = container  # type: ignore[union-attr]
        elif parent[3] is None:
            parent[0].append(container)
        else:
            parent[0][path[-1]] = container
        return container is None

    def end(self) -> None:
        if self.skip:
            self.skip -= 1
        else:
            self.frames.pop()

    def alias(self, anchor: _Anchor) -> None:
        """Build the anchored node again here, from its logged events."""
        if self.skip:
            return
        log, ends = anchor.log, anchor.ends
        todo = [(anchor.start, anchor.stop)]
        while todo:
            i, stop = todo.pop()
            while i < stop:
                event = log[i]
                kind = type(event)
                if kind is _Anchor:
                    todo.append((i + 1, stop))
                    todo.append((event.start, event.stop))
                    break
                if kind is _SCALAR:
                    self.scalar(event)
                elif kind is _MAP_START or kind is _SEQ_START:
                    if self.start(event, kind is _MAP_START):
                        # passed over whole: jump to its end rather than
                        # walk it, so repeated aliases stay cheap
                        self.skip = 0
                        i = ends[i]
                else:
                    self.end()
                if self.dead is not None:
                    return
                i += 1
