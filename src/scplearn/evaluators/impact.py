"""Impact: what delegates said in the follow-up survey some months after training.

One ``GROUP BY`` pass gives every figure (for session-level groupings over the
sessions' ``session_summaries``, for delegate-level groupings over the attended
bookings, joined to their follow-up answers and their evaluations): how many
attendances are due a follow-up, how many answered, the counts behind the
percentages and their Wilson intervals, the mean post-course gain of those
who answered and of those who did not, and, per dimension, the sums behind the
retention of the self-rated gain. See docs/evaluators.md for the definitions.

Rows come one per group and dimension (knowledge, skills, confidence), like
``uplift``; the group-level figures (``due`` to ``nonresponse_gap``) are
repeated on each of the three rows of a group, so any one row tells the whole
story of its dimension. Count them from one dimension's rows only. The
percentages and their intervals are derived from the counts of answers, so in
public they are computed from the published counts.
"""

from __future__ import annotations

import datetime as dt

from .. import evaluation, stats, summaries
from ..evaluator import Count, Derived, Evaluator, Percent, Statistic
from ..hookspecs import hookimpl
from ..model import DIMENSIONS

ANSWERS = ("used_learning", "specific_action")
ANSWER_WORDS = {"used_learning": "have used the learning in their work",
                "specific_action": "took a specific action in the workplace"}


def _wilson(answer: str, side: int):
    def formula(row):
        yes, answered = row[f"{answer}_yes"], row[f"{answer}_answered"]
        if yes is None or not answered or yes > answered:
            return None
        return stats.wilson_interval(yes, answered)[side]
    return formula


def _answer_columns(answer: str) -> dict:
    words = ANSWER_WORDS[answer]
    return {
        f"{answer}_yes": Count(f"Respondents who said they {words}"),
        f"{answer}_answered": Count("Respondents who answered the question"),
        f"pct_{answer}": Percent(f"{answer}_yes", f"{answer}_answered", f"Respondents who {words} (%)"),
        f"pct_{answer}_ci_low": Derived(f"Lower bound of the 95% Wilson interval of pct_{answer} (%)",
                                        decimals=0, formula=_wilson(answer, 0)),
        f"pct_{answer}_ci_high": Derived(f"Upper bound of the 95% Wilson interval of pct_{answer} (%)",
                                         decimals=0, formula=_wilson(answer, 1)),
    }


def _retention(row):
    pre, post, followup = row["mean_pre"], row["mean_post"], row["mean_followup"]
    if pre is None or post is None or followup is None or post == pre:
        return None
    return (followup - pre) / (post - pre)


COLUMNS = {
    "due": Count("Attendances whose follow-up survey is due"),
    "followups": Count("Follow-up surveys answered"),
    "response_rate": Percent("followups", "due", "Due follow-ups that were answered (%)"),
    **_answer_columns("used_learning"),
    **_answer_columns("specific_action"),
    "respondents_rated": Count("Respondents with a before-and-after gain on the day"),
    "nonrespondents_rated": Count("Due attendances not followed up, with a before-and-after gain on the day"),
    "nonresponse_gap": Statistic("Mean post-course gain of respondents minus that of non-respondents (points)",
                                 n=("respondents_rated", "nonrespondents_rated"), decimals=2),
    "rerated": Count("Respondents who rated this dimension before, after and at follow-up"),
    "mean_pre": Statistic("Mean self-rating before training of those who re-rated (1–10)", n="rerated"),
    "mean_post": Statistic("Mean self-rating after training of those who re-rated (1–10)", n="rerated"),
    "mean_followup": Statistic("Mean self-rating at follow-up (scores are self-rated 1–10)", n="rerated"),
    "retention": Derived("(follow-up − before) ÷ (after − before): the share of the gain kept at follow-up",
                         decimals=2, formula=_retention),
}


class Impact(Evaluator):
    """The follow-up survey, for attendances whose follow-up window has opened.

    ``weeks`` is the length of the window (a follow-up is due that many weeks
    after the session) and ``as_of`` the date on which dues are judged
    (``None``: the scope's day, else today).
    """

    name = "impact"
    description = "Follow-up survey: response rate, use of learning, specific action and retention of the gain"
    row_labels = ("dimension",)
    columns = COLUMNS
    relations = (
        "due >= followups",
        "followups >= rerated",
        "followups >= respondents_rated",
        "followups >= used_learning_answered",
        "used_learning_answered >= used_learning_yes",
        "followups >= specific_action_answered",
        "specific_action_answered >= specific_action_yes",
    )
    repeated = ("due", "followups", "used_learning_yes", "used_learning_answered", "specific_action_yes",
                "specific_action_answered", "respondents_rated", "nonrespondents_rated")
    weeks = 12
    as_of: dt.date | None = None
    uses_as_of = True

    def __init__(self, weeks: int | None = None, as_of: dt.date | None = None):
        if weeks is not None:
            self.weeks = weeks
        if as_of is not None:
            self.as_of = as_of

    def cutoff(self, scope=None) -> str:
        """The last session date whose follow-up is due, as ISO text: the scope's day, else ``as_of``, else today."""
        as_of = (scope.as_of if scope else None) or self.as_of or dt.date.today()
        return (as_of - dt.timedelta(weeks=self.weeks)).isoformat()

    def due_changes(self, store, scope, before: dt.date, after: dt.date) -> bool:
        """Whether judging follow-ups on ``after`` rather than ``before`` changes which are due in ``scope``."""
        low, high = sorted((day - dt.timedelta(weeks=self.weeks)).isoformat() for day in (before, after))
        where, params = scope.sql()
        return bool(store.db.execute(
            f"SELECT EXISTS (SELECT 1 FROM sessions WHERE {where} AND date > ? AND date <= ?)", [*params, low, high],
        ).fetchone()[0])

    def compute(self, store, by, scope) -> dict:
        rows = {}
        for key, sums in self.sums(store, by, scope).items():
            figures = self.group_figures(sums)
            for dimension in DIMENSIONS:
                rows[(*key, dimension)] = {**figures, **self.dimension_figures(sums, dimension)}
        return rows

    @staticmethod
    def group_figures(sums) -> dict:
        figures = {"due": sums["due"], "followups": sums["followups"]}
        for answer in ANSWERS:
            figures[f"{answer}_yes"] = sums[f"{answer}_yes"] or 0
            figures[f"{answer}_answered"] = sums[f"{answer}_answered"] or 0
        respondents, others = sums["respondent_gains"] or 0, sums["nonrespondent_gains"] or 0
        figures["respondents_rated"], figures["nonrespondents_rated"] = respondents, others
        # Each mean gain is a sum of sixths over 6 × the number of gains: exact until the division.
        figures["nonresponse_gap"] = (
            sums["respondent_gain_sixths"] / (6 * respondents) - sums["nonrespondent_gain_sixths"] / (6 * others)
            if respondents and others else None
        )
        return figures

    @staticmethod
    def dimension_figures(sums, dimension: str) -> dict:
        n = sums[f"{dimension}_n"]
        if not n:
            return {"rerated": 0, "mean_pre": None, "mean_post": None, "mean_followup": None}
        pre, post, followup = (sums[f"{dimension}_{side}"] for side in ("pre", "post", "followup"))
        return {"rerated": n, "mean_pre": pre / n, "mean_post": post / n, "mean_followup": followup / n}

    def sums(self, store, by, scope) -> dict:
        """Per group, the counts and sums every figure is computed from, in one SQL pass.

        Session-level groupings add up ``session_summaries``; delegate-level
        groupings count the attended bookings, joined to their follow-ups and
        evaluations. A follow-up is due once its window has opened (the
        session's date is on or before the cutoff), or as soon as it has been
        answered.
        """
        if evaluation.session_level(by):
            return self.sums_of_summaries(store, by, scope)
        return self.sums_of_records(store, by, scope)

    def sums_of_summaries(self, store, by, scope) -> dict:
        t = "session_summaries"
        opened = "sessions.date <= ?"
        parts = [
            f"sum({t}.attended) AS attended",
            f"sum(CASE WHEN {opened} THEN {t}.attended ELSE {t}.followups END) AS due",
            f"sum({t}.followups) AS followups",
            *(f"sum({t}.{a}_yes) AS {a}_yes, sum({t}.{a}_answered) AS {a}_answered" for a in ANSWERS),
            f"sum({t}.respondent_gains) AS respondent_gains",
            f"sum({t}.respondent_gain_sixths) AS respondent_gain_sixths",
            # Gains of the attendances not followed up, counted only once their follow-up is due.
            f"sum(CASE WHEN {opened} THEN {t}.gains - {t}.respondent_gains ELSE 0 END) AS nonrespondent_gains",
            f"sum(CASE WHEN {opened} THEN {t}.gain_sixths - {t}.respondent_gain_sixths ELSE 0 END) "
            "AS nonrespondent_gain_sixths",
        ]
        for d in DIMENSIONS:
            parts.append(
                f"sum({t}.{d}_rerated) AS {d}_n, sum({t}.{d}_rerated_pre) AS {d}_pre, "
                f"sum({t}.{d}_rerated_post) AS {d}_post, sum({t}.{d}_rerated_followup) AS {d}_followup"
            )
        cutoff = self.cutoff(scope)
        return evaluation.grouped(
            store, by, scope, ", ".join(parts), evaluation.summary_source(t),
            params=[cutoff, cutoff, cutoff], present="attended",
        )

    def sums_of_records(self, store, by, scope) -> dict:
        due = "(sessions.date <= ? OR followups.session IS NOT NULL)"
        answered = "followups.session IS NOT NULL"
        gain = summaries.gain_sixths()
        parts = [
            "count(*) AS attended",
            f"sum({due}) AS due",
            f"sum({answered}) AS followups",
            *(f"sum(followups.{a} = 1) AS {a}_yes, count(followups.{a}) AS {a}_answered" for a in ANSWERS),
            f"count(CASE WHEN {answered} THEN {gain} END) AS respondent_gains",
            f"sum(CASE WHEN {answered} THEN {gain} END) AS respondent_gain_sixths",
            f"count(CASE WHEN NOT {answered} AND {due} THEN {gain} END) AS nonrespondent_gains",
            f"sum(CASE WHEN NOT {answered} AND {due} THEN {gain} END) AS nonrespondent_gain_sixths",
        ]
        for d in DIMENSIONS:
            all_three = (f"evaluations.{d}_pre IS NOT NULL AND evaluations.{d}_post IS NOT NULL "
                         f"AND followups.{d} IS NOT NULL")
            parts.append(
                f"count(CASE WHEN {all_three} THEN 1 END) AS {d}_n, "
                f"sum(CASE WHEN {all_three} THEN evaluations.{d}_pre END) AS {d}_pre, "
                f"sum(CASE WHEN {all_three} THEN evaluations.{d}_post END) AS {d}_post, "
                f"sum(CASE WHEN {all_three} THEN followups.{d} END) AS {d}_followup"
            )
        source = (
            f"{evaluation.joins('bookings', by)} "
            "LEFT JOIN followups ON followups.session = bookings.session AND followups.delegate = bookings.delegate "
            "LEFT JOIN evaluations "
            "ON evaluations.session = bookings.session AND evaluations.delegate = bookings.delegate"
        )
        cutoff = self.cutoff(scope)
        # ``due`` appears three times in the SELECT list.
        return evaluation.grouped(
            store, by, scope, ", ".join(parts), source,
            where="bookings.status = 'attended'", params=[cutoff] * 3, present="attended",
        )


@hookimpl
def register_evaluators(register):
    register(Impact())
