"""The bundled sample data and the demo that builds, evaluates and serves it."""

from __future__ import annotations

from pathlib import Path

from . import evaluation, plugins
from .errors import ScplearnError

DEMO_GROUPINGS = (("year",), ("year", "partnership"), ("year", "course"), ("year", "sector"), ("year", "mode"))


def sample_directory() -> Path:
    """``datasets/sample`` of the source checkout scplearn runs from (or of the working directory)."""
    for base in (Path(__file__).resolve().parents[2], Path.cwd()):
        candidate = base / "datasets" / "sample"
        if candidate.is_dir():
            return candidate
    raise ScplearnError("cannot find datasets/sample; run from a checkout of scplearn or pass --data")


def run_everything(store):
    """Run every installed evaluator over the usual groupings, yielding a line per evaluator."""
    for name in plugins.get_evaluators():
        total = 0
        for by in DEMO_GROUPINGS:
            total += len(evaluation.evaluate(store, name, by=by))
        yield f"{name}: {total} result rows in {evaluation.result_table(name)}"


def serve(db_path: Path, port: int) -> int:
    """Serve the demo database as ``scplearn serve`` does: public figures and, after sign-in, the evidence.
    Returns Datasette's exit status."""
    from .publish.serve import serve as serve_site

    return serve_site(db_path, port=port)
