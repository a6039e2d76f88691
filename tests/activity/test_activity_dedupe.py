"""Duplicates and conflicts are a function of the SET of rows (hypothesis).

However the rows are ordered or split across files and columns, the kept
content, the held ids and the duplicate counts are the same, and the kept
copy of an exact duplicate is the one with the smallest (file, row).
"""
from __future__ import annotations

import tempfile
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings, strategies as st

from engine.activity import Activity, load_activity

COLUMNS = ["id", "date", "customer", "role", "work_type", "hours", "billable"]
BOOLS = {"": True, "true": True, "yes": True, "false": False}

row_st = st.tuples(
    st.sampled_from(["TE-0", "TE-1", "TE-2", "TE-3"]),
    st.sampled_from(["2026-10-01", "2026-10-02"]),
    st.sampled_from(["1", "1.5", "1.50"]),
    st.sampled_from(sorted(BOOLS)),
)


def write_files(folder: Path, rows: list[tuple[str, ...]], splits: list[int],
                orders: list[list[int]]) -> None:
    """rows -> several time_entries files, each with its own column order."""
    bounds = [0, *sorted(splits), len(rows)]
    for i in range(len(bounds) - 1):
        order = orders[i % len(orders)]
        lines = [",".join(COLUMNS[c] for c in order)]
        for r in rows[bounds[i]:bounds[i + 1]]:
            cells = [r[0], r[1], "acme", "tech", "remote", r[2], r[3]]
            lines.append(",".join(cells[c] for c in order))
        (folder / f"time_entries_{i}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def view(activity: Activity) -> tuple:
    """Everything but file/row."""
    kept = tuple((e.id, e.date, str(e.hours), e.billable) for e in activity.time_entries)
    held = sorted(Counter((b.id, b.reason) for b in activity.bad_rows).items())
    dups = sorted(Counter(b.id for b in activity.duplicates).items())
    return kept, held, dups, activity.rows_read["time_entries"]


def oracle(rows: list[tuple[str, ...]]) -> tuple:
    """Hand-rolled expectation from the rows alone."""
    groups: dict[str, set] = {}
    counts: Counter = Counter()
    for id_, day, hours, billable in rows:
        groups.setdefault(id_, set()).add((day, str(Decimal(hours)), BOOLS[billable]))
        counts[id_] += 1
    kept, held, dups = [], Counter(), Counter()
    for id_, contents in groups.items():
        if len(contents) == 1:
            (day, hours, billable), = contents
            kept.append((day, id_, hours, billable))
            if counts[id_] > 1:
                dups[id_] = counts[id_] - 1
        else:
            held[(id_, "conflicting_duplicate")] = counts[id_]
    kept.sort()
    kept_t = tuple((i, date.fromisoformat(d), h, b) for d, i, h, b in kept)
    return kept_t, sorted(held.items()), sorted(dups.items()), len(rows)


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(row_st, min_size=1, max_size=14), data=st.data())
def test_outcome_is_a_function_of_the_row_set(rows: list, data: st.DataObject) -> None:
    shuffled = data.draw(st.permutations(rows))
    splits = data.draw(st.lists(st.integers(0, len(rows)), max_size=3))
    orders = data.draw(st.lists(st.permutations(range(len(COLUMNS))), min_size=1, max_size=3))
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        write_files(Path(a), rows, [], [list(range(len(COLUMNS)))])
        write_files(Path(b), shuffled, splits, orders)
        act_a, diags_a = load_activity(a)
        act_b, diags_b = load_activity(b)
    expected = oracle(rows)
    assert view(act_a) == expected
    assert view(act_b) == expected
    # one diagnostic per duplicate / conflicting copy, nothing else
    for act, diags in ((act_a, diags_a), (act_b, diags_b)):
        assert len(diags) == len(act.bad_rows) + len(act.duplicates)
        # the kept copy precedes every exact copy of it
        for dup in act.duplicates:
            kept = next(e for e in act.time_entries if e.id == dup.id)
            assert (kept.file, kept.row) < (dup.file, dup.row)
            assert dup.message.startswith(f"exact duplicate of {kept.file}:{kept.row} ")


def test_conflict_names_all_copies(tmp_path: Path) -> None:
    (tmp_path / "time_entries.csv").write_text(
        "id,date,customer,role,work_type,hours\n"
        "TE-1,2026-10-01,acme,tech,remote,1\n"
        "TE-1,2026-10-01,acme,tech,remote,1\n"
        "TE-1,2026-10-02,acme,tech,remote,2\n", encoding="utf-8")
    activity, diags = load_activity(tmp_path, display_prefix="a")
    assert activity.time_entries == () and activity.duplicates == ()
    assert [(b.row, b.reason) for b in activity.bad_rows] == [
        (2, "conflicting_duplicate"), (3, "conflicting_duplicate"), (4, "conflicting_duplicate")]
    assert activity.bad_rows[0].message == (
        "id 'TE-1' also appears at time_entries.csv:3, time_entries.csv:4 with different "
        "content (vs time_entries.csv:4: date '2026-10-01' here, '2026-10-02' there; hours "
        "'1' here, '2' there); all 3 copies are held — keep one correct row for it")
    assert [d.location() for d in diags] == ["a/time_entries.csv:2", "a/time_entries.csv:3",
                                             "a/time_entries.csv:4"]


CELL = st.text(alphabet=",\"\n\r aZT:.-+019x\x00\ufeff\u0661", max_size=60)


@settings(max_examples=200, deadline=None)
@given(body=CELL)
def test_garbage_never_raises_and_nothing_is_lost(body: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "time_entries.csv").write_text(
            "id,date,customer,role,work_type,hours\n" + body, encoding="utf-8")
        activity, diags = load_activity(tmp)
    n = activity.rows_read["time_entries"]
    accounted = (len(activity.time_entries) + len(activity.bad_rows_of("time_entries"))
                 + len(activity.duplicates_of("time_entries")))
    assert accounted == n
    if any(d.code in ("activity_bad_csv", "activity_not_utf8") for d in diags):
        assert n == 0
