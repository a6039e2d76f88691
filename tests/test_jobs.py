"""`tenor preview --jobs N` gives the same bytes as `--jobs 1` (issue: performance)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli

REPO = Path(__file__).resolve().parent.parent


def preview(*args: str) -> str:
    result = CliRunner().invoke(cli, ["preview", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("fmt", ["json", "table", "csv"])
def test_sample_is_identical_with_several_jobs(fmt):
    one = preview("--root", str(REPO), "--format", fmt)
    assert preview("--root", str(REPO), "--format", fmt, "--jobs", "2") == one
    assert preview("--root", str(REPO), "--format", fmt, "--jobs", "5") == one


def test_customer_filter_with_jobs():
    args = ["--root", str(REPO), "--format", "json", "--customer", "summit-law"]
    assert preview(*args, "--jobs", "3") == preview(*args)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """A small generated MSP with malformed and duplicate rows added, so that rows
    without a readable customer are counted exactly once across the workers."""
    out = tmp_path_factory.mktemp("gen") / "msp"
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "generate.py"), str(out),
                           "--contracts", "30", "--customers", "12", "--time-entries", "3000",
                           "--tickets", "300", "--charges", "200", "--devices", "150",
                           "--users", "100", "--months", "3"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    files = sorted((out / "activity").glob("time_entries*.csv"))
    last = files[-1]
    lines = last.read_text(encoding="utf-8").splitlines()
    header, first = lines[0], lines[1]
    broken = first.split(",")
    broken[0] = "TE-BROKEN"
    hours = header.split(",").index("hours")
    broken[hours] = "-3"
    last.write_text("\n".join(lines + [first, ",".join(broken)]) + "\n", encoding="utf-8")
    return out


def test_generated_msp_is_identical_with_several_jobs(generated):
    args = ["--root", str(generated), "--activity", str(generated / "activity"), "--format", "json"]
    one = preview(*args)
    assert '"duplicate_row"' in one and '"invalid_row"' in one
    assert preview(*args, "--jobs", "2") == one
    assert preview(*args, "--jobs", "3") == one
