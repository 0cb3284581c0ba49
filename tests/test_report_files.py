"""The report's files: well-formed HTML with its images, charts of the expected size, the CLI and the hook."""

from __future__ import annotations

import base64
import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

import datetime as dt

import scplearn
from helpers.report import PHRASE, as_reported, find, nhs, section, table_rows
from scplearn import plugins, results
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
    assert len(report.paths) == 3 + 2 * len(report.charts)
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
    assert listed[:3] == [str(out / "report.md"), str(out / "report.html"), str(out / "report.docx")]
    assert all((out / name).is_file() for name in ("report.md", "report.html", "report.docx", "before-after.png",
                                                   "trend.svg"))
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Multi-agency safeguarding children training, 2023/24 \u2014 Leicester")
    # Only Leicester's sessions: its published figures, worded as the disclosure rules say (its total is
    # withheld to protect another figure, and reads as undisclosed).
    (reach,) = results.Published(sample_store).rows("reach", ["year", "partnership"], year="2023/24",
                                                    partnership="Leicester")
    total, regular, large = find(rf"recorded ({PHRASE} attendances) in all: ({PHRASE} attendances) at the regular "
                                 rf"programme and ({PHRASE} people) counted at", markdown).groups()
    assert total == as_reported(reach, "headcount", "attendances")
    assert regular == as_reported(reach, "attended", "attendances")
    assert large == as_reported(reach, "headcount_only_attendance", "people")
    attended = sample_store.db.execute(
        "SELECT count(*) FROM bookings JOIN sessions ON sessions.code = bookings.session "
        "WHERE year = '2023/24' AND partnership = 'Leicester' AND status = 'attended'").fetchone()[0]
    assert reach["attended"] == nhs(attended)
    places = sample_store.db.execute("SELECT sum(capacity) FROM sessions WHERE year = '2023/24' "
                                     "AND partnership = 'Leicester' AND headcount IS NULL").fetchone()[0]
    assert f"In 2023/24, {places:,} delegate spaces were offered" in markdown


def test_the_report_judges_follow_ups_due_as_of_the_day_asked(sample_copy, tmp_path):
    """An earlier day, fewer follow-ups due: the report publishes and quotes the figures of that day."""
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["report", str(sample_copy.path), "--year", "2023/24",
                                      "--as-of", "2024-01-01", "--out", str(out)])
    assert result.exit_code == 0, result.output
    (early,) = results.Published(sample_copy).rows("impact", ["year"], year="2023/24", dimension="knowledge")
    exact_early = results.exact(sample_copy, "impact", ["year"], year="2023/24", as_of=dt.date(2024, 1, 1))
    exact_now = results.exact(sample_copy, "impact", ["year"], year="2023/24")
    assert exact_early[0]["due"] < exact_now[0]["due"]
    assert early["due"] == nhs(exact_early[0]["due"])
    assert (f"for {as_reported(early, 'due', 'attendances')} whose follow-up was due"
            in (out / "report.md").read_text(encoding="utf-8"))


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
    """A plugin contributing one section with one chart, as a dict, through the hook, from a published figure."""

    @scplearn.hookimpl
    def report_sections(self, published, year, partnership):
        by = ["year", "partnership"] if partnership else ["year"]
        where = {"partnership": partnership} if partnership else {}
        (reach,) = published.rows("reach", by, year=year, **where)
        sessions = reach["sessions"]

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
        def report_sections(self, published, store, year, partnership, compare, policy):
            return [Section("Clash", "", [Chart("trend", "Trend", "alt", lambda figure: None)])]

    plugin = Clashing()
    plugins.load_plugins()
    plugins.pm.register(plugin, name="clashing-report-plugin")
    try:
        with pytest.raises(scplearn.ScplearnError, match="two report charts are named 'trend'"):
            write_report(sample_store, "2023/24", tmp_path, compare="2022/23")
    finally:
        plugins.pm.unregister(plugin)


def test_the_kirkpatrick_section_quotes_the_published_levels(sample_store, report):
    """The installed plugin's section gives the published figures of its evaluator (a dash when withheld)."""
    markdown = report.markdown.read_text(encoding="utf-8")
    (row,) = results.Published(sample_store).rows("kirkpatrick", ["year"], year="2023/24")
    table = {(level, evidence): figure for level, evidence, figure in table_rows(section(markdown,
                                                                                        "Kirkpatrick levels"), 3)}

    def shown(value, form):
        return "\u2013" if value is None else form(value)

    assert table == {
        ("Level", "Evidence"): "Figure",
        ("1 Reaction", "feedback comments"): shown(row["level_1_feedback"], "{:,}".format),
        ("2a Attitudes", "mean change in confidence"): shown(row["level_2a_mean_change"], "{:+.1f} points".format),
        ("2b Knowledge and skills", "mean change in knowledge and skills"):
            shown(row["level_2b_mean_change"], "{:+.1f} points".format),
        ("3 Behaviour", "used the learning at work"): shown(row["level_3_used_learning"], "{:.0f}%".format),
        ("3 Behaviour", "took specific action"): shown(row["level_3_specific_action"], "{:.0f}%".format),
    }
    feedback = sample_store.db.execute("SELECT count(*) FROM feedback JOIN sessions ON sessions.code = "
                                       "feedback.session WHERE year = '2023/24'").fetchone()[0]
    assert row["level_1_feedback"] == nhs(feedback)


def test_the_report_in_the_docs_is_the_one_the_sample_data_gives(sample_store, tmp_path):
    """docs/reporting.md pastes a real report; regenerate it when the sample data or the wording change:
    scplearn report training.db --year 2023/24 --compare 2022/23 --out report/"""
    docs = (Path(__file__).resolve().parents[1] / "docs" / "reporting.md").read_text(encoding="utf-8")
    pasted = re.search(r"````markdown\n(.*?)````", docs, re.S).group(1)
    files = write_report(sample_store, "2023/24", tmp_path, compare="2022/23")
    assert pasted == files.markdown.read_text(encoding="utf-8")
