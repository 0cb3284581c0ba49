"""Who is due a follow-up survey: attended, long enough ago, not yet followed up; CSV safe for spreadsheets."""

import csv
import datetime as dt
import io
import os
import stat

import pytest
from click.testing import CliRunner
from conftest import reference, write_csv

import scplearn
from scplearn import followups
from scplearn.cli import cli

SESSION_DATES = {  # as in conftest.reference
    "CAS01-2024-09-03": "2024-09-03", "NEG02-2024-09-10": "2024-09-10",
    "NEG02-2024-10-15": "2024-10-15", "VIR03-2024-09-12": "2024-09-12",
}
COURSES = {"CAS01": "Core Awareness in Safeguarding Children", "NEG02": "Neglect: Recognising and Responding",
           "VIR03": "Online Safety Briefing"}
PEOPLE = {
    "alice@example.org": "Alice Brown",
    "bob@example.org": "=HYPERLINK(\"http://example.com\",\"Bob\")",
    "carol@example.org": "+44 Carol",
    "dan@example.org": "-Dan",
    "eve@example.org": "@Eve",
    "zoe@example.org": "Zoë O'Brien",
}
BOOKINGS = [
    ("CAS01-2024-09-03", "alice@example.org", "attended"),
    ("CAS01-2024-09-03", "bob@example.org", "attended"),
    ("CAS01-2024-09-03", "carol@example.org", "did not attend"),
    ("CAS01-2024-09-03", "dan@example.org", "cancelled"),
    ("NEG02-2024-09-10", "alice@example.org", "attended"),
    ("NEG02-2024-09-10", "eve@example.org", "attended"),
    ("NEG02-2024-09-10", "zoe@example.org", "attended"),
    ("NEG02-2024-10-15", "carol@example.org", "attended"),
    ("VIR03-2024-09-12", "dan@example.org", "attended"),
    ("VIR03-2024-09-12", "zoe@example.org", "booked"),
]
FOLLOWED_UP = [("NEG02-2024-09-10", "alice@example.org"), ("CAS01-2024-09-03", "bob@example.org")]


@pytest.fixture
def store(tmp_store, tmp_path):
    reference(tmp_store, tmp_path / "reference")
    data = tmp_path / "data"
    write_csv(data / "delegates.csv", "email,name\n" + "".join(
        f'{email},"{name.replace(chr(34), chr(34) * 2)}"\n' for email, name in PEOPLE.items()))
    write_csv(data / "bookings.csv", "session,email,status\n" + "".join(
        f"{session},{email},{status}\n" for session, email, status in BOOKINGS))
    write_csv(data / "followups.csv", "session,email,date,used_learning\n" + "".join(
        f"{session},{email},2024-12-01,yes\n" for session, email in FOLLOWED_UP))
    scplearn.import_files(tmp_store, [data])
    return tmp_store


def expected_due(today, min_weeks=12, max_weeks=26):
    """Worked out from the fixture lists, without the database."""
    latest = today - dt.timedelta(weeks=min_weeks)
    earliest = today - dt.timedelta(weeks=max_weeks) if max_weeks is not None else dt.date.min
    rows = []
    for session, email, status in BOOKINGS:
        if status != "attended" or (session, email) in FOLLOWED_UP:
            continue
        if not earliest <= dt.date.fromisoformat(SESSION_DATES[session]) <= latest:
            continue
        course = session.split("-")[0]
        rows.append({"email": email, "name": PEOPLE[email], "session": session, "course": course,
                     "course_title": COURSES[course], "session_date": SESSION_DATES[session]})
    return sorted(rows, key=lambda row: (row["session_date"], row["session"], row["email"]))


@pytest.mark.parametrize("today, min_weeks, max_weeks", [
    (dt.date(2024, 12, 10), 12, 26), (dt.date(2024, 12, 10), 4, 26), (dt.date(2024, 12, 2), 12, 26),
    (dt.date(2024, 9, 1), 0, 26), (dt.date(2025, 6, 1), 12, 26), (dt.date(2025, 6, 1), 12, None),
    (dt.date(2024, 12, 10), 12, 13), (dt.date(2024, 12, 10), 0, 0),
])
def test_due_are_the_attended_in_the_window_without_a_follow_up(store, today, min_weeks, max_weeks):
    found = followups.due(store, min_weeks=min_weeks, max_weeks=max_weeks, today=today)
    assert found == expected_due(today, min_weeks, max_weeks)


def test_by_default_sessions_12_to_26_weeks_ago_are_due(store):
    today = dt.date(2025, 3, 20)  # 26 weeks after 19 September 2024: the sessions of 3, 10 and 12 September are past
    assert followups.due(store, today=today) == expected_due(today, 12, 26)
    assert {row["session"] for row in followups.due(store, today=today)} == {"NEG02-2024-10-15"}


def test_a_session_exactly_at_either_end_of_the_window_is_due(store):
    due = followups.due(store, min_weeks=12, today=dt.date(2024, 9, 10) + dt.timedelta(weeks=12))
    assert {row["session"] for row in due} == {"CAS01-2024-09-03", "NEG02-2024-09-10"}
    day_before = followups.due(store, min_weeks=12, today=dt.date(2024, 9, 10) + dt.timedelta(weeks=12, days=-1))
    assert {row["session"] for row in day_before} == {"CAS01-2024-09-03"}
    last_day = followups.due(store, max_weeks=26, today=dt.date(2024, 9, 3) + dt.timedelta(weeks=26))
    assert "CAS01-2024-09-03" in {row["session"] for row in last_day}
    day_after = followups.due(store, max_weeks=26, today=dt.date(2024, 9, 3) + dt.timedelta(weeks=26, days=1))
    assert "CAS01-2024-09-03" not in {row["session"] for row in day_after}


@pytest.mark.parametrize("value, shown", [
    ("=1+1", "'=1+1"), ("+44 7700", "'+44 7700"), ("-Dan", "'-Dan"), ("@Eve", "'@Eve"), ("\tx", "'\tx"),
    ("Zoë O'Brien", "Zoë O'Brien"), ("a=b", "a=b"), (None, ""),
])
def test_cells_a_spreadsheet_would_run_as_formulas_are_neutralised(value, shown):
    assert followups.safe_cell(value) == shown


def read_csv(data: bytes) -> list[dict]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark, so that Excel reads accents right"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_command_prints_the_csv_for_a_mail_merge(store):
    result = CliRunner().invoke(cli, ["followups", str(store.path), "--due", "--as-of", "10/12/2024"])
    assert result.exit_code == 0, result.output
    rows = read_csv(result.stdout_bytes)
    expected = expected_due(dt.date(2024, 12, 10))
    assert [row["email"] for row in rows] == [row["email"] for row in expected]
    names = {row["email"]: row["name"] for row in rows}
    assert names["eve@example.org"] == "'@Eve"
    assert names["dan@example.org"] == "'-Dan"
    assert names["zoe@example.org"] == "Zoë O'Brien"
    assert list(rows[0]) == list(followups.COLUMNS)


def test_both_ends_of_the_window_are_options(store):
    result = CliRunner().invoke(cli, ["followups", str(store.path), "--due", "--as-of", "2025-06-01",
                                      "--min-weeks", "20", "--max-weeks", "40"])
    assert result.exit_code == 0, result.output
    assert [row["email"] for row in read_csv(result.stdout_bytes)] == [
        row["email"] for row in expected_due(dt.date(2025, 6, 1), 20, 40)] != []
    result = CliRunner().invoke(cli, ["followups", str(store.path), "--min-weeks", "20", "--max-weeks", "10"])
    assert result.exit_code == 2 and "Invalid value for '--max-weeks': 10 is less than --min-weeks (20)" in result.output


def test_without_due_only_counts_are_printed(store):
    result = CliRunner().invoke(cli, ["followups", str(store.path), "--as-of", "2024-12-10", "--weeks", "12"])
    assert result.exit_code == 0, result.output
    due = len(expected_due(dt.date(2024, 12, 10)))
    assert result.stdout.startswith(f"2 follow-ups recorded; {due} attended delegates are due one "
                                    "(session 12 to 26 weeks ago, no follow-up yet)")
    assert "@" not in result.stdout.replace("--due", "")  # no email addresses


def due_to(store, out, *extra):
    return CliRunner().invoke(cli, ["followups", str(store.path), "--due", "--as-of", "2024-12-10", "-o", str(out),
                                    *extra])


def test_the_csv_goes_to_a_new_file_for_its_owner_only(store, tmp_path):
    out = tmp_path / "due.csv"
    previous = os.umask(0)  # the most permissive umask: the mode must not depend on it
    try:
        result = due_to(store, out)
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # names and emails: readable by the owner only
    rows = read_csv(out.read_bytes())
    assert len(rows) == len(expected_due(dt.date(2024, 12, 10)))
    assert "Zoë O'Brien" in {row["name"] for row in rows}


def test_an_existing_file_is_refused_unless_forced_and_then_replaced_owner_only(store, tmp_path):
    out = tmp_path / "due.csv"
    out.write_text("someone else's notes\n")
    os.chmod(out, 0o644)
    result = due_to(store, out)
    assert result.exit_code == 1
    assert result.output == f"Error: {out} already exists; choose a new file name or pass --force to replace it\n"
    assert out.read_text() == "someone else's notes\n"
    result = due_to(store, out, "--force")
    assert result.exit_code == 0, result.output
    assert len(read_csv(out.read_bytes())) == len(expected_due(dt.date(2024, 12, 10)))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


@pytest.mark.parametrize("dangling", [False, True])
def test_the_csv_is_never_written_through_a_symlink(store, tmp_path, dangling):
    target = tmp_path / "elsewhere.txt"
    if not dangling:
        target.write_text("not yours\n")
    link = tmp_path / "due.csv"
    link.symlink_to(target)
    result = due_to(store, link)
    assert result.exit_code == 1 and "already exists" in result.output
    assert due_to(store, link, "--force").exit_code == 0
    assert not link.is_symlink() and read_csv(link.read_bytes())
    assert (target.read_text() == "not yours\n") if not dangling else not target.exists()


@pytest.mark.parametrize("command", ["followups", "due-refresher"])
def test_the_help_says_it_prints_personal_data(command):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert "prints personal data" in " ".join(result.output.split())


def test_a_missing_private_database_is_a_clear_error(store, tmp_path):
    result = CliRunner().invoke(cli, ["followups", str(store.path), "--due", "--private", str(tmp_path / "nope.db")])
    assert result.exit_code == 1
    assert "no private database" in result.output and "Traceback" not in result.output


def test_a_bad_date_is_a_usage_error(store):
    result = CliRunner().invoke(cli, ["followups", str(store.path), "--due", "--as-of", "someday"])
    assert result.exit_code == 2 and "--as-of" in result.output
