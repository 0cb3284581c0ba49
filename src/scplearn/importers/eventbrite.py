"""Eventbrite attendee reports (Reports → Attendee Summary → Export → CSV).

One row per ticket. Three generations of headings are read: the US export
(``Order #``, ``First Name``, ``Last Name``, ``Email``, ``Ticket Type``,
``Attendee #``, ``Attendee Status``), the UK one (``Order no.``,
``Surname``, ``Attendee no.``) and the newer one (``Order ID``, ``Attendee
first name``, ``Attendee last name``, ``Attendee email``, ``Event name``,
``Event start date``, ``Event location``, ``Ticket type``, and no status
column at all: every row is a booking). Then come the questions the organiser
asked: job title, organisation, and perhaps "Which sector do you work in?".
Each row gives a delegate (email, name, role = job title, agency =
organisation) and a booking of the session.

- **Session**: ``--session CODE``; or ``--course`` (code or title) with
  ``--date``; or the course from ``--course`` or the ``Event name`` column and
  the day from the ticket type (``Tuesday 3 September 2024 (morning)``) or
  the event date. A course or session the store lacks is created (see
  :mod:`scplearn.importers.catalogue`), online events as virtual. A mapping
  may also turn a column such as ``Event ID`` into session codes.
- **Status**: ``Attending`` is booked, ``Checked In`` (or a ``Checked In``
  column saying yes) is attended; ``Not Attending``, ``Cancelled``,
  ``Refunded``, ``Deleted`` and ``Transferred`` are cancelled; no status
  column (or ``[fixed] status``) means booked (or what is fixed). A booking
  already recorded as attended or did not attend (say from a Teams report)
  is not set back to booked by a later export.
- **Organisation**: matched to an agency ignoring case and punctuation; one
  the store lacks is created unverified, its sector from a sector question
  when the export asks one. A near miss of a known agency is refused with
  "did you mean ...?". ``[values.agency]`` in a mapping file maps spellings.
- **Duplicates**: rows with the same email (one person holding two tickets,
  or booking, cancelling and booking again) are one delegate and one booking;
  the status kept is the strongest (attended, then booked, then cancelled),
  and the later rows are counted as superseded.
"""

from __future__ import annotations

import re
from pathlib import Path

from .. import model, values
from ..hookspecs import hookimpl
from . import Issue, Omitted, Parsed, clock, lookup, mapping, tables

COLUMNS = {
    "email": ("email", "email address", "attendee email", "e-mail"),
    "first_name": ("first name", "attendee first name", "forename"),
    "last_name": ("last name", "surname", "attendee last name", "attendee surname"),
    "name": ("name", "full name", "attendee name"),
    "status": ("attendee status", "status"),
    "checked_in": ("checked in", "check-in status", "check in status"),
    "role": ("job title", "role", "job role", "position"),
    "agency": ("company", "organisation", "organization", "agency", "employer", "organisation name", "organization name"),
    "sector": (),
    "session": (),
    "session_date": ("event date", "event start date", "date attending", "event start"),
    "ticket": ("ticket type", "ticket name", "ticket"),
    "course": ("event name", "event title", "event"),
    "location": ("event location", "venue", "venue name", "location"),
}
QUESTIONS = {
    "agency": re.compile(r"\b(organisation|organization|employer|agency|company)\b"),
    "role": re.compile(r"\b(job title|job role|role)\b"),
    "sector": re.compile(r"\bsector\b"),
}
"""Booking questions worded freely ("Which organisation do you work for?"), found by a word in them."""
DATED = {"order date", "event date", "event start date", "date attending", "event start"}
ORDER_MARKERS = {"order #", "order no.", "order no", "order id", "order number"}
ATTENDEE_MARKERS = {"attendee status", "attendee #", "attendee no.", "attendee no", "ticket type",
                    "attendee email", "attendee first name"}
STATUSES = {
    "attending": "booked", "booked": "booked",
    "checked_in": "attended", "attended": "attended",
    "not_attending": "cancelled", "cancelled": "cancelled", "canceled": "cancelled",
    "refunded": "cancelled", "refunded_canceled": "cancelled", "deleted": "cancelled", "transferred": "cancelled",
}
STRENGTH = {"attended": 3, "did_not_attend": 2, "booked": 1, "cancelled": 0}
FIELDS = tuple(COLUMNS)


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
    taken = set(found.values())
    for field, pattern in QUESTIONS.items():
        if field not in found:
            heading = next((h for key, h in keys.items() if pattern.search(key) and h not in taken
                            and given.field_of(h) != mapping.IGNORE and not key.startswith(("buyer", "purchaser"))), None)
            if heading is not None:
                found[field] = heading
                taken.add(heading)
    return found


def _is_eventbrite(keys: set) -> bool:
    return bool(keys & ORDER_MARKERS) and bool(keys & (ATTENDEE_MARKERS | {"email", "attendee email"}))


class EventbriteImporter:
    name = "eventbrite"
    description = ("Eventbrite attendee report (CSV): bookings with attending / checked-in / cancelled status, "
                   "job title and organisation")

    def recognises(self, path: Path) -> bool:
        path = Path(path)
        if path.suffix.lower() not in (".csv", ".xlsx"):
            return False
        return _is_eventbrite({tables.header_key(heading) for heading in tables.head(path)})

    def check(self, path: Path, options: dict) -> str | None:
        """Why ``--format eventbrite`` cannot read this file, if it cannot: no Eventbrite order column, no email."""
        if options.get("mapping") is not None:
            return None
        keys = {tables.header_key(heading) for heading in tables.head(Path(path))}
        if not _is_eventbrite(keys):
            return ("not an Eventbrite attendee report: it has no order column (Order #, Order no. or Order ID) "
                    "beside an email column; give a --mapping to read another layout")
        return None

    def rank(self, path: Path) -> int:
        """With the bookings: after agencies and sessions, before attendance reports."""
        return model.RECORD_TYPES.index(model.Booking)

    def read(self, path: Path, options: dict):
        path = Path(path)
        given = mapping.from_options(options)
        given.check_fields(FIELDS, "an Eventbrite attendee report")
        reader = _Reader(path, given, options)
        rows = list(tables.read_dicts(path))
        if rows:
            dated = [heading for heading in rows[0][2] if tables.header_key(heading) in DATED]
            reader.month_first = clock.month_first(row.get(heading) for _, row, _ in rows for heading in dated)
        for number, row, header in rows:
            if reader.columns is None:
                problem = reader.start(header)
                if problem:
                    yield problem
                    return
            found = list(reader.read_row(number, row))
            yield from reader.lookup.catalogue.take()
            yield from found
        yield from reader.results()


class _Reader:
    def __init__(self, path: Path, given: mapping.Mapping, options: dict):
        self.path, self.mapping, self.options = path, given, options
        self.lookup = lookup.Lookup(options.get("store"))
        self.columns = None
        self.session = None
        self.people: dict[str, dict] = {}
        self.month_first = False

    def start(self, header) -> Issue | None:
        self.columns = _find(header, self.mapping)
        if "email" not in self.columns:
            return Issue(self.path.name, None, "Email", None, "no email column: delegates cannot be identified")
        if "session" not in self.columns and "session" not in self.mapping.fixed:
            if self.options.get("session") or self.options.get("date"):
                self.session, problem = lookup.session_from_options(self.lookup, self.options)
                if problem:
                    return Issue(self.path.name, None, None, self.options.get("session"), problem)
            elif not ({"session_date", "ticket"} & set(self.columns)):
                return Issue(self.path.name, None, None, None,
                             "an Eventbrite report without event dates or ticket types does not say the session: "
                             "give --session CODE, or --course with --date DATE, or map a column to session with --mapping")
            elif not (self.options.get("course") or "course" in self.columns):
                return Issue(self.path.name, None, None, None,
                             "the report does not name its course: give --course with the course's title (or code)")
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
        if person["row"] != number:
            yield Omitted(self.path.name, number, self.columns.get("email"), email,
                          f"the same person's ticket as row {person['row']}: one booking", superseded=True)
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
        if "status" not in self.columns and "status" not in self.mapping.fixed:
            return "booked", []  # no status (the newer export), or only a check-in column: not checked in
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
        name, problem = self.lookup.catalogue.agency(raw, self.cell(row, "sector"))
        return name, [self.issue(number, "agency", raw, problem)] if problem else []

    def session_of(self, number, row):
        if self.session is not None:
            return self.session, []
        code = values.text(self.cell(row, "session"))
        if code is not None:
            if self.lookup.session_exists(code):
                return code, []
            return None, [self.issue(number, "session", code, "no such session (import the sessions first, "
                                     "or map this value to a session code under [values.session])")]
        label, field = None, None
        for field in ("ticket", "session_date"):
            label = clock.day_label(self.cell(row, field), month_first=self.month_first)
            if label is not None:
                break
        if label is None:
            raw = self.cell(row, "session_date")
            return None, [self.issue(number, "session_date" if raw else "ticket", raw or self.cell(row, "ticket"),
                                     "names no day: give --session, or --course with --date")]
        catalogue = self.lookup.catalogue
        course, problem = catalogue.course(self.options.get("course") or self.cell(row, "course"), hours=label.hours)
        if course is None:
            return None, [self.issue(number, "course", self.options.get("course") or self.cell(row, "course"), problem)]
        location = str(self.cell(row, "location") or "").casefold()
        mode = "virtual" if re.search(r"online|virtual|teams|zoom|webinar", location) else "face_to_face"
        code, problem = catalogue.session(course, label.day, part=label.part, mode=mode)
        return code, [] if code else [self.issue(number, field, self.cell(row, field), problem)]

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
