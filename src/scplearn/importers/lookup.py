"""What importers need to know from the store: sessions, bookings, known people.

Exports from booking and meeting tools do not carry scplearn's session codes,
and some Teams rows carry no email. :class:`Lookup` answers the questions an
importer has to ask about records already in the store (or written earlier in
the same import): which session a course ran on a date, how long it was, who
was booked on it, and by what name the private store knows them.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from .. import values
from ..errors import ScplearnError
from .catalogue import Catalogue


def name_key(name) -> tuple:
    """A person's name reduced for matching.

    Accents, case, apostrophes and word order are ignored, as are bracketed
    additions such as ``(Guest)`` or ``(Leics Police)``: ``"O'Brien, Zoë"`` and
    ``"Zoe OBrien (Guest)"`` give the same key.
    """
    if values.is_missing(name):
        return ()
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", text)
    text = re.sub(r"['\u2019\u2018`]", "", text)
    return tuple(sorted(re.findall(r"[^\W\d_]+", text)))


class Lookup:
    """Read-only questions about the store, answered inside the running import."""

    def __init__(self, store):
        if store is None:
            raise ScplearnError("this importer needs the store: run it through scplearn.import_files")
        self.store = store
        self.db = store.db
        self.catalogue = Catalogue(self.db)

    # sessions and courses

    def session_exists(self, code: str) -> bool:
        return self.db.execute("SELECT 1 FROM sessions WHERE code = ?", [code]).fetchone() is not None

    def attended_session(self, course: str, email: str) -> tuple[str | None, str | None]:
        """The one session of ``course`` this person attended (for surveys that ask only the course)."""
        key = self.store.pseudonymiser.key_for(email)
        rows = self.db.execute(
            "SELECT b.session FROM bookings b JOIN sessions s ON s.code = b.session "
            "WHERE s.course = ? AND b.delegate = ? AND b.status = 'attended' ORDER BY s.date",
            [course, key],
        ).fetchall()
        if len(rows) == 1:
            return rows[0][0], None
        if not rows:
            return None, f"no attended session of {course} is recorded for this person; give the session or its date"
        return None, f"this person attended {course} more than once; give the session or its date"

    def created_by_import(self, table: str, rowid: int) -> bool:
        """True when an import inserted this row (so what it holds was read from a file, not listed by hand)."""
        return self.db.execute(
            "SELECT 1 FROM import_ranges WHERE tbl = ? AND ? BETWEEN first AND last", [table, rowid]
        ).fetchone() is not None

    def session_hours(self, code: str) -> float | None:
        """The length of a session's course in hours, if the course records one."""
        row = self.db.execute(
            "SELECT c.duration_hours FROM sessions s JOIN courses c ON c.code = s.course WHERE s.code = ?", [code]
        ).fetchone()
        return row[0] if row and row[0] else None

    # people and bookings

    def key_for(self, email: str) -> str:
        return self.store.pseudonymiser.key_for(email)

    def booking(self, session: str, email: str) -> dict | None:
        row = self.db.execute(
            "SELECT status, walk_in FROM bookings WHERE session = ? AND delegate = ?", [session, self.key_for(email)]
        ).fetchone()
        return None if row is None else {"status": row[0], "walk_in": bool(row[1])}

    def evaluation(self, session: str, email: str) -> dict:
        cursor = self.db.execute(
            "SELECT * FROM evaluations WHERE session = ? AND delegate = ?", [session, self.key_for(email)]
        )
        row = cursor.fetchone()
        return {} if row is None else dict(zip([column[0] for column in cursor.description], row))

    def knows_name_of(self, email: str) -> bool:
        """True when the private store already holds a name for this email."""
        row = self.store.private.execute(
            "SELECT name FROM people WHERE key = ?", [self.key_for(email)]
        ).fetchone()
        return bool(row and row[0])

    def register(self, session: str) -> set[str]:
        """The emails of everyone booked on a session (and not cancelled) or present at it."""
        keys = [row[0] for row in self.db.execute(
            "SELECT delegate FROM bookings WHERE session = ? AND status != 'cancelled'", [session])]
        return {email for email, _ in self._people(keys)}

    def _people(self, keys: list[str]):
        """(email, name) of each delegate key, from the private database."""
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            yield from self.store.private.execute(
                f"SELECT email, name FROM people WHERE key IN ({', '.join('?' * len(chunk))}) ORDER BY email", chunk
            )

    def booked_names(self, session: str) -> dict[tuple, list[str]]:
        """The emails of the people booked on a session, by :func:`name_key` of their name."""
        keys = [row[0] for row in self.db.execute("SELECT delegate FROM bookings WHERE session = ?", [session])]
        found: dict[tuple, list[str]] = {}
        for email, name in self._people(keys):
            key = name_key(name)
            if key:
                found.setdefault(key, []).append(email)
        return found


def option_date(options: dict) -> dt.date | None:
    given = options.get("date")
    if given is None or given == "":
        return None
    try:
        return values.date(given)
    except ValueError as error:
        raise ScplearnError(f"--date {given}: {error}") from None


def session_from_options(lookup: Lookup, options: dict, day: dt.date | None = None, *,
                         part: str | None = None, mode: str = "face_to_face") -> tuple[str | None, str | None]:
    """The session the options name: ``--session``, or ``--course`` with ``--date`` (or with ``day`` from the file).

    A course or session that ``--course`` names and the store lacks is
    created (see :class:`~scplearn.importers.catalogue.Catalogue`), in
    ``mode``. Returns ``(code, None)``, ``(None, reason)`` when the options
    name no session that can be found or made, or ``(None, None)`` when they
    name none at all.
    """
    session = values.text(options.get("session"))
    course = values.text(options.get("course"))
    given_day = option_date(options)
    if session is not None:
        if course is not None or given_day is not None:
            raise ScplearnError("give either --session, or --course with --date, not both")
        if not lookup.session_exists(session):
            return None, f"no session {session}; import the sessions first, or give --course and let the file say the day"
        return session, None
    if given_day is not None and course is None:
        raise ScplearnError("--date needs --course: a session is found by its course and its date")
    if course is None:
        return None, None
    code, reason = lookup.catalogue.course(course)
    if code is None:
        return None, f"--course {course}: {reason}"
    day = given_day or day
    if day is None:
        return None, f"the file does not say when {code} ran; give --date too"
    return lookup.catalogue.session(code, day, part=None if given_day else part, mode=mode)
