"""The report as a Word document: the Markdown's headings, sentences, tables, notes and charts, in Word's terms.

The document is opened with python-docx and compared with the Markdown
written beside it, block by block: the two must say the same thing in the
same words, one in Markdown and one in Word's styles.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import zipfile

import docx
import pytest
from click.testing import CliRunner
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from scplearn.cli import cli
from scplearn.report import write_report
from scplearn.report.word import word_document

_FOOTNOTE_REFERENCE = re.compile(r"\[\^[\w-]+\](?!:)")
_NUMBER = re.compile(r"[-+]?[\d,.]+%?( to [-+]?[\d,.]+%?)?")


@pytest.fixture(scope="module")
def report(sample_store, tmp_path_factory):
    return write_report(sample_store, "2023/24", tmp_path_factory.mktemp("word"), compare="2022/23")


@pytest.fixture(scope="module")
def markdown(report):
    return report.markdown.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def document(report):
    return docx.Document(report.word)


def unescaped(markdown_text: str) -> str:
    """Markdown text as it reads: footnote references, emphasis markers and backslash escapes taken out."""
    text = _FOOTNOTE_REFERENCE.sub("", markdown_text)
    text = re.sub(r"(?<!\\)\*", "", text)
    return re.sub(r"\\(.)", r"\1", text)


def markdown_blocks(markdown: str) -> list[str]:
    return [block.strip() for block in markdown.split("\n\n") if block.strip()]


def body_text(paragraph) -> str:
    """A paragraph's text without its superscript runs (the note numbers)."""
    return "".join(run.text for run in paragraph.runs if not run.font.superscript)


def until_notes(document) -> list:
    paragraphs = document.paragraphs
    notes = next(i for i, p in enumerate(paragraphs) if p.style.name == "Heading 2" and p.text == "Notes")
    return paragraphs[:notes]


def test_headings_are_word_headings_in_the_order_of_the_markdown(markdown, document):
    expected = [(len(hashes), unescaped(text)) for hashes, text in re.findall(r"^(#+) (.+)$", markdown, re.M)]
    found = [(int(p.style.name.split()[-1]), p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert found == expected
    assert found[0] == (1, "Multi-agency safeguarding children training, 2023/24")
    assert [text for level, text in found if level == 2][:4] == ["Reach", "Uplift", "Impact", "Voices"]


def test_every_sentence_is_the_markdowns_in_the_style_of_its_block(markdown, document):
    """Paragraphs, bullets and quotes: the same text as the Markdown, block for block (note numbers aside)."""
    expected = []
    for block in markdown_blocks(markdown.split("\n## Notes\n")[0]):
        if block.startswith(("#", "|", "![")):
            continue
        if block.startswith("- "):
            expected += [("List Bullet", unescaped(line[2:])) for line in block.splitlines()]
        elif block.startswith(">"):
            expected += [("Quote", unescaped(line[2:])) for line in block.splitlines() if line.strip() != ">"]
        else:
            expected.append(("Normal", unescaped(block)))
    found = [(p.style.name, body_text(p)) for p in until_notes(document)
             if not p.style.name.startswith("Heading") and p.style.name != "Caption" and p.text]
    assert found == expected
    attendance = next(text for _, text in found if "delegate spaces were offered" in text)
    assert re.search(r"[\d,]+ attendances were made at the \d+ events in the programme", attendance)


def test_each_markdown_table_is_a_word_table_with_a_header_row_and_numbers_right_aligned(markdown, document):
    tables = [block for block in markdown_blocks(markdown) if block.startswith("|")]
    assert len(document.tables) == len(tables) >= 4
    for block, table in zip(tables, document.tables):
        lines = [line for line in block.splitlines() if not re.fullmatch(r"\|( --- \|)+", line)]
        expected = [[unescaped(cell.strip()) for cell in line.strip("|").split(" | ")] for line in lines]
        assert [[cell.text for cell in row.cells] for row in table.rows] == expected
        header, *body = table.rows
        assert header._tr.trPr.find(qn("w:tblHeader")) is not None
        assert all(run.bold for cell in header.cells for run in cell.paragraphs[0].runs)
        for row in body:
            first, *rest = row.cells
            assert first.paragraphs[0].alignment is None
            for cell in rest:
                if _NUMBER.fullmatch(cell.text):
                    assert cell.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT, cell.text


def test_notes_are_numbered_in_the_order_the_text_refers_to_them(markdown, document):
    definitions = re.findall(r"^\[\^([\w-]+)\]: (.+)$", markdown, re.M)
    paragraphs = document.paragraphs
    notes = [p.text for p in paragraphs[len(until_notes(document)) + 1:] if p.text]
    assert notes == [f"{number}. {unescaped(text)}" for number, (_, text) in enumerate(definitions, start=1)]
    references = [run.text for p in until_notes(document) for run in p.runs if run.font.superscript]
    assert list(dict.fromkeys(references)) == [str(n) for n in range(1, len(definitions) + 1)]


def test_every_chart_is_a_picture_the_width_of_the_text_with_its_alt_text_and_caption(report, document):
    shapes = document.inline_shapes
    assert len(shapes) == len(report.charts) == 4
    section = document.sections[0]
    assert (section.page_width.cm, section.page_height.cm) == pytest.approx((21.0, 29.7), abs=0.01)
    width = section.page_width - section.left_margin - section.right_margin
    paragraphs = document.paragraphs
    pictures = [i for i, p in enumerate(paragraphs) if p._p.xpath(".//wp:inline")]
    for shape, chart, index in zip(shapes, report.charts, pictures):
        assert shape._inline.docPr.get("descr") == chart.alt and chart.alt
        assert shape.width == width and shape.height == width // 2
        picture_id = shape._inline.graphic.graphicData.pic.blipFill.blip.embed
        assert document.part.related_parts[picture_id].blob == chart.png.read_bytes()
        assert paragraphs[index + 1].style.name == "Caption"
        assert paragraphs[index + 1].text == chart.title


def test_no_email_or_name_of_a_delegate_is_anywhere_in_the_file(sample_store, report):
    people = sample_store.private.execute("SELECT email, name FROM people").fetchall()
    emails = {email.casefold() for email, _ in people}
    names = {" ".join(name.casefold().split()) for _, name in people if name}
    assert len(emails) > 100 and names, "the sample data must hold names and emails, or the test proves nothing"
    with zipfile.ZipFile(report.word) as package:
        text = "\n".join(html.unescape(package.read(entry).decode("utf-8", "replace"))
                         for entry in package.namelist() if entry.endswith((".xml", ".rels"))).casefold()
    assert not emails & set(re.findall(r"[\w.+'-]+@[\w.-]+", text))
    words = set(re.findall(r"[\w'-]+", text))
    assert not {name for name in names if set(name.split()) <= words and name in text}


def test_the_same_figures_give_the_same_file(sample_store, report, tmp_path):
    again = write_report(sample_store, "2023/24", tmp_path, compare="2022/23")
    assert again.word.read_bytes() == report.word.read_bytes()
    properties = docx.Document(again.word).core_properties
    assert properties.title == "Multi-agency safeguarding children training, 2023/24"
    today = dt.datetime.combine(dt.date.today(), dt.time(), tzinfo=dt.timezone.utc)
    assert properties.created == properties.modified == today
    assert properties.author == properties.comments == ""


def test_the_document_is_dated_the_day_the_figures_are_as_of(sample_copy, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["report", str(sample_copy.path), "--year", "2023/24", "--as-of", "2024-06-30",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert str(out / "report.docx") in result.output.split()
    properties = docx.Document(out / "report.docx").core_properties
    assert properties.created == dt.datetime(2024, 6, 30, tzinfo=dt.timezone.utc)


def test_markdown_text_stays_text_and_a_missing_picture_leaves_its_alt_text(tmp_path):
    written = tmp_path / "x.docx"
    written.write_bytes(word_document("T", "# T\n\nA <b>bold</b> &amp; *claim* \\| x\n\n![A chart](gone.png)\n",
                                      tmp_path, dt.date(2024, 1, 1)))
    paragraphs = docx.Document(written).paragraphs
    assert [p.text for p in paragraphs] == ["T", "A <b>bold</b> &amp; claim | x", "[A chart]"]
    assert [run.italic for run in paragraphs[1].runs] == [None, True, None]
