"""The bundled sample MSP's October 2026 preview and explain output, pinned.

The numbers were cross-checked by an independent recomputation when the
sample was written (see examples/README.md, "What the October 2026 preview
shows"); these files catch any unintended change to them. After an
intended change, regenerate with:
    tenor preview --format json > tests/cases/sample/preview-2026-10.json
    tenor explain CONTRACT > tests/cases/explain/CONTRACT.txt
and review the diff line by line.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli

REPO = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "cases"


def _run(args: list[str], monkeypatch) -> str:
    monkeypatch.chdir(REPO)      # paths in messages are relative to the working directory
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_sample_preview_matches_the_golden_file(monkeypatch):
    out = _run(["preview", "--format", "json"], monkeypatch)
    expected = (CASES / "sample" / "preview-2026-10.json").read_text(encoding="utf-8")
    assert json.loads(out) == json.loads(expected)
    assert out == expected     # byte for byte: the JSON is deterministic


def test_sample_totals_are_the_reviewed_figures(monkeypatch):
    doc = json.loads(_run(["preview", "--format", "json"], monkeypatch))
    totals = {inv["customer"]: inv["total"] for inv in doc["invoices"]}
    # spot figures reviewed by hand (examples/README.md)
    harbor = next(inv for inv in doc["invoices"] if inv["customer"] == "harbor-dental")
    assert [l["amount"] for l in harbor["lines"] if l["kind"] == "credit"] == ["-199.20"]
    summit = next(b for b in doc["balances"] if b["contract"] == "summit-law-blocks")
    assert (summit["used"], summit["closing"]) == ("15", "10.125")
    assert len(totals) == 13


@pytest.mark.parametrize("contract", sorted(p.stem for p in (CASES / "explain").glob("*.txt")))
def test_explain_matches_the_golden_file(contract, monkeypatch):
    out = _run(["explain", contract], monkeypatch)
    assert out == (CASES / "explain" / f"{contract}.txt").read_text(encoding="utf-8")
