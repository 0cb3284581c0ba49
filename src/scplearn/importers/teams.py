"""Microsoft Teams meeting attendance reports, as Teams downloads them.

Teams writes UTF-16 text with tabs, in one of two layouts:

- **current** (2021 on): sections ``1. Summary`` (``Meeting title``,
  ``Start time``, ``End time``, ``Meeting duration`` ...), ``2. Participants``
  (``Name``, ``First Join``, ``Last Leave``, ``In-Meeting Duration``,
  ``Email``, ``Participant ID (UPN)``, ``Role``) and ``3. In-Meeting
  Activities`` (one row per join: ``Name``, ``Join Time``, ``Leave Time``,
  ``Duration``, ``Email``, ``Role``);
- **flat** (2020): ``Full Name``, ``User Action`` (``Joined``, ``Joined
  before``, ``Left``) and ``Timestamp``, with no emails.

Times are UK style (``15/11/22, 09:30:17``). A person is present if their
time in the meeting reaches ``threshold`` (default 0.75) of the session's
length: the course's ``duration_hours``, else the meeting's length from the
summary (or from the first and last timestamps of a flat report). Repeated
joins add up (overlapping joins from two devices count once). Organisers'
rows are left out. A row without an email is matched by name to the people
booked on the session; an unmatched or ambiguous name is reported, never
guessed. A person present without a booking becomes a walk-in; one below the
threshold who had a booking is recorded as did not attend, one without a
booking is left out.
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
from . import Issue, Parsed, clock, lookup, tables

DEFAULT_THRESHOLD = 0.75
_SECTION = re.compile(r"^\s*(?:\d+\.\s*)?(meeting summary|summary|participants|in-meeting activities|in-meeting activity)\s*$",
                      re.IGNORECASE)
_NAME = ("name", "full name", "participant")
_ORGANISERS = {"organizer", "organiser", "co-organizer", "co-organiser"}
_JOINS = {"joined", "joined before", "rejoined"}


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
    summary: dict = attrs.field(factory=dict)
    tables: dict = attrs.field(factory=dict)  # kind -> list of (row number, {heading key: cell})
    layout: str = "current"


def _cells(line: str, delimiter: str) -> list[str]:
    return [cell.strip() for cell in next(csv.reader([line], delimiter=delimiter))]


def parse(path: Path) -> Report:
    """Split a report into its summary (heading key → value) and its tables."""
    lines = tables.read_lines(path)
    delimiter = "\t" if any("\t" in line for line in lines[:50]) else ","
    report = Report()
    section, header, kind = None, None, None
    for number, line in enumerate(lines, start=1):
        try:
            cells = _cells(line, delimiter) if line.strip() else []
        except csv.Error as error:  # a field longer than the csv module allows
            raise tables.UnreadableFile(f"{path.name}: not a readable attendance report ({error})") from None
        filled = [cell for cell in cells if cell]
        if not filled:
            header = None
            continue
        if len(filled) == 1 and (match := _SECTION.match(filled[0].replace("\ufeff", ""))):
            section, header = match.group(1).casefold(), None
            continue
        if header is None:
            keys = [tables.header_key(cell) for cell in cells]
            if any(key in keys for key in _NAME) and {"user action", "duration", "in-meeting duration",
                                                      "join time", "first join"} & set(keys):
                header = keys
                if "user action" in keys:
                    kind, report.layout = "flat", "flat"
                elif section and section.startswith("in-meeting") or ("join time" in keys and "first join" not in keys):
                    kind = "activities"
                else:
                    kind = "participants"
                report.tables.setdefault(kind, [])
            elif len(filled) >= 2 and section in (None, "summary", "meeting summary"):
                report.summary[tables.header_key(cells[0])] = filled[1]
            continue
        report.tables[kind].append((number, dict(zip(header, cells))))
    return report


def _get(row: dict, *keys):
    for key in keys:
        if row.get(key):
            return row[key]
    return None


def presences(report: Report) -> tuple[list[Presence], list[tuple[int, str, str, str]]]:
    """The rows of the most detailed table as :class:`Presence` es, and problems as (row, column, value, reason)."""
    texts = [value for _, row in sum(report.tables.values(), []) for key, value in row.items()
             if key in ("join time", "leave time", "first join", "last leave", "timestamp")]
    texts += [report.summary.get(key, "") for key in ("start time", "end time", "meeting start time", "meeting end time")]
    month_first = clock.month_first(texts)
    found, problems = [], []

    def when(number, row, *keys):
        raw = _get(row, *keys)
        if raw is None:
            return None
        try:
            return clock.parse_datetime(raw, month_first=month_first)
        except ValueError as error:
            problems.append((number, keys[0], raw, str(error)))
            return None

    if report.tables.get("flat"):
        return _flat(report.tables["flat"], when, problems)
    kind = "activities" if report.tables.get("activities") else "participants"
    for number, row in report.tables.get(kind, []):
        problems_before = len(problems)
        presence = Presence(
            row=number, name=_get(row, *_NAME), role=_get(row, "role"),
            email=_get(row, "email") or _upn_email(_get(row, "participant id (upn)")),
            start=when(number, row, "join time", "first join"), end=when(number, row, "leave time", "last leave"),
        )
        raw = _get(row, "duration", "in-meeting duration")
        if raw is not None:
            try:
                presence.duration = clock.parse_duration(raw)
            except ValueError as error:
                problems.append((number, "duration" if kind == "activities" else "in-meeting duration", raw, str(error)))
                continue
        if len(problems) > problems_before:
            continue  # a row with a bad value counts for nothing
        if kind == "participants":
            presence.start = presence.end = None  # first join to last leave is not time present
        found.append(presence)
    return found, problems


def _upn_email(value):
    return value if value and "@" in value else None


def _flat(rows, when, problems):
    events = []
    for number, row in rows:
        moment = when(number, row, "timestamp")
        action = tables.header_key(row.get("user action", ""))
        if moment is None:
            if not row.get("timestamp"):
                problems.append((number, "timestamp", None, "is required"))
            continue
        if action not in _JOINS and action != "left":
            problems.append((number, "user action", row.get("user action"), "must be Joined, Joined before or Left"))
            continue
        events.append((number, _get(row, *_NAME), action, moment))
    if not events:
        return [], problems
    last = max(moment for *_, moment in events)
    found, open_joins = [], {}
    for number, name, action, moment in sorted(events, key=lambda event: (event[3], event[0])):
        if action in _JOINS:
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
    """How long the meeting ran, by the summary or else by its first and last times."""
    summary = report.summary
    raw = summary.get("meeting duration")
    if raw:
        try:
            return clock.parse_duration(raw)
        except ValueError:
            pass
    start, end = (_get(summary, "start time", "meeting start time"), _get(summary, "end time", "meeting end time"))
    if start and end:
        try:
            texts = [start, end]
            first = clock.month_first(texts)
            return clock.parse_datetime(end, month_first=first) - clock.parse_datetime(start, month_first=first)
        except ValueError:
            pass
    moments = [moment for part in parts for moment in (part.start, part.end) if moment]
    return max(moments) - min(moments) if moments else None


def meeting_day(report: Report, parts: list[Presence]) -> dt.date | None:
    start = _get(report.summary, "start time", "meeting start time")
    if start:
        try:
            return clock.parse_datetime(start, month_first=clock.month_first([start])).date()
        except ValueError:
            pass
    moments = [part.start for part in parts if part.start]
    return min(moments).date() if moments else None


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


class TeamsImporter:
    name = "teams"
    description = ("Microsoft Teams meeting attendance report (UTF-16, tab separated; current and older layouts): "
                   "attendance from time in the meeting against --threshold")

    def recognises(self, path: Path) -> bool:
        path = Path(path)
        if path.suffix.lower() not in (".csv", ".tsv", ".txt"):
            return False
        try:
            with tables.open_text(path) as handle:
                lines = [line for line in (handle.readline() for _ in range(3)) if line.strip()]
        except (tables.UnreadableFile, OSError, UnicodeDecodeError):
            return False
        if not lines:
            return False
        first = lines[0].replace("\ufeff", "").strip()
        if _SECTION.match(first) and "summary" in first.casefold():
            return True
        keys = {tables.header_key(cell) for cell in re.split(r"[\t,]", first)}
        return {"full name", "user action", "timestamp"} <= keys

    def rank(self, path: Path) -> float:
        """After the booking exports, whose bookings names are matched against."""
        return model.RECORD_TYPES.index(model.Booking) + 0.5

    def read(self, path: Path, options: dict):
        path = Path(path)
        threshold = threshold_of(options)
        finder = lookup.Lookup(options.get("store"))
        report = parse(path)
        parts, problems = presences(report)
        for number, column, value, reason in problems:
            yield Issue(path.name, number, _heading(column), value, reason)
        session, problem = lookup.session_from_options(finder, options, day=meeting_day(report, parts))
        if session is None:
            yield Issue(path.name, None, None, options.get("session") or options.get("course"), problem or (
                "a Teams report does not name the session: give --session CODE, or --course CODE "
                "(the date is read from the report)"))
            return
        hours = finder.session_hours(session)
        length = dt.timedelta(hours=hours) if hours else meeting_length(report, parts)
        if not length or length <= dt.timedelta(0):
            yield Issue(path.name, None, None, session,
                        "cannot tell how long the session was: set duration_hours on its course")
            return
        people, issues = _identify(path, parts, finder, session, "Full Name" if report.layout == "flat" else "Name")
        yield from issues
        needed = length * threshold
        for email, (rows, name) in people.items():
            present = time_present(rows) >= needed
            known = finder.booking(session, email)
            if not present and known is None:
                continue
            first = rows[0].row
            if known is None and name and not finder.knows_name_of(email):
                yield Parsed(first, model.Delegate(email=email, name=name), {"email": "Email"})
            status = "attended" if present else "did_not_attend"
            walk_in = present and (known["walk_in"] if known else True)
            yield Parsed(first, model.Booking(session=session, email=email, status=status, walk_in=walk_in),
                         {"email": "Email", "status": "Duration"})


def _heading(key: str) -> str:
    return {"in-meeting duration": "In-Meeting Duration", "participant id (upn)": "Participant ID (UPN)",
            "user action": "User Action"}.get(key, key.title())


def display_name(name) -> str | None:
    """A Teams display name without the bracketed notes Teams adds, such as ``(Guest)``."""
    text = values.text(name)
    if text is None:
        return None
    return re.sub(r"\s*\((guest|external|ext|unverified)\)\s*$", "", text, flags=re.IGNORECASE) or None


def _identify(path: Path, parts: list[Presence], finder: lookup.Lookup, session: str, name_column: str):
    """Group the presences by person (normalised email), matching rows without email by name."""
    people: dict[str, tuple[list, str | None]] = {}
    issues = []
    booked = None
    for part in parts:
        if part.role and tables.header_key(part.role) in _ORGANISERS:
            continue
        email = None
        if part.email:
            try:
                email = values.email(part.email)
            except ValueError as error:
                issues.append(Issue(path.name, part.row, "Email", part.email, str(error)))
                continue
        else:
            if booked is None:
                booked = finder.booked_names(session)
            matches = booked.get(lookup.name_key(part.name), [])
            if len(matches) != 1:
                reason = (f"no email, and nobody booked on {session} has this name: add their booking (with the "
                          "name) first, or leave the row out with --skip-invalid" if not matches else
                          f"no email, and {len(matches)} people booked on {session} have this name")
                issues.append(Issue(path.name, part.row, name_column, part.name, reason))
                continue
            email = matches[0]
        rows, name = people.setdefault(email, ([], display_name(part.name)))
        rows.append(part)
    return people, issues


@hookimpl
def register_importers(register):
    register(TeamsImporter())
