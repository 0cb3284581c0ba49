"""Publishing with Datasette: the public database, its metadata, and serving them.

- :func:`build_public` writes ``public.db``: disclosure-controlled figures only
  (:mod:`.public`), a copy of the published results of :mod:`scplearn.results`.
- :func:`build_metadata` describes it, and the evidence database behind a
  sign-in, for Datasette 0.65: canned queries (:mod:`.queries`) and dashboards
  (:mod:`.dashboards`) included.
- :func:`scplearn.publish.serve.serve` and :func:`scplearn.publish.serve.publish`
  put them together; coordinators' passwords are kept by :mod:`.passwords`.

See docs/publishing.md.
"""

from .metadata import build_metadata
from .public import build_public

__all__ = ["build_metadata", "build_public"]
