"""Smoke test of the benchmark generator: a tiny generated repo must validate and preview.

No timing assertions: the benchmark measures, the tests only check that what it
measures is a valid repo whose rows are all accounted for (SPEC 5.11).
"""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GENERATE = ROOT / "benchmarks" / "generate.py"
TINY = ["--contracts", "20", "--customers", "10", "--time-entries", "2000", "--tickets", "200",
        "--charges", "120", "--devices", "150", "--users", "100"]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def _generate(out: Path, *extra: str) -> None:
    r = _run(str(GENERATE), str(out), *TINY, *extra)
    assert r.returncode == 0, r.stderr


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench") / "repo"
    _generate(out)
    return out


def test_layout_and_row_counts(repo: Path) -> None:
    act = repo / "activity"
    months = sorted(p.name for p in act.glob("time_entries_*.csv"))
    assert months[0] == "time_entries_2025-11.csv" and months[-1] == "time_entries_2026-10.csv"
    assert len(months) == 12
    # 2000 rows over 12 months: 2000 = 12 * 166 + 8, so the first 8 months get 167
    rows = [len((act / m).read_text(encoding="utf-8").splitlines()) - 1 for m in months]
    assert rows == [167] * 8 + [166] * 4
    assert len((act / "charges.csv").read_text(encoding="utf-8").splitlines()) == 121
    assert len((act / "devices.csv").read_text(encoding="utf-8").splitlines()) == 151
    assert len(list((repo / "contracts.d" / "customers").glob("*.yaml"))) == 10
    assert (repo / "rules" / "bench.rules").is_file()
    text = "".join(p.read_text(encoding="utf-8")
                   for p in (repo / "contracts.d" / "customers").glob("*.yaml"))
    assert text.count("kind: Contract") == 20
    for ctype in ("time_and_materials", "fixed_price", "recurring", "block_hours", "retainer",
                  "per_ticket", "per_device"):
        assert f"type: {ctype}\n" in text, ctype
    assert text.count("default: true") == 10          # exactly one default per customer


def test_generated_repo_validates(repo: Path) -> None:
    r = _run("-m", "cli", "validate", "--root", str(repo), "--format", "json")
    assert r.returncode == 0, r.stdout + r.stderr
    report = json.loads(r.stdout)
    assert report["valid"] is True and report["errors"] == 0, report["problems"][:5]


def test_generated_repo_previews_and_every_row_is_dispositioned(repo: Path) -> None:
    out = repo.parent / "preview.json"
    r = _run("-m", "cli", "preview", "--root", str(repo), "--activity", str(repo / "activity"),
             "--format", "json", "--output", str(out))
    assert r.returncode == 0, r.stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["period"] == {"start": "2026-10-01", "end": "2026-10-31"}
    disp = result["dispositions"]
    assert disp["time_entries"]["read"] == 2000
    assert disp["charges"]["read"] == 120
    for kind in ("time_entries", "charges"):
        counts = disp[kind]
        assert sum(v for k, v in counts.items() if k != "read") == counts["read"], (kind, counts)
    assert result["invoices"], "a month of activity for 10 customers yields invoices"


def test_history_rows_are_other_period(repo: Path) -> None:
    out = repo.parent / "preview-history.json"
    r = _run("-m", "cli", "preview", "--root", str(repo), "--activity", str(repo / "activity"),
             "--format", "json", "--output", str(out))
    assert r.returncode == 0, r.stderr
    te = json.loads(out.read_text(encoding="utf-8"))["dispositions"]["time_entries"]
    # The generator writes no invalid or duplicate rows, so exactly the 166 October rows get
    # an in-month disposition and the 1834 rows of Nov 2025 - Sep 2026 are other_period.
    assert te["other_period"] == 2000 - 166
    assert te["billed"] + te["covered"] + te["drawn"] + te["non_billable"] + te["held"] == 166


def test_generator_is_deterministic(tmp_path: Path, repo: Path) -> None:
    again = tmp_path / "again"
    _generate(again)
    assert _digest(again) == _digest(repo)
    other = tmp_path / "other"
    _generate(other, "--seed", "2")
    assert _digest(other) != _digest(repo)


def test_generator_refuses_fewer_contracts_than_customers(tmp_path: Path) -> None:
    r = _run(str(GENERATE), str(tmp_path / "x"), "--contracts", "3", "--customers", "5")
    assert r.returncode == 2
    assert "at least one contract per customer" in r.stderr
