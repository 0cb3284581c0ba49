"""Teams attendance reports: both layouts, the threshold, repeated joins, matching names to bookings."""

import datetime as dt

import pytest
from click.testing import CliRunner
from conftest import bookings, snapshot, write_csv
from helpers.files.teams import GOOD, SESSION, booked_store, write_current, write_flat

import scplearn
from scplearn.cli import cli
from scplearn.importers.teams import TeamsImporter


@pytest.fixture
def store(tmp_store, tmp_path):
    return booked_store(tmp_store, tmp_path)


PROBLEMS = [
    ("Sam Taylor", "", "Attendee", "09:30", "11:30"),                       # two Sam Taylors are booked
    ("Unknown Person (Guest)", "", "Attendee", "09:30", "11:30"),           # nobody booked has this name
]


def expected(threshold_minutes):
    """Who should count as present, worked out by hand from GOOD."""
    minutes = {"alice": 100, "bob": 95, "carol": 60, "zoe": 115, "eve": 120}
    statuses = {}
    for who, present in minutes.items():
        attended = present >= threshold_minutes
        if who == "eve":
            if attended:
                statuses[(SESSION, "eve@example.org")] = ("attended", True)
            continue
        statuses[(SESSION, f"{who}@example.org")] = ("attended" if attended else "did_not_attend", False)
    for who in ("dan", "sam.a", "sam.b"):
        statuses[(SESSION, f"{who}@example.org")] = ("booked", False)
    return statuses


def session_bookings(store, session=SESSION):
    return {key: value for key, value in bookings(store).items() if key[0] == session}


def test_both_layouts_are_recognised(tmp_path):
    assert TeamsImporter().recognises(write_current(tmp_path / "meetingAttendanceReport.csv", GOOD))
    assert TeamsImporter().recognises(write_flat(tmp_path / "meetingAttendanceList.csv", [
        ("Alice Brown", "Joined", "12/09/2024, 13:58:00")]))
    assert not TeamsImporter().recognises(write_csv(tmp_path / "other.csv", "name,email\nA,a@example.org\n"))


def test_attendance_from_time_present_against_the_threshold(store, tmp_path):
    path = write_current(tmp_path / "report.csv", GOOD)
    report = scplearn.import_files(store, [path], options={"session": SESSION})
    assert report.ok and report.written
    assert session_bookings(store) == expected(threshold_minutes=90)
    # The walk-in is a new person, named as Teams shows them; the trainer and Frank are left out.
    names = {row["email"]: row["name"] for row in store.private["people"].rows}
    assert names["eve@example.org"] == "Eve Black"
    assert "frank@example.org" not in names and "tess@example.org" not in names


def test_a_lower_threshold_counts_more_people_present(store, tmp_path):
    path = write_current(tmp_path / "report.csv", GOOD)
    scplearn.import_files(store, [path], options={"session": SESSION, "threshold": 0.5})
    assert session_bookings(store) == expected(threshold_minutes=60)


@pytest.mark.parametrize("threshold", [0, 1.5, "most"])
def test_a_threshold_outside_0_to_1_is_refused(store, tmp_path, threshold):
    path = write_current(tmp_path / "report.csv", GOOD)
    with pytest.raises(scplearn.ScplearnError, match="--threshold"):
        scplearn.import_files(store, [path], options={"session": SESSION, "threshold": threshold})


def test_unmatched_and_ambiguous_names_are_reported_not_invented(store, tmp_path):
    path = write_current(tmp_path / "report.csv", GOOD + PROBLEMS)
    before = snapshot(store)
    with pytest.raises(scplearn.ImportFailed) as failure:
        scplearn.import_files(store, [path], options={"session": SESSION})
    issues = failure.value.report.issues
    assert [(i.column, i.value) for i in issues] == [("Name", "Sam Taylor"), ("Name", "Unknown Person (Guest)")]
    assert "2 people booked on NEG02-2024-09-10 have this name" in issues[0].reason
    assert "nobody booked on NEG02-2024-09-10 has this name" in issues[1].reason
    lines = path.read_text(encoding="utf-16").splitlines()
    assert [lines[i.row - 1].split("\t")[0] for i in issues] == ["Sam Taylor", "Unknown Person (Guest)"]
    assert snapshot(store) == before

    report = scplearn.import_files(store, [path], options={"session": SESSION}, skip_invalid=True)
    assert report.written and len(report.issues) == 2
    assert session_bookings(store) == expected(threshold_minutes=90)
    assert store.private["people"].count == 8  # the seven booked and the walk-in: nobody invented


def test_the_flat_layout_pairs_joins_and_leaves_by_name(store, tmp_path):
    path = write_flat(tmp_path / "meetingAttendanceList.csv", [
        ("Alice Brown", "Joined", "12/09/2024, 13:58:00"),
        ("Bob Smith", "Joined", "12/09/2024, 14:00:00"),
        ("Bob Smith", "Left", "12/09/2024, 14:20:00"),
        ("Bob Smith", "Joined", "12/09/2024, 14:30:00"),
        ("Carol White", "Joined before", "12/09/2024, 14:40:00"),
        ("Alice Brown", "Left", "12/09/2024, 14:58:00"),
    ])
    # VIR03 has no duration: the session is as long as the report, 13:58 to 14:58, so 45 minutes are needed.
    report = scplearn.import_files(store, [path], options={"session": "VIR03-2024-09-12"})
    assert report.written
    statuses = {email: status for (_, email), (status, _) in session_bookings(store, "VIR03-2024-09-12").items()}
    assert statuses["alice@example.org"] == "attended"        # 60 minutes
    assert statuses["bob@example.org"] == "attended"          # 20 + 28 minutes
    assert statuses["carol@example.org"] == "did_not_attend"  # 18 minutes


def test_without_a_course_length_the_summary_gives_the_session_length(store, tmp_path):
    day = dt.date(2024, 9, 12)
    path = write_current(tmp_path / "report.csv", [
        ("Alice Brown", "alice@example.org", "Attendee", "14:00", "14:46"),
        ("Bob Smith", "bob@example.org", "Attendee", "14:00", "14:44"),
    ], start="14:00", end="15:00", day=day)
    scplearn.import_files(store, [path], options={"course": "VIR03"})  # the date comes from the summary
    statuses = {email: status for (_, email), (status, _) in session_bookings(store, "VIR03-2024-09-12").items()}
    assert statuses["alice@example.org"] == "attended" and statuses["bob@example.org"] == "did_not_attend"


def test_a_participants_table_alone_uses_the_durations_teams_gives(store, tmp_path):
    # First join to last leave spans two hours, but the person was present for 50 minutes.
    path = tmp_path / "old.csv"
    path.write_text("\r\n".join([
        "Meeting Summary",
        "Total Number of Participants\t1",
        "Meeting Title\tNeglect",
        "Meeting Start Time\t10/09/2024, 09:30:00",
        "Meeting End Time\t10/09/2024, 11:30:00",
        "",
        "Full Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole\tParticipant ID (UPN)",
        "Alice Brown\t10/09/2024, 09:30:00\t10/09/2024, 11:30:00\t50m\talice@example.org\tAttendee\talice@example.org",
        "Bob Smith\t10/09/2024, 09:30:00\t10/09/2024, 11:20:00\t1h 50m\tbob@example.org\tAttendee\tbob@example.org",
    ]), encoding="utf-16")
    assert TeamsImporter().recognises(path)
    scplearn.import_files(store, [path], options={"session": SESSION})
    statuses = {email: status for (_, email), (status, _) in session_bookings(store).items()}
    assert statuses["alice@example.org"] == "did_not_attend" and statuses["bob@example.org"] == "attended"


def test_a_bad_time_is_reported_on_its_row(store, tmp_path):
    path = write_current(tmp_path / "report.csv", GOOD)
    text = path.read_text(encoding="utf-16").replace("10/09/2024, 11:10:00", "31/09/2024, 11:10:00")
    path.write_text(text, encoding="utf-16")
    with pytest.raises(scplearn.ImportFailed) as failure:
        scplearn.import_files(store, [path], options={"session": SESSION})
    # The In-Meeting Activities table is the one read (the Participants table repeats its totals).
    [issue] = failure.value.report.issues
    assert (issue.column, issue.value) == ("Leave Time", "31/09/2024, 11:10:00")
    assert "must be a date and time" in issue.reason
    lines = text.splitlines()
    assert "31/09/2024, 11:10:00" in lines[issue.row - 1]
    assert lines.index("3. In-Meeting Activities") < issue.row - 1


def test_without_a_session_nothing_is_imported(store, tmp_path):
    path = write_current(tmp_path / "report.csv", GOOD)
    with pytest.raises(scplearn.ImportFailed, match="does not name the session"):
        scplearn.import_files(store, [path])
    with pytest.raises(scplearn.ImportFailed, match="did you mean Neglect: Recognising and Responding"):
        scplearn.import_files(store, [path], options={"course": "Neglect: Recognizing and Responding"})


def test_reimporting_changes_nothing_and_dry_run_writes_nothing(store, tmp_path):
    path = write_current(tmp_path / "report.csv", GOOD)
    before = snapshot(store)
    dry = scplearn.import_files(store, [path], options={"session": SESSION}, dry_run=True)
    assert snapshot(store) == before
    real = scplearn.import_files(store, [path], options={"session": SESSION})
    assert dry.files[0].added == real.files[0].added == {"delegates": 1, "bookings": 1}
    assert dry.files[0].changed == real.files[0].changed == {"bookings": 4}
    after = snapshot(store)
    # The same report saved again (other bytes: UTF-8 with a BOM) is read again and changes nothing.
    again = tmp_path / "again.csv"
    again.write_text(path.read_text(encoding="utf-16"), encoding="utf-8-sig")
    report = scplearn.import_files(store, [again], options={"session": SESSION})
    assert report.files[0].added == {} and report.files[0].changed == {}
    assert snapshot(store) == after


def test_the_command_line_takes_course_and_threshold(store, tmp_path):
    path = write_current(tmp_path / "meetingAttendanceReport(Neglect).csv", GOOD)
    result = CliRunner().invoke(cli, ["import", str(store.path), str(path), "--course", "NEG02", "--threshold", "0.5"])
    assert result.exit_code == 0, result.output
    assert "(teams)" in result.stdout
    assert session_bookings(store) == expected(threshold_minutes=60)
    result = CliRunner().invoke(cli, ["import", str(store.path), str(path), "--threshold", "2"])
    assert result.exit_code == 2 and "--threshold" in result.stderr
