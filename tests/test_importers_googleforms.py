"""Google Forms follow-up surveys: sessions found from the course, answers, timestamps, messy rows."""

import datetime as dt

import pytest
from click.testing import CliRunner
from conftest import reference, snapshot, write_csv
from helpers.files.googleforms import HEADER, ROWS, write_responses

import scplearn
from scplearn.cli import cli
from scplearn.importers.googleforms import GoogleFormsImporter


@pytest.fixture
def store(tmp_store, tmp_path):
    reference(tmp_store, tmp_path / "reference")
    write_csv(tmp_path / "attended" / "bookings.csv", """
        session,email,status
        NEG02-2024-09-10,alice@example.org,attended
        CAS01-2024-09-03,bob@example.org,attended
        NEG02-2024-10-15,zoe@example.org,attended
        NEG02-2024-09-10,carol@example.org,attended
        NEG02-2024-10-15,carol@example.org,attended
    """)
    scplearn.import_files(tmp_store, [tmp_path / "attended"])
    return tmp_store


def followups(store):
    emails = {row["key"]: row["email"] for row in store.private["people"].rows}
    return {(row.pop("session"), emails[row.pop("delegate")]): row for row in store.db["followups"].rows}


def test_recognised_by_its_timestamp_column(tmp_path):
    path = write_responses(tmp_path / "Follow-up survey (Responses).csv")
    assert GoogleFormsImporter().recognises(path)
    report = scplearn.import_files(scplearn.open(tmp_path / "t.db"), [path], dry_run=True, skip_invalid=True)
    assert report.files[0].importer == "googleforms"


def test_follow_ups_find_their_session_through_the_delegates_booking(store, tmp_path):
    report = scplearn.import_files(store, [write_responses(tmp_path / "responses.csv")])
    assert report.written and report.files[0].added == {"followups": 3}
    assert followups(store) == {
        ("NEG02-2024-09-10", "alice@example.org"): {
            "date": "2024-12-10", "used_learning": 1, "specific_action": 1, "knowledge": 8, "skills": None,
            "confidence": 9, "comments": "Used the neglect toolkit with a family"},
        ("CAS01-2024-09-03", "bob@example.org"): {
            "date": "2024-12-03", "used_learning": 0, "specific_action": 0, "knowledge": 6, "skills": None,
            "confidence": None, "comments": None},
        ("NEG02-2024-10-15", "zoe@example.org"): {
            "date": "2025-01-20", "used_learning": 1, "specific_action": 0, "knowledge": 7, "skills": None,
            "confidence": 7, "comments": "Shared it with my team"},
    }


def test_uk_timestamps_from_the_responses_sheet(store, tmp_path):
    rows = [["10/12/2024 10:15:32", *ROWS[0][1:]], ["03/12/2024 14:01:00", *ROWS[1][1:]]]
    scplearn.import_files(store, [write_responses(tmp_path / "responses.csv", rows)])
    assert {row["date"] for row in followups(store).values()} == {"2024-12-10", "2024-12-03"}


def test_a_person_who_attended_the_course_twice_needs_the_date(store, tmp_path):
    rows = [["2024/12/10 10:15:32 AM GMT", "carol@example.org", "NEG02", "Yes", "Yes", "8", "8", ""]]
    with pytest.raises(scplearn.ImportFailed) as failure:
        scplearn.import_files(store, [write_responses(tmp_path / "responses.csv", rows)])
    [issue] = failure.value.report.issues
    assert (issue.row, issue.column, issue.value) == (2, HEADER[2], "NEG02")
    assert "attended NEG02 more than once" in issue.reason
    header = HEADER[:3] + ["Date of the training"] + HEADER[3:]
    rows = [rows[0][:3] + ["15/10/2024"] + rows[0][3:]]
    scplearn.import_files(store, [write_responses(tmp_path / "with date.csv", rows, header)])
    assert set(followups(store)) == {("NEG02-2024-10-15", "carol@example.org")}


def test_answers_other_than_yes_or_no_are_rejected_unless_mapped(store, tmp_path):
    rows = [ROWS[0][:3] + ["Partly"] + ROWS[0][4:], ROWS[1]]
    path = write_responses(tmp_path / "responses.csv", rows)
    before = snapshot(store)
    with pytest.raises(scplearn.ImportFailed) as failure:
        scplearn.import_files(store, [path])
    [issue] = failure.value.report.issues
    assert (issue.file, issue.row, issue.column, issue.value, issue.reason) == (
        "responses.csv", 2, HEADER[3], "Partly", "must be yes or no")
    assert snapshot(store) == before
    (tmp_path / "answers.toml").write_text('[values.used_learning]\n"Partly" = "yes"\n')
    scplearn.import_files(store, [path], options={"mapping": tmp_path / "answers.toml"})
    assert followups(store)[("NEG02-2024-09-10", "alice@example.org")]["used_learning"] == 1


def test_bad_rows_are_reported_and_skip_invalid_writes_the_rest(store, tmp_path):
    rows = ROWS + [
        ["2024/12/11 10:00:00 AM GMT", "dan@example.org", "NEG02", "Yes", "Yes", "8", "8", ""],    # no booking
        ["2024/12/11 10:00:00 AM GMT", "alice@example.org", "NEG99", "Yes", "Yes", "8", "8", ""],  # no course
        ["yesterday", "bob@example.org", "CAS01", "Yes", "Yes", "0", "8", ""],                      # time, score
    ]
    path = write_responses(tmp_path / "responses.csv", rows)
    with pytest.raises(scplearn.ImportFailed) as failure:
        scplearn.import_files(store, [path])
    found = [(i.row, i.column, i.value) for i in failure.value.report.issues]
    assert found == [(5, HEADER[2], "NEG02"), (6, HEADER[2], "NEG99"),
                     (7, HEADER[5], "0"), (7, "Timestamp", "yesterday")]
    report = scplearn.import_files(store, [path], skip_invalid=True)
    assert report.files[0].rejected == 3 and len(followups(store)) == 3


def test_the_session_option_applies_to_every_response(store, tmp_path):
    header = [h for h in HEADER if h != "Which course did you attend?"]
    rows = [[cell for index, cell in enumerate(row) if index != 2] for row in ROWS]
    path = write_responses(tmp_path / "responses.csv", rows, header)
    with pytest.raises(scplearn.ImportFailed, match="does not say which session"):
        scplearn.import_files(store, [path])
    scplearn.import_files(store, [path], options={"session": "NEG02-2024-09-10"})
    assert {session for session, _ in followups(store)} == {"NEG02-2024-09-10"}


def test_a_repeated_response_counts_once_the_later_one(store, tmp_path):
    later = ["2024/12/12 09:00:00 AM GMT", "ALICE@example.org"] + ROWS[0][2:5] + ["9", "9", "Changed my mind"]
    path = write_responses(tmp_path / "responses.csv", [ROWS[0], later])
    report = scplearn.import_files(store, [path])
    assert report.files[0].added == {"followups": 1}
    row = followups(store)[("NEG02-2024-09-10", "alice@example.org")]
    assert (row["date"], row["knowledge"], row["comments"]) == ("2024-12-12", 9, "Changed my mind")


def test_reimporting_changes_nothing_and_dry_run_writes_nothing(store, tmp_path):
    path = write_responses(tmp_path / "responses.csv")
    before = snapshot(store)
    dry = scplearn.import_files(store, [path], dry_run=True)
    assert snapshot(store) == before and not dry.written
    real = scplearn.import_files(store, [path])
    assert dry.files[0].added == real.files[0].added == {"followups": 3}
    after = snapshot(store)
    again = tmp_path / "responses (1).csv"
    again.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\r\n", b"\n"))  # BOM, other line ends
    report = scplearn.import_files(store, [again])
    assert report.files[0].added == {} and report.files[0].changed == {}
    assert snapshot(store) == after


def test_the_command_line(store, tmp_path):
    path = write_responses(tmp_path / "Follow-up survey (Responses).csv")
    result = CliRunner().invoke(cli, ["import", str(store.path), str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Follow-up survey (Responses).csv (googleforms): 3 rows read, 3 records to write, 0 superseded, 0 left out; "
        "would add 3 followups",
        "Dry run: nothing was written.",
    ]
    assert store.db["followups"].count == 0


def test_the_date_of_a_follow_up_is_when_it_was_submitted():
    # Google writes "2024/12/03 2:01:00 PM GMT": year first, 12-hour clock.
    from scplearn.importers import clock

    assert clock.parse_datetime(ROWS[1][0]) == dt.datetime(2024, 12, 3, 14, 1)


def test_a_google_form_with_before_and_after_ratings_gives_evaluations(store, tmp_path):
    header = ["Timestamp", "Email address", "How would you rate your knowledge before the training?",
              "How would you rate your knowledge after the training?", "What key action will you take?"]
    rows = [["2024/09/10 11:40:00 AM GMT", "alice@example.org", "4", "8 out of 10", "Use the toolkit"]]
    report = scplearn.import_files(store, [write_responses(tmp_path / "evaluation.csv", rows, header)],
                                   options={"session": "NEG02-2024-09-10"})
    assert report.files[0].added == {"evaluations": 1}
    row = store.db.execute("SELECT knowledge_pre, knowledge_post, action_1 FROM evaluations").fetchone()
    assert row == (4, 8, "Use the toolkit")
    assert [tuple(r) for r in store.db.execute(
        "SELECT knowledge_rated, knowledge_pre_sum, knowledge_post_sum, knowledge_up_4, skills_rated "
        "FROM score_summaries")] == [(1, 4, 8, 1, 0)]
