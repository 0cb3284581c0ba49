"""The report's files: well-formed HTML with its images, charts of the expected size, the CLI and the hook."""

from __future__ import annotations

import base64
import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

import scplearn
from scplearn import plugins
from scplearn.cli import cli
from scplearn.report import Chart, Section, charts, write_report
from scplearn.report.render import escape_markdown, markdown_to_html

XHTML = "{http://www.w3.org/1999/xhtml}"
SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EXPECTED_CHARTS = {"before-after", "change-by-course", "reach-by-sector", "trend"}


@pytest.fixture(scope="module")
def report(sample_store, tmp_path_factory):
    return write_report(sample_store, "2023/24", tmp_path_factory.mktemp("files"), compare="2022/23")


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (which must come first)."""
    assert data[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    return struct.unpack(">II", data[16:24])


def points(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)pt", value)
    assert match, value
    return float(match.group(1))


def test_every_chart_is_a_png_and_an_svg_of_the_standard_size(report):
    assert {chart.name for chart in report.charts} == EXPECTED_CHARTS
    for chart in report.charts:
        data = chart.png.read_bytes()
        assert len(data) > 1000
        assert png_size(data) == (1000, 500) == charts.PNG_SIZE
        root = ET.parse(chart.svg).getroot()
        assert root.tag == f"{SVG}svg"
        assert (points(root.get("width")), points(root.get("height"))) == (720.0, 360.0) == charts.SVG_SIZE
        assert len(root.findall(f".//{SVG}path")) > 10
        assert chart.alt and chart.title


def test_charts_use_no_colour_only_encoding(report):
    """Every pixel is a shade of grey: series are told apart by grey level and hatching, not hue."""
    import matplotlib.image

    for chart in report.charts:
        pixels = matplotlib.image.imread(chart.png)[..., :3]
        spread = pixels.max(axis=2) - pixels.min(axis=2)
        assert spread.max() < 0.02, chart.name


def test_the_html_is_well_formed_and_embeds_every_chart_with_alt_text(report):
    root = ET.parse(report.html).getroot()
    assert root.tag == f"{XHTML}html"
    images = root.findall(f".//{XHTML}img")
    assert len(images) == len(report.charts)
    alts = {chart.alt for chart in report.charts}
    for image in images:
        assert image.get("alt") in alts
        source = image.get("src")
        assert source.startswith("data:image/png;base64,")
        assert png_size(base64.b64decode(source.split(",", 1)[1])) == charts.PNG_SIZE
    headings = [h.text for h in root.findall(f".//{XHTML}h2")]
    assert headings[:4] == ["Reach", "Uplift", "Impact", "Voices"]
    assert headings[-2:] == ["Charts", "Notes"]
    # Every footnote reference points at a note that exists.
    notes = {li.get("id") for li in root.findall(f".//{XHTML}li") if li.get("id")}
    references = {a.get("href")[1:] for a in root.findall(f".//{XHTML}sup/{XHTML}a")}
    assert references and references <= notes


def test_the_markdown_references_the_chart_files_beside_it(report):
    markdown = report.markdown.read_text(encoding="utf-8")
    for name in re.findall(r"^!\[.+\]\(([^ )]+)", markdown, re.MULTILINE):
        assert (report.markdown.parent / name).is_file()
    assert len(report.paths) == 2 + 2 * len(report.charts)
    assert all(path.is_file() for path in report.paths)


def test_markdown_conversion_escapes_everything_it_does_not_understand(tmp_path):
    text = escape_markdown('A <b>bold</b> & "quoted" *claim* with | pipes and [links](x)')
    html = markdown_to_html(f"## Title\n\n{text}\n\n| a | b |\n| --- | --- |\n| {text} | 1 |\n", tmp_path)
    root = ET.fromstring(f"<body>{html}</body>")
    paragraph = root.find("p")
    assert paragraph.text == 'A <b>bold</b> & "quoted" *claim* with | pipes and [links](x)'
    assert [cell.text for cell in root.findall(".//td")] == [paragraph.text, "1"]


# -- the command ---------------------------------------------------------------------------


def test_cli_writes_the_report(sample_store, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["report", str(sample_store.path), "--year", "2023/24",
                                      "--partnership", "Leicester", "--compare", "2022-23", "--out", str(out)])
    assert result.exit_code == 0, result.output
    listed = result.output.split()
    assert listed[:2] == [str(out / "report.md"), str(out / "report.html")]
    assert all((out / name).is_file() for name in ("report.md", "report.html", "before-after.png", "trend.svg"))
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Multi-agency safeguarding children training, 2023/24 \u2014 Leicester")
    # Only Leicester's sessions: its headcount total, counted directly.
    reach = scplearn.evaluate(sample_store, "reach", by=["year"], year="2023/24", partnership="Leicester",
                              save=False)[0]
    assert f"a total of {reach['headcount']:,} delegates" in markdown


def test_the_report_judges_follow_ups_due_as_of_the_day_asked(sample_store, tmp_path):
    impact = scplearn.evaluate(sample_store, "impact", by=["year"], year="2023/24", as_of="2024-01-01", save=False)
    due = impact[0]["due"]
    assert due < scplearn.evaluate(sample_store, "impact", by=["year"], year="2023/24", save=False)[0]["due"]
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["report", str(sample_store.path), "--year", "2023/24",
                                      "--as-of", "2024-01-01", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"of the {due:,} delegates to whom it was due" in (out / "report.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("arguments, message", [
    (["--year", "2023"], "must be a financial year"),
    (["--year", "2019/20"], "no training sessions in 2019/20"),
    (["--year", "2023/24", "--partnership", "Nowhere"], "no partnership named 'Nowhere'"),
    (["--year", "2023/24", "--compare", "2023/24"], "compare with a year other than"),
])
def test_cli_reports_bad_input_in_one_line(sample_store, tmp_path, arguments, message):
    result = CliRunner().invoke(cli, ["report", str(sample_store.path), *arguments, "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


# -- the report_sections hook ------------------------------------------------------------------


class ExamplePlugin:
    """A plugin contributing one section with one chart, as a dict, through the hook."""

    @scplearn.hookimpl
    def report_sections(self, store, year, partnership, compare, policy):
        sessions = store.db.execute("SELECT count(*) FROM sessions WHERE year = ?", [year]).fetchone()[0]

        def draw(figure):
            figure.subplots().bar([1, 2], [3, 4], color="#777777", hatch="//")

        return [
            {"title": "Example levels", "markdown": f"Sessions counted by the plugin: **{sessions}**.",
             "charts": [{"name": "example", "title": "Example chart", "alt": "Two grey bars", "draw": draw}]},
            Section("Second example", "No charts here."),
        ]


def test_a_plugin_section_appears_before_the_charts(sample_store, tmp_path):
    plugin = ExamplePlugin()
    plugins.load_plugins()
    plugins.pm.register(plugin, name="example-report-plugin")
    try:
        files = write_report(sample_store, "2023/24", tmp_path)
    finally:
        plugins.pm.unregister(plugin)
    markdown = files.markdown.read_text(encoding="utf-8")
    sessions = sample_store.db.execute("SELECT count(*) FROM sessions WHERE year = '2023/24'").fetchone()[0]
    assert f"## Example levels\n\nSessions counted by the plugin: **{sessions}**." in markdown
    titles = re.findall(r"^## (.+)$", markdown, re.MULTILINE)
    assert titles.index("Voices") < titles.index("Example levels") < titles.index("Second example") \
        < titles.index("Charts")
    example = next(chart for chart in files.charts if chart.name == "example")
    assert png_size(example.png.read_bytes()) == charts.PNG_SIZE
    assert '![Two grey bars](example.png "Example chart")' in markdown


def test_plugin_chart_names_must_not_clash(sample_store, tmp_path):
    class Clashing:
        @scplearn.hookimpl
        def report_sections(self, store, year, partnership, compare, policy):
            return [Section("Clash", "", [Chart("trend", "Trend", "alt", lambda figure: None)])]

    plugin = Clashing()
    plugins.load_plugins()
    plugins.pm.register(plugin, name="clashing-report-plugin")
    try:
        with pytest.raises(scplearn.ScplearnError, match="two report charts are named 'trend'"):
            write_report(sample_store, "2023/24", tmp_path, compare="2022/23")
    finally:
        plugins.pm.unregister(plugin)


def test_the_report_in_the_docs_is_the_one_the_sample_data_gives(sample_store, tmp_path):
    """docs/reporting.md pastes a real report; regenerate it when the sample data or the wording change:
    scplearn report training.db --year 2023/24 --compare 2022/23 --out report/"""
    docs = (Path(__file__).resolve().parents[1] / "docs" / "reporting.md").read_text(encoding="utf-8")
    pasted = re.search(r"````markdown\n(.*?)````", docs, re.S).group(1)
    files = write_report(sample_store, "2023/24", tmp_path, compare="2022/23")
    assert pasted == files.markdown.read_text(encoding="utf-8")
