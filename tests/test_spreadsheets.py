"""Text leaving scplearn for spreadsheets never runs as a formula."""

import sqlite_utils

from scplearn.disclosure import DisclosurePolicy
from scplearn.publish.public import build_public
from scplearn.spreadsheets import FORMULA_STARTS, neutralise_database, safe_cell


def test_neutralise_database_prefixes_formula_like_text_only():
    db = sqlite_utils.Database(memory=True)
    db["t"].insert_all([
        {"id": 1, "text": "=HYPERLINK(\"http://evil.example.org\")", "n": 5},
        {"id": 2, "text": "Plain words", "n": -3},
        {"id": 3, "text": "@SUM(A1)", "n": 0},
        {"id": 4, "text": None, "n": 1},
    ], pk="id")
    assert neutralise_database(db) == 2
    assert [row["text"] for row in db["t"].rows] == [
        "'=HYPERLINK(\"http://evil.example.org\")", "Plain words", "'@SUM(A1)", None]
    assert [row["n"] for row in db["t"].rows] == [5, -3, 0, 1]  # numbers are left alone
    assert [safe_cell(row["text"]) for row in db["t"].rows][:3] == [row["text"] for row in db["t"].rows][:3]


def test_the_public_database_holds_no_formula_like_text(sample_copy, tmp_path):
    # Quotes are published only for a course and year with enough consented ones, the longest first: make one
    # such group, whose longest quote is a formula.
    session, course = sample_copy.db.execute("SELECT code, course FROM sessions ORDER BY code LIMIT 1").fetchone()
    link = '=HYPERLINK("http://evil.example.org","Click' + " here" * 60 + '")'
    quotes = [link] + [
        f"Useful session, point {number}." for number in range(1, DisclosurePolicy().min_count)]
    sample_copy.db["feedback"].insert_all(
        {"id": f"0000-{number:02d}", "course": course, "session": session, "quote": quote, "consent": 1}
        for number, quote in enumerate(quotes))
    sample_copy.db.execute("UPDATE courses SET title = '+' || title WHERE code = (SELECT min(code) FROM courses)")
    public = sqlite_utils.Database(build_public(sample_copy, tmp_path / "public.db"))
    quotes = [row["quote"] for row in public["quotes"].rows]
    assert "'" + link in quotes
    for table in public.tables:
        for row in table.rows:
            for value in row.values():
                assert not (isinstance(value, str) and value.startswith(FORMULA_STARTS)), (table.name, value)
