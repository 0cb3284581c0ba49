"""Problems and notices of an import, kept in bounded memory and told in few lines.

A file where every one of millions of rows is bad must not keep millions of
messages, nor print them. :class:`IssueLog` keeps the first :data:`KEPT`
issues as they are (``issues``), counts every one, and groups them by kind
(file, column and reason) keeping each kind's first :data:`ROWS_SHOWN` rows
and a few of its values. :meth:`IssueLog.lines` then tells each kind once:

    evaluations.csv, rows 2, 3 and 9, column 'knowledge_pre': values '11', '0', '12': must be a whole number from 1 to 10

and a kind seen on one row reads as the issue itself does.
"""

from __future__ import annotations

from .importers import show_value

KEPT = 300
"""Issues kept word for word (for callers that look at each one)."""
KINDS = 200
"""Kinds of issue told apart; further kinds are counted together."""
ROWS_SHOWN = 12
VALUES_SHOWN = 3


class _Kind:
    __slots__ = ("first", "rows", "values", "count")

    def __init__(self, issue):
        self.first = issue
        self.rows: list = []
        self.values: list = []
        self.count = 0

    def add(self, issue) -> None:
        self.count += 1
        if issue.row is not None and len(self.rows) < ROWS_SHOWN and issue.row not in self.rows:
            self.rows.append(issue.row)
        if issue.value is not None and len(self.values) < VALUES_SHOWN and issue.value not in self.values:
            self.values.append(issue.value)

    def line(self) -> str:
        issue = self.first
        if self.count == 1:
            return str(issue)
        where = [issue.file]
        if self.rows:
            shown = ", ".join(map(str, self.rows))
            more = self.count - len(self.rows)
            where.append(f"rows {shown}" + (f" and {more:,} more" if more > 0 else ""))
        if issue.column:
            where.append(f"column {issue.column!r}")
        text = ", ".join(where) + ":"
        if self.values:
            shown = ", ".join(show_value(value) for value in self.values)
            text += f" value{'s' if len(self.values) > 1 else ''} {shown}{', ...' if len(self.values) == VALUES_SHOWN else ''}:"
        return f"{text} {issue.reason}"


class IssueLog:
    """Issues (or notices) added one at a time: a bounded list, a count, and the kinds."""

    def __init__(self):
        self.issues: list = []
        self.count = 0
        self.kinds: dict[tuple, _Kind] = {}
        self.unsorted = 0  # issues of kinds beyond KINDS

    def __len__(self) -> int:
        return self.count

    def __bool__(self) -> bool:
        return self.count > 0

    def __iter__(self):
        return iter(self.issues)

    def add(self, issue) -> None:
        self.count += 1
        if len(self.issues) < KEPT:
            self.issues.append(issue)
        key = (issue.file, issue.column, issue.reason)
        kind = self.kinds.get(key)
        if kind is None:
            if len(self.kinds) >= KINDS:
                self.unsorted += 1
                return
            kind = self.kinds[key] = _Kind(issue)
        kind.add(issue)

    def extend(self, issues) -> None:
        for issue in issues:
            self.add(issue)

    def any(self, test) -> bool:
        """True when some kind's first issue passes ``test`` (e.g. a problem with the whole file)."""
        return any(test(kind.first) for kind in self.kinds.values())

    def lines(self) -> list[str]:
        """One line for each kind of issue, in the order first seen."""
        found = [kind.line() for kind in self.kinds.values()]
        if self.unsorted:
            found.append(f"... and {self.unsorted:,} more problems of other kinds")
        return found
