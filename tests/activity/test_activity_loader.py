"""load_activity on fixture folders: every kind, every bad-value class, exact locations."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from engine.activity import (KINDS, Activity, BadRow, Charge, Device, Ticket, TicketStatus,
                             TimeEntry, User, load_activity)

DATA = Path(__file__).parent / "data"
UTC = timezone.utc
EDT = timezone(timedelta(hours=-4))


@pytest.fixture(scope="module")
def full() -> tuple[Activity, list]:
    return load_activity(DATA / "full", display_prefix="act")


def locs(diags: list) -> list[tuple[str, str, str]]:
    return [(d.location(), d.severity, d.code) for d in diags]


def test_files_by_kind_and_ignored_files(full) -> None:
    activity, _ = full
    assert activity.files == {
        "time_entries": ("time_entries.csv", "time_entries_b.csv"),
        "tickets": ("tickets.csv",),
        "ticket_status": ("ticket_status.csv",),
        "devices": ("devices.csv",),
        "users": ("users_2026.csv",),
        "charges": ("charges.csv",),
    }


def test_rows_read_counts_every_data_row(full) -> None:
    activity, _ = full
    # time_entries.csv: 13 data rows (one blank line, one row spanning 2 lines); _b: 2
    assert activity.rows_read == {"time_entries": 15, "tickets": 6, "ticket_status": 6,
                                  "devices": 4, "users": 2, "charges": 6}
    # Nothing lost (5.11): kept + held + duplicates = read, for the billed kinds.
    for kind in ("time_entries", "charges"):
        assert (len(getattr(activity, kind)) + len(activity.bad_rows_of(kind))
                + len(activity.duplicates_of(kind))) == activity.rows_read[kind]


def test_time_entries_parsed(full) -> None:
    activity, _ = full
    assert activity.time_entries == (
        TimeEntry("time_entries.csv", 2, "TE-1", date(2026, 10, 5), "acme", "acme-managed",
                  "T-1", "alice", "tech", "remote", Decimal("1.5"), True, True,
                  "Password reset"),
        # quoted description with a comma and a newline; row 3 spans lines 3-4
        TimeEntry("time_entries.csv", 3, "TE-2", date(2026, 10, 6), "acme", None, None, "bob",
                  "tech", "onsite", Decimal("2"), False, True,
                  "Fixed printer, replaced toner\nand tested"),
        # ids and names are stripped
        TimeEntry("time_entries.csv", 16, "TE-12", date(2026, 10, 31), "initech", None, None,
                  None, "tech", "remote", Decimal("3"), True, True, None),
    )


def test_time_entry_diagnostics_exact(full) -> None:
    _, diags = full
    te = [d for d in diags if d.file.startswith("act/time_entries")]
    assert locs(te) == [
        ("act/time_entries.csv:5", "error", "activity_conflicting_duplicate"),
        ("act/time_entries.csv:6", "error", "activity_bad_number"),
        ("act/time_entries.csv:7", "error", "activity_negative_hours"),
        ("act/time_entries.csv:8", "error", "activity_too_many_hours"),
        ("act/time_entries.csv:9", "error", "activity_bad_date"),
        ("act/time_entries.csv:10", "error", "activity_bad_bool"),
        ("act/time_entries.csv:10", "error", "activity_missing_value"),
        ("act/time_entries.csv:12", "error", "activity_bad_date"),
        ("act/time_entries.csv:13", "error", "activity_bad_number"),
        ("act/time_entries.csv:14", "error", "activity_bad_number"),
        ("act/time_entries.csv:15", "error", "activity_bad_number"),
        ("act/time_entries.csv:15", "error", "activity_missing_value"),
        ("act/time_entries_b.csv:2", "error", "activity_conflicting_duplicate"),
        ("act/time_entries_b.csv:3", "warning", "activity_duplicate_row"),
    ]
    by_loc = {(d.location(), d.code): str(d) for d in te}
    assert by_loc[("act/time_entries.csv:6", "activity_bad_number")] == (
        "act/time_entries.csv:6: error: column 'hours': '1,5' is not a plain decimal number "
        "(no thousands separators or decimal commas); write it like 1.5; the row is held "
        "until fixed (activity_bad_number)")
    assert by_loc[("act/time_entries.csv:7", "activity_negative_hours")].startswith(
        "act/time_entries.csv:7: error: column 'hours': '-1' is negative")
    assert "'24.5' is more than 24 hours" in by_loc[("act/time_entries.csv:8",
                                                      "activity_too_many_hours")]
    assert "'2026/10/07' is not a date in the form YYYY-MM-DD; write it like 2026-10-05" in \
        by_loc[("act/time_entries.csv:9", "activity_bad_date")]
    assert "column 'customer' is empty; it is required" in \
        by_loc[("act/time_entries.csv:10", "activity_missing_value")]
    assert "'2026-02-30' is not a real calendar date" in \
        by_loc[("act/time_entries.csv:12", "activity_bad_date")]
    assert "'1e3' is not a plain decimal number" in \
        by_loc[("act/time_entries.csv:13", "activity_bad_number")]
    assert "'NaN'" in by_loc[("act/time_entries.csv:14", "activity_bad_number")]
    assert "'\u0661'" in by_loc[("act/time_entries.csv:15", "activity_bad_number")]


def test_bad_time_entries_become_held_rows(full) -> None:
    activity, _ = full
    held = [(b.file, b.row, b.id, b.reason) for b in activity.bad_rows_of("time_entries")]
    assert held == [
        ("time_entries.csv", 5, "TE-3", "conflicting_duplicate"),
        ("time_entries.csv", 6, "TE-4", "invalid_row"),
        ("time_entries.csv", 7, "TE-5", "invalid_row"),
        ("time_entries.csv", 8, "TE-6", "invalid_row"),
        ("time_entries.csv", 9, "TE-7", "invalid_row"),
        ("time_entries.csv", 10, "TE-8", "invalid_row"),
        ("time_entries.csv", 12, "TE-9", "invalid_row"),
        ("time_entries.csv", 13, "TE-10", "invalid_row"),
        ("time_entries.csv", 14, "TE-11", "invalid_row"),
        ("time_entries.csv", 15, None, "invalid_row"),
        ("time_entries_b.csv", 2, "TE-3", "conflicting_duplicate"),
    ]
    te8 = next(b for b in activity.bad_rows if b.id == "TE-8")
    # every problem of the row, in column order
    assert te8.message == (
        "column 'customer' is empty; it is required — fill it in; column 'billable': 'maybe' "
        "is not a yes/no value; write true or false (yes/no, y/n and 1/0 are also accepted)")
    conflict = next(b for b in activity.bad_rows if b.id == "TE-3" and b.row == 5)
    assert conflict.message == (
        "id 'TE-3' also appears at time_entries_b.csv:2 with different content (vs "
        "time_entries_b.csv:2: hours '0.25' here, '0.5' there); all 2 copies are held — keep "
        "one correct row for it")


def test_exact_duplicate_across_files_keeps_first(full) -> None:
    activity, diags = full
    # TE-1 in time_entries_b.csv: same parsed values (billable "yes" == default true)
    assert activity.duplicates_of("time_entries") == (
        BadRow("time_entries", "time_entries_b.csv", 3, "TE-1", "duplicate_row",
               "exact duplicate of time_entries.csv:2 (id 'TE-1'); it is counted once — "
               "delete the extra row"),)
    assert [e.row for e in activity.time_entries if e.id == "TE-1"] == [2]


def test_charges(full) -> None:
    activity, diags = full
    assert activity.charges == (
        Charge("charges.csv", 2, "C-1", date(2026, 10, 3), "acme", None, None, "SKU-1",
               Decimal("2"), Decimal("19.99"), "Cable, 2m"),
        Charge("charges.csv", 3, "C-2", date(2026, 10, 4), "acme", "acme-managed", "T-1",
               "SKU-2", Decimal("-1"), None, "Return"),
    )
    # CRLF line endings: row numbers unaffected
    assert locs([d for d in diags if d.file == "act/charges.csv"]) == [
        ("act/charges.csv:4", "error", "activity_zero_quantity"),
        ("act/charges.csv:5", "error", "activity_negative_price"),
        ("act/charges.csv:6", "error", "activity_missing_value"),
        ("act/charges.csv:7", "error", "activity_bad_date"),
    ]
    assert [(b.row, b.id, b.reason) for b in activity.bad_rows_of("charges")] == [
        (4, "C-3", "invalid_row"), (5, "C-4", "invalid_row"), (6, "C-5", "invalid_row"),
        (7, "C-6", "invalid_row")]


def test_tickets_priorities_and_datetimes(full) -> None:
    activity, diags = full
    assert activity.tickets == (
        Ticket("tickets.csv", 2, "T-1", "acme", "acme-managed", "critical",
               datetime(2026, 10, 5, 14, 3, tzinfo=EDT), datetime(2026, 10, 5, 18, 10, tzinfo=UTC),
               None, "open", "gold"),
        Ticket("tickets.csv", 3, "T-2", "acme", None, "high",
               datetime(2026, 10, 6, 9, 0, tzinfo=UTC), None, None, None, None),
        Ticket("tickets.csv", 4, "T-3", "acme", None, "low",
               datetime(2026, 10, 7, 9, 0, 0, 123456, tzinfo=timezone(timedelta(hours=2))),
               None, datetime(2026, 10, 8, 10, 0, tzinfo=timezone(timedelta(hours=2))),
               "closed", None),
    )
    tk = [d for d in diags if d.file == "act/tickets.csv"]
    assert locs(tk) == [
        ("act/tickets.csv:5", "error", "activity_bad_priority"),
        ("act/tickets.csv:6", "error", "activity_bad_datetime"),
        ("act/tickets.csv:7", "error", "activity_time_order"),
    ]
    assert str(tk[1]) == (
        "act/tickets.csv:6: error: column 'created': '2026-10-07T09:00:00' has no UTC offset, "
        "so the instant is ambiguous; add one, like 2026-10-07T09:00:00-04:00 or "
        "2026-10-07T09:00:00Z; the row is ignored until fixed (activity_bad_datetime)")
    # bad tickets are reported, not held: only time_entries and charges are dispositioned
    assert activity.bad_rows_of("tickets") == ()


def test_ticket_status_not_read_as_tickets(full) -> None:
    activity, diags = full
    assert activity.ticket_status == (
        TicketStatus("ticket_status.csv", 2, "T-1", datetime(2026, 10, 5, 14, 3, tzinfo=EDT),
                     "open"),
        TicketStatus("ticket_status.csv", 3, "T-1", datetime(2026, 10, 5, 15, 0, tzinfo=EDT),
                     "waiting_customer"),
    )
    assert locs([d for d in diags if d.file == "act/ticket_status.csv"]) == [
        ("act/ticket_status.csv:4", "warning", "activity_duplicate_row"),
        ("act/ticket_status.csv:5", "error", "activity_conflicting_duplicate"),
        ("act/ticket_status.csv:6", "error", "activity_conflicting_duplicate"),
        ("act/ticket_status.csv:7", "error", "activity_missing_value"),
    ]
    assert [(b.row, b.id, b.reason) for b in activity.bad_rows_of("ticket_status")] == [
        (5, "T-2", "conflicting_duplicate"), (6, "T-2", "conflicting_duplicate")]


def test_devices_and_users(full) -> None:
    activity, diags = full
    assert activity.devices == (
        Device("devices.csv", 2, "D-1", "acme", "workstation", True, date(2026, 1, 1), None),
        Device("devices.csv", 3, "D-2", "acme", "server", False, None, None),
    )
    assert activity.users == (
        User("users_2026.csv", 2, "U-1", "acme", True, None, None),
        User("users_2026.csv", 3, "U-2", "acme", False, date(2026, 1, 1), date(2026, 6, 30)),
    )
    assert locs([d for d in diags if d.file == "act/devices.csv"]) == [
        ("act/devices.csv:4", "error", "activity_time_order"),
        ("act/devices.csv:5", "error", "activity_bad_date"),
    ]


def test_diagnostics_sorted_and_latest_month(full) -> None:
    activity, diags = full
    assert diags == sorted(diags)
    assert activity.latest_month() == (2026, 10)


def test_interning(full) -> None:
    activity, _ = full
    a, b = activity.time_entries[0], activity.time_entries[1]
    assert a.customer is b.customer and a.role is b.role


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def test_missing_folder(tmp_path: Path) -> None:
    activity, diags = load_activity(tmp_path / "nope")
    assert len(diags) == 1
    d = diags[0]
    assert (d.file, d.line, d.code, d.severity) == (str(tmp_path / "nope"), 0,
                                                     "activity_folder_missing", "error")
    assert "does not exist" in d.message and "--activity" in d.message
    assert activity.rows_read == {k: 0 for k in KINDS}
    assert activity.latest_month() is None


def test_folder_is_a_file(tmp_path: Path) -> None:
    path = write(tmp_path, "x", "hello")
    _, diags = load_activity(path, display_prefix="acts")
    assert [(d.file, d.code) for d in diags] == [("acts", "activity_folder_missing")]
    assert "is not a folder" in diags[0].message


def test_empty_folder_warns(tmp_path: Path) -> None:
    write(tmp_path, "readme.txt", "hi")
    activity, diags = load_activity(tmp_path)
    assert [(d.severity, d.code) for d in diags] == [("warning", "activity_no_files")]
    assert activity.files == {k: () for k in KINDS}


def test_missing_required_column_skips_file(tmp_path: Path) -> None:
    write(tmp_path, "time_entries.csv",
          "id,date,customer,role,work,hour\nTE-1,2026-10-01,acme,tech,remote,1\n")
    write(tmp_path, "time_entries_2.csv",
          "id,date,customer,role,work_type,hours\nTE-2,2026-10-01,acme,tech,remote,1\n")
    activity, diags = load_activity(tmp_path, display_prefix="a")
    assert [str(d) for d in diags] == [
        "a/time_entries.csv:1: error: missing required columns 'work_type' (did you mean "
        "'work'?), 'hours' (did you mean 'hour'?) (found: id, date, customer, role, work, "
        "hour); add them or rename the column that holds them; the file was skipped (no "
        "time_entries read from it) (activity_missing_column)"]
    assert activity.rows_read["time_entries"] == 1       # only the readable file counts
    assert [e.id for e in activity.time_entries] == ["TE-2"]
    assert activity.files["time_entries"] == ("time_entries.csv", "time_entries_2.csv")


def test_duplicate_canonical_column(tmp_path: Path) -> None:
    write(tmp_path, "users.csv", "id,customer,Customer\nU-1,a,b\n")
    activity, diags = load_activity(tmp_path)
    assert [(d.line, d.code) for d in diags] == [(1, "activity_missing_column")]
    assert "column 'customer' appears more than once (columns 2, 3)" in diags[0].message
    assert activity.users == () and activity.rows_read["users"] == 0


def test_display_path_without_prefix(tmp_path: Path) -> None:
    write(tmp_path, "users.csv", "id,customer,active\nU-1,acme,perhaps\n")
    _, diags = load_activity(str(tmp_path))
    assert [d.location() for d in diags] == [f"{tmp_path / 'users.csv'}:2"]


def test_not_utf8_is_located(tmp_path: Path) -> None:
    write(tmp_path, "devices.csv",
          b"id,customer,type\nD-1,acme,server\nD-2,caf\xe9,server\n")
    activity, diags = load_activity(tmp_path, display_prefix="a")
    assert [(d.location(), d.code) for d in diags] == [("a/devices.csv:3", "activity_not_utf8")]
    assert "byte 0xE9 at column 8 is not UTF-8" in diags[0].message
    assert activity.devices == () and activity.rows_read["devices"] == 0


def test_broken_quoting_is_a_file_error(tmp_path: Path) -> None:
    write(tmp_path, "users.csv", 'id,customer\nU-1,acme\nU-2,"acme"x\nU-3,acme\n')
    activity, diags = load_activity(tmp_path, display_prefix="a")
    assert [(d.location(), d.code) for d in diags] == [("a/users.csv:3", "activity_bad_csv")]
    assert activity.users == ()


def test_unterminated_quote_is_not_swallowed(tmp_path: Path) -> None:
    write(tmp_path, "users.csv", 'id,customer\nU-1,"acme\nU-2,acme\n')
    activity, diags = load_activity(tmp_path)
    assert [d.code for d in diags] == ["activity_bad_csv"]
    assert activity.rows_read["users"] == 0


def test_empty_file_warns(tmp_path: Path) -> None:
    write(tmp_path, "charges.csv", "")
    activity, diags = load_activity(tmp_path, display_prefix="a")
    assert [(d.location(), d.severity, d.code) for d in diags] == [
        ("a/charges.csv:1", "warning", "activity_empty_file")]
    assert activity.files["charges"] == ("charges.csv",)


def test_header_only_and_short_rows(tmp_path: Path) -> None:
    # a row with fewer cells than the header: missing optional cells are empty
    write(tmp_path, "devices.csv", "id,customer,type,active,added\nD-1,acme,server\n")
    write(tmp_path, "users.csv", "id,customer\n")
    activity, diags = load_activity(tmp_path)
    assert diags == []
    assert activity.devices == (Device("devices.csv", 2, "D-1", "acme", "server", True, None,
                                       None),)
    assert activity.rows_read["users"] == 0


def test_bom_and_case_insensitive_header(tmp_path: Path) -> None:
    write(tmp_path, "Users.CSV", "\ufeff ID ,CUSTOMER,Active\nU-1,acme,NO\n")
    activity, diags = load_activity(tmp_path)
    assert diags == []
    assert activity.users == (User("Users.CSV", 2, "U-1", "acme", False, None, None),)


def test_latest_month_uses_written_offset(tmp_path: Path) -> None:
    write(tmp_path, "tickets.csv",
          "id,customer,priority,created\nT-1,acme,2,2026-10-31T23:30:00-04:00\n")
    write(tmp_path, "time_entries.csv",
          "id,date,customer,role,work_type,hours\nTE-1,2026-09-30,acme,tech,remote,1\n")
    activity, diags = load_activity(tmp_path)
    assert diags == []
    assert activity.latest_month() == (2026, 10)
    write(tmp_path, "charges.csv",
          "id,date,customer,product,quantity\nC-1,2027-01-02,acme,SKU,1\n")
    assert load_activity(tmp_path)[0].latest_month() == (2027, 1)


def test_sorted_by_date_then_id(tmp_path: Path) -> None:
    write(tmp_path, "time_entries.csv",
          "id,date,customer,role,work_type,hours\n"
          "TE-9,2026-10-02,a,r,w,1\nTE-10,2026-10-01,a,r,w,1\nTE-1,2026-10-02,a,r,w,1\n")
    activity, _ = load_activity(tmp_path)
    assert [e.id for e in activity.time_entries] == ["TE-10", "TE-1", "TE-9"]


def test_hours_boundaries(tmp_path: Path) -> None:
    write(tmp_path, "time_entries.csv",
          "id,date,customer,role,work_type,hours\n"
          "A,2026-10-01,a,r,w,0\nB,2026-10-01,a,r,w,24\nC,2026-10-01,a,r,w,24.01\n"
          "D,2026-10-01,a,r,w,-0.25\n")
    activity, diags = load_activity(tmp_path)
    assert [(e.id, e.hours) for e in activity.time_entries] == [("A", Decimal(0)),
                                                                ("B", Decimal(24))]
    assert [(d.line, d.code) for d in diags] == [(4, "activity_too_many_hours"),
                                                 (5, "activity_negative_hours")]


def test_blank_and_all_empty_lines_are_not_rows(tmp_path: Path) -> None:
    write(tmp_path, "users.csv", "id,customer\n\nU-1,acme\n,\n\nU-2,acme\n")
    activity, diags = load_activity(tmp_path)
    assert diags == []
    assert [(u.id, u.row) for u in activity.users] == [("U-1", 3), ("U-2", 6)]
    assert activity.rows_read["users"] == 2


def test_never_raises_on_garbage(tmp_path: Path) -> None:
    write(tmp_path, "time_entries.csv", b"\x00\x01,\xff\n\"\"\"\n")
    write(tmp_path, "charges.csv", "id,date,customer,product,quantity\n" + "x," * 5000 + "\n")
    activity, diags = load_activity(tmp_path)
    assert all(d.is_error for d in diags)
    assert activity.rows_read["charges"] == 1
