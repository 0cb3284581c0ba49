"""Hand-kept registers whose headings say what they are, read without a mapping file.

A spreadsheet kept by hand with headings such as ``Date``, ``Course``,
``First name``, ``Surname``, ``Email``, ``Organisation``, ``Job title``,
``Attended?`` and ``Knowledge before`` / ``Knowledge after`` is read as if a
mapping file named each column: each row gives a delegate, a booking (when
there is an attendance column) and an evaluation (when there are ratings or
key actions). Ratings and actions are recognised by the same wording rules
as survey questions (:func:`scplearn.importers.responses.recognise`); the
session is found (or created) from the row's date and course, the course
being ``--course`` or else a ``Course`` column. Title rows above the headings
are stepped over. Everything else is as the mapped importer does it
(:mod:`scplearn.importers.mapped`).
"""

from __future__ import annotations

import re
from pathlib import Path

from .. import model
from ..hookspecs import hookimpl
from . import mapping, tables
from .canonical import record_type_of
from .mapped import read_mapped, sibling_mapping
from .responses import recognise

HEADINGS = (
    ("email", re.compile(r"\be-?mail\b")),
    ("first_name", re.compile(r"^(first name|forename|given name|first)$")),
    ("last_name", re.compile(r"^(surname|last name|family name|last)$")),
    ("name", re.compile(r"^(name|full name|delegate|delegate name|attendee|attendee name|participant|participant name)$")),
    ("agency", re.compile(r"^(organisation|organization|agency|employer|company|service)\b")),
    ("sector", re.compile(r"\bsector\b")),
    ("role", re.compile(r"^(job title|role|job role|position|job)\b")),
    ("status", re.compile(r"^(attended|attendance|present|did (they|you) attend)\b|^status$")),
    ("session_date", re.compile(r"^(date|session date|course date|training date|date of (the )?(training|course|session)"
                                r"|date attended)$")),
    ("course", re.compile(r"^(course|course title|course name|course attended|training|training title|training course)$")),
    ("session", re.compile(r"^(session|session code)$")),
)
ATTENDANCE = {
    "yes": "attended", "y": "attended", "x": "attended", "attended": "attended", "present": "attended",
    "true": "attended", "1": "attended", "no": "did_not_attend", "n": "did_not_attend", "absent": "did_not_attend",
    "dna": "did_not_attend", "did_not_attend": "did_not_attend", "false": "did_not_attend", "0": "did_not_attend",
    "no_show": "did_not_attend", "c": "cancelled", "cancelled": "cancelled", "canceled": "cancelled",
    "apologies": "cancelled", "sent_apologies": "cancelled", "booked": "booked",
}
"""How registers mark attendance (spellings compared as :func:`scplearn.values.slug` gives them)."""


def mapping_of(header: list[str]) -> mapping.Mapping | None:
    """The mapping a register's headings imply, or ``None`` when they do not say enough (no email, nothing to record)."""
    columns, actions = {}, 0
    for heading in header:
        key = tables.header_key(heading)
        field = next((name for name, pattern in HEADINGS if pattern.search(key)), None)
        if field is None:
            field = recognise(heading, ratings=True)
            if field == "action" and actions < 3:
                actions += 1
                field = f"action_{actions}"
            elif field is None or field.startswith("rating:") or field not in EVALUATION_FIELDS:
                continue
        if field not in columns.values():
            columns[key] = field
    fields = set(columns.values())
    records = ["delegates"]
    if "status" in fields:
        records.append("bookings")
    if fields & set(EVALUATION_FIELDS):
        records.append("evaluations")
    if "email" not in fields or len(records) == 1:
        return None
    return mapping.Mapping(records=tuple(records), columns=columns, values={"status": ATTENDANCE})


EVALUATION_FIELDS = tuple(f"{d}_{side}" for d in model.DIMENSIONS for side in ("pre", "post")) + (
    "action_1", "action_2", "action_3")


class RegisterImporter:
    name = "register"
    description = ("a hand-kept register (CSV or XLSX) whose headings say what they are: Date, Course, First name, "
                   "Surname, Email, Organisation, Job title, Attended?, Knowledge before/after...")

    def recognises(self, path: Path) -> bool:
        path = Path(path)
        if path.suffix.lower() not in tables.TABLE_SUFFIXES or sibling_mapping(path) is not None:
            return False
        if record_type_of(path) is not None:
            return False  # scplearn's own layout
        return mapping_of(tables.head(path)) is not None

    def check(self, path: Path, options: dict) -> str | None:
        if mapping_of(tables.head(Path(path))) is None:
            return ("its headings do not say what a register needs: an email column, and an attendance column "
                    "(Attended?) or ratings (Knowledge before/after); give a --mapping to name them")
        return None

    def rank(self, path: Path) -> int:
        """With the bookings: after the agencies and sessions it may refer to."""
        return model.RECORD_TYPES.index(model.Booking)

    def read(self, path: Path, options: dict):
        path = Path(path)
        given = mapping_of(tables.head(path))
        if given is None:
            return
        yield from read_mapped(path, given, options)


@hookimpl
def register_importers(register):
    register(RegisterImporter())
