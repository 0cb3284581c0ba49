"""Writing the report as a Word document (.docx), from the same page as the HTML one.

Partnerships assemble their annual reports in Word. The document is made
from the report's Markdown by the HTML page's own conversion
(:func:`.render.markdown_to_html`: the same text, tables, number cells and
charts, embedded), whose XHTML is walked into python-docx:

- headings in Word's heading styles (the title as Heading 1, each section as
  Heading 2), paragraphs with their italics and bold;
- tables as Word tables in the Table Grid style, the header row bold and
  repeated on each page, numbers right-aligned (a column of numbers has its
  heading right-aligned too);
- bullet lists in the List Bullet style, quotes in the Quote style;
- each chart as a picture the width of the text, its alt text set on the
  picture (what a screen reader announces), with its title as a caption;
- footnotes as numbered notes under "Notes", referred to in the text by
  superscript numbers (python-docx cannot write Word's own footnotes).

The page is A4 and the text British English. The document's properties carry
its title and a fixed date (the day the figures are as of), and the file is
written with fixed timestamps, so the same figures give the same file, byte
for byte.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import xml.etree.ElementTree as etree
import zipfile
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Twips

from .render import markdown_to_html

PAGE_SIZE = (Twips(11906), Twips(16838))
"""A4 portrait (21.0 by 29.7 cm), in twentieths of a point as Word stores it."""
MARGIN = Cm(2.54)
LANGUAGE = "en-GB"
HEADING_LEVELS = {f"h{level}": level for level in range(1, 7)}
LIST_STYLES = {"ul": "List Bullet", "ol": "List Number"}
INLINE_FORMATS = {"em": "italic", "i": "italic", "strong": "bold", "b": "bold"}
_SPACE = re.compile(r"[ \t\r\n]+")  # as HTML collapses it; a no-break space stays


def word_document(title: str, markdown: str, base: Path, date: dt.date) -> bytes:
    """The report's Markdown as a Word document: the bytes of a .docx file.

    ``title`` is the document's title property, ``base`` the directory the
    Markdown's images are in, ``date`` the document's created and modified
    date.
    """
    document = docx.Document()
    _set_up(document, title, date)
    body = etree.fromstring(f"<div>{markdown_to_html(markdown, base)}</div>")
    _Writer(document).blocks(body)
    saved = io.BytesIO()
    document.save(saved)
    return _fixed_timestamps(saved.getvalue())


def _set_up(document, title: str, date: dt.date) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_SIZE
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = MARGIN
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), LANGUAGE)
    document.styles["Normal"].element.get_or_add_rPr().append(language)
    properties = document.core_properties
    stamp = dt.datetime.combine(date, dt.time(), tzinfo=dt.timezone.utc)
    properties.title = title
    properties.language = LANGUAGE
    properties.author = properties.last_modified_by = properties.comments = properties.keywords = ""
    properties.created = properties.modified = stamp
    properties.revision = 1


def _fixed_timestamps(package: bytes) -> bytes:
    """The .docx (a zip) again, every entry dated 1980-01-01 so that the file depends only on its content."""
    rewritten = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(rewritten, "w") as target:
        for entry in source.infolist():
            fixed = zipfile.ZipInfo(entry.filename)
            fixed.external_attr = 0o644 << 16  # readable by all when unzipped, as the other files written are
            target.writestr(fixed, source.read(entry), zipfile.ZIP_DEFLATED)
    return rewritten.getvalue()


class _Writer:
    """Walks the report's XHTML body into a python-docx document."""

    def __init__(self, document):
        self.document = document
        section = document.sections[0]
        self.text_width = section.page_width - section.left_margin - section.right_margin

    # -- blocks

    def blocks(self, parent, style: str | None = None) -> None:
        """Each block element under ``parent``; ``style`` is the paragraph style inside a quote or list."""
        for element in parent:
            tag = element.tag
            if tag in HEADING_LEVELS:
                self.inline(self.document.add_heading(level=HEADING_LEVELS[tag]), element)
            elif tag in ("p", "pre"):
                self.inline(self.document.add_paragraph(style=style), element)
            elif tag == "blockquote":
                self.blocks(element, "Quote")
            elif tag in LIST_STYLES:
                self.list(element, LIST_STYLES[tag])
            elif tag == "table":
                self.table(element)
            elif tag == "figure":
                self.figure(element)
            elif tag == "div" and element.get("class") == "footnote":
                self.notes(element)
            elif tag == "div":
                self.blocks(element, style)

    def list(self, element, style: str) -> None:
        for item in element.findall("li"):
            if any(child.tag in ("p", "ul", "ol", "blockquote") for child in item):
                self.blocks(item, style)
            else:
                self.inline(self.document.add_paragraph(style=style), item)

    def table(self, element) -> None:
        rows = list(element.iter("tr"))
        columns = max(len(row) for row in rows)
        numeric = [all(_is_number(row[index]) for row in rows if row[0].tag == "td" and len(row) > index)
                   for index in range(columns)]
        table = self.document.add_table(rows=0, cols=columns)
        table.style = self.document.styles["Table Grid"]
        for row in rows:
            cells = table.add_row().cells
            header = row[0].tag == "th"
            if header:
                _repeat_as_header(table.rows[-1])
            for index, cell in enumerate(row):
                paragraph = cells[index].paragraphs[0]
                self.inline(paragraph, cell, bold=header)
                if _is_number(cell) or (header and numeric[index]):
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    def figure(self, element) -> None:
        paragraph = self.document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        image = element.find("img")
        if image is not None:
            self.picture(paragraph, image)
        caption = element.find("figcaption")
        if caption is not None:
            paragraph.paragraph_format.keep_with_next = True
            self.inline(self.document.add_paragraph(style="Caption"), caption)

    def notes(self, element) -> None:
        """The footnotes, numbered as their references in the text are."""
        for number, item in enumerate(element.iter("li"), start=1):
            paragraph = self.document.add_paragraph()
            paragraph.add_run(f"{number}. ")
            for block in item:
                self.inline(paragraph, block)

    # -- inline content

    def inline(self, paragraph, element, **formats) -> None:
        """``element``'s text and inline children as runs of ``paragraph``, leading and trailing space trimmed."""
        self._runs(paragraph, element, formats)
        runs = [run for run in paragraph.runs if run.text]
        if runs:
            runs[0].text = runs[0].text.lstrip(" ")
            runs[-1].text = runs[-1].text.rstrip(" \u00a0")

    def _runs(self, paragraph, element, formats: dict) -> None:
        self._text(paragraph, element.text, formats)
        for child in element:
            tag = child.tag
            if tag == "a" and child.get("class") == "footnote-backref":
                pass  # a note's link back to the text has no place on paper
            elif tag == "sup":
                self._runs(paragraph, child, {**formats, "superscript": True})
            elif tag == "br":
                paragraph.add_run().add_break()
            elif tag == "img":
                self.picture(paragraph, child)
            elif tag == "code":
                self._text(paragraph, "".join(child.itertext()), {**formats, "font": "Consolas"})
            else:
                emphasis = {INLINE_FORMATS[tag]: True} if tag in INLINE_FORMATS else {}
                self._runs(paragraph, child, {**formats, **emphasis})
            self._text(paragraph, child.tail, formats)

    @staticmethod
    def _text(paragraph, text: str | None, formats: dict) -> None:
        text = _SPACE.sub(" ", text or "")
        if not text:
            return
        run = paragraph.add_run(text)
        run.bold = formats.get("bold") or None
        run.italic = formats.get("italic") or None
        run.font.superscript = formats.get("superscript") or None
        if "font" in formats:
            run.font.name = formats["font"]

    def picture(self, paragraph, image) -> None:
        """An embedded image as a picture the width of the text, its alt text set; else the alt text."""
        alt = image.get("alt", "")
        data = _embedded_bytes(image.get("src", ""))
        if data is None:
            paragraph.add_run(f"[{alt}]")
            return
        shape = paragraph.add_run().add_picture(io.BytesIO(data), width=self.text_width)
        properties = shape._inline.docPr
        properties.set("descr", alt)
        if image.get("title"):
            properties.set("title", image.get("title"))


def _repeat_as_header(row) -> None:
    """Mark a table row as its header: Word repeats it at the top of each page the table runs onto."""
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(marker)


def _is_number(cell) -> bool:
    return "number" in (cell.get("class") or "").split()


def _embedded_bytes(source: str) -> bytes | None:
    """The bytes of a ``data:`` URI in base64 (as the HTML page embeds images), or ``None``."""
    match = re.fullmatch(r"data:image/(?:png|jpeg);base64,(.*)", source, re.S)
    return base64.b64decode(match.group(1)) if match else None
