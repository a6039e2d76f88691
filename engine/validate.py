"""Validate stage: load the repo, then run every semantic check.

``tenor validate PATH...`` still loads the whole repo (references cross
files), then keeps only the problems inside the given files or folders.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from .checks import run_checks
from .diagnostics import Diagnostic
from .repo import Repo, display_path, find_root, load_repo


def validate(root: Path | None, paths: Sequence[Path] = ()) -> tuple[Repo, list[Diagnostic]]:
    extra = [p for p in paths if p.is_file()]
    repo, diags = load_repo(root, extra)
    diags = diags + run_checks(repo)
    if paths:
        wanted_files = {display_path(p) for p in paths if p.is_file()}
        wanted_dirs = [display_path(p) for p in paths if p.is_dir()]
        diags = [d for d in diags
                 if d.file in wanted_files
                 or any(d.file == w or d.file.startswith(w.rstrip("/") + "/") for w in wanted_dirs)]
    return repo, sorted(set(diags))


def resolve_root(root: str | None) -> Path | None:
    if root:
        return Path(root)
    return find_root()
