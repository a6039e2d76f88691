"""One diagnostic type for every problem tenor reports.

Modelled on yamllint's LintProblem: sortable, printable as
``file:line:col: level: message (code)``. CSV problems use ``col = 0`` and
print as ``file:row: level: message (code)``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    file: str
    line: int          # 1-based; 0 when the problem concerns the whole file
    col: int           # 1-based; 0 for CSV rows and whole-file problems
    code: str
    severity: str      # "error" | "warning"
    message: str

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def location(self) -> str:
        if self.line and self.col:
            return f"{self.file}:{self.line}:{self.col}"
        if self.line:
            return f"{self.file}:{self.line}"
        return self.file

    def __str__(self) -> str:
        # a message with a source excerpt (a caret line) keeps "(code)" on its
        # first line, so the caret stays under its column
        head, sep, rest = self.message.partition("\n")
        return f"{self.location()}: {self.severity}: {head} ({self.code}){sep}{rest}"

    def as_json(self) -> dict:
        return {"file": self.file, "line": self.line, "column": self.col,
                "code": self.code, "severity": self.severity, "message": self.message}


@dataclass(frozen=True, order=True)
class Loc:
    """A source position, 1-based. Attached to model objects for explain and errors."""
    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"

    def error(self, code: str, message: str) -> Diagnostic:
        return Diagnostic(self.file, self.line, self.col, code, ERROR, message)

    def warning(self, code: str, message: str) -> Diagnostic:
        return Diagnostic(self.file, self.line, self.col, code, WARNING, message)


def has_errors(diags: Iterable[Diagnostic]) -> bool:
    return any(d.is_error for d in diags)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ``; did you mean 'x'?`` suffix, or an empty string."""
    import difflib
    match = difflib.get_close_matches(word, sorted(set(choices)), n=1, cutoff=0.6)
    return f"; did you mean '{match[0]}'?" if match else ""
