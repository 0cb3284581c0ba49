"""What each import wrote, and undoing one import exactly.

While an import runs, temporary triggers note in ``import_journal`` every row
it inserts (by table and rowid) and the earlier values of every row it
updates (as JSON), under the ledger id of the file being read. Undoing that
id walks its notes backwards: updated rows get their earlier values back,
inserted rows are deleted, the per-session summaries of the sessions it
touched are recounted and its ledger row is removed, so the same file can
be imported again (with the right ``--session``, say).

An undo is refused, writing nothing, when a later import changed the same
rows (undo that one first) or when records written since refer to what it
created (a booking on a session it created, say).
"""

from __future__ import annotations

import contextlib
import json

from . import summaries
from .errors import ScplearnError
from .importers.canonical import TABLE_NAMES

TABLES = tuple(TABLE_NAMES.values())


def _columns(db, table: str) -> list[str]:
    return [row[1] for row in db.execute(f"PRAGMA main.table_info({table})")]


@contextlib.contextmanager
def recording(db):
    """Note every insert and update of the record tables, under the id :func:`set_import` last gave."""
    db.execute("CREATE TEMP TABLE IF NOT EXISTS current_import (id INTEGER)")
    db.execute("DELETE FROM temp.current_import")
    db.execute("INSERT INTO temp.current_import VALUES (NULL)")
    for table in TABLES:
        before = ", ".join(f"'{column}', old.{column}" for column in _columns(db, table))
        db.execute(
            f"CREATE TEMP TRIGGER journal_{table}_insert AFTER INSERT ON main.{table} BEGIN "
            f"INSERT INTO import_journal (import, tbl, rid, before) "
            f"VALUES ((SELECT id FROM temp.current_import), '{table}', new.rowid, NULL); END"
        )
        db.execute(
            f"CREATE TEMP TRIGGER journal_{table}_update BEFORE UPDATE ON main.{table} BEGIN "
            f"INSERT INTO import_journal (import, tbl, rid, before) "
            f"VALUES ((SELECT id FROM temp.current_import), '{table}', old.rowid, json_object({before})); END"
        )
    try:
        yield
    finally:
        for table in TABLES:
            db.execute(f"DROP TRIGGER IF EXISTS temp.journal_{table}_insert")
            db.execute(f"DROP TRIGGER IF EXISTS temp.journal_{table}_update")


def set_import(db, import_id: int) -> None:
    db.execute("UPDATE temp.current_import SET id = ?", [import_id])


def undo(store, import_id: int) -> dict:
    """Remove what import ``import_id`` wrote; returns ``{"removed": {table: n}, "restored": {table: n}, "filename": ...}``."""
    db = store.db
    ledger = db.execute("SELECT id, filename FROM imports WHERE id = ?", [import_id]).fetchone()
    if ledger is None:
        known = [str(row[0]) for row in db.execute("SELECT id FROM imports ORDER BY id DESC LIMIT 5")]
        raise ScplearnError(f"no import {import_id}; the latest are {', '.join(known) or 'none'} (see scplearn imports)")
    notes = db.execute(
        "SELECT rowid, tbl, rid, before FROM import_journal WHERE import = ? ORDER BY rowid DESC", [import_id]
    ).fetchall()
    later = db.execute(
        "SELECT min(j.import) FROM import_journal j JOIN import_journal mine ON mine.tbl = j.tbl AND mine.rid = j.rid "
        "WHERE mine.import = ? AND j.import > ?", [import_id, import_id]
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
        for _, table, rowid, before in notes:
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
        db.execute("DELETE FROM imports WHERE id = ?", [import_id])
        known_sessions = [code for code in sessions if db.execute("SELECT 1 FROM sessions WHERE code = ?", [code]).fetchone()]
        if known_sessions:
            summaries.refresh(db, known_sessions)
    in_order = lambda counts: {table: counts[table] for table in TABLES if table in counts}  # noqa: E731
    return {"filename": filename, "removed": in_order(removed), "restored": in_order(restored)}
