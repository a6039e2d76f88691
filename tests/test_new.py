"""``tenor new``: clone a contract by editing its text, keeping comments."""
from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from engine.commands.new import term_months, shift_date, yaml_scalar
from engine.repo import load_repo
from engine.validate import validate

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "cases" / "commands"


@pytest.fixture()
def msp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "msp"
    shutil.copytree(REPO / "contracts.d", root / "contracts.d")
    shutil.copytree(REPO / "rules", root / "rules")
    shutil.copytree(REPO / "schemas", root / "schemas")
    monkeypatch.chdir(root)
    return root


def new(root: Path, *args: str):
    result = CliRunner().invoke(cli, ["new", "--root", str(root), *args])
    assert "Traceback" not in result.output + result.stderr
    return result


def validates(root: Path) -> bool:
    return CliRunner().invoke(cli, ["validate", "--root", str(root)]).exit_code == 0


def test_clone_block_hours_golden(msp: Path) -> None:
    result = new(msp, "acme-blocks", "--from", "summit-law-blocks", "--customer", "acme",
                 "--start", "2027-01-01")
    assert result.exit_code == 0, result.stderr
    assert "created contracts.d/acme/acme-blocks.yaml" in result.stdout
    target = msp / "contracts.d" / "acme" / "acme-blocks.yaml"
    text = target.read_text()
    path = GOLDEN / "new-acme-blocks.yaml"
    if os.environ.get("TENOR_UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text()
    assert validates(msp)
    repo, _ = load_repo(msp)
    c = repo.contracts["acme-blocks"]
    # 48-month source term -> 2027-01-01 .. 2030-12-31; blocks move 36 months with the start
    assert (c.customer, c.start, c.end) == ("acme", date(2027, 1, 1), date(2030, 12, 31))
    assert [b.date for b in c.block_hours.blocks] == [date(2029, 8, 3), date(2029, 10, 1)]
    assert c.block_hours.opening_hours is None           # the migrated balance is not copied
    # comments and key order survive
    assert "# tell the account manager to sell the next block" in text
    assert "opening_balance" not in text
    source = (msp / "contracts.d/customers/summit-law.yaml").read_text().splitlines()
    keys = [l.split(":")[0] for l in source if l and not l.startswith((" ", "#"))]
    assert [l.split(":")[0] for l in text.splitlines() if l and not l.startswith((" ", "#"))] \
        == keys


def test_clone_second_document_and_months(msp: Path) -> None:
    result = new(msp, "acme-move", "--from", "harbor-dental-relocation", "--customer", "acme",
                 "--start", "2027-02-15", "--months", "6")
    assert result.exit_code == 0, result.stderr
    text = (msp / "contracts.d/acme/acme-move.yaml").read_text()
    assert "harbor-dental-managed" not in text and "---" not in text   # only its own document
    repo, _ = load_repo(msp)
    c = repo.contracts["acme-move"]
    assert c.end == date(2027, 8, 14)                     # 2027-02-15 + 6 months - 1 day
    # start day differs (1st -> 15th): schedule dates move by 198 days
    assert [s.date for s in c.fixed_price.schedule] == [
        date(2027, 2, 17), date(2027, 4, 1), date(2027, 5, 16)]
    assert validates(msp)


def test_default_dropped_when_customer_has_one(msp: Path) -> None:
    result = new(msp, "maple-2027", "--from", "maple-retainer", "--customer", "maple-birch-cpa",
                 "--start", "2026-12-01")
    assert result.exit_code == 0, result.stderr
    assert "set to false" in result.stdout
    repo, diags = validate(msp)
    assert not [d for d in diags if d.is_error]
    assert repo.contracts["maple-2027"].default is False
    # no clash after the old contract ends: default stays true
    assert new(msp, "maple-2028", "--from", "maple-retainer", "--customer", "maple-birch-cpa",
               "--start", "2028-01-01").exit_code == 0
    repo, _ = load_repo(msp)
    assert repo.contracts["maple-2028"].default is True
    assert repo.contracts["maple-2028"].end == date(2028, 12, 31)   # 12-month source term


def test_cancelled_source_becomes_active_and_default_start(msp: Path) -> None:
    from engine.commands.new import run_new
    lines: list[str] = []
    code = run_new(str(msp), "gp-2", "granite-fitness-managed", "granite-peak-fitness", None,
                   None, today=date(2026, 11, 20), echo=lambda m, err=False: lines.append(m))
    assert code == 0, lines
    c = load_repo(msp)[0].contracts["gp-2"]
    # source term 2024-10-01 .. 2026-07-31 = 22 months; start = first of next month
    assert (c.status, c.start, c.end) == ("active", date(2026, 12, 1), date(2028, 9, 30))
    assert validates(msp)


def test_refusals(msp: Path) -> None:
    r = new(msp, "summit-law-blocks", "--from", "maple-retainer", "--customer", "x")
    assert r.exit_code == 1 and "already used" in r.stderr
    target = msp / "contracts.d" / "acme" / "acme-1.yaml"
    target.parent.mkdir()
    target.write_text("# mine\n")
    r = new(msp, "acme-1", "--from", "maple-retainer", "--customer", "acme")
    assert r.exit_code == 1 and "already exists" in r.stderr
    assert target.read_text() == "# mine\n"
    r = new(msp, "acme-2", "--from", "maple-retainr", "--customer", "acme")
    assert r.exit_code == 2 and "did you mean 'maple-retainer'" in r.stderr
    assert new(msp, "Bad_ID", "--from", "maple-retainer", "--customer", "acme").exit_code == 2
    assert new(msp, "ok-id", "--from", "maple-retainer", "--customer", "../etc").exit_code == 2
    assert new(msp, "ok-id", "--from", "maple-retainer", "--customer", "a",
               "--start", "2026-13-01").exit_code == 2
    assert not (msp / "contracts.d" / "a").exists()


def test_helpers() -> None:
    assert yaml_scalar("acme") == "acme"
    assert yaml_scalar("no") == '"no"'
    assert yaml_scalar("2026") == '"2026"'
    repo, _ = load_repo(REPO)
    assert term_months(repo.contracts["harbor-dental-relocation"]) == 4
    assert term_months(repo.contracts["lakeshore-managed"]) == 12   # 10-15 .. 10-14
    assert shift_date(date(2026, 1, 31), date(2026, 1, 1), date(2026, 2, 1)) == date(2026, 2, 28)
