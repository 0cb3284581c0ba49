"""The reach evaluator against hand-worked figures, a row-by-row recount and the sample data.

The random training programmes are in tests/helpers/programmes.py, and the
recount's pieces, which the impact and cost tests share, in tests/helpers/expected.py.
"""

from __future__ import annotations

import csv

import pytest
from helpers.expected import GROUPINGS, Lookup, assert_rows_equal, keyed, rate
from helpers.programmes import hand_worked_files, load, programmes, read_tables
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scplearn
from scplearn import evaluation, values
from scplearn.evaluation import DELEGATE_LEVEL, Scope
from scplearn.evaluators.reach import Reach


def reach_by_hand(data, by, scope=Scope()) -> dict:
    """Reach recounted row by row, following docs/evaluators.md.

    Delegate-level groupings (sector, agency) split people, not places: they
    get no sessions, places or headcount of large events. The workforce is that
    of the group's agencies for them, of every agency for the ungrouped and the
    by-year rows, and not given otherwise.
    """
    look = Lookup(data)
    delegate_level = bool(DELEGATE_LEVEL & set(by))
    groups = {}

    def group(key):
        return groups.setdefault(key, {
            "sessions": 0, "headcount_only_sessions": 0, "spaces_offered": None, "booked": 0,
            "cancelled": 0, "attended": 0, "did_not_attend": 0, "walk_ins": 0, "present_at_capacity": 0,
            "people": set(), "known_people": set(), "headcount_extra": 0,
        })

    if not delegate_level:
        for session in data["sessions"]:
            if not look.in_scope(session["code"], scope):
                continue
            g = group(look.key(by, session["code"]))
            g["sessions"] += 1
            if session["headcount"] is not None:
                g["headcount_only_sessions"] += 1
                g["headcount_extra"] += session["headcount"]
            elif session["capacity"] is not None:
                g["spaces_offered"] = (g["spaces_offered"] or 0) + session["capacity"]
    for b in data["bookings"]:
        if not look.in_scope(b["session"], scope):
            continue
        g = group(look.key(by, b["session"], b["delegate"]))
        session = look.sessions[b["session"]]
        present = b["status"] == "attended"
        if not b["walk_in"]:
            g["booked"] += 1
            g["cancelled"] += b["status"] == "cancelled"
            g["did_not_attend"] += b["status"] in ("booked", "did_not_attend")
        g["walk_ins"] += b["walk_in"]
        if present:
            g["attended"] += 1
            g["people"].add(b["delegate"])
            if session["headcount"] is None and session["capacity"] is not None:
                g["present_at_capacity"] += 1
            agency = look.delegates[b["delegate"]]["agency"]
            if look.workforce(agency) is not None:
                g["known_people"].add(b["delegate"])
    total_workforce = sum(a["workforce"] for a in data["agencies"] if a["workforce"] is not None) or None
    result = {}
    for key, g in groups.items():
        if delegate_level:
            group_fields = {f: v for f, v in zip(by, key) if f in DELEGATE_LEVEL}
            members = [a for a in data["agencies"] if a["workforce"] is not None and all(
                (a["name"] if f == "agency" else a["sector"]) == v for f, v in group_fields.items())]
            base = sum(a["workforce"] for a in members) or None
        else:
            base = total_workforce if set(by) <= {"year", "partnership"} else None
        known = len(g["known_people"]) if base is not None else None
        result[key] = {
            "sessions": None if delegate_level else g["sessions"],
            "headcount_only_sessions": None if delegate_level else g["headcount_only_sessions"],
            "spaces_offered": None if delegate_level else g["spaces_offered"],
            "booked": g["booked"], "cancelled": g["cancelled"], "attended": g["attended"],
            "did_not_attend": g["did_not_attend"], "walk_ins": g["walk_ins"],
            "places_taken": None if delegate_level or g["spaces_offered"] is None else g["present_at_capacity"],
            "headcount_only_attendance": None if delegate_level else g["headcount_extra"],
            "headcount": g["attended"] + (0 if delegate_level else g["headcount_extra"]),
            "unique_delegates": len(g["people"]),
            "known_workforce_delegates": known,
            "workforce": base,
            "attendance_rate": None if delegate_level else rate(g["present_at_capacity"], g["spaces_offered"]),
            "show_rate": rate(g["attended"] - g["walk_ins"], g["booked"] - g["cancelled"]),
            "per_1000_workforce": None if base is None else 1000 * len(g["known_people"]) / base,
            "representation_ratio": None,
            "_known": len(g["known_people"]), "_base": base,
        }
    outer = [i for i, f in enumerate(by) if f not in DELEGATE_LEVEL]
    # The share of delegates is taken within the row of the other grouping fields, which has a
    # workforce (everyone's) only when those fields are the year, the partnership or none.
    if delegate_level and total_workforce and {by[i] for i in outer} <= {"year", "partnership"}:
        for key, row in result.items():
            within = sum(other["_known"] for k, other in result.items() if all(k[i] == key[i] for i in outer))
            if row["_base"] and within:
                row["representation_ratio"] = (row["_known"] / within) / (row["_base"] / total_workforce)
    for row in result.values():
        del row["_known"], row["_base"]
    return result


# -- Tests -----------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=programmes(), by=st.sampled_from(GROUPINGS), year=st.sampled_from([None, "2022/23"]))
def test_reach_matches_a_row_by_row_recount(data, by, year):
    store = load(data)
    try:
        scope = Scope(year=year)
        assert_rows_equal(keyed(Reach().evaluate(store, by, scope), by), reach_by_hand(data, by, scope))
    finally:
        store.close()


@pytest.mark.parametrize("by", GROUPINGS, ids=lambda by: "+".join(by) or "all")
def test_reach_on_the_sample_matches_a_recount_of_its_rows(sample_store, by):
    data = read_tables(sample_store.path)
    rows = Reach().evaluate(sample_store, by, Scope())
    assert rows
    assert_rows_equal(keyed(rows, by), reach_by_hand(data, by))


def test_the_sample_2023_24_figures_match_its_session_file(sample_store, sample_dir):
    with open(sample_dir / "sessions.csv", encoding="utf-8") as handle:
        sessions = [row for row in csv.DictReader(handle) if values.year_of(values.date(row["date"])) == "2023/24"]
    regular = [row for row in sessions if not row["headcount"]]
    (row,) = Reach().evaluate(sample_store, ["year"], Scope(year="2023/24"))  # the shared store stays unwritten
    assert len(regular) == 46
    assert row["sessions"] == len(sessions) > 46
    assert row["headcount_only_sessions"] == len(sessions) - 46
    assert row["spaces_offered"] == sum(int(r["capacity"]) for r in regular) == 1600
    assert row["places_taken"] == row["attended"]  # every attendance of the year is at a session with places
    assert row["attendance_rate"] == pytest.approx(100 * row["attended"] / 1600)
    assert 75 <= row["attendance_rate"] <= 85
    assert row["headcount_only_attendance"] == sum(int(r["headcount"]) for r in sessions if r["headcount"])
    assert row["headcount"] == row["attended"] + row["headcount_only_attendance"]


def test_reach_by_hand_on_a_tiny_programme(tmp_store, tmp_path):
    scplearn.import_files(tmp_store, [hand_worked_files(tmp_path / "in")])
    (row,) = scplearn.evaluate(tmp_store, "reach")
    assert row == {
        "sessions": 4, "headcount_only_sessions": 1,
        "spaces_offered": 30,          # S1 + S2; the festival's 300 is not a bookable place, E1 has none
        "booked": 6, "cancelled": 1, "attended": 4, "did_not_attend": 2, "walk_ins": 1,
        "places_taken": 3,             # zoe, ann at S1, bob at S2; ann's e-learning has no places
        "headcount_only_attendance": 284,
        "headcount": 4 + 284,
        "unique_delegates": 3,
        "known_workforce_delegates": 3,  # zoe, bob, ann; Helping Hands' workforce is unknown
        "workforce": 1200 + 80,
        "attendance_rate": 100 * 3 / 30,
        "show_rate": 100 * (6 - 1 - 2) / (6 - 1),  # of 5 still booked, vic and zoe (S2) did not come
        "per_1000_workforce": 1000 * 3 / 1280,
        "representation_ratio": None,
    }
    (year,) = scplearn.evaluate(tmp_store, "reach", by=["year"])
    assert year["year"] == "2023/24" and (year["workforce"], year["known_workforce_delegates"]) == (1280, 3)
    # Grouped by course (or anything but the year), rows are of part of the training, not of everyone's workforce.
    (course,) = scplearn.evaluate(tmp_store, "reach", by=["course"])
    assert course["workforce"] is course["known_workforce_delegates"] is course["per_1000_workforce"] is None
    assert course["places_taken"] == 3

    by_sector = keyed(scplearn.evaluate(tmp_store, "reach", by=["sector"]), ["sector"])
    assert set(by_sector) == {("education",), ("police",), ("voluntary",)}
    police, school, voluntary = by_sector[("police",)], by_sector[("education",)], by_sector[("voluntary",)]
    # bob cancelled S1 and walked in to S2; ann booked and came to S1 and E1.
    assert (police["booked"], police["cancelled"], police["attended"], police["walk_ins"]) == (3, 1, 3, 1)
    assert police["unique_delegates"] == police["known_workforce_delegates"] == 2  # bob and ann
    assert police["workforce"] == 1200
    for column in ("sessions", "headcount_only_sessions", "spaces_offered", "places_taken",
                   "headcount_only_attendance", "attendance_rate"):
        assert police[column] is None, column  # places and large events cannot be split between sectors
    assert police["headcount"] == 3
    assert police["show_rate"] == pytest.approx(100 * (3 - 1 - 0) / (3 - 1))
    assert police["per_1000_workforce"] == pytest.approx(1000 * 2 / 1200)
    # Police: 2 of the 3 delegates of known workforce, from 1200 of 1280 staff.
    assert police["representation_ratio"] == pytest.approx((2 / 3) / (1200 / 1280))
    assert school["representation_ratio"] == pytest.approx((1 / 3) / (80 / 1280))
    assert (school["workforce"], school["known_workforce_delegates"]) == (80, 1)
    assert voluntary["workforce"] is voluntary["known_workforce_delegates"] is None
    assert voluntary["per_1000_workforce"] is None and voluntary["representation_ratio"] is None
    assert (voluntary["booked"], voluntary["did_not_attend"], voluntary["show_rate"]) == (1, 1, 0.0)
    # Within the one year, the same shares as over everything.
    by_year_sector = keyed(scplearn.evaluate(tmp_store, "reach", by=["year", "sector"]), ["year", "sector"])
    assert by_year_sector[("2023/24", "police")]["representation_ratio"] == pytest.approx((2 / 3) / (1200 / 1280))


def test_places_nobody_booked_were_offered_and_not_taken():
    """A session with places and no booking has no summary row: its places still count, none taken."""
    data = {table: [] for table in ("partnerships", "agencies", "delegates", "bookings", "evaluations",
                                    "followups", "spend")}
    data["courses"] = [{"code": "C1", "title": "One", "priority": None}]
    data["sessions"] = [{"code": "S0", "course": "C1", "date": "2023-05-01", "year": "2023/24", "mode": "virtual",
                         "capacity": 12, "partnership": None, "headcount": None}]
    store = load(data)
    try:
        (row,) = Reach().evaluate(store, [], Scope())
    finally:
        store.close()
    assert (row["sessions"], row["spaces_offered"], row["places_taken"], row["attended"]) == (1, 12, 0, 0)
    assert row["attendance_rate"] == 0.0


def test_reach_of_nothing(tmp_store):
    for by in GROUPINGS:
        assert Reach().evaluate(tmp_store, by, Scope()) == []


def test_a_scope_with_no_sessions_gives_no_rows(tmp_store, tmp_path):
    scplearn.import_files(tmp_store, [hand_worked_files(tmp_path / "in")])
    assert scplearn.evaluate(tmp_store, "reach", year="2019/20") == []
    assert scplearn.evaluate(tmp_store, "reach", by=["sector"], partnership="Nowhere") == []


# -- Different delegates: temporary B-trees in memory ------------------------------------------------

def test_different_delegates_count_with_temporary_btrees_in_memory_then_put_the_setting_back(sample_copy):
    db = sample_copy.db
    db.execute("PRAGMA temp_store = FILE")
    statements = []
    db.conn.set_trace_callback(statements.append)
    try:
        counted = evaluation.different_delegates(sample_copy, ["year"], Scope())
    finally:
        db.conn.set_trace_callback(None)
    memory = statements.index("PRAGMA temp_store = MEMORY")
    count = next(i for i, sql in enumerate(statements) if "count(DISTINCT bookings.delegate)" in sql)
    assert memory < count < statements.index("PRAGMA temp_store = 1")
    assert db.execute("PRAGMA temp_store").fetchone()[0] == 1
    assert sum(row["unique_delegates"] for row in counted.values()) == db.execute(
        "SELECT count(*) FROM (SELECT DISTINCT sessions.year, bookings.delegate FROM bookings "
        "JOIN sessions ON sessions.code = bookings.session WHERE bookings.status = 'attended')").fetchone()[0]


def test_inside_a_transaction_that_used_temporary_storage_the_setting_is_left_alone(sample_copy):
    db = sample_copy.db
    expected = evaluation.different_delegates(sample_copy, ["year"], Scope())
    evaluation.forget(sample_copy)
    with db.atomic():
        db.execute("CREATE TEMP TABLE scratch (x)")  # SQLite now refuses to change temp_store
        db.execute("INSERT INTO scratch VALUES (1)")
        assert evaluation.different_delegates(sample_copy, ["year"], Scope()) == expected
        assert db.execute("SELECT count(*) FROM temp.scratch").fetchone()[0] == 1
