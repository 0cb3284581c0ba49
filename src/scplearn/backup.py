"""Consistent copies of a store while it is in use, with SQLite's online backup.

``backup(db_path, dest)`` copies the evidence database as it stood at one
moment: SQLite's backup API reads every page inside one read transaction, so a
copy taken while an import is writing holds the state before that import or
after it, never part of it. The copy is written to a temporary file beside
``dest``, checked with ``PRAGMA integrity_check`` and only then moved into
place, so ``dest`` is never a half-written file.

With ``private=True`` the private database (names and emails) is copied too,
in its own read transaction, to a file readable by its owner only. The pseudonym key is copied only with
``key=True``: it never changes, so keep one copy of it somewhere safer than
the data backups (see docs/reliability.md).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import attrs

from .errors import ScplearnError


@attrs.frozen
class Copied:
    """One file a backup wrote."""

    source: Path
    dest: Path
    pages: int | None = None  # None for the key file, which is not a database


def _read_only(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=30)
    connection.execute("PRAGMA busy_timeout = 30000")
    return connection


def copy_database(source: Path, dest: Path, *, overwrite: bool = False, mode: int | None = None) -> Copied:
    """Copy the SQLite database ``source`` to ``dest`` in one read transaction, then check the copy.

    With ``mode`` the copy is created with that mode before any data is written to it.
    """
    source, dest = Path(source), Path(dest)
    if not source.is_file():
        raise ScplearnError(f"{source}: no such database")
    if dest.exists() and not overwrite:
        raise ScplearnError(f"{dest} already exists; choose a new name or pass --overwrite")
    if dest.resolve() == source.resolve():
        raise ScplearnError(f"{dest} is the database itself; choose another destination")
    partial = dest.with_name(f".{dest.name}.partial")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        partial.unlink(missing_ok=True)
        if mode is not None:
            os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode))  # an empty file is an empty database
            os.chmod(partial, mode)
        reader = _read_only(source)
        try:
            writer = sqlite3.connect(partial)
            try:
                reader.backup(writer)  # pages=-1: every page in one step, one snapshot
                writer.execute("PRAGMA journal_mode = DELETE")  # a self-contained file, no -wal beside it
                check = writer.execute("PRAGMA integrity_check").fetchall()
                pages = writer.execute("PRAGMA page_count").fetchone()[0]
            finally:
                writer.close()
        finally:
            reader.close()
        if check != [("ok",)]:
            raise ScplearnError(f"the copy of {source} failed its integrity check: {check[0][0]}")
        with open(partial, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, dest)
    except sqlite3.DatabaseError as error:
        raise ScplearnError(f"cannot back up {source}: {error}") from None
    except OSError as error:
        raise ScplearnError(f"cannot write {dest}: {error.strerror or error}") from None
    finally:
        if partial.parent.is_dir():
            partial.unlink(missing_ok=True)
    return Copied(source, dest, pages)


def destination(db_path, dest) -> Path:
    """``dest`` itself, or ``dest/<name of the database>`` when ``dest`` is a directory or ends with a slash."""
    text = os.fspath(dest)
    path = Path(text)
    if path.is_dir() or text.endswith(("/", os.sep)):
        return path / Path(db_path).name
    return path


def backup(db_path, dest, *, private: bool = False, key: bool = False, private_path=None,
           key_path=None, overwrite: bool = False) -> list[Copied]:
    """Back up the store at ``db_path`` to ``dest`` (a file, or a directory to put it in).

    The private database goes to ``dest`` with the suffix ``.private.db`` and
    the key to ``dest`` with ``.key`` (mode 0600), as :func:`scplearn.open`
    expects to find them, so ``scplearn.open(dest)`` opens the restored store.
    """
    db_path = Path(db_path)
    dest = destination(db_path, dest)
    private_path = Path(private_path) if private_path else db_path.with_suffix(".private.db")
    key_path = Path(key_path) if key_path else db_path.with_suffix(".key")
    copies = [copy_database(db_path, dest, overwrite=overwrite)]
    if private:
        if not private_path.is_file():
            raise ScplearnError(f"{private_path}: no private database to back up")
        copies.append(copy_database(private_path, dest.with_suffix(".private.db"), overwrite=overwrite, mode=0o600))
    if key:
        copies.append(_copy_key(key_path, dest.with_suffix(".key"), overwrite=overwrite))
    return copies


def _copy_key(source: Path, dest: Path, *, overwrite: bool) -> Copied:
    if not source.is_file():
        raise ScplearnError(f"{source}: no pseudonym key file to back up")
    if dest.exists() and not overwrite:
        raise ScplearnError(f"{dest} already exists; choose a new name or pass --overwrite")
    partial = dest.with_name(f".{dest.name}.partial")
    partial.unlink(missing_ok=True)
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle, open(source, "rb") as original:
        shutil.copyfileobj(original, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(partial, 0o600)
    os.replace(partial, dest)
    return Copied(source, dest)
