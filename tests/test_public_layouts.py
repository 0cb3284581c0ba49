"""Teams reports in the byte layouts of genuine exports published in public repositories.

Each file is written here, with made-up people, exactly as the genuine one
is laid out: its encoding and byte-order mark, separators, line ends,
headings, date and duration formats (docs/importing.md, "Where the layouts
come from", names each source). Expected figures are worked out by hand.
"""

import codecs

from click.testing import CliRunner
from conftest import bookings, write_csv

import scplearn
from scplearn.cli import cli

UK_SUMMARY = ["1. Summary", "Meeting title\tNeglect Briefing", "Attended participants\t{count}",
              "Start time\t{day}, 09:29:07", "End time\t{day}, {end}", "Meeting duration\t{length}",
              "Average attendance time\t18m 24s", ""]
UK_PARTICIPANTS = "Name\tFirst join\tLast leave\tIn-meeting duration\tEmail\tParticipant ID (UPN)\tRole"
UK_ACTIVITIES = "Name\tJoin time\tLeave time\tDuration\tEmail\tRole"


def uk_report(path, day, end, length, people):
    """As dvaneynde/teams-attendance's data/IDL-*.csv: UTF-16 big-endian with a BOM, LF line ends,
    headings in sentence case, two-digit years, everyone a Presenter but the organiser.
    ``people``: (name, email, role, join "HH:MM:SS", leave, duration)."""
    lines = [line.format(count=len(people), day=day, end=end, length=length) for line in UK_SUMMARY]
    lines += ["2. Participants", UK_PARTICIPANTS]
    lines += [f"{n}\t{day}, {j}\t{day}, {l}\t{d}\t{e}\t{e}\t{r}" for n, e, r, j, l, d in people]
    lines += ["", "3. In-Meeting activities", UK_ACTIVITIES]
    lines += [f"{n}\t{day}, {j}\t{day}, {l}\t{d}\t{e}\t{r}" for n, e, r, j, l, d in people]
    path.write_bytes(codecs.BOM_UTF16_BE + ("\n".join(lines) + "\n").encode("utf-16-be"))
    return path


FIRST = [
    ("OKAFOR ADA (EXT)", "ada.okafor.ext@lscp.example", "Organizer", "09:30:46", "09:50:12", "19m 26s"),
    ("Ben Birch", "Ben.Birch@police.example", "Presenter", "09:30:52", "09:50:12", "19m 20s"),
    ("Núñez Ruiz, Cat", "cnunez@lcc.example", "Presenter", "09:30:52", "09:50:14", "19m 22s"),
    ("De Gale, Gus", "gdg@smallco.example", "Presenter", "09:41:21", "09:50:12", "8m 51s"),
]


def test_a_uk_report_from_an_empty_database(tmp_path):
    path = uk_report(tmp_path / "IDL-14-11-22.csv", "14/11/22", "09:50:14", "21m 7s", FIRST)
    assert path.read_bytes()[:2] == b"\xfe\xff"
    db = tmp_path / "training.db"
    result = CliRunner().invoke(cli, ["import", str(db), str(path), "--course", "Neglect Briefing"])
    assert result.exit_code == 0, result.output
    with scplearn.open(db) as store:
        assert {row["code"]: row["mode"] for row in store.db["sessions"].rows} == {"NB01-2022-11-14-am": "virtual"}
        found = bookings(store)
    # 21m 7s, so 15m 50s needed. Nobody is an Attendee, so presenters count; the organiser is staff.
    assert found == {("NB01-2022-11-14-am", "ben.birch@police.example"): ("attended", True),
                     ("NB01-2022-11-14-am", "cnunez@lcc.example"): ("attended", True)}
    assert "4 rows read" in result.stdout and "2 left out" in result.stdout  # the organiser, and Gus (8m 51s)


def book(store, tmp_path, course, title, session, day, people):
    write_csv(tmp_path / "ref" / "courses.csv", f"code,title\n{course},{title}\n")
    write_csv(tmp_path / "ref" / "sessions.csv", f"code,course,date,mode\n{session},{course},{day},virtual\n")
    write_csv(tmp_path / "ref" / "delegates.csv", "email,name\n" + "".join(f"{e},{n}\n" for n, e in people))
    write_csv(tmp_path / "ref" / "bookings.csv",
              "session,email,status\n" + "".join(f"{session},{e},booked\n" for _, e in people))
    scplearn.import_files(store, [tmp_path / "ref"])


def test_a_us_flat_list_is_read_month_first(tmp_store, tmp_path):
    """As gspahlin/MS_Teams_attendance_formatter's meetingAttendanceList.csv: UTF-8 with a BOM, commas,
    quoted ``11/4/2020, 9:50:12 AM``, rows not in time order."""
    path = tmp_path / "meetingAttendanceList.csv"
    path.write_bytes(codecs.BOM_UTF8 + "\n".join([
        "Full Name,User Action,Timestamp",
        'Greta Sample,Joined,"11/4/2020, 9:50:12 AM"',
        'Kray Thorn,Joined before,"11/4/2020, 9:50:12 AM"',
        'Kray Thorn,Left,"11/4/2020, 10:06:45 AM"',
        'James Collins,Joined before,"11/4/2020, 9:50:12 AM"',
        'Song Howard,Joined,"11/4/2020, 10:02:25 AM"',
        'Song Howard,Left,"11/4/2020, 10:07:13 AM"',
        'Mia Davies,Joined,"11/4/2020, 10:06:23 AM"',
    ]).encode("utf-8") + b"\n")
    # An AM/PM clock: 4 November. The meeting runs 9:50:12 to 10:07:13, 17m 1s: 12m 46s needed.
    book(tmp_store, tmp_path, "BIO01", "Biology", "BIO01-2020-11-04", "2020-11-04",
         [("Kray Thorn", "kray@example.org"), ("Song Howard", "song@example.org"), ("James Collins", "james@example.org")])
    report = scplearn.import_files(tmp_store, [path], options={"course": "Biology"}, skip_invalid=True)
    assert report.written and report.files[0].importer == "teams"
    found = bookings(tmp_store)
    assert found[("BIO01-2020-11-04", "kray@example.org")] == ("attended", False)        # 16m 33s
    assert found[("BIO01-2020-11-04", "james@example.org")] == ("attended", False)       # joined before, stayed
    assert found[("BIO01-2020-11-04", "song@example.org")] == ("did_not_attend", False)  # 4m 48s
    # Greta, present throughout and on no register, is reported once; Mia (50s) is left out.
    assert [issue.value for issue in report.issues] == ["Greta Sample"]
    assert report.files[0].left_out == 1


def test_a_brazilian_flat_list_in_portuguese(tmp_store, tmp_path):
    """As RenatoJardimParducci/ExemploGit3SIB2021's meetingAttendanceList.csv: UTF-16 little-endian with
    a BOM, tabs, LF, ``Nome Completo / Atividade / Data e hora``, Entrou and Saiu, ``09/03/2021 07:59:50``."""
    path = tmp_path / "meetingAttendanceList.csv"
    path.write_bytes(codecs.BOM_UTF16_LE + "\n".join([
        "Nome Completo\tAtividade\tData e hora",
        "Ana Souza\tEntrou\t09/03/2021 07:59:50",
        "Heitor Pinto\tEntrou\t09/03/2021 08:00:38",
        "Heitor Pinto\tSaiu\t09/03/2021 08:02:59",
        "Heitor Pinto\tEntrou\t09/03/2021 08:10:16",
        "Mateus Lima\tEntrou\t09/03/2021 09:00:15",
        "Kátia Rocha\tSaiu\t09/03/2021 09:27:57",
    ]).encode("utf-16-le") + "\n".encode("utf-16-le"))
    # Day first: 9 March 2021, 07:59:50 to 09:27:57 (88m 7s, so 66m 5s needed).
    book(tmp_store, tmp_path, "POR01", "Português", "POR01-2021-03-09", "2021-03-09",
         [("Ana Souza", "ana@example.org"), ("Heitor Pinto", "heitor@example.org"), ("Mateus Lima", "mateus@example.org")])
    report = scplearn.import_files(tmp_store, [path], options={"course": "POR01"})
    assert report.written
    found = bookings(tmp_store)
    assert found[("POR01-2021-03-09", "ana@example.org")] == ("attended", False)           # there throughout
    assert found[("POR01-2021-03-09", "heitor@example.org")] == ("attended", False)        # 2m 21s + 77m 41s
    assert found[("POR01-2021-03-09", "mateus@example.org")] == ("did_not_attend", False)  # 27m 42s


def test_an_austrian_flat_list_is_read_day_first(tmp_store, tmp_path):
    """As dominikhoebert/Teams-Attendance-Klassenbuch-Writer's meetingAttendanceList.csv: UTF-16
    little-endian, tabs, English headings, ``11/12/2020, 12:27:24``: day first, 11 December."""
    path = tmp_path / "meetingAttendanceList.csv"
    path.write_bytes(codecs.BOM_UTF16_LE + "\n".join([
        "Full Name\tUser Action\tTimestamp",
        "Mustermann Max\tJoined\t11/12/2020, 12:27:24",
        "Mustermann Max\tLeft\t11/12/2020, 12:45:18",
        "Musterfrau Franziska\tJoined\t11/12/2020, 12:28:09",
        "Mustermann Max\tJoined\t11/12/2020, 13:45:41",
        "Mustermann Max\tLeft\t11/12/2020, 13:56:48",
        "Musterfrau Franziska\tLeft\t11/12/2020, 15:59:01",
    ]).encode("utf-16-le") + "\n".encode("utf-16-le"))
    book(tmp_store, tmp_path, "DEU01", "Deutsch", "DEU01-2020-12-11", "2020-12-11",
         [("Max Mustermann", "max@example.org"), ("Franziska Musterfrau", "franziska@example.org")])
    scplearn.import_files(tmp_store, [path], options={"course": "Deutsch"})
    found = bookings(tmp_store)
    # 12:27:24 to 15:59:01 (3h 31m 37s): Max was there 17m 54s + 11m 7s, Franziska throughout.
    assert found[("DEU01-2020-12-11", "max@example.org")] == ("did_not_attend", False)
    assert found[("DEU01-2020-12-11", "franziska@example.org")] == ("attended", False)
