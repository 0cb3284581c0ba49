"""A scplearn evaluator that sums up each group on the modified Kirkpatrick levels.

Barr, Freeth, Hammick, Koppel and Reeves (2000) adapted Kirkpatrick's four
levels of training evaluation to interprofessional education: 1, reaction;
2a, attitudes; 2b, knowledge and skills; 3, behaviour (4a and 4b, change in
organisations and benefits to children and families, are not measured by
training data). This evaluator counts feedback comments, and takes every
other figure from the built-in ``reach``, ``uplift`` and ``impact`` rows of
the same group: its derived columns read them, so in public they come from
the published figures.
"""

from __future__ import annotations

import scplearn
from scplearn import Count, Derived, Evaluator, Row, evaluation
from scplearn.evaluator import SESSION_FIELDS, percent

ATTITUDES = ("confidence",)                      # level 2a: how delegates see their own confidence to act
KNOWLEDGE_AND_SKILLS = ("knowledge", "skills")   # level 2b


def pooled(column: str, dimensions):
    """The ``uplift`` ``column`` over several dimensions' ratings taken together: its n-weighted mean."""
    def formula(row: Row):
        rows = [row.other("uplift", dimension=d) for d in dimensions]
        n = total_n(rows)
        if not n or any(r[column] is None for r in rows if r["n"]):
            return None
        return sum(r["n"] * r[column] for r in rows if r["n"]) / n
    return formula


def total_n(rows) -> int | None:
    counts = [r["n"] for r in rows]
    return None if None in counts else sum(counts)


def copied(evaluator: str, column: str, **labels):
    return lambda row: row.other(evaluator, **labels)[column]


class Kirkpatrick(Evaluator):
    name = "kirkpatrick"
    description = "Modified Kirkpatrick levels: reaction (feedback), learning (uplift), behaviour (follow-ups)"
    requires = ("reach", "uplift", "impact")
    columns = {
        "attended": Derived("Attendances (reach)", decimals=None, formula=copied("reach", "attended")),
        "level_1_feedback": Count("Feedback comments on the group's sessions", adds_up_over=SESSION_FIELDS),
        "level_1_feedback_rate": Derived(
            "Feedback comments per 100 attendances", decimals=0,
            formula=lambda row: percent(row["level_1_feedback"], row.other("reach")["attended"])),
        "level_2a_n": Derived("Confidence ratings before and after", decimals=None,
                              formula=lambda row: total_n([row.other("uplift", dimension=d) for d in ATTITUDES])),
        "level_2a_mean_change": Derived("Mean change in confidence (points)",
                                        formula=pooled("mean_change", ATTITUDES)),
        "level_2a_net_score": Derived("% more confident − % less confident", decimals=0,
                                      formula=pooled("net_score", ATTITUDES)),
        "level_2b_n": Derived("Knowledge and skills ratings before and after, taken together", decimals=None,
                              formula=lambda row: total_n([row.other("uplift", dimension=d)
                                                           for d in KNOWLEDGE_AND_SKILLS])),
        "level_2b_mean_change": Derived("Mean change in knowledge and skills (points)",
                                        formula=pooled("mean_change", KNOWLEDGE_AND_SKILLS)),
        "level_2b_net_score": Derived("Net score over knowledge and skills ratings", decimals=0,
                                      formula=pooled("net_score", KNOWLEDGE_AND_SKILLS)),
        "level_3_followups": Derived("Follow-up answers (impact)", decimals=None,
                                     formula=copied("impact", "followups", dimension="knowledge")),
        "level_3_used_learning": Derived("Respondents who had used the learning (%)", decimals=0,
                                         formula=copied("impact", "pct_used_learning", dimension="knowledge")),
        "level_3_specific_action": Derived("Respondents who took a specific action (%)", decimals=0,
                                           formula=copied("impact", "pct_specific_action", dimension="knowledge")),
    }

    def compute(self, store, by, scope) -> dict:
        """Feedback comments for every group ``reach`` has (none for sector or agency: feedback is anonymous)."""
        scope_options = {"year": scope.year, "partnership": scope.partnership, "as_of": scope.as_of}
        groups = [evaluation.group_key(row, by) for row in scplearn.evaluate(store, "reach", by=by, **scope_options)]
        feedback = None if evaluation.DELEGATE_LEVEL & set(by) else {
            key: row["comments"] for key, row in evaluation.grouped(
                store, by, scope, "count(*) AS comments", evaluation.joins("feedback", by, delegates=False),
                present="comments").items()
        }
        keys = dict.fromkeys([*groups, *(feedback or {})])
        return {key: {"level_1_feedback": None if feedback is None else feedback.get(key, 0)} for key in keys}


@scplearn.hookimpl
def register_evaluators(register):
    register(Kirkpatrick())


@scplearn.hookimpl
def report_sections(published, year, partnership):
    """A "Kirkpatrick levels" section for ``scplearn report``, from the published figures."""
    by = ["year", "partnership"] if partnership else ["year"]
    where = {"year": year, **({"partnership": partnership} if partnership else {})}
    rows = published.rows("kirkpatrick", by, **where)
    if not rows:
        return []
    row = rows[0]

    def figure(value, form):
        return "\u2013" if value is None else form(value)

    percent_form = "{:.0f}%".format

    def change(value):
        text = f"{value:+.1f}"
        return ("0.0" if text in ("+0.0", "-0.0") else text) + " points"
    comments = row["level_1_feedback"]
    table = [
        "| Level | Evidence | Figure |",
        "| --- | --- | --- |",
        f"| 1 Reaction | feedback comments | {figure(comments, '{:,}'.format)} |",
        f"| 2a Attitudes | mean change in confidence | {figure(row['level_2a_mean_change'], change)} |",
        f"| 2b Knowledge and skills | mean change in knowledge and skills | "
        f"{figure(row['level_2b_mean_change'], change)} |",
        f"| 3 Behaviour | used the learning at work | {figure(row['level_3_used_learning'], percent_form)} |",
        f"| 3 Behaviour | took specific action | {figure(row['level_3_specific_action'], percent_form)} |",
    ]
    intro = ("The year's training on the modified Kirkpatrick levels (Barr and colleagues, 2000), from the "
             "kirkpatrick evaluator. Levels 4a and 4b, change in organisations and benefits to children and "
             "families, are not measured by training data. A dash is a figure withheld to protect small groups.")
    return [{"title": "Kirkpatrick levels", "markdown": intro + "\n\n" + "\n".join(table)}]
