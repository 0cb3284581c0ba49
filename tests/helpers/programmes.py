"""Training programmes to evaluate: random ones (a hypothesis strategy), a tiny one worked out by hand,
and loading or reading them as plain rows."""

from __future__ import annotations

import datetime as dt
import sqlite3
import tempfile
from pathlib import Path

from conftest import write_csv
from hypothesis import strategies as st

import scplearn
from scplearn import summaries, values

DAYS = (dt.date(2023, 4, 1) - dt.date(2022, 4, 1)).days * 2


@st.composite
def programmes(draw):
    """A small random training programme: every table scplearn evaluates, with awkward cases likely."""
    partnerships = ["P1", "P2"]
    agencies = [
        {"name": f"A{i}", "sector": draw(st.sampled_from(["police", "health", "education"])),
         "workforce": draw(st.none() | st.integers(1, 500)), "partnership": draw(st.sampled_from([None, "P1"]))}
        for i in range(draw(st.integers(0, 4)))
    ]
    courses = [{"code": "C1", "title": "One", "priority": "Neglect"}, {"code": "C2", "title": "Two", "priority": None}]
    sessions = []
    for i in range(draw(st.integers(1, 6))):
        date = dt.date(2022, 4, 1) + dt.timedelta(days=draw(st.integers(0, DAYS)))
        sessions.append({
            "code": f"S{i}", "course": draw(st.sampled_from(["C1", "C2"])), "date": date.isoformat(),
            "year": values.year_of(date), "mode": draw(st.sampled_from(["virtual", "face_to_face", "webinar"])),
            "capacity": draw(st.none() | st.integers(0, 30)),
            "partnership": draw(st.sampled_from([None, "P1", "P2"])),
            "headcount": draw(st.none() | st.none() | st.integers(0, 300)),
        })
    delegates = [
        {"key": f"D{i}", "agency": draw(st.sampled_from([None] + [a["name"] for a in agencies]))}
        for i in range(draw(st.integers(0, 8)))
    ]
    pairs = [(s["code"], d["key"]) for s in sessions for d in delegates]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=25)) if pairs else []
    score = st.none() | st.integers(1, 10)
    bookings = []
    for session, delegate in chosen:
        status = draw(st.sampled_from(["booked", "attended", "did_not_attend", "cancelled"]))
        walk_in = int(status == "attended" and draw(st.booleans()))
        bookings.append({"session": session, "delegate": delegate, "status": status, "walk_in": walk_in})
    some_pairs = st.lists(st.sampled_from(pairs), unique=True, max_size=20) if pairs else st.just([])
    evaluations = [
        {"session": s, "delegate": d, **{f"{dim}_{side}": draw(score)
                                         for dim in ("knowledge", "skills", "confidence") for side in ("pre", "post")}}
        for s, d in draw(some_pairs)
    ]
    # Follow-ups come from any pair, attended or not, as real survey returns do.
    followups = [
        {"session": s, "delegate": d, "date": "2024-06-01",
         "used_learning": draw(st.none() | st.sampled_from([0, 1])),
         "specific_action": draw(st.none() | st.sampled_from([0, 1])),
         **{dim: draw(score) for dim in ("knowledge", "skills", "confidence")}}
        for s, d in draw(some_pairs)
    ]
    years = ["2022/23", "2023/24"]
    spend = [
        {"year": y, "partnership": p, "amount": draw(st.integers(0, 50_000)) / 4}
        for y in years for p in partnerships if draw(st.booleans())
    ]
    return {
        "partnerships": [{"name": p} for p in partnerships], "agencies": agencies, "courses": courses,
        "sessions": sessions, "delegates": delegates, "bookings": bookings, "evaluations": evaluations,
        "followups": followups, "spend": spend,
    }


def load(data) -> scplearn.Store:
    """A new store in a temporary directory holding ``data`` (written straight to its tables).

    The per-session summaries are then counted as an import counts them.
    """
    store = scplearn.open(Path(tempfile.mkdtemp()) / "training.db")
    with store.db.atomic():
        for table in ("partnerships", "agencies", "courses", "sessions", "delegates", "bookings",
                      "evaluations", "followups", "spend"):
            if data[table]:
                store.db[table].insert_all(data[table])
        summaries.refresh_all(store.db)
    return store


def read_tables(path) -> dict:
    """Every table scplearn evaluates, read with plain sqlite3 as lists of dicts."""
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    tables = {
        table: [dict(row) for row in connection.execute(f"SELECT * FROM {table}")]
        for table in ("partnerships", "agencies", "courses", "sessions", "delegates", "bookings",
                      "evaluations", "followups", "spend")
    }
    connection.close()
    return tables



def hand_worked_files(directory):
    """The tiny programme tests/test_evaluators_reach.py works out by hand: four sessions (a festival
    counted by headcount, an e-learning one), four delegates, a cancellation, a walk-in, a no-show."""
    write_csv(directory / "partnerships.csv", """
        name
        Leicester
    """)
    write_csv(directory / "agencies.csv", """
        name,sector,workforce
        City Police,police,1200
        St Mary's School,education,80
        Helping Hands,voluntary,
    """)
    write_csv(directory / "courses.csv", """
        code,title
        CAS01,Core Awareness
    """)
    write_csv(directory / "sessions.csv", """
        code,course,date,mode,capacity,partnership,headcount
        S1,CAS01,2023-09-03,face_to_face,20,Leicester,
        S2,CAS01,2024-02-01,virtual,10,Leicester,
        FEST,CAS01,2024-03-01,festival,300,Leicester,284
        E1,CAS01,2023-05-01,e_learning,,Leicester,
    """)
    write_csv(directory / "delegates.csv", """
        email,agency
        zoe@example.org,St Mary's School
        bob@example.org,City Police
        ann@example.org,City Police
        vic@example.org,Helping Hands
    """)
    write_csv(directory / "bookings.csv", """
        session,email,status,walk_in
        S1,zoe@example.org,attended,no
        S1,bob@example.org,cancelled,
        S1,ann@example.org,attended,
        S1,vic@example.org,did not attend,
        S2,bob@example.org,attended,yes
        S2,zoe@example.org,booked,
        E1,ann@example.org,attended,
    """)
    return directory
