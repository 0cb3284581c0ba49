"""Microsoft Teams meeting attendance reports, as Teams downloads them, in any of its languages.

Teams writes UTF-16 text with tabs, in one of three layouts:

- **current** (2021 on): numbered sections ``1. Summary`` (title, attended
  participants, start time, end time, meeting duration ...), ``2.
  Participants`` (name, first join, last leave, in-meeting duration, email,
  participant ID (UPN), role) and ``3. In-Meeting Activities`` (one row per
  join: name, join time, leave time, duration, email, role);
- **2021**: a ``Meeting Summary`` block and one table (``Full Name``, ``Join
  Time``, ``Leave Time``, ``Duration``, ``Email``, ``Role``, ``Participant
  ID (UPN)``);
- **flat** (2020): ``Full Name``, ``User Action`` (``Joined``, ``Joined
  before``, ``Left``) and ``Timestamp``, with no emails.

A report in French, German, Spanish, Italian, Portuguese, Dutch or Polish
has the same sections and columns in the same places, in its own words: the
sections are known by their numbers, the columns by their places (and the
email, UPN and role columns by their words too, as the 2021 layout moves
them), the roles by their words in each language, and durations such as
``1 h 2 min 3 s``, ``2 godz. 19 min 19 s`` or ``1 Std. 5 Min.`` by
:func:`scplearn.importers.clock.parse_duration`. Times are read day first
as in the UK, and month first when the file is American (an AM/PM clock, or
a day that can only be month first).

A person is present if their time in the meeting reaches ``threshold``
(default 0.75) of the session's length: the course's ``duration_hours``,
else the meeting's length from the summary (or from the first and last
timestamps of a flat report). Repeated joins add up (overlapping joins from
two devices count once).

**Staff are not delegates**: organisers and co-organisers; presenters with
no booking on the session, whenever the report gives anyone the Attendee
role (when nobody is an attendee, Teams made everyone a presenter); anyone
matching the session's trainer; anyone named with the ``staff`` option. They,
and people below the threshold with no booking, are left out and counted.

A row without an email is matched by name to the people booked on the
session; a name matching nobody (or several people) is reported once per
person, unless that person stayed below the threshold (then left out). A
person present without a booking becomes a walk-in; one below the threshold
who had a booking is recorded as did not attend.

The session is ``--session``, or the course ``--course`` names (code or
title) on the day the summary's start time gives, created as a virtual
session if the store lacks it; a session an import created as face to face
becomes virtual.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import attrs

from .. import model, values
from ..errors import ScplearnError
from ..hookspecs import hookimpl
from . import Issue, Omitted, Parsed, RowsRead, clock, lookup, tables

DEFAULT_THRESHOLD = 0.75
_NUMBERED = re.compile(r"^\s*([123])\.\s*\S")
_LEGACY_SUMMARY = re.compile(r"^\s*meeting summary\s*$", re.IGNORECASE)
_SECTIONS = {"1": "summary", "2": "participants", "3": "activities"}
_NAME = ("name", "full name", "participant", "nom", "nom complet", "nombre", "nombre completo", "nome",
         "nome completo", "naam", "volledige naam", "imię i nazwisko", "nazwa", "vollständiger name")
_JOINS = {"joined", "joined before", "rejoined", "a rejoint", "beigetreten", "se unió", "unido", "entrato",
          "partecipato", "ingressou", "entrou", "neemt deel", "deelgenomen", "dołączył", "dołączono"}
_LEFT = {"left", "a quitté", "verlassen", "salió", "abandonó", "uscito", "saiu", "vertrokken", "opuścił", "opuszczono"}
LAYOUTS = {
    "participants": ("name", "join", "leave", "duration", "email", "upn", "role"),
    "activities": ("name", "join", "leave", "duration", "email", "role"),
    "flat": ("name", "action", "timestamp"),
}
"""Teams' columns in their places, which are the same in every language."""
_WORDS = (
    ("upn", re.compile(r"\bupn\b")),
    ("email", re.compile(r"e-?mail|correo|posta elettronica")),
    ("role", re.compile(r"^(role|rôle|rolle|rol|ruolo|função|funcao|funkcja|rola)$")),
)
_ACTION = re.compile(r"\baction\b|aktion|acción|azione|ação|actie|akcja|atividade|activité|aktivität|actividad|attività|activiteit|aktywność")
_ROLES = (
    ("coorganiser", re.compile(r"^co-?organi|mitorgani|coorganiz|medeorgani|współorgani")),
    ("organiser", re.compile(r"organi[sz]|organisat")),
    ("presenter", re.compile(r"present|referent|relat|prezent|moderat")),
    ("attendee", re.compile(r"attend|particip|partecip|teilnehm|asistent|deelnem|uczestn")),
)
STAFF_ROLES = {"organiser": "organiser", "coorganiser": "co-organiser"}


def role_of(text) -> str | None:
    """``organiser``, ``coorganiser``, ``presenter`` or ``attendee``, from a Teams role in any of its languages."""
    key = tables.header_key(text or "")
    return next((role for role, pattern in _ROLES if pattern.search(key)), None)


@attrs.define
class Presence:
    """One row of an attendance table: a person's join (or their whole time, in the participants table)."""

    row: int
    name: str | None = None
    email: str | None = None
    role: str | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    duration: dt.timedelta | None = None


@attrs.define
class Report:
    summary: list = attrs.field(factory=list)  # (heading key, value), in the order Teams writes them
    tables: dict = attrs.field(factory=dict)  # kind -> list of (row number, {column: cell})
    headings: dict = attrs.field(factory=dict)  # kind -> {column: heading as the file writes it}
    layout: str = "current"

    def summary_values(self, parse) -> list:
        """The summary's values that ``parse`` reads, in order: start then end time; meeting duration then average."""
        found = []
        for _, value in self.summary:
            try:
                found.append(parse(value))
            except ValueError:
                continue
        return found


def _cells(line: str, delimiter: str) -> list[str]:
    return [cell.strip() for cell in next(csv.reader([line], delimiter=delimiter))]


def _columns(kind: str, header: list[str]) -> dict[int, str]:
    """Which column of a table holds what: by place, corrected by the words of the email, UPN and role columns."""
    keys = [tables.header_key(cell) for cell in header]
    columns = dict(enumerate(LAYOUTS[kind][:len(keys)]))
    if kind != "flat":
        for field, pattern in _WORDS:
            at = next((index for index, key in enumerate(keys) if pattern.search(key)), None)
            if at is not None:
                columns = {index: name for index, name in columns.items() if name != field}
                columns[at] = field
    return columns


def _table_kind(keys: list[str], section: str | None) -> str | None:
    """The kind of table a heading row starts, or ``None`` if it is no table's headings."""
    if len(keys) >= 3 and keys[0] in _NAME and _ACTION.search(keys[1]):
        return "flat"
    if section in ("participants", "activities"):
        return section
    if len(keys) >= 4 and keys[0] in _NAME and "duration" in " ".join(keys):
        return "participants"  # the 2021 layout's one table, after its summary
    return None


def _delimiter(lines: list[str]) -> str:
    head = "".join(lines[:50])
    return max(("\t", ";", ","), key=head.count) if any(mark in head for mark in "\t;,") else "\t"


def parse(path: Path) -> Report:
    """Split a report into its summary and its tables."""
    lines = tables.read_lines(path)
    delimiter = _delimiter(lines)
    report = Report()
    section, columns, kind = None, None, None
    for number, line in enumerate(lines, start=1):
        try:
            cells = _cells(line.replace("\ufeff", ""), delimiter) if line.strip() else []
        except csv.Error as error:  # a field longer than the csv module allows
            raise tables.UnreadableFile(f"{path.name}: not a readable attendance report ({error})") from None
        filled = [cell for cell in cells if cell]
        if not filled:
            columns = None
            continue
        if len(filled) == 1 and ((match := _NUMBERED.match(filled[0])) or _LEGACY_SUMMARY.match(filled[0])):
            section, columns = (_SECTIONS[match.group(1)] if match else "summary"), None
            continue
        if columns is None:
            kind = _table_kind([tables.header_key(cell) for cell in cells], None if section == "summary" else section)
            if kind is not None:
                columns = _columns(kind, cells)
                report.headings[kind] = {name: cells[index] for index, name in columns.items()}
                report.tables.setdefault(kind, [])
                report.layout = "flat" if kind == "flat" else report.layout
            elif len(filled) >= 2 and section in (None, "summary"):
                report.summary.append((tables.header_key(cells[0]), filled[1]))
            continue
        report.tables[kind].append((number, {name: cells[index] for index, name in columns.items() if index < len(cells)}))
    return report


def presences(report: Report) -> tuple[list[Presence], list[tuple[int, str, str, str]], str]:
    """The rows of the most detailed table as :class:`Presence` es, the problems as (row, column, value, reason), and the table's kind."""
    texts = [value for rows in report.tables.values() for _, row in rows for key, value in row.items()
             if key in ("join", "leave", "timestamp")]
    month_first = clock.month_first(texts + [value for _, value in report.summary])
    found, problems = [], []

    def when(number, row, key):
        raw = row.get(key)
        if not raw:
            return None
        try:
            return clock.parse_datetime(raw, month_first=month_first)
        except ValueError as error:
            problems.append((number, key, raw, str(error)))
            return None

    if report.tables.get("flat"):
        return (*_flat(report.tables["flat"], when, problems), "flat")
    kind = "activities" if report.tables.get("activities") else "participants"
    for number, row in report.tables.get(kind, []):
        problems_before = len(problems)
        presence = Presence(
            row=number, name=row.get("name") or None, role=row.get("role") or None,
            email=row.get("email") or _upn_email(row.get("upn")),
            start=when(number, row, "join"), end=when(number, row, "leave"),
        )
        raw = row.get("duration")
        if raw:
            try:
                presence.duration = clock.parse_duration(raw)
            except ValueError as error:
                problems.append((number, "duration", raw, str(error)))
                continue
        if len(problems) > problems_before:
            continue  # a row with a bad value counts for nothing
        if kind == "participants":
            presence.start = presence.end = None  # first join to last leave is not time present
        found.append(presence)
    return found, problems, kind


def _upn_email(value):
    return value if value and "@" in value else None


def _flat(rows, when, problems):
    events = []
    for number, row in rows:
        moment = when(number, row, "timestamp")
        action = tables.header_key(row.get("action", ""))
        if moment is None:
            if not row.get("timestamp"):
                problems.append((number, "timestamp", None, "is required"))
            continue
        if action not in _JOINS and action not in _LEFT:
            problems.append((number, "action", row.get("action"), "must be Joined, Joined before or Left"))
            continue
        events.append((number, row.get("name"), action in _JOINS, moment))
    if not events:
        return [], problems
    last = max(moment for *_, moment in events)
    found, open_joins = [], {}
    for number, name, joined, moment in sorted(events, key=lambda event: (event[3], event[0])):
        if joined:
            open_joins.setdefault(name, (number, moment))
        elif name in open_joins:
            row, start = open_joins.pop(name)
            found.append(Presence(row=row, name=name, start=start, end=moment))
    for name, (row, start) in open_joins.items():
        found.append(Presence(row=row, name=name, start=start, end=last))
    found.sort(key=lambda presence: presence.row)
    return found, problems


def time_present(parts: list[Presence]) -> dt.timedelta:
    """Total time in the meeting.

    The union of the join intervals when every row is one continuous stay (so
    overlapping joins from two devices count once), else the sum of the
    durations Teams gives.
    """
    continuous = all(
        part.start and part.end
        and (part.duration is None or part.end - part.start - part.duration < dt.timedelta(minutes=1))
        for part in parts
    )
    if continuous:
        total, current_start, current_end = dt.timedelta(), None, None
        for part in sorted(parts, key=lambda p: p.start):
            if current_end is None or part.start > current_end:
                if current_end is not None:
                    total += current_end - current_start
                current_start, current_end = part.start, part.end
            else:
                current_end = max(current_end, part.end)
        return total + (current_end - current_start)
    return sum((part.duration or dt.timedelta() for part in parts), dt.timedelta())


def meeting_length(report: Report, parts: list[Presence]) -> dt.timedelta | None:
    """How long the meeting ran: the summary's duration, else its end less its start, else the first to the last time."""
    durations = report.summary_values(clock.parse_duration)
    if durations:
        return durations[0]
    moments = summary_times(report)
    if len(moments) >= 2 and moments[1] > moments[0]:
        return moments[1] - moments[0]
    moments = [moment for part in parts for moment in (part.start, part.end) if moment]
    return max(moments) - min(moments) if moments else None


def summary_times(report: Report) -> list[dt.datetime]:
    """The summary's times of day in order: its start, then its end."""
    first = clock.month_first(value for _, value in report.summary)

    def moment(value):
        if not re.search(r"\d{1,2}:\d{2}", value):
            raise ValueError("not a time")
        return clock.parse_datetime(value, month_first=first)

    return report.summary_values(moment)


def meeting_start(report: Report, parts: list[Presence]) -> dt.datetime | None:
    moments = summary_times(report) or sorted(part.start for part in parts if part.start)
    return moments[0] if moments else None


def threshold_of(options: dict) -> float:
    raw = options.get("threshold")
    if raw is None or raw == "":
        return DEFAULT_THRESHOLD
    text = str(raw).strip()
    try:
        number = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise ScplearnError(f"--threshold {raw}: must be a share of the session such as 0.75 or 75%") from None
    if not 0 < number <= 1:
        raise ScplearnError(f"--threshold {raw}: must be above 0 and at most 1 (the whole session)")
    return number


def _looks_like_a_report(lines: list[str]) -> bool:
    first = lines[0].replace("\ufeff", "").strip()
    if _LEGACY_SUMMARY.match(first):
        return True
    if _NUMBERED.match(first) and not re.search(r"[\t;,]", first):
        return any(_NUMBERED.match(line.replace("\ufeff", "")) and line.strip().startswith("2")
                   and not re.search(r"[\t;,]", line.strip()) for line in lines[1:])
    keys = [tables.header_key(cell) for cell in re.split(r"[\t,;]", first)]
    return _table_kind(keys, None) == "flat"


class TeamsImporter:
    name = "teams"
    description = ("Microsoft Teams meeting attendance report (UTF-16, tab separated; every layout since 2020, "
                   "in English, French, German, Spanish, Italian, Portuguese, Dutch or Polish): "
                   "attendance from time in the meeting against --threshold; staff left out")

    def recognises(self, path: Path) -> bool:
        path = Path(path)
        if path.suffix.lower() not in (".csv", ".tsv", ".txt"):
            return False
        try:
            with tables.open_text(path) as handle:
                lines = [line for line in (handle.readline() for _ in range(60)) if line.strip()]
        except (tables.UnreadableFile, OSError, UnicodeDecodeError):
            return False
        return bool(lines) and _looks_like_a_report(lines)

    def check(self, path: Path, options: dict) -> str | None:
        """Why ``--format teams`` cannot read this file, if it cannot."""
        if self.recognises(path):
            return None
        return ("not a Teams attendance report: it has neither a numbered summary and participants sections "
                "nor the Full Name, User Action and Timestamp columns")

    def rank(self, path: Path) -> float:
        """After the booking exports, whose bookings names are matched against."""
        return model.RECORD_TYPES.index(model.Booking) + 0.5

    def read(self, path: Path, options: dict):
        path = Path(path)
        threshold = threshold_of(options)
        finder = lookup.Lookup(options.get("store"))
        report = parse(path)
        parts, problems, kind = presences(report)
        yield RowsRead(len(report.tables.get(kind, [])))
        headings = report.headings.get(kind, {})
        name_column = headings.get("name", "Name")
        for number, column, value, reason in problems:
            yield Issue(path.name, number, headings.get(column, column), value, reason)
        start = meeting_start(report, parts)
        part = None if start is None else ("am" if start.hour < 12 else "pm" if start.hour < 17 else "eve")
        session, problem = lookup.session_from_options(finder, options, day=start and start.date(), part=part,
                                                       mode="virtual")
        if session is None:
            yield Issue(path.name, None, None, options.get("session") or options.get("course"), problem or (
                "a Teams report does not name the session: give --session CODE, or --course with the course's "
                "title or code (the date is read from the report)"))
            return
        yield from finder.catalogue.take()
        yield from _virtual(finder, session)
        hours = finder.session_hours(session)
        length = dt.timedelta(hours=hours) if hours else meeting_length(report, parts)
        if not length or length <= dt.timedelta(0):
            yield Issue(path.name, None, None, session,
                        "cannot tell how long the session was: set duration_hours on its course")
            return
        needed = length * threshold
        people = _people(parts)
        staff = _Staff(finder, session, options, any(role_of(p.role) == "attendee" for p in parts))
        booked = None
        for rows in people:
            first = rows[0]
            minutes = time_present(rows)
            email = _email_of(rows)
            if email is False:
                yield Issue(path.name, first.row, headings.get("email", "Email"), _raw_email(rows),
                            "must be an email address such as name@example.org")
                continue
            if email is None:
                if booked is None:
                    booked = finder.booked_names(session)
                matches = booked.get(lookup.name_key(first.name), [])
                email = matches[0] if len(matches) == 1 else None
            known = finder.booking(session, email) if email else None
            why = staff.why(rows, email, known)
            if why:
                yield from (Omitted(path.name, row.row, name_column, row.name, why) for row in rows)
                continue
            if minutes < needed and known is None:
                yield from (Omitted(path.name, row.row, headings.get("duration", "Duration"), first.name,
                                    f"present {_minutes(minutes)} of the {_minutes(needed)} needed, with no booking")
                            for row in rows)
                continue
            if email is None:
                matches = booked.get(lookup.name_key(first.name), [])
                reason = (f"no email, and nobody booked on {session} has this name: add their booking (with the "
                          "name) first, or leave the row out with --skip-invalid" if not matches else
                          f"no email, and {len(matches)} people booked on {session} have this name")
                yield Issue(path.name, first.row, name_column, first.name, reason)
                continue
            present = minutes >= needed
            name = display_name(first.name)
            if known is None and name and not finder.knows_name_of(email):
                yield Parsed(first.row, model.Delegate(email=email, name=name), {"email": "Email"})
            status = "attended" if present else "did_not_attend"
            walk_in = present and (known["walk_in"] if known else True)
            yield Parsed(first.row, model.Booking(session=session, email=email, status=status, walk_in=walk_in),
                         {"email": "Email", "status": "Duration"})


def _minutes(delta: dt.timedelta) -> str:
    return f"{round(delta.total_seconds() / 60)} min"


def _virtual(finder: lookup.Lookup, session: str):
    """A session an import created as face to face (its mode a guess) that a Teams report shows was virtual."""
    row = finder.db.execute("SELECT rowid, * FROM sessions WHERE code = ?", [session]).fetchone()
    if row is None:
        return
    columns = [column[1] for column in finder.db.execute("PRAGMA table_info(sessions)")]
    found = dict(zip(["rowid", *columns], row))
    if found["mode"] == "face_to_face" and finder.created_by_import("sessions", found["rowid"]):
        fields = {name: found[name] for name in attrs.fields_dict(model.Session)}
        yield Parsed(None, model.Session(**{**fields, "mode": "virtual"}))


def _people(parts: list[Presence]) -> list[list[Presence]]:
    """The presences grouped by person: by email, or by name where a row has none."""
    found: dict = {}
    for part in parts:
        try:
            key = values.email(part.email) if part.email else None
        except ValueError:
            key = ("bad", part.email)
        if key is None:
            key = ("name", lookup.name_key(part.name))
        found.setdefault(key, []).append(part)
    return list(found.values())


def _email_of(rows: list[Presence]):
    """The person's normalised email; ``None`` without one; ``False`` for one that is not an email."""
    raw = _raw_email(rows)
    if raw is None:
        return None
    try:
        return values.email(raw)
    except ValueError:
        return False


def _raw_email(rows):
    return next((row.email for row in rows if row.email), None)


class _Staff:
    """Who in a report is staff, not a delegate, and why."""

    def __init__(self, finder: lookup.Lookup, session: str, options: dict, anyone_attends: bool):
        self.anyone_attends = anyone_attends
        trainer = finder.db.execute("SELECT trainer FROM sessions WHERE code = ?", [session]).fetchone()
        named = [trainer[0]] if trainer and trainer[0] else []
        named += list(options.get("staff") or ())
        self.emails = {values.text(name).casefold() for name in named if "@" in str(name)}
        self.names = {lookup.name_key(name) for name in named if "@" not in str(name)} - {()}

    def why(self, rows: list[Presence], email, booking) -> str | None:
        roles = {role_of(row.role) for row in rows}
        for role, label in STAFF_ROLES.items():
            if role in roles:
                return f"staff ({label}), not a delegate"
        if "presenter" in roles and self.anyone_attends and booking is None:
            return "staff (a presenter with no booking), not a delegate"
        if (email and email in self.emails) or lookup.name_key(rows[0].name) in self.names:
            return "staff (the session's trainer, or named with --staff), not a delegate"
        return None


def display_name(name) -> str | None:
    """A Teams display name without the bracketed notes Teams adds, such as ``(Guest)``."""
    text = values.text(name)
    if text is None:
        return None
    return re.sub(r"\s*\((guest|external|ext|unverified|invité|gast|invitado|ospite|convidado|gość)\)\s*$", "", text,
                  flags=re.IGNORECASE) or None


@hookimpl
def register_importers(register):
    register(TeamsImporter())
