"""Eventbrite attendee reports: delegates and bookings, statuses, organisations, messy rows."""

import collections
import csv

import pytest
from click.testing import CliRunner
from conftest import bookings, people, snapshot
from helpers.files.eventbrite import HEADER, ROWS, attendee, write_report

import scplearn
from scplearn.cli import cli
from scplearn.importers.eventbrite import EventbriteImporter

SESSION = "CAS01-2024-09-03"


def test_the_report_is_recognised_and_only_by_the_eventbrite_importer(tmp_path):
    path = write_report(tmp_path / "Attendee Summary Report.csv")
    assert EventbriteImporter().recognises(path)
    report = scplearn.import_files(scplearn.open(tmp_path / "t.db"), [path], dry_run=True,
                                   options={"course": "Core Awareness", "date": "03/09/2024"})
    assert report.files[0].importer == "eventbrite"


def test_delegates_and_bookings_with_their_statuses(store, tmp_path):
    path = write_report(tmp_path / "report.csv")
    report = scplearn.import_files(store, [path], options={"session": SESSION})
    assert report.ok and report.written
    assert report.files[0].rows == 5
    assert bookings(store) == {
        (SESSION, "zoe.obrien@stmarys.example.org"): ("attended", False),
        (SESSION, "bob.smith@police.example.org"): ("booked", False),
        (SESSION, "priya.patel@uhl.example.org"): ("cancelled", False),
        (SESSION, "siobhan@example.org"): ("booked", False),
        (SESSION, "tom.jones@example.org"): ("booked", False),
    }
    assert people(store) == {
        "zoe.obrien@stmarys.example.org": "Zoë O'Brien",
        "bob.smith@police.example.org": "Bob Smith",
        "priya.patel@uhl.example.org": "Priya Patel",
        "siobhan@example.org": "Siobhán Ní Bhriain",
        "tom.jones@example.org": "Tom Jones",
    }
    roles = {row[0]: row[1:] for row in store.db.execute("SELECT role, agency, key FROM delegates")}
    assert roles["Police Constable"][0] == "Leicestershire Police"  # matched ignoring case
    assert roles["Teacher"][0] == "St Mary's Primary School"
    assert store.db.execute("SELECT count(*) FROM delegates WHERE role IS NULL AND agency IS NULL").fetchone()[0] == 1


def test_the_session_can_be_found_by_course_and_date(store, tmp_path):
    path = write_report(tmp_path / "report.csv")
    report = scplearn.import_files(store, [path], options={"course": "CAS01", "date": "2024-09-03"})
    assert report.written
    assert {session for session, _ in bookings(store)} == {SESSION}


@pytest.mark.parametrize("options, message", [
    ({}, "does not name its course: give --course"),
    ({"session": "NOPE"}, "no session NOPE"),
    ({"course": "Core Awarenes in Safeguarding Children", "date": "04/09/2024"},
     r"did you mean Core Awareness in Safeguarding Children \(CAS01\)\?"),
])
def test_without_a_known_session_nothing_is_imported(store, tmp_path, options, message):
    path = write_report(tmp_path / "report.csv")
    with pytest.raises(scplearn.ImportFailed, match=message):
        scplearn.import_files(store, [path], options=options)
    assert store.db["bookings"].count == 0


def test_an_unknown_organisation_becomes_an_unverified_agency_with_the_sector_asked(store, tmp_path):
    rows = [row + [sector] for row, sector in zip(ROWS, ["Education", "Police", "", "", ""])]
    rows.append(attendee("1006", "Ann", "Lee", "ann@example.org", "Attending", "Manager", "LPT")
                + ["NHS / health"])
    rows.append(attendee("1007", "Kim", "Ward", "kim@example.org", "Attending", "Worker", "Hope Street Trust")
                + ["Voluntary and community sector"])
    path = tmp_path / "report.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([HEADER + ["Which sector do you work in?"], *rows])
    report = scplearn.import_files(store, [path], options={"session": SESSION})
    assert report.files[0].added["agencies"] == 2
    found = {row["name"]: (row["sector"], row["verified"]) for row in store.db["agencies"].rows}
    assert found["LPT"] == ("health", 0) and found["Hope Street Trust"] == ("voluntary", 0)
    assert found["Leicestershire Police"] == ("police", 1)  # "leicestershire police" is the known agency


def test_an_organisation_a_few_letters_from_a_known_one_is_refused(store, tmp_path):
    rows = ROWS + [attendee("1006", "Ann", "Lee", "ann@example.org", "Attending", "Manager", "Leicestershire Polise")]
    path = write_report(tmp_path / "report.csv", rows)
    before = snapshot(store)
    with pytest.raises(scplearn.ImportFailed) as failure:
        scplearn.import_files(store, [path], options={"session": SESSION})
    [issue] = failure.value.report.issues
    assert (issue.file, issue.row, issue.column, issue.value) == ("report.csv", 8, "Company", "Leicestershire Polise")
    assert "did you mean 'Leicestershire Police'?" in issue.reason
    assert snapshot(store) == before


def test_a_mapping_names_the_agency_an_organisation_means(store, tmp_path):
    rows = ROWS + [
        attendee("1006", "Ann", "Lee", "ann@example.org", "Attending", "Manager", "Leics Police"),
        attendee("1007", "Kim", "Ward", "kim@example.org", "Attending", "Childminder", "Self-employed"),
    ]
    path = write_report(tmp_path / "report.csv", rows)
    (tmp_path / "orgs.toml").write_text(
        '[values.agency]\n"Leics Police" = "Leicestershire Police"\n"Self employed" = ""\n'
    )
    scplearn.import_files(store, [path], options={"session": SESSION, "mapping": tmp_path / "orgs.toml"})
    agencies = dict(store.db.execute("SELECT role, agency FROM delegates").fetchall())
    assert agencies["Manager"] == "Leicestershire Police"
    assert agencies["Childminder"] is None


def test_duplicated_rows_and_case_different_emails_are_one_booking(store, tmp_path):
    rows = [
        attendee("2001", "Bob", "Smith", "bob@example.org", "Not Attending", "PC", "Leicestershire Police"),
        attendee("2002", "Bob", "Smith", "BOB@Example.org", "Attending", "PC", "Leicestershire Police"),
        attendee("2002", "Bob", "Smith", "bob@example.org ", "Attending", "PC", "Leicestershire Police"),
    ]
    path = write_report(tmp_path / "report.csv", rows)
    report = scplearn.import_files(store, [path], options={"session": SESSION})
    assert report.files[0].added == {"delegates": 1, "bookings": 1}
    assert bookings(store) == {(SESSION, "bob@example.org"): ("booked", False)}


def test_a_later_export_does_not_undo_recorded_attendance(store, tmp_path):
    write_report(tmp_path / "first.csv")
    scplearn.import_files(store, [tmp_path / "first.csv"], options={"session": SESSION})
    store.db.execute("UPDATE bookings SET status = 'attended'")  # as a Teams report would have done
    store.db.conn.commit()
    # A fresh download of the same event (other bytes: different order dates) still says "Attending".
    rows = [row[:1] + ["02/08/2024 09:00"] + row[2:] for row in ROWS]
    write_report(tmp_path / "second.csv", rows)
    scplearn.import_files(store, [tmp_path / "second.csv"], options={"session": SESSION})
    statuses = {email: status for (_, email), (status, _) in bookings(store).items()}
    assert statuses["bob.smith@police.example.org"] == "attended"
    assert statuses["priya.patel@uhl.example.org"] == "cancelled"  # a cancellation is still news


def test_bad_rows_are_reported_with_file_row_column_value_and_reason(store, tmp_path):
    rows = ROWS + [
        attendee("3001", "No", "Email", "", "Attending"),
        attendee("3002", "Bad", "Email", "bad.example.org", "Attending"),
        attendee("3003", "Odd", "Status", "odd@example.org", "Waitlisted"),
    ]
    path = write_report(tmp_path / "report.csv", rows)
    before = snapshot(store)
    with pytest.raises(scplearn.ImportFailed) as failure:
        scplearn.import_files(store, [path], options={"session": SESSION})
    found = [(i.row, i.column, i.value) for i in failure.value.report.issues]
    assert found == [(8, "Email", ""), (9, "Email", "bad.example.org"), (10, "Attendee Status", "Waitlisted")]
    assert snapshot(store) == before

    report = scplearn.import_files(store, [path], options={"session": SESSION}, skip_invalid=True)
    assert report.written and len(report.issues) == 3
    assert report.files[0].rejected == 3
    assert len(bookings(store)) == 5


def test_reimporting_changes_nothing(store, tmp_path):
    write_report(tmp_path / "report.csv")
    scplearn.import_files(store, [tmp_path / "report.csv"], options={"session": SESSION})
    before = snapshot(store)
    # The same rows under another name and without the BOM are other bytes: read again, they change nothing.
    write_report(tmp_path / "again.csv", bom=False, blank_lines=False)
    report = scplearn.import_files(store, [tmp_path / "report.csv", tmp_path / "again.csv"],
                                   options={"session": SESSION})
    assert report.files[0].skipped
    assert report.files[1].added == {} and report.files[1].changed == {}
    assert snapshot(store) == before


def test_dry_run_reports_what_the_import_then_does(store, tmp_path):
    path = write_report(tmp_path / "report.csv")
    before = snapshot(store)
    dry = scplearn.import_files(store, [path], options={"session": SESSION}, dry_run=True)
    assert not dry.written and snapshot(store) == before
    real = scplearn.import_files(store, [path], options={"session": SESSION})
    assert dry.files[0].added == real.files[0].added == {"delegates": 5, "bookings": 5}


def test_the_command_line_takes_course_and_date(store, tmp_path):
    path = write_report(tmp_path / "report.csv")
    result = CliRunner().invoke(
        cli, ["import", str(store.path), str(path), "--course", "CAS01", "--date", "03/09/2024"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("report.csv (eventbrite): 5 rows read, 10 records written, 0 superseded, "
                                    "0 left out; added 5 delegates, 5 bookings")
    result = CliRunner().invoke(cli, ["import", str(store.path), str(path), "--date", "03/09/2024"])
    assert result.exit_code == 2 and "--date needs --course" in result.stderr


def test_a_mapping_turns_an_event_column_into_sessions(store, tmp_path):
    rows = [row + [event] for row, event in zip(ROWS, ["111", "111", "222", "222", "222"])]
    path = tmp_path / "events.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([HEADER + ["Event ID"], *rows])
    (tmp_path / "events.toml").write_text(
        '[columns]\n"Event ID" = "session"\n[values.session]\n'
        f'"111" = "{SESSION}"\n"222" = "NEG02-2024-09-10"\n'
    )
    scplearn.import_files(store, [path], options={"mapping": tmp_path / "events.toml"})
    sessions = collections.Counter(session for session, _ in bookings(store))
    assert sessions == {SESSION: 2, "NEG02-2024-09-10": 3}
