"""Uplift: how delegates' self-rated knowledge, skills and confidence moved.

Computed from sufficient statistics: for each group and dimension, the number
of delegates who rated it before and after, the sums of their ratings and how
many ratings moved by each amount from −9 to +9. Session-level groupings sum
the per-session rows of ``score_summaries``; delegate-level groupings count
the evaluations' (pre, post) table in one ``GROUP BY`` pass. See
docs/evaluators.md for the formulas.

The counts (``n``, ``improved``, ``same``, ``worse``) and the statistics
computed from the ratings themselves (means, the standard deviation of the
changes, the Wilcoxon p-value) come from the records; the percentages, the
interval and the effect sizes are derived from them, so that in public they
are computed from the published counts.
"""

from __future__ import annotations

from .. import evaluation, stats, summaries
from ..evaluator import Count, Derived, Evaluator, Percent, Statistic, difference, percent
from ..hookspecs import hookimpl
from ..model import DIMENSIONS


def _interval(side: int):
    def formula(row):
        low_high = stats.t_interval(row["n"] or 0, row["mean_change"], row["sd_change"])
        return low_high[side]
    return formula


COLUMNS = {
    "n": Count("Delegates who rated this dimension both before and after"),
    "improved": Count("Delegates whose rating rose"),
    "same": Count("Delegates whose rating did not change"),
    "worse": Count("Delegates whose rating fell"),
    "mean_pre": Statistic("Mean self-rating before training (scores are self-rated 1–10)"),
    "mean_post": Statistic("Mean self-rating after training (scores are self-rated 1–10)"),
    "mean_change": Statistic("Mean change in self-rating, after minus before (points on the 1–10 scale)"),
    "sd_change": Statistic("Standard deviation of the changes in self-rating (points)", decimals=2),
    "ci_low": Derived("Lower bound of the 95% confidence interval of the mean change (points)",
                      formula=_interval(0)),
    "ci_high": Derived("Upper bound of the 95% confidence interval of the mean change (points)",
                       formula=_interval(1)),
    "pct_improved": Percent("improved", "n", "Delegates whose rating rose (%)"),
    "pct_same": Percent("same", "n", "Delegates whose rating did not change (%)"),
    "pct_worse": Percent("worse", "n", "Delegates whose rating fell (%)"),
    "net_score": Derived("% improved minus % worse (−100 to +100)", decimals=0,
                         formula=lambda r: percent(difference(r["improved"], r["worse"]), r["n"])),
    "normalised_gain": Derived(
        "(mean after − mean before) ÷ (10 − mean before): the share of the possible gain achieved (0–1)",
        decimals=2, formula=lambda r: stats.normalised_gain(r["mean_pre"], r["mean_post"])),
    "effect_size_dz": Derived("Mean change ÷ standard deviation of the changes (Cohen's dz)", decimals=2,
                              formula=lambda r: stats.effect_size(r["mean_change"], r["sd_change"])),
    "hedges_gz": Derived("Cohen's dz corrected for small samples (Hedges' gz)", decimals=2,
                         formula=lambda r: stats.hedges(stats.effect_size(r["mean_change"], r["sd_change"]), r["n"])),
    "wilcoxon_p": Statistic("p-value of the Wilcoxon signed-rank test that ratings did not change", decimals=3),
}
BASE = tuple(name for name, column in COLUMNS.items() if column.kind != "derived")


class Uplift(Evaluator):
    name = "uplift"
    description = "Change in self-rated knowledge, skills and confidence (1-10) from before to after training"
    row_labels = ("dimension",)
    columns = COLUMNS
    relations = ("n = improved + same + worse",)

    def count_tables(self, store, by, scope) -> dict:
        """``{(group..., dimension): {(pre, post): n}}`` from the evaluations, in one SQL pass."""
        where, params = scope.sql()
        groups = evaluation.group_columns(by)
        select = f"{groups}, " if groups else ""
        group_by = f"{evaluation.group_expressions(by)}, " if by else ""
        parts = [
            f"SELECT {select}'{d}' AS dimension, {d}_pre AS pre, {d}_post AS post, count(*) AS n "
            f"FROM {evaluation.joins('evaluations', by)} "
            f"WHERE {where} AND {d}_pre IS NOT NULL AND {d}_post IS NOT NULL "
            f"GROUP BY {group_by}{d}_pre, {d}_post"
            for d in DIMENSIONS
        ]
        tables = {}
        for row in store.db.query(" UNION ALL ".join(parts), params * len(DIMENSIONS)):
            key = (*evaluation.group_key(row, by), row["dimension"])
            tables.setdefault(key, {})[(row["pre"], row["post"])] = row["n"]
        return tables

    def compute(self, store, by, scope) -> dict:
        if not evaluation.session_level(by):
            results = {key: stats.uplift(table) for key, table in self.count_tables(store, by, scope).items()}
        else:
            results = self.statistics_of_summaries(store, by, scope)
        order = {dimension: index for index, dimension in enumerate(DIMENSIONS)}
        return {key: {name: results[key][name] for name in BASE}
                for key in sorted(results, key=lambda key: order[key[-1]])}

    def statistics_of_summaries(self, store, by, scope) -> dict:
        """``{(group..., dimension): uplift statistics}`` added up from ``score_summaries``."""
        t = "score_summaries"
        totals = ", ".join(f"sum({t}.{column}) AS {column}" for column in summaries.SCORE_COLUMNS)
        rows = evaluation.grouped(
            store, by, scope, f"count(*) AS sessions, {totals}", evaluation.summary_source(t), present="sessions",
        )
        results = {}
        for key, row in rows.items():
            for d in DIMENSIONS:
                if row[f"{d}_rated"]:
                    changes = {change: row[f"{d}_{name}"] for name, change in summaries.CHANGES.items()}
                    results[(*key, d)] = stats.uplift_of_changes(changes, row[f"{d}_pre_sum"], row[f"{d}_post_sum"])
        return results


@hookimpl
def register_evaluators(register):
    register(Uplift())
