"""Folders scplearn writes into (a published site, the demo): never someone else's, and no stale files.

scplearn writes into a folder only when it does not exist yet, is empty, or
holds the marker file ``.scplearn-files``, which lists what scplearn wrote
there. Any other folder holds someone else's files and is refused unless the
caller forces it. Before writing again, scplearn removes the files the marker
lists, and only those, so nothing it wrote last time is left stale and
nothing anyone else put there is touched.
"""

from __future__ import annotations

import shutil
from pathlib import Path, PurePosixPath

from .errors import ScplearnError

MARKER = ".scplearn-files"


def claim(directory, names, *, command: str, force: bool = False) -> Path:
    """Make ``directory`` ready for ``command`` to write ``names`` into (paths relative to it, a folder
    ending with /), and return it.

    Creates it if need be, and refuses one holding anything but what its
    marker lists, unless ``force``. Then removes what the marker lists and
    whatever is at each of ``names`` (a file or a link there is replaced, never
    written through), and records ``names`` as the marker, before anything is
    written: a run that fails half-way still leaves a folder scplearn knows.
    """
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise ScplearnError(f"{directory} is a file; give a folder to write into")
    directory.mkdir(parents=True, exist_ok=True)
    marker = directory / MARKER
    entries = sorted(entry.name for entry in directory.iterdir())
    if entries and not marker.is_file() and not force:
        shown = ", ".join(entries[:3]) + (f" and {len(entries) - 3} more" if len(entries) > 3 else "")
        raise ScplearnError(f"{directory} holds files scplearn did not write ({shown}); choose a new or empty "
                            "folder, or pass --force to write into it anyway")
    for name in [*written(directory), *names]:
        remove(directory, name)
    marker.unlink(missing_ok=True)
    lines = [f"# Written by {command}. Running it again replaces these files, and only these.", *names]
    marker.write_text("\n".join(lines) + "\n")
    return directory


def written(directory) -> list[str]:
    """What the marker of ``directory`` says scplearn wrote there (paths relative to it; a folder ends with /)."""
    marker = Path(directory) / MARKER
    if not marker.is_file():
        return []
    return [line.strip() for line in marker.read_text().splitlines() if line.strip() and not line.startswith("#")]


def remove(directory: Path, name: str) -> None:
    """Remove ``directory/name`` if it is there: a file or a link (never what it points to), or with a
    trailing / a whole folder. A name reaching outside ``directory`` is ignored."""
    relative = PurePosixPath(name)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        return
    path = directory.joinpath(*relative.parts)
    if not path.parent.resolve().is_relative_to(directory.resolve()):
        return
    if name.endswith("/"):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
    elif path.is_symlink() or path.is_file():
        path.unlink()
