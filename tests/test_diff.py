"""``tenor diff`` on a git repository built here from the sample MSP.

Commit 1 is the sample's contracts.d/ and rules/. Commit 2 changes a rate
(maple-retainer overage 150 -> 160), adds a blocklist entry (LAB-TRIP on
pinecrest-blocks) and deletes a contract file (bluebird-vet). The diff's
numbers are checked by hand where the arithmetic is short, and against two
previews computed directly otherwise.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from engine.activity import load_activity
from engine.billing import Month, preview
from engine.commands import gitrev
from engine.commands.diff import DiffReport, compare, money_text, render_markdown, summary_line
from engine.repo import load_repo

REPO = Path(__file__).resolve().parent.parent
ACTIVITY = REPO / "examples" / "activity"
GOLDEN = REPO / "tests" / "cases" / "commands"
MAPLE = "contracts.d/customers/maple-birch-cpa.yaml"
PINECREST = "contracts.d/customers/pinecrest-logistics.yaml"
BLUEBIRD = "contracts.d/customers/bluebird-vet.yaml"
HARBOR = "contracts.d/customers/harbor-dental.yaml"


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com",
                           "-c", "commit.gpgsign=false", *args], cwd=cwd, check=True,
                          capture_output=True, text=True).stdout


@pytest.fixture()
def gitrepo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "msp"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    shutil.copytree(REPO / "contracts.d", root / "contracts.d")
    shutil.copytree(REPO / "rules", root / "rules")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "sample")
    maple = root / MAPLE
    text = maple.read_text()
    assert "overage_rate: 150.00" in text
    maple.write_text(text.replace("overage_rate: 150.00", "overage_rate: 160.00"))
    with open(root / PINECREST, "a") as fh:
        fh.write("blocklist:\n  - {product: LAB-TRIP}   # trips are included\n")
    (root / BLUEBIRD).unlink()
    git(root, "add", "-A")
    git(root, "commit", "-qm", "change")
    monkeypatch.chdir(root)
    return root


def run(root: Path, *args: str):
    result = CliRunner().invoke(cli, ["diff", "--root", str(root), "--activity", str(ACTIVITY),
                                      *args])
    assert "Traceback" not in result.output + result.stderr
    return result


def direct(tree: Path) -> dict[str, Decimal]:
    repo, _ = load_repo(tree)
    act, _ = load_activity(ACTIVITY)
    p, _ = preview(repo, act, Month(2026, 10))
    return {inv.customer: inv.total for inv in p.invoices}


def export(root: Path, ref: str, dest: Path) -> Path:
    g = gitrev.open_repo(root)
    dest.mkdir()
    gitrev.export(g, gitrev.resolve(g, ref), dest)
    return dest


def test_commit_to_commit_json(gitrepo: Path, tmp_path: Path) -> None:
    result = run(gitrepo, "--base", "HEAD~1", "--head", "HEAD", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["base"] == "HEAD~1" and data["head"] == "HEAD"
    assert data["period"] == {"start": "2026-10-01", "end": "2026-10-31"}
    assert data["changed_files"] == [BLUEBIRD, MAPLE, PINECREST]
    assert data["problems"] == []
    by = {c["customer"]: c for c in data["customers"]}
    assert sorted(by) == ["bluebird-vet", "maple-birch-cpa", "pinecrest-logistics"]
    assert [c["customer"] for c in data["customers"]] == sorted(by)
    # rate change, by hand: 2.9375 overage hours at 150 -> 440.63, at 160 -> 470.00
    maple = by["maple-birch-cpa"]
    assert (maple["before"], maple["after"], maple["delta"]) == ("1790.63", "1820.00", "29.37")
    assert maple["contracts"] == [{
        "contract": "maple-retainer", "before": "1790.63", "after": "1820.00", "delta": "29.37",
        "lines": [{"kind": "overage", "description": "Overage: hours beyond the prepaid balance",
                   "before": "440.63", "after": "470.00"}]}]
    # blocklist: the 75.00 trip charge of 2026-10-20 is held at head
    pine = by["pinecrest-logistics"]
    assert pine["delta"] == "-75.00"
    [contract] = pine["contracts"]
    assert contract["contract"] == "pinecrest-blocks"
    [line] = contract["lines"]
    assert (line["kind"], line["before"], line["after"]) == ("charge", "75.00", "0.00")
    # deleted contract: its work falls back to T&M with no contract in place
    blue = by["bluebird-vet"]
    contracts = {c["contract"]: c for c in blue["contracts"]}
    assert contracts["bluebird-tickets"]["after"] == "0.00"
    assert contracts[None]["before"] == "0.00"
    # every number agrees with two previews computed directly
    before = direct(export(gitrepo, "HEAD~1", tmp_path / "b"))
    after = direct(export(gitrepo, "HEAD", tmp_path / "a"))
    for customer, entry in by.items():
        assert Decimal(entry["before"]) == before.get(customer, Decimal(0))
        assert Decimal(entry["after"]) == after.get(customer, Decimal(0))
        assert Decimal(entry["delta"]) == after.get(customer, 0) - before.get(customer, 0)
    unchanged = [c for c in before if before[c] == after.get(c)]
    assert not set(unchanged) & set(by)


def test_worktree_head(gitrepo: Path) -> None:
    harbor = gitrepo / HARBOR
    harbor.write_text(harbor.read_text().replace("price: 1450.00", "price: 1500.00"))
    (gitrepo / "contracts.d" / "new.yaml").write_text(
        "apiVersion: tenor/v1\nkind: Contract\nid: acme-tm\ncustomer: acme\n"
        "type: time_and_materials\nstatus: active\nstart: 2026-01-01\nend: 2026-12-31\n")
    status_before = git(gitrepo, "status", "--porcelain")
    head_before = git(gitrepo, "rev-parse", "HEAD")
    result = run(gitrepo, "--base", "HEAD", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["head"] == "WORKTREE"
    assert data["changed_files"] == ["contracts.d/customers/harbor-dental.yaml", "contracts.d/new.yaml"]
    [harbor_diff] = data["customers"]
    assert harbor_diff["customer"] == "harbor-dental"
    # +50.00 of services, and the 10% SLA credit on services (2 breaches x 5%)
    # grows from 199.20 (10% of 1992.00) to 204.20 (10% of 2042.00): +45.00
    assert harbor_diff["delta"] == "45.00"
    assert harbor_diff["contracts"][0]["lines"] == [
        {"kind": "service", "description": "Managed help desk and monitoring",
         "before": "1450.00", "after": "1500.00"},
        {"kind": "credit", "description": "SLA credit (5% × 2 sla.breaches = 10% of services)",
         "before": "-199.20", "after": "-204.20"}]
    # tenor diff never touches git state
    assert git(gitrepo, "status", "--porcelain") == status_before
    assert git(gitrepo, "rev-parse", "HEAD") == head_before


def test_all_lists_unchanged_customers(gitrepo: Path) -> None:
    result = run(gitrepo, "--base", "HEAD", "--all", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["changed_files"] == []
    # every invoice of the month: bluebird-vet's work is still there, with no contract
    assert len(data["customers"]) == len(direct(gitrepo)) == 13
    assert {c["delta"] for c in data["customers"]} == {"0.00"}
    quiet = json.loads(run(gitrepo, "--base", "HEAD", "--format", "json").stdout)
    assert quiet["customers"] == []


def test_head_with_errors_exit_1_and_still_reports(gitrepo: Path) -> None:
    maple = gitrepo / MAPLE
    maple.write_text(maple.read_text().replace("sla: silver", "sla: silvr"))
    harbor = gitrepo / HARBOR
    harbor.write_text(harbor.read_text().replace("price: 1450.00", "price: 1500.00"))
    result = run(gitrepo, "--base", "HEAD", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    [problem] = [p for p in data["problems"] if p["severity"] == "error"]
    assert problem["file"] == MAPLE and problem["code"] == "unknown-reference"
    assert (problem["line"], problem["column"]) == (16, 6)
    assert [c["customer"] for c in data["customers"]] == ["harbor-dental"]


def test_bad_ref_is_exit_2(gitrepo: Path) -> None:
    result = run(gitrepo, "--base", "no-such-branch")
    assert result.exit_code == 2
    assert "unknown git revision 'no-such-branch'" in result.stderr
    assert run(gitrepo, "--base", "--upload-pack=evil").exit_code == 2
    assert run(gitrepo, "--base", "HEAD", "--period", "2026-13").exit_code == 2


def test_not_a_git_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "plain"
    shutil.copytree(REPO / "contracts.d", root / "contracts.d")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    result = run(root, "--base", "main")
    assert result.exit_code == 2
    assert "not inside a git repository" in result.stderr


def test_export_skips_symlinks(gitrepo: Path, tmp_path: Path) -> None:
    os.symlink("/etc/hostname", gitrepo / "contracts.d" / "evil.yaml")
    git(gitrepo, "add", "-A")
    git(gitrepo, "commit", "-qm", "symlink")
    dest = export(gitrepo, "HEAD", tmp_path / "x")
    assert not (dest / "contracts.d" / "evil.yaml").exists()
    assert (dest / MAPLE).read_text() == (gitrepo / MAPLE).read_text()


def test_table_and_markdown_golden(gitrepo: Path) -> None:
    table = run(gitrepo, "--base", "HEAD~1", "--head", "HEAD")
    markdown = run(gitrepo, "--base", "HEAD~1", "--head", "HEAD", "--format", "markdown")
    assert table.exit_code == markdown.exit_code == 0
    for name, text in (("diff.txt", table.stdout), ("diff.md", markdown.stdout)):
        path = GOLDEN / name
        if os.environ.get("TENOR_UPDATE_GOLDEN"):
            path.write_text(text)
        assert text == path.read_text(), name
    assert markdown.stdout.startswith("### tenor diff: 3 customers change, -$387.01/month\n")
    assert "<details><summary>maple-retainer (maple-birch-cpa): +$29.37, 1 line changed" \
        in markdown.stdout


def _report(customers) -> DiffReport:
    return DiffReport("main", "WORKTREE", "2026-10-01", "2026-10-31", tuple(customers), (), ())


def test_summary_and_markdown_escaping() -> None:
    from engine.billing.result import Invoice, Line, Preview
    def pv(amount: str, desc: str) -> Preview:
        line = Line("c1", "charge", desc, Decimal(1), Decimal(amount), Decimal(amount))
        return Preview("2026-10-01", "2026-10-31", [Invoice("acme", "USD", [line])], [], [], {})
    evil = "Rush | <img src=x> @team"
    customers = compare(pv("1000.00", evil), pv("2240.00", evil))
    report = _report(customers)
    assert summary_line(report) == "1 customer changes, +$1,240.00/month"
    md = render_markdown(report)
    assert "<img" not in md and "@team" not in md and "Rush \\| &lt;img" in md
    assert summary_line(_report([])) == "No customer's bill changes"
    assert money_text(Decimal("-1234.5"), "EUR", signed=True) == "-€1,234.50"


def test_compare_one_side_only() -> None:
    from engine.billing.result import Invoice, Line, Preview
    line = Line("c1", "service", "Help desk", Decimal(1), Decimal("10.00"), Decimal("10.00"))
    only_after = Preview("s", "e", [Invoice("zed", "USD", [line])], [], [], {})
    empty = Preview("s", "e", [], [], [], {})
    [c] = compare(empty, only_after)
    assert (c.before, c.after, c.delta) == (Decimal(0), Decimal("10.00"), Decimal("10.00"))
    [c] = compare(only_after, empty)
    assert (c.before, c.after) == (Decimal("10.00"), Decimal(0))
    assert compare(only_after, only_after) == []
    [c] = compare(only_after, only_after, include_all=True)
    assert c.delta == 0 and c.contracts[0].lines == ()
