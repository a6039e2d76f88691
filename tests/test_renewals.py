"""``tenor renewals`` on the sample MSP (always with --as-of: today moves)."""
from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from cli import cli
from engine.commands.renewals import renewals
from engine.repo import load_repo

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "cases" / "commands"


def run(*args: str):
    result = CliRunner().invoke(cli, ["renewals", "--root", str(REPO), *args])
    assert "Traceback" not in result.output + result.stderr
    return result


def test_table_golden() -> None:
    result = run("--as-of", "2026-10-31")
    assert result.exit_code == 0
    path = GOLDEN / "renewals.txt"
    if os.environ.get("TENOR_UPDATE_GOLDEN"):
        path.write_text(result.stdout)
    assert result.stdout == path.read_text()


def test_json_default_90_days() -> None:
    data = json.loads(run("--as-of", "2026-10-31", "--format", "json").stdout)
    assert data["as_of"] == "2026-10-31" and data["within_days"] == 90
    rows = {r["contract"]: r for r in data["contracts"]}
    # soonest end first, then id
    assert list(rows) == ["cedar-grove-retainer", "harbor-dental-relocation", "maple-retainer",
                          "oakridge-managed"]
    # oakridge: ends 2026-12-31, 90 days' notice -> 2026-10-02, passed on 2026-10-31
    assert rows["oakridge-managed"] == {
        "contract": "oakridge-managed", "customer": "oakridge-realty", "type": "recurring",
        "end": "2026-12-31", "days_left": 61, "auto_renew": False, "notice_days": 90,
        "notice_date": "2026-10-02", "notice_passed": True}
    # maple: 30 days' notice -> 2026-12-01, not yet passed; auto-renews
    assert rows["maple-retainer"]["notice_date"] == "2026-12-01"
    assert rows["maple-retainer"]["notice_passed"] is False
    assert rows["maple-retainer"]["auto_renew"] is True
    # no renewal block: no notice date
    assert rows["harbor-dental-relocation"]["notice_date"] is None


def test_window_edges() -> None:
    repo, _ = load_repo(REPO)
    contracts = list(repo.contracts.values())
    # ends exactly on as-of + within: included; a day less: excluded
    assert [r.contract for r in renewals(contracts, date(2026, 9, 1), 30)] == []
    assert [r.contract for r in renewals(contracts, date(2026, 9, 14), 30)] == ["lakeshore-tm"]
    assert [r.contract for r in renewals(contracts, date(2026, 9, 15), 29)] == ["lakeshore-tm"]
    assert [r.contract for r in renewals(contracts, date(2026, 9, 15), 28)] == []
    # ended contracts and cancelled ones never show
    assert "granite-fitness-managed" not in [r.contract for r in renewals(contracts, date(2026, 1, 1), 400)]
    assert [r.contract for r in renewals(contracts, date(2026, 10, 15), 0)] == []
    # notice date on as-of itself has not passed
    [oak] = [r for r in renewals(contracts, date(2026, 10, 2), 90) if r.contract == "oakridge-managed"]
    assert oak.notice_date == date(2026, 10, 2) and not oak.notice_passed


def test_bad_as_of_exit_2() -> None:
    result = run("--as-of", "10/31/2026")
    assert result.exit_code == 2 and "--as-of" in result.stderr
    assert run("--within", "-1").exit_code == 2
