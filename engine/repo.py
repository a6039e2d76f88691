"""Load stage: a contracts repo from disk into the data model.

Returns ``(Repo, diagnostics)``. A document with schema errors is left out
of the model (later stages can trust every field of what they get), but its
problems are all reported.
"""
from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .diagnostics import ERROR, Diagnostic
from .model import BUILDERS, SLA, Catalog, Contract, Product, RateCard
from .schema import validate_document
from .yamlload import Document, load_file

YAML_SUFFIXES = (".yaml", ".yml")
MAX_RULE_FILE_BYTES = 256 * 1024


@dataclass
class RuleSource:
    file: str
    text: str


@dataclass
class Repo:
    root: Path | None
    rate_cards: dict[str, RateCard] = field(default_factory=dict)
    catalogs: dict[str, Catalog] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)
    slas: dict[str, SLA] = field(default_factory=dict)
    contracts: dict[str, Contract] = field(default_factory=dict)
    rules: dict = field(default_factory=dict)           # name -> engine.rules Rule
    rule_sources: list[RuleSource] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    # every (kind, id) seen, including duplicates, for the unique-id check
    ids: dict[tuple[str, str], list[Document]] = field(default_factory=lambda: defaultdict(list))
    files: list[str] = field(default_factory=list)

    @property
    def default_rate_card(self) -> RateCard | None:
        defaults = [r for r in self.rate_cards.values() if r.default]
        return defaults[0] if len(defaults) == 1 else None

    def contracts_of(self, customer: str) -> list[Contract]:
        index = self.__dict__.get("_by_customer")
        if index is None or index[0] != len(self.contracts):
            by_customer: dict[str, list[Contract]] = defaultdict(list)
            for c in self.contracts.values():
                by_customer[c.customer].append(c)
            index = self.__dict__["_by_customer"] = (len(self.contracts), by_customer)
        return list(index[1].get(customer, ()))

    @property
    def categories(self) -> set[str]:
        return {p.category for p in self.products.values() if p.category}


def find_root(start: Path | None = None) -> Path | None:
    """The nearest ancestor (or self) of ``start`` that has a contracts.d folder."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "contracts.d").is_dir():
            return folder
    return None


def display_path(path: Path) -> str:
    """Paths are shown relative to the working directory when under it."""
    try:
        relative = os.path.relpath(path)   # once: it costs a getcwd and two normpaths
    except ValueError:  # different drive (Windows)
        return str(path)
    return relative if not relative.startswith("..") else str(path)


def yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())


def load_repo(root: Path | None, extra_files: Iterable[Path] = (), *,
              display_root: Path | None = None) -> tuple[Repo, list[Diagnostic]]:
    """Load every document under ``root``.

    ``display_root``: show files under ``root`` as paths under this folder
    instead of relative to the working directory. ``tenor diff`` loads a git
    revision exported to a temporary folder and passes ``Path()`` so that its
    files read ``contracts.d/x.yaml``, as in the repository.
    """
    repo = Repo(root=root)

    def shown_as(path: Path) -> str:
        if display_root is not None and root is not None:
            try:
                return (display_root / path.relative_to(root)).as_posix()
            except ValueError:
                pass
        return display_path(path)

    diags: list[Diagnostic] = []
    files: list[Path] = []
    if root is not None:
        files.extend(yaml_files(root / "contracts.d"))
    extras = list(extra_files)
    if extras:
        # resolve() is a syscall per path component: only pay it when there is
        # something to de-duplicate (a plain validate or preview has no extras)
        seen = {f.resolve() for f in files}
        for extra in extras:
            if extra.resolve() not in seen and extra.suffix in YAML_SUFFIXES:
                files.append(extra)
                seen.add(extra.resolve())
    for path in files:
        shown = shown_as(path)
        repo.files.append(shown)
        docs, problems = load_file(path, shown)
        diags.extend(problems)
        if not problems and all(doc.data is None for doc in docs):
            # an empty contracts file is almost always a truncated or mis-merged
            # one: its contracts would silently vanish from billing
            diags.append(Diagnostic(shown, 1, 1, "empty-file", ERROR,
                                    "file holds no document; restore its contents or delete the file"))
        for doc in docs:
            diags.extend(_add_document(repo, doc))
    if root is not None and (root / "rules").is_dir():
        for path in sorted((root / "rules").rglob("*.rules")):
            diags.extend(_load_rule_file(repo, path, shown_as(path)))
    return repo, diags


def _add_document(repo: Repo, doc: Document) -> list[Diagnostic]:
    if doc.data is None:  # an empty document (a stray '---') is harmless
        return []
    repo.documents.append(doc)
    problems = validate_document(doc)
    data = doc.data
    if isinstance(data, dict) and isinstance(data.get("kind"), str) and isinstance(data.get("id"), str):
        repo.ids[(data["kind"], data["id"])].append(doc)
    if any(p.is_error for p in problems):
        return problems
    kind = data["kind"]
    obj = BUILDERS[kind](doc)
    table = {"RateCard": repo.rate_cards, "Catalog": repo.catalogs,
             "SLA": repo.slas, "Contract": repo.contracts}[kind]
    table.setdefault(obj.id, obj)
    if isinstance(obj, Catalog) and repo.catalogs[obj.id] is obj:
        for product in obj.products:
            repo.products.setdefault(product.sku, product)
    return problems


def _load_rule_file(repo: Repo, path: Path, shown: str | None = None) -> list[Diagnostic]:
    from .rules import parse_rules_file

    shown = shown or display_path(path)
    repo.files.append(shown)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return [Diagnostic(shown, 0, 0, "unreadable", ERROR, f"cannot read file: {exc.strerror}")]
    if len(raw) > MAX_RULE_FILE_BYTES:
        return [Diagnostic(shown, 1, 1, "file-too-large", ERROR,
                           f"rule file is {len(raw)} bytes, over the {MAX_RULE_FILE_BYTES} byte limit; "
                           "split it into several files")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return [Diagnostic(shown, line, 1, "not-utf8", ERROR,
                           "rule file is not valid UTF-8; re-save it as UTF-8")]
    repo.rule_sources.append(RuleSource(shown, text))
    rules, diags = parse_rules_file(text, shown)
    diags = list(diags)
    for name, rule in rules.items():
        if name in repo.rules:
            first = repo.rules[name]
            diags.append(rule.loc.error(
                "duplicate-rule",
                f"rule '{name}' is already defined at {first.loc}; rename one of them"))
            continue
        repo.rules[name] = rule
    return diags
