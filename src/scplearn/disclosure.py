"""The disclosure policy: what of the exact results may be published, applied once for everything public.

The default follows NHS England's rule for published statistics: counts of
people from 1 to 7 are withheld, every other count is rounded to the nearest
5, and a statistic (a mean) is shown only when it was computed over at least
8 people. Zero is published as zero: it identifies no one.

:meth:`DisclosurePolicy.publish` turns one year's exact results (a
:class:`~scplearn.results.block.Block`) into the published ones:

1. **Counts of people** from 1 to ``min_count − 1`` are withheld, the others
   rounded to ``rounding_base``; every part of a withheld total is withheld
   too, zeros included (a sector's agencies, when the sector's count is
   small). Counts of things (sessions, places) and money are published
   exactly.
2. The **attacker's audit** (:mod:`scplearn.results.audit`) works out, from
   everything published, the range each withheld or rounded count could
   take. A withheld count left with fewer than 3 possible values, or a
   rounded one with a single value, fails; then a neighbouring count (the
   smallest other count of a total or relation that pins it) is withheld as
   well, and the audit runs again, until it passes.
3. **Statistics** over people (means, a standard deviation, a p-value) are
   shown only when each of their counts reached ``min_n_for_statistic`` and
   is itself published, to the column's decimals.
4. **Derived figures** (percentages, rates, intervals, costs per head) are
   computed by their formula from the *published* counts, so they tell
   nothing the counts do not, and are withheld with them.

Every withheld figure is named in the row's ``suppressed`` column.

Reference: NHS England, *Statistical disclosure control* guidance for
published statistics (suppress 1-7, round to the nearest 5); Hundepool et
al., *Statistical Disclosure Control* (Wiley, 2012), ch. 4 (auditing tables).
"""

from __future__ import annotations

import operator
from decimal import ROUND_HALF_UP, Decimal

import attrs

from .errors import ScplearnError
from .evaluator import Row

SUPPRESSED_COLUMN = "suppressed"
"""The column naming, in each published row, the figures withheld from it."""
PROTECTING_COLUMN = "protecting"
"""The column naming the counts of a row withheld, though not small, so that a small one cannot be worked out."""


def _min_count(instance, attribute, value):
    value = operator.index(value)
    if value != 1 and value < 4:
        raise ValueError("min_count must be 1 (withhold nothing) or at least 4, so that a withheld count "
                         f"keeps at least 3 possible values: {value!r}")


def _at_least(minimum: int):
    def check(instance, attribute, value):
        if operator.index(value) < minimum:
            raise ValueError(f"{attribute.name} must be at least {minimum}: {value!r}")
    return check


class DisclosureError(ScplearnError):
    """The audit found a figure that no further suppression could protect: nothing is published."""


@attrs.frozen
class DisclosurePolicy:
    """What may be published: which counts, rounded how, and statistics over how many people."""

    min_count: int = attrs.field(default=8, validator=_min_count)
    """Counts from 1 to ``min_count - 1`` are withheld."""
    rounding_base: int = attrs.field(default=5, validator=_at_least(1))
    """Published counts are rounded to the nearest multiple of this (1: not rounded)."""
    min_n_for_statistic: int = attrs.field(default=8, validator=_at_least(0))
    """A statistic over fewer people than this is withheld."""

    def __attrs_post_init__(self):
        if self.rounding_base > 1 and self.min_count > 1:
            smallest = self.count(self.min_count)
            low, high = self.feasible_range(smallest)
            if high <= low:
                raise ValueError(
                    f"with min_count {self.min_count} and rounding_base {self.rounding_base}, a count of "
                    f"{self.min_count} is published as {smallest}, which only {self.min_count} rounds to: "
                    "it would be known exactly; choose another rounding base or minimum count")

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

    def feasible_range(self, published: int | None) -> tuple[int, int]:
        """The smallest and largest true counts that :meth:`count` publishes as ``published``.

        ``None`` → (1, min_count − 1). A rounded figure v → the true counts
        n ≥ min_count with ⌊n/b + ½⌋·b = v, i.e. v − ⌊b/2⌋ ≤ n ≤ v + ⌈b/2⌉ − 1
        (and 0 itself when v = 0).
        """
        if published is None:
            if self.min_count < 2:
                raise ValueError("this policy withholds no counts")
            return 1, self.min_count - 1
        value, base = operator.index(published), self.rounding_base
        low, high = max(value - base // 2, self.min_count), value + (base + 1) // 2 - 1
        if value == 0:
            return 0, (high if low <= high else 0)
        if value < 0 or value % base or low > high:
            raise ValueError(f"{published!r} is not a count this policy publishes")
        return low, high

    def describe(self) -> str:
        """The rules in one sentence, for the ``about`` table, the site and the report."""
        rounding = (f"other counts of people are rounded to the nearest {self.rounding_base}"
                    if self.rounding_base > 1 else "other counts of people are exact")
        return (
            f"Counts of people from 1 to {self.min_count - 1} are withheld (shown empty); {rounding}, and "
            "a further count is withheld wherever the published figures could otherwise narrow a withheld "
            f"or rounded one down; no mean is shown over fewer than {self.min_n_for_statistic} people; "
            "percentages, rates and costs per head are computed from the published counts."
        )

    # -- a block of results ------------------------------------------------------

    def publish(self, block, settled=None):
        """The published version of ``block`` (exact results of one year), audited: see the module notes.

        ``settled`` is ``(values, protecting)``: cells whose published values were decided already (a
        workforce, the same in every year), and which of them are withheld to protect others. They are
        published as decided, and never withheld here to protect another cell.
        """
        from .results import audit, model

        values, protecting = settled or ({}, set())
        modeller = model.Modeller(self, exact=block)
        counts = {cell: self.count(block.value(cell)) for cell in block.cells()}
        _withhold_breakdowns_of_small_totals(block, counts, modeller.parents)
        counts.update(values)
        secondary: set = set(protecting)
        checked = None  # the first audit checks every cell; later ones the cells found pinned
        zeros: set = set()
        protected = programmes = 0
        while True:
            published = self._published(block, counts)
            found = modeller.model(published.block, secondary)
            result = audit.audit(found, only=None if checked is None else {found.var_of(cell) for cell in checked})
            protected = max(protected, result.protected)
            programmes += result.programmes
            if result.passed:
                break
            chosen = self._protect(found, result.findings, set(values))
            if not chosen:  # nothing left to withhold
                raise DisclosureError(explain(found, result.findings[0], published.block))
            for cell in chosen:
                counts[cell] = None
            secondary |= chosen
            # Withholding only widens what the other figures allow: what was proven stays proven. The cells
            # found pinned are checked again, those just withheld, which must now keep two values, and the
            # withheld zeros known to be zeros, which a wider range could leave at 0 or 1.
            zeros |= {found.cells[var][0] for var in result.known_zeros}
            checked = {found.cells[finding.var][0] for finding in result.findings} | chosen | zeros
        result.protected, result.programmes = protected, programmes
        published.audit = result
        published.secondary = len(secondary)
        published.derive(block, secondary)
        return published

    @staticmethod
    def _protect(found, findings, settled) -> set:
        """Cells to withhold so that no finding's unknown stays pinned: for each, of the published, non-zero
        counts whose own ranges hold it in (its blockers), the smallest; failing those, of the counts it shares a
        total or a relation with. Never a ``settled`` cell."""
        fixed = {var for cell in settled if (var := found.var_of(cell)) is not None}
        chosen_vars: set = set()
        for finding in findings:
            if finding.var in chosen_vars or chosen_vars.intersection(finding.blockers):
                continue  # freed, most likely, by a cell already chosen: the next audit will tell
            candidates = _published(found, finding.blockers, chosen_vars | fixed) or _published(
                found, _neighbours(found, finding.var), chosen_vars | fixed)
            if candidates:  # a part (of a finer breakdown) rather than a total, the smallest
                chosen_vars.add(min(candidates, key=lambda var: (-found.level.get(var, 2), found.truth[var], var)))
        return {cell for var in chosen_vars for cell in found.cells[var]}

    def _published(self, block, counts):
        from .results.block import Block, Table

        tables, withheld = [], set()
        for t, table in enumerate(block.tables):
            rows = []
            for r, row in enumerate(table.rows):
                out = {label: row.get(label) for label in table.labels}
                for name, column in table.evaluator.columns.items():
                    value = row.get(name)
                    if column.kind == "count" and column.people:
                        out[name] = counts[(t, r, name)]
                    elif column.kind == "statistic":
                        enough = all(
                            (row.get(base) or 0) >= self.min_n_for_statistic and counts.get((t, r, base)) is not None
                            for base in column.bases
                        )
                        out[name] = rounded(value, column.decimals) if enough and value is not None else None
                        if not enough:
                            # Withheld whatever its value: an empty standard deviation beside a withheld
                            # mean would say that one person gave it.
                            withheld.add((t, r, name))
                    elif column.kind != "derived":
                        out[name] = value
                rows.append(out)
            tables.append(Table(table.evaluator, table.grouping, rows))
        return Publication(Block(block.year, tables), statistics_withheld=withheld)


@attrs.define
class Publication:
    """One year's published tables, and what the audit did to get there."""

    block: object
    audit: object = None
    secondary: int = 0
    statistics_withheld: set = attrs.Factory(set)
    """Cells of statistics over too few people: withheld even where the exact value is empty."""

    def derive(self, exact, secondary=frozenset()) -> None:
        """Compute every derived figure from the published ones, round to each column's decimals, and
        name the withheld figures of each row in ``suppressed`` (those of ``secondary`` cells, withheld to
        protect others, in ``protecting`` too)."""
        lookup = _Lookup(self.block)
        for t, table in enumerate(self.block.tables):
            evaluator = table.evaluator
            statistics = [name for name, column in evaluator.columns.items() if column.kind == "statistic"]
            derived = [(name, column) for name, column in evaluator.columns.items() if column.kind == "derived"]
            for r, row in enumerate(table.rows):
                exact_row = exact.tables[t].rows[r]
                # Formulas read the published counts, and a shown statistic at full precision.
                values = {**row, **{name: exact_row[name] for name in statistics if row.get(name) is not None}}
                labels = {label: row.get(label) for label in table.labels}
                formula_row = Row(values, lookup.find(table.grouping), evaluator.name, labels)
                for name, column in derived:
                    value = column.formula(formula_row)
                    row[name] = values[name] = rounded(value, column.decimals)
                row[SUPPRESSED_COLUMN] = ", ".join(
                    name for name in evaluator.columns if row.get(name) is None and (
                        exact_row.get(name) is not None or (t, r, name) in self.statistics_withheld)
                ) or None
                row[PROTECTING_COLUMN] = ", ".join(
                    name for name in evaluator.columns if (t, r, name) in secondary) or None


def rounded(value, decimals):
    """``value`` to ``decimals`` places, halves away from zero as a reader expects (12.5% is 13%)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if decimals is None:
        return value
    exponent = Decimal(1).scaleb(-decimals)
    rounded = float(Decimal(repr(value)).quantize(exponent, rounding=ROUND_HALF_UP))
    return int(rounded) if decimals == 0 and isinstance(value, int) else rounded


class _Lookup:
    """:meth:`Row.other` and :meth:`Row.total` over a block's published rows."""

    def __init__(self, block):
        self.block = block
        self.indexes: dict = {}

    def find(self, grouping):
        def find(evaluator, regroup, labels):
            by = tuple(regroup(list(grouping)) if regroup else grouping)
            t = self.block.find(evaluator, by)
            if t is None:
                return None
            if t not in self.indexes:
                table = self.block.tables[t]
                self.indexes[t] = {table.key(row): row for row in table.rows}
            table = self.block.tables[t]
            row = self.indexes[t].get(tuple(labels.get(label) for label in table.labels))
            return None if row is None else Row(row)
        return find


def _published(found, candidates, chosen) -> list[int]:
    """Of ``candidates``, the unknowns published (not withheld) and not zero, not yet chosen."""
    return [var for var in candidates if found.truth[var] and var not in chosen and var in found.shown]


def _neighbours(found, var: int) -> set[int]:
    return {other for coefficients, _ in (*found.equalities, *found.inequalities) if var in coefficients
            for other in coefficients} - {var}


def _withhold_breakdowns_of_small_totals(block, counts, above) -> None:
    """Withhold every part of a withheld total, zeros included: split further, a handful of people would be
    left with nowhere to hide (each part at least 1, all of them together at most min_count − 1). ``above``
    gives each cell's totals (:func:`scplearn.results.model.parents`)."""
    changed = True
    while changed:
        changed = False
        for cell, totals in above.items():
            if counts.get(cell) is not None and any(
                    counts.get(total, 0) is None and block.value(total) is not None for total in totals):
                counts[cell] = None
                changed = True


def explain(found, finding, block) -> str:
    """Why a figure cannot be published: the cell, the range left to it, and the figures that pin it."""
    cells = found.cells[finding.var]
    withheld = block.value(cells[0]) is None
    what = "withheld" if withheld else f"published as {block.value(cells[0])}"
    low, high = round(finding.low), round(finding.high)
    text = (f"cannot publish: {block.describe(cells[0])} ({what}) could be worked out to "
            f"{low if low == high else f'{low} to {high}'} from the published figures")
    neighbours = []
    for coefficients, _ in (*found.equalities, *found.inequalities):
        if finding.var in coefficients:
            for var in coefficients:
                if var != finding.var:
                    cell = found.cells[var][0]
                    value = block.value(cell)
                    neighbours.append(f"{block.describe(cell)} = {'withheld' if value is None else value}")
    if neighbours:
        text += ": " + "; ".join(dict.fromkeys(neighbours[:6]))
    return text
