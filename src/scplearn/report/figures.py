"""Every figure the report quotes, read from the published results.

Nothing here computes or rounds a figure: each number is a published one
(:func:`scplearn.results.publish`, the one disclosure policy and its audit),
the same number the public database, its dashboards and canned queries show.
A withheld figure is ``None``; the row's ``suppressed`` column says which are
withheld, and ``protecting`` which of those are not small but withheld so that
a small one cannot be worked out.
"""

from __future__ import annotations

import attrs

from .. import results
from ..errors import ScplearnError
from ..model import DIMENSIONS
from ..disclosure import DisclosurePolicy
from ..results.quotes import published_quotes

QUOTES = 4
"""How many feedback quotes the report carries (one per course at most)."""


@attrs.frozen
class Figures:
    """The published figures of one year (and partnership), and of the year compared with.

    ``reach`` and ``reach_compare`` are the published reach rows of the whole
    programme (or partnership); ``events`` the published rows of the large
    events counted by headcount (with ``title``); ``sectors`` reach rows by
    sector; ``uplift``, ``uplift_compare`` and ``impact`` map each dimension
    to its row; ``courses`` are uplift rows by course (with ``title``);
    ``trend`` has, for every year, that year's reach row and uplift rows;
    ``distributions`` maps each dimension to the published number of
    delegates giving each score 1-10 before (``pre``) and after (``post``);
    ``policy`` is the disclosure policy the figures were published under;
    ``breakdowns`` says whether figures by course and sector are published for
    the report's scope (a partnership's are published only when a few
    partnerships share the database).
    """

    year: str
    partnership: str | None
    compare: str | None
    policy: object
    reach: dict
    reach_compare: dict | None
    events: list[dict]
    sectors: list[dict]
    uplift: dict[str, dict]
    uplift_compare: dict[str, dict]
    courses: list[dict]
    impact: dict[str, dict]
    cost: dict | None
    trend: list[dict]
    distributions: dict[str, dict]
    quotes: list[dict]
    published: object = None
    breakdowns: bool = True

    @property
    def regular_sessions(self) -> int:
        return self.reach["sessions"] - self.reach["headcount_only_sessions"]

    @property
    def followups(self):
        """The published number of follow-up surveys answered (``None`` when withheld, 0 when none)."""
        return next(iter(self.impact.values()), {}).get("followups", 0)


def withheld(row: dict | None, column: str) -> bool:
    """Whether ``row[column]`` was withheld (named in the row's ``suppressed`` column), small or not."""
    return bool(row) and row.get(column) is None and column in _names(row.get("suppressed"))


def withheld_small(row: dict | None, column: str) -> bool:
    """Whether ``row[column]`` was withheld for being a small count (rather than to protect another)."""
    if not row or row.get(column) is not None:
        return False
    return column in _names(row.get("suppressed")) and column not in _names(row.get("protecting"))


def _names(text) -> set[str]:
    return {name.strip() for name in (text or "").split(",") if name.strip()}


def check_scope(store, year: str, partnership: str | None, compare: str | None) -> None:
    """Refuse, with a sentence a user can act on, a year, partnership or compared year without sessions."""
    if partnership is not None:
        store.check_partnership(partnership)
    years = store.years() if partnership is None else [
        row[0] for row in store.db.execute(
            "SELECT DISTINCT year FROM sessions WHERE partnership = ? ORDER BY year", [partnership])
    ]
    where = f" for {partnership}" if partnership else ""
    for wanted in filter(None, (year, compare)):
        if wanted not in years:
            raise ScplearnError(
                f"no training sessions in {wanted}{where}; years with sessions: {', '.join(years) or 'none'}"
            )


def collect(store, year: str, partnership: str | None = None, compare: str | None = None,
            as_of=None, policy=None) -> Figures:
    """Publish the store's results (if not up to date) and gather the report's figures from them."""
    check_scope(store, year, partnership, compare)
    policy = policy or DisclosurePolicy()
    published = results.publish(store, policy, as_of=as_of)
    by = ["year", "partnership"] if partnership else ["year"]
    where = {"partnership": partnership} if partnership else {}

    def rows(name, extra=(), **filters):
        return published.rows(name, [*by, *extra], **where, **filters)

    trend = {}
    for row in rows("reach"):
        trend[row["year"]] = {"year": row["year"], "reach": row, "uplift": {}}
    for row in rows("uplift"):
        if row["year"] in trend:
            trend[row["year"]]["uplift"][row["dimension"]] = row
    titles = dict(store.db.execute("SELECT code, title FROM courses").fetchall())
    cost = next(iter(rows("cost", year=year)), None)
    return Figures(
        year=year,
        partnership=partnership,
        compare=compare,
        policy=policy,
        reach=trend[year]["reach"],
        reach_compare=trend[compare]["reach"] if compare else None,
        events=[{**row, "course": row["event_course"], "mode": row["event_mode"]}
                for row in _with_titles(rows("events", year=year), titles, "event_course")],
        sectors=rows("reach", ["sector"], year=year),
        uplift=trend[year]["uplift"],
        uplift_compare=trend[compare]["uplift"] if compare else {},
        courses=_with_titles(rows("uplift", ["course"], year=year), titles),
        impact=_by_dimension(rows("impact", year=year)),
        cost=cost if cost and cost.get("spend") is not None else None,
        trend=[trend[key] for key in sorted(trend)],
        distributions=distributions(rows("scores", year=year)),
        quotes=quotes(store, policy, year, partnership, titles),
        published=published,
        breakdowns=not partnership or bool(published.rows("uplift", [*by, "course"], year=year)
                                           or published.rows("reach", [*by, "sector"], year=year)),
    )


def _by_dimension(rows) -> dict[str, dict]:
    return {row["dimension"]: row for row in rows if row.get("dimension") in DIMENSIONS}


def _with_titles(rows, titles, column: str = "course") -> list[dict]:
    return [{**row, "title": titles.get(row[column], row[column])} for row in rows]


def distributions(rows) -> dict[str, dict]:
    """``{dimension: {"pre": [10 counts], "post": [10 counts]}}`` from published ``scores`` rows (``None``:
    withheld)."""
    result = {}
    for row in rows:
        entry = result.setdefault(row["dimension"], {"pre": [0] * 10, "post": [0] * 10})
        entry["pre"][row["score"] - 1] = row["before"]
        entry["post"][row["score"] - 1] = row["after"]
    return result


def quotes(store, policy, year: str, partnership: str | None, titles, limit: int = QUOTES) -> list[dict]:
    """Up to ``limit`` published quotes of the year, one per course (the first published of each)."""
    found, courses = [], set()
    allowed = None
    if partnership:
        allowed = {row[0] for row in store.db.execute(
            "SELECT DISTINCT course FROM sessions WHERE year = ? AND partnership = ?", [year, partnership])}
    for quote in published_quotes(store, policy):
        if quote["year"] != year or quote["course"] in courses or (allowed is not None and quote["course"] not in allowed):
            continue
        courses.add(quote["course"])
        found.append({**quote, "title": titles.get(quote["course"], quote["course"])})
        if len(found) == limit:
            break
    return found
