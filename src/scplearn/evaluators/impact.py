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
story of its dimension. Count them from one dimension's rows only.
"""

from __future__ import annotations

import datetime as dt

from .. import evaluation, stats, summaries
from ..hookspecs import hookimpl
from ..model import DIMENSIONS
from .reach import percent, sort_key

COLUMNS = {
    "due": int,
    "followups": int,
    "response_rate": float,
    "pct_used_learning": float,
    "pct_used_learning_ci_low": float,
    "pct_used_learning_ci_high": float,
    "pct_specific_action": float,
    "pct_specific_action_ci_low": float,
    "pct_specific_action_ci_high": float,
    "nonresponse_gap": float,
    "rerated": int,
    "mean_pre": float,
    "mean_post": float,
    "mean_followup": float,
    "retention": float,
}
ANSWERS = ("used_learning", "specific_action")


class Impact:
    """The follow-up survey, for attendances whose follow-up window has opened.

    ``weeks`` is the length of the window (a follow-up is due that many weeks
    after the session) and ``as_of`` the date on which dues are judged
    (``None``: today).
    """

    name = "impact"
    description = "Follow-up survey: response rate, use of learning, specific action and retention of the gain"
    version = "1"
    dimensions = True
    columns = COLUMNS
    weeks = 12
    as_of: dt.date | None = None

    def __init__(self, weeks: int | None = None, as_of: dt.date | None = None):
        if weeks is not None:
            self.weeks = weeks
        if as_of is not None:
            self.as_of = as_of

    def cutoff(self, scope=None) -> str:
        """The last session date whose follow-up is due, as ISO text: the scope's day, else ``as_of``, else today."""
        as_of = (scope.as_of if scope else None) or self.as_of or dt.date.today()
        return (as_of - dt.timedelta(weeks=self.weeks)).isoformat()

    def evaluate(self, store, by, scope) -> list[dict]:
        rows = []
        for key, sums in sorted(self.sums(store, by, scope).items(), key=lambda item: sort_key(item[0])):
            figures = self.group_figures(sums)
            for dimension in DIMENSIONS:
                rows.append({
                    **dict(zip(by, key)), "dimension": dimension,
                    **figures, **self.dimension_figures(sums, dimension),
                })
        return rows

    @staticmethod
    def group_figures(sums) -> dict:
        figures = {
            "due": sums["due"],
            "followups": sums["followups"],
            "response_rate": percent(sums["followups"], sums["due"]),
        }
        for answer in ANSWERS:
            yes, answered = sums[f"{answer}_yes"], sums[f"{answer}_answered"]
            low, high = stats.wilson_interval(yes, answered) if answered else (None, None)
            figures[f"pct_{answer}"] = percent(yes, answered)
            figures[f"pct_{answer}_ci_low"] = low
            figures[f"pct_{answer}_ci_high"] = high
        respondents, others = sums["respondent_gains"], sums["nonrespondent_gains"]
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
            return {"rerated": 0, "mean_pre": None, "mean_post": None, "mean_followup": None, "retention": None}
        pre, post, followup = (sums[f"{dimension}_{side}"] for side in ("pre", "post", "followup"))
        return {
            "rerated": n,
            "mean_pre": pre / n,
            "mean_post": post / n,
            "mean_followup": followup / n,
            # Sums of integers over the same delegates: equal sums mean equal means, exactly.
            "retention": None if post == pre else (followup - pre) / (post - pre),
        }

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
