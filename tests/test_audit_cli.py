"""``scplearn audit``: a publication checked as an attacker would check it, from the command line."""

from __future__ import annotations

import shutil
import sqlite3
import time

import pytest
from click.testing import CliRunner
from conftest import SAMPLE_YEARS, small_programme

import scplearn
from scplearn.cli import cli
from scplearn.disclosure import DisclosurePolicy
from scplearn.publish import build_public

UNROUNDED = ["--rounding-base", "1"]


@pytest.fixture(scope="module")
def small_site(tmp_path_factory):
    """The small programme built to be attacked, published unrounded (where subtraction is exact)."""
    directory = tmp_path_factory.mktemp("audited")
    small_programme(directory / "data")
    with scplearn.open(directory / "training.db") as store:
        scplearn.import_files(store, [directory / "data"])
        (directory / "site").mkdir()
        build_public(store, directory / "site" / "public.db", policy=DisclosurePolicy(rounding_base=1))
    return directory


def audit(*args):
    return CliRunner().invoke(cli, ["audit", *map(str, args)])


def doctored(small_site, tmp_path, sql: str):
    shutil.copytree(small_site / "site", tmp_path / "site")
    db = sqlite3.connect(tmp_path / "site" / "public.db")
    with db:
        changed = db.execute(sql).rowcount
    db.close()
    assert changed
    return tmp_path / "site"


def test_the_sample_passes_the_audit_within_a_minute(sample_store, tmp_path):
    public = build_public(sample_store, tmp_path / "public.db")
    start = time.perf_counter()
    result = audit(public)
    elapsed = time.perf_counter() - start
    assert result.exit_code == 0, result.output + result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == SAMPLE_YEARS
    assert all(line.endswith("passed") and "counts checked" in line for line in lines)
    assert elapsed < 60


def test_a_site_folder_and_an_evidence_database_pass(small_site):
    from_outside = audit(small_site / "site", *UNROUNDED)
    assert from_outside.exit_code == 0, from_outside.output + from_outside.stderr
    with_exact_figures = audit(small_site / "training.db", *UNROUNDED)
    assert with_exact_figures.exit_code == 0, with_exact_figures.output + with_exact_figures.stderr
    assert len(with_exact_figures.stdout.splitlines()) == 2


def test_a_protecting_count_filled_in_is_named(small_site, tmp_path):
    """The police's attendances were withheld to protect the dental practice's three. Put back in the agency's
    row, they give away the police sector's, withheld too: the audit names it, pinned."""
    site = doctored(small_site, tmp_path, """
        UPDATE reach_results SET attended = 22,
            suppressed = replace(suppressed, 'attended, ', ''), protecting = replace(protecting, 'attended, ', '')
        WHERE year = '2023/24' AND grouping = 'year,sector,agency' AND agency = 'Police East'
    """)
    result = audit(site, *UNROUNDED)
    assert result.exit_code == 1
    assert "2023/24: " in result.stdout and "FAILED" in result.stdout
    assert "reach_results, year 2023/24, sector police: attended could be worked out to 22 from the published " \
           "figures" in result.stderr


@pytest.mark.parametrize("change, named", [
    pytest.param("UPDATE reach_results SET attended = 3 WHERE year = '2023/24' AND agency = 'Hillside Dental Practice'",
                 "agency Hillside Dental Practice: attended is published as 3, which the policy never publishes",
                 id="a small count published"),
    pytest.param("UPDATE reach_results SET workforce = 4 WHERE year = '2024/25' AND agency = 'Hillside Dental Practice'",
                 "agency Hillside Dental Practice: workforce is 4, but withheld in 2023/24: the same workforce every "
                 "year", id="a workforce shown in one year and withheld in another"),
    pytest.param("UPDATE cost_results SET cost_per_delegate = 110.5 WHERE year = '2023/24' AND grouping = 'year'",
                 "cost_per_delegate = 110.5 is not computed from the published figures",
                 id="a rate computed from an exact count"),
])
def test_a_doctored_site_fails_naming_the_figure(small_site, tmp_path, change, named):
    result = audit(doctored(small_site, tmp_path, change), *UNROUNDED)
    assert result.exit_code == 1
    assert named in result.stderr


def test_neither_kind_of_database_is_refused(tmp_path):
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    result = audit(other)
    assert result.exit_code == 1
    assert "neither a scplearn database nor a public database" in result.stderr
