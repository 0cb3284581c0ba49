"""Datasette plugin: the objects a server starts with, frozen out of the garbage collector's way.

Python's full garbage collection goes over every object the process holds,
and in a Datasette process most of them are made at start-up (modules,
compiled templates, metadata) and live as long as it does. Serving the public
site of a million records, a full collection took 20–40 ms; under load it
came every few hundred requests, and every request in flight waited for it
(at concurrency 8, a tenth of a page's requests in a benchmark round of 80).
At start-up this plugin collects once and freezes what is left
(:func:`gc.freeze`), so later full collections go over newer objects only:
1–4 ms.

Only the first Datasette started in a process freezes. Frozen objects are
never collected, so a process that starts many (a test run) would otherwise
keep every one it discards.

The module needs nothing but Datasette, so a published site can load it with
``--plugins-dir`` where scplearn is not installed.
"""

from __future__ import annotations

import gc

from datasette import hookimpl

_frozen = False


@hookimpl
def startup(datasette):
    global _frozen
    if _frozen:
        return
    _frozen = True
    gc.collect()
    gc.freeze()
