"""Reporters for diagnostics: text, JSON and GitHub workflow annotations."""
from __future__ import annotations

import json
from typing import Sequence, TextIO

from ..diagnostics import Diagnostic


def summary(diags: Sequence[Diagnostic]) -> dict:
    errors = sum(1 for d in diags if d.is_error)
    return {"valid": errors == 0, "errors": errors, "warnings": len(diags) - errors,
            "problems": [d.as_json() for d in diags]}


def text_line(d: Diagnostic) -> str:
    """``file:line:col: level: message (code)`` (see ``Diagnostic.__str__``)."""
    return str(d)


def write_text(diags: Sequence[Diagnostic], out: TextIO, files_checked: int) -> None:
    for d in diags:
        out.write(text_line(d) + "\n")
    errors = sum(1 for d in diags if d.is_error)
    warnings = len(diags) - errors
    if diags:
        out.write(f"{errors} error(s), {warnings} warning(s) in {files_checked} file(s)\n")
    else:
        out.write(f"ok: {files_checked} file(s), no problems\n")


def write_json(diags: Sequence[Diagnostic], out: TextIO) -> None:
    out.write(json.dumps(summary(diags), indent=2, sort_keys=False) + "\n")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def write_github(diags: Sequence[Diagnostic], out: TextIO) -> None:
    """``::error file=...,line=...,col=...::message`` lines for GitHub Actions."""
    for d in diags:
        level = "error" if d.is_error else "warning"
        props = [f"file={_escape_property(d.file)}"]
        if d.line:
            props.append(f"line={d.line}")
        if d.col:
            props.append(f"col={d.col}")
        props.append(f"title={_escape_property('tenor ' + d.code)}")
        out.write(f"::{level} {','.join(props)}::{_escape_data(d.message)}\n")
