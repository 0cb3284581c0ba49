"""What each import wrote, and undoing one import exactly.

An import is the only writer while its transaction runs, and SQLite gives a
new row a rowid above every rowid in its table: so the rows one file of an
import inserted are exactly those with rowids above the table's largest
before the file, up to its largest after. :func:`mark` and :func:`note_inserts`
keep that range per table in ``import_ranges`` (two numbers, whatever the
number of rows). Rows it updates are fewer: the writer notes each one's
earlier values (as JSON) in ``import_journal`` (see
:meth:`scplearn.writer.Writer.journal_updates`). Undoing an import
gives the updated rows their earlier values back, deletes the inserted ones,
recounts the per-session summaries of the sessions it touched, replaces its
notes of the years it changed (``data_changes``) by a note of the undo, and
removes its ledger row, so the same file can be imported again (with the right
``--session``, say).

An undo is refused, writing nothing, when a later import changed the same
rows (undo that one first) or when records written since refer to what it
created (a booking on a session it created, say).
"""

from __future__ import annotations

import json

from . import summaries
from .errors import ScplearnError
from .results import ledger
from .schema import TABLE_NAMES

TABLES = tuple(TABLE_NAMES.values())


def _largest(db) -> dict[str, int]:
    return {table: db.execute(f"SELECT coalesce(max(rowid), 0) FROM {table}").fetchone()[0] for table in TABLES}


def mark(db) -> dict[str, int]:
    """Each table's largest rowid, before a file is imported: the marks :func:`note_inserts` needs."""
    return _largest(db)


def note_inserts(db, import_id: int, marks: dict[str, int]) -> None:
    """Keep the range of rowids each table gained since :func:`mark` (everything written flushed)."""
    for table, largest in _largest(db).items():
        if largest > marks[table]:
            db.execute("INSERT INTO import_ranges (import, tbl, first, last) VALUES (?, ?, ?, ?)",
                       [import_id, table, marks[table] + 1, largest])


def undo(store, import_id: int) -> dict:
    """Remove what import ``import_id`` wrote; returns ``{"removed": {table: n}, "restored": {table: n}, "filename": ...}``."""
    db = store.db
    ledger = db.execute("SELECT id, filename FROM imports WHERE id = ?", [import_id]).fetchone()
    if ledger is None:
        known = [str(row[0]) for row in db.execute("SELECT id FROM imports ORDER BY id DESC LIMIT 5")]
        raise ScplearnError(f"no import {import_id}; the latest are {', '.join(known) or 'none'} (see scplearn imports)")
    notes = db.execute(
        "SELECT tbl, rid, before FROM import_journal WHERE import = ? ORDER BY rowid DESC", [import_id]
    ).fetchall()
    for table, first, last in db.execute("SELECT tbl, first, last FROM import_ranges WHERE import = ?", [import_id]):
        notes += [(table, rowid, None) for (rowid,) in db.execute(
            f"SELECT rowid FROM {table} WHERE rowid BETWEEN ? AND ? ORDER BY rowid DESC", [first, last])]
    later = db.execute(
        "SELECT min(j.import) FROM import_journal j WHERE j.import > ? AND ("
        "EXISTS (SELECT 1 FROM import_journal mine WHERE mine.import = ? AND mine.tbl = j.tbl AND mine.rid = j.rid) "
        "OR EXISTS (SELECT 1 FROM import_ranges r WHERE r.import = ? AND r.tbl = j.tbl AND j.rid BETWEEN r.first AND r.last))",
        [import_id, import_id, import_id],
    ).fetchone()[0]
    if later is not None:
        raise ScplearnError(f"import {import_id} ({ledger[1]}): import {later} changed the same records since; "
                            f"undo import {later} first")
    db.execute("PRAGMA foreign_keys = OFF")  # checked as a whole below, once every note is undone
    try:
        return _undo(store, import_id, ledger[1], notes)
    finally:
        db.execute("PRAGMA foreign_keys = ON")


def _undo(store, import_id: int, filename: str, notes) -> dict:
    db = store.db
    removed, restored, sessions, delegates = {}, {}, set(), []
    with db.atomic(), store.private.atomic():
        for table, rowid, before in notes:
            current = db.execute(f"SELECT * FROM {table} WHERE rowid = ?", [rowid])
            row = current.fetchone()
            if row is None:
                continue
            names = [column[0] for column in current.description]
            if "session" in names and table in summaries.SOURCES:
                sessions.add(row[names.index("session")])
            if before is None:
                db.execute(f"DELETE FROM {table} WHERE rowid = ?", [rowid])
                removed[table] = removed.get(table, 0) + 1
                if table == "delegates":
                    delegates.append(row[names.index("key")])
            else:
                values = json.loads(before)
                db.execute(f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in values)} WHERE rowid = ?",
                           [*values.values(), rowid])
                restored[table] = restored.get(table, 0) + 1
        for table in ("session_summaries", "score_summaries"):
            db.execute(f"DELETE FROM {table} WHERE session NOT IN (SELECT code FROM sessions)")
        broken = db.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise ScplearnError(
                f"import {import_id} ({filename}): records written since refer to what it created "
                f"(rows of {broken[0][0]} refer to {broken[0][2]}); undo those imports first"
            )
        for start in range(0, len(delegates), 500):
            chunk = delegates[start:start + 500]
            store.private.execute(f"DELETE FROM people WHERE key IN ({', '.join('?' * len(chunk))})", chunk)
        db.execute("DELETE FROM import_journal WHERE import = ?", [import_id])
        db.execute("DELETE FROM import_ranges WHERE import = ?", [import_id])
        _note_undo(db, import_id, filename)
        db.execute("DELETE FROM imports WHERE id = ?", [import_id])
        known_sessions = [code for code in sessions if db.execute("SELECT 1 FROM sessions WHERE code = ?", [code]).fetchone()]
        if known_sessions:
            summaries.refresh(db, known_sessions)
    in_order = lambda counts: {table: counts[table] for table in TABLES if table in counts}  # noqa: E731
    return {"filename": filename, "removed": in_order(removed), "restored": in_order(restored)}


def _note_undo(db, import_id: int, filename: str) -> None:
    """Replace the import's notes of the years it changed (``data_changes``) with a note of its undo.

    Foreign keys are off during an undo, so the notes would not go with the
    ledger row, and would keep referring to an import that no longer exists
    (a later undo then finds them in its foreign-key check). Nor may they
    simply go: notes are numbered like rows, so the next import would be
    numbered as this one was and give its years the very stamp they had while
    this import was in place, and results kept then would pass for fresh.
    A note of the undo, for the same years, dates them anew: written before
    the import's notes go, so that it is numbered above every note there has been.
    """
    years = [year for (year,) in db.execute(f"SELECT year FROM {ledger.CHANGES} WHERE import = ?", [import_id])]
    if years:
        ledger.record_edit(db, f"import {import_id} ({filename}) undone", None if None in years else years)
    db.execute(f"DELETE FROM {ledger.CHANGES} WHERE import = ?", [import_id])

