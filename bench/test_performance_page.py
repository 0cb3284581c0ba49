"""The benchmark page's arithmetic (performance_page.py): the serve ratios worked out by hand for two pages in three
rounds, and the publication goals. The kit's own check, apart from the product's tests: ``pytest bench``."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def page():
    spec = importlib.util.spec_from_file_location("bench_performance_page", BENCH / "performance_page.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def measured(path, p50, p95, maximum, statuses=None):
    return {"path": path, "requests": 40, "p50_ms": p50, "p95_ms": p95, "max_ms": maximum,
            "statuses": statuses or {"200": 40}}


BASE, TABLE = "/-/versions.json", "/public/uplift_results"
SERVE = {"runs": {"1": [
    # round 1: the baseline and the page both slow (a busy machine): the ratio is still 4
    [measured(BASE, 2.0, 3.0, 4.0), measured(TABLE, 9.0, 12.0, 15.0)],
    # round 2: ratio 10 / 2 = 5
    [measured(BASE, 1.0, 2.0, 2.5), measured(TABLE, 6.0, 10.0, 30.0, {"200": 39, "500": 1})],
    # round 3: a burst during the page alone: ratio 16 / 2 = 8
    [measured(BASE, 1.5, 2.0, 2.0), measured(TABLE, 7.0, 16.0, 20.0)],
]}}


def test_each_page_is_compared_with_its_own_rounds_baseline_and_the_median_counts(page):
    table = page.serve_summary(SERVE)["1"][TABLE]
    assert table["ratios"] == [4.0, 5.0, 8.0]
    assert table["ratio"] == 5.0  # not 16 / 2 = 8, nor a pooled p95 of the three rounds
    assert table["p50_ms"] == 7.0 and table["p95_ms"] == 12.0  # medians over the rounds
    assert table["max_ms"] == 30.0 and table["requests"] == 120
    assert table["statuses"] == {"200": 119, "500": 1}
    assert page.serve_summary(SERVE)["1"][BASE]["ratios"] == [1.0, 1.0, 1.0]


def test_the_goal_is_judged_on_the_page_with_the_highest_median_ratio(page):
    other = "/public/reach_results"
    serve = {"runs": {"1": [rounds + [measured(other, 5.0, p95, p95)]
                            for rounds, p95 in zip(SERVE["runs"]["1"], (15.0, 11.0, 11.0))]}}
    # reach_results: 15 / 3 = 5, 11 / 2 = 5.5, 11 / 2 = 5.5 (median 5.5) beats uplift_results' 5
    assert page.worst_pages(page.serve_summary(serve)) == [("1", 5.5, other)]


PUBLICATION = {
    "evaluate": {"seconds": 80.0, "rows": 164_130, "tables": 33, "years": 10},
    "from_saved": {"seconds": 76.0, "audit": 70.0, "audited": ["2023/24: 64,557 published counts audited"]},
    "full": {"seconds": 160.0, "audit": 72.0, "audited": ["2023/24: 64,557 published counts audited"]},
    "serve": {"seconds": 1.5, "status": 200},
    "update": {"seconds": 24.0, "audit": 13.0, "audited": []},
    "import_one_session": {"wall": 1.2, "output": ""},
    "ratios": {"publish_without_audit_to_evaluate": 6.0 / 80.0, "update_to_full": 24.0 / 160.0},
}
GOALS = {"publish": 2.0, "audit_seconds": 60, "first_page_seconds": 5, "update": 0.1}


def test_publication_goals_judge_the_audit_apart_from_the_rest_of_publishing(page):
    goals = page.publication_goals(PUBLICATION, GOALS)
    assert [(measured, met) for _, _, measured, met in goals] == [
        ("0.07×", True),  # (76 - 70) / 80: publishing without the audit
        ("70.0 s", False),  # the audit alone, over the 60 s goal
        ("1.5 s", True),
        ("0.15", False),  # 24 / 160
    ]


def test_the_publish_section_shows_each_step_and_what_was_audited(page):
    text = "\n".join(page.publication_section(PUBLICATION))
    assert "| Publish from saved results | 76.0 | 70.0 |" in text
    assert "| Publish again after it | 24.0 | 13.0 |" in text
    assert "2023/24: 64,557 published counts audited" in text
    assert "without the audit took 6.0 s, 0.07 times the evaluation" in text
