"""Read a profile file (or a built-in one) into :class:`ProfileData`.

Profiles are YAML read with ``engine.yamlload`` (positions kept, numbers as
Decimal, duplicate keys refused) and validated by ``profile.schema.json``, so
a bad profile is reported at ``file:line:col`` like any contract.

``extends`` lets a user keep only what is theirs (picklist values, customer
ids, a field or two) in a small file on top of a built-in profile, and take
the built-in's fixes on upgrade. Merging is by key, the extending file
winning; a column's field spec and any list are replaced whole (half of one
spec merged with half of another would be a mapping nobody wrote).
"""
from __future__ import annotations

import os
import zoneinfo
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..activity.columns import SPECS
from ..diagnostics import ERROR, Diagnostic, did_you_mean
from ..formats import make_validator
from ..number import fmt
from ..schema import _diagnostic, load_schema
from ..yamlload import Document, load_file
from .model import (Dump, Entity, Fallback, FieldSpec, KindMap, Picklist, ProfileData, Skip,
                    Step)

__all__ = ["BUILTINS", "load_profile_data", "builtin_path"]

BUILTINS: tuple[str, ...] = ("autotask", "connectwise")
_MAX_EXTENDS = 8

Path_ = tuple[Any, ...]


@cache
def _validator() -> Any:
    return make_validator(load_schema("profile.schema.json"))


def builtin_path(name: str) -> Path:
    """The packaged YAML of a built-in profile (source tree as fallback)."""
    try:
        path = Path(str(resources.files("engine.profiles"))) / f"{name}.yaml"
        if path.is_file():
            return path
    except ModuleNotFoundError:  # pragma: no cover - always importable in practice
        pass
    return Path(__file__).resolve().parent / f"{name}.yaml"


def _err(file: str, line: int, col: int, code: str, message: str) -> Diagnostic:
    return Diagnostic(file, line, col, code, ERROR, message)


def _resolve(spec: str, base: Path | None) -> tuple[Path, str] | None:
    """(path, display) of a profile named by ``--profile`` or ``extends``."""
    if spec in BUILTINS:
        return builtin_path(spec), f"<builtin {spec}>"
    path = Path(spec)
    if base is not None and not path.is_absolute():
        path = base / path
    if not path.is_file():
        return None
    try:                                  # messages name the file as the user would
        display = os.path.relpath(path)
    except ValueError:                    # another drive (Windows)
        display = str(path)
    return path, display


class _Origin:
    """Which document each merged node came from, for file:line:col messages."""

    def __init__(self) -> None:
        self.owner: dict[Path_, Document] = {}

    def claim(self, doc: Document, data: Any, path: Path_ = ()) -> None:
        self.owner[path] = doc
        if isinstance(data, dict):
            for k, v in data.items():
                self.claim(doc, v, path + (k,))
        elif isinstance(data, list):
            for i, v in enumerate(data):
                self.claim(doc, v, path + (i,))

    def at(self, path: Path_, code: str, message: str, key: bool = False) -> Diagnostic:
        p = tuple(path)
        while p and p not in self.owner:
            p = p[:-1]
        doc = self.owner.get(p)
        if doc is None:
            return _err("<profile>", 0, 0, code, message)
        line, col = doc.key_mark(path) if key else doc.mark(path)
        return _err(doc.file, line, col, code, message)


# Below these paths a mapping is replaced whole, never merged key by key.
def _replace_whole(path: Path_) -> bool:
    return (len(path) == 4 and path[0] == "kinds" and path[2] == "fields") or \
        (len(path) == 2 and path[0] == "entities")


def _merge(base: dict, over: dict, doc: Document, origin: _Origin, path: Path_ = ()) -> dict:
    out = dict(base)
    for key, value in over.items():
        sub = path + (key,)
        if isinstance(value, dict) and isinstance(out.get(key), dict) and not _replace_whole(sub):
            out[key] = _merge(out[key], value, doc, origin, sub)
        else:
            out[key] = value
            origin.claim(doc, value, sub)
    return out


def _read_one(path: Path, display: str) -> tuple[Document | None, list[Diagnostic]]:
    docs, diags = load_file(path, display)
    if diags:
        return None, diags
    if len(docs) != 1:
        return None, [_err(display, 1, 1, "profile-documents",
                           f"a profile file holds exactly one YAML document, found {len(docs)}; "
                           f"keep one (separate profiles go in separate files)")]
    doc = docs[0]
    if not isinstance(doc.data, dict):
        return None, [_err(display, doc.line, doc.col, "not-a-mapping",
                           "a profile must be a mapping with apiVersion: tenor/v1, "
                           "kind: Profile and id (see docs/profiles.md)")]
    problems = [d for e in _validator().iter_errors(doc.data) for d in _diagnostic(doc, e)]
    if problems:
        return None, sorted(set(problems))
    return doc, []


def load_profile_data(spec: str, *, cwd: Path | None = None
                      ) -> tuple[ProfileData | None, list[Diagnostic]]:
    """Load ``spec`` (a built-in name or a path) with everything it extends.

    Never raises on bad input: a profile that cannot be used comes back as
    None with diagnostics saying why and where.
    """
    found = _resolve(spec, cwd)
    if found is None:
        return None, [_err(spec, 0, 0, "profile-not-found",
                           f"no profile {spec!r}: use {' or '.join(BUILTINS)}, or the path "
                           f"of a profile YAML file{did_you_mean(spec, BUILTINS)}")]
    chain: list[Document] = []
    seen: set[str] = set()
    path, display = found
    while True:
        key = str(path.resolve())
        if key in seen or len(chain) >= _MAX_EXTENDS:
            last = chain[-1]
            return None, [_err(last.file, *last.key_mark(("extends",)), "profile-extends",
                               "profiles extend each other in a circle (or more than "
                               f"{_MAX_EXTENDS} deep); break the chain")]
        seen.add(key)
        doc, diags = _read_one(path, display)
        if doc is None:
            return None, diags
        chain.append(doc)
        parent = doc.data.get("extends")
        if parent is None:
            break
        found = _resolve(parent, path.parent)
        if found is None:
            return None, [_err(doc.file, *doc.mark(("extends",)), "profile-not-found",
                               f"extends {parent!r}: no such built-in profile or file "
                               f"(built-ins: {', '.join(BUILTINS)}; a path is relative to "
                               f"this file){did_you_mean(parent, BUILTINS)}")]
        path, display = found
    origin = _Origin()
    data: dict = {}
    for doc in reversed(chain):           # base first, the file named on the command line last
        if not data:
            data = dict(doc.data)
            origin.claim(doc, doc.data)
        else:
            data = _merge(data, doc.data, doc, origin)
    data.pop("extends", None)
    return _build(data, origin, chain[0].file, tuple(d.file for d in reversed(chain)))


def _text(value: Any) -> str | None:
    """A YAML scalar as the text a source value is compared with."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return fmt(value)
    return str(value)


def _valuemap(raw: Any) -> dict[str, str | None]:
    return {str(k): _text(v) for k, v in (raw or {}).items()}


def _build(data: dict, origin: _Origin, file: str, sources: tuple[str, ...]
           ) -> tuple[ProfileData | None, list[Diagnostic]]:
    diags: list[Diagnostic] = []
    tz_name = data.get("timezone", "UTC")
    tz = zoneinfo.ZoneInfo(tz_name)
    date_tz = zoneinfo.ZoneInfo(data.get("date_timezone", tz_name))

    entities: dict[str, Entity] = {}
    for name, raw in (data.get("entities") or {}).items():
        entities[name] = Entity(name, tuple(raw["files"]), raw.get("format", "auto"),
                                raw.get("key", "id"))

    def need_entity(name: str, path: Path_) -> None:
        if name not in entities:
            diags.append(origin.at(path, "profile-unknown-entity",
                                   f"no entity {name!r} in this profile"
                                   f"{did_you_mean(name, entities)}; define it under entities: "
                                   f"(with its files) or fix the name"))

    picklists: dict[str, Picklist] = {}
    for name, raw in (data.get("picklists") or {}).items():
        dump = fallback = None
        if raw.get("dump"):
            d = raw["dump"]
            dump = Dump(tuple(d["files"]), d["field"], d.get("labels", "keep"))
        if raw.get("fallback"):
            f = raw["fallback"]
            need_entity(f["entity"], ("picklists", name, "fallback", "entity"))
            fallback = Fallback(f["entity"], f["field"], f.get("transform", "keep"))
        picklists[name] = Picklist(name, _valuemap(raw.get("values")),
                                   _valuemap(raw.get("defaults")), dump, fallback,
                                   raw.get("unmapped", "error"))

    inline = 0

    def field(raw: Any, column: str, path: Path_) -> FieldSpec | None:
        nonlocal inline
        where = origin.at(path, "x", "").line, origin.at(path, "x", "").col
        if raw is None:
            return None
        if isinstance(raw, str):
            return FieldSpec(column, paths=(raw,), where=where)
        sources_given = [k for k in ("from", "first", "const") if k in raw]
        if len(sources_given) != 1:
            diags.append(origin.at(path, "profile-field",
                                   f"{column}: give exactly one of from, first or const "
                                   f"(found {', '.join(sources_given) or 'none'})", key=True))
            return None
        if "lookup" in raw and "from" not in raw:
            diags.append(origin.at(path + ("lookup",), "profile-field",
                                   f"{column}: lookup needs from: (the field whose value is "
                                   f"looked up)", key=True))
        steps = []
        for i, s in enumerate(raw.get("lookup") or ()):
            need_entity(s["entity"], path + ("lookup", i, "entity"))
            steps.append(Step(s["entity"], s["field"]))
        mapname = raw.get("map")
        if isinstance(mapname, dict):
            inline += 1
            mapname = f"{column}#{inline}"
            picklists[mapname] = Picklist(mapname, _valuemap(raw["map"]), {}, None, None, "error")
        elif mapname is not None and mapname not in picklists:
            diags.append(origin.at(path + ("map",), "profile-unknown-picklist",
                                   f"{column}: no picklist {mapname!r}"
                                   f"{did_you_mean(mapname, picklists)}; define it under "
                                   f"picklists: or fix the name"))
        frm = raw.get("from")
        first = tuple(f for i, alt in enumerate(raw.get("first") or ())
                      if (f := field(alt, column, path + ("first", i))) is not None)
        return FieldSpec(
            column, paths=tuple([frm] if isinstance(frm, str) else frm or ()),
            lookup=tuple(steps), first=first, const=_text(raw.get("const")),
            default=_text(raw.get("default")), map=mapname,
            transform=raw.get("transform", "keep"), invert=bool(raw.get("invert")),
            is_set=bool(raw.get("is_set")), date=raw.get("date", "local"),
            format=raw.get("format"), where=where)

    kinds: dict[str, KindMap] = {}
    for kind, raw in (data.get("kinds") or {}).items():
        need_entity(raw["entity"], ("kinds", kind, "entity"))
        columns = {c.name for c in SPECS[kind].columns}
        fields: dict[str, FieldSpec] = {}
        for column, spec in raw["fields"].items():
            path = ("kinds", kind, "fields", column)
            if column not in columns:
                diags.append(origin.at(path, "profile-unknown-column",
                                       f"{kind} has no column {column!r}"
                                       f"{did_you_mean(column, columns)}; its columns are "
                                       f"{', '.join(c.name for c in SPECS[kind].columns)}",
                                       key=True))
                continue
            made = field(spec, column, path)
            if made is not None:
                fields[column] = made
        skips = tuple(Skip(s["field"], tuple((_text(v) or "").lower() for v in s["in"]),
                           s.get("reason") or f"{s['field']} is "
                           + " or ".join(str(_text(v)) for v in s["in"]))
                      for s in raw.get("skip") or ())
        kinds[kind] = KindMap(kind, raw["entity"], fields, skips)

    if diags:
        return None, sorted(set(diags))
    return ProfileData(id=data["id"], name=data.get("name", data["id"]), file=file,
                       timezone=tz, date_timezone=date_tz, entities=entities,
                       picklists=picklists, kinds=kinds, sources=sources), []
