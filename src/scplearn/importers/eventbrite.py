"""Eventbrite attendee reports (Reports → Attendee Summary → Export → CSV).

One row per ticket: ``Order #``, ``Order Date``, ``First Name``, ``Last
Name``, ``Email``, ``Ticket Type``, ``Attendee #``, ``Attendee Status`` and
the questions the organiser asked, here ``Job Title`` and ``Company`` (or an
``Organisation`` question). Each row gives a delegate (email, name, role =
job title, agency = organisation) and a booking of the session.

- **Session**: the report does not carry scplearn's session codes: give
  ``--session CODE``, or ``--course CODE --date DATE``; or map a column such
  as ``Event ID`` to ``session`` in a mapping file, with ``[values.session]``
  turning its values into session codes.
- **Status**: ``Attending`` is booked, ``Checked In`` (or a ``Checked In``
  column saying yes) is attended; ``Not Attending``, ``Cancelled``,
  ``Refunded``, ``Deleted`` and ``Transferred`` are cancelled. A booking
  already recorded as attended or did not attend (say from a Teams report)
  is not set back to booked by a later export.
- **Organisation**: must name an agency already in the store (compared
  ignoring case and punctuation). Other spellings are mapped with
  ``[values.agency]`` in a mapping file (``""`` records no agency); an
  unknown organisation is reported on its row rather than guessed.
- **Duplicates**: rows with the same email (one person holding two tickets,
  or booking, cancelling and booking again) are one delegate and one booking;
  the status kept is the strongest (attended, then booked, then cancelled).
"""

from __future__ import annotations

from pathlib import Path

from .. import model, values
from ..hookspecs import hookimpl
from . import Issue, Parsed, lookup, mapping, tables

COLUMNS = {
    "email": ("email", "email address", "attendee email"),
    "first_name": ("first name", "attendee first name"),
    "last_name": ("last name", "surname", "attendee last name"),
    "name": ("name", "full name", "attendee name"),
    "status": ("attendee status", "status"),
    "checked_in": ("checked in", "check-in status"),
    "role": ("job title", "role", "job role", "position"),
    "agency": ("company", "organisation", "organization", "agency", "employer", "organisation name", "organization name"),
    "session": (),
    "session_date": ("event date", "event start date", "date attending"),
}
STATUSES = {
    "attending": "booked", "booked": "booked",
    "checked_in": "attended", "attended": "attended",
    "not_attending": "cancelled", "cancelled": "cancelled", "canceled": "cancelled",
    "refunded": "cancelled", "refunded_canceled": "cancelled", "deleted": "cancelled", "transferred": "cancelled",
}
STRENGTH = {"attended": 3, "did_not_attend": 2, "booked": 1, "cancelled": 0}
FIELDS = ("email", "name", "first_name", "last_name", "status", "checked_in", "role", "agency", "session", "session_date")


def _find(header: list, given: mapping.Mapping) -> dict:
    """field -> heading, from the mapping first, then the usual Eventbrite headings."""
    keys = {tables.header_key(heading): heading for heading in header}
    found = {}
    for heading in header:
        field = given.field_of(heading)
        if field:
            found.setdefault(field, heading)
    for field, candidates in COLUMNS.items():
        if field in found:
            continue
        for candidate in candidates:
            if candidate in keys and given.field_of(keys[candidate]) != mapping.IGNORE:
                found[field] = keys[candidate]
                break
    return found


class EventbriteImporter:
    name = "eventbrite"
    description = ("Eventbrite attendee report (CSV): bookings with attending / checked-in / cancelled status, "
                   "job title and organisation")

    def recognises(self, path: Path) -> bool:
        path = Path(path)
        if path.suffix.lower() not in (".csv", ".xlsx"):
            return False
        keys = {tables.header_key(heading) for heading in tables.head(path)}
        return "order #" in keys and ("attendee status" in keys or "attendee #" in keys)

    def rank(self, path: Path) -> int:
        """With the bookings: after agencies and sessions, before attendance reports."""
        return model.RECORD_TYPES.index(model.Booking)

    def read(self, path: Path, options: dict):
        path = Path(path)
        given = mapping.from_options(options)
        given.check_fields(FIELDS, "an Eventbrite attendee report")
        reader = _Reader(path, given, options)
        rows = tables.read_dicts(path)
        for number, row, header in rows:
            if reader.columns is None:
                problem = reader.start(header)
                if problem:
                    yield problem
                    return
            yield from reader.read_row(number, row)
        yield from reader.results()


class _Reader:
    def __init__(self, path: Path, given: mapping.Mapping, options: dict):
        self.path, self.mapping, self.options = path, given, options
        self.lookup = lookup.Lookup(options.get("store"))
        self.columns = None
        self.session = None
        self.agencies = {
            values.slug(name): name for (name,) in self.lookup.db.execute("SELECT name FROM agencies")
        }
        self.people: dict[str, dict] = {}

    def start(self, header) -> Issue | None:
        self.columns = _find(header, self.mapping)
        if "email" not in self.columns:
            return Issue(self.path.name, 1, "Email", None, "no email column: delegates cannot be identified")
        if "status" not in self.columns and "checked_in" not in self.columns:
            return Issue(self.path.name, 1, "Attendee Status", None, "no attendee status column")
        if "session" not in self.columns and "session" not in self.mapping.fixed:
            self.session, problem = lookup.session_from_options(self.lookup, self.options)
            if problem:
                return Issue(self.path.name, None, None, self.options.get("session"), problem)
            if self.session is None and "session_date" not in self.columns:
                return Issue(self.path.name, None, None, None,
                             "an Eventbrite report does not name the session: give --session CODE, or "
                             "--course CODE --date DATE, or map a column to session with --mapping")
        return None

    def cell(self, row: dict, field: str):
        heading = self.columns.get(field)
        raw = row.get(heading) if heading else None
        if raw is None and field in self.mapping.fixed:
            raw = self.mapping.fixed[field]
        return self.mapping.translate(field, raw)

    def issue(self, number, field, value, reason) -> Issue:
        return Issue(self.path.name, number, self.columns.get(field, field), value, reason)

    def read_row(self, number: int, row: dict):
        if None in row:
            yield Issue(self.path.name, number, None, ", ".join(map(str, row[None])), "row has more cells than the header")
            return
        problems = []
        try:
            email = values.email(self.cell(row, "email"))
            if email is None:
                raise ValueError("is required: a booking without an email cannot be matched to a delegate")
        except ValueError as error:
            problems.append(self.issue(number, "email", self.cell(row, "email"), str(error)))
        status, problem = self.status(number, row)
        problems.extend(problem)
        agency, problem = self.agency(number, row)
        problems.extend(problem)
        session, problem = self.session_of(number, row)
        problems.extend(problem)
        if problems:
            yield from problems
            return
        name = values.text(self.cell(row, "name")) or " ".join(
            part for part in (values.text(self.cell(row, "first_name")), values.text(self.cell(row, "last_name"))) if part
        ) or None
        person = self.people.setdefault((session, email), {"row": number, "status": status})
        if STRENGTH[status] > STRENGTH[person["status"]]:
            person["status"] = status
        for field, value in (("name", name), ("role", values.text(self.cell(row, "role"))), ("agency", agency)):
            if value is not None:
                person[field] = value

    def status(self, number, row):
        checked = self.cell(row, "checked_in")
        if "checked_in" in self.columns and not values.is_missing(checked):
            try:
                if values.boolean(checked):
                    return "attended", []
            except ValueError as error:
                return None, [self.issue(number, "checked_in", checked, str(error))]
        if "status" not in self.columns:
            return "booked", []  # only a check-in column: not checked in
        raw = self.cell(row, "status")
        if values.is_missing(raw):
            return None, [self.issue(number, "status", raw, "is required")]
        status = STATUSES.get(values.slug(raw))
        if status is None:
            try:
                status = model.choice(model.STATUSES)(raw)
            except ValueError:
                return None, [self.issue(number, "status", raw, "unknown attendee status; expected Attending, "
                                         "Checked In, Not Attending, Cancelled, Refunded, Deleted or Transferred "
                                         "(or map it with [values.status])")]
        return status, []

    def agency(self, number, row):
        raw = self.cell(row, "agency")
        if values.is_missing(raw):
            return None, []
        name = self.agencies.get(values.slug(raw))
        if name is None:
            return None, [self.issue(number, "agency", raw,
                                     "no agency of this name; add it to your agencies, or map this spelling to an "
                                     "agency (or to \"\" for none) under [values.agency] in a --mapping file")]
        return name, []

    def session_of(self, number, row):
        if self.session is not None:
            return self.session, []
        code = values.text(self.cell(row, "session"))
        if code is not None:
            if self.lookup.session_exists(code):
                return code, []
            return None, [self.issue(number, "session", code, "no such session (import the sessions first, "
                                     "or map this value to a session code under [values.session])")]
        raw = self.cell(row, "session_date")
        course = values.text(self.options.get("course"))
        if raw is None or course is None:
            return None, [self.issue(number, "session", None, "no session: give --session, or --course with --date")]
        try:
            day = values.date(raw)
        except ValueError as error:
            return None, [self.issue(number, "session_date", raw, str(error))]
        code, problem = self.lookup.course_code(course)
        if code is None:
            return None, [Issue(self.path.name, None, None, course, f"--course: {problem}")]
        code, problem = self.lookup.session_on(code, day)
        return code, [] if code else [self.issue(number, "session_date", raw, problem)]

    def results(self):
        if self.columns is None:  # an empty file: no header, nothing to give
            return
        columns = {field: heading for field, heading in self.columns.items()}
        for (session, email), person in self.people.items():
            number = person["row"]
            yield Parsed(number, model.Delegate(email=email, name=person.get("name"), role=person.get("role"),
                                                agency=person.get("agency")), columns)
            status = person["status"]
            known = self.lookup.booking(session, email)
            walk_in = False
            if known and status == "booked" and known["status"] in ("attended", "did_not_attend"):
                status, walk_in = known["status"], False
            yield Parsed(number, model.Booking(session=session, email=email, status=status, walk_in=walk_in), columns)


@hookimpl
def register_importers(register):
    register(EventbriteImporter())
