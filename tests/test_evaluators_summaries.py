"""The per-session summaries give every evaluator exactly what counting the records gives.

Session-level groupings read ``session_summaries`` and ``score_summaries``;
with the summaries switched off (``evaluation.session_level`` answering no)
the same evaluators count the bookings, evaluations and follow-ups row by row,
as they do for delegate-level groupings. Both must agree, on the sample data
and on random programmes (``programmes`` in tests/helpers/programmes.py).
"""

from __future__ import annotations

import datetime as dt
import itertools
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from helpers.programmes import load, programmes

from scplearn import evaluation, plugins
from scplearn.evaluation import DELEGATE_LEVEL, GROUPINGS, Scope
from scplearn.evaluators.impact import Impact

SESSION_LEVEL = [field for field in GROUPINGS if field not in DELEGATE_LEVEL]
BY = [[], *([field] for field in SESSION_LEVEL), *(list(pair) for pair in itertools.combinations(SESSION_LEVEL, 2))]
AS_OF = dt.date(2024, 6, 1)


def evaluators():
    found = plugins.get_evaluators()
    return {name: found[name] for name in ("cost", "reach", "uplift")} | {"impact": Impact(as_of=AS_OF)}


def both_ways(store, by, scope, monkeypatch) -> tuple[dict, dict]:
    """``({evaluator: rows from the summaries}, {evaluator: rows from the records})``."""
    from_summaries = {name: e.evaluate(store, by, scope) for name, e in evaluators().items()}
    with monkeypatch.context() as patch:
        patch.setattr(evaluation, "session_level", lambda by: False)
        from_records = {name: e.evaluate(store, by, scope) for name, e in evaluators().items()}
    return from_summaries, from_records


REACH_PEOPLE = ("booked", "cancelled", "attended", "did_not_attend", "walk_ins", "unique_delegates", "show_rate")
"""The reach columns counted from the bookings either way. Counting the records is reach's delegate-level
computation, which gives no sessions, places or workforce, and no row to a group of sessions nobody booked."""


def assert_values(name, mine, theirs, columns) -> None:
    for column in columns:
        value = theirs[column]
        if isinstance(value, float):
            assert mine[column] == pytest.approx(value, rel=1e-12, abs=1e-12), (name, column, mine)
        else:
            assert mine[column] == value, (name, column, mine)


def assert_same(from_summaries: dict, from_records: dict) -> None:
    for name, rows in from_records.items():
        if name == "reach":
            assert_same_reach(from_summaries[name], rows)
            continue
        assert len(from_summaries[name]) == len(rows), name
        for mine, theirs in zip(from_summaries[name], rows):
            assert mine.keys() == theirs.keys(), name
            assert_values(name, mine, theirs, theirs)


def assert_same_reach(from_summaries: list, from_records: list) -> None:
    fields = [field for field in GROUPINGS if field in (from_summaries or from_records or [{}])[0]]
    counted = {tuple(row[field] for field in fields): row for row in from_records}
    summed = {tuple(row[field] for field in fields): row for row in from_summaries}
    assert set(counted) <= set(summed), "every group with bookings has sessions"
    for key, mine in summed.items():
        if key in counted:
            assert mine.keys() == counted[key].keys()
            assert_values("reach", mine, counted[key], REACH_PEOPLE)
        else:  # sessions with no booking or attendance at all: large events, sessions nobody booked
            assert [mine[column] for column in REACH_PEOPLE[:-1]] == [0] * 6, mine


@pytest.mark.parametrize("by", BY, ids=lambda by: "+".join(by) or "all")
def test_summaries_agree_with_the_records_on_the_sample(sample_store, by, monkeypatch):
    assert_same(*both_ways(sample_store, by, Scope(), monkeypatch))


def test_summaries_agree_with_the_records_within_a_scope(sample_store, monkeypatch):
    year = sample_store.years()[-1]
    partnership = sample_store.db.execute("SELECT min(partnership) FROM sessions").fetchone()[0]
    for scope in (Scope(year=year), Scope(partnership=partnership), Scope(year=year, partnership=partnership)):
        found = both_ways(sample_store, ["course"], scope, monkeypatch)
        assert found[1]["reach"], "the scope should hold sessions"
        assert_same(*found)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(data=programmes(), by=st.sampled_from(BY))
def test_summaries_agree_with_the_records_on_random_programmes(data, by, monkeypatch):
    store = load(data)
    try:
        assert_same(*both_ways(store, by, Scope(), monkeypatch))
    finally:
        store.close()


def test_the_summaries_are_what_the_evaluators_read(sample_copy):
    """Emptying the summaries empties the session-level results: nothing is counted twice."""
    with sample_copy.db.atomic():
        sample_copy.db.execute("DELETE FROM session_summaries")
        sample_copy.db.execute("DELETE FROM score_summaries")
    assert plugins.get_evaluators()["uplift"].evaluate(sample_copy, ["year"], Scope()) == []
    assert Impact(as_of=AS_OF).evaluate(sample_copy, ["year"], Scope()) == []
    assert plugins.get_evaluators()["uplift"].evaluate(sample_copy, ["sector"], Scope()) != []


def test_remembered_delegates_are_forgotten_when_the_data_changes(sample_copy):
    """``reach`` and ``cost`` share one count of different delegates, kept only while the data stays as it was."""
    def unique(name):  # the evaluator itself: the results stage would keep its rows until an import
        rows = plugins.get_evaluators()[name].evaluate(sample_copy, ["year"], Scope())
        return {row["year"]: row["unique_delegates"] for row in rows}

    first, second = sample_copy.years()[:2]
    assert unique("reach")[first] > 0 and unique("cost")[first] > 0
    stop_attending = ("UPDATE bookings SET status = 'cancelled', walk_in = 0 WHERE status = 'attended' "
                      "AND session IN (SELECT code FROM sessions WHERE year = ?)")
    other = sqlite3.connect(sample_copy.path)  # another process's change
    with other:
        other.execute(stop_attending, [first])
    other.close()
    assert unique("reach")[first] == 0 and unique("cost")[first] == 0
    assert unique("reach")[second] > 0
    with sample_copy.db.atomic():  # a change through this very connection
        sample_copy.db.execute(stop_attending, [second])
    assert unique("cost")[second] == 0 and unique("reach")[second] == 0


def test_forget_starts_the_next_evaluation_afresh(sample_copy):
    plugins.get_evaluators()["reach"].evaluate(sample_copy, ["year"], Scope())
    assert sample_copy in evaluation._remembered
    evaluation.forget(sample_copy)
    assert sample_copy not in evaluation._remembered
