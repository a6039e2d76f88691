"""The ``tenor validate`` command line: exit codes, formats, paths and --root.

Most tests drive click's CliRunner (fast, in process); a few start the real
program (``python -m cli`` and the ``tenor`` console script) to prove the
installed entry point behaves the same, exit code included.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli import cli

CASES = Path(__file__).resolve().parent / "cases" / "validate"
PROBLEM_KEYS = {"file", "line", "column", "code", "severity", "message"}


def invoke(cwd: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(cli, ["validate", *args], catch_exceptions=False)
    assert "Traceback" not in result.output
    assert "internal error" not in result.output
    return result


# ------------------------------------------------------------- exit codes

def test_exit_0_when_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke(CASES / "valid-minimal", monkeypatch)
    assert result.exit_code == 0
    assert result.stdout == "ok: 5 file(s), no problems\n"


def test_exit_1_on_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke(CASES / "end-before-start", monkeypatch)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].startswith("contracts.d/acme.yaml:8:6: error: end ")


def test_exit_2_on_an_unknown_option(monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke(CASES / "valid-minimal", monkeypatch, "--frmat", "json")
    assert result.exit_code == 2
    assert "No such option '--frmat'" in result.stderr
    assert result.stdout == ""


def test_exit_2_on_an_unknown_format(monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke(CASES / "valid-minimal", monkeypatch, "--format", "xml")
    assert result.exit_code == 2
    assert "'xml' is not one of 'text', 'json', 'github'" in result.stderr


def test_exit_2_when_no_contracts_repo_is_found(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    assert not any((p / "contracts.d").is_dir() for p in (tmp_path, *tmp_path.parents))
    result = invoke(tmp_path, monkeypatch)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("tenor: no contracts repo found")
    assert "--root DIR" in result.stderr


def test_exit_2_when_root_does_not_exist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke(tmp_path, monkeypatch, "--root", str(tmp_path / "nope"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_a_real_process_python_m_cli() -> None:
    """Run the module as a real program from the case folder."""
    bad = subprocess.run([sys.executable, "-m", "cli", "validate"], cwd=CASES / "bare-no",
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1
    assert bad.stdout.splitlines() == [
        'contracts.d/acme.yaml:4:11: error: customer: YAML reads the bare word no as a boolean; '
        'quote it if you mean the text: "no" (yaml-boolean)',
        "1 error(s), 0 warning(s) in 2 file(s)",
    ]
    assert "Traceback" not in bad.stderr
    good = subprocess.run([sys.executable, "-m", "cli", "validate"], cwd=CASES / "valid-types",
                          capture_output=True, text=True, timeout=60)
    assert (good.returncode, good.stdout) == (0, "ok: 2 file(s), no problems\n")


@pytest.mark.skipif(shutil.which("tenor") is None, reason="the tenor console script is not installed")
def test_the_tenor_console_script(tmp_path: Path) -> None:
    usage = subprocess.run(["tenor", "validate", "--nope"], cwd=CASES / "valid-minimal",
                           capture_output=True, text=True, timeout=60)
    assert usage.returncode == 2
    no_repo = subprocess.run(["tenor", "validate"], cwd=tmp_path, capture_output=True,
                             text=True, timeout=60)
    assert no_repo.returncode == 2
    assert no_repo.stderr.startswith("tenor: no contracts repo found")
    json_run = subprocess.run(["tenor", "validate", "--format", "json"],
                              cwd=CASES / "sla-days", capture_output=True, text=True, timeout=60)
    assert json_run.returncode == 0
    assert json.loads(json_run.stdout)["warnings"] == 1


# ------------------------------------------------------------------- json

def test_json_output(monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke(CASES / "collect-all", monkeypatch, "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert set(report) == {"valid", "errors", "warnings", "problems"}
    assert report["valid"] is False
    assert (report["errors"], report["warnings"]) == (6, 2)
    assert len(report["problems"]) == 8
    for problem in report["problems"]:
        assert set(problem) == PROBLEM_KEYS
        assert isinstance(problem["line"], int) and isinstance(problem["column"], int)
        assert problem["severity"] in ("error", "warning")
    assert report["problems"][0] == {
        "file": "contracts.d/acme.yaml", "line": 8, "column": 6, "code": "contract-dates",
        "severity": "error",
        "message": "end 2025-12-31 is before start 2026-01-01; a contract must end on or after "
                   "its start"}
    warnings = [p for p in report["problems"] if p["severity"] == "warning"]
    assert [(p["line"], p["column"], p["code"]) for p in warnings] == [
        (8, 19, "sla-days"), (8, 35, "sla-days")]


def test_json_output_when_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke(CASES / "valid-types", monkeypatch, "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"valid": True, "errors": 0, "warnings": 0,
                                         "problems": []}


def test_json_warnings_only_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke(CASES / "sla-days", monkeypatch, "--format", "json")
    report = json.loads(result.stdout)
    assert result.exit_code == 0
    assert (report["valid"], report["errors"], report["warnings"]) == (True, 0, 1)


def test_json_keeps_a_multi_line_message_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke(CASES / "rule-syntax", monkeypatch, "--format", "json")
    syntax = [p for p in json.loads(result.stdout)["problems"] if p["code"] == "rule-syntax"]
    assert syntax == [{
        "file": "rules/standard.rules", "line": 5, "column": 11, "code": "rule-syntax",
        "severity": "error",
        "message": "unexpected `35.00`: a tier needs `at` before its price: write `up to N at "
                   "PRICE` or `above at PRICE`\n        above 35.00\n              ^"}]


# ----------------------------------------------------------------- github

def test_github_annotations(monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke(CASES / "unknown-key", monkeypatch, "--format", "github")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "::error file=contracts.d/acme.yaml,line=5,col=1,title=tenor unknown-key::"
        "unknown key 'nmae' in Contract; did you mean 'name'?",
        "::error file=contracts.d/acme.yaml,line=11,col=3,title=tenor unknown-key::"
        "unknown key 'ratez' in labor; did you mean 'rates'?",
    ]


def test_github_warning_annotation(monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke(CASES / "sla-days", monkeypatch, "--format", "github")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "::warning file=contracts.d/silver.yaml,line=8,col=36,title=tenor sla-days::2d counts "
        "24-hour days, but this calendar is not 24x7, so the clock only runs in business hours; "
        "write the target in hours (e.g. 48h)"]


def test_github_escapes_newlines_percent_and_property_separators(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(CASES / "rule-syntax", repo)
    (repo / "rules" / "standard.rules").rename(repo / "rules" / "a,b:c.rules")
    result = invoke(repo, monkeypatch, "--format", "github")
    lines = result.stdout.splitlines()
    assert lines[1] == (
        "::error file=rules/a%2Cb%3Ac.rules,line=5,col=11,title=tenor rule-syntax::unexpected "
        "`35.00`: a tier needs `at` before its price: write `up to N at PRICE` or `above at "
        "PRICE`%0A        above 35.00%0A              ^")
    assert len(lines) == 2


def test_github_prints_nothing_on_stdout_when_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke(CASES / "valid-minimal", monkeypatch, "--format", "github")
    assert (result.exit_code, result.stdout) == (0, "")


# ---------------------------------------------------------- paths, --root

def test_a_path_restricts_the_report_to_that_file(monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke(CASES / "collect-all", monkeypatch, "contracts.d/initech.yaml")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "contracts.d/initech.yaml:6:9: error: status: 'actve' is not one of active, inactive, "
        "cancelled; did you mean 'active'? (bad-value)",
        "1 error(s), 0 warning(s) in 6 file(s)",
    ]


def test_a_clean_file_in_a_broken_repo_exits_0(monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke(CASES / "collect-all", monkeypatch, "contracts.d/ratecard.yaml")
    assert result.exit_code == 0
    assert result.stdout == "ok: 6 file(s), no problems\n"


def test_a_warning_only_file_exits_0(monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke(CASES / "collect-all", monkeypatch, "contracts.d/slas.yaml")
    assert result.exit_code == 0
    assert [line.rsplit(" ", 1)[-1] for line in result.stdout.splitlines()[:-1]] == [
        "(sla-days)", "(sla-days)"]


def test_a_folder_path_restricts_the_report_to_that_folder(
        monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke(CASES / "collect-all", monkeypatch, "rules")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and lines[0].startswith("rules/tiers.rules:4:5: error: ")


def test_paths_still_resolve_references_across_the_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SLA, catalog and rules live in other files; validating only the
    contract must not report them as unknown."""
    result = invoke(CASES / "valid-minimal", monkeypatch, "contracts.d/customers/acme.yaml")
    assert (result.exit_code, result.stdout) == (0, "ok: 5 file(s), no problems\n")


def test_a_missing_path_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke(CASES / "valid-minimal", monkeypatch, "contracts.d/nope.yaml")
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_root_option_from_another_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke(CASES, monkeypatch, "--root", "end-before-start")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "end-before-start/contracts.d/acme.yaml:8:6: error: end 2026-05-31 is before start "
        "2026-06-01; a contract must end on or after its start (contract-dates)",
        "1 error(s), 0 warning(s) in 2 file(s)",
    ]


def test_root_option_overrides_the_working_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    # The working directory is a broken repo; --root points at a clean one.
    result = invoke(CASES / "collect-all", monkeypatch, "--root", str(CASES / "valid-types"))
    assert (result.exit_code, result.stdout) == (0, "ok: 2 file(s), no problems\n")


def test_no_traceback_on_any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    for case in sorted(CASES.iterdir()):
        for fmt in ("text", "json", "github"):
            result = invoke(case, monkeypatch, "--format", fmt)
            assert result.exit_code in (0, 1), (case.name, fmt, result.output)
