"""Published figures as the report words them: a withheld count reads "fewer than 8", a missing figure a dash.

Figures arrive already through the disclosure policy (see :mod:`.figures`):
nothing here rounds, withholds or computes a figure. A count withheld for
being small reads "fewer than 8 people"; one withheld, though not small, so
that a small one cannot be worked out reads "an undisclosed number of
people".
"""

from __future__ import annotations

from .. import model
from ..model import DIMENSIONS
from . import wording
from .figures import withheld, withheld_small

DASH = "\u2013"
"""What a table shows for a figure that is withheld or missing."""
UNDISCLOSED = "an undisclosed number of"


def people(policy, row, column: str, singular: str, plural_form: str | None = None) -> str:
    """``1,285 attendances``, ``fewer than 8 attendances`` or ``an undisclosed number of attendances``."""
    value = row.get(column) if row else None
    plural_form = plural_form or singular + "s"
    if value is not None:
        return wording.plural(value, singular, plural_form)
    if withheld_small(row, column):
        return f"fewer than {policy.min_count} {plural_form}"
    return f"{UNDISCLOSED} {plural_form}"


def count(policy, row, column: str) -> str:
    """A count in a table cell: the number, "fewer than 8", "undisclosed" or a dash."""
    value = row.get(column) if row else None
    if value is not None:
        return wording.number(value)
    if withheld_small(row, column):
        return f"fewer than {policy.min_count}"
    return "undisclosed" if withheld(row, column) else DASH


def or_dash(value, form) -> str:
    return DASH if value is None else form(value)


def label(dimension: str) -> str:
    return dimension.capitalize()


def disclosed_dimensions(rows: dict) -> dict:
    """``{dimension: row}`` for the dimensions whose mean change is published."""
    return {d: rows[d] for d in DIMENSIONS if rows.get(d) and rows[d].get("mean_change") is not None}


def courses_with_gains(figures) -> list[dict]:
    """The courses whose three mean changes are all published, largest average gain first.

    They are ordered by the average of the three published mean changes (only
    to rank them; the report quotes the three changes).
    """
    by_course = {}
    for row in figures.courses:
        by_course.setdefault(row["course"], {})[row["dimension"]] = row
    ranked = []
    for course, rows in by_course.items():
        if len(disclosed_dimensions(rows)) == len(DIMENSIONS):
            ranked.append({"course": course, "title": rows[DIMENSIONS[0]]["title"], "rows": rows})
    return sorted(ranked, key=lambda c: (-sum(c["rows"][d]["mean_change"] for d in DIMENSIONS), c["title"]))


def course_changes(course) -> str:
    return ", ".join(f"{d} {wording.signed_points(course['rows'][d]['mean_change'])}" for d in DIMENSIONS)


def sector_label(sector) -> str:
    return model.SECTORS.get(sector, "Not known") if sector else "Not known"


def sector_order(sector) -> int:
    return list(model.SECTORS).index(sector) if sector in model.SECTORS else len(model.SECTORS)
