"""The impact evaluator against hand-worked figures, a row-by-row recount and scipy's Wilson interval."""

from __future__ import annotations

import datetime as dt
import math
import statistics

import pytest
from conftest import write_csv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest
from helpers.expected import GROUPINGS, Lookup, assert_rows_equal, rate
from helpers.programmes import hand_worked_files, load, programmes, read_tables

import scplearn
from scplearn.evaluation import Scope
from scplearn.evaluators.impact import Impact
from scplearn.model import DIMENSIONS

AS_OF = dt.date(2024, 3, 1)


def wilson_by_hand(successes, n, z=1.959963984540054):
    """The Wilson score interval (Wilson 1927), in percent."""
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return 100 * (centre - half), 100 * (centre + half)


def wilson_scipy(successes, n):
    interval = binomtest(successes, n).proportion_ci(confidence_level=0.95, method="wilson")
    return 100 * interval.low, 100 * interval.high


def impact_by_hand(data, by, scope=Scope(), as_of=AS_OF, weeks=12) -> dict:
    """Impact recounted row by row, following docs/evaluators.md."""
    look = Lookup(data)
    cutoff = (as_of - dt.timedelta(weeks=weeks)).isoformat()
    followups = {(f["session"], f["delegate"]): f for f in data["followups"]}
    evaluations = {(e["session"], e["delegate"]): e for e in data["evaluations"]}
    groups = {}
    for b in data["bookings"]:
        if b["status"] != "attended" or not look.in_scope(b["session"], scope):
            continue
        pair = (b["session"], b["delegate"])
        g = groups.setdefault(look.key(by, *pair), {"due": 0, "answers": [], "gains": {True: [], False: []},
                                                     "rerated": {d: [] for d in DIMENSIONS}})
        followup, evaluation = followups.get(pair), evaluations.get(pair) or {}
        due = look.sessions[b["session"]]["date"] <= cutoff or followup is not None
        g["due"] += due
        if followup:
            g["answers"].append(followup)
        changes = [evaluation[f"{d}_post"] - evaluation[f"{d}_pre"] for d in DIMENSIONS
                   if evaluation.get(f"{d}_pre") is not None and evaluation.get(f"{d}_post") is not None]
        if changes and due:
            g["gains"][followup is not None].append(sum(changes) / len(changes))
        for d in DIMENSIONS:
            scores = (evaluation.get(f"{d}_pre"), evaluation.get(f"{d}_post"), (followup or {}).get(d))
            if None not in scores:
                g["rerated"][d].append(scores)
    result = {}
    for key, g in groups.items():
        figures = {"due": g["due"], "followups": len(g["answers"]),
                   "response_rate": rate(len(g["answers"]), g["due"])}
        for answer in ("used_learning", "specific_action"):
            given_ = [f[answer] for f in g["answers"] if f[answer] is not None]
            figures[f"{answer}_yes"], figures[f"{answer}_answered"] = sum(given_), len(given_)
            figures[f"pct_{answer}"] = rate(sum(given_), len(given_))
            low, high = wilson_scipy(sum(given_), len(given_)) if given_ else (None, None)
            figures[f"pct_{answer}_ci_low"], figures[f"pct_{answer}_ci_high"] = low, high
        responded, silent = g["gains"][True], g["gains"][False]
        figures["respondents_rated"], figures["nonrespondents_rated"] = len(responded), len(silent)
        figures["nonresponse_gap"] = (
            statistics.fmean(responded) - statistics.fmean(silent) if responded and silent else None
        )
        for d in DIMENSIONS:
            triples = g["rerated"][d]
            row = {"rerated": len(triples), "mean_pre": None, "mean_post": None, "mean_followup": None,
                   "retention": None}
            if triples:
                pre, post, later = (statistics.fmean(t[i] for t in triples) for i in range(3))
                row.update(mean_pre=pre, mean_post=post, mean_followup=later)
                if sum(t[1] for t in triples) != sum(t[0] for t in triples):
                    row["retention"] = (later - pre) / (post - pre)
            result[(*key, d)] = {**figures, **row}
    return result


def keyed(rows, by):
    fields = [*by, "dimension"]
    return {tuple(row[f] for f in fields): {k: v for k, v in row.items() if k not in fields} for row in rows}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=programmes(), by=st.sampled_from(GROUPINGS), weeks=st.sampled_from([0, 12, 52]),
       as_of=st.dates(dt.date(2022, 6, 1), dt.date(2025, 1, 1)))
def test_impact_matches_a_row_by_row_recount(data, by, weeks, as_of):
    store = load(data)
    try:
        rows = Impact(weeks=weeks, as_of=as_of).evaluate(store, by, Scope())
        assert_rows_equal(keyed(rows, by), impact_by_hand(data, by, as_of=as_of, weeks=weeks))
    finally:
        store.close()


@pytest.mark.parametrize("by", [[], ["year"], ["course"], ["year", "sector"], ["agency"]],
                         ids=lambda by: "+".join(by) or "all")
def test_impact_on_the_sample_matches_a_recount_of_its_rows(sample_store, by):
    rows = Impact(as_of=AS_OF).evaluate(sample_store, by, Scope())
    assert any(row["followups"] for row in rows)
    assert_rows_equal(keyed(rows, by), impact_by_hand(read_tables(sample_store.path), by))


def impact_files(directory):
    hand_worked_files(directory)
    write_csv(directory / "evaluations.csv", """
        session,email,knowledge_pre,knowledge_post,skills_pre,skills_post,confidence_pre,confidence_post
        S1,zoe@example.org,5,8,4,7,6,9
        S1,ann@example.org,6,6,5,6,,
        S2,bob@example.org,6,7,,,,
    """)
    write_csv(directory / "followups.csv", """
        session,email,date,used_learning,specific_action,knowledge,skills,confidence
        S1,zoe@example.org,2023-12-10,yes,no,7,6,
        S2,bob@example.org,2024-02-20,yes,yes,6,,8
        S1,vic@example.org,2023-12-10,no,no,5,5,5
    """)
    return directory


def test_impact_by_hand_on_a_tiny_programme(tmp_store, tmp_path):
    scplearn.import_files(tmp_store, [impact_files(tmp_path / "in")])
    rows = {row["dimension"]: row for row in Impact(as_of=AS_OF).evaluate(tmp_store, [], Scope())}
    assert list(rows) == ["knowledge", "skills", "confidence"]
    # Attended: zoe and ann at S1 (2023-09-03, due by 2024-03-01 less 12 weeks), bob at S2 (2024-02-01,
    # not yet due but already answered), ann at E1 (2023-05-01). Vic did not attend: his answer is not counted.
    knowledge = rows["knowledge"]
    assert (knowledge["due"], knowledge["followups"], knowledge["response_rate"]) == (4, 2, 50.0)
    # Zoe said yes, no; bob yes, yes.
    assert (knowledge["used_learning_yes"], knowledge["used_learning_answered"]) == (2, 2)
    assert (knowledge["specific_action_yes"], knowledge["specific_action_answered"]) == (1, 2)
    assert knowledge["pct_used_learning"] == 100.0
    assert knowledge["pct_specific_action"] == 50.0
    assert (knowledge["pct_specific_action_ci_low"], knowledge["pct_specific_action_ci_high"]) == pytest.approx(
        wilson_by_hand(1, 2), abs=1e-9)
    # Gains: zoe 3 (every dimension +3), bob 1 (knowledge only) answered; ann at S1 0.5 did not.
    assert (knowledge["respondents_rated"], knowledge["nonrespondents_rated"]) == (2, 1)
    assert knowledge["nonresponse_gap"] == pytest.approx(2 - 0.5)
    # Knowledge re-rated by zoe (5, 8, 7) and bob (6, 7, 6); skills by zoe only; confidence by nobody.
    assert knowledge["rerated"] == 2
    assert (knowledge["mean_pre"], knowledge["mean_post"], knowledge["mean_followup"]) == (5.5, 7.5, 6.5)
    assert knowledge["retention"] == pytest.approx((6.5 - 5.5) / (7.5 - 5.5))
    assert rows["skills"]["retention"] == pytest.approx((6 - 4) / (7 - 4))
    assert rows["confidence"]["rerated"] == 0
    assert rows["confidence"]["mean_post"] is None and rows["confidence"]["retention"] is None
    # The group-level figures are the same on each dimension's row.
    for row in rows.values():
        assert row["due"] == 4 and row["nonresponse_gap"] == knowledge["nonresponse_gap"]


def test_a_longer_window_makes_fewer_follow_ups_due(tmp_store, tmp_path):
    scplearn.import_files(tmp_store, [impact_files(tmp_path / "in")])
    (row, *_) = Impact(weeks=40, as_of=AS_OF).evaluate(tmp_store, [], Scope())
    # Only ann's e-learning (2023-05-01) is 40 weeks old; zoe and bob answered, so they count too.
    assert (row["due"], row["followups"]) == (3, 2)
    assert (row["respondents_rated"], row["nonrespondents_rated"]) == (2, 0)
    assert row["nonresponse_gap"] is None  # ann's e-learning has no evaluation to compare with


def test_the_default_reference_date_is_today(tmp_store, tmp_path):
    scplearn.import_files(tmp_store, [impact_files(tmp_path / "in")])
    assert Impact().cutoff() == (dt.date.today() - dt.timedelta(weeks=12)).isoformat()
    (row, *_) = scplearn.evaluate(tmp_store, "impact")
    assert row["due"] == 4  # every session is long past


def test_retention_is_empty_when_there_was_no_gain_to_retain(tmp_store, tmp_path):
    files = impact_files(tmp_path / "in")
    write_csv(files / "evaluations.csv", """
        session,email,knowledge_pre,knowledge_post
        S1,zoe@example.org,5,6
        S2,bob@example.org,7,6
    """)
    scplearn.import_files(tmp_store, [files])
    knowledge = Impact(as_of=AS_OF).evaluate(tmp_store, [], Scope())[0]
    assert (knowledge["mean_pre"], knowledge["mean_post"], knowledge["rerated"]) == (6.0, 6.0, 2)
    assert knowledge["retention"] is None


def test_no_follow_ups_at_all(tmp_store, tmp_path):
    scplearn.import_files(tmp_store, [hand_worked_files(tmp_path / "in")])
    rows = Impact(as_of=AS_OF).evaluate(tmp_store, ["sector"], Scope())
    assert {row["sector"] for row in rows} == {"education", "police"}  # voluntary: nobody attended
    for row in rows:
        assert row["followups"] == 0 and row["response_rate"] == 0.0
        for column in ("used_learning_yes", "used_learning_answered", "specific_action_yes",
                       "specific_action_answered", "respondents_rated"):
            assert row[column] == 0, column
        for column in ("pct_used_learning", "pct_used_learning_ci_low", "pct_used_learning_ci_high",
                       "pct_specific_action", "nonresponse_gap", "mean_post", "mean_followup", "retention"):
            assert row[column] is None
    assert Impact().evaluate(tmp_store, ["year"], Scope(year="2019/20")) == []


@pytest.mark.parametrize("successes,n", [(0, 1), (1, 1), (0, 5), (3, 7), (50, 100), (408, 408), (1, 1000)])
def test_the_wilson_interval_matches_the_formula_and_scipy(successes, n):
    from scplearn import stats

    low, high = stats.wilson_interval(successes, n)
    assert (low, high) == pytest.approx(wilson_by_hand(successes, n), abs=1e-9)
    assert (low, high) == pytest.approx(wilson_scipy(successes, n), abs=1e-9)
