"""The pieces the evaluator tests recount figures with by hand, from plain rows and never through scplearn's
own queries, and how the evaluators' rows are compared with the recounts."""

from __future__ import annotations

import math

from scplearn.evaluation import Scope

GROUPINGS = [
    [], ["year"], ["partnership"], ["year", "partnership"], ["course"], ["session"], ["priority"],
    ["mode", "year"], ["sector"], ["agency"], ["year", "sector"], ["partnership", "agency"], ["sector", "agency"],
]
"""The groupings the recounts are checked under: each field alone, and combinations that are easy to get wrong."""


class Lookup:
    """Where a session or a delegate falls for each grouping field, from plain dicts."""

    def __init__(self, data):
        self.sessions = {s["code"]: s for s in data["sessions"]}
        self.courses = {c["code"]: c for c in data["courses"]}
        self.delegates = {d["key"]: d for d in data["delegates"]}
        self.agencies = {a["name"]: a for a in data["agencies"]}

    def value(self, field, session_code, delegate_key=None):
        session = self.sessions[session_code]
        if field == "session":
            return session["code"]
        if field in ("year", "partnership", "course", "mode"):
            return session[field]
        if field == "priority":
            course = self.courses.get(session["course"])
            return course["priority"] if course else None
        agency = self.delegates[delegate_key]["agency"] if delegate_key in self.delegates else None
        if field == "agency":
            return agency
        return self.agencies[agency]["sector"] if agency in self.agencies else None

    def key(self, by, session_code, delegate_key=None):
        return tuple(self.value(field, session_code, delegate_key) for field in by)

    def in_scope(self, session_code, scope: Scope) -> bool:
        session = self.sessions[session_code]
        return all(session[field] == value for field, value in scope.as_dict().items())

    def workforce(self, agency):
        return self.agencies[agency]["workforce"] if agency in self.agencies else None


def rate(numerator, denominator):
    return None if not denominator else 100 * numerator / denominator



def keyed(rows, by) -> dict:
    """Evaluator rows as ``{group key: the other columns}``."""
    return {tuple(row[f] for f in by): {k: v for k, v in row.items() if k not in by} for row in rows}


def assert_rows_equal(actual: dict, expected: dict):
    assert actual.keys() == expected.keys()
    for key in expected:
        assert actual[key].keys() >= expected[key].keys(), key
        for column, value in expected[key].items():
            got = actual[key][column]
            if value is None or got is None:
                assert got == value, (key, column, got, value)
            else:
                assert math.isclose(got, value, rel_tol=1e-9, abs_tol=1e-9), (key, column, got, value)
