"""Hostile input: every file tenor reads can be hand-made by an attacker or mangled by a tool.

Each case feeds one bad file into a copy of the sample MSP and runs the real
command in-process (click's CliRunner). The promise under test (SPEC 2, 4,
5.11, 7): a clear error that names ``file:line[:col]`` (``file:row`` for CSV),
exit 1 (or, for ``preview`` without ``--strict``, 0 with the row held), never
a traceback and never the "internal error" exit 3. Expected positions are
counted by hand from the bytes written.
"""
from __future__ import annotations

import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli

REPO = Path(__file__).resolve().parent.parent


# ----------------------------------------------------------------- helpers


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    """A private copy of the sample MSP (contracts.d/, rules/, examples/activity/)."""
    root = tmp_path / "msp"
    shutil.copytree(REPO / "contracts.d", root / "contracts.d")
    shutil.copytree(REPO / "rules", root / "rules")
    shutil.copytree(REPO / "examples" / "activity", root / "examples" / "activity")
    return root


@pytest.fixture(scope="module")
def contracts_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A read-only copy of the sample contracts for the CSV cases (which only add activity)."""
    root = tmp_path_factory.mktemp("contracts") / "msp"
    shutil.copytree(REPO / "contracts.d", root / "contracts.d")
    shutil.copytree(REPO / "rules", root / "rules")
    return root


def invoke(*args: str) -> tuple[int, str, str]:
    """Run ``tenor ARGS`` in-process; fail on any escaped exception or internal error."""
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"exception escaped: {result.exception!r}"
    out, err = result.stdout, result.stderr
    assert "Traceback" not in out + err
    assert "internal error" not in out + err, err
    assert result.exit_code != 3, err
    return result.exit_code, out, err


def validate_json(root: Path) -> tuple[int, dict]:
    code, out, _ = invoke("validate", "--root", str(root), "--format", "json")
    return code, json.loads(out)


def problems_in(report: dict, path: Path) -> list[tuple[int, int, str]]:
    return [(p["line"], p["column"], p["code"]) for p in report["problems"]
            if p["file"] == str(path)]


_LOCATED = re.compile(r"^(?P<file>[^\s].*?):(?P<line>[1-9][0-9]*)(?::(?P<col>[1-9][0-9]*))?: "
                      r"(?:error|warning): ")


def assert_text_lines_located(text: str, *, yaml_col: bool = True) -> None:
    """Every diagnostic head line is ``existing-file:LINE[:COL]: level: message``."""
    for line in text.splitlines():
        if line.startswith((" ", "\t")) or not re.search(r": (?:error|warning): ", line):
            continue
        m = _LOCATED.match(line)
        assert m, f"diagnostic without file:line: {line!r}"
        assert Path(m["file"]).is_file(), line
        if yaml_col and m["file"].endswith((".yaml", ".yml")):
            assert m["col"], f"YAML diagnostic without a column: {line!r}"


# -------------------------------------------------------------- YAML files

LAUGHS = "".join(
    f"{name}: &{name} [{', '.join([('*' + prev) if prev else 'lol'] * 9)}]\n"
    for prev, name in zip(["", "a", "b", "c", "d", "e", "f", "g", "h"], "abcdefghi"))

# name -> (bytes, [(line, col, code)] that MUST be among the file's problems)
YAML_CASES: dict[str, tuple[bytes, list[tuple[int, int, str]]]] = {
    "over the 4 MiB limit": (b"a: " + b"x" * (4 * 1024 * 1024), [(1, 1, "file-too-large")]),
    # the 65th '[' is the first one past MAX_DEPTH = 64
    "nesting 30,000 deep": (b"[" * 30000, [(1, 65, "too-deep")]),
    "nesting 30,000 deep mappings": (b"{a: " * 30000, [(1, 257, "too-deep")]),
    "non-UTF-8 byte": (b"apiVersion: tenor/v1\nkind: Contract\nname: caf\xe9\n", [(3, 10, "not-utf8")]),
    "NUL byte": (b"apiVersion: tenor/v1\nkind: Con\x00tract\n", [(2, 10, "nul-byte")]),
    "unknown local tag": (b"apiVersion: tenor/v1\nkind: Contract\nid: !mytag x\n", [(3, 5, "yaml-tag")]),
    "non-string keys": (b"apiVersion: tenor/v1\nkind: Contract\n1: x\n[a]: y\n",
                        [(3, 1, "yaml-key"), (4, 1, "yaml-key")]),
    "merge key": (b"base: &b {x: 1}\napiVersion: tenor/v1\nkind: Contract\n<<: *b\n",
                  [(4, 1, "yaml-merge")]),
    "duplicate key": (b"apiVersion: tenor/v1\nkind: Contract\nkind: Contract\n",
                      [(3, 1, "duplicate-key")]),
    "a list document": (b"- a\n- b\n", [(1, 1, "not-a-mapping")]),
    "a scalar document": (b"hello\n", [(1, 1, "not-a-mapping")]),
    "a second document that is a list": (
        b"apiVersion: tenor/v1\nkind: Catalog\nid: extra\nproducts: []\n---\n- x\n",
        [(6, 1, "not-a-mapping")]),
    "YAML 1.1 boolean for a string field": (
        b"apiVersion: tenor/v1\nkind: Catalog\nid: extra2\nname: no\nproducts: []\n", [(4, 7, None)]),
    "octal-looking number": (
        b"apiVersion: tenor/v1\nkind: Catalog\nid: extra3\nproducts:\n"
        b"  - {sku: X-1, name: X, price: 010}\n", [(5, 32, "yaml-number")]),
    "exponent number": (
        b"apiVersion: tenor/v1\nkind: Catalog\nid: extra4\nproducts:\n"
        b"  - {sku: X-1, name: X, price: 1e9}\n", [(5, 32, "yaml-number")]),
    "unterminated flow": (b"apiVersion: tenor/v1\nkind: [Contract\n", [(3, 1, "yaml-syntax")]),
    "tab indentation": (b"apiVersion: tenor/v1\nlabor:\n\trates: []\n", [(3, 1, "yaml-syntax")]),
}


@pytest.mark.parametrize("case", list(YAML_CASES), ids=list(YAML_CASES))
def test_hostile_yaml_is_a_located_error(repo: Path, case: str) -> None:
    raw, expected = YAML_CASES[case]
    path = repo / "contracts.d" / "hostile.yaml"
    path.write_bytes(raw)
    code, report = validate_json(repo)
    assert code == 1
    found = problems_in(report, path)
    for line, col, want in expected:
        assert any(l == line and c == col and (want is None or k == want) for l, c, k in found), \
            (case, found)
    # the sample's own files are untouched, so every problem is in the hostile file
    assert {p["file"] for p in report["problems"]} == {str(path)}
    _, text, _ = invoke("validate", "--root", str(repo))
    assert_text_lines_located(text)


def test_billion_laughs_is_refused_before_it_expands(repo: Path) -> None:
    path = repo / "contracts.d" / "laughs.yaml"
    path.write_text(LAUGHS)           # 9**9 = 387 million leaves if expanded
    code, report = validate_json(repo)
    assert code == 1
    assert [k for _, _, k in problems_in(report, path)] == ["alias-bomb"]
    line, col, _ = problems_in(report, path)[0]
    assert line >= 1 and col >= 1


def test_python_tags_never_run_code(repo: Path, tmp_path: Path) -> None:
    marker = tmp_path / "MARKER"
    path = repo / "contracts.d" / "evil.yaml"
    path.write_text("apiVersion: tenor/v1\nkind: Contract\nid: evil\n"
                    f"name: !!python/object/apply:os.system ['touch {marker}']\n"
                    f"description: !!python/object/new:os.system ['touch {marker}']\n")
    code, report = validate_json(repo)
    assert code == 1
    found = problems_in(report, path)
    assert (4, 7, "yaml-tag") in found and (5, 14, "yaml-tag") in found
    for args in (["preview"], ["explain", "riverside-tm"]):
        code, _, err = invoke(*args, "--root", str(repo))
        assert code == 1 and f"{path}:4:7: error: tag !!python/object/apply:os.system" in err
    assert not marker.exists()


@pytest.mark.parametrize("content", [b"", b"# only a comment\n# and another\n", b"---\n"],
                         ids=["empty file", "only comments", "only a separator"])
def test_a_contract_file_with_no_document_is_reported(repo: Path, content: bytes) -> None:
    """A contracts.d file that holds nothing is almost always a truncated or
    mis-merged file: its contracts silently vanish from billing. The brief
    asks for a located error (exit 1)."""
    path = repo / "contracts.d" / "customers" / "blank.yaml"
    path.write_bytes(content)
    code, report = validate_json(repo)
    assert [(l, k) for l, _, k in problems_in(report, path)][:1] and \
        problems_in(report, path)[0][0] == 1
    assert code == 1


def test_hostile_yaml_stops_preview_with_exit_1(repo: Path) -> None:
    path = repo / "contracts.d" / "hostile.yaml"
    path.write_bytes(b"[" * 30000)
    code, out, err = invoke("preview", "--root", str(repo), "--format", "json")
    assert code == 1 and out == ""
    assert f"{path}:1:65: error: nesting is deeper than 64 levels" in err


# -------------------------------------------------------------- rule files

RULE_CASES: dict[str, tuple[bytes, tuple[int, int, str]]] = {
    "over 256 KiB": (b"# " + b"x" * (256 * 1024) + b"\n", (1, 1, "file-too-large")),
    # '{' on line 1 is depth 1; the 50th '(' (column 15 + 50) is depth 51
    "10,000 nested parentheses": (
        b'rule x {\n  charge "a" = ' + b"(" * 10000 + b"1" + b")" * 10000 + b"\n}\n",
        (2, 65, "rule-too-deep")),
    # when number k is on line k+1 at depth k+1: the 50th (line 51) is too deep; '{' at col 16
    "10,000 nested when blocks": (
        b"rule x {\n" + b"when hours > 1 {\n" * 10000 + b"discount labor by 1%\n"
        + b"}\n" * 10000 + b"}\n", (51, 16, "rule-too-deep")),
    # bytes 0..255: the first invalid UTF-8 byte (0x80) is after the '\n' at offset 10
    "binary garbage": (bytes(range(256)) * 10, (2, 1, "not-utf8")),
    "latin-1 text": (b'rule x {\n  charge "caf\xe9" = 1\n}\n', (2, 1, "not-utf8")),
    "unclosed rule": (b"rule x {\n  discount labor by 10%\n", (1, 8, None)),
    "unknown statement": (b"rule x {\n  import os\n}\n", (2, 3, "rule-syntax")),
}


@pytest.mark.parametrize("case", list(RULE_CASES), ids=list(RULE_CASES))
def test_hostile_rule_file_is_a_located_error(repo: Path, case: str) -> None:
    raw, (line, col, want) = RULE_CASES[case]
    path = repo / "rules" / "hostile.rules"
    path.write_bytes(raw)
    code, report = validate_json(repo)
    assert code == 1
    found = problems_in(report, path)
    assert any(l == line and c in (col, 1 if want == "not-utf8" else col)
               and (want is None or k == want) for l, c, k in found), (case, found)
    assert {p["file"] for p in report["problems"]} == {str(path)}
    _, text, _ = invoke("validate", "--root", str(repo))
    assert_text_lines_located(text)


def test_nul_byte_in_a_rule_file_is_named_not_echoed(repo: Path) -> None:
    """A raw NUL echoed into a terminal or a GitHub annotation corrupts it."""
    path = repo / "rules" / "hostile.rules"
    path.write_bytes(b"rule x {\x00 }\n")
    code, report = validate_json(repo)
    assert code == 1
    assert [(l, c) for l, c, _ in problems_in(report, path)] == [(1, 9)]
    _, text, _ = invoke("validate", "--root", str(repo))
    assert "\x00" not in text


def test_rule_arithmetic_with_huge_literals_is_caught_by_validate(repo: Path) -> None:
    """CI safety: what validate accepts, preview must be able to compute.
    40-digit literals overflow the 34-digit context when rounded to cents."""
    path = repo / "contracts.d" / "customers" / "riverside-clinic.yaml"
    big = "1" + "0" * 40
    path.write_text(path.read_text().replace("minimum total 750.00",
                                             f'charge "x" = {big} * {big}'))
    v_code, _, _ = invoke("validate", "--root", str(repo))
    p_code, _, err = invoke("preview", "--root", str(repo), "--format", "json")
    assert v_code == 1 or p_code in (0, 1), err


@pytest.mark.parametrize("field,old,new", [
    ("rate card rate", "technician: 110.00", "technician: 1" + "0" * 40),
    ("labor minimum", "minimum: 0.5", "minimum: 1" + "0" * 40),
    ("pricing minimum", "minimum total 750.00", "minimum total 1" + "0" * 40),
    ("percentage", "minimum total 750.00", "surcharge total by " + "9" * 36 + "%"),
])
def test_huge_numbers_in_contracts_are_refused_by_validate(repo: Path, field: str, old: str,
                                                           new: str) -> None:
    """A number validate accepts must never crash preview (exit 3)."""
    card = repo / "contracts.d" / "ratecards.yaml"
    clinic = repo / "contracts.d" / "customers" / "riverside-clinic.yaml"
    target = card if old.startswith("technician") else clinic
    text = target.read_text()
    assert old in text
    target.write_text(text.replace(old, new, 1))
    v_code, v_out, _ = invoke("validate", "--root", str(repo))
    if v_code == 1:
        assert f"{target}:" in v_out
    p_code, _, err = invoke("preview", "--root", str(repo), "--format", "json")
    assert p_code in (0, 1), err
    assert v_code == 1, f"validate accepted a {field} of {new!r}"


# ---------------------------------------------------------- activity CSVs

TE_HEADER = ("id,date,customer,contract,ticket,resource,role,work_type,hours,billable,"
             "approved,description\n")


def te_row(id_: str, date: str = "2026-10-05", hours: str = "1.5") -> str:
    return f"{id_},{date},lakeshore-architects,,,Tom,technician,remote,{hours},true,true,x\n"


GOOD = te_row("TE-1") + te_row("TE-2")

# row 4 (after the header and two good rows) is bad; the good rows are billed
BAD_TIME_ENTRY_ROW: dict[str, tuple[str, str]] = {
    "NaN": (te_row("TE-3", hours="NaN"), "activity_bad_number"),
    "Infinity": (te_row("TE-3", hours="Infinity"), "activity_bad_number"),
    "-Infinity": (te_row("TE-3", hours="-Infinity"), "activity_bad_number"),
    "1e999": (te_row("TE-3", hours="1e999"), "activity_bad_number"),
    "12_000": (te_row("TE-3", hours="12_000"), "activity_bad_number"),
    "arabic-indic digits": (te_row("TE-3", hours="\u0661\u0662"), "activity_bad_number"),
    "fullwidth digits": (te_row("TE-3", hours="\uff11"), "activity_bad_number"),
    "decimal comma": (te_row("TE-3", hours='"1,5"'), "activity_bad_number"),
    "thousands separator": (te_row("TE-3", hours='"1,000.5"'), "activity_bad_number"),
    "negative hours": (te_row("TE-3", hours="-1"), "activity_negative_hours"),
    "date 2026-1-5": (te_row("TE-3", date="2026-1-5"), "activity_bad_date"),
    "date 2026-02-30": (te_row("TE-3", date="2026-02-30"), "activity_bad_date"),
    "US date": (te_row("TE-3", date="10/05/2026"), "activity_bad_date"),
    "naive datetime as date": (te_row("TE-3", date="2026-10-05T10:00:00"), "activity_bad_date"),
    "NUL in a field": (te_row("TE-3", hours="1\x00"), "activity_bad_number"),
    "missing id": (te_row("", hours="1"), "activity_missing_value"),
}


def preview_activity(root: Path, act: Path, *extra: str) -> tuple[int, dict | None, str]:
    code, out, err = invoke("preview", "--root", str(root), "--activity", str(act),
                            "--period", "2026-10", "--format", "json", *extra)
    return code, (json.loads(out) if out.strip() else None), err


def assert_adds_up(report: dict) -> None:
    for kind, counts in report["dispositions"].items():
        assert sum(v for k, v in counts.items() if k != "read") == counts["read"], kind


@pytest.mark.parametrize("case", list(BAD_TIME_ENTRY_ROW), ids=list(BAD_TIME_ENTRY_ROW))
def test_bad_time_entry_row_is_held_at_file_row(contracts_root: Path, tmp_path: Path,
                                                case: str) -> None:
    row, want = BAD_TIME_ENTRY_ROW[case]
    act = tmp_path / "act"
    act.mkdir()
    (act / "time_entries.csv").write_text(TE_HEADER + GOOD + row, encoding="utf-8")
    code, report, err = preview_activity(contracts_root, act)
    assert code == 0
    assert f"{act}/time_entries.csv:4: error: " in err and f"({want})" in err
    assert_text_lines_located(err)
    te = report["dispositions"]["time_entries"]
    assert (te["read"], te["billed"], te["held"]) == (3, 2, 1)
    assert_adds_up(report)
    assert [(h["file"], h["row"], h["reason"]) for h in report["held"]] == \
        [("time_entries.csv", 4, "invalid_row")]
    # two good technician hours at 110.00 x 1.5h each
    labor = [l for inv in report["invoices"] for l in inv["lines"] if l["kind"] == "labor"]
    assert [(l["quantity"], l["amount"]) for l in labor] == [("3", "330.00")]
    strict_code, _, _ = preview_activity(contracts_root, act, "--strict")
    assert strict_code == 1


# name -> (bytes, line named in the error, code); the whole file is skipped (0 rows read)
BAD_TIME_ENTRY_FILE: dict[str, tuple[bytes, int, str]] = {
    "non-UTF-8": ((TE_HEADER + GOOD).encode() + te_row("TE-3").encode().replace(b",x", b",caf\xe9"),
                  4, "activity_not_utf8"),
    "UTF-16": ((TE_HEADER + GOOD).encode("utf-16"), 1, "activity_not_utf8"),
    "unbalanced quote": ((TE_HEADER + GOOD + te_row("TE-3").replace(",x", ',"oops')
                          + te_row("TE-4")).encode(), 5, "activity_bad_csv"),
    "a 10 MB field": ((TE_HEADER + GOOD).encode()
                      + te_row("TE-3").encode().replace(b",x", b"," + b"x" * 10_000_000),
                      4, "activity_bad_csv"),
    "missing required column": ((TE_HEADER.replace("hours,", "")
                                 + "TE-1,2026-10-05,lakeshore-architects,,,Tom,technician,"
                                   "remote,true,true,x\n").encode(), 1, "activity_missing_column"),
}


@pytest.mark.parametrize("case", list(BAD_TIME_ENTRY_FILE), ids=list(BAD_TIME_ENTRY_FILE))
def test_unusable_activity_file_is_one_located_error(contracts_root: Path, tmp_path: Path,
                                                     case: str) -> None:
    raw, line, want = BAD_TIME_ENTRY_FILE[case]
    act = tmp_path / "act"
    act.mkdir()
    (act / "time_entries.csv").write_bytes(raw)
    code, report, err = preview_activity(contracts_root, act)
    assert code == 0
    assert f"{act}/time_entries.csv:{line}: error: " in err and f"({want})" in err
    assert_text_lines_located(err)
    assert len(err) < 2000           # a 10 MB field is never echoed back
    assert report["dispositions"]["time_entries"]["read"] == 0
    assert_adds_up(report)
    strict_code, _, _ = preview_activity(contracts_root, act, "--strict")
    assert strict_code == 1


def test_bom_and_crlf_are_accepted(contracts_root: Path, tmp_path: Path) -> None:
    act = tmp_path / "act"
    act.mkdir()
    (act / "time_entries.csv").write_bytes(
        ("\ufeff" + TE_HEADER + GOOD).replace("\n", "\r\n").encode("utf-8"))
    code, report, err = preview_activity(contracts_root, act, "--strict")
    assert code == 0 and err == ""
    assert report["dispositions"]["time_entries"]["read"] == 2
    assert report["dispositions"]["time_entries"]["billed"] == 2


@pytest.mark.parametrize("content", [b"", b"\n\n", b" , ,\n"], ids=["empty", "blank lines",
                                                                     "blank cells"])
def test_activity_file_with_no_header_is_located(contracts_root: Path, tmp_path: Path,
                                                 content: bytes) -> None:
    """Found by test_fuzz: an emptied export was reported as ``file: warning``
    with no line, unlike every other diagnostic (SPEC 7: ``file:line:col``)."""
    act = tmp_path / "act"
    act.mkdir()
    (act / "tickets.csv").write_bytes(content)
    code, report, err = preview_activity(contracts_root, act)
    assert code == 0
    assert f"{act}/tickets.csv:1: warning: " in err and "(activity_empty_file)" in err
    assert_text_lines_located(err)


def test_header_only_file_reads_zero_rows(contracts_root: Path, tmp_path: Path) -> None:
    act = tmp_path / "act"
    act.mkdir()
    (act / "time_entries.csv").write_text(TE_HEADER)
    (act / "charges.csv").write_text(
        "id,date,customer,contract,ticket,product,quantity,unit_price,description\n"
        "CH-1,2026-10-05,lakeshore-architects,,,M365-BP,2,,x\n")
    code, report, err = preview_activity(contracts_root, act, "--strict")
    assert code == 0 and err == ""
    assert report["dispositions"]["time_entries"]["read"] == 0
    assert report["dispositions"]["charges"] == {"read": 1, "billed": 1, "covered": 0, "drawn": 0,
                                                 "non_billable": 0, "other_period": 0, "held": 0}


CH_HEADER = "id,date,customer,contract,ticket,product,quantity,unit_price,description\n"


def ch_row(id_: str, quantity: str = "2", price: str = "", date: str = "2026-10-05") -> str:
    return f"{id_},{date},lakeshore-architects,,,M365-BP,{quantity},{price},x\n"


@pytest.mark.parametrize("row,want", [
    (ch_row("CH-3", quantity="NaN"), "activity_bad_number"),
    (ch_row("CH-3", quantity="0"), "activity_zero_quantity"),
    (ch_row("CH-3", price="-5"), "activity_negative_price"),
    (ch_row("CH-3", price="sNaN"), "activity_bad_number"),
    (ch_row("CH-3", price="1E+2"), "activity_bad_number"),
    (ch_row("CH-3", date="2026-13-01"), "activity_bad_date"),
], ids=["NaN quantity", "zero quantity", "negative price", "sNaN price", "exponent price",
        "month 13"])
def test_bad_charge_row_is_held_at_file_row(contracts_root: Path, tmp_path: Path, row: str,
                                            want: str) -> None:
    act = tmp_path / "act"
    act.mkdir()
    (act / "charges.csv").write_text(CH_HEADER + ch_row("CH-1") + ch_row("CH-2") + row)
    code, report, err = preview_activity(contracts_root, act)
    assert code == 0
    assert f"{act}/charges.csv:4: error: " in err and f"({want})" in err
    ch = report["dispositions"]["charges"]
    assert (ch["read"], ch["billed"], ch["held"]) == (3, 2, 1)
    assert_adds_up(report)
    # 2 x M365-BP at the catalog's 22.00, twice
    charges = [l for inv in report["invoices"] for l in inv["lines"] if l["kind"] == "charge"]
    assert sorted(l["amount"] for l in charges) == ["44.00", "44.00"]


@pytest.mark.parametrize("field", ["quantity", "unit_price"])
def test_huge_charge_numbers_never_crash_preview(contracts_root: Path, tmp_path: Path,
                                                 field: str) -> None:
    """A 41-digit quantity or price cannot be rounded to cents in a 34-digit
    context; the row must be held at file:row, not end the run with exit 3."""
    big = "1" + "0" * 40
    row = ch_row("CH-3", quantity=big) if field == "quantity" else ch_row("CH-3", price=big)
    act = tmp_path / "act"
    act.mkdir()
    (act / "charges.csv").write_text(CH_HEADER + ch_row("CH-1") + row)
    code, report, err = preview_activity(contracts_root, act)
    assert code == 0, err
    assert f"{act}/charges.csv:3: error: " in err
    assert_adds_up(report)
    assert report["dispositions"]["charges"]["held"] == 1


def test_far_future_date_never_crashes_the_default_period(contracts_root: Path,
                                                          tmp_path: Path) -> None:
    """With no --period the latest activity month is previewed; 9999-12 has no
    following month, and must not end the run with exit 3."""
    act = tmp_path / "act"
    act.mkdir()
    (act / "charges.csv").write_text(CH_HEADER + ch_row("CH-1") + ch_row("CH-2", date="9999-12-31"))
    code, out, err = invoke("preview", "--root", str(contracts_root), "--activity", str(act),
                            "--format", "json")
    assert code in (0, 1), err
    assert f"{act}/charges.csv:3: error: " in err
    if code == 0:
        assert_adds_up(json.loads(out))


def test_ticket_with_a_naive_datetime_is_reported_at_file_row(contracts_root: Path,
                                                              tmp_path: Path) -> None:
    act = tmp_path / "act"
    act.mkdir()
    (act / "tickets.csv").write_text(
        "id,customer,contract,priority,created,first_response,resolved,status,sla\n"
        "T-1,lakeshore-architects,,high,2026-10-05T09:00:00-04:00,,,open,\n"
        "T-2,lakeshore-architects,,high,2026-10-05T09:00:00,,,open,\n"
        "T-3,lakeshore-architects,,urgent,2026-10-05T09:00:00Z,,,open,\n")
    code, report, err = preview_activity(contracts_root, act)
    assert code == 0
    assert f"{act}/tickets.csv:3: error: column 'created': '2026-10-05T09:00:00' has no UTC offset" in err
    assert f"{act}/tickets.csv:4: error: column 'priority': 'urgent' is not a priority" in err
    assert_text_lines_located(err)
    assert report["dispositions"]["time_entries"]["read"] == 0


def test_every_problem_of_a_row_is_reported(contracts_root: Path, tmp_path: Path) -> None:
    act = tmp_path / "act"
    act.mkdir()
    (act / "time_entries.csv").write_text(
        TE_HEADER + "TE-1,2026-13-01,lakeshore-architects,,,Tom,,remote,NaN,maybe,true,x\n")
    code, report, err = preview_activity(contracts_root, act)
    located = [l for l in err.splitlines() if l.startswith(f"{act}/time_entries.csv:2: error: ")]
    # date, role (missing), hours, billable: four problems, one row held
    assert len(located) == 4, err
    assert report["dispositions"]["time_entries"] == {
        "read": 1, "billed": 0, "covered": 0, "drawn": 0, "non_billable": 0,
        "other_period": 0, "held": 1}


# ------------------------------------------------- arithmetic and code safety


def test_runtime_division_by_zero_is_a_located_rule_error(repo: Path) -> None:
    """Static checks cannot see that ``hours - hours`` is 0; the run must still not crash."""
    path = repo / "contracts.d" / "customers" / "riverside-clinic.yaml"
    text = path.read_text()
    assert "minimum total 750.00" in text
    path.write_text(text.replace("minimum total 750.00", 'charge "x" = 100 / (hours - hours)'))
    assert invoke("validate", "--root", str(repo))[0] == 0
    code, out, _ = invoke("preview", "--root", str(repo), "--format", "json")
    assert code == 0
    warnings = [w for inv in json.loads(out)["invoices"] for w in inv["warnings"]
                if w["contract"] == "riverside-tm" and w["code"] == "rule_error"]
    assert len(warnings) == 1 and warnings[0]["severity"] == "error"
    assert f"{path}:32:" in warnings[0]["message"] and "division by zero" in warnings[0]["message"]
    assert invoke("preview", "--root", str(repo), "--format", "json", "--strict")[0] == 1


def test_floats_never_mix_with_money() -> None:
    """engine.number traps FloatOperation: a binary float cannot reach an amount unnoticed."""
    import decimal

    from engine.number import D, NumberError, money

    with pytest.raises(TypeError):
        Decimal("1.10") + 0.1      # type: ignore[operator]   (always refused by Python)
    with pytest.raises(decimal.FloatOperation):
        Decimal(0.1)               # construction from a float: trapped by tenor's context
    with pytest.raises(decimal.FloatOperation):
        Decimal("0.1") < 0.2       # mixed comparison: trapped too  # noqa: B015
    with pytest.raises(TypeError):
        D(0.1)                      # type: ignore[arg-type]
    for text in ("NaN", "Infinity", "1e3", "1_000", "\u0661", "0x10", "1,5", ""):
        with pytest.raises(NumberError):
            D(text)
    assert money(Decimal("2.675")) == Decimal("2.68")        # half-up, not banker's / binary
    assert money(Decimal("0.125")) + money(Decimal("0.125")) == Decimal("0.26")


FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__", "load", "unsafe_load", "full_load",
                   "loads", "system", "popen"}


def test_engine_never_evaluates_or_unpickles() -> None:
    """No eval/exec/compile, no yaml.load/unsafe_load, no pickle/marshal, no os.system in engine/.

    ``json.loads`` is the one allowed ``loads``; git is run by ``tenor diff``
    through ``subprocess`` with an argument list, never a shell string.
    """
    import ast

    offenders = []
    for path in sorted((REPO / "engine").rglob("*.py")) + [REPO / "cli.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                if any(n.split(".")[0] in ("pickle", "marshal", "shelve", "dill") for n in names):
                    offenders.append(f"{path}:{node.lineno}: imports {names}")
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else \
                func.attr if isinstance(func, ast.Attribute) else ""
            owner = func.value.id if isinstance(func, ast.Attribute) and \
                isinstance(func.value, ast.Name) else ""
            if name not in FORBIDDEN_CALLS or (name == "loads" and owner == "json"):
                continue
            if name == "load" and owner in ("json",):
                continue
            if name == "compile" and owner == "re":
                continue
            offenders.append(f"{path}:{node.lineno}: {owner + '.' if owner else ''}{name}()")
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "shell" and \
                    isinstance(node.value, ast.Constant) and node.value.value is True:
                offenders.append(f"{path}:{node.value.lineno}: shell=True")
    assert offenders == []


def test_github_annotations_carry_file_line_and_column(repo: Path) -> None:
    """CI safety: a hostile file becomes an annotation on the exact spot, and exit 1."""
    path = repo / "contracts.d" / "hostile.yaml"
    path.write_bytes(b"apiVersion: tenor/v1\nkind: Contract\nkind: Contract\n")
    code, out, _ = invoke("validate", "--root", str(repo), "--format", "github")
    assert code == 1
    lines = [l for l in out.splitlines() if "duplicate-key" in l]
    assert len(lines) == 1
    prop_path = str(path).replace(":", "%3A").replace(",", "%2C")
    assert lines[0].startswith(f"::error file={prop_path},line=3,col=1,")
