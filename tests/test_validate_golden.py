"""Golden tests for ``tenor validate``: one tiny contracts repo per problem.

Each folder under ``tests/cases/validate/`` is a complete contracts repo
(``contracts.d/`` and, where relevant, ``rules/``) plus ``expected.txt``:
its first line is ``exit: N``, the rest is the exact text ``tenor validate``
prints when run with the case folder as the working directory. Every
``file:line:col`` in those files was counted by hand from the YAML next to it.

Cases that need files not worth committing (a nesting or alias bomb, bytes
that are not UTF-8) are generated here, with their expected lines inline.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli

REPO = Path(__file__).resolve().parent.parent

CASES = Path(__file__).resolve().parent / "cases" / "validate"
CASE_NAMES = sorted(p.name for p in CASES.iterdir() if (p / "expected.txt").is_file())

RATE_CARD = "apiVersion: tenor/v1\nkind: RateCard\nid: standard\ndefault: true\n"
CONTRACT_HEAD = ("apiVersion: tenor/v1\nkind: Contract\nid: acme-tm\ncustomer: acme\n"
                 "type: time_and_materials\nstatus: active\nstart: 2026-01-01\nend: 2026-12-31\n")


def read_expected(case: Path) -> tuple[int, list[str]]:
    first, *lines = case.joinpath("expected.txt").read_text(encoding="utf-8").splitlines()
    assert first.startswith("exit: "), f"{case.name}/expected.txt must start with 'exit: N'"
    return int(first.removeprefix("exit: ")), lines


def run_validate(folder: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(cli, ["validate", *args], catch_exceptions=False)
    return result.exit_code, result.output


def test_there_are_golden_cases() -> None:
    # A renamed folder must not silently turn this suite into zero tests.
    assert len(CASE_NAMES) >= 30


@pytest.mark.parametrize("name", CASE_NAMES)
def test_golden_case(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    case = CASES / name
    exit_code, lines = read_expected(case)
    code, output = run_validate(case, monkeypatch)
    assert "Traceback" not in output
    assert output.splitlines() == lines
    assert code == exit_code


def test_every_negative_case_reports_something_and_positive_cases_nothing() -> None:
    for name in CASE_NAMES:
        exit_code, lines = read_expected(CASES / name)
        if name.startswith("valid-"):
            assert exit_code == 0 and lines[-1].startswith("ok: "), name
        else:
            assert len(lines) >= 2 and not lines[-1].startswith("ok: "), name


def test_warnings_alone_exit_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    code, output = run_validate(CASES / "sla-days", monkeypatch)
    assert code == 0
    assert ": warning: 2d counts 24-hour days" in output
    assert output.splitlines()[-1] == "0 error(s), 1 warning(s) in 1 file(s)"


def test_collect_all_reports_every_stage_in_one_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """A YAML syntax error in one file stops neither the other files nor the
    semantic and rule checks."""
    code, output = run_validate(CASES / "collect-all", monkeypatch)
    assert code == 1
    codes = {line.rsplit("(", 1)[1].rstrip(")") for line in output.splitlines()[:-1]}
    assert codes == {"contract-dates", "unknown-reference", "rule-unknown-target", "yaml-syntax",
                     "bad-value", "sla-days", "rule-tier-above"}
    assert output.splitlines()[-1] == "6 error(s), 2 warning(s) in 6 file(s)"


def test_bundled_sample_validates(monkeypatch: pytest.MonkeyPatch) -> None:
    code, output = run_validate(REPO, monkeypatch)
    assert code == 0, output
    assert output.startswith("ok: ") and output.endswith("no problems\n")


# ----------------------------------------------------------- generated cases

def make_repo(tmp_path: Path, files: dict[str, bytes | str]) -> Path:
    (tmp_path / "contracts.d").mkdir()
    (tmp_path / "contracts.d" / "ratecard.yaml").write_text(RATE_CARD, encoding="utf-8")
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        path.write_bytes(content)
    return tmp_path


def test_deep_nesting_is_refused_at_the_too_deep_bracket(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # Line 9 is `description: [[[...` : the root mapping is level 1, so the
    # 64th bracket opens level 65; it sits at column 13 + 64 = 77.
    text = CONTRACT_HEAD + "description: " + "[" * 5000 + "]" * 5000 + "\n"
    repo = make_repo(tmp_path, {"contracts.d/deep.yaml": text})
    code, output = run_validate(repo, monkeypatch)
    assert output.splitlines() == [
        "contracts.d/deep.yaml:9:77: error: nesting is deeper than 64 levels; contract files "
        "never need this much, flatten the structure (too-deep)",
        "1 error(s), 0 warning(s) in 2 file(s)",
    ]
    assert code == 1


def test_deep_nesting_in_a_rule_file_is_refused(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # `rule r {` opens level 1; line 2 is 60 `(`. The limit is 50 levels, so the
    # first opener too deep is level 51: the 50th `(`, at column 50.
    text = "rule r {\n" + "(" * 60 + "\n}\n"
    repo = make_repo(tmp_path, {"rules/deep.rules": text})
    code, output = run_validate(repo, monkeypatch)
    lines = output.splitlines()
    assert lines[0] == ("rules/deep.rules:2:50: error: `{`/`(` nested deeper than 50 levels; "
                        "flatten the rule (combine conditions with `and`, or split it into "
                        "several rules) (rule-too-deep)")
    assert lines[-1] == "1 error(s), 0 warning(s) in 2 file(s)"
    assert code == 1


def test_alias_bomb_is_refused_before_it_is_built(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Billion laughs: each level repeats the previous one ten times.

    Values are counted in build order: root 1, three scalars (4), a 11 (15),
    b 111 (126), c 1111 (1237), d 11111 (12348), e 111111 (123459). f then
    expands e (the count passes 200,000 inside it): after f and e's own lists
    123461, six d's 190127, the 7th d 190128, eight c's 199016, the 9th c
    199017, eight b's 199905, the 9th b 199906, eight a's 199994, the 9th a
    199995, and its 6th x is value 200,001: line 4, column 7 + 3*5 + 1 = 23.
    """
    levels = ["a: &a [" + ", ".join(["x"] * 10) + "]"]
    for prev, name in zip("abcde", "bcdef"):
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    text = "apiVersion: tenor/v1\nkind: Contract\nid: bomb\n" + "\n".join(levels) + "\n"
    repo = make_repo(tmp_path, {"contracts.d/bomb.yaml": text})
    code, output = run_validate(repo, monkeypatch)
    assert output.splitlines() == [
        "contracts.d/bomb.yaml:4:23: error: document expands to more than 200000 values "
        "(aliases repeating aliases?); write the values out (alias-bomb)",
        "1 error(s), 0 warning(s) in 2 file(s)",
    ]
    assert code == 1


def test_a_yaml_file_that_is_not_utf8(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Latin-1 "café": byte 0xe9 is the 8th byte of line 3 ("id: caf" is 7).
    raw = "apiVersion: tenor/v1\nkind: Contract\nid: café-tm\n".encode("latin-1")
    repo = make_repo(tmp_path, {"contracts.d/latin1.yaml": raw})
    code, output = run_validate(repo, monkeypatch)
    assert output.splitlines() == [
        "contracts.d/latin1.yaml:3:8: error: byte 0xe9 is not valid UTF-8; re-save the file "
        "as UTF-8 (not-utf8)",
        "1 error(s), 0 warning(s) in 2 file(s)",
    ]
    assert code == 1


def test_a_rule_file_that_is_not_utf8(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = "# Tarifs de l'équipe\nrule r {\n  minimum total 10.00\n}\n".encode("latin-1")
    repo = make_repo(tmp_path, {"rules/fr.rules": raw})
    code, output = run_validate(repo, monkeypatch)
    assert output.splitlines() == [
        "rules/fr.rules:1:1: error: rule file is not valid UTF-8; re-save it as UTF-8 (not-utf8)",
        "1 error(s), 0 warning(s) in 2 file(s)",
    ]
    assert code == 1


def test_a_nul_byte_means_not_a_text_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = CONTRACT_HEAD.encode() + b"description: a\x00b\n"
    repo = make_repo(tmp_path, {"contracts.d/nul.yaml": raw})
    code, output = run_validate(repo, monkeypatch)
    assert output.splitlines()[0] == (
        "contracts.d/nul.yaml:9:15: error: file contains a NUL byte; it is not a text file "
        "(re-save it as UTF-8 text) (nul-byte)")
    assert code == 1


def test_a_utf8_byte_order_mark_is_fine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_repo(tmp_path, {"contracts.d/bom.yaml": b"\xef\xbb\xbf" + CONTRACT_HEAD.encode()})
    code, output = run_validate(repo, monkeypatch)
    assert (code, output) == (0, "ok: 2 file(s), no problems\n")


@pytest.mark.parametrize("value,expected", [
    # A refused value is reported once, by the loader: no second
    # "expected ..., found nothing" error for the same node.
    ("estimated_hours: 0777", "contracts.d/acme.yaml:9:18: error: 0777 has a leading zero, which "
     "YAML 1.1 reads as an octal number; write 777 or quote it: \"0777\" (yaml-number)"),
    ("estimated_hours: 1e3", "contracts.d/acme.yaml:9:18: error: 1e3 is not a plain decimal "
     "number (YAML would convert it silently); write digits with an optional decimal point, or "
     "quote it: \"1e3\" (yaml-number)"),
    ("labor: !!python/object:os.system {a: 1}", "contracts.d/acme.yaml:9:8: error: tag "
     "!!python/object:os.system is not allowed; tenor reads plain YAML only and never builds "
     "objects from tags, remove the tag (yaml-tag)"),
    # A genuine null keeps its schema error.
    ("description: !!null", "contracts.d/acme.yaml:9:14: error: description: expected text, "
     "found nothing (an empty value); give a value or remove the key (schema)"),
    ("description:", "contracts.d/acme.yaml:9:13: error: description: expected text, "
     "found nothing (an empty value); give a value or remove the key (schema)"),
])
def test_one_problem_one_line(value: str, expected: str, tmp_path: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_repo(tmp_path, {"contracts.d/acme.yaml": CONTRACT_HEAD + value + "\n"})
    code, output = run_validate(repo, monkeypatch)
    assert output.splitlines() == [expected, "1 error(s), 0 warning(s) in 2 file(s)"]
    assert code == 1
