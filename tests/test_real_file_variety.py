"""The variety of real files: separators, encodings, title rows, folders, Eventbrite's generations,
Teams in eight languages and US dates, staff, and nothing ever silent."""

import csv

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import bookings, people, reference, write_csv
from helpers.files.teams import SESSION, at, booked_store

import scplearn
from scplearn.cli import cli


@pytest.fixture
def booked(tmp_store, tmp_path):
    """The reference records, and people booked on NEG02-2024-09-10 (tests/helpers/files/teams.py)."""
    return booked_store(tmp_store, tmp_path)


def run(*args):
    result = CliRunner().invoke(cli, [str(arg) for arg in args])
    assert "Traceback" not in result.output
    return result


# spreadsheets


def test_a_semicolon_separated_windows_1252_csv(tmp_store, tmp_path):
    reference(tmp_store, tmp_path / "reference")
    path = tmp_path / "delegates.csv"
    path.write_bytes("email;name;agency\r\nzoe@example.org;Zoë O\u2019Brien;St Mary\u2019s Primary School\r\n"
                     .encode("cp1252"))
    report = scplearn.import_files(tmp_store, [path])
    assert report.ok and report.files[0].added == {"delegates": 1}
    assert people(tmp_store)["zoe@example.org"] == "Zoë O\u2019Brien"
    # "St Mary’s" (a curly apostrophe) is the agency "St Mary's Primary School": punctuation is ignored.
    assert tmp_store.db.execute("SELECT agency FROM delegates").fetchone()[0] == "St Mary's Primary School"


def test_title_rows_above_the_headings_are_found(tmp_store, tmp_path):
    reference(tmp_store, tmp_path / "reference")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Training bookings, autumn 2024"])
    sheet.append(["Exported 01/10/2024", None, None])
    sheet.append([])
    sheet.append(["session", "email", "status"])
    sheet.append(["CAS01-2024-09-03", "ann@example.org", "attended"])
    workbook.save(tmp_path / "autumn bookings.xlsx")
    report = scplearn.import_files(tmp_store, [tmp_path / "autumn bookings.xlsx"])
    assert report.ok and report.files[0].added["bookings"] == 1


def test_folders_are_searched_to_any_depth(tmp_store, tmp_path):
    reference(tmp_store, tmp_path / "exports" / "reference")
    write_csv(tmp_path / "exports" / "2024" / "autumn" / "bookings.csv",
              "session,email,status\nCAS01-2024-09-03,ann@example.org,booked\n")
    (tmp_path / "exports" / "2024" / "~$bookings.xlsx").write_bytes(b"Excel's lock file")
    report = scplearn.import_files(tmp_store, [tmp_path / "exports"])
    assert [f.path.name for f in report.files if not f.skipped] == ["bookings.csv"]
    assert tmp_store.db["bookings"].count == 1


def test_a_folder_of_empty_folders_is_an_error(tmp_path):
    (tmp_path / "exports" / "2024" / "autumn").mkdir(parents=True)
    result = run("import", tmp_path / "t.db", tmp_path / "exports")
    assert result.exit_code == 1 and "no file to import in this folder or the folders inside it" in result.output


@pytest.mark.parametrize("skip", [[], ["--skip-invalid"]])
def test_a_file_with_nothing_to_import_is_an_error_even_skipping_invalid_rows(tmp_path, skip):
    write_csv(tmp_path / "bookings.csv", "session,email,status\n")
    result = run("import", tmp_path / "t.db", tmp_path / "bookings.csv", *skip)
    assert result.exit_code == 1 and "bookings.csv: no rows of data to import" in result.output


def test_a_problem_with_a_whole_file_fails_even_skipping_invalid_rows(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(["ID", "Start time", "Completion time", "Email", "Name", "Favourite colour?"])
    workbook.active.append([1, "10/09/2024 10:00", "10/09/2024 10:05", "a@example.org", "A", "Blue"])
    workbook.save(tmp_path / "Form.xlsx")
    result = run("import", tmp_path / "t.db", tmp_path / "Form.xlsx", "--skip-invalid", "--session", "X")
    assert result.exit_code == 1 and "nothing was imported" in result.output
    assert "no evaluation questions" in result.output


def test_a_named_format_checks_its_columns_before_writing(booked, tmp_path):
    path = write_csv(tmp_path / "bookings.csv", "session,email,status\nCAS01-2024-09-03,ann@example.org,booked\n")
    before = booked.db["bookings"].count
    result = run("import", booked.path, path, "--format", "eventbrite", "--session", SESSION)
    assert result.exit_code == 1
    assert "bookings.csv: --format eventbrite: not an Eventbrite attendee report" in result.output
    assert booked.db["bookings"].count == before


# Eventbrite


def write_rows(path, header, rows, encoding="utf-8"):
    with open(path, "w", newline="", encoding=encoding) as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


def test_the_uk_export_is_recognised_without_format(booked, tmp_path):
    header = ["Order no.", "Order Date", "First Name", "Surname", "Email", "Quantity", "Ticket Type", "Order Type",
              "Total Paid", "Eventbrite Fees", "Eventbrite Payment Processing", "Attendee Status"]
    path = write_rows(tmp_path / "report.csv", header, [
        ["1", "01/08/2024 10:15", "Ann", "Lee", "ann@example.org", "1", "Free", "Free Order", "0", "0", "0", "Attending"],
        ["2", "01/08/2024 10:16", "Kim", "Ward", "kim@example.org", "1", "Free", "Free Order", "0", "0", "0",
         "Cancelled"],
    ])
    report = scplearn.import_files(booked, [path], options={"session": "CAS01-2024-09-03"})
    assert report.files[0].importer == "eventbrite"
    found = bookings(booked)
    assert found[("CAS01-2024-09-03", "ann@example.org")] == ("booked", False)
    assert found[("CAS01-2024-09-03", "kim@example.org")] == ("cancelled", False)
    assert people(booked)["kim@example.org"] == "Kim Ward"


NEWER = ["Order ID", "Order date", "Attendee first name", "Attendee last name", "Attendee email", "Event name",
         "Event ID", "Event start date", "Event start time", "Event location", "Ticket quantity", "Ticket type",
         "Buyer email"]


def test_the_newer_export_has_no_status_column_and_names_its_course_and_date(tmp_store, tmp_path):
    path = write_rows(tmp_path / "orders.csv", NEWER, [
        ["A1", "2024-08-01 12:00:00", "Ann", "Lee", "ann@example.org", "Working Together", "77", "2024-10-01",
         "09:30:00", "Online event", "1", "General admission", "ann@example.org"],
        ["A2", "2024-08-02 12:00:00", "Kim", "Ward", "kim@example.org", "Working Together", "77", "2024-10-01",
         "09:30:00", "Online event", "1", "General admission", "kim@example.org"],
    ])
    report = scplearn.import_files(tmp_store, [path])
    assert report.files[0].importer == "eventbrite"
    assert [(row["code"], row["title"]) for row in tmp_store.db["courses"].rows] == [("WT01", "Working Together")]
    session = tmp_store.db["sessions"].get("WT01-2024-10-01")
    assert session["mode"] == "virtual"  # an online event
    assert set(bookings(tmp_store).values()) == {("booked", False)}


def test_a_fixed_status_in_a_mapping_is_used(tmp_store, tmp_path):
    path = write_rows(tmp_path / "orders.csv", NEWER, [
        ["A1", "2024-08-01 12:00:00", "Ann", "Lee", "ann@example.org", "Working Together", "77", "2024-10-01",
         "09:30:00", "Leicester", "1", "General admission", "ann@example.org"]])
    (tmp_path / "attended.toml").write_text('[fixed]\nstatus = "attended"\n')
    scplearn.import_files(tmp_store, [path], options={"mapping": tmp_path / "attended.toml"})
    assert set(bookings(tmp_store).values()) == {("attended", False)}
    assert tmp_store.db["sessions"].get("WT01-2024-10-01")["mode"] == "face_to_face"


# Teams in eight languages

LANGUAGES = {
    # summary, participants, activities, (participants columns), (activities columns), organiser, attendee, units
    "en": ("1. Summary", "2. Participants", "3. In-Meeting Activities",
           "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole",
           "Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole", "Organizer", "Attendee", ("h", "m", "s")),
    "fr": ("1. Résumé", "2. Participants", "3. Activités de la réunion",
           "Nom\tPremière participation\tDernier départ\tDurée de la réunion\tE-mail\tID de participant (UPN)\tRôle",
           "Nom\tHeure de participation\tHeure de départ\tDurée\tE-mail\tRôle", "Organisateur", "Participant",
           (" h", " min", " s")),
    "de": ("1. Zusammenfassung", "2. Teilnehmer", "3. Aktivitäten in der Besprechung",
           "Name\tErster Beitritt\tLetztes Verlassen\tDauer in der Besprechung\tE-Mail\tTeilnehmer-ID (UPN)\tRolle",
           "Name\tBeitrittszeit\tVerlassenszeit\tDauer\tE-Mail\tRolle", "Organisator", "Teilnehmer",
           (" Std.", " Min.", " Sek.")),
    "es": ("1. Resumen", "2. Participantes", "3. Actividades en la reunión",
           "Nombre\tPrimera unión\tÚltima salida\tDuración de la reunión\tCorreo electrónico\tId. de participante (UPN)\tRol",
           "Nombre\tHora de unión\tHora de salida\tDuración\tCorreo electrónico\tRol", "Organizador", "Asistente",
           (" h", " min", " s")),
    "it": ("1. Riepilogo", "2. Partecipanti", "3. Attività durante la riunione",
           "Nome\tPrimo accesso\tUltima uscita\tDurata della riunione\tPosta elettronica\tID partecipante (UPN)\tRuolo",
           "Nome\tOra di ingresso\tOra di uscita\tDurata\tPosta elettronica\tRuolo", "Organizzatore", "Partecipante",
           (" h", " min", " s")),
    "pt": ("1. Resumo", "2. Participantes", "3. Atividades na Reunião",
           "Nome\tPrimeiro ingresso\tÚltima saída\tDuração na reunião\tEmail\tID do participante (UPN)\tFunção",
           "Nome\tHora de ingresso\tHora de saída\tDuração\tEmail\tFunção", "Organizador", "Participante",
           ("h", "m", "s")),
    "nl": ("1. Samenvatting", "2. Deelnemers", "3. Activiteiten tijdens vergadering",
           "Naam\tEerste deelname\tLaatste vertrek\tDuur van vergadering\tE-mail\tDeelnemer-id (UPN)\tRol",
           "Naam\tDeelnametijd\tVertrektijd\tDuur\tE-mail\tRol", "Organisator", "Deelnemer", ("u", "m", "s")),
    "pl": ("1. Podsumowanie", "2. Uczestnicy", "3. Działania podczas spotkania",
           "Imię i nazwisko\tPierwsze dołączenie\tOstatnie opuszczenie\tCzas trwania spotkania\tAdres e-mail\t"
           "Identyfikator uczestnika (UPN)\tRola",
           "Imię i nazwisko\tGodzina dołączenia\tGodzina opuszczenia\tCzas trwania\tAdres e-mail\tRola",
           "Organizator", "Uczestnik", (" godz.", " min", " s")),
}


def localised_report(path, language, people, *, us=False):
    """A current-layout report in ``language``: ``people`` as (name, email, role key, join "HH:MM", leave "HH:MM")."""
    summary, participants, activities, p_columns, a_columns, organiser, attendee, units = LANGUAGES[language]
    roles = {"organiser": organiser, "attendee": attendee}

    def when(moment):
        return moment.strftime("%-m/%-d/%Y, %-I:%M:%S %p") if us else moment.strftime("%d.%m.%Y, %H:%M:%S")

    def length(delta):
        hours, rest = divmod(int(delta.total_seconds()), 3600)
        return f"{hours}{units[0]} {rest // 60}{units[1]} {rest % 60}{units[2]}" if hours else f"{rest // 60}{units[1]} {rest % 60}{units[2]}"

    lines = [summary, "Title\tNeglect", "Count\t4", f"Start\t{when(at('09:30'))}", f"End\t{when(at('11:30'))}",
             f"Length\t{length(at('11:30') - at('09:30'))}", "", participants, p_columns]
    rows = [(name, email, roles[role], at(join), at(leave)) for name, email, role, join, leave in people]
    for name, email, role, join, leave in rows:
        lines.append(f"{name}\t{when(join)}\t{when(leave)}\t{length(leave - join)}\t{email}\t{email}\t{role}")
    lines += ["", activities, a_columns]
    for name, email, role, join, leave in rows:
        lines.append(f"{name}\t{when(join)}\t{when(leave)}\t{length(leave - join)}\t{email}\t{role}")
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-16")
    return path


PEOPLE = [
    ("Tess Trainer", "tess@example.org", "organiser", "09:25", "11:35"),
    ("Alice Brown", "alice@example.org", "attendee", "09:30", "11:20"),   # 110 of the 90 minutes needed
    ("Bob Smith", "bob@example.org", "attendee", "09:30", "10:00"),       # 30: did not attend
    ("Eve Black", "eve@example.org", "attendee", "09:30", "11:30"),       # not booked: a walk-in
    ("Frank Grey", "frank@example.org", "attendee", "09:30", "09:40"),    # not booked, 10 minutes: left out
]


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_teams_reports_in_eight_languages(booked, tmp_path, language):
    path = localised_report(tmp_path / f"meetingAttendanceReport-{language}.csv", language, PEOPLE)
    report = scplearn.import_files(booked, [path], options={"course": "NEG02"})
    assert report.files[0].importer == "teams" and report.ok
    found = bookings(booked)
    assert found[(SESSION, "alice@example.org")] == ("attended", False)
    assert found[(SESSION, "bob@example.org")] == ("did_not_attend", False)
    assert found[(SESSION, "eve@example.org")] == ("attended", True)
    assert (SESSION, "tess@example.org") not in found and (SESSION, "frank@example.org") not in found
    assert report.files[0].left_out == 2


def test_a_us_report_is_read_month_first(booked, tmp_path):
    # 9/10/2024 with an AM/PM clock is 10 September, the day of NEG02-2024-09-10 (not 9 October).
    path = localised_report(tmp_path / "report.csv", "en", PEOPLE, us=True)
    scplearn.import_files(booked, [path], options={"course": "NEG02"})
    assert bookings(booked)[(SESSION, "alice@example.org")] == ("attended", False)


# staff, guests and the flat list


def test_staff_are_left_out(booked, tmp_path):
    from helpers.files.teams import write_current
    with booked.db.atomic():
        booked.db.execute("UPDATE sessions SET trainer = 'Carol White' WHERE code = ?", [SESSION])
    path = write_current(tmp_path / "report.csv", [
        ("Tess Trainer", "tess@example.org", "Organizer", "09:25", "11:35"),
        ("Sam Speaker", "sam@example.org", "Presenter", "09:30", "11:30"),     # not booked, and others attend
        ("Carol White", "carol@example.org", "Attendee", "09:30", "11:30"),    # the session's trainer
        ("Dan Green", "dan@example.org", "Attendee", "09:30", "11:30"),        # named with --staff
        ("Alice Brown", "alice@example.org", "Presenter", "09:30", "11:30"),   # booked: a delegate
        ("Eve Black", "eve@example.org", "Attendee", "09:30", "11:30"),        # a walk-in
    ])
    report = scplearn.import_files(booked, [path], options={"session": SESSION, "staff": ["Dan Green"]})
    found = bookings(booked)
    assert found[(SESSION, "alice@example.org")] == ("attended", False)
    assert found[(SESSION, "eve@example.org")] == ("attended", True)
    assert found[(SESSION, "carol@example.org")] == found[(SESSION, "dan@example.org")] == ("booked", False)
    assert (SESSION, "sam@example.org") not in found and (SESSION, "tess@example.org") not in found
    assert report.files[0].left_out == 4
    assert any("staff (a presenter with no booking)" in line for line in report.notices.lines())


def test_guests_below_the_bar_do_not_block_the_file(booked, tmp_path):
    from helpers.files.teams import write_current
    path = write_current(tmp_path / "report.csv", [
        ("Alice Brown", "alice@example.org", "Attendee", "09:30", "11:30"),
        ("Stranger (Guest)", "", "Attendee", "09:30", "09:45"),
    ])
    report = scplearn.import_files(booked, [path], options={"session": SESSION})
    assert report.ok and report.files[0].left_out == 1


def test_the_flat_list_reports_an_unknown_name_once(booked, tmp_path):
    from helpers.files.teams import write_flat
    path = write_flat(tmp_path / "list.csv", [
        ("Alice Brown", "Joined", "10/09/2024, 09:30:00"),
        ("Nobody Known", "Joined", "10/09/2024, 09:31:00"),
        ("Nobody Known", "Left", "10/09/2024, 09:50:00"),
        ("Nobody Known", "Joined", "10/09/2024, 10:00:00"),
        ("Alice Brown", "Left", "10/09/2024, 11:30:00"),
    ])
    with pytest.raises(scplearn.ImportFailed) as failure:
        scplearn.import_files(booked, [path], options={"session": SESSION})
    assert [issue.value for issue in failure.value.report.issues] == ["Nobody Known"]
