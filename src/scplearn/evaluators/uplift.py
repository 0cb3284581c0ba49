"""Uplift: how delegates' self-rated knowledge, skills and confidence moved.

Computed from the sufficient statistics: for each group and dimension, the
table of how many delegates rated themselves ``pre`` before and ``post`` after
(at most 100 cells). Session-level groupings sum the per-session count tables
kept in ``score_counts``; delegate-level groupings (sector, agency) count the
evaluations in one ``GROUP BY`` pass. See docs/evaluators.md for the formulas.
"""

from __future__ import annotations

from .. import evaluation, stats
from ..hookspecs import hookimpl
from ..model import DIMENSIONS

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
        """``{(group..., dimension): {(pre, post): n}}`` in one SQL pass."""
        where, params = scope.sql()
        groups = evaluation.group_columns(by)
        select = f"{groups}, " if groups else ""
        group_by = f"{evaluation.group_expressions(by)}, " if by else ""
        if evaluation.DELEGATE_LEVEL & set(by):
            parts = [
                f"SELECT {select}'{d}' AS dimension, {d}_pre AS pre, {d}_post AS post, count(*) AS n "
                f"FROM {evaluation.joins('evaluations', by)} "
                f"WHERE {where} AND {d}_pre IS NOT NULL AND {d}_post IS NOT NULL "
                f"GROUP BY {group_by}{d}_pre, {d}_post"
                for d in DIMENSIONS
            ]
            sql, params = " UNION ALL ".join(parts), params * len(DIMENSIONS)
        else:
            sql = (
                f"SELECT {select}dimension, pre, post, sum(n) AS n "
                f"FROM {evaluation.joins('score_counts', by, delegates=False)} "
                f"WHERE {where} GROUP BY {group_by}dimension, pre, post"
            )
        tables = {}
        for row in store.db.query(sql, params):
            key = (*evaluation.group_key(row, by), row["dimension"])
            tables.setdefault(key, {})[(row["pre"], row["post"])] = row["n"]
        return tables

    def evaluate(self, store, by, scope) -> list[dict]:
        tables = self.count_tables(store, by, scope)
        order = {dimension: index for index, dimension in enumerate(DIMENSIONS)}
        rows = []
        for key in sorted(tables, key=lambda k: (tuple("" if v is None else str(v) for v in k[:-1]), order[k[-1]])):
            row = dict(zip(by, key[:-1]))
            row["dimension"] = key[-1]
            row.update(stats.uplift(tables[key]))
            rows.append(row)
        return rows


@hookimpl
def register_evaluators(register):
    register(Uplift())
