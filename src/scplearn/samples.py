"""The bundled sample data and the demo that builds, evaluates and serves it."""

from __future__ import annotations

from pathlib import Path

import scplearn

from . import filemodes, folders, results

DEMO_DATABASE = "training.db"
DEMO_FILES = [
    *(path.name for name in (DEMO_DATABASE, "training.private.db") for path in filemodes.database_files(name)),
    "training.key", "training-public/",
]
"""What the demo writes in its folder: the store, and what serving it builds beside it."""


def sample_directory() -> Path:
    """The synthetic sample data, installed with the package (see datasets/README.md)."""
    return Path(__file__).resolve().parent / "sample"


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
