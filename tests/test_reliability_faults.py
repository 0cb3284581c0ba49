"""Faults: an import killed with SIGKILL at any moment leaves the database before or after, never between.

A forked child process imports delegates, bookings, evaluations and follow-ups of a synthetic
programme (bench/generate.py) into a store that already holds its sessions; the test kills it with SIGKILL after a delay spread across the
whole import, commit and checkpoint included. Each time the evidence database
must pass ``PRAGMA integrity_check`` and hold exactly the state before the
import or exactly the state after it (every table, every row; only the times
in the imports ledger and in its notes of changed years differ between runs),
and so must the private database. Running the import again afterwards
completes it.

Set ``SCPLEARN_LONG_TESTS=1`` for the long profile (more trials, more data).
"""

from __future__ import annotations

import importlib.util
import os
import random
import re
import signal
import sqlite3
import time
import traceback
from pathlib import Path

import pytest
from conftest import copy_store

import scplearn

ROOT = Path(__file__).resolve().parents[1]
LONG = os.environ.get("SCPLEARN_LONG_TESTS") == "1"
TRIALS = 100 if LONG else 20
RECORDS = 20_000 if LONG else 2_000
BEFORE_FILES = ("partnerships", "agencies", "courses", "sessions")
KILLED_FILES = ("delegates", "bookings", "evaluations", "followups")


class Child:
    """An import in a forked child process, which says when it starts and when it is done.

    Forking skips the start-up of a new interpreter, so the kills land in the
    import itself; the child opens its own store and never touches a
    connection of the parent.
    """

    def __init__(self, db_path: Path, files: list):
        reader, writer = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child
            status = 1
            try:
                os.close(reader)
                store = scplearn.open(db_path)
                store.pseudonymiser, store.private
                os.write(writer, b"r")
                scplearn.import_files(store, files)
                store.close()
                os.write(writer, b"d")
                status = 0
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(status)
        os.close(writer)
        self.pipe = os.fdopen(reader, "rb")
        assert self.pipe.read(1) == b"r", "the child failed before importing"

    def wait(self) -> tuple[int, bool]:
        """The child's wait status and whether it said it was done."""
        rest = self.pipe.read()
        self.pipe.close()
        _, status = os.waitpid(self.pid, 0)
        return status, b"d" in rest

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)


def load_generator():
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_TIME = re.compile(r"'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[^']*'")
LEDGER = ('INSERT INTO "imports"', 'INSERT INTO "data_changes"')


def state(db_path: Path) -> tuple:
    """The integrity check, then the dumps of the evidence and private databases (ledger times masked).

    The ledger is the ``imports`` table and its notes of the years each import changed (``data_changes``).
    """
    dumps = []
    for path in (db_path, db_path.with_suffix(".private.db")):
        connection = sqlite3.connect(path)
        try:
            check = connection.execute("PRAGMA integrity_check").fetchall()
            assert check == [("ok",)], f"{path.name}: {check}"
            dumps.append(tuple(_TIME.sub("'<time>'", line) if line.startswith(LEDGER) else line
                               for line in connection.iterdump()))
        finally:
            connection.close()
    return tuple(dumps)


@pytest.fixture(scope="module")
def programme(tmp_path_factory):
    """The store before the import, the files the import reads, and the states before and after."""
    directory = tmp_path_factory.mktemp("programme")
    load_generator().generate(directory / "files", RECORDS, seed=20)
    files = directory / "files"
    base = directory / "base" / "training.db"
    base.parent.mkdir()
    with scplearn.open(base) as store:
        scplearn.import_files(store, [files / f"{name}.csv" for name in BEFORE_FILES])
    killed = [files / f"{name}.csv" for name in KILLED_FILES]
    finished = copy_store(base, directory / "finished")
    started = time.perf_counter()
    status, done = Child(finished, killed).wait()
    assert status == 0 and done
    return {"base": base, "files": killed, "before": state(base), "after": state(finished),
            "duration": time.perf_counter() - started, "work": directory}


def test_the_import_changes_both_databases(programme):
    before, after = programme["before"], programme["after"]
    assert before[0] != after[0] and before[1] != after[1]


def test_an_import_killed_at_any_moment_leaves_before_or_after(programme):
    rng = random.Random(8)
    outcomes = {"before": 0, "after": 0}
    killed_mid_import = 0
    for trial in range(TRIALS):
        db_path = copy_store(programme["base"], programme["work"] / f"trial{trial}")
        child = Child(db_path, programme["files"])
        # Spread the kills over the import, its commit and the checkpoint after it.
        time.sleep(programme["duration"] * (trial + rng.random()) / TRIALS)
        child.kill()
        status, done = child.wait()
        if os.WIFSIGNALED(status) and not done:
            killed_mid_import += 1
        else:
            assert status == 0 and done
        found = state(db_path)
        evidence = "before" if found[0] == programme["before"][0] else "after"
        assert found[0] == programme[evidence][0], f"trial {trial}: the evidence database is neither before nor after"
        assert found[1] in (programme["before"][1], programme["after"][1]), (
            f"trial {trial}: the private database is neither before nor after")
        if evidence == "after":
            assert found[1] == programme["after"][1], "evidence written without the people it refers to"
        outcomes[evidence] += 1
        if evidence == "before" and outcomes["before"] == 1:
            assert Child(db_path, programme["files"]).wait() == (0, True)
            assert state(db_path) == programme["after"], "running the import again completes it"
    assert killed_mid_import >= TRIALS // 3, f"only {killed_mid_import} of {TRIALS} kills landed during the import"
    assert outcomes["before"] >= 1, outcomes
