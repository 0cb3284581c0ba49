"""A valid input for every importer (``EXAMPLES``), and the small store they all import into (:func:`build_base`).

Each example is written with the writers in :mod:`helpers.files`. A new importer needs an example here:
``test_every_importer_has_an_example`` in tests/test_reliability_idempotence.py fails until it has one. The
idempotence tests import every example twice; the bad-input tests mutate them.
"""

from __future__ import annotations

from pathlib import Path

from conftest import reference, write_csv
from helpers.files.eventbrite import write_report
from helpers.files.googleforms import write_responses
from helpers.files.mapped import TOML, write_register
from helpers.files.msforms import both_form
from helpers.files.register import ROWS as HAND_KEPT_ROWS
from helpers.files.register import write_register as write_hand_kept_register
from helpers.files.teams import GOOD, write_current
from helpers.files.youtube import CHART as YOUTUBE_CHART
from helpers.files.youtube import NAME as YOUTUBE_EXPORT
from helpers.files.youtube import TABLE as YOUTUBE_TABLE

import scplearn


def build_base(directory: Path) -> Path:
    """A small store every example can import into: reference records, delegates and bookings.

    Returns the evidence database path; the private database and key sit beside it.
    """
    directory.mkdir(parents=True, exist_ok=True)
    store = scplearn.open(directory / "training.db")
    reference(store, directory / "reference")
    write_csv(directory / "booked" / "delegates.csv", """
        email,name,agency
        alice@example.org,Alice Brown,Leicestershire Police
        zoe@example.org,Zoë O'Brien,St Mary's Primary School
        bob@example.org,Bob Smith,
        carol@example.org,Carol White,
        dan@example.org,Dan Green,
    """)
    rows = [f"{session},{who}@example.org,booked" for session in ("NEG02-2024-09-10", "VIR03-2024-09-12")
            for who in ("alice", "zoe", "bob", "carol", "dan")]
    rows += ["CAS01-2024-09-03,bob@example.org,attended", "NEG02-2024-10-15,alice@example.org,attended"]
    write_csv(directory / "booked" / "bookings.csv", "session,email,status\n" + "\n".join(rows) + "\n")
    scplearn.import_files(store, [directory / "booked"])
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.private.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return directory / "training.db"


def _scplearn(directory: Path):
    write_csv(directory / "delegates.csv", """
        email,name,role,agency
        erin@example.org,Erin Stone,Health visitor,University Hospitals of Leicester NHS Trust
        Alice@Example.org,Alice Brown,Detective Constable,Leicestershire Police
    """)
    write_csv(directory / "bookings.csv", """
        session,email,status,walk_in
        NEG02-2024-10-15,erin@example.org,attended,
        NEG02-2024-10-15,alice@example.org,attended,yes
    """)
    write_csv(directory / "evaluations.csv", """
        session,email,knowledge_pre,knowledge_post,skills_pre,skills_post,confidence_pre,confidence_post,action_1
        NEG02-2024-10-15,erin@example.org,4,8,5,7/10,3,8 out of 10,Use the toolkit
        NEG02-2024-10-15,alice@example.org,6,7,n/a,6,5,5,
    """)
    write_csv(directory / "feedback.csv", """
        course,session,role,quote,consent
        NEG02,NEG02-2024-10-15,Health visitor,"Really useful, =HYPERLINK(""x"")",yes
    """)
    return [directory], {}, "auto"


def _eventbrite(directory: Path):
    return [write_report(directory / "Attendee Summary Report.csv")], {"session": "CAS01-2024-09-03"}, "eventbrite"


def _teams(directory: Path):
    return [write_current(directory / "meetingAttendanceReport.csv", GOOD)], {"session": "NEG02-2024-09-10"}, "teams"


def _msforms(directory: Path):
    return [both_form(directory)], {"session": "NEG02-2024-09-10"}, "msforms"


def _googleforms(directory: Path):
    rows = [
        ["2024/12/10 10:15:32 AM GMT", "Alice@Example.org", "NEG02", "Yes", "Yes", "8", "9 out of 10", "Used it"],
        ["2024/12/03 2:01:00 PM GMT", "bob@example.org ", "Core Awareness in Safeguarding Children", "No",
         "Not yet", "6", "N/A", ""],
    ]
    return [write_responses(directory / "responses.csv", rows)], {}, "googleforms"


def _mapped(directory: Path):
    (directory / "register.toml").write_text(TOML)
    return ([write_register(directory / "register.xlsx")],
            {"mapping": directory / "register.toml", "session": "CAS01-2024-09-03"}, "mapped")


def _register(directory: Path):
    return ([write_hand_kept_register(directory / "Neglect register.xlsx", HAND_KEPT_ROWS, title="Neglect register")],
            {"course": "Neglect: Recognising and Responding"}, "register")


def _youtube(directory: Path):
    folder = directory / YOUTUBE_EXPORT  # Studio's zip unpacked: its name gives the table's period
    write_csv(folder / "Table data.csv", YOUTUBE_TABLE)
    write_csv(folder / "Chart data.csv", YOUTUBE_CHART)
    return [folder], {}, "auto"


EXAMPLES = {
    "scplearn": _scplearn, "eventbrite": _eventbrite, "teams": _teams,
    "msforms": _msforms, "googleforms": _googleforms, "mapped": _mapped, "register": _register,
    "youtube": _youtube,
}
"""importer name -> function(directory) writing a valid example: (paths, options, format)."""
