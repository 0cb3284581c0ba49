"""Helpers that more than one test module uses; each lives here once, and no test module imports another.

- ``files/``: each platform's export written as the platform writes it (``files.teams``,
  ``files.eventbrite``, ``files.msforms``, ``files.googleforms``) and the spreadsheets a training
  team keeps (``files.register``, ``files.mapped``), with the rows they hold.
- ``examples``: a valid input for every importer, and the small store they import into.
- ``programmes``: random training programmes (a hypothesis strategy), a tiny hand-worked one,
  and loading either into a store.
- ``expected``: the pieces the tests recount evaluators' figures with by hand, from plain rows,
  and how their rows are compared.
- ``report``: the NHS rounding rule written out by hand, and how the report must word a count.
- ``site``: a crawl of every page a published site links to.

Fixtures and the small helpers nearly every module needs (``write_csv``, ``reference``,
``snapshot``) are in ``tests/conftest.py``.
"""
