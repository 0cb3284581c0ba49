"""Disclosure control of whole tables: which figures the public database may hold.

:class:`scplearn.disclosure.DisclosurePolicy` says how one count or one
statistic is protected. Figures in a table can give each other away, so this
module applies the policy table by table:

1. **Counts** of people are rounded to the policy's base, and counts from 1 to
   ``min_count - 1`` are withheld (primary suppression). Zero stays zero.
2. A **statistic** (a mean, a percentage, an interval) is shown only when the
   count it is computed over, its *base*, reaches ``min_n_for_statistic``, and
   only to a few decimals (whole percentages, one decimal otherwise), so that
   it cannot be used to recover the unrounded counts.
3. In a row where a count is withheld, the statistics that could reveal it are
   withheld too: a show rate next to the number booked would give away the
   handful who did not attend.
4. **Secondary suppression**, only when counts are not rounded
   (``rounding_base=1``): wherever published counts add up (a year's total and
   its rows by course; the before and after columns of a distribution), a
   single withheld count could be recovered by subtraction, so the smallest
   other count of that sum is withheld as well, until no sum has exactly one
   withheld count. Copies of one figure (a group-level figure repeated on each
   dimension's row) are withheld together.

With rounding to 5 (the default) step 4 is not needed. A published count ``R``
stands for a true count from ``R - 2`` to ``R + 2``, so a difference of
published counts is known only within a band of at least nine consecutive
values; a withheld count (known to be 1 to 7) is left with at least two
possible values by any such band, and usually all seven.

An evaluator can say how its columns are protected with optional attributes:

``count_columns``
    columns holding counts of people (default: its ``int`` columns);
``rate_columns``
    columns holding statistics and rates (default: every other number column);
``statistic_bases``
    ``{statistic: (base, other counts it could reveal...)}``; an empty tuple
    marks a figure that is not about people (money), published unchanged.
    Undeclared statistics depend on every count of their row, and their base
    is the smallest positive count of the row;
``decimals``
    ``{statistic: decimals}`` (default: 0 for ``pct_*`` and ``*_rate``, else 1);
``count_totals``
    ``{total: (parts...)}``: counts of a row that add up (``-part`` subtracts), for step 4.

Columns that are neither counts nor statistics are not published.
"""

from __future__ import annotations

from typing import Iterable, Mapping

import attrs

Cell = tuple[str, int, str]
"""A cell of the tables being controlled: (table name, row index, column)."""


def default_decimals(column: str) -> int:
    """Whole numbers for percentages (``pct_*``, ``*_rate``), one decimal for anything else."""
    return 0 if column.startswith("pct_") or column.endswith("_rate") else 1


@attrs.frozen
class ColumnRules:
    """How each published column of a result table is protected."""

    counts: tuple[str, ...]
    statistics: tuple[str, ...]
    bases: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    decimals: Mapping[str, int] = attrs.field(factory=dict)
    totals: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)

    @classmethod
    def for_evaluator(cls, evaluator) -> "ColumnRules":
        columns = dict(evaluator.columns)
        counts = getattr(evaluator, "count_columns", None)
        if counts is None:
            counts = [name for name, kind in columns.items() if kind is int]
        statistics = getattr(evaluator, "rate_columns", None)
        if statistics is None:
            statistics = [name for name, kind in columns.items() if kind in (int, float) and name not in counts]
        return cls(
            counts=tuple(column for column in columns if column in set(counts)),
            statistics=tuple(column for column in columns if column in set(statistics)),
            bases={k: tuple(v) for k, v in (getattr(evaluator, "statistic_bases", None) or {}).items()},
            decimals=dict(getattr(evaluator, "decimals", None) or {}),
            totals={k: tuple(v) for k, v in (getattr(evaluator, "count_totals", None) or {}).items()},
        )

    @property
    def columns(self) -> tuple[str, ...]:
        return self.counts + self.statistics

    def decimals_of(self, column: str) -> int:
        return self.decimals.get(column, default_decimals(column))


@attrs.define
class RawTable:
    """A table of unrounded figures about to be published: label columns, then figures."""

    name: str
    labels: tuple[str, ...]
    rows: list[dict]
    rules: ColumnRules


def primary_suppression(tables: Iterable[RawTable], policy) -> set[Cell]:
    """Every count cell the policy withholds on its own (1 to min_count - 1)."""
    return {
        (table.name, index, column)
        for table in tables
        for index, row in enumerate(table.rows)
        for column in table.rules.counts
        if row.get(column) is not None and policy.count(row[column]) is None
    }


def secondary_suppression(values: Mapping[Cell, int], withheld: set[Cell], sums: Iterable[list[Cell]],
                          copies: Iterable[list[Cell]] = ()) -> set[Cell]:
    """Withhold more cells until no sum has exactly one withheld cell.

    ``sums`` are lists of cells whose values are tied by one equation (a total
    and its parts); knowing all but one of them gives the last. For each sum
    with a single withheld cell, the smallest other non-zero cell is withheld
    too (a zero only when nothing else is left; ties go to the cell listed
    first): hiding a zero beside a small count would narrow it down, not hide it. ``copies`` are lists of cells holding the same
    figure, withheld all together.
    """
    withheld = set(withheld)
    sums = [list(cells) for cells in sums]
    linked = {}
    for group in copies:
        for cell in group:
            linked.setdefault(cell, set()).update(group)

    def withhold(cell):
        withheld.add(cell)
        withheld.update(linked.get(cell, ()))

    for cell in list(withheld):
        withhold(cell)
    changed = True
    while changed:
        changed = False
        for cells in sums:
            hidden = [cell for cell in cells if cell in withheld]
            shown = [cell for cell in cells if cell not in withheld]
            if len(hidden) == 1 and shown:
                withhold(min(shown, key=lambda cell: (values[cell] == 0, values[cell], cells.index(cell))))
                changed = True
    return withheld


def margin_sums(table: RawTable, total_grouping: str = "year") -> list[list[Cell]]:
    """The sums across rows: each ``total_grouping`` row against its rows grouped one level deeper.

    Only sums that really hold in the unrounded figures are returned (a count
    of distinct people, for instance, need not add up across courses).
    """
    def key(row, fields):
        return tuple(row.get(field) for field in fields)

    outer = total_grouping.split(",")
    rest = [label for label in table.labels if label not in outer and label not in GROUP_LABELS]
    totals, parts = {}, {}
    for index, row in enumerate(table.rows):
        grouping = row.get("grouping")
        if grouping == total_grouping:
            totals[key(row, outer + rest)] = index
        elif grouping and grouping.startswith(total_grouping + ",") and grouping.count(",") == total_grouping.count(",") + 1:
            parts.setdefault((grouping, key(row, outer + rest)), []).append(index)
    sums = []
    for (grouping, outer_key), indexes in parts.items():
        total = totals.get(outer_key)
        if total is None:
            continue
        for column in table.rules.counts:
            numbers = [table.rows[i].get(column) for i in indexes]
            if table.rows[total].get(column) is None or None in numbers:
                continue
            if sum(numbers) == table.rows[total][column]:
                sums.append([(table.name, total, column)] + [(table.name, i, column) for i in indexes])
    return sums


GROUP_LABELS = ("grouping", "year", "partnership", "course", "session", "priority", "mode", "sector", "agency")
"""Label columns naming a group (as opposed to ``dimension`` or ``score``, which split a group's rows)."""


def row_sums(table: RawTable) -> list[list[Cell]]:
    """The sums within rows that the evaluator declares (``count_totals``) and the figures obey.

    A part written ``-name`` is subtracted: ``{"booked": ("cancelled", "did_not_attend",
    "attended", "-walk_ins")}`` says booked = cancelled + did not attend + attended − walk-ins.
    """
    sums = []
    for index, row in enumerate(table.rows):
        for total, parts in table.rules.totals.items():
            signed = [(-1, part[1:]) if part.startswith("-") else (1, part) for part in parts]
            numbers = [row.get(part) for _, part in signed]
            if row.get(total) is None or None in numbers:
                continue
            if sum(sign * number for (sign, _), number in zip(signed, numbers)) == row[total]:
                sums.append([(table.name, index, total)] + [(table.name, index, part) for _, part in signed])
    return sums


def repeated_figures(table: RawTable) -> list[list[Cell]]:
    """Cells repeating one figure of a group on each of its rows (one row per dimension)."""
    if "dimension" not in table.labels:
        return []
    groups = {}
    for index, row in enumerate(table.rows):
        group = tuple(row.get(label) for label in table.labels if label != "dimension")
        groups.setdefault(group, []).append(index)
    copies = []
    for indexes in groups.values():
        if len(indexes) < 2:
            continue
        for column in table.rules.counts:
            if len({table.rows[i].get(column) for i in indexes}) == 1:
                copies.append([(table.name, i, column) for i in indexes])
    return copies


def publish_row(table: RawTable, index: int, withheld: set[Cell], policy) -> dict:
    """The published version of one row: rounded counts, shown statistics, and ``suppressed``."""
    row = table.rows[index]
    rules = table.rules
    published = {label: row.get(label) for label in table.labels}
    hidden = []
    hidden_counts = set()
    for column in rules.counts:
        value = row.get(column)
        if (table.name, index, column) in withheld:
            published[column] = None
            hidden.append(column)
            hidden_counts.add(column)
        else:
            published[column] = None if value is None else policy.count(value)
    for column in rules.statistics:
        value = row.get(column)
        shown = value is not None and _statistic_shown(rules, row, column, hidden_counts, policy)
        if value is not None and not shown:
            hidden.append(column)
        if not shown:
            published[column] = None
        elif rules.bases.get(column) == ():
            published[column] = value
        else:
            published[column] = round(value, rules.decimals_of(column))
    published["suppressed"] = ", ".join(hidden) or None
    return published


def _statistic_shown(rules: ColumnRules, row: dict, column: str, hidden_counts: set, policy) -> bool:
    declared = rules.bases.get(column)
    if declared == ():
        return True
    if declared is None:
        depends = rules.counts
        positive = [row[count] for count in depends if row.get(count)]
        base = min(positive) if positive else None
    else:
        depends = declared
        base = row.get(declared[0])
    if hidden_counts & set(depends) or base is None:
        return False
    return policy.statistic(row[column], base) is not None


def control(tables: list[RawTable], policy, extra_sums: Iterable[list[Cell]] = ()) -> dict[str, list[dict]]:
    """Apply ``policy`` to ``tables``; return the published rows of each, by table name.

    ``extra_sums`` are further sums (across tables, or of a special shape) for
    secondary suppression; margins across rows, declared row totals and
    repeated figures are found here.
    """
    withheld = primary_suppression(tables, policy)
    if policy.rounding_base <= 1:
        values = {
            (table.name, index, column): row[column]
            for table in tables
            for index, row in enumerate(table.rows)
            for column in table.rules.counts
            if row.get(column) is not None
        }
        sums = list(extra_sums)
        copies = []
        for table in tables:
            sums += margin_sums(table) + row_sums(table)
            copies += repeated_figures(table)
        withheld = secondary_suppression(values, withheld, sums, copies)
    return {
        table.name: [publish_row(table, index, withheld, policy) for index in range(len(table.rows))]
        for table in tables
    }
