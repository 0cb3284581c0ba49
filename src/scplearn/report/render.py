"""Writing the report's sections as one Markdown document and as a self-contained HTML page.

Sections are written in Markdown (the report's own sections and those
plugins contribute alike). The HTML page is made from that same Markdown by
Python-Markdown with its ``tables`` and ``footnotes`` extensions, set up so
the Markdown's text is always text (raw HTML and character entities in it are
shown as written) and finished by one tree processor that embeds images as
``data:`` URIs with their alt text, turns a lone image into a figure captioned
by its title and marks number cells. The result is well-formed
XHTML-compatible markup: every element closed, every attribute quoted, only
XML's own entities and numeric character references.
"""

from __future__ import annotations

import base64
import html
import re
import xml.etree.ElementTree as etree
from pathlib import Path

import attrs
from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markdown.util import AMP_SUBSTITUTE

MEDIA_TYPES = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|<>#])")
_FOOTNOTE = re.compile(r"\[\^([A-Za-z0-9_-]+)\]")

STYLE = """
body { font-family: Arial, Helvetica, sans-serif; max-width: 52em; margin: 2em auto; padding: 0 1em;
       line-height: 1.45; color: #111; }
h1, h2, h3 { line-height: 1.2; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #777; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
td.number, th.number { text-align: right; }
blockquote { margin: 1em 0; padding-left: 1em; border-left: 4px solid #999; }
figure { margin: 1.5em 0; }
figure img { max-width: 100%; height: auto; }
figcaption { font-size: 0.9em; color: #333; }
div.footnote hr { display: none; }
"""


@attrs.frozen
class Section:
    """One section of the report: a title, its Markdown and the charts drawn for it.

    ``charts`` holds :class:`scplearn.report.charts.Chart` objects before the
    report is written (and their saved :class:`~scplearn.report.charts.ChartFiles`
    after).
    """

    title: str
    markdown: str
    charts: tuple = attrs.field(default=(), converter=tuple)


def escape_markdown(text) -> str:
    """Text from the data (a quote, a role, a course title) made safe to put in Markdown."""
    text = " ".join(str(text).split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table; cells are used as given (escape data-derived text first)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def image(alt: str, src: str, title: str | None = None) -> str:
    """A Markdown image reference, on its own line, with an optional title (the HTML caption)."""
    title = f' "{escape_markdown(title).replace(chr(34), chr(39))}"' if title else ""
    return f"![{escape_markdown(alt)}]({src}{title})"


def footnote_references(markdown: str) -> list[str]:
    """The names of the footnotes ``markdown`` refers to (``[^name]``), in order of first reference."""
    return list(dict.fromkeys(match.group(1) for match in _FOOTNOTE.finditer(markdown)
                              if not markdown[match.end():match.end() + 1] == ":"))


def markdown_document(title: str, lead: str, sections, notes: dict | None = None) -> str:
    """The whole report as Markdown: title, lead paragraph, each section with its charts, then its footnotes.

    ``notes`` maps footnote names to their text; those the text refers to are
    written at the end as Markdown footnotes (``[^name]: text``), in order of
    first reference, as GitHub and pandoc number them.
    """
    parts = [f"# {title}", lead.strip()]
    for section in sections:
        parts.append(f"## {section.title}")
        if section.markdown.strip():
            parts.append(section.markdown.strip())
        for chart in section.charts:
            parts.append(image(chart.alt, chart.png.name, chart.title))
    used = [name for name in footnote_references("\n\n".join(parts)) if name in (notes or {})]
    if used:
        parts.append("## Notes")
        parts.append("\n".join(f"[^{name}]: {notes[name]}" for name in used))
    return "\n\n".join(parts) + "\n"


# -- Markdown to XHTML ---------------------------------------------------------


class _Finishing(Treeprocessor):
    """After Python-Markdown has built the page: embed images, add captions, mark number cells, keep it XML.

    Runs last, once backslash escapes are restored, so it sees the final text.
    """

    def __init__(self, md, base: Path):
        super().__init__(md)
        self.base = Path(base)

    def run(self, root):
        for parent in list(root.iter()):
            for index, child in enumerate(parent):
                if child.tag == "p" and _only_image(child):
                    parent[index] = self.figure(child)
        for element in root.iter():
            if element.tag == "img":
                element.set("src", self.embedded(element.get("src", "")))
                element.set("alt", element.get("alt") or "")
            if element.tag == "td" and _numeric("".join(element.itertext()).strip()):
                element.set("class", "number")
            # The serializer leaves anything shaped like an entity (&nbsp;) alone, which XML would
            # reject; the Markdown's text is shown as written, so every "&" is escaped here
            # (code's text comes escaped already).
            if element.tag != "code":
                element.text = _ampersands(element.text)
            element.tail = _ampersands(element.tail)
            for key, value in element.items():
                element.set(key, _ampersands(value))

    def figure(self, paragraph) -> etree.Element:
        """A paragraph holding only an image as a figure, the image's title as its caption."""
        image = paragraph[0]
        figure = etree.Element("figure")
        figure.tail = paragraph.tail
        caption = image.attrib.pop("title", None)
        image.tail = None
        figure.append(image)
        if caption:
            etree.SubElement(figure, "figcaption").text = caption
        return figure

    def embedded(self, source: str) -> str:
        """A ``data:`` URI for an image file inside ``base``; anything else as given."""
        base = self.base.resolve()
        path = (base / source).resolve()
        if path.is_relative_to(base) and path.is_file():
            return _data_uri(path)
        return source


class _ReportMarkdown(Extension):
    """Python-Markdown set up for the report: its Markdown is text, never raw HTML or entities."""

    def __init__(self, base: Path):
        super().__init__()
        self.base = base

    def extendMarkdown(self, md):
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.inlinePatterns.deregister("entity")
        md.ESCAPED_CHARS.append("<")  # escape_markdown escapes "<" too
        md.treeprocessors.register(_Finishing(md, self.base), "report-finishing", -10)


def _only_image(paragraph) -> bool:
    return (len(paragraph) == 1 and paragraph[0].tag == "img" and not (paragraph.text or "").strip()
            and not (paragraph[0].tail or "").strip())


def _ampersands(text):
    return text.replace("&", AMP_SUBSTITUTE + "amp;") if text else text


def _data_uri(path: Path) -> str:
    media_type = MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
    return f"data:{media_type};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _numeric(cell: str) -> bool:
    return bool(re.fullmatch(r"[-+\u2212]?[\d,.]+%?( to [-+]?[\d,.]+%?)?|\u2013|fewer than \d+", cell))


def markdown_to_html(markdown: str, base: Path) -> str:
    """Convert the report's Markdown to XHTML body markup; images under ``base`` are embedded."""
    converter = Markdown(extensions=["tables", "footnotes", _ReportMarkdown(base)], output_format="xhtml")
    return converter.convert(markdown)


def html_document(title: str, markdown: str, base: Path) -> str:
    """A self-contained HTML page (XHTML-compatible) for the report's Markdown."""
    body = markdown_to_html(markdown, base)
    return (
        "<!DOCTYPE html>\n"
        '<html xmlns="http://www.w3.org/1999/xhtml" lang="en" xml:lang="en">\n'
        "<head>\n"
        '<meta charset="utf-8"/>\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>\n'
        f"<title>{html.escape(title, quote=False)}</title>\n"
        f"<style>{STYLE}</style>\n"
        "</head>\n"
        f"<body>\n{body}\n</body>\n"
        "</html>\n"
    )
