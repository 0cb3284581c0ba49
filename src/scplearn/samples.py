"""The bundled sample data and the demo that builds, evaluates and serves it."""

from __future__ import annotations

from pathlib import Path

from . import results
from .errors import ScplearnError


def sample_directory() -> Path:
    """``datasets/sample`` of the source checkout scplearn runs from (or of the working directory)."""
    for base in (Path(__file__).resolve().parents[2], Path.cwd()):
        candidate = base / "datasets" / "sample"
        if candidate.is_dir():
            return candidate
    raise ScplearnError("cannot find datasets/sample; run from a checkout of scplearn or pass --data")


def run_everything(store):
    """Publish the store's results (every evaluator, every published grouping, audited), a line per year."""
    for block in results.publish(store).blocks():
        yield (f"{block['year']}: {block['protected']:,} published counts audited, "
               f"{block['secondary']:,} more withheld to protect others")


def serve(db_path: Path, port: int) -> None:
    """Serve the demo database as ``scplearn serve`` does: public figures and, after sign-in, the evidence."""
    from .publish.serve import serve as serve_site

    serve_site(db_path, port=port)
