"""Bounded fuzzing of the whole pipeline: mangle one sample file, run the real commands.

Why: the hand-written hostile cases (test_hostile_input.py) cover the attacks
we thought of; this covers the edits nobody thinks of — a merge that drops a
line, an editor that re-indents, a spreadsheet that rewrites a cell. The
promise is the same: tenor answers with located problems and exit 0/1, never
a traceback, never "internal error" (exit 3).

Runs in the normal suite (about 100 examples, well under a minute); under
``CI=1`` the hypothesis profile is derandomized so a failure reproduces from
the log. A longer exploratory run: ``HYPOTHESIS_PROFILE=nightly python -m
pytest tests/test_fuzz.py`` (2000 examples per test).
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import example, given, strategies as st

from cli import cli

REPO = Path(__file__).resolve().parent.parent

# Tokens a careless edit or a hostile author might leave in a value.
TOKENS: tuple[bytes, ...] = (
    b"no", b"yes", b"on", b"~", b"null", b"-1", b"0", b"-0", b"1e9", b"1E+2", b"0x1F", b"010",
    b'""', b"''", b"[", b"{", b"]", b"}", b"*a", b"&a", b"&a x", b"!!python/object:os.system",
    b"!tag", b"<<", b"- x", b": x", b"#", b"%", b"100%", b"150%", b"-5%", b"NaN", b"Infinity",
    b"12_000", b"1,5", b"2026-02-30", b"2026-1-5", b"9999-12-31", b"0000-01-01",
    b"2026-10-05T10:00:00", b"1" + b"0" * 20, b"9" * 40, b"0." + b"0" * 30 + b"1",
    b"\t", b"\x00", b"\xff\xfe", b"\xc3", "\u0661\u0662".encode(), b'"unterminated', b"'",
    b"(", b")", b"when", b"rule", b"above", b"up to", b"by", b"at",
)
MUTATIONS = ("delete_line", "duplicate_line", "swap_lines", "flip_char", "truncate",
             "indent", "dedent", "replace_scalar", "insert_token")

_VALUE = re.compile(rb"(:\s+|,|\bat\s+|\bby\s+|\bto\s+)([^,\s{}\[\]#]+)")


def sample_files() -> list[str]:
    names = [p.relative_to(REPO).as_posix()
             for folder in ("contracts.d", "rules", "examples/activity")
             for p in sorted((REPO / folder).rglob("*"))
             if p.is_file() and p.suffix in (".yaml", ".yml", ".rules", ".csv")]
    assert len(names) >= 20, names
    return names


FILES = sample_files()


def mutate(raw: bytes, kind: str, a: int, b: int, token: bytes) -> bytes:
    """One edit; ``a`` and ``b`` are reduced modulo the size so every draw applies."""
    lines = raw.split(b"\n")
    i, j = a % len(lines), b % len(lines)
    if kind == "delete_line":
        del lines[i]
    elif kind == "duplicate_line":
        lines.insert(i, lines[i])
    elif kind == "swap_lines":
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == "indent":
        lines[i] = b" " * (1 + b % 4) + lines[i]
    elif kind == "dedent":
        lines[i] = lines[i][1 + b % 4:] if lines[i][:1] == b" " else lines[i].lstrip()
    elif kind == "replace_scalar":
        matches = list(_VALUE.finditer(lines[i]))
        if matches:
            m = matches[b % len(matches)]
            lines[i] = lines[i][:m.start(2)] + token + lines[i][m.end(2):]
        else:
            lines[i] = lines[i] + token
    elif kind == "insert_token":
        pos = b % (len(lines[i]) + 1)
        lines[i] = lines[i][:pos] + token + lines[i][pos:]
    else:
        data = b"\n".join(lines)
        if not data:
            return token
        pos = a % len(data)
        if kind == "truncate":
            return data[:pos]
        return data[:pos] + token[:1] + data[pos + 1:]   # flip_char
    return b"\n".join(lines)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz") / "msp"
    for folder in ("contracts.d", "rules", "examples/activity"):
        shutil.copytree(REPO / folder, root / folder)
    return root


_LOOKS_LIKE_DIAG = re.compile(r": (?:error|warning): ")
_LOCATED = re.compile(r"^(?P<file>\S.*?):(?P<line>[1-9][0-9]*)(?::(?P<col>[1-9][0-9]*))?: "
                      r"(?:error|warning): ")


def check_output(text: str) -> None:
    assert "Traceback" not in text
    assert "internal error" not in text, text[-500:]
    for line in text.splitlines():
        if line[:1].isspace() or not _LOOKS_LIKE_DIAG.search(line):
            continue        # caret excerpts are indented; summaries have no ": error: "
        m = _LOCATED.match(line)
        assert m, f"diagnostic without file:line: {line[:300]!r}"
        assert Path(m["file"]).is_file(), f"diagnostic names no existing file: {line[:300]!r}"
        if m["file"].endswith((".yaml", ".yml")):
            assert m["col"], f"YAML diagnostic without a column: {line[:300]!r}"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    return result.exit_code, result.stdout, result.stderr


mutation = st.tuples(st.sampled_from(MUTATIONS), st.integers(0, 1 << 20),
                     st.integers(0, 1 << 20), st.sampled_from(TOKENS))


@given(file=st.sampled_from(FILES), edits=st.lists(mutation, min_size=1, max_size=3))
# found by this test: an activity CSV truncated to nothing was reported without a line
@example(file="examples/activity/tickets.csv", edits=[("truncate", 0, 0, b"x")])
@example(file="contracts.d/ratecards.yaml", edits=[("truncate", 0, 0, b"x")])
@example(file="rules/standard.rules", edits=[("flip_char", 0, 0, b"\x00")])
def test_mangled_sample_file_never_crashes(sample: Path, file: str,
                                           edits: list[tuple[str, int, int, bytes]]) -> None:
    path = sample / file
    original = path.read_bytes()
    data = original
    for edit in edits:
        data = mutate(data, *edit)
    path.write_bytes(data)
    try:
        code, out, err = run("validate", "--root", str(sample))
        assert code in (0, 1), (code, err)
        check_output(out + "\n" + err)

        code, out, err = run("preview", "--root", str(sample), "--activity",
                             str(sample / "examples" / "activity"), "--format", "json")
        # 2 is for usage errors only, and these arguments are always well-formed
        assert code in (0, 1), (code, err[-500:])
        check_output(err)
        if code == 0:
            report = json.loads(out)
            for kind, counts in report["dispositions"].items():
                assert sum(v for k, v in counts.items() if k != "read") == counts["read"], kind
    finally:
        path.write_bytes(original)


def test_mutations_change_the_file() -> None:
    """The fuzzer is only as good as its edits: each kind really edits."""
    raw = b"a: 1\nb:\n  c: two\n"
    assert mutate(raw, "delete_line", 0, 0, b"x") == b"b:\n  c: two\n"
    assert mutate(raw, "duplicate_line", 0, 0, b"x") == b"a: 1\na: 1\nb:\n  c: two\n"
    assert mutate(raw, "swap_lines", 0, 1, b"x") == b"b:\na: 1\n  c: two\n"
    assert mutate(raw, "indent", 0, 1, b"x") == b"  a: 1\nb:\n  c: two\n"
    assert mutate(raw, "dedent", 2, 0, b"x") == b"a: 1\nb:\n c: two\n"
    assert mutate(raw, "replace_scalar", 2, 0, b"no") == b"a: 1\nb:\n  c: no\n"
    assert mutate(raw, "insert_token", 0, 1, b"[") == b"a[: 1\nb:\n  c: two\n"
    assert mutate(raw, "truncate", 3, 0, b"x") == b"a: "
    assert mutate(raw, "flip_char", 0, 0, b"\x00") == b"\x00: 1\nb:\n  c: two\n"
    assert mutate(b"", "flip_char", 0, 0, b"{") == b"{"
