"""The semantic checks of ``engine.checks``: every registered check is tripped.

The golden cases (tests/cases/validate/) are the evidence: each check in
``REGISTRY`` is run on each case's repo, and every check must report at least
one problem somewhere, with the codes listed below. A new check without a
case that trips it fails ``test_every_registered_check_is_tripped``.
The rest are edge cases of single checks, with hand-computed outcomes.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from engine.checks import REGISTRY
from engine.diagnostics import Diagnostic
from engine.repo import load_repo
from engine.validate import validate

CASES = Path(__file__).resolve().parent / "cases" / "validate"
RATE_CARD = "apiVersion: tenor/v1\nkind: RateCard\nid: standard\ndefault: true\n"

# check name -> the codes its diagnostics carry in the golden cases.
EXPECTED_CODES = {
    "duplicate-id": {"duplicate-id"},
    "default-rate-card": {"default-rate-card"},
    "contract-dates": {"contract-dates"},
    "type-blocks": {"type-blocks"},
    "unknown-reference": {"unknown-reference", "unknown-rule"},
    "alternatives": {"bad-value", "duplicate-rate"},
    "default-contract": {"default-contract"},
    "schedule-sum": {"schedule-sum"},
    "block-dates": {"block-dates"},
    "sla-calendar": {"sla-calendar", "sla-days"},
    "rules": {"rule-unknown-metric", "rule-unknown-target", "rule-tier-order",
              "rule-tier-above", "rule-percent"},
}


def codes_by_check(monkeypatch: pytest.MonkeyPatch) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for case in sorted(p for p in CASES.iterdir() if p.is_dir()):
        monkeypatch.chdir(case)
        repo, _ = load_repo(case)
        for name, check in REGISTRY.items():
            found[name].update(d.code for d in check(repo))
    return found


def test_every_registered_check_is_tripped(monkeypatch: pytest.MonkeyPatch) -> None:
    found = codes_by_check(monkeypatch)
    untripped = sorted(name for name in REGISTRY if not found.get(name))
    assert untripped == [], f"no golden case trips these checks: {untripped}"
    assert set(EXPECTED_CODES) == set(REGISTRY)
    assert dict(found) == EXPECTED_CODES


def test_check_codes_reach_the_golden_outputs(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a check reports is what ``tenor validate`` prints (nothing is lost
    between the registry and the reporter)."""
    printed: set[str] = set()
    for case in CASES.iterdir():
        for line in (case / "expected.txt").read_text(encoding="utf-8").splitlines()[1:]:
            if line.endswith(")") and ": " in line:
                printed.add(line.rsplit("(", 1)[1][:-1])
    assert set().union(*EXPECTED_CODES.values()) <= printed


def test_valid_cases_trip_no_check(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("valid-minimal", "valid-types"):
        monkeypatch.chdir(CASES / name)
        repo, diags = load_repo(CASES / name)
        assert diags == []
        assert {key: list(check(repo)) for key, check in REGISTRY.items()} == \
            {key: [] for key in REGISTRY}


# ------------------------------------------------------------ edge cases

def contract(ident: str, customer: str = "acme", *, start: str = "2026-01-01",
             end: str = "2026-12-31", extra: str = "", status: str = "active",
             type_: str = "time_and_materials") -> str:
    return (f"apiVersion: tenor/v1\nkind: Contract\nid: {ident}\ncustomer: {customer}\n"
            f"type: {type_}\nstatus: {status}\nstart: {start}\nend: {end}\n{extra}")


def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str],
        rate_card: bool = True) -> list[Diagnostic]:
    (tmp_path / "contracts.d").mkdir()
    if rate_card:
        (tmp_path / "contracts.d" / "ratecard.yaml").write_text(RATE_CARD)
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    monkeypatch.chdir(tmp_path)
    _, diags = validate(tmp_path)
    return diags


def where(diags: list[Diagnostic]) -> list[tuple[str, int, int, str, str]]:
    return [(d.file, d.line, d.col, d.code, d.severity) for d in diags]


def test_default_contracts_that_only_touch_are_fine(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    diags = run(tmp_path, monkeypatch, {
        "contracts.d/a.yaml": contract("a", end="2026-06-30", extra="default: true\n"),
        "contracts.d/b.yaml": contract("b", start="2026-07-01", extra="default: true\n"),
    })
    assert diags == []


def test_default_contracts_overlapping_by_one_day(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    diags = run(tmp_path, monkeypatch, {
        "contracts.d/a.yaml": contract("a", end="2026-07-01", extra="default: true\n"),
        "contracts.d/b.yaml": contract("b", start="2026-07-01", extra="default: true\n"),
    })
    assert where(diags) == [("contracts.d/b.yaml", 9, 10, "default-contract", "error")]
    assert "in effect on 2026-07-01" in diags[0].message


def test_inactive_or_other_customers_defaults_do_not_clash(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    diags = run(tmp_path, monkeypatch, {
        "contracts.d/a.yaml": contract("a", extra="default: true\n"),
        "contracts.d/b.yaml": contract("b", status="cancelled", extra="default: true\n"),
        "contracts.d/c.yaml": contract("c", customer="globex", extra="default: true\n"),
    })
    assert diags == []


def test_three_overlapping_defaults_give_one_error_per_later_pair(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    diags = run(tmp_path, monkeypatch, {
        f"contracts.d/{n}.yaml": contract(n, extra="default: true\n") for n in "abc"})
    # pairs (a,b), (a,c), (b,c): b once, c twice (against a and against b)
    assert [(d.file, d.code) for d in diags] == [
        ("contracts.d/b.yaml", "default-contract"),
        ("contracts.d/c.yaml", "default-contract"),
        ("contracts.d/c.yaml", "default-contract"),
    ]


def test_end_equal_to_start_is_allowed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(tmp_path, monkeypatch, {
        "contracts.d/a.yaml": contract("a", start="2026-03-01", end="2026-03-01")}) == []


def test_schedule_off_by_one_cent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    extra = ("fixed_price:\n  amount: 100.00\n  schedule:\n"
             "    - {date: 2026-01-01, amount: 33.33}\n"
             "    - {date: 2026-02-01, amount: 33.33}\n"
             "    - {date: 2026-03-01, amount: 33.33}\n")
    diags = run(tmp_path, monkeypatch, {
        "contracts.d/a.yaml": contract("a", type_="fixed_price", extra=extra)})
    assert where(diags) == [("contracts.d/a.yaml", 11, 3, "schedule-sum", "error")]
    assert "adds up to 99.99" in diags[0].message and "difference 0.01" in diags[0].message


def test_fixed_price_without_schedule_needs_no_sum(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    diags = run(tmp_path, monkeypatch, {"contracts.d/a.yaml": contract(
        "a", type_="fixed_price", extra="fixed_price: {amount: 5000.00}\n")})
    assert diags == []


def test_per_device_without_devices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    diags = run(tmp_path, monkeypatch, {"contracts.d/a.yaml": contract("a", type_="per_device")})
    assert where(diags) == [("contracts.d/a.yaml", 5, 7, "type-blocks", "error")]
    assert "needs a 'devices:' list" in diags[0].message


def test_per_device_priced_by_a_per_device_service(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    extra = "services:\n  - {id: rmm, name: RMM, price: 12.00, per: device:workstation}\n"
    assert run(tmp_path, monkeypatch, {"contracts.d/a.yaml": contract(
        "a", type_="per_device", extra=extra)}) == []


def test_shared_blocks_are_allowed_on_any_type(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    extra = ("services:\n  - {id: hd, name: Help Desk, price: 100}\n"
             "devices:\n  - {type: server, rate: 100}\n"
             "pricing: |\n  minimum total 50.00\n")
    assert run(tmp_path, monkeypatch, {"contracts.d/a.yaml": contract("a", extra=extra)}) == []


def test_a_repo_without_a_rate_card_warns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    diags = run(tmp_path, monkeypatch, {"contracts.d/a.yaml": contract("a")}, rate_card=False)
    assert where(diags) == [("contracts.d/a.yaml", 1, 1, "default-rate-card", "warning")]


def test_a_day_named_twice_in_sla_hours(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sla = ("apiVersion: tenor/v1\nkind: SLA\nid: s\ncalendar:\n  timezone: UTC\n"
           "  hours: {mon-fri: \"08:00-17:00\", fri: \"09:00-12:00\"}\n"
           "targets:\n  low: {response: 8h, resolution: 40h}\n")
    diags = run(tmp_path, monkeypatch, {"contracts.d/s.yaml": sla})
    # the value of `fri` starts after `  hours: {mon-fri: "08:00-17:00", fri: `
    assert where(diags) == [("contracts.d/s.yaml", 6, 40, "sla-calendar", "error")]
    assert "'fri' is given twice" in diags[0].message


def test_day_targets_on_a_24x7_calendar_are_fine(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    sla = ("apiVersion: tenor/v1\nkind: SLA\nid: s\ncalendar: {timezone: UTC, hours: 24x7}\n"
           "targets:\n  low: {response: 1d, resolution: 5d}\n")
    assert run(tmp_path, monkeypatch, {"contracts.d/s.yaml": sla}) == []


def test_a_rule_shared_by_two_contracts_is_reported_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rules = "rule r {\n  discount labour by 5%\n}\n"
    diags = run(tmp_path, monkeypatch, {
        "contracts.d/a.yaml": contract("a", extra="rules: [r]\n"),
        "contracts.d/b.yaml": contract("b", customer="globex", extra="rules: [r]\n"),
        "rules/r.rules": rules,
    })
    assert where(diags) == [("rules/r.rules", 2, 12, "rule-unknown-target", "error")]


def test_pricing_as_a_quoted_string_points_into_the_yaml(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Line 9 is `pricing: "discount labor by 5% when hourz > 1"`: the quote is
    # column 10, so rule-text column c is file column 10 + c; `hourz` is
    # rule-text column 27 (after "discount labor by 5% when ").
    extra = 'pricing: "discount labor by 5% when hourz > 1"\n'
    diags = run(tmp_path, monkeypatch, {"contracts.d/a.yaml": contract("a", extra=extra)})
    assert where(diags) == [("contracts.d/a.yaml", 9, 37, "rule-unknown-metric", "error")]
