"""Helpers for the report's tests: the NHS rule written out by hand, and how a published count must read.

Kept apart from :mod:`scplearn.disclosure` on purpose: the tests recount
figures from the records and round them with :func:`nhs`, so that a mistake
in the policy's own rounding cannot hide behind itself.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

MIN_COUNT = 8
"""Counts of people from 1 to ``MIN_COUNT - 1`` are withheld."""
BASE = 5
"""Other counts of people are rounded to the nearest multiple of this."""
PHRASE = r"(?:[\d,]+|fewer than \d+|an undisclosed number of)"
"""A count of people as the report may write it, before its noun."""


def nhs(n: int) -> int | None:
    """NHS England's rule: 0 stays 0, 1 to 7 is withheld (``None``), anything else to the nearest 5, halves up."""
    assert isinstance(n, int) and n >= 0, n
    if n == 0:
        return 0
    if n < MIN_COUNT:
        return None
    return math.floor(Fraction(n, BASE) + Fraction(1, 2)) * BASE


def half_up(value) -> int:
    """A number rounded to a whole one, halves up (exactly, as a fraction)."""
    return math.floor(Fraction(value) + Fraction(1, 2))


def percent_of(part, whole) -> int:
    """``part`` as a whole percentage of ``whole``, halves up."""
    return half_up(Fraction(100) * Fraction(part) / Fraction(whole))


def names(text) -> set[str]:
    """The column names listed in a ``suppressed`` or ``protecting`` cell."""
    return {name.strip() for name in (text or "").split(",") if name.strip()}


def as_reported(row: dict, column: str, noun: str) -> str:
    """How the report must word the published count ``row[column]`` of ``noun`` (a plural):
    ``1,285 attendances``, ``fewer than 8 attendances`` or ``an undisclosed number of attendances``."""
    value = row[column]
    if value is not None:
        return f"{value:,} {noun}"
    assert column in names(row["suppressed"]), (column, row)
    if column in names(row["protecting"]):
        return f"an undisclosed number of {noun}"
    return f"fewer than {MIN_COUNT} {noun}"


def as_cell(row: dict, column: str) -> str:
    """How a table cell must show the published count ``row[column]``."""
    value = row[column]
    if value is not None:
        return f"{value:,}"
    assert column in names(row["suppressed"]), (column, row)
    return "undisclosed" if column in names(row["protecting"]) else f"fewer than {MIN_COUNT}"


def number(text: str) -> int:
    return int(text.replace(",", ""))


def find(pattern: str, text: str, flags=0) -> re.Match:
    match = re.search(pattern, text, flags)
    assert match, f"not found in the report: {pattern}"
    return match


def section(markdown: str, title: str) -> str:
    return find(rf"(?s)\n## {re.escape(title)}\n(.*?)(?=\n## |\Z)", markdown).group(1)


def table_rows(text: str, columns: int) -> list[tuple[str, ...]]:
    """The rows of the Markdown tables in ``text`` with ``columns`` cells (header rows included)."""
    cells = r" \| ".join(["([^|]+?)"] * columns)
    found = re.findall(rf"^\| {cells} \|$", text, re.MULTILINE)
    return [row for row in found if set(row) != {"---"}]


def counts_of_people(markdown: str) -> list[tuple[str, str]]:
    """Every number the report's prose gives as a count of people or attendances, with its noun."""
    nouns = r"(attendances?|people|person|different people|respondents?|delegates?)"
    return re.findall(rf"(?<![\d.,£+-])(\d[\d,]*) {nouns}\b", markdown)
