"""Courses, sessions and agencies: listing them, and saying what the files cannot.

Imports create courses, sessions and organisations from what the files show
(:mod:`scplearn.importers.catalogue`); a coordinator then adds what no export
carries (a session's capacity and trainer, a course's priority and level),
confirms the organisations imports marked unverified, gives them a sector,
or merges one into another (``LPT`` into ``Leicestershire Partnership NHS
Trust``), which moves its delegates too. Names are found ignoring case and
punctuation. Every value is checked as the import checks it.
"""

from __future__ import annotations

import attrs

from . import model, values
from .errors import ScplearnError
from .importers.catalogue import closest, course_code
from .results import ledger
from .schema import TABLE_NAMES, TABLES

EDITABLE = {
    model.Course: ("title", "topic", "priority", "level", "duration_hours"),
    model.Session: ("date", "mode", "capacity", "trainer", "partnership", "headcount"),
    model.Agency: ("sector", "workforce", "partnership"),
}


def _rows(store, sql: str, parameters=()) -> list[dict]:
    cursor = store.db.execute(sql, parameters)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor]


def courses(store) -> list[dict]:
    return _rows(store, "SELECT * FROM courses ORDER BY code")


def sessions(store, course: str | None = None) -> list[dict]:
    if course is None:
        return _rows(store, "SELECT * FROM sessions ORDER BY date, code")
    return _rows(store, "SELECT * FROM sessions WHERE course = ? ORDER BY date, code", [find_course(store, course)])


def agencies(store, *, unverified: bool = False) -> list[dict]:
    """Agencies with the number of delegates of each; only the unverified ones if asked."""
    where = "WHERE a.verified = 0" if unverified else ""
    return _rows(store, f"SELECT a.*, (SELECT count(*) FROM delegates d WHERE d.agency = a.name) AS delegates "
                        f"FROM agencies a {where} ORDER BY a.name")


def _find(store, table: str, column: str, given, what: str) -> str:
    """The key of the row whose ``column`` is ``given`` ignoring case and punctuation; else a "did you mean" error."""
    known = {values.slug(value): value for (value,) in store.db.execute(f"SELECT {column} FROM {table}")}
    found = known.get(values.slug(given))
    if found is not None:
        return found
    near = closest(str(given), known)
    raise ScplearnError(f"no {what} {given!r}" + (f"; did you mean {near!r}?" if near else ""))


def find_course(store, given) -> str:
    """A course's code from its code or title; else a "did you mean" error."""
    known = {}
    for code, title in store.db.execute("SELECT code, title FROM courses"):
        known[values.slug(title)] = known[values.slug(code)] = (code, title)
    found = known.get(values.slug(given))
    if found:
        return found[0]
    near = closest(str(given), {key: f"{title} ({code})" for key, (code, title) in known.items()})
    raise ScplearnError(f"no course {given!r}" + (f"; did you mean {near}?" if near else ""))


def find_agency(store, given) -> str:
    return _find(store, "agencies", "name", given, "agency")


def _check(record_type, fields: dict):
    """``fields`` converted as an import converts them; a :class:`ScplearnError` naming each bad one."""
    converters = {field.name: field.converter for field in attrs.fields(record_type)}
    converted, problems = {}, []
    for name, raw in fields.items():
        try:
            converted[name] = converters[name](raw) if converters[name] else raw
        except ValueError as error:
            problems.append(f"{name} {raw!r}: {error}")
    if problems:
        raise ScplearnError("; ".join(problems))
    return {name: value.isoformat() if hasattr(value, "isoformat") else value for name, value in converted.items()}


def _update(store, record_type, key: str, fields: dict) -> None:
    fields = {name: value for name, value in fields.items() if value is not None}
    if not fields:
        raise ScplearnError("nothing to change: give at least one option")
    unknown = sorted(set(fields) - set(EDITABLE[record_type]))
    if unknown:
        raise ScplearnError(f"cannot change {', '.join(unknown)}")
    table = TABLE_NAMES[record_type]
    checked = _check(record_type, fields)
    if "date" in checked:
        checked["year"] = values.year_of(values.date(checked["date"]))
    _check_references(store, checked)
    (column,) = TABLES[table].key
    with store.db.atomic():
        store.db.execute(f"UPDATE {table} SET {', '.join(f'{name} = ?' for name in checked)} WHERE {column} = ?",
                         [*checked.values(), key])
        ledger.record_edit(store.db, f"{table[:-1] if table != 'agencies' else 'agency'} {key}: "
                           + ", ".join(checked))


def _check_references(store, fields: dict) -> None:
    if fields.get("partnership") is not None:
        fields["partnership"] = _find(store, "partnerships", "name", fields["partnership"], "partnership")


def add_course(store, title: str, *, code: str | None = None, **fields) -> str:
    """Add a course (its code made from its title unless given); returns its code."""
    taken = {row[0] for row in store.db.execute("SELECT code FROM courses")}
    existing = {values.slug(t): c for c, t in store.db.execute("SELECT code, title FROM courses")}
    if values.slug(title) in existing:
        raise ScplearnError(f"course {existing[values.slug(title)]} already has this title")
    code = code or course_code(title, taken)
    if code in taken:
        raise ScplearnError(f"course {code} exists already; edit it with scplearn courses edit")
    checked = _check(model.Course, {k: v for k, v in fields.items() if v is not None})
    record = model.Course(code=code, title=title, **checked)
    with store.db.atomic():
        store.db["courses"].insert(attrs.asdict(record))
        ledger.record_edit(store.db, f"course {code} added", years=())
    return code


def edit_course(store, course: str, **fields) -> str:
    code = find_course(store, course)
    _update(store, model.Course, code, fields)
    return code


def add_session(store, course: str, date, mode: str, *, code: str | None = None, **fields) -> str:
    """Add a session of a course on a day; returns its code (``COURSE-YYYY-MM-DD`` unless given)."""
    course = find_course(store, course)
    try:
        day = values.date(date)
    except ValueError as error:
        raise ScplearnError(f"date {date!r}: {error}") from None
    code = code or f"{course}-{day.isoformat()}"
    if store.db.execute("SELECT 1 FROM sessions WHERE code = ?", [code]).fetchone():
        raise ScplearnError(f"session {code} exists already; edit it with scplearn sessions edit, or give --code")
    checked = _check(model.Session, {"code": code, "course": course, "date": date, "mode": mode,
                                     **{k: v for k, v in fields.items() if v is not None}})
    _check_references(store, checked)
    checked["year"] = values.year_of(day)
    with store.db.atomic():
        store.db["sessions"].insert(checked)
        ledger.record_edit(store.db, f"session {code} added", years=[checked["year"]])
    return code


def edit_session(store, code: str, **fields) -> str:
    code = _find(store, "sessions", "code", code, "session")
    _update(store, model.Session, code, fields)
    return code


def add_agency(store, name: str, sector: str, **fields) -> str:
    known = {values.slug(n): n for (n,) in store.db.execute("SELECT name FROM agencies")}
    if values.slug(name) in known:
        raise ScplearnError(f"agency {known[values.slug(name)]!r} exists already")
    checked = _check(model.Agency, {"name": name, "sector": sector, **{k: v for k, v in fields.items() if v is not None}})
    _check_references(store, checked)
    with store.db.atomic():
        store.db["agencies"].insert({**checked, "verified": 1})
        ledger.record_edit(store.db, f"agency {checked['name']} added")
    return checked["name"]


def confirm_agency(store, name: str, **fields) -> str:
    """Mark an agency verified, setting its sector (and workforce, partnership) if given."""
    name = find_agency(store, name)
    fields = {key: value for key, value in fields.items() if value is not None}
    if fields:
        _update(store, model.Agency, name, fields)
    with store.db.atomic():
        store.db.execute("UPDATE agencies SET verified = 1 WHERE name = ?", [name])
        ledger.record_edit(store.db, f"agency {name} confirmed")
    return name


def merge_agency(store, name: str, into: str) -> tuple[str, str, int]:
    """Move every delegate of agency ``name`` to agency ``into`` and remove ``name``; returns (name, into, delegates moved)."""
    name, into = find_agency(store, name), find_agency(store, into)
    if name == into:
        raise ScplearnError(f"{name!r} and {into!r} are the same agency")
    with store.db.atomic():
        moved = store.db.execute("UPDATE delegates SET agency = ? WHERE agency = ?", [into, name]).rowcount
        store.db.execute("DELETE FROM agencies WHERE name = ?", [name])
        ledger.record_edit(store.db, f"agency {name} merged into {into}")
    return name, into, moved
