"""Statistical disclosure control for published tables.

The default policy follows NHS England's rule for published statistics: counts
from 1 to 7 are suppressed, every other count is rounded to the nearest 5, and
a statistic (a mean, a percentage, an effect size) is shown only when it was
computed over at least 8 people. Zero is published as zero: it identifies no
one.

Secondary suppression
---------------------
When one cell in a column is suppressed but the column's total (or every other
cell) is published, the hidden cell could be recovered by subtraction. With
rounding on (``rounding_base > 1``) it cannot: each published figure only pins
its true value to an interval of ``rounding_base`` values, so the difference
of rounded figures leaves several feasible values for the hidden cell (see
:meth:`DisclosurePolicy.feasible_range`). With rounding off
(``rounding_base == 1``) subtraction is exact, and
:meth:`DisclosurePolicy.suppress_table` withholds a second cell in any column
with exactly one suppressed cell.

Reference: NHS England, *Statistical disclosure control* guidance for
published statistics (suppress 1-7, round to the nearest 5); NHS Digital,
*Disclosure control method for Hospital Episode Statistics*.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping, Sequence

import attrs

SUPPRESSED_COLUMN = "suppressed"
"""The column :meth:`DisclosurePolicy.apply` adds, naming the columns it withheld."""


def _at_least(minimum: int):
    def check(instance, attribute, value):
        if operator.index(value) < minimum:
            raise ValueError(f"{attribute.name} must be at least {minimum}: {value!r}")
    return check


@attrs.frozen
class DisclosurePolicy:
    """What may be published: which counts, rounded how, and statistics over how many people."""

    min_count: int = attrs.field(default=8, validator=_at_least(1))
    """Counts from 1 to ``min_count - 1`` are suppressed."""
    rounding_base: int = attrs.field(default=5, validator=_at_least(1))
    """Published counts are rounded to the nearest multiple of this (1: not rounded)."""
    min_n_for_statistic: int = attrs.field(default=8, validator=_at_least(0))
    """A statistic over fewer people than this is withheld."""

    # -- single figures ---------------------------------------------------------

    def count(self, n: int | None) -> int | None:
        """A count as published: 0 stays 0; 1..min_count−1 → ``None``; otherwise rounded.

        Rounding is to the nearest multiple b of ``rounding_base`` with halves
        up, ⌊n/b + ½⌋·b, evaluated exactly as ⌊(2n + b) / 2b⌋·b (never Python's
        ``round``, which rounds halves to even). ``None`` stays ``None``.
        """
        if n is None:
            return None
        n = operator.index(n)
        if n < 0:
            raise ValueError(f"a count cannot be negative: {n}")
        if n == 0:
            return 0
        if n < self.min_count:
            return None
        base = self.rounding_base
        return (2 * n + base) // (2 * base) * base

    def statistic(self, value, n: int | None):
        """``value`` if it was computed over at least ``min_n_for_statistic`` people, else ``None``."""
        if value is None or n is None or n < self.min_n_for_statistic:
            return None
        return value

    def rate(self, numerator: int | None, denominator: int | None) -> float | None:
        """100 · count(numerator) / count(denominator), from the published (rounded) figures.

        ``None`` when either figure is suppressed or missing, or the published
        denominator is 0, so a rate never reveals more than its counts do.
        """
        top, bottom = self.count(numerator), self.count(denominator)
        if top is None or not bottom:
            return None
        return 100 * top / bottom

    def feasible_range(self, published: int | None) -> tuple[int, int]:
        """The smallest and largest true counts that :meth:`count` publishes as ``published``.

        ``None`` → (1, min_count − 1). A rounded figure v → the true counts
        n ≥ min_count with ⌊n/b + ½⌋·b = v, i.e. v − ⌊b/2⌋ ≤ n ≤ v + ⌈b/2⌉ − 1
        (and 0 itself when v = 0). This is what a reader can deduce from one
        published figure; sums and differences of figures give intervals by
        interval arithmetic.
        """
        if published is None:
            if self.min_count < 2:
                raise ValueError("this policy suppresses no counts")
            return 1, self.min_count - 1
        value, base = operator.index(published), self.rounding_base
        low, high = max(value - base // 2, self.min_count), value + (base + 1) // 2 - 1
        if value == 0:
            return 0, (high if low <= high else 0)
        if value < 0 or value % base or low > high:
            raise ValueError(f"{published!r} is not a count this policy publishes")
        return low, high

    # -- rows and tables ------------------------------------------------------------

    def apply(
        self,
        row: Mapping,
        count_columns: Iterable[str],
        statistic_columns: Iterable[str],
        n_column: str = "n",
        rate_columns: Mapping[str, tuple[str, str]] | None = None,
    ) -> dict:
        """A copy of ``row`` fit to publish.

        - each of ``count_columns`` (and ``n_column``, itself a count) goes
          through :meth:`count`;
        - every one of ``statistic_columns`` is blanked when the row's true n
          (``row[n_column]``) is below ``min_n_for_statistic``;
        - each rate ``name -> (numerator_column, denominator_column)`` in
          ``rate_columns`` is recomputed by :meth:`rate` from the controlled
          counts (replacing any rate the row already had);
        - the ``suppressed`` column names, comma-separated and in column order,
          each column that had a value and was withheld (``None`` if none was).

        A value that was already ``None``, or a rate whose denominator is 0,
        is missing rather than withheld and is not listed.
        """
        out = dict(row)
        withheld = set()
        counts = list(count_columns)
        if n_column in row and n_column not in counts:
            counts.append(n_column)
        for column in counts:
            if row.get(column) is not None:
                out[column] = self.count(row[column])
                if out[column] is None:
                    withheld.add(column)
        n = row.get(n_column)
        for column in statistic_columns:
            if row.get(column) is not None:
                out[column] = self.statistic(row[column], n)
                if out[column] is None:
                    withheld.add(column)
        for column, (numerator, denominator) in (rate_columns or {}).items():
            top, bottom = row.get(numerator), row.get(denominator)
            out[column] = self.rate(top, bottom)
            if out[column] is None and top is not None and bottom:
                withheld.add(column)
        out[SUPPRESSED_COLUMN] = ", ".join(c for c in out if c in withheld) or None
        return out

    def suppress_table(self, rows: Sequence[Mapping], count_columns: Iterable[str]) -> list[dict]:
        """Copies of ``rows`` with ``count_columns`` controlled, plus secondary suppression.

        ``rows`` hold true (uncontrolled) counts; each goes through
        :meth:`count`. When rounding is off (``rounding_base == 1``) and a
        column has exactly one suppressed cell, the column total would give it
        away, so the next-smallest non-zero published cell in that column is
        withheld too (the first such row on a tie; a zero cell if no non-zero
        one is left). With rounding on this is unnecessary (see the module
        notes). Withheld columns are added to each row's ``suppressed``
        column. A column with a single row cannot be protected this way: its
        total must not be published separately.
        """
        out = [dict(row) for row in rows]
        withheld: list[set] = [set() for _ in out]
        for column in count_columns:
            hidden = []
            for index, row in enumerate(out):
                if row.get(column) is not None:
                    row[column] = self.count(row[column])
                    if row[column] is None:
                        hidden.append(index)
                        withheld[index].add(column)
            if self.rounding_base == 1 and len(hidden) == 1:
                shown = [(row[column] == 0, row[column], index) for index, row in enumerate(out)
                         if row.get(column) is not None]
                if shown:
                    index = min(shown)[2]
                    out[index][column] = None
                    withheld[index].add(column)
        for row, names in zip(out, withheld):
            names |= set((row.get(SUPPRESSED_COLUMN) or "").split(", "))
            row[SUPPRESSED_COLUMN] = ", ".join(c for c in row if c in names) or None
        return out
