"""tenor preview on the bundled sample MSP: schema, invariants, options, determinism."""
from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st
from jsonschema import Draft202012Validator

from cli import cli
from engine.formats import FORMAT_CHECKER

REPO = Path(__file__).resolve().parent.parent
SAMPLE_ACTIVITY = REPO / "examples" / "activity"


def run_preview(*args: str, root: Path = REPO) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["preview", "--root", str(root), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def sample_json() -> dict:
    code, out, _ = run_preview("--format", "json")
    assert code == 0
    return json.loads(out)


def test_sample_json_matches_the_published_schema(sample_json):
    schema = json.loads((REPO / "schemas" / "preview.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    errors = list(Draft202012Validator(schema, format_checker=FORMAT_CHECKER).iter_errors(sample_json))
    assert errors == []


def test_sample_defaults_to_the_latest_month(sample_json):
    assert sample_json["period"] == {"start": "2026-10-01", "end": "2026-10-31"}


def test_every_invoice_total_is_the_sum_of_its_lines(sample_json):
    assert sample_json["invoices"]
    for inv in sample_json["invoices"]:
        assert Decimal(inv["total"]) == sum(Decimal(l["amount"]) for l in inv["lines"])


def test_dispositions_add_up_to_rows_read(sample_json):
    for kind, counts in sample_json["dispositions"].items():
        parts = sum(v for k, v in counts.items() if k != "read")
        assert parts == counts["read"], kind
    # the sample has 3 files of time entries; every data row is counted once
    rows = 0
    for path in SAMPLE_ACTIVITY.glob("time_entries*.csv"):
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows += sum(1 for _ in csv.reader(handle)) - 1
    assert sample_json["dispositions"]["time_entries"]["read"] == rows


def test_balances_obey_the_identity(sample_json):
    assert sample_json["balances"]
    for b in sample_json["balances"]:
        opening, added, used, forfeited, closing = (Decimal(b[k]) for k in
                                                    ("opening", "added", "used", "forfeited", "closing"))
        assert opening + added - used - forfeited == closing, b


def test_held_rows_name_file_row_id_and_reason(sample_json):
    reasons = {h["reason"] for h in sample_json["held"]}
    assert {"pending_approval", "unknown_contract", "contract_not_in_effect", "blocklisted"} <= reasons
    for h in sample_json["held"]:
        assert h["file"].endswith(".csv") and h["row"] >= 2 and h["id"]


def test_same_inputs_give_byte_identical_json_across_hash_seeds(tmp_path):
    outputs = []
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run([sys.executable, "-m", "cli", "preview", "--format", "json"],
                              cwd=REPO, env=env, capture_output=True)
        assert proc.returncode == 0, proc.stderr.decode()
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1] == outputs[2]


def _normalised(doc: dict) -> dict:
    """Row positions change when rows move; everything else must not."""
    doc = json.loads(re.sub(r"[\w.-]+\.csv:[0-9]+", "FILE:ROW", json.dumps(doc)))
    doc["held"] = sorted(((h["id"], h["reason"], h["kind"]) for h in doc["held"]))
    return doc


def _copy_activity(dest: Path, rng: random.Random | None = None, split: bool = False) -> None:
    dest.mkdir()
    for path in sorted(SAMPLE_ACTIVITY.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        header, body = rows[0], rows[1:]
        if rng is not None:
            rng.shuffle(body)
        parts = [body]
        if split and len(body) > 1:
            cut = len(body) // 2 if rng is None else rng.randrange(1, len(body))
            parts = [body[:cut], body[cut:]]
        for i, part in enumerate(parts):
            name = path.name if len(parts) == 1 else f"{path.stem}__part{i}.csv"
            with (dest / name).open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(header)
                writer.writerows(part)


@settings(max_examples=8)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1), split=st.booleans())
def test_row_order_and_file_splits_never_change_the_preview(tmp_path_factory, sample_json, seed, split):
    folder = tmp_path_factory.mktemp("act") / "activity"
    _copy_activity(folder, random.Random(seed), split=split)
    code, out, err = run_preview("--format", "json", "--activity", str(folder))
    assert code == 0, err
    assert _normalised(json.loads(out)) == _normalised(sample_json)


def test_customer_filter_keeps_only_that_customer(sample_json):
    code, out, _ = run_preview("--format", "json", "--customer", "summit-law")
    doc = json.loads(out)
    assert [inv["customer"] for inv in doc["invoices"]] == ["summit-law"]
    full = next(inv for inv in sample_json["invoices"] if inv["customer"] == "summit-law")
    assert doc["invoices"][0] == full
    for counts in doc["dispositions"].values():
        assert sum(v for k, v in counts.items() if k != "read") == counts["read"]
    assert doc["dispositions"]["time_entries"]["read"] < sample_json["dispositions"]["time_entries"]["read"]


def test_contract_filter_and_unknown_contract(sample_json):
    code, out, _ = run_preview("--format", "json", "--contract", "riverside-tm")
    doc = json.loads(out)
    assert {l["contract"] for inv in doc["invoices"] for l in inv["lines"]} == {"riverside-tm"}
    code, _, err = run_preview("--contract", "no-such-contract")
    assert code == 2 and "no-such-contract" in err


def test_output_file_and_strict_exit(tmp_path, sample_json):
    target = tmp_path / "out.json"
    code, out, _ = run_preview("--format", "json", "--output", str(target))
    assert code == 0 and out == ""
    assert json.loads(target.read_text()) == sample_json
    # the sample has blocklisted charges (errors): --strict fails the run
    code, _, _ = run_preview("--strict")
    assert code == 1


def test_table_csv_and_markdown_render(sample_json):
    code, table, _ = run_preview()
    assert code == 0 and "Prepaid balances" in table and "Dispositions" in table
    code, text, _ = run_preview("--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == sum(len(inv["lines"]) for inv in sample_json["invoices"])
    negative = [r for r in rows if r["amount"].startswith("-")]
    assert negative and all(not r["amount"].startswith("'") for r in negative)
    code, md, _ = run_preview("--format", "markdown")
    assert md.startswith("# Invoice preview 2026-10-01 to 2026-10-31")


def test_bad_period_is_a_usage_error():
    code, _, err = run_preview("--period", "2026-13")
    assert code == 2 and "YYYY-MM" in err
    assert "Traceback" not in err


def test_repo_with_errors_is_not_billed(tmp_path):
    shutil.copytree(REPO / "contracts.d", tmp_path / "contracts.d")
    shutil.copytree(REPO / "rules", tmp_path / "rules")
    bad = tmp_path / "contracts.d" / "customers" / "summit-law.yaml"
    bad.write_text(bad.read_text().replace("type: block_hours", "type: blockhours", 1))
    code, out, err = run_preview("--activity", str(SAMPLE_ACTIVITY), root=tmp_path)
    assert code == 1 and out == ""
    assert "summit-law.yaml:" in err and "blockhours" in err


def test_quantity_times_unit_price_is_the_amount(sample_json):
    """SPEC 5.9: every line is quantity x unit price rounded to cents, except a
    prorated service line, which also multiplies by days / days in the period."""
    checked = 0
    for inv in sample_json["invoices"]:
        for line in inv["lines"]:
            if "prorated" in line["description"]:
                continue
            expected = (Decimal(line["quantity"]) * Decimal(line["unit_price"])).quantize(Decimal("0.01"))
            assert Decimal(line["amount"]) == expected, line
            checked += 1
    assert checked > 50
