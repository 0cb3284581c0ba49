"""A served site's start-up objects are frozen out of the garbage collector's way, once a process."""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = r"""
import asyncio, gc, json, sys
from datasette.app import Datasette

async def main():
    counts = [gc.get_freeze_count()]
    for _ in range(2):
        await Datasette([sys.argv[1]]).invoke_startup()
        counts.append(gc.get_freeze_count())
    print(json.dumps(counts))

asyncio.run(main())
"""


def test_the_first_datasette_started_in_a_process_freezes_what_it_holds_and_the_next_does_not(sample_store):
    # A process of its own: this test run has started Datasette before.
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(sample_store.path)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    before, first, second = json.loads(result.stdout)
    assert before == 0
    assert first > 10_000  # the modules, Datasette and its plugins: everything then alive
    assert second == first
