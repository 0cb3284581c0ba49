"""Figures as they may be published: the disclosure rules applied to the evaluators' results.

Programme-wide totals (and the headcounts of large events, which are published
as such) are given exactly unless they are below the policy's threshold; every
other count goes through ``policy.count`` (suppressed below the threshold,
rounded otherwise); every mean or percentage through ``policy.statistic``
(shown only over enough delegates). The sections and the charts choose their
figures here, so the text and the charts always agree.
"""

from __future__ import annotations

from .. import model
from ..model import DIMENSIONS
from . import wording

DASH = "\u2013"
"""What a table shows for a figure that is withheld or missing."""


def headline(policy, n):
    """A programme-wide total: exact, unless it is small enough to single people out (then ``None``)."""
    if n is None:
        return None
    return n if n == 0 or n >= policy.min_count else None


def shown(policy, row, column, n_column="n"):
    """``row[column]`` if the policy lets a statistic over ``row[n_column]`` delegates be shown."""
    if not row or row.get(column) is None:
        return None
    return policy.statistic(row[column], row.get(n_column) or 0)


def total(policy, n) -> str:
    return wording.count_or_suppressed(headline(policy, n), policy.min_count)


def delegates(policy, n, singular="delegate", plural_form=None) -> str:
    """A programme-wide total of people with its noun: ``1,286 delegates``, ``fewer than 8 delegates``."""
    shown_n = headline(policy, n)
    return f"{total(policy, n)} {wording.noun(2 if shown_n is None else shown_n, singular, plural_form)}"


def count(policy, n) -> str:
    return DASH if n is None else wording.count_or_suppressed(policy.count(n), policy.min_count)


def or_dash(value, form) -> str:
    return DASH if value is None else form(value)


def label(dimension: str) -> str:
    return dimension.capitalize()


def disclosed_dimensions(policy, rows: dict) -> dict:
    """``{dimension: row}`` for the dimensions whose mean change may be shown."""
    return {d: rows[d] for d in DIMENSIONS if shown(policy, rows.get(d), "mean_change") is not None}


def courses_with_gains(figures, policy) -> list[dict]:
    """The courses whose three mean changes may all be shown, largest average gain first.

    They are ordered by the average of the three mean changes the uplift
    evaluator gives (only to rank them; the report quotes the three changes).
    """
    by_course = {}
    for row in figures.courses:
        by_course.setdefault(row["course"], {})[row["dimension"]] = row
    ranked = []
    for course, rows in by_course.items():
        if len(disclosed_dimensions(policy, rows)) == len(DIMENSIONS):
            ranked.append({"course": course, "title": rows[DIMENSIONS[0]]["title"], "rows": rows})
    return sorted(ranked, key=lambda c: (-sum(c["rows"][d]["mean_change"] for d in DIMENSIONS), c["title"]))


def course_changes(course) -> str:
    return ", ".join(f"{d} {wording.signed_points(course['rows'][d]['mean_change'])}" for d in DIMENSIONS)


def sector_label(sector) -> str:
    return model.SECTORS.get(sector, "Not known") if sector else "Not known"


def sector_order(sector) -> int:
    return list(model.SECTORS).index(sector) if sector in model.SECTORS else len(model.SECTORS)


def shares_by_sector(figures, policy) -> list[dict]:
    """Each sector with a known workforce: its share of delegates (percent, when disclosed) and of workforce.

    The share of delegates is the representation ratio times the share of
    workforce: by the ratio's definition, the sector's share of the delegates
    from agencies of known workforce.
    """
    rows = {row["sector"]: row for row in figures.sectors}
    shares = []
    for sector, workforce in sorted(figures.workforce.items(), key=lambda item: sector_order(item[0])):
        row = rows.get(sector)
        ratio = shown(policy, row, "representation_ratio", "unique_delegates") if row else 0.0
        shares.append({"label": sector_label(sector), "workforce": workforce,
                       "delegates": None if ratio is None else ratio * workforce})
    return shares
