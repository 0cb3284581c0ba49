"""The bundled sample is what datasets/generate.py writes, and spans enough years for coverage and currency."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util

from conftest import ROOT, SAMPLE, SAMPLE_YEARS

from scplearn.values import year_of


def load_generator():
    spec = importlib.util.spec_from_file_location("sample_generate", ROOT / "datasets" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rows(table):
    with open(SAMPLE / f"{table}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_bundled_sample_is_what_the_generator_writes(tmp_path):
    load_generator().generate(tmp_path)
    for path in sorted(SAMPLE.glob("*.csv")):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_some_people_carry_over_between_years_and_some_are_due_a_refresher():
    """At the end of 2023/24 the three-year window starts on 2021-04-01: people last present before it are due."""
    assert SAMPLE_YEARS == ["2020/21", "2021/22", "2022/23", "2023/24"]
    dates = {session["code"]: dt.date.fromisoformat(session["date"]) for session in rows("sessions")}
    years, last = {}, {}
    for booking in rows("bookings"):
        if booking["status"] == "attended":
            email, day = booking["email"].lower(), dates[booking["session"]]
            years.setdefault(email, set()).add(year_of(day))
            last[email] = max(last.get(email, day), day)
    earlier = {email for email, seen in years.items() if seen & {"2020/21", "2021/22"}}
    carried = {email for email in earlier if years[email] & {"2022/23", "2023/24"}}
    due = {email for email, day in last.items() if day < dt.date(2021, 4, 1)}
    assert len(carried) > len(earlier) / 5
    assert len(due) > len(earlier) / 5
    # Everyone present is a delegate, whichever year they came in.
    assert set(years) <= {delegate["email"] for delegate in rows("delegates")}
