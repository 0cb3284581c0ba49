"""Uplift statistics from count tables, checked against per-person numpy/scipy computations."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import scipy.stats
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scplearn import stats

REL, ABS = 1e-9, 1e-12


def close(actual, expected) -> bool:
    if actual is None or expected is None:
        return actual is None and expected is None
    return math.isclose(actual, expected, rel_tol=REL, abs_tol=ABS)


def expand(counts):
    """The per-person (pre, post) arrays a count table stands for."""
    cells = [(pre, post, c) for (pre, post), c in counts.items() if c]
    pre = np.repeat([p for p, _, _ in cells], [c for *_, c in cells]).astype(np.int64)
    post = np.repeat([q for _, q, _ in cells], [c for *_, c in cells]).astype(np.int64)
    return pre, post


def reference(counts) -> dict:
    """Every uplift statistic from the expanded per-person data, with numpy and scipy."""
    pre, post = expand(counts)
    d = post - pre
    n = len(d)
    expected = dict.fromkeys(stats.UPLIFT_COLUMNS)
    expected["n"] = n
    if n == 0:
        return expected
    expected.update(
        improved=int(np.sum(d > 0)), same=int(np.sum(d == 0)), worse=int(np.sum(d < 0)),
        mean_pre=float(pre.mean()), mean_post=float(post.mean()), mean_change=float(d.mean()),
        pct_improved=100 * float(np.mean(d > 0)), pct_same=100 * float(np.mean(d == 0)),
        pct_worse=100 * float(np.mean(d < 0)),
    )
    expected["net_score"] = expected["pct_improved"] - expected["pct_worse"]
    if pre.mean() != 10:
        expected["normalised_gain"] = float((post.mean() - pre.mean()) / (10 - pre.mean()))
    if n >= 2:
        sd = float(np.std(d, ddof=1))
        expected["sd_change"] = sd
        if sd > 0:
            ci = scipy.stats.ttest_1samp(d, 0).confidence_interval(0.95)
            expected["ci_low"], expected["ci_high"] = float(ci.low), float(ci.high)
            expected["effect_size_dz"] = float(d.mean()) / sd
            if n >= 3:
                expected["hedges_gz"] = expected["effect_size_dz"] * (1 - 3 / (4 * (n - 1) - 1))
        else:  # scipy's t-test gives nan with no spread; the interval collapses to the mean
            expected["ci_low"] = expected["ci_high"] = float(d.mean())
    if np.any(d != 0):
        # "approx" is SciPy's older name for "asymptotic"; both select the normal approximation.
        result = scipy.stats.wilcoxon(d, zero_method="wilcox", correction=False, method="approx")
        expected["wilcoxon_p"] = float(result.pvalue)
    return expected


def assert_matches(counts):
    actual, expected = stats.uplift(counts), reference(counts)
    assert tuple(actual) == stats.UPLIFT_COLUMNS
    for column in stats.UPLIFT_COLUMNS:
        assert close(actual[column], expected[column]), (column, actual[column], expected[column], counts)


scores = st.integers(stats.SCALE_MIN, stats.SCALE_MAX)
tables = st.dictionaries(st.tuples(scores, scores), st.integers(0, 30), max_size=100)


@st.composite
def shifted_tables(draw):
    """Tables in which many people share a change: ties, zeros and one-sided shifts."""
    shifts = draw(st.lists(st.integers(-3, 3), min_size=1, max_size=3))
    table = {}
    for pre in draw(st.lists(scores, min_size=1, max_size=6)):
        post = min(max(pre + draw(st.sampled_from(shifts)), 1), 10)
        table[(pre, post)] = table.get((pre, post), 0) + draw(st.integers(0, 30))
    return table


# -- every statistic against an independent implementation ------------------------------


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables)
def test_uplift_matches_per_person_computation(counts):
    assert_matches(counts)


@settings(max_examples=300, deadline=None)
@given(shifted_tables())
def test_uplift_matches_with_heavy_ties(counts):
    assert_matches(counts)


@settings(max_examples=100, deadline=None)
@given(st.lists(tables, max_size=4))
def test_merged_tables_are_the_pooled_people(parts):
    merged = stats.merge(parts)
    pooled = sorted(pair for part in parts for pair in zip(*expand(part)))
    assert pooled == sorted(zip(*expand(merged)))
    assert_matches(merged)


def test_wilcoxon_matches_scipy_on_large_groups():
    rng = np.random.default_rng(20240601)
    for _ in range(50):
        table = {(int(a), int(b)): int(c) for a, b, c in zip(rng.integers(1, 11, 60), rng.integers(1, 11, 60),
                                                             rng.integers(0, 200, 60))}
        assert_matches(table)


# -- a small example worked by hand ------------------------------------------------------


def test_hand_worked_example():
    # Five delegates: 5->7, 5->7, 6->6, 8->7, 4->8; changes +2, +2, 0, -1, +4.
    result = stats.uplift({(5, 7): 2, (6, 6): 1, (8, 7): 1, (4, 8): 1})
    assert result["n"] == 5
    assert (result["improved"], result["same"], result["worse"]) == (3, 1, 1)
    assert result["mean_pre"] == pytest.approx(28 / 5)  # 5.6
    assert result["mean_post"] == pytest.approx(35 / 5)  # 7.0
    assert result["mean_change"] == pytest.approx(7 / 5)  # 1.4
    # Deviations from 1.4: 0.6, 0.6, -1.4, -2.4, 2.6; squares sum to 15.2; s^2 = 15.2 / 4 = 3.8.
    sd = math.sqrt(3.8)
    assert result["sd_change"] == pytest.approx(sd, rel=1e-12)  # 1.9494
    t = 2.7764451051977987  # t_{0.975, 4}, from tables
    assert result["ci_low"] == pytest.approx(1.4 - t * sd / math.sqrt(5), rel=1e-12)
    assert result["ci_high"] == pytest.approx(1.4 + t * sd / math.sqrt(5), rel=1e-12)
    assert result["ci_low"] == pytest.approx(-1.0204487271690668, rel=1e-12)
    assert result["ci_high"] == pytest.approx(3.8204487271690666, rel=1e-12)
    assert (result["pct_improved"], result["pct_same"], result["pct_worse"]) == (60.0, 20.0, 20.0)
    assert result["net_score"] == 40.0
    assert result["normalised_gain"] == pytest.approx(1.4 / 4.4)  # 0.3181...
    assert result["effect_size_dz"] == pytest.approx(1.4 / sd)  # 0.7182
    assert result["hedges_gz"] == pytest.approx(1.4 / sd * (1 - 3 / 15))  # J = 0.8 at n = 5
    # Non-zero changes -1, +2, +2, +4 have ranks 1, 2.5, 2.5, 4: W+ = 9, E = 4*5/4 = 5,
    # Var = 4*5*9/24 - (2^3 - 2)/48 = 7.375, z = 4 / sqrt(7.375) = 1.4729...
    z = 4 / math.sqrt(7.375)
    assert result["wilcoxon_p"] == pytest.approx(2 * (1 - scipy.stats.norm.cdf(z)), rel=1e-12)
    assert result["wilcoxon_p"] == pytest.approx(0.14077277337135014, rel=1e-12)


# -- edge cases ----------------------------------------------------------------------------


def test_no_delegates():
    for empty in ({}, {(3, 5): 0, (7, 7): 0}):
        result = stats.uplift(empty)
        assert result == {column: (0 if column == "n" else None) for column in stats.UPLIFT_COLUMNS}


def test_one_delegate():
    result = stats.uplift({(4, 7): 1})
    assert result["n"] == 1
    assert (result["improved"], result["same"], result["worse"]) == (1, 0, 0)
    assert result["sd_change"] is None  # no spread from one change
    assert (result["mean_pre"], result["mean_post"], result["mean_change"]) == (4.0, 7.0, 3.0)
    assert (result["pct_improved"], result["net_score"]) == (100.0, 100.0)
    assert result["normalised_gain"] == pytest.approx(0.5)
    assert result["ci_low"] is result["ci_high"] is None
    assert result["effect_size_dz"] is result["hedges_gz"] is None
    # One non-zero difference: W+ = 1, E = 0.5, Var = 0.25, z = 1.
    assert result["wilcoxon_p"] == pytest.approx(2 * scipy.stats.norm.sf(1.0))
    assert_matches({(4, 7): 1})


def test_no_change_at_all():
    result = stats.uplift({(3, 3): 4, (6, 6): 5, (9, 9): 2})
    assert result["mean_change"] == 0.0
    assert (result["improved"], result["same"], result["worse"]) == (0, 11, 0)
    assert result["sd_change"] == 0.0
    assert (result["ci_low"], result["ci_high"]) == (0.0, 0.0)
    assert result["pct_same"] == 100.0 and result["net_score"] == 0.0
    assert result["normalised_gain"] == 0.0
    assert result["wilcoxon_p"] is None
    assert result["effect_size_dz"] is None and result["hedges_gz"] is None
    assert_matches({(3, 3): 4, (6, 6): 5, (9, 9): 2})


def test_everyone_at_the_top():
    result = stats.uplift({(10, 10): 12})
    assert result["mean_pre"] == result["mean_post"] == 10.0
    assert result["normalised_gain"] is None
    assert result["wilcoxon_p"] is None
    assert_matches({(10, 10): 12})


def test_started_at_the_top_and_fell():
    result = stats.uplift({(10, 8): 3, (10, 9): 1})
    assert result["normalised_gain"] is None  # mean_pre = 10: no room to gain
    assert result["pct_worse"] == 100.0 and result["net_score"] == -100.0
    assert_matches({(10, 8): 3, (10, 9): 1})


def test_everyone_improved_by_exactly_one():
    table = {(pre, pre + 1): 3 for pre in range(1, 10)}
    result = stats.uplift(table)
    assert result["mean_change"] == 1.0
    assert result["sd_change"] == 0.0
    assert (result["ci_low"], result["ci_high"]) == (1.0, 1.0)  # sd = 0
    assert result["effect_size_dz"] is None and result["hedges_gz"] is None
    assert result["pct_improved"] == 100.0
    # 27 tied ranks: W+ = 27*28/2 = 378, E = 189, Var = (27*28*55/24) - (27^3 - 27)/48 = 1732.5 - 409.5.
    z = (378 - 189) / math.sqrt(27 * 28 * 55 / 24 - (27**3 - 27) / 48)
    assert result["wilcoxon_p"] == pytest.approx(2 * scipy.stats.norm.sf(z), rel=1e-12)
    assert_matches(table)


def test_two_delegates_have_no_hedges_correction():
    result = stats.uplift({(3, 5): 1, (4, 7): 1})
    assert result["effect_size_dz"] == pytest.approx(2.5 / math.sqrt(0.5))
    assert result["hedges_gz"] is None  # J = 1 - 3/3 = 0 at n = 2


def test_columns_are_the_result_keys_in_order():
    assert tuple(stats.uplift({(2, 5): 3})) == stats.UPLIFT_COLUMNS
    assert stats.UPLIFT_COLUMNS[0] == "n" and len(set(stats.UPLIFT_COLUMNS)) == 18
    assert {"improved", "same", "worse", "sd_change"} <= set(stats.UPLIFT_COLUMNS)


def test_effect_size_hedges_and_gain_from_published_figures():
    # The derived columns apply these to (possibly published) means and sds, so they are checked alone.
    assert stats.effect_size(1.4, math.sqrt(3.8)) == pytest.approx(1.4 / math.sqrt(3.8))  # 0.7182
    assert stats.effect_size(None, 1.0) is None and stats.effect_size(1.0, None) is None
    assert stats.effect_size(1.0, 0.0) is None  # no spread: no effect size
    assert stats.hedges(0.5, 5) == pytest.approx(0.5 * 0.8)  # J = 1 - 3 / (4 * 4 - 1) = 0.8
    assert stats.hedges(0.5, 21) == pytest.approx(0.5 * (1 - 3 / 79))
    assert stats.hedges(0.5, 2) is None and stats.hedges(None, 10) is None and stats.hedges(0.5, None) is None
    assert stats.normalised_gain(5.6, 7.0) == pytest.approx(1.4 / 4.4)
    assert stats.normalised_gain(8.0, 7.0) == pytest.approx(-0.5)
    assert stats.normalised_gain(10.0, 9.0) is None and stats.normalised_gain(None, 9.0) is None
    assert stats.normalised_gain(5.0, None) is None


@pytest.mark.parametrize("bad", [{(0, 5): 1}, {(5, 11): 1}, {(5, 6): -1}, {(5.5, 6): 1}])
def test_rejects_what_is_not_a_count_table(bad):
    with pytest.raises((ValueError, TypeError)):
        stats.uplift(bad)


def test_accepts_numpy_integers():
    table = {(np.int64(3), np.int64(6)): np.int64(4), (5, 5): 2}
    assert stats.uplift(table) == stats.uplift({(3, 6): 4, (5, 5): 2})


# -- helpers -------------------------------------------------------------------------------


def test_merge_adds_cell_by_cell():
    assert stats.merge([{(1, 2): 2, (3, 3): 1}, {(1, 2): 3}, {}]) == {(1, 2): 5, (3, 3): 1}
    assert stats.merge([]) == {}


def test_mean_and_sd_of_a_table():
    assert stats.mean_of({}) is None
    assert stats.mean_of({2: 3, 5: 1}) == pytest.approx(11 / 4)
    assert stats.sd_of({4: 1}) is None
    assert stats.sd_of({2: 3, 5: 1}) == pytest.approx(float(np.std([2, 2, 2, 5], ddof=1)))


def test_sd_is_exact_where_naive_floating_point_fails():
    # Mean 1e9 + 1, spread 1: the floating-point sum of squares (~3e18) cannot hold the answer.
    assert stats.sd_of({10**9: 1, 10**9 + 1: 1, 10**9 + 2: 1}) == 1.0
    n = 10**15 + 1
    exact = Fraction(n * 1 - 1, n * (n - 1))  # one 1 among 10^15 zeros: (nQ - S^2) / (n(n-1))
    assert stats.sd_of({0: 10**15, 1: 1}) == pytest.approx(math.sqrt(exact), rel=1e-15)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-9, 9), min_size=2, max_size=60))
def test_t_interval_matches_scipy(values):
    d = np.array(values)
    sd = float(np.std(d, ddof=1))
    low, high = stats.t_interval(len(d), float(d.mean()), sd)
    t = scipy.stats.t.ppf(0.975, len(d) - 1)
    assert close(low, float(d.mean() - t * sd / math.sqrt(len(d))))
    assert close(high, float(d.mean() + t * sd / math.sqrt(len(d))))


def test_t_interval_needs_two():
    assert stats.t_interval(1, 3.0, None) == (None, None)
    assert stats.t_interval(0, None, None) == (None, None)


# -- Wilson intervals -------------------------------------------------------------------


def wilson_by_hand(successes, n, z=1.959963984540054):
    p = successes / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return 100 * (centre - half) / (1 + z * z / n), 100 * (centre + half) / (1 + z * z / n)


def test_wilson_eighty_of_a_hundred():
    # p = 0.8, z^2 = 3.8415: centre (0.8 + 0.019207) / 1.038415, half 1.96 * sqrt(0.0016 + 0.00009604) / 1.038415.
    low, high = stats.wilson_interval(80, 100)
    assert (low, high) == pytest.approx(wilson_by_hand(80, 100), rel=1e-12)
    assert low == pytest.approx(71.1, abs=0.05) and high == pytest.approx(86.7, abs=0.05)


def test_wilson_zero_of_ten():
    # At p = 0 the interval is [0, z^2 / (n + z^2)] = [0, 3.8415 / 13.8415] = [0, 27.75%].
    low, high = stats.wilson_interval(0, 10)
    assert low == 0.0
    assert high == pytest.approx(100 * 1.959963984540054**2 / (10 + 1.959963984540054**2), rel=1e-12)
    assert high == pytest.approx(27.75, abs=0.005)


@pytest.mark.parametrize(("successes", "n", "low", "high"), [
    # Newcombe (1998) Statistics in Medicine 17:857-872, Table I, method 3 (score, no continuity correction).
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_wilson_published_examples(successes, n, low, high):
    got = stats.wilson_interval(successes, n)
    assert got == pytest.approx((100 * low, 100 * high), abs=0.005 + 1e-9)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_solves_the_score_equation(case):
    # Wilson's bounds are the roots of (p_hat - p)^2 = z^2 p (1 - p) / n.
    successes, n = case
    z = scipy.stats.norm.ppf(0.975)
    p_hat = successes / n
    a, b, c = 1 + z * z / n, -(2 * p_hat + z * z / n), p_hat * p_hat
    roots = sorted(np.roots([a, b, c]).real)
    low, high = stats.wilson_interval(successes, n)
    assert 0 <= low <= 100 * p_hat <= high <= 100
    assert low == pytest.approx(100 * roots[0], abs=1e-6)
    assert high == pytest.approx(100 * roots[1], abs=1e-6)


def test_wilson_other_levels_and_errors():
    assert stats.wilson_interval(0, 0) == (None, None)
    narrow, wide = stats.wilson_interval(30, 60, 0.8), stats.wilson_interval(30, 60, 0.99)
    assert wide[0] < narrow[0] < 50 < narrow[1] < wide[1]
    with pytest.raises(ValueError):
        stats.wilson_interval(5, 4)
    with pytest.raises(ValueError):
        stats.wilson_interval(1, 4, confidence=1.0)


@given(table=tables)
def test_uplift_from_changes_and_sums_is_uplift_from_the_table(table):
    changes, pre_sum, post_sum = {}, 0, 0
    for (pre, post), count in table.items():
        changes[post - pre] = changes.get(post - pre, 0) + count
        pre_sum += pre * count
        post_sum += post * count
    assert stats.uplift_of_changes(changes, pre_sum, post_sum) == stats.uplift(table)


def test_uplift_from_changes_refuses_sums_that_do_not_fit_the_changes():
    with pytest.raises(ValueError, match="do not match"):
        stats.uplift_of_changes({2: 3}, 12, 17)  # three ratings up by 2 add 6, not 5
    with pytest.raises(ValueError, match="from -9 to 9"):
        stats.uplift_of_changes({10: 1}, 1, 11)
    with pytest.raises(ValueError, match="pre ratings"):
        stats.uplift_of_changes({0: 2}, 30, 30)  # two ratings cannot add up to 30


@pytest.mark.parametrize("df", [1, 2, 5, 29, 1000, 10**6])
def test_the_distributions_are_scipys(df):
    assert stats.t_quantile(0.975, df) == float(scipy.stats.t.ppf(0.975, df))
    assert stats.normal_quantile(0.975) == float(scipy.stats.norm.ppf(0.975))
    for z in (0.0, 1.3, 5.0, 12.0):
        assert stats.normal_tail(z) == float(scipy.stats.norm.sf(z))
