"""The one exception the rule package raises on purpose.

Parsing and checking report problems as Diagnostics; only evaluation (a
division by a metric that is zero, comparing a date with a number in a
``--where`` condition) can fail at run time, and it does so with a
``RuleError`` carrying a readable message and, when known, the source
location, never a raw Python traceback.
"""
from __future__ import annotations

from engine.diagnostics import Loc


class RuleError(Exception):
    """A rule or condition that cannot be evaluated on the given values."""

    def __init__(self, message: str, loc: Loc | None = None) -> None:
        super().__init__(f"{loc}: {message}" if loc else message)
        self.message = message
        self.loc = loc
