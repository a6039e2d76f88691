"""An import profile as frozen data: what the YAML says, already checked.

A profile is declarative on purpose (SPEC 4: "a declarative mapping file, not
code"): every transformation a field can undergo is one of the few named
below, so a profile cannot run anything and a reviewer can read it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Mapping

# How a label or an unmapped value is rewritten.
TRANSFORMS = ("keep", "lower", "slug", "snake")


@dataclass(frozen=True)
class Entity:
    """A PSA entity's files (every page of TimeEntries, say)."""
    name: str
    files: tuple[str, ...]          # globs, matched case-insensitively on the bare name
    format: str                     # auto | csv | json
    key: str                        # field identifying a record, for lookups


@dataclass(frozen=True)
class Dump:
    """Where an Autotask ``entityInformation/fields`` dump gives labels."""
    files: tuple[str, ...]
    field: str
    labels: str                     # a TRANSFORM applied to each label


@dataclass(frozen=True)
class Fallback:
    """For a value no list names: look it up in ``entity`` and use ``field``."""
    entity: str
    field: str
    transform: str


@dataclass(frozen=True)
class Picklist:
    """A value map with layers: tenant values > dump labels > shipped defaults."""
    name: str
    values: Mapping[str, str | None]
    defaults: Mapping[str, str | None]
    dump: Dump | None
    fallback: Fallback | None
    unmapped: str                   # error | keep | blank | slug | snake | lower


@dataclass(frozen=True)
class Step:
    """One hop of a cross-file lookup: find the record of ``entity`` whose key
    is the current value, and continue with its ``field``."""
    entity: str
    field: str


@dataclass(frozen=True)
class FieldSpec:
    """How one canonical column is filled from a source record.

    Order of application: ``const`` | (``first`` | ``from`` -> ``lookup``) ->
    ``is_set`` -> ``transform`` -> ``map`` -> ``invert`` -> ``default`` (when
    still empty) -> conversion to the column's canonical text.
    """
    column: str
    paths: tuple[str, ...] = ()
    lookup: tuple[Step, ...] = ()
    first: tuple["FieldSpec", ...] = ()
    const: str | None = None
    default: str | None = None
    map: str | None = None          # a picklist name (inline maps get a generated one)
    transform: str = "keep"
    invert: bool = False
    is_set: bool = False
    date: str = "local"             # local | written
    format: str | None = None
    where: tuple[int, int] = (0, 0)  # (line, col) in the profile, for messages


@dataclass(frozen=True)
class Skip:
    field: str
    values: tuple[str, ...]         # compared as canonical text ("true", "DoNotBill")
    reason: str


@dataclass(frozen=True)
class KindMap:
    kind: str
    entity: str
    fields: Mapping[str, FieldSpec]
    skip: tuple[Skip, ...] = ()


@dataclass(frozen=True)
class ProfileData:
    """A resolved profile (``extends`` already merged)."""
    id: str
    name: str
    file: str                       # where it was read from (a built-in's package path)
    timezone: tzinfo
    date_timezone: tzinfo
    entities: Mapping[str, Entity]
    picklists: Mapping[str, Picklist]
    kinds: Mapping[str, KindMap]
    sources: tuple[str, ...] = field(default=())   # the files merged, base first
