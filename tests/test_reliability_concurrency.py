"""Concurrency: Datasette keeps answering while a 200,000-record import writes to the same database.

``scplearn import`` runs in a subprocess, writing 200,000 evaluation records
of a synthetic programme (bench/generate.py) into a store that already holds
the programme's sessions. Meanwhile Datasette, on the same file in this
process, answers a stream of requests: pages (the database, a table) and one
SQL query counting evaluations, score counts and ledger entries together.
Every request must succeed (never "database is locked"), and every count must
be the state before the import or the state after it, never a mix, and never
go back to before once after has been seen.

Set ``SCPLEARN_LONG_TESTS=1`` for the long profile (the import runs three times over).
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from datasette.app import Datasette

import scplearn

ROOT = Path(__file__).resolve().parents[1]
LONG = os.environ.get("SCPLEARN_LONG_TESTS") == "1"
RECORDS = 200_000
RUNS = 3 if LONG else 1
COUNTS = ("SELECT (SELECT count(*) FROM evaluations) AS evaluations, "
          "(SELECT count(*) FROM score_summaries) AS score_summaries, (SELECT count(*) FROM imports) AS imports")


def load_generator():
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    directory = tmp_path_factory.mktemp("programme")
    load_generator().generate(directory, RECORDS, seed=30)
    return directory


def counts(store) -> tuple:
    return tuple(store.db.execute(COUNTS).fetchone())


async def watch(ds: Datasette, database: str, child: subprocess.Popen, before: tuple) -> dict:
    """Request pages and counts until the import has finished (and a few times after)."""
    sql = f"/{database}.json?" + urllib.parse.urlencode({"sql": COUNTS, "_shape": "array"})
    paths = [sql, f"/{database}", sql, f"/{database}/sessions?_size=5", sql, f"/{database}/evaluations.json?_size=3"]
    seen = {"states": [], "failures": [], "requests": 0, "during": 0, "slowest": 0.0}
    after_finished = 0
    while after_finished < len(paths):
        finished = child.poll() is not None
        for path in paths:
            started = time.perf_counter()
            response = await ds.client.get(path)
            seen["slowest"] = max(seen["slowest"], time.perf_counter() - started)
            seen["requests"] += 1
            seen["during"] += not finished
            if response.status_code != 200 or "database is locked" in response.text:
                seen["failures"].append((path, response.status_code, response.text[:300]))
            elif path == sql:
                row = response.json()[0]
                seen["states"].append((row["evaluations"], row["score_summaries"], row["imports"]))
        if finished:
            after_finished += len(paths)
        await asyncio.sleep(0)
    return seen


@pytest.mark.parametrize("run", range(RUNS))
def test_datasette_answers_with_before_or_after_counts_during_an_import(files, tmp_path, run):
    db_path = tmp_path / "training.db"
    with scplearn.open(db_path) as store:
        scplearn.import_files(store, [files / f"{name}.csv" for name in ("partnerships", "agencies", "courses", "sessions")])
        before = counts(store)
    ds = Datasette([str(db_path)])
    database = db_path.stem
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    child = subprocess.Popen([sys.executable, "-m", "scplearn", "import", str(db_path), str(files / "evaluations.csv")],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        seen = asyncio.run(watch(ds, database, child, before))
    finally:
        output = child.communicate(timeout=600)[0]
    assert child.returncode == 0, output
    with scplearn.open(db_path) as store:
        after = counts(store)
    assert after[0] == RECORDS and after[1] > 0 and after[2] == before[2] + 1

    assert not seen["failures"], seen["failures"][:3]
    assert set(seen["states"]) <= {before, after}, set(seen["states"]) - {before, after}
    first_after = seen["states"].index(after)
    assert all(state == after for state in seen["states"][first_after:]), "a reader went back to before"
    assert seen["states"][0] == before, "the readers started after the import had finished: nothing was tested"
    assert seen["during"] >= 20, f"only {seen['during']} requests were answered during the import"
    assert seen["slowest"] < 10, f"a request took {seen['slowest']:.1f} s"
