"""A real browser: ``scplearn serve`` on the sample data, the dashboard opened in headless Chromium.

Needs Debian's ``chromium`` (``.ci/run`` installs it). The charts are drawn by
vega-embed as SVG, so the DOM Chromium dumps after running the page's
JavaScript shows whether each chart drew marks; a screenshot is saved in the
test's temporary directory for a person to look at.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request

import pytest

from scplearn.publish.dashboards import SLUG

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
    "--virtual-time-budget=20000",
]


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    pytest.fail("Chromium is needed for the browser test: apt-get install -y chromium")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(sample_copy, tmp_path):
    """``scplearn serve`` on a free port of 127.0.0.1, stopped (with its Datasette) afterwards."""
    port = free_port()
    db = sample_copy.path
    sample_copy.close()
    log = open(tmp_path / "serve.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-c", "from scplearn.cli import cli; cli()", "serve", str(db), "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/-/versions.json", timeout=2)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail(f"scplearn serve did not start:\n{(tmp_path / 'serve.log').read_text()}")
                time.sleep(0.3)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # the group started above: scplearn and its Datasette
        process.wait(timeout=30)
        log.close()


def browse(*arguments, tmp_path) -> subprocess.CompletedProcess:
    profile = tmp_path / "chromium-profile"
    return subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *arguments],
                          capture_output=True, text=True, timeout=180)


def chart_sections(dom: str) -> dict[str, str]:
    """The HTML inside each ``<div id="chart-<slug>">``, up to the next chart."""
    parts = re.split(r'id="chart-([\w-]+)"', dom)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def test_the_dashboard_draws_its_charts_in_a_real_browser(server, tmp_path):
    url = f"{server}/-/dashboards/{SLUG}"
    dom = browse("--dump-dom", url, tmp_path=tmp_path)
    assert dom.returncode == 0, dom.stderr
    sections = chart_sections(dom.stdout)
    vega = [slug for slug in sections if slug.startswith(("before-after", "uplift-", "people-", "attendance-by"))]
    assert len(vega) == 7, sections.keys()
    for slug in vega:
        svg = sections[slug]
        assert "<svg" in svg, f"{slug} drew no SVG"
        marks = re.findall(r'<g class="mark-(\w+) role-mark[^"]*"[^>]*>(.*?)</g>', svg, re.S)
        assert any("<path" in inside for _, inside in marks), f"{slug} has no marks"
    for slug in ("sessions", "attendances", "attendance-rate"):
        assert re.search(r"font-weight: 900;\">\d+%?<", sections[slug]), f"metric {slug} shows no number"

    screenshot = tmp_path / "dashboard.png"
    shot = browse(f"--screenshot={screenshot}", "--window-size=1280,2000", url, tmp_path=tmp_path)
    assert shot.returncode == 0, shot.stderr
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size > 50_000
    print(f"screenshot: {screenshot}")


def panel_table(section: str) -> list[dict]:
    """The rows of a table panel, as the browser drew them: ``{column title: cell text}``."""
    header = [html.unescape(cell) for cell in re.findall(r"<th>(.*?)</th>", section)]
    rows = re.findall(r"<tr>(.*?)</tr>", section.split("</thead>", 1)[-1], re.S)
    return [dict(zip(header, (html.unescape(cell) for cell in re.findall(r"<td>(.*?)</td>", row)))) for row in rows]


def test_a_board_member_reads_reach_change_and_follow_up_by_agency_from_the_dashboard(server, sample_copy, tmp_path):
    """Anonymous, from the dashboard alone: the people reached by agency, the confidence change by agency
    and the three-month "used the learning" figure of the latest year, each the published figure."""
    dom = browse("--dump-dom", f"{server}/-/dashboards/{SLUG}", tmp_path=tmp_path)
    assert dom.returncode == 0, dom.stderr
    sections = chart_sections(dom.stdout)
    public = sqlite3.connect(sample_copy.path.parent / f"{sample_copy.path.stem}-public" / "public.db")
    public.row_factory = sqlite3.Row
    latest = public.execute("SELECT max(year) FROM reach_results").fetchone()[0]

    def shown(row, column, text):
        withheld = column in (row["suppressed"] or "")
        return text if row[column] is not None else "withheld" if withheld else ""

    people = {row["Agency"]: row["People"] for row in panel_table(sections["reach-by-agency"])}
    published = public.execute("SELECT * FROM reach_results WHERE grouping = 'year,sector,agency' AND year = ?",
                               [latest]).fetchall()
    assert len(people) == len(published) > 10
    for row in published:
        assert people[row["agency"]] == shown(row, "unique_delegates", str(row["unique_delegates"])), row["agency"]

    confidence = {row["Agency"]: row["Confidence"] for row in panel_table(sections["change-by-agency"])}
    published = public.execute("SELECT * FROM uplift_results WHERE grouping = 'year,sector,agency' AND year = ? "
                               "AND dimension = 'confidence'", [latest]).fetchall()
    assert len(confidence) == len(published)
    for row in published:
        text = row["mean_change"] is not None and f"{row['mean_change']:+.1f} ({row['ci_low']:+.1f} to {row['ci_high']:+.1f})"
        assert confidence[row["agency"]] == shown(row, "mean_change", text), row["agency"]

    follow_up = {row["Measure"]: row for row in panel_table(sections["three-months-on"])}
    assert follow_up["Financial year"]["This year"] == latest
    used = public.execute("SELECT pct_used_learning FROM impact_results WHERE grouping = 'year' AND year = ? "
                          "AND dimension = 'confidence'", [latest]).fetchone()[0]
    assert follow_up["Used the learning in everyday work"]["This year"] == f"{used:.0f}%"
    public.close()
