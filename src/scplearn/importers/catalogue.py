"""Courses, sessions and agencies found in the files: matched to the store's, or created.

An export names a course by its title, a session by its day ("Tuesday 3
September 2024 (morning)", a Teams report's start time) and an organisation
as its delegates typed it. :class:`Catalogue` matches each to what the store
holds, ignoring case and punctuation, and creates what it does not hold:

- a **course** from its title, with a code made from the title's initials
  (``Neglect: Recognising and Responding`` is ``NRR01``);
- a **session** of a course on a day, coded ``NRR01-2024-09-03`` (with
  ``-am``, ``-pm`` or ``-eve`` when the file names the part of the day),
  in the mode the file shows (a Teams report: virtual);
- an **agency**, marked unverified, with the sector a sector question gave
  (else ``unknown``), for ``scplearn agencies`` to confirm or merge.

A title or organisation a few letters away from one the store holds is not
created: it is refused with "did you mean ...?". Created records come from
:meth:`Catalogue.take` for the importer to hand on before the rows using them.
"""

from __future__ import annotations

import datetime as dt
import re

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from .. import model, values
from . import Parsed

_SMALL_WORDS = {"a", "an", "and", "the", "of", "in", "for", "to", "on", "with", "at", "by", "or", "&"}
PARTS = ("am", "pm", "eve")
_SECTOR_WORDS = (
    ("police", r"police|constabulary"),
    ("probation", r"probation"),
    ("ambulance", r"ambulance"),
    ("fire", r"\bfire\b"),
    ("early_years", r"early years|nursery|childminder|pre-?school"),
    ("la_adults", r"adult"),
    ("la_children", r"children|social care|social work|local authority|council|education welfare|youth"),
    ("education", r"school|education|college|academy|university"),
    ("health", r"health|nhs|hospital|\bgp\b|icb|integrated care|nurs|medical|clinical|pharm|dental|midwi"),
    ("voluntary", r"voluntary|charity|community|third sector|faith|church|vcs"),
    ("private", r"private|independent|business|self.employed"),
    ("other", r"^other"),
)


def near_miss_distance(text: str) -> int:
    """How many letters two names may differ by and still be the same name mistyped."""
    return 1 if len(text) < 12 else 2 if len(text) < 24 else 3


def closest(name: str, known: dict[str, str]) -> str | None:
    """The name in ``known`` (slug → name) a few letters from ``name``, not equal to it, if any."""
    key = values.slug(name)
    if not key or not known:
        return None
    found = process.extractOne(key, list(known), scorer=Levenshtein.distance,
                               score_cutoff=near_miss_distance(key))
    if found is None or found[1] == 0:
        return None
    return known[found[0]]


def closest_email(email: str, known) -> str | None:
    """The address in ``known`` within two edits of ``email`` (a likely typo of it), if any."""
    found = process.extractOne(email, list(known), scorer=Levenshtein.distance, score_cutoff=2)
    return found[0] if found and found[1] > 0 else None


def sector_of(answer) -> str | None:
    """The sector an answer to "Which sector do you work in?" names, or ``None`` if it names none."""
    text = values.text(answer)
    if text is None:
        return None
    try:
        return model.choice(model.SECTORS)(text)
    except ValueError:
        pass
    words = text.casefold()
    for sector, pattern in _SECTOR_WORDS:
        if re.search(pattern, words):
            return sector
    return None


def course_code(title: str, taken) -> str:
    """A new course code from a title's initials: ``Neglect: Recognising and Responding`` → ``NRR01``."""
    words = re.findall(r"[A-Za-z0-9]+", title)
    initials = "".join(word[0] for word in words if word.casefold() not in _SMALL_WORDS).upper()[:5]
    if len(initials) < 2:
        initials = re.sub(r"[^A-Za-z]", "", title).upper()[:4] or "COURSE"
    number = 1
    while f"{initials}{number:02d}" in taken:
        number += 1
    return f"{initials}{number:02d}"


class Catalogue:
    """Matches the courses, sessions and agencies a file names, and creates the ones the store lacks."""

    def __init__(self, db):
        self.db = db
        self.new: list = []
        self.sessions: dict[tuple, str] = {}
        self._courses = None
        self._agencies = None

    def take(self) -> list[Parsed]:
        """The records created since the last call, to be written before the rows that use them."""
        created, self.new = self.new, []
        return [Parsed(None, record) for record in created]

    # courses

    def courses(self) -> dict[str, tuple[str, str]]:
        """slug of code or title → (code, title), of the store's courses and the ones created here."""
        if self._courses is None:
            self._courses = {}
            for code, title in self.db.execute("SELECT code, title FROM courses ORDER BY code"):
                self._courses[values.slug(title)] = (code, title)
                self._courses.setdefault(values.slug(code), (code, title))
        return self._courses

    def course(self, given, *, hours: float | None = None, create: bool = True) -> tuple[str | None, str | None]:
        """The code of the course ``given`` names (its code or title), created from the title if new: ``(code, None)`` or ``(None, why)``."""
        text = values.text(given)
        if text is None:
            return None, "no course given"
        courses = self.courses()
        found = courses.get(values.slug(text))
        if found:
            return found[0], None
        near = closest(text, {key: f"{title} ({code})" for key, (code, title) in courses.items()})
        if near:
            return None, (f"no course is called {text!r}: did you mean {near}? If it is another course, "
                          f"add it first with scplearn courses add")
        if not create:
            return None, "no such course (give its code or its title)"
        code = course_code(text, {code for code, _ in courses.values()})
        self.new.append(model.Course(code=code, title=text, duration_hours=hours))
        courses[values.slug(text)] = courses[values.slug(code)] = (code, text)
        return code, None

    # sessions

    def session(self, course: str, day: dt.date, *, part: str | None = None, mode: str = "face_to_face",
                create: bool = True) -> tuple[str | None, str | None]:
        """The session of ``course`` on ``day`` (in the ``part`` of the day, if it ran more than once), created if new."""
        key = (course, day, part)
        if key in self.sessions:
            return self.sessions[key], None
        codes = [row[0] for row in self.db.execute(
            "SELECT code FROM sessions WHERE course = ? AND date = ? ORDER BY code", [course, day.isoformat()])]
        codes += [code for (c, d, _), code in self.sessions.items() if c == course and d == day and code not in codes]
        if len(codes) > 1 and part:
            codes = ([code for code in codes if code.casefold().endswith("-" + part)]
                     or [code for code in codes if not code.casefold().endswith(tuple("-" + p for p in PARTS))] or codes)
        if len(codes) == 1:
            return codes[0], None
        if codes:
            return None, (f"{course} ran more than once on {day.isoformat()} ({', '.join(codes)}); "
                          "say which part of the day (morning or afternoon), or give --session")
        if not create:
            return None, f"no session of {course} on {day.isoformat()}; import the sessions first or give --session"
        code = f"{course}-{day.isoformat()}" + (f"-{part}" if part else "")
        self.new.append(model.Session(code=code, course=course, date=day, mode=mode))
        self.sessions[key] = code
        return code, None

    # agencies

    def agencies(self) -> dict[str, tuple[str, bool]]:
        """slug of name → (name, verified), of the store's agencies and the ones created here."""
        if self._agencies is None:
            self._agencies = {values.slug(name): (name, bool(verified))
                              for name, verified in self.db.execute("SELECT name, verified FROM agencies ORDER BY name")}
        return self._agencies

    def agency(self, given, sector=None) -> tuple[str | None, str | None]:
        """The agency an organisation names, created unverified if new (sector from ``sector``'s answer)."""
        text = values.text(given)
        if text is None:
            return None, None
        agencies = self.agencies()
        found = agencies.get(values.slug(text))
        if found:
            return found[0], None
        verified = {key: name for key, (name, is_verified) in agencies.items() if is_verified}
        near = closest(text, verified)
        if near:
            return None, (f"no agency is called {text!r}: did you mean {near!r}? Correct it, map it under "
                          f"[values.agency] in a --mapping file, or add it first with scplearn agencies add")
        sector = sector_of(sector) or "unknown"
        self.new.append(model.Agency(name=text, sector=sector, verified=False))
        agencies[values.slug(text)] = (text, False)
        return text, None
