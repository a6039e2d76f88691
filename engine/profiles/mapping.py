"""The mapping engine: a PSA's records -> canonical activity rows.

``Profile.feeds(folder)`` hands the activity loader one feed per source file
(the ``engine.activity.loader.Feed`` protocol). Each feed's rows are mapped
lazily, one record at a time, so a year of time entries streams exactly as a
canonical CSV does; only the entities other files look records up in
(tickets, tasks, projects, roles...) are held in memory, as an index by key.

The canonical loader then parses and checks the mapped text exactly as it
would a canonical CSV cell, so a profile can never bypass a check. Mapping
problems (an unmapped picklist value, a lookup that finds no record) are
handed over with the row: the row is held (time entries, charges) or skipped
(other kinds) with a ``file:row`` message, like any invalid row.
"""
from __future__ import annotations

import fnmatch
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..activity.columns import DATE, DATETIME, SPECS
from ..activity.loader import FeedError
from ..activity.model import KINDS
from ..activity.values import BadValue, parse_bool
from ..diagnostics import ERROR, WARNING, Diagnostic
from .model import Entity, FieldSpec, KindMap, Picklist, ProfileData
from .sources import (NotScalar, SourceError, as_text, file_format, get_path, load_json,
                      read_records)

__all__ = ["Profile", "Stats", "transform"]

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_ISO = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]([0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)"
                  r"(Z|[+-][0-9]{2}:?[0-9]{2})?\Z")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


def transform(value: str, how: str) -> str:
    """keep | lower | slug (``Acme Corp`` -> ``acme-corp``) | snake (``acme_corp``)."""
    if how == "keep":
        return value
    low = value.strip().lower()
    if how == "lower":
        return low
    return _NON_ALNUM.sub("-" if how == "slug" else "_", low).strip("-_")


class _Problem(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Unmapped:
    """One picklist value with no mapping: how often, and the first place."""
    picklist: str
    value: str
    column: str
    count: int = 0
    sample: str = ""


@dataclass
class FileStats:
    file: str                     # display name
    role: str                     # a kind, "lookup", "dump" or "ignored"
    entity: str | None
    rows: int = 0                 # records read
    skipped: Counter = field(default_factory=Counter)   # reason -> count
    problems: int = 0             # records with a mapping problem


@dataclass
class Stats:
    """What ``tenor profile check`` reports; filled while feeds are read."""
    files: dict[tuple[str, str], FileStats] = field(default_factory=dict)
    unmapped: dict[tuple[str, str], Unmapped] = field(default_factory=dict)
    missing: dict[tuple[str, str], Unmapped] = field(default_factory=dict)

    def file(self, display: str, role: str, entity: str | None) -> FileStats:
        st = self.files.get((display, role))
        if st is None:
            st = self.files[(display, role)] = FileStats(display, role, entity)
        return st


class _Index:
    """Records of one entity by key, for lookups (all its files, read once)."""

    def __init__(self, entity: Entity, files: list[tuple[Path, str]], stats: Stats,
                 diags: list[Diagnostic]) -> None:
        self.entity = entity
        self.records: dict[str, Any] = {}
        for path, display in files:
            st = stats.file(display, "lookup", entity.name)
            count = 0
            try:
                for _line, _index, record in read_records(path, file_format(path, entity.format)):
                    count += 1
                    try:
                        key = as_text(get_path(record, entity.key), entity.key)
                    except NotScalar:
                        continue
                    if key:
                        self.records.setdefault(key, record)
            except SourceError as exc:
                diags.append(Diagnostic(display, exc.line, 0, "profile_bad_file", ERROR,
                                        f"{exc.message}; lookups in {entity.name} will not "
                                        f"find its records"))
            st.rows = max(st.rows, count)


class _Run:
    """One reading of one folder: indexes, dumps and statistics."""

    def __init__(self, data: ProfileData, folder: Path, display_prefix: str | None,
                 stats: Stats) -> None:
        self.data = data
        self.folder = folder
        self.prefix = display_prefix
        self.stats = stats
        self.diags: list[Diagnostic] = []
        self.by_entity: dict[str, list[tuple[Path, str]]] = {e: [] for e in data.entities}
        self.labels: dict[str, dict[str, str]] = {}      # picklist -> dump labels
        self.indexes: dict[str, _Index] = {}
        self._classify()

    def display(self, name: str) -> str:
        return f"{self.prefix}/{name}" if self.prefix is not None else str(self.folder / name)

    def _classify(self) -> None:
        try:
            names = sorted(os.listdir(self.folder))
        except OSError:
            return                       # the loader has already reported the folder
        dumps = {name: p for name, p in self.data.picklists.items() if p.dump is not None}
        for name in names:
            path = self.folder / name
            if not path.is_file():
                continue
            low = name.lower()
            display = self.display(name)
            dumped = [p for p, pl in dumps.items()
                      if any(fnmatch.fnmatchcase(low, g.lower()) for g in pl.dump.files)]
            if dumped:
                self.stats.file(display, "dump", None)
                for p in dumped:
                    self._read_dump(self.data.picklists[p], path, display)
                continue
            matches = [e.name for e in self.data.entities.values()
                       if any(fnmatch.fnmatchcase(low, g.lower()) for g in e.files)]
            if len(matches) > 1:
                self.diags.append(Diagnostic(
                    display, 0, 0, "profile_ambiguous_file", ERROR,
                    f"the file matches the patterns of entities {', '.join(matches)}; it was "
                    f"not read — rename it or make the entities' files: patterns narrower"))
                self.stats.file(display, "ignored", None)
            elif matches:
                self.by_entity[matches[0]].append((path, display))
            else:
                self.stats.file(display, "ignored", None)

    def _read_dump(self, pl: Picklist, path: Path, display: str) -> None:
        """Labels of ``pl.dump.field`` from an entityInformation/fields dump."""
        try:
            doc = load_json(path)
        except SourceError as exc:
            self.diags.append(Diagnostic(display, exc.line, 0, "profile_bad_file", ERROR,
                                         f"{exc.message}; its picklist labels were not used"))
            return
        fields = doc.get("fields") if isinstance(doc, dict) else None
        entry = next((f for f in fields or () if isinstance(f, dict)
                      and f.get("name") == pl.dump.field), None)
        values = entry.get("picklistValues") if isinstance(entry, dict) else None
        if not isinstance(values, list):
            self.diags.append(Diagnostic(
                display, 0, 0, "profile_bad_dump", WARNING,
                f"no picklist field {pl.dump.field!r} in this entityInformation/fields dump; "
                f"save the response of GET <Entity>/entityInformation/fields for the right "
                f"entity (picklist {pl.name!r} falls back to its values and defaults)"))
            return
        labels = self.labels.setdefault(pl.name, {})
        for v in values:
            if isinstance(v, dict) and v.get("value") is not None and v.get("label"):
                labels[str(v["value"]).strip()] = transform(str(v["label"]), pl.dump.labels)

    def index(self, entity: str) -> _Index:
        idx = self.indexes.get(entity)
        if idx is None:
            idx = self.indexes[entity] = _Index(self.data.entities[entity],
                                                self.by_entity[entity], self.stats, self.diags)
        return idx

    # --------------------------------------------------------------- values
    def lookup(self, entity: str, key: str, wanted: str, column: str, ref: str) -> str:
        idx = self.index(entity)
        record = idx.records.get(key)
        if record is None:
            m = self.stats.missing.setdefault((entity, key), Unmapped(entity, key, column))
            m.count += 1
            m.sample = m.sample or ref
            globs = ", ".join(self.data.entities[entity].files)
            raise _Problem("profile_lookup_missing",
                           f"column '{column}': no {entity} record with "
                           f"{idx.entity.key} {key!r} (needed for its {wanted}); add that "
                           f"record's export ({globs}) to the folder")
        try:
            return as_text(get_path(record, wanted), wanted)
        except NotScalar as exc:
            raise _Problem("profile_bad_value", f"column '{column}': {entity} {exc}") from None

    def apply_map(self, name: str, value: str, column: str, ref: str) -> str:
        pl = self.data.picklists[name]
        if value in pl.values:
            return pl.values[value] or ""
        labels = self.labels.get(name)
        if labels is not None and value in labels:
            return labels[value]
        if value in pl.defaults:
            return pl.defaults[value] or ""
        if pl.fallback is not None:
            rec = self.index(pl.fallback.entity).records.get(value)
            if rec is not None:
                try:
                    found = as_text(get_path(rec, pl.fallback.field), pl.fallback.field)
                except NotScalar:
                    found = ""
                if found:
                    return transform(found, pl.fallback.transform)
        if pl.unmapped == "keep":
            return value
        if pl.unmapped == "blank":
            return ""
        if pl.unmapped != "error":
            return transform(value, pl.unmapped)
        u = self.stats.unmapped.setdefault((name, value), Unmapped(name, value, column))
        u.count += 1
        u.sample = u.sample or ref
        where = ("picklists." + name + ".values") if "#" not in name else \
            f"the map: of column {column}"
        hint = ""
        if pl.fallback is not None:
            hint = (f" (no {pl.fallback.entity} record {value!r} names it either: include "
                    f"the {pl.fallback.entity} export)")
        raise _Problem("profile_unmapped_value",
                       f"column '{column}': value {value!r} has no mapping in picklist "
                       f"{name.split('#')[0]!r}{hint}; add it to {where} in your profile, "
                       f"like \"{value}\": <tenor name>")

    def resolve(self, spec: FieldSpec, record: Any, ref: str) -> str:
        if spec.const is not None:
            value = spec.const
        elif spec.first:
            value = ""
            for alt in spec.first:
                if self.raw(alt, record):
                    value = self.resolve(alt, record, ref)
                    break
        else:
            value = self.raw(spec, record)
            for step in spec.lookup:
                if not value:
                    break
                value = self.lookup(step.entity, value, step.field, spec.column, ref)
        if spec.is_set:
            value = "true" if value else "false"
        if value and spec.transform != "keep":
            value = transform(value, spec.transform)
        if value and spec.map is not None:
            value = self.apply_map(spec.map, value, spec.column, ref)
        if value and spec.invert:
            try:
                value = "false" if parse_bool(value) else "true"
            except BadValue as exc:
                raise _Problem(exc.code, f"column '{spec.column}': {exc.message}") from None
        if not value and spec.default is not None:
            value = spec.default
        return value

    def raw(self, spec: FieldSpec, record: Any) -> str:
        """The first non-empty of the spec's source paths ("" if none)."""
        if spec.first:
            return next((v for alt in spec.first if (v := self.raw(alt, record))), "")
        if spec.const is not None:
            return spec.const
        for path in spec.paths:
            try:
                value = as_text(get_path(record, path), path)
            except NotScalar as exc:
                raise _Problem("profile_bad_value", f"column '{spec.column}': {exc}") from None
            if value:
                return value
        return ""

    def convert(self, spec: FieldSpec, ctype: str, value: str) -> str:
        """Source text -> the canonical text of a DATE or DATETIME column."""
        if not value or ctype not in (DATE, DATETIME):
            return value
        if spec.format:
            try:
                parsed = datetime.strptime(value, spec.format)
            except ValueError:
                raise _Problem("activity_bad_date" if ctype == DATE else "activity_bad_datetime",
                               f"column '{spec.column}': {value!r} does not match the "
                               f"profile's format {spec.format!r}; fix the export or the "
                               f"format") from None
            return self._finish(parsed, ctype, spec, value)
        if ctype == DATE and _DATE.match(value):
            return value
        m = _ISO.match(value)
        if m is None:
            return value                 # the canonical parser says what is wrong
        if ctype == DATE and spec.date == "written":
            return m.group(1)
        text = f"{m.group(1)}T{m.group(2)}"
        off = m.group(3)
        if off and off != "Z" and ":" not in off:
            off = off[:3] + ":" + off[3:]
        try:
            parsed = datetime.fromisoformat(text + (off.replace("Z", "+00:00") if off else ""))
        except ValueError:
            return value
        return self._finish(parsed, ctype, spec, value)

    def _finish(self, parsed: datetime, ctype: str, spec: FieldSpec, raw: str) -> str:
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=self.data.timezone)
        if ctype == DATETIME:
            return parsed.isoformat()
        if spec.date == "written":
            return parsed.date().isoformat()
        return parsed.astimezone(self.data.date_timezone).date().isoformat()


class _Feed:
    """One source file of one kind, as the loader's ``Feed`` protocol."""

    def __init__(self, run: _Run, km: KindMap, path: Path, display: str) -> None:
        self.kind = km.kind
        self.name = path.name
        self.display = display
        spec = SPECS[km.kind]
        self.header = [c.name for c in spec.columns]
        self.diags: list[Diagnostic] = []
        self._run, self._km, self._path = run, km, path
        self.rows: Iterable[tuple[int, list[str], list[tuple[str, str]] | None]] = self._rows()

    def _rows(self) -> Iterator[tuple[int, list[str], list[tuple[str, str]] | None]]:
        run, km = self._run, self._km
        spec = SPECS[km.kind]
        st = run.stats.file(self.display, km.kind, km.entity)
        missing = [c.name for c in spec.columns if c.required and c.name not in km.fields]
        if missing:
            raise FeedError(Diagnostic(
                self.display, 0, 0, "profile_unmapped_column", ERROR,
                f"profile {run.data.id!r} maps nothing to required {km.kind} column"
                f"{'s' if len(missing) > 1 else ''} {', '.join(missing)}; add "
                f"kinds.{km.kind}.fields.{missing[0]} to the profile; the file was skipped"))
        plan = [(km.fields.get(c.name), c.type) for c in spec.columns]
        fmt = file_format(self._path, run.data.entities[km.entity].format)
        try:
            for line, index, record in read_records(self._path, fmt):
                st.rows += 1
                ref = f"{self.display}:{line}"
                if not isinstance(record, dict):
                    st.problems += 1
                    yield line, [""] * len(plan), [(
                        "profile_bad_record",
                        f"item #{index} is not an object (a record with fields); remove it")]
                    continue
                reason = self._skipped(record)
                if reason is not None:
                    st.skipped[reason] += 1
                    continue
                cells: list[str] = []
                problems: list[tuple[str, str]] = []
                for fs, ctype in plan:
                    if fs is None:
                        cells.append("")
                        continue
                    try:
                        cells.append(run.convert(fs, ctype, run.resolve(fs, record, ref)))
                    except _Problem as exc:
                        cells.append("")
                        problems.append((exc.code, exc.message))
                if problems:
                    st.problems += 1
                    if fmt == "json":
                        problems = [(c, f"item #{index}: {m}") for c, m in problems]
                elif not any(cells):
                    problems = [("profile_empty_record",
                                 f"item #{index} maps to no values at all; check that the "
                                 f"file belongs to {km.entity}")]
                yield line, cells, problems or None
        except SourceError as exc:
            raise FeedError(Diagnostic(self.display, exc.line, 0, "profile_bad_file", ERROR,
                                       f"{exc.message}; the file was skipped (no {km.kind} "
                                       f"read from it)")) from None
        for reason, count in sorted(st.skipped.items()):
            self.diags.append(Diagnostic(
                self.display, 0, 0, "profile_skipped_rows", WARNING,
                f"{count} record{'s' if count > 1 else ''} not read as {km.kind}: {reason} "
                f"(a skip: rule of profile {run.data.id!r})"))

    def _skipped(self, record: dict) -> str | None:
        for rule in self._km.skip:
            try:
                value = as_text(get_path(record, rule.field), rule.field).lower()
            except NotScalar:
                continue
            if value in rule.values:
                return rule.reason
        return None


class Profile:
    """A loaded import profile; pass it to ``load_activity(profile=...)``."""

    def __init__(self, data: ProfileData, stats: Stats | None = None) -> None:
        self.data = data
        self.stats = stats

    @property
    def id(self) -> str:
        return self.data.id

    def with_stats(self, stats: Stats) -> "Profile":
        """The same profile, recording what ``tenor profile check`` reports."""
        return Profile(self.data, stats)

    def feeds(self, folder: Path, display_prefix: str | None
              ) -> tuple[Iterable[_Feed], list[Diagnostic]]:
        run = _Run(self.data, Path(folder), display_prefix, self.stats or Stats())
        feeds: list[_Feed] = []
        for kind in KINDS:
            km = self.data.kinds.get(kind)
            if km is None:
                continue
            for path, display in run.by_entity.get(km.entity, ()):
                feeds.append(_Feed(run, km, path, display))
        if not feeds:
            wanted = "; ".join(f"{km.kind}: {', '.join(self.data.entities[km.entity].files)}"
                               for km in self.data.kinds.values())
            run.diags.append(Diagnostic(
                display_prefix if display_prefix is not None else str(folder), 0, 0,
                "activity_no_files", WARNING,
                f"no files for profile {self.data.id!r} found; it reads {wanted}"))
        return feeds, run.diags
