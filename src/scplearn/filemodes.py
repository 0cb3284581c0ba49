"""Files for their owner's eyes only: the private database and its journal files, the pseudonym key,
backups and the follow-up contact list.

scplearn creates each of them new with mode 0600, whatever the umask (the
mode is set on the open file after creating it), and never writes through a
symlink or into a file that was already there. SQLite gives a database's
``-wal`` and ``-shm`` files the mode of the database itself, so a private
database created owner-only keeps its journal files owner-only too.
:func:`warn_if_open` warns (:class:`OpenFileWarning`) about such a file that
other users can read or write, as a file made by an older scplearn or copied
carelessly would be.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import warnings
from pathlib import Path

OWNER_ONLY = 0o600
OTHERS = 0o077
"""The permission bits of the file's group and of everyone else."""
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


class OpenFileWarning(UserWarning):
    """A file holding personal data or the pseudonym key can be read or written by other users."""


def create(path) -> int:
    """An open descriptor of a new, empty file at ``path`` that only its owner may read and write.

    Raises :class:`FileExistsError` when anything is at ``path``, a symlink
    (even a dangling one) included: nothing is ever opened through a link.
    """
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, OWNER_ONLY)
    os.fchmod(descriptor, OWNER_ONLY)
    return descriptor


def create_if_missing(path) -> None:
    """An empty owner-only file at ``path`` unless there is one (an empty file is an empty SQLite database)."""
    with contextlib.suppress(FileExistsError):
        os.close(create(path))


def write(path, data: bytes, *, replace: bool = False) -> None:
    """Write ``data`` to a new owner-only file at ``path``, flushed to disk.

    Without ``replace``, anything already at ``path`` is refused
    (:class:`FileExistsError`). With it, what is there (a file or a symlink)
    is replaced, never written through: the data goes to a new file beside it,
    which is then moved into its place.
    """
    path = Path(path)
    target = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial") if replace else path
    descriptor = create(target)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(target, path)
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def database_files(path) -> list[Path]:
    """A SQLite database file and the journal files SQLite may keep beside it."""
    path = Path(path)
    return [path, *(path.with_name(path.name + suffix) for suffix in SQLITE_COMPANIONS)]


def open_to_others(paths) -> list[tuple[Path, int]]:
    """``(path, mode)`` of each existing file of ``paths`` that its group or other users may read or write."""
    found = []
    for path in map(Path, paths):
        try:
            mode = path.stat().st_mode & 0o777
        except OSError:
            continue
        if mode & OTHERS:
            found.append((path, mode))
    return found


def warn_if_open(paths, holding: str) -> None:
    """Warn, once per file, about each of ``paths`` (files that hold ``holding``) other users may open."""
    for path, mode in open_to_others(paths):
        warnings.warn(
            f"{path} holds {holding} and is readable or writable by other users (mode {mode:04o}); "
            f"make it yours alone: chmod 600 {path}",
            OpenFileWarning, stacklevel=3,
        )
