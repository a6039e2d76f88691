"""Golden tests for ``tenor preview --format json`` (SPEC sections 4, 5 and 8).

Each folder under ``tests/cases/preview/`` is a tiny, complete contracts repo
with its own activity export, a ``period.txt`` and an ``expected.json`` that
was computed BY HAND from the SPEC (the arithmetic for every line is in the
folder's ``NOTES.md``). The engine's output must match it exactly, so a change
in billing behaviour shows up here as a readable diff, never silently.

Why the command runs from inside the case folder: file locations in messages
(e.g. a blocklist entry's ``contracts.d/x.yaml:12:5``) are shown relative to
the working directory, and a golden file must not depend on where pytest was
started.
"""
from __future__ import annotations

import difflib
import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli import cli

CASES_DIR = Path(__file__).parent / "cases" / "preview"
CASES = sorted(p for p in CASES_DIR.iterdir() if (p / "expected.json").is_file()) \
    if CASES_DIR.is_dir() else []
DISPOSITION_NAMES = ("billed", "covered", "drawn", "non_billable", "other_period", "held")


def preview_text(case: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run ``tenor preview`` on a case folder exactly as a user would; the raw JSON text."""
    period = (case / "period.txt").read_text(encoding="utf-8").strip()
    monkeypatch.chdir(case)
    result = CliRunner().invoke(
        cli, ["preview", "--root", ".", "--activity", "activity", "--period", period,
              "--format", "json"])
    assert result.exit_code == 0, (
        f"tenor preview exited {result.exit_code}\nstdout:\n{result.stdout}\n"
        f"stderr:\n{result.stderr}\n{result.exception!r}")
    return result.stdout


def run_preview(case: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    return json.loads(preview_text(case, monkeypatch))


def _pretty(data: Any) -> list[str]:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False).splitlines()


def _diff(expected: Any, got: Any) -> str:
    return "\n".join(difflib.unified_diff(_pretty(expected), _pretty(got),
                                          "expected.json (hand-computed)", "tenor preview",
                                          lineterm="", n=4))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_preview_matches_hand_computed_golden(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    got = run_preview(case, monkeypatch)
    assert got == expected, (f"{case.name}: preview differs from the hand computation "
                             f"(see {case.name}/NOTES.md)\n{_diff(expected, got)}")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_expected_json_is_self_consistent(case: Path) -> None:
    """The golden files themselves obey SPEC 5.9 and 5.11, so a typo in one is caught."""
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    _check_invariants(case.name + "/expected.json", expected)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_engine_output_invariants(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Totals add up and every row has one disposition, whatever else differs."""
    _check_invariants(case.name + " (tenor preview)", run_preview(case, monkeypatch))


ROW_ORDER_CASES = [c for c in CASES
                   if not json.loads((c / "expected.json").read_text(encoding="utf-8"))["held"]]


@pytest.mark.parametrize("case", ROW_ORDER_CASES, ids=[c.name for c in ROW_ORDER_CASES])
def test_output_does_not_depend_on_row_order(case: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """SPEC 8: byte-identical JSON whatever the order of rows in the activity files.

    Only cases without held rows: a held row's reported line number moves with it.
    """
    copy = tmp_path / case.name
    shutil.copytree(case, copy)
    for csv_file in (copy / "activity").glob("*.csv"):
        header, *rows = csv_file.read_text(encoding="utf-8").splitlines()
        csv_file.write_text("\n".join([header, *reversed(rows)]) + "\n", encoding="utf-8")
    assert preview_text(copy, monkeypatch) == preview_text(case, monkeypatch)


def _check_invariants(where: str, data: dict[str, Any]) -> None:
    for inv in data["invoices"]:
        lines_sum = sum((Decimal(l["amount"]) for l in inv["lines"]), Decimal("0.00"))
        assert Decimal(inv["total"]) == lines_sum, (
            f"{where}: invoice {inv['customer']} total {inv['total']} != sum of its lines {lines_sum}")
        for l in inv["lines"]:
            # every amount is exactly cents (SPEC 5.9: rounded half-up per line)
            assert Decimal(l["amount"]) == Decimal(l["amount"]).quantize(Decimal("0.01")), (
                f"{where}: amount {l['amount']} of '{l['description']}' is not in cents")
    for kind, counts in data["dispositions"].items():
        parts = sum(counts[name] for name in DISPOSITION_NAMES)
        assert parts == counts["read"], (
            f"{where}: {kind} dispositions add up to {parts}, but {counts['read']} rows were read")
        held_here = [h for h in data["held"] if h.get("kind", kind) == kind]
        assert len(held_here) == counts["held"], (
            f"{where}: {kind} counts {counts['held']} held rows but the held list has {len(held_here)}")
    for b in data["balances"]:
        o, a, u, f, c = (Decimal(b[k]) for k in ("opening", "added", "used", "forfeited", "closing"))
        assert o + a - u - f == c, f"{where}: balance of {b['contract']} does not add up"


def test_there_are_golden_cases() -> None:
    assert len(CASES) >= 13, f"expected at least 13 golden cases in {CASES_DIR}, found {len(CASES)}"
