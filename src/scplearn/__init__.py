"""scplearn: evaluate multi-agency safeguarding training.

    import scplearn
    store = scplearn.open("training.db")
    scplearn.import_files(store, ["datasets/sample"])
    scplearn.evaluate(store, "uplift", by=["year"])
"""

from importlib.metadata import PackageNotFoundError, version

from .errors import ScplearnError
from .hookspecs import hookimpl
from .importing import ImportFailed, ImportReport, import_files
from .store import Store, open

try:
    __version__ = version("scplearn")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "ImportFailed", "ImportReport", "ScplearnError", "Store",
    "hookimpl", "import_files", "open", "__version__",
]
