"""`tenor sla` end to end: the golden case through the CLI, formats and --as-of."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cli import cli

CASE = Path(__file__).resolve().parent / "cases" / "sla" / "01_gold_month"
REPO = Path(__file__).resolve().parent.parent


def run(*args: str):
    return CliRunner().invoke(cli, ["sla", *args])


def test_golden_case_through_the_cli():
    period = (CASE / "period.txt").read_text().strip()
    result = run("--root", str(CASE), "--activity", str(CASE / "activity"), "--period", period,
                 "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == json.loads((CASE / "expected.json").read_text())


def test_sample_table_and_markdown():
    result = run("--root", str(REPO))
    assert result.exit_code == 0
    assert "harbor-dental-managed" in result.stdout
    result = run("--root", str(REPO), "--format", "markdown")
    assert result.exit_code == 0 and "|" in result.stdout


def test_as_of_moves_open_tickets_and_bad_as_of_is_usage_error():
    early = json.loads(run("--root", str(REPO), "--format", "json", "--as-of", "2026-10-20").stdout)
    late = json.loads(run("--root", str(REPO), "--format", "json").stdout)
    assert early["as_of"] != late["as_of"]
    bad = run("--root", str(REPO), "--as-of", "garbage")
    assert bad.exit_code == 2 and "--as-of" in bad.stderr and "Traceback" not in bad.output


def test_sla_breaches_reach_the_invoice():
    result = CliRunner().invoke(cli, ["preview", "--root", str(REPO), "--format", "json",
                                      "--customer", "harbor-dental"])
    doc = json.loads(result.stdout)
    credits = [l for inv in doc["invoices"] for l in inv["lines"] if l["kind"] == "credit"]
    # 2 breaches x 5% of services 1992.00 = 10% -> -199.20 (see examples/README.md)
    assert [c["amount"] for c in credits] == ["-199.20"]
    explain = CliRunner().invoke(cli, ["explain", "harbor-dental-managed", "--root", str(REPO)])
    assert "breached" in explain.stdout and "sla.breaches=2" in explain.stdout
