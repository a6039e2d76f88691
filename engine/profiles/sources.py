"""Read a PSA's export files as records, each with its row reference.

Two shapes, as PSAs hand them out:

* CSV (a report export): a header row, then one record per row. The row
  reference is the physical line the record starts on (header = line 1),
  exactly as for canonical CSVs.
* JSON API dumps: an object with an ``items`` list (Autotask REST pages),
  or a bare list (ConnectWise REST pages). The row reference is the line on
  which the item's ``{`` stands, so ``file:line`` opens the editor at the
  item; messages also give the item's position (``item #3``) because a
  minified page has every item on line 1.

JSON numbers are kept as their source text (never a float), booleans stay
booleans, ``null`` is an empty value.
"""
from __future__ import annotations

import bisect
import csv
import json
import re
from pathlib import Path
from typing import Any, Iterator

__all__ = ["SourceError", "read_records", "get_path", "as_text", "NotScalar", "load_json"]

Record = dict[str, Any]
MAX_JSON_BYTES = 256 * 1024 * 1024
_WS = re.compile(r"[ \t\n\r]*")


class SourceError(Exception):
    """A whole-file problem: (line, message); the file cannot be used."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class NotScalar(ValueError):
    """A mapped field holds an object or a list where one value is needed."""


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number tenor accepts")


_DECODER = json.JSONDecoder(parse_float=str, parse_int=str, parse_constant=_refuse_constant)


def _decode_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceError(0, f"cannot read file: {exc.strerror or exc}") from None
    if len(raw) > MAX_JSON_BYTES:
        raise SourceError(0, f"file is over {MAX_JSON_BYTES // (1024 * 1024)} MB; export it in "
                             f"several pages")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise SourceError(line, f"byte 0x{raw[exc.start]:02X} is not UTF-8; save the file as "
                                f"UTF-8") from None
    return text[1:] if text.startswith("\ufeff") else text


class _Lines:
    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)


def _value(text: str, i: int, lines: _Lines) -> tuple[Any, int]:
    try:
        return _DECODER.raw_decode(text, i)
    except json.JSONDecodeError as exc:
        raise SourceError(exc.lineno, f"invalid JSON ({exc.msg}, column {exc.colno}); "
                                      f"export the page again") from None
    except ValueError as exc:
        raise SourceError(lines.of(i), f"invalid JSON value ({exc})") from None


def _expect(text: str, i: int, chars: str, lines: _Lines, what: str) -> int:
    i = _WS.match(text, i).end()
    if i >= len(text) or text[i] not in chars:
        raise SourceError(lines.of(min(i, len(text) - 1) if text else 0),
                          f"invalid JSON: expected {what}; export the page again")
    return i


def _array_items(text: str, i: int, lines: _Lines, end: list[int]
                 ) -> Iterator[tuple[int, Any]]:
    """Items of the array starting at ``text[i] == '['``, with their start
    lines; ``end[0]`` is set to the offset just after the closing ``]``."""
    i += 1
    i = _WS.match(text, i).end()
    if i < len(text) and text[i] == "]":
        end[0] = i + 1
        return
    while True:
        i = _WS.match(text, i).end()
        start = i
        item, i = _value(text, i, lines)
        yield lines.of(start), item
        i = _expect(text, i, ",]", lines, "',' or ']' after an item")
        if text[i] == "]":
            end[0] = i + 1
            return
        i += 1


def load_json(path: Path) -> Any:
    """A whole JSON file with exact numbers (used for entityInformation dumps)."""
    text = _decode_text(path)
    lines = _Lines(text)
    value, end = _value(text, _WS.match(text, 0).end(), lines)
    if _WS.match(text, end).end() != len(text):
        raise SourceError(lines.of(end), "invalid JSON: text after the end of the document")
    return value


def _json_records(path: Path) -> Iterator[tuple[int, int, Any]]:
    """(line, index, item) for every item of a page; index is 1-based."""
    text = _decode_text(path)
    lines = _Lines(text)
    i = _WS.match(text, 0).end()
    if i >= len(text):
        raise SourceError(1, "the file is empty; export the page again or delete it")
    index = 0
    end = [0]
    if text[i] == "[":
        for line, item in _array_items(text, i, lines, end):
            index += 1
            yield line, index, item
        if _WS.match(text, end[0]).end() != len(text):
            raise SourceError(lines.of(end[0]), "invalid JSON: text after the end of the list")
        return
    if text[i] != "{":
        raise SourceError(lines.of(i), "a JSON page must be a list of records or an object "
                                       "with an \"items\" list (the API's response)")
    found = False
    i += 1
    while True:
        i = _expect(text, i, '"}', lines, "a key or '}'")
        if text[i] == "}":
            break
        key, i = _value(text, i, lines)
        i = _expect(text, i, ":", lines, "':' after a key") + 1
        i = _WS.match(text, i).end()
        if key == "items" and i < len(text) and text[i] == "[" and not found:
            found = True
            for line, item in _array_items(text, i, lines, end):
                index += 1
                yield line, index, item
            i = end[0]
        else:
            _, i = _value(text, i, lines)
        i = _expect(text, i, ",}", lines, "',' or '}'")
        if text[i] == "}":
            break
        i += 1
    if not found:
        raise SourceError(1, "no \"items\" list in this JSON object; save the API response "
                             "as returned ({\"items\": [...]}) or a list of records")


def _csv_records(path: Path) -> Iterator[tuple[int, int, Any]]:
    try:
        fh = open(path, encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise SourceError(0, f"cannot read file: {exc.strerror or exc}") from None
    reader = csv.reader(fh, strict=True)
    try:
        with fh:
            header: list[str] | None = None
            for cells in reader:
                if any(c.strip() for c in cells):
                    header = [c.strip() for c in cells]
                    break
            if header is None:
                return
            prev = reader.line_num
            index = 0
            for cells in reader:
                line = prev + 1
                prev = reader.line_num
                if not any(c.strip() for c in cells):
                    continue
                index += 1
                yield line, index, dict(zip(header, cells))
    except UnicodeDecodeError:
        raise SourceError(reader.line_num + 1, "the file is not UTF-8; export it as UTF-8 "
                                               "(e.g. 'CSV UTF-8' in Excel)") from None
    except csv.Error as exc:
        raise SourceError(reader.line_num, f"malformed CSV ({exc}); check the quotes around "
                                           f"this line") from None


def file_format(path: Path, declared: str) -> str:
    if declared != "auto":
        return declared
    return "json" if path.suffix.lower() == ".json" else "csv"


def read_records(path: Path, fmt: str) -> Iterator[tuple[int, int, Any]]:
    """(line, index, record) per record; raises SourceError for a whole-file problem.

    A record is normally a dict; a JSON item that is not an object is passed
    through so the caller can report it at its line.
    """
    if fmt == "json":
        return _json_records(path)
    return _csv_records(path)


def get_path(record: Any, path: str) -> Any:
    """``company.id`` in a JSON record; a CSV column literally named so wins."""
    if not isinstance(record, dict):
        return None
    if path in record:
        return record[path]
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
        if value is None:
            return None
    return value


def as_text(value: Any, path: str) -> str:
    """A source value as the text canonical parsers read; raises NotScalar."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        keys = ", ".join(f"{path}.{k}" for k in list(value)[:3])
        raise NotScalar(f"field '{path}' is an object, not a value; map one of its fields "
                        f"instead ({keys})")
    if isinstance(value, list):
        raise NotScalar(f"field '{path}' is a list, not a value; map a single field instead")
    return str(value)
