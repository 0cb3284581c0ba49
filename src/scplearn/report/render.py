"""Writing the report's sections as one Markdown document and as a self-contained HTML page.

Sections are written in Markdown (the report's own sections and those
plugins contribute alike). The HTML page is made from that same Markdown by
a small converter that knows only the few constructs the report uses —
headings, paragraphs, lists, tables, block quotes, emphasis and images — so
its output is always well-formed XHTML-compatible markup: every element
closed, every attribute quoted, only XML's own entities, images embedded as
``data:`` URIs with their alt text.
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import attrs

MEDIA_TYPES = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|<>#])")
_IMAGE = re.compile(r'^!\[(?P<alt>(?:[^\]\\]|\\.)*)\]\((?P<src>[^)\s]+)(?: "(?P<title>[^"]*)")?\)$')
_STRONG = re.compile(r"\*\*(.+?)\*\*")
_EMPHASIS = re.compile(r"\*(.+?)\*")
_ESCAPED = re.compile(r"\\([\\`*_\[\]|<>#])")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_ORDERED = re.compile(r"^\d+\.\s+")
_FOOTNOTE = re.compile(r"\[\^([A-Za-z0-9_-]+)\]")
_FOOTNOTE_DEFINITION = re.compile(r"^\[\^([A-Za-z0-9_-]+)\]:\s*(.*)$")

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


class _Converter:
    """Markdown (the report's subset) to XHTML body markup; images under ``base`` are embedded."""

    def __init__(self, markdown: str, base: Path):
        self.base = Path(base)
        self.notes = {}
        for line in markdown.splitlines():
            definition = _FOOTNOTE_DEFINITION.match(line)
            if definition:
                self.notes.setdefault(definition.group(1), len(self.notes) + 1)

    def inline(self, text: str) -> str:
        """Escape text for XML; turn ``**strong**``, ``*emphasis*``, ``[^note]`` and ``\\x`` escapes into markup."""
        escapes = []

        def hold(match):
            escapes.append(match.group(1))
            return f"\x00{len(escapes) - 1}\x00"

        text = _ESCAPED.sub(hold, text)
        text = html.escape(text, quote=False)
        text = _STRONG.sub(r"<strong>\1</strong>", text)
        text = _EMPHASIS.sub(r"<em>\1</em>", text)
        text = _FOOTNOTE.sub(self._reference, text)
        return re.sub(r"\x00(\d+)\x00", lambda m: html.escape(escapes[int(m.group(1))], quote=False), text)

    def _reference(self, match) -> str:
        name = match.group(1)
        if name not in self.notes:
            return match.group(0)
        return f'<sup><a href="#note-{_attribute(name)}">{self.notes[name]}</a></sup>'

    def figure(self, match) -> str:
        alt = _ESCAPED.sub(r"\1", match.group("alt"))
        source = match.group("src")
        path = self.base / source
        src = _data_uri(path) if path.is_file() else source
        caption = match.group("title")
        caption = f"<figcaption>{self.inline(caption)}</figcaption>" if caption else ""
        return f'<figure><img src="{_attribute(src)}" alt="{_attribute(alt)}"/>{caption}</figure>'


    def table(self, lines: list[str]) -> str:
        def cell(tag, text):
            css = ' class="number"' if tag == "td" and _numeric(text) else ""
            return f"<{tag}{css}>{self.inline(text)}</{tag}>"

        head = "<tr>" + "".join(cell("th", text) for text in _cells(lines[0])) + "</tr>"
        rows = "".join("<tr>" + "".join(cell("td", text) for text in _cells(line)) + "</tr>" for line in lines[2:])
        return f"<table><thead>{head}</thead><tbody>{rows}</tbody></table>"

    def notes_list(self, lines: list[str]) -> str:
        items = []
        for line in lines:
            definition = _FOOTNOTE_DEFINITION.match(line)
            items.append(f'<li id="note-{_attribute(definition.group(1))}">{self.inline(definition.group(2))}</li>')
        return '<ol class="notes">' + "".join(items) + "</ol>"

    def convert(self, markdown: str) -> str:
        out = []
        for lines in _blocks(markdown):
            first = lines[0]
            heading = _HEADING.match(first)
            if heading and len(lines) == 1:
                level = len(heading.group(1))
                out.append(f"<h{level}>{self.inline(heading.group(2))}</h{level}>")
            elif all(_FOOTNOTE_DEFINITION.match(line) for line in lines):
                out.append(self.notes_list(lines))
            elif all(line.startswith("- ") for line in lines):
                out.append("<ul>" + "".join(f"<li>{self.inline(line[2:])}</li>" for line in lines) + "</ul>")
            elif all(_ORDERED.match(line) for line in lines):
                out.append("<ol>" + "".join(f"<li>{self.inline(_ORDERED.sub('', line))}</li>" for line in lines)
                           + "</ol>")
            elif first.startswith("|") and len(lines) >= 2 and set(lines[1].replace(" ", "")) <= set("|-:"):
                out.append(self.table(lines))
            elif all(line.startswith(">") for line in lines):
                inner = "\n".join(line[1:].lstrip() for line in lines)
                out.append(f"<blockquote>{self.convert(inner)}</blockquote>")
            elif len(lines) == 1 and _IMAGE.match(first):
                out.append(self.figure(_IMAGE.match(first)))
            else:
                out.append(f"<p>{self.inline(' '.join(line.strip() for line in lines))}</p>")
        return "\n".join(out)


def _attribute(value: str) -> str:
    return html.escape(value, quote=True)


def _data_uri(path: Path) -> str:
    media_type = MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
    return f"data:{media_type};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _cells(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", line)]


def _numeric(cell: str) -> bool:
    return bool(re.fullmatch(r"[-+\u2212]?[\d,.]+%?( to [-+]?[\d,.]+%?)?|\u2013|fewer than \d+", cell))


def _blocks(markdown: str):
    block = []
    for line in markdown.splitlines():
        if line.strip():
            block.append(line.rstrip())
        elif block:
            yield block
            block = []
    if block:
        yield block


def markdown_to_html(markdown: str, base: Path) -> str:
    """Convert the report's Markdown to XHTML body markup; images under ``base`` are embedded."""
    return _Converter(markdown, base).convert(markdown)


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
