"""Uplift statistics computed from sufficient statistics.

Delegates rate themselves from 1 to 10 before (``pre``) and after (``post``)
training. Everything here works from a *count table* ``{(pre, post): count}``
-- at most 100 numbers per group -- never from per-person lists: every
statistic below is a function of the table alone.

Sums are kept as exact Python integers (scores, differences and counts are all
integers), so means, variances and the Wilcoxon statistic suffer no rounding
or cancellation before the final division. Nothing is rounded for display;
callers do that.

References
----------
- Wilcoxon F. (1945) Individual comparisons by ranking methods.
  *Biometrics Bulletin* 1(6):80-83.
- Hake R. R. (1998) Interactive-engagement versus traditional methods.
  *American Journal of Physics* 66(1):64-74.
- Hedges L. V. (1981) Distribution theory for Glass's estimator of effect size
  and related estimators. *Journal of Educational Statistics* 6(2):107-128.
- Lakens D. (2013) Calculating and reporting effect sizes to facilitate
  cumulative science. *Frontiers in Psychology* 4:863.
- Wilson E. B. (1927) Probable inference, the law of succession, and
  statistical inference. *JASA* 22(158):209-212.
"""

from __future__ import annotations

import functools
import math
import operator
from collections import Counter
from collections.abc import Iterable, Mapping

SCALE_MIN = 1
SCALE_MAX = 10
"""Self-ratings are whole numbers from ``SCALE_MIN`` to ``SCALE_MAX``."""

UPLIFT_COLUMNS = (
    "n", "improved", "same", "worse", "mean_pre", "mean_post", "mean_change", "sd_change", "ci_low", "ci_high",
    "pct_improved", "pct_same", "pct_worse", "net_score",
    "normalised_gain", "effect_size_dz", "hedges_gz", "wilcoxon_p",
)
"""The keys of :func:`uplift`'s result, in display order."""


# -- distributions ----------------------------------------------------------------------
# SciPy's own special functions, the ones scipy.stats.t.ppf, norm.ppf and norm.sf call
# (same values), imported on first use so that starting scplearn does not wait for SciPy.


@functools.lru_cache(maxsize=4096)
def t_quantile(p: float, df: int) -> float:
    """The p-quantile of Student's t with ``df`` degrees of freedom (``scipy.stats.t.ppf(p, df)``)."""
    from scipy.special import stdtrit

    return float(stdtrit(df, p))


@functools.lru_cache(maxsize=64)
def normal_quantile(p: float) -> float:
    """The p-quantile of the standard normal distribution (``scipy.stats.norm.ppf(p)``)."""
    from scipy.special import ndtri

    return float(ndtri(p))


def normal_tail(z: float) -> float:
    """P(Z > z) for a standard normal Z (``scipy.stats.norm.sf(z)``)."""
    from scipy.special import ndtr

    return float(ndtr(-z))


# -- count tables -----------------------------------------------------------------


def merge(tables: Iterable[Mapping]) -> dict:
    """Add count tables cell by cell: ``merge([{k: 2}, {k: 3, j: 1}]) == {k: 5, j: 1}``."""
    total: dict = {}
    for table in tables:
        for key, count in table.items():
            total[key] = total.get(key, 0) + count
    return total


def _count(value) -> int:
    count = operator.index(value)
    if count < 0:
        raise ValueError(f"a count cannot be negative: {value!r}")
    return count


def _score(value) -> int:
    score = operator.index(value)
    if not SCALE_MIN <= score <= SCALE_MAX:
        raise ValueError(f"a score must be a whole number from {SCALE_MIN} to {SCALE_MAX}: {value!r}")
    return score


def _sums(counts: Mapping[int, int]) -> tuple[int, int, int]:
    """``(n, S, Q)`` with n = Σ c, S = Σ c·x, Q = Σ c·x², exactly, for an integer-valued table."""
    n = s = q = 0
    for value, count in counts.items():
        x, c = operator.index(value), _count(count)
        n, s, q = n + c, s + c * x, q + c * x * x
    return n, s, q


# -- means, spreads and intervals -----------------------------------------------------


def mean_of(counts: Mapping[int, int]) -> float | None:
    """Mean of an integer-valued count table ``{value: count}``: x̄ = Σ c·x / Σ c; ``None`` if empty."""
    n, s, _ = _sums(counts)
    return s / n if n else None


def sd_of(counts: Mapping[int, int]) -> float | None:
    """Sample standard deviation (ddof = 1) of an integer-valued count table ``{value: count}``.

    s² = Σ c·(x − x̄)² / (n − 1) = (n·Q − S²) / (n·(n − 1)), with S = Σ c·x and
    Q = Σ c·x². The numerator n·Q − S² = n·Σ c·(x − x̄)² is evaluated in exact
    integer arithmetic, so there is no cancellation (the usual objection to the
    sum-of-squares form only applies in floating point). ``None`` when n < 2.
    """
    n, s, q = _sums(counts)
    if n < 2:
        return None
    return math.sqrt((n * q - s * s) / (n * (n - 1)))


def t_interval(n: int, mean: float | None, sd: float | None, confidence: float = 0.95) -> tuple[float | None, float | None]:
    """Student-t confidence interval for a mean: x̄ ± t_{1−α/2, n−1} · s / √n.

    ``(None, None)`` when n < 2 or the mean or sd is unknown. With s = 0 the
    interval is the single point (x̄, x̄).
    """
    if n < 2 or mean is None or sd is None:
        return None, None
    _check_confidence(confidence)
    half = t_quantile(0.5 + confidence / 2, n - 1) * sd / math.sqrt(n)
    return mean - half, mean + half


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float | None, float | None]:
    """Wilson (1927) score interval for a proportion, in percent (0..100).

        (p̂ + z²/2n ± z·√(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n),   p̂ = successes / n,

    with z = Φ⁻¹(1 − α/2). At p̂ = 0 the lower bound is exactly 0, and at
    p̂ = 1 the upper bound exactly 100 (set so, as floating point would miss
    by ~1e-16); bounds are kept within [0, 100]. ``(None, None)`` when n == 0.
    """
    successes, n = _count(successes), _count(n)
    if successes > n:
        raise ValueError(f"successes ({successes}) cannot exceed n ({n})")
    if n == 0:
        return None, None
    _check_confidence(confidence)
    z = normal_quantile(0.5 + confidence / 2)
    p, z2 = successes / n, z * z
    centre = p + z2 / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    scale = 1 + z2 / n
    low = 0.0 if successes == 0 else max(0.0, 100 * (centre - half) / scale)
    high = 100.0 if successes == n else min(100.0, 100 * (centre + half) / scale)
    return low, high


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1: {confidence!r}")


# -- the signed-rank test ------------------------------------------------------------


def wilcoxon_p(differences: Mapping[int, int]) -> float | None:
    """Two-sided Wilcoxon (1945) signed-rank p-value from a table ``{difference: count}``.

    Zero differences are dropped (Wilcoxon's method). With n′ non-zero
    differences, c_k of them of magnitude k, ranked with mid-ranks for ties:

        W⁺  = Σ (mid-rank of |d|) over d > 0
        E   = n′(n′ + 1) / 4
        Var = n′(n′ + 1)(2n′ + 1) / 24 − Σ_k (c_k³ − c_k) / 48
        z   = (W⁺ − E) / √Var,     p = 2·(1 − Φ(|z|))

    a tie-corrected normal approximation without continuity correction. This
    is what ``scipy.stats.wilcoxon(d, zero_method="wilcox", correction=False,
    method="approx")`` computes (SciPy forms z from W⁺, not min(W⁺, W⁻);
    the two give the same |z|). ``None`` when there are no non-zero differences.
    """
    by_magnitude: dict[int, list[int]] = {}  # |d| -> [count of d > 0, count of d < 0]
    for value, count in differences.items():
        d, c = operator.index(value), _count(count)
        if d and c:
            by_magnitude.setdefault(abs(d), [0, 0])[d < 0] += c
    if not by_magnitude:
        return None
    # Twice the rank sum keeps mid-ranks, (start + 1 + start + c) / 2, integral.
    below = twice_w_plus = ties = 0
    for magnitude in sorted(by_magnitude):
        positive, negative = by_magnitude[magnitude]
        c = positive + negative
        twice_w_plus += positive * (2 * below + c + 1)
        ties += c ** 3 - c
        below += c
    m = below
    # z = (W⁺ − E) / √Var = (4W⁺ − n′(n′+1)) / 4 / √(V₄₈ / 48) with V₄₈ = 48·Var an exact integer.
    numerator = 2 * twice_w_plus - m * (m + 1)
    var48 = 2 * m * (m + 1) * (2 * m + 1) - ties
    z = numerator * math.sqrt(3 / var48)
    return 2 * normal_tail(abs(z))


# -- uplift ----------------------------------------------------------------------------


def uplift(counts: Mapping[tuple[int, int], int]) -> dict:
    """Every uplift statistic for one group, from its table ``{(pre, post): count}``.

    With dᵢ = postᵢ − preᵢ over the n delegates (cells with count 0 are ignored):

    - ``n``; ``improved``, ``same``, ``worse``: #{d > 0, = 0, < 0};
      ``mean_pre``, ``mean_post``; ``mean_change`` d̄ = Σ d / n; ``sd_change``
      s_d, the sample sd of the changes (ddof = 1; ``None`` when n < 2).
    - ``ci_low``, ``ci_high``: 95% t-interval d̄ ± t_{0.975, n−1}·s_d/√n, where
      s_d is ``sd_change``; ``None`` when n < 2.
    - ``pct_improved``, ``pct_same``, ``pct_worse``: 100·#{d > 0, = 0, < 0}/n.
    - ``net_score`` = pct_improved − pct_worse, from −100 to +100.
    - ``normalised_gain``: Hake's (1998) gain of averages,
      (mean_post − mean_pre) / (10 − mean_pre); ``None`` when mean_pre = 10.
    - ``effect_size_dz``: Cohen's d_z = d̄ / s_d (Lakens 2013, eq. 6);
      ``None`` when n < 2 or s_d = 0.
    - ``hedges_gz``: d_z · J with Hedges' (1981) small-sample correction
      J = 1 − 3 / (4(n − 1) − 1); ``None`` when d_z is ``None`` or n < 3
      (at n = 2, J = 0 and the "corrected" effect would always be 0).
    - ``wilcoxon_p``: see :func:`wilcoxon_p`.

    With n = 0 every value but ``n`` is ``None``. Means and percentages are
    formed from exact integer sums (a single rounding each).
    """
    pre_sum = post_sum = 0
    changes = Counter()
    for key, count in counts.items():
        before, after = key
        b, a, c = _score(before), _score(after), _count(count)
        if c:
            pre_sum += c * b
            post_sum += c * a
            changes[a - b] += c
    return uplift_of_changes(changes, pre_sum, post_sum)


def uplift_of_changes(changes: Mapping[int, int], pre_sum: int, post_sum: int) -> dict:
    """Every uplift statistic for one group, from ``{change: count}`` and the sums of pre and post ratings.

    These are all :func:`uplift` needs: n = Σ count, and the changes are
    post − pre from −9 to +9. Checks that ``post_sum − pre_sum`` equals the
    sum of the changes, and that the means are on the rating scale.
    """
    change = {}
    for value, count in changes.items():
        d, c = operator.index(value), _count(count)
        if abs(d) > SCALE_MAX - SCALE_MIN:
            largest = SCALE_MAX - SCALE_MIN
            raise ValueError(f"a change of rating must be from {-largest} to {largest}: {value!r}")
        if c:
            change[d] = c
    n, change_sum, _ = _sums(change)
    sum_pre, sum_post = operator.index(pre_sum), operator.index(post_sum)
    if sum_post - sum_pre != change_sum:
        raise ValueError(f"the sums of ratings ({sum_pre}, {sum_post}) do not match the changes (total {change_sum})")
    if n and not SCALE_MIN * n <= sum_pre <= SCALE_MAX * n:
        raise ValueError(f"a sum of {n} pre ratings must be from {SCALE_MIN * n} to {SCALE_MAX * n}: {sum_pre}")
    result = dict.fromkeys(UPLIFT_COLUMNS)
    result["n"] = n
    if n == 0:
        return result
    mean_change = mean_of(change)
    sd = sd_of(change)
    improved = sum(c for d, c in change.items() if d > 0)
    worse = sum(c for d, c in change.items() if d < 0)
    result.update(
        improved=improved,
        same=n - improved - worse,
        worse=worse,
        mean_pre=sum_pre / n,
        mean_post=sum_post / n,
        mean_change=mean_change,
        sd_change=sd,
        pct_improved=100 * improved / n,
        pct_same=100 * (n - improved - worse) / n,
        pct_worse=100 * worse / n,
        net_score=100 * (improved - worse) / n,
        # (mean_post − mean_pre) / (10 − mean_pre), multiplied through by n.
        normalised_gain=(sum_post - sum_pre) / (SCALE_MAX * n - sum_pre) if sum_pre < SCALE_MAX * n else None,
        effect_size_dz=effect_size(mean_change, sd),
        hedges_gz=hedges(effect_size(mean_change, sd), n),
        wilcoxon_p=wilcoxon_p(change),
    )
    result["ci_low"], result["ci_high"] = t_interval(n, mean_change, sd)
    return result


def effect_size(mean_change: float | None, sd: float | None) -> float | None:
    """Cohen's d_z = d̄ / s_d (Lakens 2013, eq. 6); ``None`` when either is unknown or s_d = 0."""
    if mean_change is None or not sd:
        return None
    return mean_change / sd


def hedges(dz: float | None, n: int | None) -> float | None:
    """Hedges' (1981) small-sample correction of d_z: d_z · (1 − 3 / (4(n − 1) − 1)); ``None`` when n < 3."""
    if dz is None or n is None or n < 3:
        return None
    return dz * (1 - 3 / (4 * (n - 1) - 1))


def normalised_gain(mean_pre: float | None, mean_post: float | None) -> float | None:
    """Hake's (1998) gain of averages, (mean_post − mean_pre) / (10 − mean_pre); ``None`` when mean_pre = 10."""
    if mean_pre is None or mean_post is None or mean_pre >= SCALE_MAX:
        return None
    return (mean_post - mean_pre) / (SCALE_MAX - mean_pre)
