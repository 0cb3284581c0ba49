"""Every figure the report quotes, gathered from the evaluators into one structure.

Nothing here computes a statistic: each number is a row (or a sum of rows)
that :func:`scplearn.evaluation.evaluate` returns for the report's year and
partnership. The disclosure rules are applied later, where figures become
words and charts, so tests can compare the report with these raw figures.
Besides the evaluators, only two things are read directly: the distribution
of scores before and after training (from the uplift evaluator's own count
tables, for the "Before Training / After Training" chart) and the feedback
quotes whose authors consented to publication.
"""

from __future__ import annotations

import attrs

from .. import evaluation, plugins
from ..errors import ScplearnError
from ..model import DIMENSIONS

QUOTES = 4
"""How many feedback quotes the report carries (one per course at most)."""


@attrs.frozen
class Figures:
    """The evaluators' results for one year (and partnership), and for the year compared with.

    ``reach`` and ``reach_compare`` are reach rows for the whole programme;
    ``events`` the reach rows of each headcount-only session (with its mode
    and course); ``sectors`` reach rows by sector; ``workforce`` each sector's
    share of the known workforce (percent), as the reach evaluator counts
    workforce; ``uplift`` and ``impact`` map each
    dimension to its row; ``courses`` are uplift rows by course (with
    ``title``); ``trend`` has, for every year with sessions, that year's reach
    row and uplift rows; ``distributions`` maps each dimension to the number
    of delegates giving each score 1-10 before (``pre``) and after (``post``).
    """

    year: str
    partnership: str | None
    compare: str | None
    reach: dict
    reach_compare: dict | None
    events: list[dict]
    sectors: list[dict]
    workforce: dict[str, float]
    uplift: dict[str, dict]
    uplift_compare: dict[str, dict]
    courses: list[dict]
    impact: dict[str, dict]
    cost: dict | None
    trend: list[dict]
    distributions: dict[str, dict]
    quotes: list[dict]

    @property
    def large_event_attendance(self) -> int:
        """People counted at headcount-only events: everyone reached less the regular programme's attendances."""
        return self.reach["headcount"] - self.reach["attended"]

    @property
    def regular_sessions(self) -> int:
        return self.reach["sessions"] - self.reach["headcount_only_sessions"]

    @property
    def absent_sectors(self) -> list[str]:
        """Sectors with a known workforce but nobody trained this year."""
        present = {row["sector"] for row in self.sectors}
        return [sector for sector in self.workforce if sector not in present]

    @property
    def followups(self) -> int:
        """How many follow-up surveys were answered (0 when none were due)."""
        return next(iter(self.impact.values()), {}).get("followups") or 0


def _evaluate(store, name, by, year=None, partnership=None, as_of=None) -> list[dict]:
    return evaluation.evaluate(store, name, by=by, year=year, partnership=partnership, as_of=as_of, save=False)


def _by_dimension(rows) -> dict[str, dict]:
    return {row["dimension"]: row for row in rows if row.get("dimension") in DIMENSIONS}


def _one(rows) -> dict | None:
    return rows[0] if rows else None


def check_scope(store, year: str, partnership: str | None, compare: str | None) -> None:
    """Refuse, with a sentence a user can act on, a year, partnership or compared year without sessions."""
    if partnership is not None:
        known = [row[0] for row in store.db.execute("SELECT name FROM partnerships ORDER BY name")]
        if partnership not in known:
            raise ScplearnError(f"no partnership named {partnership!r}; known: {', '.join(known) or 'none'}")
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
            as_of=None) -> Figures:
    """Run the evaluators for the report and gather their figures."""
    check_scope(store, year, partnership, compare)
    scope = {"year": year, "partnership": partnership}
    # Every year of the partnership (or programme): the trend, and the report's and the compared year's rows.
    trend = {row["year"]: {"year": row["year"], "reach": row, "uplift": {}}
             for row in _evaluate(store, "reach", ["year"], partnership=partnership)}
    for row in _evaluate(store, "uplift", ["year"], partnership=partnership):
        trend[row["year"]]["uplift"][row["dimension"]] = row
    events = [
        row for row in _evaluate(store, "reach", ["mode", "course", "session"], **scope)
        if row["headcount_only_sessions"]
    ]
    cost = _one(_evaluate(store, "cost", ["year"], **scope))
    return Figures(
        year=year,
        partnership=partnership,
        compare=compare,
        reach=trend[year]["reach"],
        reach_compare=trend[compare]["reach"] if compare else None,
        events=_with_titles(store, events),
        sectors=_evaluate(store, "reach", ["sector"], **scope),
        workforce=workforce_shares(store),
        uplift=trend[year]["uplift"],
        uplift_compare=trend[compare]["uplift"] if compare else {},
        courses=_with_titles(store, _evaluate(store, "uplift", ["course"], **scope)),
        impact=_by_dimension(_evaluate(store, "impact", ["year"], **scope, as_of=as_of)),
        cost=cost if cost and cost.get("spend") is not None else None,
        trend=[trend[key] for key in sorted(trend)],
        distributions=distributions(store, year, partnership),
        quotes=quotes(store, year, partnership),
    )


def _with_titles(store, rows) -> list[dict]:
    titles = dict(store.db.execute("SELECT code, title FROM courses").fetchall())
    return [{**row, "title": titles.get(row["course"], row["course"])} for row in rows]


def workforce_shares(store) -> dict[str, float]:
    """Each sector's share of the known workforce (percent), as the reach evaluator counts workforce."""
    total, by_sector = plugins.get_evaluators()["reach"].workforce(store, ["sector"])
    if not total:
        return {}
    return {key[0]: 100 * workforce / total for key, workforce in sorted(by_sector.items())}


def distributions(store, year: str, partnership: str | None) -> dict[str, dict]:
    """Delegates giving each score 1-10 before and after training, per dimension.

    The margins of the uplift evaluator's (pre, post) count tables for the year.
    """
    uplift = plugins.get_evaluators()["uplift"]
    tables = uplift.count_tables(store, ["year"], evaluation.Scope(year=year, partnership=partnership))
    result = {}
    for dimension in DIMENSIONS:
        table = tables.get((year, dimension), {})
        pre, post = [0] * 10, [0] * 10
        for (before, after), n in table.items():
            pre[before - 1] += n
            post[after - 1] += n
        result[dimension] = {"pre": pre, "post": post}
    return result


def quotes(store, year: str, partnership: str | None, limit: int = QUOTES) -> list[dict]:
    """Up to ``limit`` quotes whose authors consented, one per course, from sessions of the year.

    Feedback not tied to a session cannot be placed in a year and is left out.
    The choice is stable: quotes are taken in the order of their ids (a hash
    of their content).
    """
    sql = """
        SELECT feedback.id, feedback.quote, feedback.role, feedback.course, courses.title
        FROM feedback
        JOIN sessions ON sessions.code = feedback.session
        JOIN courses ON courses.code = feedback.course
        WHERE feedback.consent = 1 AND sessions.year = ?
    """
    params = [year]
    if partnership:
        sql += " AND sessions.partnership = ?"
        params.append(partnership)
    chosen, courses = [], set()
    for row in store.db.query(sql + " ORDER BY feedback.id", params):
        if row["course"] in courses:
            continue
        courses.add(row["course"])
        chosen.append(row)
        if len(chosen) == limit:
            break
    return chosen
