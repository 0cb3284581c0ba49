"""scplearn: evaluate multi-agency safeguarding training.

    import scplearn
    from scplearn.samples import sample_directory
    store = scplearn.open("training.db")
    scplearn.import_files(store, [sample_directory()])  # the bundled synthetic sample
    scplearn.evaluate(store, "uplift", by=["year"])
"""

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from . import evaluation, results
from .errors import ScplearnError
from .evaluator import Count, Derived, Evaluator, Money, Percent, Row, Statistic, Text, Workforce
from .hookspecs import hookimpl
from .importing import ImportFailed, ImportReport, import_files
from .results.verify import audit
from .store import Store, open


def evaluate(db, name: str, *, by=(), year=None, partnership=None, as_of=None, keep=False) -> list[dict]:
    """The exact rows of evaluator ``name`` over ``db`` (a :class:`Store` or the path of an existing database),
    grouped ``by`` the given fields, for a financial ``year`` and/or ``partnership``.

    Reading writes nothing: rows kept by ``scplearn evaluate`` (or by
    ``keep=True``) are read while they are fresh, and otherwise computed. With
    ``keep=True`` computed rows are kept in the database with the state of the
    import ledger they came from (see :mod:`scplearn.results`), as ``scplearn
    evaluate`` keeps them, so asking again reads them until an import changes
    what they were computed from. ``as_of`` is the day on which follow-ups are
    judged due (default: today).
    """
    options = {"by": by, "year": year, "partnership": partnership, "as_of": as_of, "keep": keep}
    if isinstance(db, Store):
        return results.exact(db, name, **options)
    if not Path(db).exists():
        raise ScplearnError(f"{db}: no such database")
    with open(db) as store:
        return results.exact(store, name, **options)


try:
    __version__ = version("scplearn")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "Count", "Derived", "Evaluator", "ImportFailed", "ImportReport", "Money", "Percent", "Row", "ScplearnError",
    "Statistic", "Store", "Text", "Workforce", "audit", "evaluate", "evaluation", "hookimpl", "import_files", "open",
    "__version__",
]
