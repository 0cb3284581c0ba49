"""The cost evaluator against hand-worked figures, a row-by-row recount and the sample's spend file."""

from __future__ import annotations

import csv

import pytest
from conftest import write_csv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from helpers.expected import GROUPINGS, Lookup, assert_rows_equal, keyed
from helpers.programmes import hand_worked_files, load, programmes

import scplearn
from scplearn.evaluation import DELEGATE_LEVEL, Scope
from scplearn.evaluators.cost import Cost
from scplearn.evaluators.reach import Reach


def cost_by_hand(data, by, scope=Scope()) -> dict:
    """Cost recounted row by row, following docs/evaluators.md."""
    look = Lookup(data)
    costable = set(by) <= {"year", "partnership"}
    costed = {(s["year"], s["partnership"]) for s in data["spend"]}
    wanted = scope.as_dict()
    groups = {}

    def group(key):
        return groups.setdefault(key, {"spend": None, "people": set(), "attendances": 0})

    if costable:
        for entry in data["spend"]:
            if all(entry[f] == v for f, v in wanted.items()):
                g = group(tuple(entry[f] for f in by))
                g["spend"] = (g["spend"] or 0) + entry["amount"]
    for b in data["bookings"]:
        session = look.sessions[b["session"]]
        if b["status"] == "attended" and look.in_scope(b["session"], scope) \
                and (session["year"], session["partnership"]) in costed:
            g = group(look.key(by, b["session"], b["delegate"]))
            g["people"].add(b["delegate"])
            g["attendances"] += 1
    if not DELEGATE_LEVEL & set(by):
        for session in data["sessions"]:
            if session["headcount"] is not None and look.in_scope(session["code"], scope) \
                    and (session["year"], session["partnership"]) in costed:
                group(look.key(by, session["code"]))["attendances"] += session["headcount"]
    return {
        key: {
            "spend": g["spend"], "unique_delegates": len(g["people"]), "attendances": g["attendances"],
            "cost_per_delegate": g["spend"] / len(g["people"]) if g["spend"] is not None and g["people"] else None,
            "cost_per_attendance": (g["spend"] / g["attendances"]
                                    if g["spend"] is not None and g["attendances"] else None),
        }
        for key, g in groups.items()
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=programmes(), by=st.sampled_from(GROUPINGS),
       scope=st.sampled_from([Scope(), Scope(year="2023/24"), Scope(partnership="P1")]))
def test_cost_matches_a_row_by_row_recount(data, by, scope):
    store = load(data)
    try:
        assert_rows_equal(keyed(Cost().evaluate(store, by, scope), by), cost_by_hand(data, by, scope))
    finally:
        store.close()


def test_the_sample_spend_is_the_spend_file_divided_by_reach(sample_store, sample_dir):
    with open(sample_dir / "spend.csv", encoding="utf-8") as handle:
        spend = {(row["year"], row["partnership"]): float(row["amount"]) for row in csv.DictReader(handle)}
    by = ["year", "partnership"]
    # The evaluators themselves: the results stage would write to the shared store.
    cost = keyed(Cost().evaluate(sample_store, by, Scope()), by)
    reach = keyed(Reach().evaluate(sample_store, by, Scope()), by)
    assert set(cost) == set(spend) == set(reach)  # every year and partnership of the sample has a spend
    for key, amount in spend.items():
        assert cost[key]["spend"] == amount
        assert cost[key]["unique_delegates"] == reach[key]["unique_delegates"]
        assert cost[key]["attendances"] == reach[key]["headcount"]
        assert cost[key]["cost_per_delegate"] == pytest.approx(amount / reach[key]["unique_delegates"])
        assert cost[key]["cost_per_attendance"] == pytest.approx(amount / reach[key]["headcount"])
    (year,) = Cost().evaluate(sample_store, ["year"], Scope(year="2023/24"))
    assert year["spend"] == sum(amount for (y, _), amount in spend.items() if y == "2023/24")


def two_partnerships(directory):
    hand_worked_files(directory)
    write_csv(directory / "partnerships.csv", """
        name
        Leicester
        Rutland
    """)
    with open(directory / "sessions.csv", "a", encoding="utf-8") as handle:
        handle.write("R1,CAS01,2023-10-10,virtual,15,Rutland,\n")
    with open(directory / "bookings.csv", "a", encoding="utf-8") as handle:
        handle.write("R1,zoe@example.org,attended,\nR1,rob@example.org,attended,\n")
    write_csv(directory / "spend.csv", """
        year,partnership,amount
        2023/24,Leicester,"£2,880"
        2022/23,Rutland,500
    """)
    return directory


def test_cost_by_hand_on_a_tiny_programme(tmp_store, tmp_path):
    scplearn.import_files(tmp_store, [two_partnerships(tmp_path / "in")])
    rows = keyed(scplearn.evaluate(tmp_store, "cost", by=["year", "partnership"]), ["year", "partnership"])
    # Leicester 2023/24: zoe, ann (S1), bob (S2), ann (E1) attended, plus 284 at the festival.
    assert rows[("2023/24", "Leicester")] == {
        "spend": 2880.0, "unique_delegates": 3, "attendances": 4 + 284,
        "cost_per_delegate": 2880 / 3, "cost_per_attendance": 2880 / 288,
    }
    # Rutland has a spend for a year with no training, and training in a year with no spend.
    assert rows[("2022/23", "Rutland")] == {
        "spend": 500.0, "unique_delegates": 0, "attendances": 0, "cost_per_delegate": None,
        "cost_per_attendance": None,
    }
    assert ("2023/24", "Rutland") not in rows
    # A year's figures cover only the partnerships with a spend that year.
    (year,) = scplearn.evaluate(tmp_store, "cost", by=["year"], year="2023/24")
    assert (year["spend"], year["unique_delegates"], year["attendances"]) == (2880.0, 3, 288)


def test_groupings_that_cannot_split_the_money_keep_the_counts_only(tmp_store, tmp_path):
    scplearn.import_files(tmp_store, [two_partnerships(tmp_path / "in")])
    for by in (["course"], ["sector"], ["year", "mode"]):
        rows = scplearn.evaluate(tmp_store, "cost", by=by)
        assert rows
        for row in rows:
            assert row["spend"] is row["cost_per_delegate"] is row["cost_per_attendance"] is None
    (course,) = scplearn.evaluate(tmp_store, "cost", by=["course"])
    assert (course["unique_delegates"], course["attendances"]) == (3, 288)


def test_no_spend_no_rows(tmp_store, tmp_path):
    scplearn.import_files(tmp_store, [hand_worked_files(tmp_path / "in")])
    for by in ([], ["year"], ["partnership", "year"], ["course"], ["sector"]):
        assert Cost().evaluate(tmp_store, by, Scope()) == []
