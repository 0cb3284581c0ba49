"""A scplearn evaluator that sums up each group on the modified Kirkpatrick levels.

Barr, Freeth, Hammick, Koppel and Reeves (2000) adapted Kirkpatrick's four
levels of training evaluation to interprofessional education:

- level 1, reaction: learners' views of the learning experience;
- level 2a, modification of attitudes and perceptions;
- level 2b, acquisition of knowledge and skills;
- level 3, behavioural change: the learning used at work;
- level 4a/4b, change in organisational practice / benefits to children and
  families (not measured by training data, so not reported here).

This evaluator reads nothing scplearn does not already compute: it runs the
built-in ``reach``, ``uplift`` and ``impact`` evaluators through the public
``scplearn.evaluate`` function and counts feedback with one SQL query built
from ``scplearn.evaluation``'s grouping helpers.
"""

from __future__ import annotations

import scplearn
from scplearn import evaluation

COLUMNS = {
    "attended": int,
    "level_1_feedback": int,
    "level_1_feedback_rate": float,
    "level_2a_n": int,
    "level_2a_mean_change": float,
    "level_2a_net_score": float,
    "level_2b_n": int,
    "level_2b_mean_change": float,
    "level_2b_net_score": float,
    "level_3_followups": int,
    "level_3_used_learning": float,
    "level_3_specific_action": float,
}
ATTITUDES = ("confidence",)          # level 2a: how delegates see their own confidence to act
KNOWLEDGE_AND_SKILLS = ("knowledge", "skills")  # level 2b


def pooled(rows, dimensions) -> tuple[int, float | None, float | None]:
    """Ratings, mean change and net score over several uplift dimensions, weighted by their n.

    Weighting each dimension's mean and net score by its n gives exactly the
    mean and net score of all its ratings taken together.
    """
    chosen = [row for row in rows if row["dimension"] in dimensions and row["n"]]
    n = sum(row["n"] for row in chosen)
    if not n:
        return 0, None, None
    return (
        n,
        sum(row["n"] * row["mean_change"] for row in chosen) / n,
        sum(row["n"] * row["net_score"] for row in chosen) / n,
    )


class Kirkpatrick:
    name = "kirkpatrick"
    description = "Modified Kirkpatrick levels: reaction (feedback), learning (uplift), behaviour (follow-ups)"
    version = "1"
    dimensions = False
    columns = COLUMNS

    def evaluate(self, store, by, scope) -> list[dict]:
        def run(name):
            rows = scplearn.evaluate(store, name, by=by, save=False, **scope.as_dict())
            grouped = {}
            for row in rows:
                grouped.setdefault(evaluation.group_key(row, by), []).append(row)
            return grouped

        reach, uplift, impact = run("reach"), run("uplift"), run("impact")
        feedback = self.feedback_counts(store, by, scope)
        results = []
        for key in sorted(set(reach) | set(uplift) | set(impact) | set(feedback or {}), key=_sort_key):
            attended = reach[key][0]["attended"] if key in reach else 0
            comments = None if feedback is None else feedback.get(key, 0)
            attitudes = pooled(uplift.get(key, []), ATTITUDES)
            learning = pooled(uplift.get(key, []), KNOWLEDGE_AND_SKILLS)
            behaviour = impact[key][0] if key in impact else {}
            results.append({
                **dict(zip(by, key)),
                "attended": attended,
                "level_1_feedback": comments,
                "level_1_feedback_rate": 100 * comments / attended if comments is not None and attended else None,
                "level_2a_n": attitudes[0],
                "level_2a_mean_change": attitudes[1],
                "level_2a_net_score": attitudes[2],
                "level_2b_n": learning[0],
                "level_2b_mean_change": learning[1],
                "level_2b_net_score": learning[2],
                "level_3_followups": behaviour.get("followups", 0),
                "level_3_used_learning": behaviour.get("pct_used_learning"),
                "level_3_specific_action": behaviour.get("pct_specific_action"),
            })
        return results

    def feedback_counts(self, store, by, scope) -> dict | None:
        """Feedback comments per group, placed by their session; ``None`` for sector or agency groupings.

        Feedback is anonymous, so it cannot be put in a delegate's sector or agency.
        """
        if evaluation.DELEGATE_LEVEL & set(by):
            return None
        rows = evaluation.grouped(
            store, by, scope, "count(*) AS comments", evaluation.joins("feedback", by, delegates=False),
            present="comments",
        )
        return {key: row["comments"] for key, row in rows.items()}


def _sort_key(key):
    return tuple("" if value is None else str(value) for value in key)


@scplearn.hookimpl
def register_evaluators(register):
    register(Kirkpatrick())


@scplearn.hookimpl
def report_sections(store, year, partnership, compare, policy):
    """A "Kirkpatrick levels" section for ``scplearn report``, under the report's disclosure policy."""
    rows = scplearn.evaluate(store, "kirkpatrick", by=["year"], year=year, partnership=partnership, save=False)
    if not rows:
        return []
    row = rows[0]

    def figure(value, n, form):
        value = policy.statistic(value, n)
        return "\u2013" if value is None else form(value)

    published = policy.count(row["level_1_feedback"] or 0)
    comments = f"fewer than {policy.min_count}" if published is None else f"{published:,}"
    change, percent = "{:+.1f} points".format, "{:.0f}%".format
    table = [
        "| Level | Evidence | Figure |",
        "| --- | --- | --- |",
        f"| 1 Reaction | feedback comments (rounded) | {comments} |",
        f"| 2a Attitudes | mean change in confidence | "
        f"{figure(row['level_2a_mean_change'], row['level_2a_n'], change)} |",
        f"| 2b Knowledge and skills | mean change in knowledge and skills | "
        f"{figure(row['level_2b_mean_change'], row['level_2b_n'], change)} |",
        f"| 3 Behaviour | used the learning at work | "
        f"{figure(row['level_3_used_learning'], row['level_3_followups'], percent)} |",
        f"| 3 Behaviour | took specific action | "
        f"{figure(row['level_3_specific_action'], row['level_3_followups'], percent)} |",
    ]
    intro = ("The year's training on the modified Kirkpatrick levels (Barr and colleagues, 2000), from the "
             "kirkpatrick evaluator. Levels 4a and 4b, change in organisations and benefits to children and "
             "families, are not measured by training data.")
    return [{"title": "Kirkpatrick levels", "markdown": intro + "\n\n" + "\n".join(table)}]
