"""Progress on stderr for long runs: only on a terminal, never in CI (SPEC 7).

Stages rather than a per-row bar: the slow steps (reading a year of exports,
replaying balances) are a handful of calls, and a line that says which one is
running is what a person waiting at a terminal wants.
"""
from __future__ import annotations

import os
import sys
import time


def enabled() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


class Progress:
    def __init__(self, steps: int) -> None:
        self.steps = steps
        self.done = 0
        self.on = enabled()
        self.started = time.monotonic()

    def stage(self, message: str) -> None:
        self.done += 1
        if self.on:
            width = 20
            filled = width * (self.done - 1) // self.steps
            bar = "#" * filled + "-" * (width - filled)
            sys.stderr.write(f"\r[{bar}] {self.done}/{self.steps} {message}...\x1b[K")
            sys.stderr.flush()

    def finish(self) -> None:
        if self.on:
            sys.stderr.write(f"\r\x1b[Kdone in {time.monotonic() - self.started:.1f} s\n")
            sys.stderr.flush()
