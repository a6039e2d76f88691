"""``tenor contracts [--where]`` on the sample MSP."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from engine.commands.contracts import parse_where

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "cases" / "commands"


def run(*args: str):
    result = CliRunner().invoke(cli, ["contracts", "--root", str(REPO), *args])
    assert "Traceback" not in result.output + result.stderr
    return result


def ids(*args: str) -> list[str]:
    result = run("--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return [c["id"] for c in json.loads(result.stdout)["contracts"]]


def test_table_golden() -> None:
    result = run()
    assert result.exit_code == 0
    path = GOLDEN / "contracts.txt"
    if os.environ.get("TENOR_UPDATE_GOLDEN"):
        path.write_text(result.stdout)
    assert result.stdout == path.read_text()
    assert result.stdout.endswith("\n15 contract(s)\n")


def test_where_spec_example() -> None:
    # SPEC 7's example: block_hours contracts ending before 2026-12-31: none in the sample
    assert ids("--where", 'type == "block_hours" and end < 2026-12-31') == []
    assert ids("--where", 'type == "block_hours"') == ["pinecrest-blocks", "summit-law-blocks"]
    assert ids("--where", 'type == "block_hours" and end < 2027-12-31') == ["pinecrest-blocks"]


def test_dates_compare_as_dates() -> None:
    assert ids("--where", 'status == "active" and end < 2027-01-01') == [
        "cedar-grove-retainer", "harbor-dental-relocation", "lakeshore-tm", "maple-retainer",
        "oakridge-managed"]
    assert ids("--where", "start >= 2026-10-15") == ["lakeshore-managed"]
    assert ids("--where", "end == 2026-10-14") == ["lakeshore-tm"]


def test_booleans_absent_values_and_other_fields() -> None:
    assert ids("--where", "not default and status == \"active\"") == [
        "harbor-dental-relocation", "keystone-security"]
    # an absent sla equals nothing but another absent value
    assert ids("--where", 'sla == "platinum" or frequency == "quarterly"') == [
        "northwind-devices", "oakridge-managed", "pinecrest-blocks"]
    assert ids("--where", 'frequency == "annually"') == ["keystone-security"]
    assert ids("--where", 'customer == "harbor-dental" and id != "harbor-dental-managed"') == [
        "harbor-dental-relocation"]


def test_json_fields() -> None:
    result = run("--format", "json", "--where", 'id == "keystone-security"')
    assert json.loads(result.stdout) == {"contracts": [{
        "id": "keystone-security", "customer": "keystone-insurance", "type": "recurring",
        "status": "active", "start": "2026-08-01", "end": "2027-07-31", "sla": None,
        "default": False, "frequency": "annually",
        "name": "Keystone Insurance Agency - Annual security compliance"}]}


@pytest.mark.parametrize("cond, message, caret_col", [
    ('type == ', "unexpected end", 9),
    ('typ == "recurring"', "unknown field 'typ'; did you mean 'type'?", 1),
    ('end < "2026-01-01"', "cannot compare a date", 1),
    ('type == "x" and (status', "", None),
])
def test_where_errors_exit_2_with_caret(cond: str, message: str, caret_col: int | None) -> None:
    result = run("--where", cond)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("tenor: --where: ")
    assert message in result.stderr
    lines = result.stderr.rstrip("\n").split("\n")
    assert lines[-1].strip() == "^"
    if caret_col is not None:
        assert lines[-1].index("^") - 4 == caret_col - 1
        assert lines[-2] == "    " + cond


def test_parse_where_accepts_valid() -> None:
    cond, error = parse_where('default and end >= 2027-01-01')
    assert error is None and cond is not None


def test_no_repo_is_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["contracts"])
    assert result.exit_code == 2 and "no contracts repo found" in result.stderr
