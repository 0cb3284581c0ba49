"""Who is due a follow-up survey: attended, long enough ago, not yet followed up; CSV safe for spreadsheets."""

import csv
import datetime as dt
import io

import pytest
from click.testing import CliRunner
from conftest import write_csv
from test_importers_helpers import reference

import scplearn
from scplearn import followups
from scplearn.cli import cli

SESSION_DATES = {  # as in test_importers_helpers.reference
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


def expected_due(today, weeks):
    """Worked out from the fixture lists, without the database."""
    cutoff = today - dt.timedelta(weeks=weeks)
    rows = []
    for session, email, status in BOOKINGS:
        if status != "attended" or (session, email) in FOLLOWED_UP:
            continue
        if dt.date.fromisoformat(SESSION_DATES[session]) > cutoff:
            continue
        course = session.split("-")[0]
        rows.append({"email": email, "name": PEOPLE[email], "session": session, "course": course,
                     "course_title": COURSES[course], "session_date": SESSION_DATES[session]})
    return sorted(rows, key=lambda row: (row["session_date"], row["session"], row["email"]))


@pytest.mark.parametrize("today, weeks", [
    (dt.date(2024, 12, 10), 12), (dt.date(2024, 12, 10), 4), (dt.date(2024, 12, 2), 12),
    (dt.date(2024, 9, 1), 0), (dt.date(2025, 6, 1), 12),
])
def test_due_are_the_attended_long_enough_ago_without_a_follow_up(store, today, weeks):
    assert followups.due(store, weeks=weeks, today=today) == expected_due(today, weeks)


def test_a_session_exactly_that_many_weeks_ago_is_due(store):
    due = followups.due(store, weeks=12, today=dt.date(2024, 9, 10) + dt.timedelta(weeks=12))
    assert {row["session"] for row in due} == {"CAS01-2024-09-03", "NEG02-2024-09-10"}
    day_before = followups.due(store, weeks=12, today=dt.date(2024, 9, 10) + dt.timedelta(weeks=12, days=-1))
    assert {row["session"] for row in day_before} == {"CAS01-2024-09-03"}


@pytest.mark.parametrize("value, shown", [
    ("=1+1", "'=1+1"), ("+44 7700", "'+44 7700"), ("-Dan", "'-Dan"), ("@Eve", "'@Eve"), ("\tx", "'\tx"),
    ("Zoë O'Brien", "Zoë O'Brien"), ("a=b", "a=b"), (None, ""),
])
def test_cells_a_spreadsheet_would_run_as_formulas_are_neutralised(value, shown):
    assert followups.safe_cell(value) == shown


def test_the_command_prints_the_csv_for_a_mail_merge(store):
    result = CliRunner().invoke(cli, ["followups", str(store.path), "--due", "--as-of", "10/12/2024"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    expected = expected_due(dt.date(2024, 12, 10), 12)
    assert [row["email"] for row in rows] == [row["email"] for row in expected]
    names = {row["email"]: row["name"] for row in rows}
    assert names["eve@example.org"] == "'@Eve"
    assert names["dan@example.org"] == "'-Dan"
    assert names["zoe@example.org"] == "Zoë O'Brien"
    assert list(rows[0]) == list(followups.COLUMNS)


def test_without_due_only_counts_are_printed(store):
    result = CliRunner().invoke(cli, ["followups", str(store.path), "--as-of", "2024-12-10", "--weeks", "12"])
    assert result.exit_code == 0, result.output
    due = len(expected_due(dt.date(2024, 12, 10), 12))
    assert result.stdout.startswith(f"2 follow-ups recorded; {due} attended delegates are due one")
    assert "@" not in result.stdout.replace("--due", "")  # no email addresses


def test_the_csv_can_go_to_a_file(store, tmp_path):
    out = tmp_path / "due.csv"
    result = CliRunner().invoke(cli, ["followups", str(store.path), "--due", "--as-of", "2024-12-10", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert out.stat().st_mode & 0o077 == 0  # names and emails: readable by the owner only
    assert len(list(csv.DictReader(out.open(encoding="utf-8")))) == len(expected_due(dt.date(2024, 12, 10), 12))


def test_the_help_says_it_prints_personal_data():
    result = CliRunner().invoke(cli, ["followups", "--help"])
    assert "the one scplearn command that prints personal data" in " ".join(result.output.split())


def test_a_missing_private_database_is_a_clear_error(store, tmp_path):
    result = CliRunner().invoke(cli, ["followups", str(store.path), "--due", "--private", str(tmp_path / "nope.db")])
    assert result.exit_code == 1
    assert "no private database" in result.output and "Traceback" not in result.output


def test_a_bad_date_is_a_usage_error(store):
    result = CliRunner().invoke(cli, ["followups", str(store.path), "--due", "--as-of", "someday"])
    assert result.exit_code == 2 and "--as-of" in result.output
