"""`tenor preview --jobs N` gives the same bytes as `--jobs 1` (issue: performance)."""
from __future__ import annotations

import json
import os
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
    one = preview("--root", str(REPO), "--format", fmt, "--jobs", "1")
    assert preview("--root", str(REPO), "--format", fmt, "--jobs", "2") == one
    assert preview("--root", str(REPO), "--format", fmt, "--jobs", "5") == one


def test_customer_filter_with_jobs():
    args = ["--root", str(REPO), "--format", "json", "--customer", "summit-law"]
    assert preview(*args, "--jobs", "3") == preview(*args, "--jobs", "1")


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
    one = preview(*args, "--jobs", "1")
    assert '"duplicate_row"' in one and '"invalid_row"' in one
    assert preview(*args, "--jobs", "2") == one
    assert preview(*args, "--jobs", "3") == one


def test_one_id_under_two_customers_falls_back_to_one_process(generated, tmp_path):
    """A worker sees only its customers' rows, so an id shared by two customers that
    different workers bill would slip past duplicate detection; the preview must then
    be computed in one process, and say the same as --jobs 1."""
    import shutil

    from engine.activity.scope import owner

    root = tmp_path / "msp"
    shutil.copytree(generated, root)
    last = sorted((root / "activity").glob("time_entries*.csv"))[-1]
    lines = last.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cust = header.index("customer")
    first = lines[1].split(",")
    others = sorted({line.split(",")[cust] for line in lines[1:]
                     if owner(line.split(",")[cust], 2) != owner(first[cust], 2)})
    assert others, "the generated data should have customers for both workers"
    clash = list(first)
    clash[cust] = others[0]                  # same id, a customer the other worker bills
    clash[header.index("contract")] = ""
    last.write_text("\n".join(lines + [",".join(clash)]) + "\n", encoding="utf-8")
    args = ["--root", str(root), "--activity", str(root / "activity"), "--format", "json"]
    one = preview(*args, "--jobs", "1")
    assert '"conflicting_duplicate"' in one
    assert preview(*args, "--jobs", "2") == one


def test_jobs_with_an_explicit_period(generated):
    """--period given: workers do not look for the latest month; an earlier month
    replays less history and bills other rows."""
    args = ["--root", str(generated), "--activity", str(generated / "activity"), "--format",
            "json"]
    start = json.loads(preview(*args))["period"]["start"]
    year, month = int(start[:4]), int(start[5:7])
    earlier = f"{year - (month == 1)}-{12 if month == 1 else month - 1:02d}"
    for period in (start[:7], earlier):
        one = preview(*args, "--period", period, "--jobs", "1")
        assert json.loads(one)["period"]["start"].startswith(period)
        assert preview(*args, "--period", period, "--jobs", "2") == one


# --jobs auto, the default: one process for small activity, the machine's CPUs (up to
# AUTO_MAX) for large; the output is the same either way.

def _source(folder: Path):
    from engine.activity.loader import ActivitySource
    return ActivitySource(folder, str(folder))


def test_auto_is_one_process_for_small_activity(monkeypatch):
    from engine.billing import parallel

    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    sample = REPO / "examples" / "activity"
    assert parallel._activity_bytes(_source(sample)) < parallel.AUTO_MIN_BYTES
    assert parallel.auto_jobs(_source(sample)) == 1
    monkeypatch.setattr(parallel, "AUTO_MIN_BYTES", 1)
    assert parallel.auto_jobs(_source(sample)) == 4


@pytest.mark.parametrize("cpus, expected", [(1, 1), (2, 2), (3, 3), (64, 4)])
def test_auto_uses_the_cpus_this_process_may_run_on(monkeypatch, cpus, expected):
    from engine.billing import parallel

    monkeypatch.setattr(parallel, "AUTO_MIN_BYTES", 1)
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda pid: set(range(cpus)))
    assert parallel.auto_jobs(_source(REPO / "examples" / "activity")) == expected


def test_auto_is_one_process_without_fork_or_without_a_folder(monkeypatch, tmp_path):
    from engine.billing import parallel

    monkeypatch.setattr(parallel, "AUTO_MIN_BYTES", 1)
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda pid: {0, 1})
    assert parallel.auto_jobs(_source(tmp_path / "missing")) == 1
    monkeypatch.setattr(parallel.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    assert parallel.auto_jobs(_source(REPO / "examples" / "activity")) == 1


def test_default_auto_splits_large_activity_and_says_the_same(generated, monkeypatch):
    """With the size threshold lowered, the default run forks workers (seen by
    counting calls) and prints what --jobs 1 prints."""
    from engine.billing import parallel

    monkeypatch.setattr(parallel, "AUTO_MIN_BYTES", 1)
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda pid: {0, 1})
    calls = []
    real = parallel.preview_parallel
    monkeypatch.setattr(parallel, "preview_parallel",
                        lambda *a: calls.append(a[-1]) or real(*a))
    args = ["--root", str(generated), "--activity", str(generated / "activity"), "--format", "json"]
    one = preview(*args, "--jobs", "1")
    assert calls == []
    assert preview(*args) == one
    assert preview(*args, "--jobs", "auto") == one
    assert calls == [2, 2]


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5", ""])
def test_bad_jobs_values_are_usage_errors(value):
    result = CliRunner().invoke(cli, ["preview", "--root", str(REPO), "--jobs", value])
    assert result.exit_code == 2
    assert "not a number of processes" in result.output
    assert "at least 1, or auto" in result.output


def test_subprocess_output_and_problems_are_the_same_in_any_number_of_processes(generated):
    """As a CI job sees it: same stdout, same problems on stderr, same exit code,
    also with --strict (the generated data has a held row, an error)."""
    base = [sys.executable, "-m", "cli", "preview", "--root", str(generated), "--activity",
            str(generated / "activity"), "--format", "json", "--strict"]
    runs = [subprocess.run(base + ["--jobs", jobs], capture_output=True, text=True, cwd=REPO,
                           env={**os.environ, "CI": "true"})
            for jobs in ("1", "2", "auto")]
    first = runs[0]
    assert first.returncode == 1 and "activity_negative_hours" in first.stderr
    for other in runs[1:]:
        assert (other.returncode, other.stdout, other.stderr) == (
            first.returncode, first.stdout, first.stderr)


def test_workers_that_cannot_start_mean_one_process_and_a_note(generated, monkeypatch):
    """Some containers have no /dev/shm (no semaphores): the pool cannot start.
    The preview is then computed in one process, with a note on stderr."""
    import multiprocessing

    class NoPool:
        def Pool(self, n):
            raise OSError(38, "Function not implemented")
    monkeypatch.setattr(multiprocessing, "get_context", lambda method: NoPool())
    args = ["--root", str(generated), "--activity", str(generated / "activity"), "--format", "json"]
    one = CliRunner().invoke(cli, ["preview", *args, "--jobs", "1"])
    two = CliRunner().invoke(cli, ["preview", *args, "--jobs", "2"])
    assert (two.exit_code, two.stdout) == (one.exit_code, one.stdout)
    assert "could not start 2 worker processes" in two.stderr
    assert "previewing in one process" in two.stderr
    assert "Traceback" not in two.output
