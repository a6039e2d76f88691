"""Import profiles (issue 7): PSA exports bill exactly like canonical CSVs.

``tests/cases/profiles/billing`` is a tiny contracts repo with the same
October 2026 activity three times: canonical CSVs, an Autotask REST dump
(JSON pages with real field names, UTC datetimes, an entityInformation/fields
dump, a Roles CSV) and a ConnectWise REST dump (bare-list pages). Hand
computation of the invoices (rate card technician 110, engineer 150):

acme  - acme-tm: engineer remote 1.1 -> 1.25 (0.25 up) + 1 (task -> project
        -> company lookup) = 2.25 x 150 = 337.50; engineer onsite 2 x 170
        (role+work_type rule) = 340.00; charge M365-BP 5 x 22.00 = 110.00.
        acme-block: block 600.00; entries 3.5 (hoursToBill, not the 3.25
        worked) + 2 draw 5 hours, 0.5 overage x 140 = 70.00.   total 1457.50
globex - per_device: 2 active workstations x 45 + 1 server x 150 = 240.00;
        rule charge: 2 critical tickets x 50 = 100.00.           total 340.00
"""
from __future__ import annotations

import json
import shutil
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from engine.activity import load_activity
from engine.profiles import load_profile, transform

CASE = Path(__file__).resolve().parent.parent / "cases" / "profiles" / "billing"


def _preview(monkeypatch: pytest.MonkeyPatch, folder: str, *extra: str) -> dict:
    monkeypatch.chdir(CASE)
    result = CliRunner().invoke(cli, ["preview", "--root", ".", "--activity", folder,
                                      "--period", "2026-10", "--format", "json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _strip_positions(data: dict) -> dict:
    """File names and rows differ between exports by nature; nothing else may."""
    data = json.loads(json.dumps(data))
    for h in data.get("held", []):
        h.pop("file", None)
        h.pop("row", None)
    return data


def test_canonical_sample_bills_the_hand_computed_totals(monkeypatch):
    out = _preview(monkeypatch, "canonical")
    assert [(i["customer"], i["total"]) for i in out["invoices"]] == [
        ("acme", "1457.50"), ("globex", "340.00")]
    te = out["dispositions"]["time_entries"]
    assert (te["read"], te["billed"], te["drawn"], te["covered"], te["non_billable"],
            te["other_period"], te["held"]) == (8, 4, 1, 1, 1, 1, 0)


@pytest.mark.parametrize("folder,profile", [
    ("autotask", "profiles/autotask-acme.yaml"),
    ("connectwise", "profiles/connectwise-acme.yaml"),
])
def test_psa_exports_give_the_same_invoices_as_canonical(monkeypatch, folder, profile):
    canonical = _preview(monkeypatch, "canonical")
    got = _preview(monkeypatch, folder, "--profile", profile)
    assert _strip_positions(got) == _strip_positions(canonical)


def test_profile_check_reports_files_and_passes(monkeypatch):
    monkeypatch.chdir(CASE)
    result = CliRunner().invoke(cli, ["profile", "check", "--profile",
                                      "profiles/autotask-acme.yaml", "--activity", "autotask"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "autotask/TimeEntries_page1.json: 4 records -> time_entries" in out
    assert "autotask/TicketCharges.json: 2 records -> charges; 1 skipped" in out
    assert "autotask/Roles.csv: 3 records indexed for lookups in Roles" in out
    assert "ticket_status: not mapped" in out
    assert "result: OK" in out


def _item_line(path: Path, marker: str) -> int:
    """The line of the '{' opening the item that contains ``marker``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, text in enumerate(lines) if marker in text)
    while lines[at].strip() != "{":
        at -= 1
    return at + 1


def test_unmapped_customer_ids_are_held_with_file_row_and_checked(monkeypatch, tmp_path):
    # the bare built-in profile knows no customer ids: every row names its place
    monkeypatch.chdir(CASE)
    result = CliRunner().invoke(cli, ["preview", "--root", ".", "--activity", "autotask",
                                      "--profile", "autotask", "--period", "2026-10",
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["dispositions"]["time_entries"]["held"] == 8
    page1 = CASE / "autotask" / "TimeEntries_page1.json"
    line = _item_line(page1, '"id": 1003')
    assert {"file": "TimeEntries_page1.json", "row": line, "id": "1003",
            "reason": "invalid_row"}.items() <= next(
        h for h in out["held"] if h["id"] == "1003").items()
    expected = (f"autotask/TimeEntries_page1.json:{line}: error: item #3: column 'customer': "
                f"value '29683501' has no mapping in picklist 'customers'")
    assert expected in result.stderr

    check = CliRunner().invoke(cli, ["profile", "check", "--profile", "autotask",
                                     "--activity", "autotask"])
    assert check.exit_code == 1
    # 7 time entries, 2 tickets, 1 charge of acme; 1 entry, 2 tickets, 4 devices of globex
    assert "customers: '29683501' in 10 rows (column customer; e.g. autotask/" in check.stdout
    assert "customers: '29683502' in 7 rows" in check.stdout
    assert "is empty" not in check.stdout          # no second message for the same cell
    assert "result: NOT READY" in check.stdout


def test_missing_lookup_record_is_a_row_error(tmp_path):
    folder = tmp_path / "at"
    shutil.copytree(CASE / "autotask", folder)
    (folder / "Projects.json").write_text('{"items": []}', encoding="utf-8")
    profile, diags = load_profile(str(CASE / "profiles" / "autotask-acme.yaml"))
    assert profile is not None and diags == []
    act, diags = load_activity(folder, display_prefix="at", profile=profile)
    bad = [b for b in act.bad_rows if b.id == "1005"]
    assert len(bad) == 1 and bad[0].reason == "invalid_row"
    assert "no Projects record with id '8001'" in bad[0].message
    assert len(act.time_entries) == 7


def test_profile_schema_rejects_a_bad_profile_at_line_and_column(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "apiVersion: tenor/v1\n"
        "kind: Profile\n"
        "id: mine\n"
        "extends: autotask\n"
        "picklists:\n"
        "  roles:\n"
        "    valeus: {\"29682833\": engineer}\n",
        encoding="utf-8")
    profile, diags = load_profile(str(bad))
    assert profile is None
    assert [(d.line, d.col, d.code) for d in diags] == [(7, 5, "unknown-key")]
    assert "did you mean 'values'" in diags[0].message


def test_profile_semantic_errors_point_at_the_node(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "apiVersion: tenor/v1\n"
        "kind: Profile\n"
        "id: mine\n"
        "entities:\n"
        "  Work: {files: [\"work*.csv\"]}\n"
        "kinds:\n"
        "  time_entries:\n"
        "    entity: Wrok\n"
        "    fields:\n"
        "      id: Id\n"
        "      houres: Hours\n",
        encoding="utf-8")
    profile, diags = load_profile(str(bad))
    assert profile is None
    got = {(d.line, d.col, d.code) for d in diags}
    assert got == {(8, 13, "profile-unknown-entity"), (11, 7, "profile-unknown-column")}
    assert any("did you mean 'Work'" in d.message for d in diags)
    assert any("did you mean 'hours'" in d.message for d in diags)


def test_unknown_profile_name_suggests_the_builtins():
    profile, diags = load_profile("autotsak")
    assert profile is None
    assert "did you mean 'autotask'" in diags[0].message


USER_PROFILE = """\
# A PSA whose CSV report writes local times without an offset and US dates.
apiVersion: tenor/v1
kind: Profile
id: homegrown
timezone: America/New_York
entities:
  Work: {files: ["work*.csv"]}
  Jobs: {files: ["jobs*.csv"], key: Job}
picklists:
  clients:
    values: {"Acme Corp": acme}
    unmapped: slug
kinds:
  time_entries:
    entity: Work
    skip: [{field: Kind, in: [break], reason: "Kind is break"}]
    fields:
      id: Entry
      date: {from: Day, format: "%m/%d/%Y"}
      customer: {from: Job, lookup: [{entity: Jobs, field: Client}], map: clients}
      role: {const: technician}
      work_type: {from: Where, transform: snake, default: remote}
      hours: Hours
      billable: {from: Internal, invert: true}
      approved: {from: Approved At, is_set: true}
  tickets:
    entity: Jobs
    fields:
      id: Job
      customer: {from: Client, map: clients}
      priority: {from: Urgency, map: {P1: critical, P2: high, P3: medium}}
      created: Opened
"""


def test_user_profile_csv_with_naive_times_formats_and_lookups(tmp_path):
    (tmp_path / "homegrown.yaml").write_text(USER_PROFILE, encoding="utf-8")
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "work-2026-10.csv").write_text(
        "Entry,Day,Job,Where,Hours,Internal,Approved At,Kind\n"
        "W1,10/05/2026,J1,On Site,1.5,no,2026-10-06 09:00,work\n"
        "W2,10/06/2026,J2,,2,yes,,work\n"
        "W3,10/06/2026,J1,,0.5,no,,break\n"
        "W4,13/06/2026,J1,,1,no,,work\n", encoding="utf-8")
    (folder / "jobs.csv").write_text(
        "Job,Client,Urgency,Opened\n"
        "J1,Acme Corp,P1,2026-10-05 08:30:00\n"
        "J2,Initech LLC,P9,2026-10-06 23:15:00\n", encoding="utf-8")
    profile, diags = load_profile("homegrown.yaml", cwd=tmp_path)
    assert profile is not None, diags
    act, diags = load_activity(folder, display_prefix="exports", profile=profile)
    entries = {e.id: e for e in act.time_entries}
    assert set(entries) == {"W1", "W2"}
    w1, w2 = entries["W1"], entries["W2"]
    assert (w1.date, w1.customer, w1.role, w1.work_type, w1.hours, w1.billable, w1.approved) == (
        date(2026, 10, 5), "acme", "technician", "on_site", Decimal("1.5"), True, True)
    assert (w2.customer, w2.work_type, w2.billable, w2.approved) == (
        "initech-llc", "remote", False, False)
    # a US date that does not exist: held at its line, with the fix
    (bad,) = [b for b in act.bad_rows if b.kind == "time_entries"]
    assert (bad.file, bad.row, bad.id) == ("work-2026-10.csv", 5, "W4")
    assert "does not match the profile's format '%m/%d/%Y'" in bad.message
    # the skipped break is reported, not dropped silently
    assert any(d.code == "profile_skipped_rows" and "1 record" in d.message for d in diags)
    tickets = {t.id: t for t in act.tickets}
    # 08:30 in New York in October is 12:30 UTC (EDT, -04:00)
    assert tickets["J1"].created == datetime(2026, 10, 5, 12, 30, tzinfo=timezone.utc)
    assert tickets["J1"].created.utcoffset() == timedelta(hours=-4)
    assert tickets["J1"].priority == "critical"
    # P9 is in no map: the ticket is reported at its row and not kept
    assert "J2" not in tickets
    assert any(d.file == "exports/jobs.csv" and d.line == 3
               and "value 'P9' has no mapping" in d.message for d in diags)
    assert act.rows_read["time_entries"] == 3 and act.rows_read["tickets"] == 2


def test_minified_json_rows_are_line_1_and_messages_name_the_item(tmp_path):
    folder = tmp_path / "cw"
    folder.mkdir()
    entry = {"id": 1, "company": {"id": 19300}, "timeStart": "2026-10-02T14:00:00Z",
             "actualHours": 1, "billableOption": "Billable",
             "workRole": {"name": "Engineer"}, "workType": {"name": "Remote"}}
    other = dict(entry, id=2, billableOption="Maybe")
    (folder / "time_entries.json").write_text(json.dumps([entry, other]), encoding="utf-8")
    user = tmp_path / "p.yaml"
    user.write_text("apiVersion: tenor/v1\nkind: Profile\nid: p\nextends: connectwise\n"
                    "picklists:\n  customers:\n    values: {\"19300\": acme}\n",
                    encoding="utf-8")
    profile, _ = load_profile(str(user))
    act, diags = load_activity(folder, display_prefix="cw", profile=profile)
    assert [e.id for e in act.time_entries] == ["1"]
    assert act.time_entries[0].role == "engineer" and act.time_entries[0].row == 1
    (bad,) = act.bad_rows
    assert (bad.row, bad.id) == (1, "2")
    assert "item #2: column 'billable': value 'Maybe' has no mapping in picklist " \
           "'billable_options'" in bad.message


def test_broken_json_page_is_skipped_whole_with_its_line(tmp_path):
    folder = tmp_path / "at"
    shutil.copytree(CASE / "autotask", folder)
    page = folder / "TimeEntries_page2.json"
    text = page.read_text(encoding="utf-8")
    page.write_text(text[: len(text) // 2], encoding="utf-8")   # a truncated download
    profile, _ = load_profile(str(CASE / "profiles" / "autotask-acme.yaml"))
    act, diags = load_activity(folder, display_prefix="at", profile=profile)
    assert act.rows_read["time_entries"] == 4                   # page 1 only
    (d,) = [d for d in diags if d.file == "at/TimeEntries_page2.json"]
    assert d.code == "profile_bad_file" and d.is_error and d.line > 1
    assert "invalid JSON" in d.message and "the file was skipped" in d.message


def test_profile_without_a_required_column_skips_files_and_check_fails(tmp_path):
    (tmp_path / "p.yaml").write_text(
        "apiVersion: tenor/v1\nkind: Profile\nid: p\n"
        "entities:\n  Work: {files: [\"work*.csv\"]}\n"
        "kinds:\n  time_entries:\n    entity: Work\n    fields: {id: Id, date: Day}\n",
        encoding="utf-8")
    folder = tmp_path / "x"
    folder.mkdir()
    (folder / "work.csv").write_text("Id,Day\n1,2026-10-01\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["profile", "check", "--profile", str(tmp_path / "p.yaml"),
                                      "--activity", str(folder)])
    assert result.exit_code == 1
    assert "time_entries: MISSING required customer, role, work_type, hours" in result.stdout


@pytest.mark.parametrize("text,how,expected", [
    ("Senior Engineer", "snake", "senior_engineer"),
    ("Acme Corp, Inc.", "slug", "acme-corp-inc"),
    ("  High ", "lower", "high"),
    ("Keep Me", "keep", "Keep Me"),
])
def test_transforms(text, how, expected):
    assert transform(text, how) == expected
