"""Consistent copies of a store while it is in use, with SQLite's online backup, and putting them back.

``backup(db_path, folder)`` makes a new dated folder in ``folder`` (mode
0700) holding the evidence database, the private database and the pseudonym
key under their own names, every file readable by its owner only. Each
database is copied as it stood at one moment: SQLite's backup API reads every
page inside one read transaction, so a copy taken while an import is writing
holds the state before that import or after it, never part of it. Each copy
is checked with ``PRAGMA integrity_check``; the folder is built under a
temporary name and renamed only when complete, so a dated folder always
holds a whole backup, and a second backup never touches the first.

``restore(backup_folder, db_path)`` checks the backup (each database's
integrity, and that the key is the one its evidence database was built with)
before writing anything, then copies each database into place through
SQLite's backup API, so that a store left in WAL mode, or still open
elsewhere, takes the restored pages whole.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
from pathlib import Path

import attrs

from . import filemodes, identity
from .errors import ScplearnError
from .store import companion_paths, warn_if_open_to_others

FOLDER_FORMAT = "%Y-%m-%d-%H%M%S"
"""The name of a backup's folder: when it was taken, to the second (local time)."""


@attrs.frozen
class Copied:
    """One file a backup or a restore wrote."""

    source: Path
    dest: Path
    pages: int | None = None  # None for the key file, which is not a database


def _read_only(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=30)
    connection.execute("PRAGMA busy_timeout = 30000")
    return connection


def integrity(connection: sqlite3.Connection, source: Path) -> int:
    """The page count of a database that passes ``PRAGMA integrity_check``; a clear error otherwise."""
    check = connection.execute("PRAGMA integrity_check").fetchall()
    if check != [("ok",)]:
        problems = [line for (text,) in check for line in str(text).splitlines()]
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise ScplearnError(f"{source} failed its integrity check: {problems[0]}{more}")
    return connection.execute("PRAGMA page_count").fetchone()[0]


def copy_database(source: Path, dest: Path) -> Copied:
    """Copy the SQLite database ``source`` to the new file ``dest`` (owner-only) in one read transaction,
    then check the copy. ``dest`` is a self-contained file, with no ``-wal`` beside it."""
    source, dest = Path(source), Path(dest)
    if not source.is_file():
        raise ScplearnError(f"{source}: no such database")
    try:
        filemodes.create_if_missing(dest)
        reader = _read_only(source)
        try:
            writer = sqlite3.connect(dest)
            try:
                reader.backup(writer)  # pages=-1: every page in one step, one snapshot
                writer.execute("PRAGMA journal_mode = DELETE")
                pages = integrity(writer, dest)
            finally:
                writer.close()
        finally:
            reader.close()
        with open(dest, "rb+") as handle:
            os.fsync(handle.fileno())
    except sqlite3.DatabaseError as error:
        raise ScplearnError(f"cannot back up {source}: {error}") from None
    except OSError as error:
        raise ScplearnError(f"cannot write {dest}: {error.strerror or error}") from None
    return Copied(source, dest, pages)


def backup(db_path, folder, *, private: bool = True, key: bool = True, private_path=None, key_path=None,
           now: dt.datetime | None = None) -> list[Copied]:
    """Back up the store at ``db_path`` into a new dated folder in ``folder``; return what was copied.

    The folder holds the evidence database under its own name and, unless
    ``private`` or ``key`` is false, the private database and the key beside
    it as :func:`scplearn.open` expects them, so ``scplearn.open(<dated
    folder>/training.db)`` opens the backup where it is.
    """
    db_path = Path(db_path)
    private_path, key_path = companion_paths(db_path, private_path, key_path)
    warn_if_open_to_others(private_path, key_path)
    if not db_path.is_file():
        raise ScplearnError(f"{db_path}: no such database")
    if private and not private_path.is_file():
        raise ScplearnError(f"{private_path}: no private database to back up (leave it out with --no-private)")
    if key and not key_path.is_file():
        raise ScplearnError(f"{key_path}: no pseudonym key file to back up (leave it out with --no-key)")
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ScplearnError(f"{folder} is a file; give the folder to keep backups in")
    dated = _new_folder_name(folder, now or dt.datetime.now())
    partial = dated.with_name(f".{dated.name}.partial")
    made = False
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial.mkdir(mode=0o700)
        made = True
        os.chmod(partial, 0o700)
        copies = [copy_database(db_path, partial / db_path.name)]
        if private:
            copies.append(copy_database(private_path, partial / _private_name(db_path)))
        if key:
            filemodes.write(partial / _key_name(db_path), key_path.read_bytes())
            copies.append(Copied(key_path, partial / _key_name(db_path)))
        os.rename(partial, dated)
    except OSError as error:
        raise ScplearnError(f"cannot write the backup in {folder}: {error.strerror or error}") from None
    finally:
        if made and partial.is_dir():
            shutil.rmtree(partial)
    return [attrs.evolve(copy, dest=dated / copy.dest.name) for copy in copies]


def _new_folder_name(folder: Path, now: dt.datetime) -> Path:
    name = now.strftime(FOLDER_FORMAT)
    dated, number = folder / name, 1
    while os.path.lexists(dated):  # a dangling symlink too
        number += 1
        dated = folder / f"{name}-{number}"
    return dated


def _private_name(db_path: Path) -> str:
    return companion_paths(Path(db_path.name))[0].name


def _key_name(db_path: Path) -> str:
    return companion_paths(Path(db_path.name))[1].name


@attrs.frozen
class Backup:
    """The files of one backup folder: its evidence database, and its private database and key if it has them."""

    db: Path
    private: Path | None
    key: Path | None

    @classmethod
    def find(cls, path) -> Backup:
        """The backup in the folder ``path`` (or whose evidence database is the file ``path``)."""
        path = Path(path)
        if path.is_file():
            db = path
        elif path.is_dir():
            found = [p for p in sorted(path.glob("*.db")) if not p.name.endswith(".private.db")]
            if len(found) != 1:
                raise ScplearnError(f"{path} is not a scplearn backup: it should hold one evidence database "
                                    f"beside its .private.db and .key, and holds {len(found)}")
            db = found[0]
        else:
            raise ScplearnError(f"{path}: no such backup")
        private, key = (db.parent / name for name in (_private_name(db), _key_name(db)))
        return cls(db, private if private.is_file() else None, key if key.is_file() else None)


def restore(backup_path, db_path, *, private_path=None, key_path=None, force: bool = False) -> list[Copied]:
    """Put the backup at ``backup_path`` (a folder :func:`backup` made) back as the store at ``db_path``.

    Nothing is written unless every database of the backup passes its
    integrity check and the key (the backup's, or else the store's own) is
    the one the backup's evidence database was built with. Files already at
    ``db_path``, ``private_path`` or ``key_path`` are replaced only with
    ``force`` (a key file the same as the backup's is no obstacle). A backup
    without a private database leaves the store's alone.
    """
    found = Backup.find(backup_path)
    db_path = Path(db_path)
    private_path, key_path = companion_paths(db_path, private_path, key_path)
    for path in (found.db, found.private):
        if path:
            _check(path)
    _check_key(found.db, found.key or key_path)
    targets = [(found.db, db_path), (found.private, private_path), (found.key, key_path)]
    existing = [str(dest) for source, dest in targets if source and dest.exists()
                and not (source == found.key and dest.read_bytes() == source.read_bytes())]  # the same key: nothing lost
    if existing and not force:
        raise ScplearnError(f"{', '.join(existing)} already exist; pass --force to replace them with the backup")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    restored = []
    for source, dest in targets[:2]:
        if source:
            restored.append(Copied(source, dest, _copy_into(source, dest, private=dest == private_path)))
    if found.key:
        try:
            filemodes.write(key_path, found.key.read_bytes(), replace=True)
        except OSError as error:
            raise ScplearnError(f"cannot restore {key_path}: {error.strerror or error}") from None
        restored.append(Copied(found.key, key_path))
    return restored


def _check(path: Path) -> None:
    try:
        connection = _read_only(path)
        try:
            integrity(connection, path)
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise ScplearnError(f"{path} is not a usable database: {error}") from None


def _check_key(db_path: Path, key_path: Path) -> None:
    connection = _read_only(db_path)
    try:
        row = connection.execute("SELECT value FROM scplearn_meta WHERE key = 'key_fingerprint'").fetchone()
    except sqlite3.DatabaseError:
        raise ScplearnError(f"{db_path} is not a scplearn database") from None
    finally:
        connection.close()
    if row is None:
        return  # a store that never made a pseudonym: any key fits
    if identity.load_key(key_path).fingerprint != row[0]:
        raise ScplearnError(f"the pseudonym key {key_path} does not fit {db_path}: its delegates' pseudonyms were "
                            "made with another key. Restore with the key that was backed up with it")


def _copy_into(source: Path, dest: Path, *, private: bool) -> int:
    """Copy ``source`` into the database ``dest`` (created if need be, owner-only when ``private``)
    through SQLite's backup API, which keeps ``dest``'s journal mode and its readers' view whole."""
    try:
        if private:
            filemodes.create_if_missing(dest)
        reader = _read_only(source)
        try:
            writer = sqlite3.connect(dest, timeout=30)
            try:
                reader.backup(writer)
                return integrity(writer, dest)
            finally:
                writer.close()
        finally:
            reader.close()
    except sqlite3.DatabaseError as error:
        raise ScplearnError(f"cannot restore {dest}: {error}") from None
    except OSError as error:
        raise ScplearnError(f"cannot restore {dest}: {error.strerror or error}") from None
