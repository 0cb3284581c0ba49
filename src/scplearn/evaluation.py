"""What evaluators share: the groupings, the scope of an evaluation and the SQL that groups.

An evaluator computes rows for groups of the data. The groupings a user can ask
for, alone or combined, are :data:`GROUPINGS`. Session-level groupings (year,
partnership, course, session, priority, mode) describe where and when training
happened; delegate-level groupings (sector, agency) describe who came. Running
evaluators and keeping their results is :mod:`scplearn.results`' work.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import weakref

import attrs

from . import values
from .errors import ScplearnError
from .evaluator import DELEGATE_FIELDS

GROUPINGS = {
    "year": "sessions.year",
    "partnership": "sessions.partnership",
    "course": "sessions.course",
    "session": "sessions.code",
    "priority": "courses.priority",
    "mode": "sessions.mode",
    "sector": "agencies.sector",
    "agency": "delegates.agency",
}
DELEGATE_LEVEL = DELEGATE_FIELDS


@attrs.frozen
class Scope:
    """Which sessions an evaluation covers (a financial year and/or a partnership), and as of which day.

    ``as_of`` is the day on which follow-ups are judged due (``None``: today):
    fixing it makes the ``impact`` figures of a past report reproducible.
    """

    year: str | None = attrs.field(default=None, converter=values.financial_year)
    partnership: str | None = None
    as_of: dt.date | None = attrs.field(default=None, converter=values.date)

    def sql(self) -> tuple[str, list]:
        """A WHERE clause on ``sessions`` (always valid SQL) and its parameters."""
        clauses, params = ["1 = 1"], []
        if self.year:
            clauses.append("sessions.year = ?")
            params.append(self.year)
        if self.partnership:
            clauses.append("sessions.partnership = ?")
            params.append(self.partnership)
        return " AND ".join(clauses), params

    def as_dict(self) -> dict:
        found = {key: value for key, value in attrs.asdict(self).items() if value is not None}
        if self.as_of:
            found["as_of"] = self.as_of.isoformat()
        return found


def check_grouping(by) -> list[str]:
    by = list(dict.fromkeys(by or ()))
    unknown = [field for field in by if field not in GROUPINGS]
    if unknown:
        raise ScplearnError(f"cannot group by {', '.join(unknown)}; choose from {', '.join(GROUPINGS)}")
    return by


def group_columns(by) -> str:
    """``sessions.year AS year, ...`` for a SELECT list (empty string when ungrouped)."""
    return ", ".join(f"{GROUPINGS[field]} AS {field}" for field in by)


def group_expressions(by) -> str:
    return ", ".join(GROUPINGS[field] for field in by)


COURSE_OF_SESSION = "LEFT JOIN courses ON courses.code = sessions.course"
"""The join that follows ``sessions`` in every FROM clause, for the groupings that read a course's fields."""


def joins(source: str, by, *, delegates: bool | None = None) -> str:
    """The FROM clause joining ``source`` (a table with a ``session`` column) to what ``by`` needs.

    ``delegates`` forces (or forbids) the join to delegates and agencies; by
    default it is made when a delegate-level grouping is asked for and
    ``source`` has a ``delegate`` column.
    """
    clause = f"{source} JOIN sessions ON sessions.code = {source}.session {COURSE_OF_SESSION}"
    if delegates is None:
        delegates = bool(DELEGATE_LEVEL & set(by))
    if delegates:
        clause += (
            f" LEFT JOIN delegates ON delegates.key = {source}.delegate"
            " LEFT JOIN agencies ON agencies.name = delegates.agency"
        )
    return clause


def group_key(row, by) -> tuple:
    return tuple(row[field] for field in by)


def session_level(by) -> bool:
    """Whether every field of ``by`` describes sessions, so that per-session summaries can answer."""
    return not DELEGATE_LEVEL & set(by)


def grouped(store, by, scope: Scope, aggregates: str, source: str, *, present: str,
            where: str = "1 = 1", params=(), also_by: dict[str, str] | None = None) -> dict:
    """``{group key: row}`` from one ``GROUP BY`` query: the scaffolding every evaluator shares.

    Runs ``SELECT <grouping fields>, <aggregates> FROM <source> WHERE <where>
    AND <scope> GROUP BY <grouping fields>``; ``source`` must join ``sessions``
    and ``courses`` (see :func:`joins`). ``also_by`` (``{name: SQL}``) adds
    fields to group by after the grouping fields, and to the key (e.g. a
    dimension). Groups whose ``present`` column is 0 or NULL are left out.
    ``params`` fill the placeholders of ``aggregates``, ``source`` and
    ``where``; the scope's come after them.
    """
    also_by = also_by or {}
    scope_where, scope_params = scope.sql()
    keys = [f"{GROUPINGS[field]} AS {field}" for field in by]
    keys += [f"{sql} AS {name}" for name, sql in also_by.items()]
    expressions = [GROUPINGS[field] for field in by] + list(also_by.values())
    sql = (
        f"SELECT {''.join(key + ', ' for key in keys)}{aggregates} FROM {source} "
        f"WHERE ({where}) AND {scope_where}"
        + (f" GROUP BY {', '.join(expressions)}" if expressions else "")
    )
    names = [*by, *also_by]
    return {
        tuple(row[name] for name in names): row
        for row in store.db.query(sql, [*params, *scope_params])
        if row[present]
    }


def summary_source(table: str) -> str:
    """The FROM clause joining a per-session summary table to ``sessions`` and ``courses``."""
    return joins(table, (), delegates=False)


ATTENDANCES = (
    f"sessions {COURSE_OF_SESSION} "
    "CROSS JOIN bookings INDEXED BY attended_bookings "
    "ON bookings.session = sessions.code AND bookings.status = 'attended'"
)
"""Each session's attending delegates, read in the order of the sessions (see :func:`different_delegates`)."""

UNKNOWN_WORKFORCE = (
    "SELECT key FROM delegates WHERE agency IS NULL "
    "OR agency IN (SELECT name FROM agencies WHERE workforce IS NULL)"
)
"""Delegates not known to be from an agency of known workforce (an agency a delegate names always exists)."""


WORKFORCE_GROUPINGS = {"sector": "agencies.sector", "agency": "agencies.name"}
"""How the agencies table is grouped for the delegate-level groupings."""


def known_workforce(store, by) -> tuple[int | None, dict]:
    """The known workforce of all agencies, and of each sector and/or agency ``by`` names.

    Returns ``(total, {(sector/agency values in the order of by): workforce})``;
    agencies whose workforce is not known are left out of both.
    """
    total = store.db.execute("SELECT sum(workforce) FROM agencies WHERE workforce IS NOT NULL").fetchone()[0]
    columns = ", ".join(WORKFORCE_GROUPINGS[field] for field in by if field in WORKFORCE_GROUPINGS)
    groups = {}
    if columns:
        for row in store.db.execute(
            f"SELECT {columns}, sum(workforce) FROM agencies WHERE workforce IS NOT NULL GROUP BY {columns}"
        ):
            groups[tuple(row[:-1])] = row[-1]
    return total, groups


def different_delegates(store, by, scope: Scope, *, where: str = "1 = 1") -> dict:
    """``{group key: row}``: the different delegates present in each group, for session-level groupings.

    Each row has ``unique_delegates`` and ``known_workforce_delegates`` (those
    of them from agencies of known workforce: all of them, without a second
    count, when every delegate's workforce is known). Distinct people do not
    add up across sessions, so they are counted from the attending delegates
    themselves, read through the index of attended bookings session by
    session (in group order where an index of sessions gives it). This is the
    slowest figure of all, and ``reach`` and ``cost`` both need it, so it is
    remembered until the data changes (see :func:`remembered`).
    """
    return remembered(store, ("different_delegates", tuple(by), scope, where),
                      lambda: _different_delegates(store, by, scope, where))


def _different_delegates(store, by, scope: Scope, where: str) -> dict:
    columns = "count(DISTINCT bookings.delegate) AS unique_delegates"
    everyone_known = not store.db.execute(f"SELECT EXISTS ({UNKNOWN_WORKFORCE})").fetchone()[0]
    if not everyone_known:
        columns += (f", count(DISTINCT CASE WHEN bookings.delegate NOT IN ({UNKNOWN_WORKFORCE}) "
                    "THEN bookings.delegate END) AS known_workforce_delegates")
    with temporary_btrees_in_memory(store.db):
        rows = grouped(store, by, scope, columns, ATTENDANCES, where=where, present="unique_delegates")
    if everyone_known:
        rows = {key: {**row, "known_workforce_delegates": row["unique_delegates"]} for key, row in rows.items()}
    return rows


@contextlib.contextmanager
def temporary_btrees_in_memory(db):
    """SQLite's temporary B-trees kept in memory rather than in temporary files, outside a transaction.

    Each ``count(DISTINCT ...)`` builds one per group; by year, about 87,000
    delegates' keys a group for a million records, and there the count took
    0.9 s instead of 1.2 s. Not for the whole connection: an import's sorts
    would then grow its memory with the rows. SQLite refuses the change inside
    a transaction that has used temporary storage, so none is tried in one.
    (Changing the setting drops the connection's temporary tables; the only
    ones scplearn makes, the summaries' during an import, are made afresh each time.)
    """
    if db.conn.in_transaction:
        yield
        return
    before = db.execute("PRAGMA temp_store").fetchone()[0]
    db.execute("PRAGMA temp_store = MEMORY")
    try:
        yield
    finally:
        db.execute(f"PRAGMA temp_store = {before}")


_remembered: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
"""``{store: (state of its data, {key: value})}`` for :func:`remembered`."""


def data_state(store) -> tuple:
    """A value that changes whenever the store's data may have: a commit by another
    connection (``PRAGMA data_version``) or any row written by this one."""
    return store.db.execute("PRAGMA data_version").fetchone()[0], store.db.conn.total_changes


def remembered(store, key, compute):
    """``compute()``, worked out once for each state of the store's data."""
    state = data_state(store)
    known_state, values = _remembered.get(store, (None, {}))
    if known_state != state:
        values = {}
    if key not in values:
        values[key] = compute()
    _remembered[store] = (state, values)
    return values[key]


def forget(store) -> None:
    """Forget what :func:`remembered` holds for ``store``: evaluations then start as in a new process."""
    _remembered.pop(store, None)
