"""YouTube Studio analytics exports (Analytics → Advanced mode → Export current view → Comma-separated values).

Studio gives a ``.zip`` named after the view and its dates (``Content
2023-04-01_2024-03-31 Channel name.zip``) holding three CSV files:

- ``Table data.csv``: one row per video over the whole period, after a first
  row whose ``Content`` is ``Total``; the columns are the metrics ticked,
  among them ``Content`` (the video's id), ``Video title``, ``Video publish
  time`` (``Mar 15, 2023``), ``Duration`` (seconds), ``Views``, ``Watch time
  (hours)``, ``Unique viewers``, ``Average view duration`` (``0:04:12``),
  ``Impressions`` and ``Subscribers``;
- ``Chart data.csv``: the videos the chart plots, a row per video and day:
  ``Date``, ``Content``, ``Video title``, ``Video publish time``,
  ``Duration`` and the chart's metric (``Views`` unless another was chosen);
- ``Totals.csv``: the channel's total per day, which adds nothing per video.

Each video gives a resource (code ``youtube:<id>``, kind ``video`` unless the
store already holds it as another kind, its title, its address and its
publish date) and access counts from source ``youtube``: a row per day for the
videos the chart plots, and a row for the whole period for every other video
of the table. The table does not say its period: it is taken from the name of
the zip (or of the folder or file holding the CSV), when that holds two ISO
dates, else from the ``period`` option (``--period 2023-04-01:2024-03-31``),
and never guessed. The zip or the loose CSV files are read alike; the
``Total`` rows are skipped.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import zipfile
from pathlib import Path

from .. import model, values
from ..hookspecs import hookimpl
from . import Issue, Omitted, Parsed, RowsRead, UnreadableFile, tables

SOURCE = "youtube"
TABLE, CHART, TOTALS = "table data.csv", "chart data.csv", "totals.csv"
METRICS = {"views": "views", "watch time (hours)": "watch_hours", "unique viewers": "unique_viewers"}
"""Studio's metric columns kept, by heading, and the field each fills."""
_VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_PERIOD = re.compile(r"(\d{4}-\d{2}-\d{2})\s*(?:_|:|\.\.|\bto\b|–|—|-)\s*(\d{4}-\d{2}-\d{2})")
_US_DATE = re.compile(r"^([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})$")
MAX_MEMBER_BYTES = 256 * 1024 * 1024
"""The largest CSV file read out of a zip (a year of a channel's daily rows is a few megabytes)."""


def studio_date(value) -> dt.date | None:
    """A date as Studio writes it: ``Mar 15, 2023``, ``Sep 1 2026``, ``2023-03-15``, ``2021-06-29 10:55:13``, ``15 Mar 2023``."""
    if values.is_missing(value):
        return None
    match = _US_DATE.match(str(value).strip())
    if match:
        try:
            return values.date(f"{match.group(2)} {match.group(1)} {match.group(3)}")
        except ValueError:
            pass
    try:
        return values.date(value)
    except ValueError:
        raise ValueError("must be a date such as Mar 15, 2023 or 2023-03-15") from None


def period_in(name: str) -> tuple[dt.date, dt.date] | None:
    """The two ISO dates a name holds (``Content 2023-04-01_2024-03-31 Channel``), first to last, if any."""
    match = _PERIOD.search(name)
    if not match:
        return None
    try:
        first, last = (dt.date.fromisoformat(part) for part in match.groups())
    except ValueError:
        return None
    return (first, last) if first <= last else None


def parse_period(text: str) -> tuple[dt.date, dt.date]:
    """The ``period`` option, ``2023-04-01:2024-03-31``; ``ValueError`` saying how to write it."""
    found = period_in(str(text))
    if found is None:
        raise ValueError(f"the period {text!r} must be two ISO dates, first to last, such as 2023-04-01:2024-03-31")
    return found


def _kind_of(keys: set) -> str | None:
    """Which of Studio's files a header is: ``table``, ``chart`` or ``totals``."""
    if "content" in keys and ({"video title", "video publish time"} & keys):
        return "chart" if "date" in keys else "table"
    if "date" in keys and keys - {"date"} and keys - {"date"} <= set(METRICS) | {
            "watch time (hours)", "subscribers", "impressions", "average view duration"}:
        return "totals"
    return None


def _members(path: Path) -> list[str]:
    try:
        with zipfile.ZipFile(path) as archive:
            return [info.filename for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, OSError):
        return []


def _studio_names(names: list[str]) -> dict[str, str]:
    """Studio's files among a zip's members, by their lower-case base name."""
    found = {}
    for name in names:
        base = name.rsplit("/", 1)[-1].casefold()
        if base in (TABLE, CHART, TOTALS):
            found.setdefault(base, name)
    return found


class YouTubeStudioImporter:
    name = "youtube"
    description = ("YouTube Studio analytics export (the .zip of Export current view, or its Table data.csv and "
                   "Chart data.csv): videos as resources, their views and watch time")

    def recognises(self, path: Path) -> bool:
        path = Path(path)
        if path.suffix.lower() == ".zip":
            return bool({TABLE, CHART} & set(_studio_names(_members(path))))
        if path.suffix.lower() != ".csv":
            return False
        kind = _kind_of({tables.header_key(heading) for heading in tables.head(path)})
        return kind in ("table", "chart") or (kind == "totals" and path.name.casefold() == TOTALS)

    def check(self, path: Path, options: dict) -> str | None:
        """Why ``--format youtube`` cannot read this file, if it cannot."""
        if self.recognises(path):
            return None
        return ("not a YouTube Studio export: expected the .zip of Analytics → Advanced mode → Export current view, "
                "or its Table data.csv or Chart data.csv (with Content and Video title columns)")

    def rank(self, path: Path) -> int:
        """With the resources: after the courses and partnerships they may name."""
        return model.RECORD_TYPES.index(model.Resource)

    def read(self, path: Path, options: dict):
        path = Path(path)
        reader = _Reader(options)
        if path.suffix.lower() == ".zip":
            yield from reader.read_zip(path)
        else:
            yield from reader.read_files([(path.name, path)], period_from=(path.stem, path.parent.name),
                                         charted=charted_beside(path))


class _Reader:
    def __init__(self, options: dict):
        self.options = options
        self.store = options.get("store")

    def read_zip(self, path: Path):
        try:
            with zipfile.ZipFile(path) as archive, tempfile.TemporaryDirectory(prefix="scplearn-youtube-") as folder:
                files = []
                for base, member in sorted(_studio_names(archive.namelist()).items()):
                    info = archive.getinfo(member)
                    if info.file_size > MAX_MEMBER_BYTES:
                        raise UnreadableFile(f"{path.name}: {member} is too large to be a Studio export "
                                             f"({info.file_size:,} bytes)")
                    target = Path(folder) / base
                    with archive.open(info) as source:
                        data = source.read(MAX_MEMBER_BYTES + 1)
                    if len(data) > MAX_MEMBER_BYTES:
                        raise UnreadableFile(f"{path.name}: {member} is too large to be a Studio export")
                    target.write_bytes(data)
                    files.append((f"{path.name}/{member}", target))
                if not files:
                    raise UnreadableFile(f"{path.name}: holds no Table data.csv or Chart data.csv")
                yield from self.read_files(files, period_from=(path.stem,))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError) as error:
            raise UnreadableFile(f"{path.name}: not a readable zip file ({error})") from None

    def read_files(self, files: list[tuple[str, Path]], period_from: tuple[str, ...], charted=frozenset()):
        """Records and issues of Studio's files, given as (name shown, path): the videos, then their counts.

        ``charted``: the codes of videos a Chart data file beside a loose Table data file counts day by day.
        """
        read = {}
        for name, path in files:
            number, header, rows = tables.table(path)
            kind = _kind_of({tables.header_key(heading) for heading in header})
            if kind is None:
                yield Issue(name, number, None, None, "not one of YouTube Studio's export files: expected Table data "
                            "(Content, Video title, Views ...) or Chart data (Date, Content, Video title, Views)",
                            whole_file=True)
                return
            read[kind] = _File(name, number, header, list(rows))
        videos: dict[str, dict] = {}  # video id -> title, published, first row: the table's first, then the chart's
        totals, days, problems = [], [], []
        for kind, found in (("table", totals), ("chart", days)):
            if kind in read:
                problems.extend(self.rows(read[kind], kind, videos, found))
        if problems:
            yield from problems
            return
        yield from self.resources(videos)
        yield from days
        charted = {parsed.record.resource for parsed in days} | set(charted)
        totals = [(number, video, counts) for number, video, counts in totals if code_of(video) not in charted]
        if totals:
            period, problem = self.period(read["table"].name, period_from)
            if problem:
                yield problem
                return
            first, last = period
            headings = read["table"].headings()
            for number, video, counts in totals:
                yield Parsed(number, model.ResourceAccess(
                    resource=code_of(video), date=first, source=SOURCE, until=last, **counts), headings)
        if "totals" in read:
            yield Omitted(read["totals"].name, None, None, None, "the channel's totals per day: each video's "
                          "counts are read from Table data and Chart data, not counted again")
        yield RowsRead(sum(len(file.rows) for file in read.values()))

    def rows(self, file: "_File", kind: str, videos: dict, found: list) -> list[Issue]:
        """Read a table's or a chart's rows into ``found`` (the chart's as access records); their problems."""
        needed = ("content", "date") if kind == "chart" else ("content",)
        missing = [key for key in needed if key not in file.columns]
        if missing:
            return [Issue(file.name, file.number, None, None,
                          f"no {' or '.join(m.capitalize() for m in missing)} column", whole_file=True)]
        if not any(key in file.columns for key in METRICS):
            return [Issue(file.name, file.number, None, None, "no Views, Watch time (hours) or Unique viewers "
                          "column: tick one of these metrics before exporting", whole_file=True)]
        problems = []
        for number, cells in file.rows:
            cell = file.cell_of(cells)
            content = str(cell("content") or "").strip()  # Studio may put a space before an id starting with -
            if content.casefold() == "total":
                continue
            row_problems = []
            if not _VIDEO_ID.match(content):
                row_problems.append(file.issue(number, "content", cell("content"), "not a YouTube video id (11 "
                                               "letters, digits, - or _): export the Content view, one row per video"))
            published = None
            try:
                published = studio_date(cell("video publish time"))
            except ValueError as error:
                row_problems.append(file.issue(number, "video publish time", cell("video publish time"), str(error)))
            counts = {}
            for key, field in METRICS.items():
                if key in file.columns:
                    try:
                        counts[field] = (values.non_negative if field == "watch_hours" else values.count)(cell(key))
                    except ValueError as error:
                        row_problems.append(file.issue(number, key, cell(key), str(error)))
            day = None
            if kind == "chart":
                try:
                    day = studio_date(cell("date"))
                    if day is None:
                        raise ValueError("is required")
                except ValueError as error:
                    row_problems.append(file.issue(number, "date", cell("date"), str(error)))
            if row_problems:
                problems.extend(row_problems)
                continue
            video = videos.setdefault(content, {"row": number})
            video.setdefault("title", values.text(cell("video title")))
            video.setdefault("published", published)
            if kind == "chart":
                found.append(Parsed(number, model.ResourceAccess(
                    resource=code_of(content), date=day, source=SOURCE, **counts), file.headings()))
            else:
                found.append((number, content, counts))
        return problems

    def period(self, name, period_from) -> tuple[tuple | None, Issue | None]:
        given = self.options.get("period")
        if given:
            try:
                return (given if isinstance(given, tuple) else parse_period(given)), None
            except ValueError as error:
                return None, Issue(name, None, None, None, str(error))
        for candidate in period_from:
            found = period_in(candidate)
            if found:
                return found, None
        return None, Issue(name, None, None, None,
                           "Table data holds each video's totals over the export's period, which the file does not "
                           "say: keep the name Studio gave the zip (Content 2023-04-01_2024-03-31 Channel.zip), or "
                           "give --period 2023-04-01:2024-03-31")

    def resources(self, videos: dict):
        """A resource for each video, before the access rows that name it."""
        for video, details in videos.items():
            code = code_of(video)
            record = model.Resource(
                code=code, title=details.get("title") or code, kind=self.kind_known(code) or "video",
                url=f"https://www.youtube.com/watch?v={video}", published=details.get("published"),
            )
            yield Parsed(details["row"], record, _RESOURCE_HEADINGS)

    def kind_known(self, code: str) -> str | None:
        """The kind the store already gives a resource (a video recorded as a session's recording stays one)."""
        if self.store is None or not self.store.db["resources"].exists():
            return None
        row = self.store.db.execute("SELECT kind FROM resources WHERE code = ?", [code]).fetchone()
        return row[0] if row else None


def charted_beside(path: Path) -> frozenset:
    """The codes of the videos the Chart data file beside a loose Table data file counts day by day.

    The two files of one export unpacked into one folder are read as the zip is:
    a video the chart counts day by day does not also get the table's total.
    """
    if path.name.casefold() != TABLE:
        return frozenset()
    chart = next((other for other in path.parent.iterdir() if other.name.casefold() == CHART), None)
    if chart is None:
        return frozenset()
    try:
        _, header, rows = tables.table(chart)
        file = _File(chart.name, 0, header, list(rows))
    except (UnreadableFile, OSError):
        return frozenset()
    if "date" not in file.columns or "content" not in file.columns:
        return frozenset()
    found = (str(file.cell_of(cells)("content") or "").strip() for _, cells in file.rows)
    return frozenset(code_of(video) for video in found if _VIDEO_ID.match(video))


def code_of(video: str) -> str:
    """The resource code of a YouTube video id."""
    return f"youtube:{video}"


_RESOURCE_HEADINGS = {"code": "Content", "title": "Video title", "published": "Video publish time"}


class _File:
    """One of Studio's CSV files, read: the name shown in messages, the header's row number, headings and rows."""

    def __init__(self, name: str, number: int, header: list[str], rows: list):
        self.name, self.number, self.header, self.rows = name, number, header, rows
        self.columns = {}
        for index, heading in enumerate(header):
            self.columns.setdefault(tables.header_key(heading), index)

    def cell_of(self, cells: list):
        def cell(key):
            index = self.columns.get(key)
            return cells[index] if index is not None and index < len(cells) else None
        return cell

    def issue(self, number: int, key: str, value, reason: str) -> Issue:
        return Issue(self.name, number, self.header[self.columns[key]], value, reason)

    def headings(self) -> dict:
        """Field -> the heading it was read from, for messages about a record."""
        fields = {"content": "resource", "date": "date", **METRICS}
        return {field: self.header[self.columns[key]] for key, field in fields.items() if key in self.columns}


@hookimpl
def register_importers(register):
    register(YouTubeStudioImporter())
