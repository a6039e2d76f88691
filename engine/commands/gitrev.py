"""Read a contracts repo's files at a git revision, with git plumbing only.

Why plumbing and not ``git checkout`` or ``git worktree``: ``tenor diff`` runs
in CI on pull requests, so the revision under review is untrusted. Checking
it out would touch the user's working tree and could run hooks or filters
that the revision (or the local config) names. Here git only *reads*
objects: ``ls-tree`` lists the blobs under ``contracts.d/`` and ``rules/`` and
``cat-file --batch`` streams their bytes, which Python writes as plain files
into a temporary folder. No hooks, no smudge filters, no symlinks followed.
"""
from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable

# The folders of a contracts repo that decide billing (SPEC 1).
TRACKED_FOLDERS = ("contracts.d", "rules")
WORKTREE = "WORKTREE"
MAX_EXPORT_BYTES = 64 * 1024 * 1024   # a contracts repo is text; refuse absurd trees


class GitError(Exception):
    """git is missing, the folder is not a repository, or a ref does not resolve."""


@dataclass(frozen=True)
class GitRepo:
    """Where the contracts repo sits inside its git repository."""
    root: Path          # the contracts repo (has contracts.d/)
    prefix: str         # its path inside the git work tree, '' or ending in '/'


def _env() -> dict[str, str]:
    """A hardened environment: no system config, no prompts, no pagers, no lock writes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0",
                "GIT_OPTIONAL_LOCKS": "0", "GIT_PAGER": "cat", "LC_ALL": "C"})
    return env


def _git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    cmd = ["git", "-C", str(root), "-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false",
           "-c", "core.quotePath=false", *args]
    try:
        proc = subprocess.run(cmd, input=stdin, capture_output=True, env=_env(), check=False)
    except FileNotFoundError as exc:
        raise GitError("git is not installed or not on PATH; tenor diff needs git") from exc
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[-1] if message else f"git {args[0]} failed")
    return proc.stdout


def open_repo(root: Path) -> GitRepo:
    """The git repository holding ``root``; GitError when there is none."""
    try:
        prefix = _git(root, "rev-parse", "--show-prefix").decode("utf-8").strip()
    except GitError as exc:
        raise GitError(f"{root} is not inside a git repository ({exc}); tenor diff compares "
                       "git revisions, so run it in a clone of your contracts repo") from exc
    return GitRepo(root=root, prefix=prefix)


def resolve(repo: GitRepo, ref: str) -> str:
    """The commit id ``ref`` names. Refs that look like options are refused outright."""
    if not ref or ref.startswith("-") or "\x00" in ref:
        raise GitError(f"'{ref}' is not a git revision; give a branch, tag or commit, "
                       "e.g. --base origin/main")
    try:
        out = _git(repo.root, "rev-parse", "--verify", "--quiet", "--end-of-options",
                   f"{ref}^{{commit}}")
    except GitError:
        out = b""
    sha = out.decode("ascii", "replace").strip()
    if not sha:
        raise GitError(f"unknown git revision '{ref}'; check the name (git branch -a, git log), "
                       "and in CI fetch enough history (actions/checkout with fetch-depth: 0)")
    return sha


def _safe_relpath(path: str) -> PurePosixPath | None:
    pure = PurePosixPath(path)
    if pure.is_absolute() or any(part in ("", ".", "..", ".git") for part in pure.parts):
        return None
    return pure


def export(repo: GitRepo, sha: str, dest: Path) -> list[str]:
    """Write ``contracts.d/`` and ``rules/`` at commit ``sha`` under ``dest``.

    Returns the exported paths (relative, POSIX). Only regular files are
    written; symlinks and submodules are skipped, since following them could
    read outside the repository.
    """
    listing = _git(repo.root, "ls-tree", "-r", "-z", "--full-tree", sha, "--",
                   *(repo.prefix + folder for folder in TRACKED_FOLDERS))
    blobs: list[tuple[str, PurePosixPath]] = []
    for record in listing.split(b"\x00"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        mode, kind, obj = meta.decode("ascii").split(" ")
        if kind != "blob" or mode not in ("100644", "100755"):
            continue
        full = name.decode("utf-8", "surrogateescape")
        if not full.startswith(repo.prefix):
            continue
        rel = _safe_relpath(full[len(repo.prefix):])
        if rel is None or rel.parts[0] not in TRACKED_FOLDERS:
            continue
        blobs.append((obj, rel))
    if not blobs:
        return []
    stream = _git(repo.root, "cat-file", "--batch",
                  stdin="".join(f"{obj}\n" for obj, _ in blobs).encode("ascii"))
    if len(stream) > MAX_EXPORT_BYTES:
        raise GitError(f"contracts.d/ and rules/ at {sha[:12]} hold over {MAX_EXPORT_BYTES} bytes; "
                       "that is not a contracts repo")
    pos = 0
    written: list[str] = []
    for obj, rel in blobs:
        end = stream.index(b"\n", pos)
        header = stream[pos:end].decode("ascii").split(" ")
        if len(header) != 3 or header[1] != "blob":
            raise GitError(f"git cat-file returned an unexpected object for {rel}")
        size = int(header[2])
        content = stream[end + 1:end + 1 + size]
        pos = end + 1 + size + 1          # the content is followed by a newline
        target = dest.joinpath(*rel.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        written.append(rel.as_posix())
    return sorted(written)


def worktree_files(root: Path) -> list[str]:
    """Regular files under ``contracts.d/`` and ``rules/`` on disk (relative, POSIX)."""
    out: list[str] = []
    for folder in TRACKED_FOLDERS:
        base = root / folder
        if not base.is_dir():
            continue
        for path in base.rglob("*"):
            if path.is_file() and not path.is_symlink():
                rel = path.relative_to(root).as_posix()
                if "__pycache__" not in rel.split("/"):
                    out.append(rel)
    return sorted(out)


def changed_files(before: Path, after: Path, before_files: Iterable[str],
                  after_files: Iterable[str]) -> list[str]:
    """Paths added, removed or edited between two trees, by comparing bytes."""
    old, new = set(before_files), set(after_files)
    changed = []
    for rel in sorted(old | new):
        if rel not in old or rel not in new:
            changed.append(rel)
        elif (before / rel).read_bytes() != (after / rel).read_bytes():
            changed.append(rel)
    return changed
