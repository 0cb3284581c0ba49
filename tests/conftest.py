"""Shared fixtures and helpers: an empty store, one holding the importer tests' reference records, one built from
the bundled sample data, and what an import must leave unchanged."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import pytest

import scplearn

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "src" / "scplearn" / "sample"
SMALL = ROOT / "datasets" / "small"
"""Two partnerships, three agencies (a dental practice of three delegates and a nursery of nine among them),
four sessions over two years: a programme built to be attacked (see datasets/README.md)."""


def _sample_years() -> list[str]:
    from scplearn.values import year_of

    with open(SAMPLE / "sessions.csv", encoding="utf-8", newline="") as handle:
        return sorted({year_of(dt.date.fromisoformat(row["date"])) for row in csv.DictReader(handle)})


SAMPLE_YEARS = _sample_years()
"""The financial years the bundled sample's sessions fall in, earliest first (2020/21 to 2023/24)."""


@pytest.fixture
def tmp_store(tmp_path):
    """An empty scplearn store in a temporary directory."""
    store = scplearn.open(tmp_path / "training.db")
    yield store
    store.close()


@pytest.fixture
def store(tmp_store, tmp_path):
    """A store holding the reference records (:func:`reference`); a test module wanting another overrides it."""
    reference(tmp_store, tmp_path / "reference")
    return tmp_store


@pytest.fixture(scope="session")
def sample_dir():
    return SAMPLE


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory):
    """A store built once from the bundled sample; treat it as read-only."""
    directory = tmp_path_factory.mktemp("sample")
    store = scplearn.open(directory / "training.db")
    scplearn.import_files(store, [SAMPLE])
    yield store
    store.close()


@pytest.fixture
def sample_copy(tmp_path, sample_store):
    """A private, writable copy of the sample store (database, private database and key)."""
    sample_store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    sample_store.private.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for source in (sample_store.path, sample_store.private_path, sample_store.key_path):
        shutil.copy(source, tmp_path / source.name)
    store = scplearn.open(tmp_path / sample_store.path.name)
    yield store
    store.close()


def write_csv(path: Path, text: str) -> Path:
    """Write a CSV fixture from an indented triple-quoted string."""
    import textwrap

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def reference_files(directory):
    """Write a small set of canonical files, one of each record type, into ``directory``; return it."""
    write_csv(directory / "partnerships.csv", """
        name,description
        Leicester,City partnership
    """)
    write_csv(directory / "agencies.csv", """
        name,sector,workforce,partnership
        City Police,police,1200,Leicester
        St Mary's School,Education,80,Leicester
    """)
    write_csv(directory / "courses.csv", """
        code,title,level,duration_hours
        CAS01,Core Awareness,1,3
    """)
    write_csv(directory / "sessions.csv", """
        code,course,date,mode,capacity,partnership,headcount
        S1,CAS01,03/09/2023,Face to face,20,Leicester,
        S2,CAS01,2024-02-01,virtual,20,Leicester,
        FEST,CAS01,2024-03-01,festival,,Leicester,284
    """)
    write_csv(directory / "delegates.csv", """
        email,name,role,agency
        Zoe.O'Brien@example.org,Zoë O'Brien,Teacher,St Mary's School
        bob@example.org,Bob Smith,Constable,City Police
    """)
    write_csv(directory / "bookings.csv", """
        session,email,status,walk_in
        S1,zoe.o'brien@EXAMPLE.org,attended,no
        S1,bob@example.org,cancelled,
        S2,bob@example.org,attended,yes
        S2,new.person@example.org,did not attend,
    """)
    write_csv(directory / "evaluations.csv", """
        session,email,knowledge_pre,knowledge_post,skills_pre,skills_post,confidence_pre,confidence_post,action_1
        S1,zoe.o'brien@example.org,5,8,4,7/10,6,9 out of 10,Use the toolkit
        S2,bob@example.org,6,7,5,5,N/A,8,
    """)
    return directory


def dump(store):
    """The SQL of the evidence and private databases, to compare two stores exactly."""
    store.pseudonymiser  # as after `scplearn init`: the key exists before any import
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return list(store.db.conn.iterdump()), list(store.private.conn.iterdump())


def copy_store(db_path: Path, directory: Path) -> Path:
    """Copy a closed store (database, private database, key) into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    for source in (db_path, db_path.with_suffix(".private.db"), db_path.with_suffix(".key")):
        shutil.copy2(source, directory / source.name)
    return directory / db_path.name


def small_programme(directory: Path) -> list[Path]:
    """Copy the small programme's files into ``directory``; return them."""
    shutil.copytree(SMALL, directory)
    return sorted(directory.iterdir())


def reference(store, directory):
    """Import the records a training team keeps in scplearn's own layout: partnership, agencies, courses, sessions."""
    write_csv(directory / "partnerships.csv", """
        name
        Leicester
    """)
    write_csv(directory / "agencies.csv", """
        name,sector,partnership
        Leicestershire Police,police,Leicester
        St Mary's Primary School,education,Leicester
        Leicester City Council Children's Services,la_children,Leicester
        University Hospitals of Leicester NHS Trust,health,Leicester
    """)
    write_csv(directory / "courses.csv", """
        code,title,duration_hours
        CAS01,Core Awareness in Safeguarding Children,3
        NEG02,Neglect: Recognising and Responding,2
        VIR03,Online Safety Briefing,
    """)
    write_csv(directory / "sessions.csv", """
        code,course,date,mode,capacity,partnership
        CAS01-2024-09-03,CAS01,03/09/2024,face to face,20,Leicester
        NEG02-2024-09-10,NEG02,2024-09-10,virtual,30,Leicester
        NEG02-2024-10-15,NEG02,15/10/2024,virtual,30,Leicester
        VIR03-2024-09-12,VIR03,2024-09-12,webinar,100,Leicester
    """)
    report = scplearn.import_files(store, [directory])
    assert report.written
    return directory


def snapshot(store):
    """Everything an import can change: every table but the ledger, and the private database."""
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    evidence = [line for line in store.db.conn.iterdump() if 'INSERT INTO "imports"' not in line]
    counts = {table: number for table, number in store.counts().items() if table != "imports"}
    return counts, evidence, list(store.private.conn.iterdump())


def people(store):
    """Private store contents, email -> name."""
    return {row["email"]: row["name"] for row in store.private["people"].rows}


def bookings(store):
    """Bookings by email (through the private store), as (session, email) -> (status, walk_in)."""
    emails = {row["key"]: row["email"] for row in store.private["people"].rows}
    return {
        (row["session"], emails[row["delegate"]]): (row["status"], bool(row["walk_in"]))
        for row in store.db["bookings"].rows
    }
