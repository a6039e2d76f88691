"""--profile reaches every command that reads activity, and a bad profile is a usage error."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("args", [
    ["preview"], ["explain", "riverside-tm"], ["sla"], ["balances"], ["revenue"],
    ["diff", "--base", "HEAD"],
])
def test_an_unknown_profile_is_a_usage_error_everywhere(args, tmp_path):
    missing = tmp_path / "nope.yaml"
    result = CliRunner().invoke(cli, [*args, "--root", str(REPO), "--profile", str(missing)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert "nope.yaml" in result.stderr
