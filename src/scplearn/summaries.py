"""Per-session summaries kept at import: the sufficient statistics the evaluators read.

Every import recounts, in its own transaction, the summaries of each session
whose records it wrote (keeping a session's booking counts when it wrote no
booking), so the summaries always agree with the records. They
hold only what the session's bookings, evaluations and follow-ups say; what
the session itself says (its year, course, date, capacity...) is joined when
an evaluator reads them, so correcting a session needs no recount.

- ``session_summaries``, one row per session with bookings: the booking counts
  of ``reach`` and ``cost`` and the follow-up counts and sums of ``impact``.
- ``score_summaries``, one row per session with paired ratings: for each
  dimension, the number of delegates who rated it before and after, the sums
  of their ratings, and how many ratings went up or down by each amount (all
  ``uplift`` needs; see :func:`scplearn.stats.uplift_of_changes`), in columns
  such as ``knowledge_rated``, ``knowledge_pre_sum``, ``knowledge_up_3``.

A delegate's post-course *gain* (impact's non-response gap) is the mean of
post − pre over the dimensions rated both times; as it is a whole number of
sixths (a mean of one, two or three whole numbers), it is summed as
``gain × 6`` so that the sums stay exact integers. ``gains`` and
``gain_sixths`` are over every attendance with an evaluation,
``respondent_gains`` and ``respondent_gain_sixths`` over those followed up;
the non-respondents' are the difference.
"""

from __future__ import annotations

from .model import DIMENSIONS

SOURCES = ("bookings", "evaluations", "followups")
"""The tables a summary is counted from."""

LARGEST_CHANGE = 9
CHANGES = {
    **{f"down_{k}": -k for k in range(LARGEST_CHANGE, 0, -1)},
    "same": 0,
    **{f"up_{k}": k for k in range(1, LARGEST_CHANGE + 1)},
}
"""The columns of ``score_summaries`` counting ratings that moved by each amount (post − pre)."""
LETTER_OF_SAME = "J"
"""How a change of 0 is written when a session's changes are gathered as text; −9 to +9 are ``A`` to ``S``."""

ANSWERS = ("used_learning", "specific_action")


def gain_sixths(table: str = "evaluations") -> str:
    """SQL for 6 × one delegate's gain (an exact integer), NULL when no dimension was rated both times."""
    changes = " + ".join(f"coalesce({table}.{d}_post - {table}.{d}_pre, 0)" for d in DIMENSIONS)
    rated = " + ".join(f"({table}.{d}_post - {table}.{d}_pre IS NOT NULL)" for d in DIMENSIONS)
    return f"(({changes}) * 6 / nullif({rated}, 0))"


def _booking_columns() -> dict[str, str]:
    """``{column: aggregate over one session's bookings}``."""
    return {
        "bookings": "count(*)",
        "booked": "sum(walk_in = 0)",
        "cancelled": "sum(walk_in = 0 AND status = 'cancelled')",
        "attended": "sum(status = 'attended')",
        "did_not_attend": "sum(walk_in = 0 AND status NOT IN ('cancelled', 'attended'))",
        "walk_ins": "sum(walk_in = 1)",
    }


def _followup_columns() -> dict[str, str]:
    """``{column: aggregate over one session's followed-up attendances, joined to their evaluations}``."""
    gain = gain_sixths()
    columns = {"followups": "count(*)"}
    for answer in ANSWERS:
        columns[f"{answer}_yes"] = f"sum(followups.{answer} = 1)"
        columns[f"{answer}_answered"] = f"count(followups.{answer})"
    columns["respondent_gains"] = f"count({gain})"
    columns["respondent_gain_sixths"] = f"sum({gain})"
    for d in DIMENSIONS:
        rerated = f"evaluations.{d}_pre IS NOT NULL AND evaluations.{d}_post IS NOT NULL AND followups.{d} IS NOT NULL"
        columns[f"{d}_rerated"] = f"count(CASE WHEN {rerated} THEN 1 END)"
        columns[f"{d}_rerated_pre"] = f"sum(CASE WHEN {rerated} THEN evaluations.{d}_pre END)"
        columns[f"{d}_rerated_post"] = f"sum(CASE WHEN {rerated} THEN evaluations.{d}_post END)"
        columns[f"{d}_rerated_followup"] = f"sum(CASE WHEN {rerated} THEN followups.{d} END)"
    return columns


BOOKING_COLUMNS = _booking_columns()
FOLLOWUP_COLUMNS = _followup_columns()
SESSION_COLUMNS = (*BOOKING_COLUMNS, "gains", "gain_sixths", *FOLLOWUP_COLUMNS)
"""The columns of ``session_summaries`` after ``session``."""
SCORE_FIELDS = ("rated", "pre_sum", "post_sum", *CHANGES)
"""What ``score_summaries`` holds of each dimension, in columns named ``<dimension>_<field>``."""
SCORE_COLUMNS = tuple(f"{d}_{field}" for d in DIMENSIONS for field in SCORE_FIELDS)
"""The columns of ``score_summaries`` after ``session``."""


def create_tables(db) -> None:
    """Create the summary tables (empty)."""
    session_columns = ", ".join(f"{column} INTEGER NOT NULL DEFAULT 0" for column in SESSION_COLUMNS)
    db.execute(
        f"CREATE TABLE session_summaries (session TEXT PRIMARY KEY REFERENCES sessions(code), {session_columns})"
    )
    score_columns = ", ".join(f"{column} INTEGER NOT NULL DEFAULT 0" for column in SCORE_COLUMNS)
    db.execute(f"CREATE TABLE score_summaries (session TEXT PRIMARY KEY REFERENCES sessions(code), {score_columns})")


def refresh(db, sessions, written=SOURCES) -> None:
    """Recount the summaries of ``sessions``: in SQL, but for counting each session's changes of
    rating, which streams through Python a session at a time (memory stays flat however many there are).

    ``written`` names the tables of :data:`SOURCES` whose rows changed since
    the summaries were last counted: when ``bookings`` is not among them, each
    session's booking counts are kept as they were rather than counted again.
    """
    db.execute("CREATE TEMP TABLE IF NOT EXISTS touched_sessions (code TEXT PRIMARY KEY)")
    db.execute("DELETE FROM temp.touched_sessions")
    db.conn.executemany("INSERT OR IGNORE INTO temp.touched_sessions VALUES (?)", ((s,) for s in sessions))
    if "bookings" in written:
        counts = ", ".join(f"coalesce({total}, 0) AS {column}" for column, total in BOOKING_COLUMNS.items())
        booking_totals = f"SELECT session, {counts} FROM bookings WHERE session {TOUCHED} GROUP BY session"
    else:
        booking_totals = f"SELECT session, {', '.join(BOOKING_COLUMNS)} FROM session_summaries WHERE session {TOUCHED}"
    followups = ", ".join(f"coalesce({total}, 0) AS {column}" for column, total in FOLLOWUP_COLUMNS.items())
    totals = {
        "booking_totals": booking_totals,
        "evaluation_totals": _evaluation_pass(),
        "followup_totals": f"SELECT bookings.session AS session, {followups} FROM {FOLLOWED_UP} GROUP BY 1",
    }
    for name, sql in totals.items():
        db.execute(f"DROP TABLE IF EXISTS temp.{name}")
        db.execute(f"CREATE TEMP TABLE {name} AS {sql}")
        db.execute(f"CREATE UNIQUE INDEX temp.{name}_session ON {name} (session)")
    for table in ("session_summaries", "score_summaries"):
        db.execute(f"DELETE FROM {table} WHERE session {TOUCHED}")
    gathered = ", ".join(f"{d}_changes, {d}_pre_sum, {d}_post_sum" for d in DIMENSIONS)
    db.conn.executemany(
        f"INSERT INTO score_summaries (session, {', '.join(SCORE_COLUMNS)}) VALUES ({', '.join('?' * (1 + len(SCORE_COLUMNS)))})",
        map(_score_row, db.conn.execute(
            f"SELECT session, {gathered} FROM temp.evaluation_totals "
            f"WHERE {' OR '.join(f'{d}_changes IS NOT NULL' for d in DIMENSIONS)}"
        )),
    )
    db.execute(
        f"INSERT INTO session_summaries (session, {', '.join(SESSION_COLUMNS)}) "
        f"SELECT b.session, {', '.join(_session_values())} FROM temp.booking_totals AS b "
        "LEFT JOIN temp.evaluation_totals AS e ON e.session = b.session "
        "LEFT JOIN temp.followup_totals AS f ON f.session = b.session"
    )
    for name in totals:
        db.execute(f"DROP TABLE temp.{name}")
    db.execute("DELETE FROM temp.touched_sessions")


def refresh_all(db) -> None:
    """Recount the summaries of every session."""
    refresh(db, [row[0] for row in db.execute("SELECT code FROM sessions")])


TOUCHED = "IN (SELECT code FROM temp.touched_sessions)"
ATTENDANCES = "bookings INDEXED BY attended_bookings"
FOLLOWED_UP = (
    f"followups CROSS JOIN {ATTENDANCES} ON bookings.session = followups.session "
    "AND bookings.delegate = followups.delegate AND bookings.status = 'attended' "
    "LEFT JOIN evaluations ON evaluations.session = followups.session "
    f"AND evaluations.delegate = followups.delegate WHERE followups.session {TOUCHED}"
)
"""The touched sessions' follow-ups of attendances, each with its evaluation if any."""


def _evaluation_pass() -> str:
    """SQL for one pass over the touched sessions' evaluations, one row per session.

    Gives the attendances with a gain (``gains``) and the sum of their gains
    in sixths (``gain_sixths``), then per dimension the sums of the paired pre
    and post ratings and the changes of the pairs written one letter a rating
    (``A`` for −9, ``J`` for 0, ``S`` for +9), e.g. ``knowledge_changes``.
    """
    attended = (f"EXISTS (SELECT 1 FROM {ATTENDANCES} WHERE bookings.session = evaluations.session "
                "AND bookings.delegate = evaluations.delegate AND bookings.status = 'attended')")
    columns = [f"session, {gain_sixths()} AS gain, {attended} AS attended"]
    parts = ["count(CASE WHEN attended THEN gain END) AS gains",
             "coalesce(sum(CASE WHEN attended THEN gain END), 0) AS gain_sixths"]
    for d in DIMENSIONS:
        paired = f"{d}_pre IS NOT NULL AND {d}_post IS NOT NULL"
        columns.append(f"CASE WHEN {paired} THEN {d}_pre END AS {d}_pre")
        columns.append(f"CASE WHEN {paired} THEN {d}_post END AS {d}_post")
        columns.append(f"CASE WHEN {paired} THEN char({ord(LETTER_OF_SAME)} + {d}_post - {d}_pre) END AS {d}_change")
        parts += [f"coalesce(sum({d}_pre), 0) AS {d}_pre_sum", f"coalesce(sum({d}_post), 0) AS {d}_post_sum",
                  f"group_concat({d}_change, '') AS {d}_changes"]
    # LIMIT -1 (no limit) keeps the inner query a query of its own, so that each row's gain
    # and attendance are worked out once rather than once per aggregate using them.
    return (f"SELECT session, {', '.join(parts)} FROM "
            f"(SELECT {', '.join(columns)} FROM evaluations WHERE session {TOUCHED} LIMIT -1) GROUP BY session")


LETTERS = tuple(chr(ord(LETTER_OF_SAME) + change) for change in CHANGES.values())
"""The letter of each change of :data:`CHANGES`, in its order."""


def _score_row(gathered) -> tuple:
    """A row of ``score_summaries`` from one session's row of the evaluation pass: each dimension's
    changes (one letter a rating), then its sums of pre and post ratings."""
    row = [gathered[0]]
    for at in range(1, len(gathered), 3):
        changes, pre_sum, post_sum = gathered[at:at + 3]
        changes = changes or ""
        row += [len(changes), pre_sum, post_sum, *map(changes.count, LETTERS)]
    return tuple(row)


def _session_values() -> list[str]:
    """SQL for each of :data:`SESSION_COLUMNS` from the joined booking, evaluation and follow-up totals."""
    found = []
    for column in SESSION_COLUMNS:
        if column in BOOKING_COLUMNS:
            found.append(f"b.{column}")
        elif column in FOLLOWUP_COLUMNS:
            found.append(f"coalesce(f.{column}, 0)")
        else:
            found.append(f"coalesce(e.{column}, 0)")
    return found
