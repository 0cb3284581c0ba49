"""scplearn: evaluate multi-agency safeguarding training.

    import scplearn
    store = scplearn.open("training.db")
    scplearn.import_files(store, ["datasets/sample"])
    scplearn.evaluate(store, "uplift", by=["year"])
"""

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from . import evaluation
from .errors import ScplearnError
from .hookspecs import hookimpl
from .importing import ImportFailed, ImportReport, import_files
from .store import Store, open


def evaluate(db, name: str, *, by=(), year=None, partnership=None, as_of=None, save: bool = True) -> list[dict]:
    """Run the evaluator ``name`` over ``db``, a :class:`Store` or the path of an existing database.

    See :func:`scplearn.evaluation.evaluate`, which this calls.
    """
    options = {"by": by, "year": year, "partnership": partnership, "as_of": as_of, "save": save}
    if isinstance(db, Store):
        return evaluation.evaluate(db, name, **options)
    if not Path(db).exists():
        raise ScplearnError(f"{db}: no such database")
    with open(db) as store:
        return evaluation.evaluate(store, name, **options)


try:
    __version__ = version("scplearn")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "ImportFailed", "ImportReport", "ScplearnError", "Store",
    "evaluate", "hookimpl", "import_files", "open", "__version__",
]
