"""Uplift: how delegates' self-rated knowledge, skills and confidence moved.

Computed from sufficient statistics: for each group and dimension, the number
of delegates who rated it before and after, the sums of their ratings and how
many ratings moved by each amount from −9 to +9. Session-level groupings sum
the per-session rows of ``score_summaries``; delegate-level groupings (sector,
agency) count the evaluations' (pre, post) table in one ``GROUP BY`` pass. See
docs/evaluators.md for the formulas.
"""

from __future__ import annotations

from .. import evaluation, stats, summaries
from ..hookspecs import hookimpl
from ..model import DIMENSIONS
from .reach import sort_key

INTEGER_COLUMNS = {"n"}


class Uplift:
    name = "uplift"
    description = "Change in self-rated knowledge, skills and confidence (1-10) from before to after training"
    version = "1"
    dimensions = True
    columns = {column: int if column in INTEGER_COLUMNS else float for column in stats.UPLIFT_COLUMNS}
    # Decimals in the public database (scplearn.publish.control); others: 0 for pct_*, 1 otherwise.
    decimals = {"normalised_gain": 2, "effect_size_dz": 2, "hedges_gz": 2, "wilcoxon_p": 3}

    def count_tables(self, store, by, scope) -> dict:
        """``{(group..., dimension): {(pre, post): n}}`` from the evaluations, in one SQL pass.

        Works for every grouping; the report and the public database take the
        score distributions from it.
        """
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

    def statistics(self, store, by, scope) -> dict:
        """``{(group..., dimension): uplift statistics}``."""
        if not evaluation.session_level(by):
            return {key: stats.uplift(table) for key, table in self.count_tables(store, by, scope).items()}
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

    def evaluate(self, store, by, scope) -> list[dict]:
        results = self.statistics(store, by, scope)
        order = {dimension: index for index, dimension in enumerate(DIMENSIONS)}
        rows = []
        for key in sorted(results, key=lambda k: (sort_key(k[:-1]), order[k[-1]])):
            rows.append({**dict(zip(by, key[:-1])), "dimension": key[-1], **results[key]})
        return rows


@hookimpl
def register_evaluators(register):
    register(Uplift())
