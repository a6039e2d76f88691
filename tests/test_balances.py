"""``tenor balances`` on the sample MSP."""
from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner

from cli import cli

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "cases" / "commands"


def run(*args: str):
    result = CliRunner().invoke(cli, ["balances", "--root", str(REPO), *args])
    assert "Traceback" not in result.output + result.stderr
    return result


def rows(*args: str) -> dict[str, dict]:
    result = run("--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return {r["contract"]: r for r in json.loads(result.stdout)["balances"]}


def test_golden_default_as_of() -> None:
    result = run("--format", "json")
    assert result.exit_code == 0
    path = GOLDEN / "balances.json"
    if os.environ.get("TENOR_UPDATE_GOLDEN"):
        path.write_text(result.stdout)
    assert result.stdout == path.read_text()
    data = json.loads(result.stdout)
    assert data["as_of"] == "2026-10-31"          # last day of the latest activity month
    assert data["burn_months"] == ["2026-08", "2026-09", "2026-10"]
    text = run().stdout
    path = GOLDEN / "balances.txt"
    if os.environ.get("TENOR_UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text()


def test_block_hours_by_hand() -> None:
    r = rows()
    summit = r["summit-law-blocks"]
    # 8 opening + 20 (Aug) + 20 (Oct) = 48 bought; closing 10.125 as the October preview says
    assert (summit["purchased"], summit["remaining"], summit["forfeited"]) == ("48", "10.125", "0")
    assert summit["used"] == "37.875"                      # 48 - 10.125
    assert summit["consumed_pct"] == "78.9"                # 37.875 / 48
    # burn: 37.875 used since the opening balance of Jul 31, over Aug-Oct -> 12.625 a month
    assert summit["burn_per_month"] == "12.63"
    # 10.125 / 12.625 months x 30.4375 days = 24.4 days -> 2026-11-24
    assert summit["forecast"] == "2026-11-24"
    pine = r["pinecrest-blocks"]
    # 20 + 15 bought, 2.5 of the promo block forfeited on Oct 15, nothing left
    assert (pine["purchased"], pine["used"], pine["forfeited"], pine["remaining"]) == \
        ("35", "32.5", "2.5", "0")
    assert pine["forecast"] == "2026-10-31"                # already run out


def test_identity_and_retainer_forecast() -> None:
    for r in rows().values():
        assert Decimal(r["purchased"]) - Decimal(r["used"]) - Decimal(r["forfeited"]) \
            == Decimal(r["remaining"])
    r = rows()
    # a money retainer that forfeits, burning less than its 2,500 allocation: never runs out
    assert r["cedar-grove-retainer"]["unit"] == "USD"
    assert r["cedar-grove-retainer"]["forecast"] is None
    # hours retainer: 10 allocated a month, burn 11 -> the carried balance (0) is gone now
    assert r["maple-retainer"]["burn_per_month"] == "11"
    assert r["maple-retainer"]["forecast"] == "2026-10-31"
    assert r["bluebird-tickets"]["unit"] == "tickets"


def test_as_of_earlier_month_ignores_later_activity_and_blocks() -> None:
    r = rows("--as-of", "2026-09-30")
    pine = r["pinecrest-blocks"]
    # the 15-hour block of 2026-10-01 is not bought yet; 6.25 left of the 20-hour promo block
    assert (pine["purchased"], pine["remaining"]) == ("20", "6.25")
    summit = r["summit-law-blocks"]
    assert (summit["purchased"], summit["remaining"]) == ("28", "5.125")


def test_bad_as_of_exit_2() -> None:
    result = run("--as-of", "2026-02-30")
    assert result.exit_code == 2 and "--as-of" in result.stderr
