"""A coordinator's first day: from `scplearn init` and the files as downloaded, with the course title alone.

One course run twice on Teams: the Eventbrite attendee report, two Teams
attendance reports (UTF-16, as Teams writes them), the Microsoft Forms
evaluation workbook and a Google Forms three-month survey. Every figure is
worked out by hand from the files below.
"""

import csv
import datetime as dt

import openpyxl
import pytest
from click.testing import CliRunner

import scplearn
from scplearn.cli import cli

TITLE = "Neglect: Recognising and Responding"
MORNING_1, MORNING_2 = "Tuesday 3 September 2024 (morning)", "Tuesday 10 September 2024 (morning)"
S1, S2 = "NRR01-2024-09-03-am", "NRR01-2024-09-10-am"

# Eventbrite: who booked which morning, with their status, organisation and sector.
BOOKINGS = [
    # email, first, last, ticket, status, organisation, sector
    ("amy@brightpath.org.example", "Amy", "Ash", MORNING_1, "Attending", "Brightpath Trust", "Voluntary and community sector"),
    ("ben@police.example", "Ben", "Birch", MORNING_1, "Attending", "Leicestershire Police", "Police"),
    ("cat@lcc.example", "Cat", "Cole", MORNING_1, "Attending", "Leicester City Council",
     "Local authority - children's social care"),
    ("dev@lcc.example", "Dev", "Dale", MORNING_1, "Not Attending", "Leicester City Council",
     "Local authority - children's social care"),
    ("eli@school.example", "Eli", "Elm", MORNING_1, "Attending", "St Mary's Primary", "Education"),
    ("fay@police.example", "Fay", "Fern", MORNING_2, "Attending", "leicestershire police", "Police"),
    ("gus@lcc.example", "Gus", "Gale", MORNING_2, "Attending", "Leicester City Council",
     "Local authority - children's social care"),
    ("hal@brightpath.org.example", "Hal", "Hart", MORNING_2, "Refunded", "Brightpath Trust",
     "Voluntary and community sector"),
    ("ivy@nhs.example", "Ivy", "Iris", MORNING_2, "Attending", "LPT", "Health"),
]
TRAINER = ("Tess Trainer", "tess@lscp.example", "Organizer")
CO_TRAINER = ("Sam Speaker", "sam@lscp.example", "Presenter")  # presents, never booked: staff


def eventbrite(path):
    header = ["Order #", "Order Date", "First Name", "Last Name", "Email", "Quantity", "Ticket Type", "Attendee #",
              "Attendee Status", "Job Title", "Company", "Which sector do you work in?"]
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for number, (email, first, last, ticket, status, organisation, sector) in enumerate(BOOKINGS, start=1):
            writer.writerow([1000 + number, "01/08/2024 10:15", first, last, email, 1, ticket, f"{number}01",
                             status, "Practitioner", organisation, sector])
    return path


def teams(path, day, people):
    """A current-layout report: 09:30 to 12:30, ``people`` as (name, email, role, minutes present)."""
    stamp = lambda minutes: (dt.datetime.combine(day, dt.time(9, 30)) + dt.timedelta(minutes=minutes)).strftime(
        "%d/%m/%Y, %H:%M:%S")
    lines = ["1. Summary", "Meeting title\t" + TITLE, f"Attended participants\t{len(people)}",
             f"Start time\t{stamp(0)}", f"End time\t{stamp(180)}", "Meeting duration\t3h 0m 0s",
             "Average attendance time\t2h 10m 0s", "", "2. Participants",
             "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole"]
    for name, email, role, minutes in people:
        lines.append(f"{name}\t{stamp(0)}\t{stamp(minutes)}\t{minutes // 60}h {minutes % 60}m 0s\t{email}\t{email}\t{role}")
    lines += ["", "3. In-Meeting Activities", "Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole"]
    for name, email, role, minutes in people:
        lines.append(f"{name}\t{stamp(0)}\t{stamp(minutes)}\t{minutes // 60}h {minutes % 60}m 0s\t{email}\t{role}")
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-16")
    return path


# 75 % of 3 hours is 135 minutes.
FIRST_MORNING = [
    (*TRAINER, 180), (*CO_TRAINER, 180),
    ("Amy Ash", "amy@brightpath.org.example", "Attendee", 170),
    ("Ben Birch", "ben@police.example", "Attendee", 100),       # booked, below the bar: did not attend
    ("Cat Cole", "", "Attendee", 175),                          # a guest with no email: matched by name
    ("Eli Elm", "eli@school.example", "Attendee", 150),
    ("Jo Jay", "jo@school.example", "Attendee", 160),           # not booked: a walk-in
    ("Kit Knox", "kit@school.example", "Attendee", 20),         # not booked, below the bar: left out
]
SECOND_MORNING = [
    (*TRAINER, 180),
    ("Fay Fern", "fay@police.example", "Attendee", 179),
    ("Gus Gale", "gus@lcc.example", "Attendee", 140),
    ("Ivy Iris", "ivy@nhs.example", "Attendee", 90),            # booked, below the bar
]


def forms(path):
    questions = ["Which session did you attend?",
                 "Please rate your knowledge of neglect before the training (1-10)",
                 "Please rate your knowledge of neglect after the training (1-10)",
                 "Please rate your confidence in responding before the training (1-10)",
                 "Please rate your confidence in responding after the training (1-10)",
                 "What are the three key actions you will take?"]
    answers = [
        ("amy@brightpath.org.example", "Amy Ash", [MORNING_1, 4, 8, 5, 8, "Use the toolkit"]),
        ("eli@school.example", "Eli Elm", [MORNING_1, 5, 7, 5, 6, ""]),
        ("CAT@lcc.example", "Cat Cole", [MORNING_1, 3, 8, 4, 7, "1. Refer 2. Record 3. Review"]),
        ("jo@school.example", "Jo Jay", [MORNING_1, 6, 8, 6, 8, ""]),
        ("fay@police.example", "Fay Fern", [MORNING_2, 6, 9, 7, 9, ""]),
        ("gus@lcc.example", "Gus Gale", [MORNING_2, 2, 6, 3, 6, ""]),
        # A mistyped address: on no register; one edit from Amy's. Not counted.
        ("amy@brightpath.org.exmaple", "Amy Ash", [MORNING_1, 1, 10, 1, 10, ""]),
        ("tess@lscp.example", "Tess Trainer", [MORNING_2, 9, 10, 9, 10, ""]),  # the trainer: on no register
    ]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["ID", "Start time", "Completion time", "Email", "Name", "Last modified time", *questions])
    start = dt.datetime(2024, 9, 10, 12, 40)
    for number, (email, name, values) in enumerate(answers, start=1):
        sheet.append([number, start, start + dt.timedelta(minutes=4), email, name, None, *values])
    workbook.save(path)
    return path


def survey(path):
    header = ["Timestamp", "Email address", "Which course did you attend?",
              "Since the training, have you: (tick all that apply)", "Please rate your knowledge of neglect now"]
    rows = [
        ["2024/12/05 10:15:32 AM GMT", "amy@brightpath.org.example", TITLE,
         "Used the learning in my everyday work;Taking specific action in the workplace;Shared it with my team", "8"],
        ["2024/12/05 11:01:02 AM GMT", "cat@lcc.example", TITLE, "Used the learning in my everyday work", "7"],
        ["2024/12/06 09:00:00 AM GMT", "fay@police.example", TITLE, "Shared it with my team", "9"],
        ["2024/12/06 09:30:00 AM GMT", "gus@lcc.example", TITLE,
         "Taking specific action in the workplace;Used the learning in my everyday work", "6"],
    ]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


@pytest.fixture
def exports(tmp_path):
    folder = tmp_path / "Downloads"
    folder.mkdir()
    eventbrite(folder / "Attendee Summary Report.csv")
    teams(folder / "meetingAttendanceReport(Neglect 3 Sept).csv", dt.date(2024, 9, 3), FIRST_MORNING)
    teams(folder / "meetingAttendanceReport(Neglect 10 Sept).csv", dt.date(2024, 9, 10), SECOND_MORNING)
    forms(folder / "Neglect evaluation.xlsx")
    survey(folder / "Three-month survey (Responses).csv")
    return folder


@pytest.fixture
def first_day(exports, tmp_path):
    db = tmp_path / "training.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(db)]).exit_code == 0
    result = runner.invoke(cli, ["import", str(db), str(exports), "--course", TITLE])
    assert result.exit_code == 0, result.output
    store = scplearn.open(db)
    yield store, result
    store.close()


def test_courses_sessions_and_agencies_come_from_the_files(first_day):
    store, result = first_day
    assert [(row["code"], row["title"]) for row in store.db["courses"].rows] == [("NRR01", TITLE)]
    sessions = {row["code"]: (row["date"], row["mode"]) for row in store.db["sessions"].rows}
    assert sessions == {S1: ("2024-09-03", "virtual"), S2: ("2024-09-10", "virtual")}
    agencies = {row["name"]: (row["sector"], row["verified"]) for row in store.db["agencies"].rows}
    assert agencies == {
        "Brightpath Trust": ("voluntary", 0), "Leicestershire Police": ("police", 0),
        "Leicester City Council": ("la_children", 0), "St Mary's Primary": ("education", 0), "LPT": ("health", 0),
    }
    assert "  created course NRR01: Neglect: Recognising and Responding" in result.stdout
    assert f"  created session {S1} on 2024-09-03 (face to face)" in result.stdout
    assert f"  made session {S1} virtual, as the file shows" in result.stdout


def test_bookings_cancellations_walk_ins_and_attendance(first_day):
    store, _ = first_day
    reach = {row["session"]: row for row in scplearn.evaluate(store, "reach", by=["session"])}
    first, second = reach[S1], reach[S2]
    # Morning 1: Amy, Ben, Cat, Dev (cancelled), Eli booked; Jo walked in; Kit and the trainers left out.
    assert (first["booked"], first["cancelled"], first["walk_ins"]) == (5, 1, 1)
    assert (first["attended"], first["did_not_attend"]) == (4, 1)       # Amy, Cat, Eli, Jo; Ben below the bar
    # Morning 2: Fay, Gus, Hal (refunded), Ivy booked.
    assert (second["booked"], second["cancelled"], second["walk_ins"]) == (4, 1, 0)
    assert (second["attended"], second["did_not_attend"]) == (2, 1)     # Fay, Gus; Ivy below the bar
    course = scplearn.evaluate(store, "reach", by=["course"])[0]
    assert course["unique_delegates"] == 6


def test_uplift_counts_only_people_on_the_register(first_day):
    store, result = first_day
    uplift = {row["dimension"]: row for row in scplearn.evaluate(store, "uplift", by=["course"])}
    # Amy 4→8, Eli 5→7, Cat 3→8, Jo 6→8, Fay 6→9, Gus 2→6: the typo and the trainer are not counted.
    assert uplift["knowledge"]["n"] == 6
    assert uplift["knowledge"]["mean_pre"] == pytest.approx(26 / 6)
    assert uplift["knowledge"]["mean_post"] == pytest.approx(46 / 6)
    assert uplift["confidence"]["n"] == 6
    assert uplift["confidence"]["mean_change"] == pytest.approx((3 + 1 + 3 + 2 + 2 + 3) / 6)
    assert "did you mean amy@brightpath.org.example?" in result.stdout + result.stderr


def test_follow_ups_used_the_learning_and_specific_action(first_day):
    store, _ = first_day
    impact = scplearn.evaluate(store, "impact", by=["course"], as_of=dt.date(2025, 3, 1))
    row = next(row for row in impact if row["dimension"] == "knowledge")
    assert row["followups"] == 4
    assert row["pct_used_learning"] == pytest.approx(75)       # Amy, Cat, Gus of 4
    assert row["pct_specific_action"] == pytest.approx(50)     # Amy, Gus of 4


def test_the_summary_gives_four_honest_counts_per_file(first_day):
    _, result = first_day
    lines = {line.split(" (")[0]: line for line in result.stdout.splitlines() if not line.startswith("  ")}
    assert "9 rows read" in lines["Attendee Summary Report.csv"]
    assert "8 rows read" in lines["meetingAttendanceReport(Neglect 3 Sept).csv"]
    assert "3 left out" in lines["meetingAttendanceReport(Neglect 3 Sept).csv"]    # two trainers and Kit
    assert "8 rows read" in lines["Neglect evaluation.xlsx"]
    assert "2 left out" in lines["Neglect evaluation.xlsx"]                         # the typo and the trainer


def test_a_dry_run_shows_what_would_be_created_and_writes_nothing(exports, tmp_path):
    db = tmp_path / "training.db"
    CliRunner().invoke(cli, ["init", str(db)])
    result = CliRunner().invoke(cli, ["import", str(db), str(exports), "--course", TITLE, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "  would create course NRR01: Neglect: Recognising and Responding" in result.stdout
    with scplearn.open(db) as store:
        assert store.db["courses"].count == 0 and store.db["bookings"].count == 0


def test_a_multi_select_question_worded_like_its_options(tmp_store, tmp_path):
    """The question itself says "used the learning" and "specific action": its answers are still options."""
    from conftest import reference
    reference(tmp_store, tmp_path / "reference")
    header = ["Timestamp", "Email address", "Since the training, have you used the learning or taken specific action? "
              "(Tick all that apply)"]
    rows = [["2024/12/05 10:15:32 AM GMT", "ann@example.org",
             "Used the learning in my everyday work, Taken specific action in the workplace"],
            ["2024/12/05 10:16:32 AM GMT", "bob@example.org", "Shared it with colleagues"]]
    path = tmp_path / "survey.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *rows])
    scplearn.import_files(tmp_store, [path], options={"session": "NEG02-2024-09-10"})
    answers = sorted(tmp_store.db.execute("SELECT used_learning, specific_action FROM followups").fetchall())
    assert answers == [(0, 0), (1, 1)]
