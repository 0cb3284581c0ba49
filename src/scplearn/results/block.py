"""A block of results: one financial year's tables, every evaluator and grouping of it, exact or published.

Disclosure control and its audit work a block at a time: the figures of one
year add up to that year's totals, and nothing published ties one year's
figures to another's (no total over several years is published), so each
year can be protected, audited and published on its own. The one figure
shared by every year, a workforce, is decided once for them all
(:mod:`.workforce`).
"""

from __future__ import annotations

from typing import Iterator

import attrs

from ..evaluator import Evaluator

Cell = tuple[int, int, str]
"""A cell of a block: (table index, row index, column)."""


@attrs.define
class Table:
    """One evaluator's rows for one grouping: the grouping fields, the row labels, then its columns."""

    evaluator: Evaluator
    grouping: tuple[str, ...]
    rows: list[dict]

    @property
    def name(self) -> str:
        return self.evaluator.name

    @property
    def labels(self) -> tuple[str, ...]:
        return (*self.grouping, *self.evaluator.row_labels)

    def key(self, row: dict) -> tuple:
        """The row's labels: its group, then its row labels (``dimension``...)."""
        return tuple(row.get(label) for label in self.labels)

    def group(self, row: dict) -> tuple:
        """The row's group: the grouping and the values of its fields."""
        return (self.grouping, tuple(row.get(field) for field in self.grouping))

    def people_counts(self) -> list[str]:
        return [name for name, column in self.evaluator.columns.items()
                if column.kind == "count" and column.people]


@attrs.define
class Block:
    """The tables of one year (in the order evaluators depend on each other)."""

    year: str | None
    tables: list[Table]

    def cells(self, columns: str = "people") -> Iterator[Cell]:
        """Every cell of a count of people (``columns="people"``) in the block."""
        for t, table in enumerate(self.tables):
            counts = table.people_counts()
            for r, row in enumerate(table.rows):
                for column in counts:
                    yield t, r, column

    def value(self, cell: Cell):
        t, r, column = cell
        return self.tables[t].rows[r].get(column)

    def find(self, name: str, grouping: tuple) -> int | None:
        for index, table in enumerate(self.tables):
            if table.name == name and table.grouping == tuple(grouping):
                return index
        return None

    def describe(self, cell: Cell) -> str:
        """``reach_results, year 2023/24, agency Oakfield: attended`` — a cell as a reader would find it."""
        t, r, column = cell
        table = self.tables[t]
        row = table.rows[r]
        where = ", ".join(f"{label} {row.get(label) if row.get(label) is not None else '(none)'}"
                          for label in table.labels)
        return f"{table.name}_results, {where}: {column}"
