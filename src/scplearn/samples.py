"""The bundled sample data and the demo that builds, evaluates and serves it."""

from __future__ import annotations

from pathlib import Path

import scplearn

from . import filemodes, folders, results
from .errors import ScplearnError

DEMO_DATABASE = "training.db"
DEMO_FILES = [
    *(path.name for name in (DEMO_DATABASE, "training.private.db") for path in filemodes.database_files(name)),
    "training.key", "training-public/",
]
"""What the demo writes in its folder: the store, and what serving it builds beside it."""


def sample_directory() -> Path:
    """``datasets/sample`` of the source checkout scplearn runs from (or of the working directory)."""
    for base in (Path(__file__).resolve().parents[2], Path.cwd()):
        candidate = base / "datasets" / "sample"
        if candidate.is_dir():
            return candidate
    raise ScplearnError("cannot find datasets/sample; run from a checkout of scplearn or pass --data")


def build(directory, data, *, force: bool = False, echo=print) -> Path:
    """Build the demo store afresh in ``directory`` from the files in ``data`` and run every evaluator;
    return the database's path. ``directory`` must be new, empty or the demo's (see :mod:`.folders`),
    unless ``force``; files the demo did not write there are left alone."""
    db_path = folders.claim(directory, DEMO_FILES, command="scplearn demo", force=force) / DEMO_DATABASE
    with scplearn.open(db_path) as store:
        echo(scplearn.import_files(store, [data]).summary())
        for line in run_everything(store):
            echo(line)
    return db_path


def run_everything(store):
    """Publish the store's results (every evaluator, every published grouping, audited), a line per year."""
    yield from results.publish(store).summary()


def serve(db_path: Path, port: int) -> int:
    """Serve the demo database as ``scplearn serve`` does: public figures and, after sign-in, the evidence.
    Returns Datasette's exit status."""
    from .publish.serve import serve as serve_site

    return serve_site(db_path, port=port)
