"""Shared fixtures: an empty store, and a store built from the bundled sample data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import scplearn

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "src" / "scplearn" / "sample"
SMALL = ROOT / "datasets" / "small"
"""Two partnerships, three agencies (a dental practice of three delegates and a nursery of nine among them),
four sessions over two years: a programme built to be attacked (see datasets/README.md)."""


@pytest.fixture
def tmp_store(tmp_path):
    """An empty scplearn store in a temporary directory."""
    store = scplearn.open(tmp_path / "training.db")
    yield store
    store.close()


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


def small_programme(directory: Path) -> list[Path]:
    """Copy the small programme's files into ``directory``; return them."""
    shutil.copytree(SMALL, directory)
    return sorted(directory.iterdir())
