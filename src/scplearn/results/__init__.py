"""The results stage: between the evaluators and everything public.

- :class:`Stage` keeps each evaluator's **exact** results in the evidence
  database, computed once per grouping and scope and stamped with the state of
  the import ledger they came from (:mod:`.stage`, :mod:`.ledger`);
- :func:`publish` puts them through the one disclosure policy, a year at a
  time, audited (:mod:`.publication`, :mod:`scplearn.disclosure`,
  :mod:`.model`, :mod:`.audit`), and :class:`Published` reads what it made.

Nothing public calls an evaluator: the public database, the dashboards, the
canned queries, the report and plugins' report sections all read the
published results.
"""

from __future__ import annotations

from .publication import PUBLISHED_GROUPINGS, Published, publish
from .stage import Stage


def exact(store, name: str, by=(), *, year=None, partnership=None, as_of=None, keep=False) -> list[dict]:
    """The exact rows of evaluator ``name`` grouped ``by`` in the scope given: the kept rows while they are fresh,
    otherwise computed, and kept only if ``keep``."""
    return Stage(store, as_of, keep=keep).rows(name, by, year=year, partnership=partnership)


__all__ = ["PUBLISHED_GROUPINGS", "Published", "Stage", "exact", "publish"]
