"""Scores: how many delegates gave each self-rating, 1 to 10, before and after training.

The margins of the uplift evaluator's (pre, post) count tables: for each group
and dimension, the delegates who rated it both times, by the score they gave
before (``before``) and after (``after``). The "Before Training / After
Training" charts read them.
"""

from __future__ import annotations

from ..evaluator import Count, Evaluator
from ..hookspecs import hookimpl
from ..model import DIMENSIONS
from ..stats import SCALE_MAX, SCALE_MIN
from .uplift import Uplift

SCORES = range(SCALE_MIN, SCALE_MAX + 1)


class Scores(Evaluator):
    name = "scores"
    description = "How many delegates gave each self-rating (1-10) before and after training"
    row_labels = ("dimension", "score")
    columns = {
        "before": Count("Delegates giving this rating before training"),
        "after": Count("Delegates giving this rating after training"),
    }
    groupable = frozenset({"year"})  # and by partnership where the partnerships' breakdowns are published
    requires = ("uplift",)
    relations = ("sum(before) = uplift.n", "sum(after) = uplift.n",
                 "mean(before) = uplift.mean_pre", "mean(after) = uplift.mean_post")

    def compute(self, store, by, scope) -> dict:
        counts = {}
        for key, table in Uplift().count_tables(store, by, scope).items():
            for (pre, post), n in table.items():
                for side, score in (("before", pre), ("after", post)):
                    cell = counts.setdefault((*key, score), {"before": 0, "after": 0})
                    cell[side] += n
        groups = dict.fromkeys(key[:-1] for key in counts)
        order = {dimension: index for index, dimension in enumerate(DIMENSIONS)}
        return {
            (*group, score): counts.get((*group, score), {"before": 0, "after": 0})
            for group in sorted(groups, key=lambda group: order[group[-1]])
            for score in SCORES
        }


@hookimpl
def register_evaluators(register):
    register(Scores())
