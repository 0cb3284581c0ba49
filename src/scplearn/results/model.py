"""What an attacker knows of a published block, as linear constraints on the true counts.

Each count of people in the block is an unknown. What the publication says
of it, and what anyone knows of how the figures hang together, become
constraints (the model τ-ARGUS audits; Hundepool et al., *Statistical
Disclosure Control*, 2012, ch. 4):

- a published count r, rounded to base b, lies in [r − ⌊b/2⌋, r + ⌈b/2⌉ − 1]
  (and is at least the policy's minimum count); a withheld count lies
  between 1 and min_count − 1 (a count withheld to protect another, at least
  min_count; a part of a small withheld total, withheld whatever it is, from
  0); a zero is zero;
- a total is the sum of its parts, for every grouping that splits it (the
  evaluator says which counts add up across which fields); a part is never
  larger than its total, and the parts together never smaller;
- each evaluator's ``relations`` hold in every row ("booked = cancelled +
  did_not_attend + attended − walk_ins", "attended ≥ unique_delegates",
  "sum(before) = uplift.n" across tables);
- a published mean of a distribution that is also published bounds its
  weighted sum; a statistic shown (withheld) says its count reached (fell
  short of) the minimum for statistics;
- copies: the same count in two places is one unknown: a group-level count
  repeated on each of the group's rows (an evaluator's ``repeated`` columns,
  one row per dimension), or a count that a relation across tables says is at
  most another's when the two are equal (``attendances <= reach.headcount``
  when every session was costed).

Figures derived from published counts (percentages, rates, costs per head)
add nothing an attacker could not work out, and so no constraint.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict

import attrs

from .block import Block, Cell

INFINITY = math.inf
_TERM = re.compile(r"^(?:(?P<function>sum|mean)\((?P<inner>\w+)\)|(?:(?P<other>\w+)\.)?(?P<column>\w+))$")


@attrs.frozen
class Term:
    sign: int
    column: str
    other: str | None = None
    function: str | None = None


@attrs.frozen
class Relation:
    left: tuple[Term, ...]
    sense: str
    right: tuple[Term, ...]
    text: str

    @property
    def terms(self) -> tuple[Term, ...]:
        return self.left + self.right

    @property
    def aggregated(self) -> bool:
        return any(term.function for term in self.terms)


def parse(text: str) -> Relation:
    """``"booked = cancelled + did_not_attend + attended - walk_ins"`` as a :class:`Relation`."""
    for sense in ("<=", ">=", "="):
        if sense in text:
            left, right = text.split(sense, 1)
            return Relation(_side(left, text), sense, _side(right, text), text)
    raise ValueError(f"a relation needs =, <= or >=: {text!r}")


def _side(text: str, whole: str) -> tuple[Term, ...]:
    terms = []
    for sign, word in re.findall(r"([+-]?)\s*([\w.()]+)", text.strip()):
        match = _TERM.match(word)
        if not match:
            raise ValueError(f"cannot read {word!r} in the relation {whole!r}")
        terms.append(Term(-1 if sign == "-" else 1, match["inner"] or match["column"], match["other"],
                          match["function"]))
    if not terms:
        raise ValueError(f"a side of the relation {whole!r} is empty")
    return tuple(terms)


@attrs.define
class Model:
    """A linear programme over the unknown counts of a block."""

    lower: list[float] = attrs.field(factory=list)
    upper: list[float] = attrs.field(factory=list)
    truth: list[float | None] = attrs.field(factory=list)
    need: dict[int, int] = attrs.field(factory=dict)
    """Protected unknowns: how many whole values each must be left with."""
    equalities: list[tuple[dict, float]] = attrs.field(factory=list)
    inequalities: list[tuple[dict, float]] = attrs.field(factory=list)
    """Rows ``Σ coefficient × unknown ≤ bound``."""
    cells: dict[int, list[Cell]] = attrs.field(factory=dict)
    notes: list[str] = attrs.field(factory=list)
    index: dict = attrs.field(factory=dict)
    """``{cell: unknown}``."""
    shown: set = attrs.field(factory=set)
    """Unknowns whose cells are published (not withheld)."""
    zero_known: set = attrs.field(factory=set)
    """Withheld unknowns that may be zero (parts of a small withheld total): worked out to be 0, they tell what a
    published 0 would, which identifies no one."""
    level: dict = attrs.field(factory=dict)
    """``{unknown: 0}`` for the block's totals (its coarsest grouping), which tie every breakdown together;
    1 for the other totals of further breakdowns (a sector, split by agency); 2 for the rest."""

    def var_of(self, cell: Cell) -> int | None:
        return self.index.get(cell)

    def add(self, coefficients: dict, sense: str, bound: float = 0.0) -> None:
        coefficients = {var: c for var, c in coefficients.items() if c}
        if not coefficients:
            return
        if sense == "=":
            self.equalities.append((coefficients, bound))
        elif sense == "<=":
            self.inequalities.append((coefficients, bound))
        else:
            self.inequalities.append(({var: -c for var, c in coefficients.items()}, -bound))


class _Links:
    """Union-find over cells: copies of one count become one unknown."""

    def __init__(self):
        self.parent: dict = {}

    def find(self, cell):
        parent = self.parent.setdefault(cell, cell)
        if parent != cell:
            parent = self.parent[cell] = self.find(parent)
        return parent

    def join(self, a, b) -> None:
        a, b = self.find(a), self.find(b)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def build(published: Block, policy, *, exact: Block | None = None, secondary=frozenset(),
          unknown_withheld=frozenset()) -> Model:
    """The attacker's model of ``published``.

    ``exact`` (the same block with true figures, when known) links copies
    and gives every unknown its true value; ``secondary`` are the cells
    withheld to protect others (at least ``min_count``, not 1 to
    ``min_count − 1``). Withheld cells in ``unknown_withheld`` tables (indexes)
    are only known to be at least 1: without the exact figures, nobody can
    tell a cell withheld for its own sake from one withheld for another's.
    """
    return Modeller(policy, exact=exact, published=published).model(published, secondary, unknown_withheld)


def parents(block: Block) -> dict[Cell, list[Cell]]:
    """Each count of people's totals: the same column in the row of each grouping one field coarser (a sector's
    row for an agency's), and, for rows a relation sums (``sum(before) = uplift.n``), the cell they sum to."""
    index = {(t, table.key(row)): r for t, table in enumerate(block.tables) for r, row in enumerate(table.rows)}
    found: dict[Cell, list[Cell]] = defaultdict(list)
    for c, child in enumerate(block.tables):
        counts = child.people_counts()
        for p, parent in enumerate(block.tables):
            if parent.name != child.name or len(set(child.grouping) - set(parent.grouping)) != 1 \
                    or not set(parent.grouping) < set(child.grouping):
                continue
            for r, row in enumerate(child.rows):
                above = index.get((p, tuple(row.get(label) for label in parent.labels)))
                if above is not None:
                    for column in counts:
                        found[(c, r, column)].append((p, above, column))
        for text in child.evaluator.relations:
            relation = parse(text)
            summed = [term.column for term in relation.terms if term.function == "sum"]
            totals = [term for term in relation.terms if term.other]
            if not summed or len(totals) != 1:
                continue
            o = block.find(totals[0].other, child.grouping)
            if o is None:
                continue
            other = block.tables[o]
            for r, row in enumerate(child.rows):
                above = index.get((o, tuple(row.get(label) for label in other.labels)))
                if above is not None:
                    for column in summed:
                        found[(c, r, column)].append((o, above, totals[0].column))
    return found


def _levels(block: Block) -> list[int]:
    """Each table's level: 0 for the coarsest grouping, 1 for a grouping another table splits further, else 2."""
    coarsest = min((len(table.grouping) for table in block.tables), default=0)
    levels = []
    for table in block.tables:
        finer = any(other.name == table.name and set(table.grouping) < set(other.grouping)
                    for other in block.tables)
        levels.append(0 if len(table.grouping) <= coarsest else 1 if finer else 2)
    return levels


class Modeller:
    """Models of one block's publications.

    What does not depend on which figures a publication withholds (the
    unknowns, the copies, the totals and the relations between counts) is
    worked out once; each :meth:`model` adds what its publication says of each
    unknown. Publishing tries one publication after another, each withholding
    a little more, so the bulk of the work is not repeated.
    """

    def __init__(self, policy, *, exact: Block | None = None, published: Block | None = None):
        """With ``exact`` known, the unknowns are its cells; else those ``published`` shows or marks withheld
        (and :meth:`model` must be given that same publication)."""
        self.policy, self.exact = policy, exact
        self.shape = exact if exact is not None else published
        self.parents = parents(self.shape)
        self.skeleton = Model()
        self.links = _Links()
        self.var: dict = {}
        self.index: dict = {}  # (table index, key) -> row index
        self.means: list[tuple] = []  # (table, rows, relation, summed labels) of each mean relation
        block = self.shape
        for t, table in enumerate(block.tables):
            for r, row in enumerate(table.rows):
                self.index[(t, table.key(row))] = r
        self.levels = _levels(block)
        self.cells = [cell for cell in block.cells() if self.present(cell)]
        self._link_copies(self.cells)
        for cell in self.cells:
            self._unknown(cell)
        self._margins()
        self._relations()

    def model(self, published: Block, secondary=frozenset(), unknown_withheld=frozenset()) -> Model:
        """The attacker's model of ``published`` (see :func:`build`)."""
        skeleton = self.skeleton
        found = Model(lower=[-INFINITY] * len(skeleton.truth), upper=[INFINITY] * len(skeleton.truth),
                      truth=skeleton.truth, equalities=list(skeleton.equalities),
                      inequalities=list(skeleton.inequalities), cells=skeleton.cells, notes=list(skeleton.notes),
                      index=skeleton.index, level=skeleton.level)
        publication = _Publication(self, found, published, frozenset(secondary), frozenset(unknown_withheld))
        for cell in self.cells:
            publication.bound(cell)
        for mean in self.means:
            publication.mean(*mean)
        publication.statistics()
        return found

    # -- unknowns ------------------------------------------------------------------

    def present(self, cell: Cell) -> bool:
        """Whether ``cell`` is one of the unknowns."""
        if self.exact is not None:
            return self.exact.value(cell) is not None
        return self.shape.value(cell) is not None or _withheld_in_file(self.shape, cell)

    def _link_copies(self, cells) -> None:
        """A figure of a group repeated on each of its rows (an evaluator's ``repeated`` columns) is one unknown."""
        copies = defaultdict(list)
        for cell in cells:
            t, r, column = cell
            table = self.shape.tables[t]
            if column in table.evaluator.repeated:
                copies[(t, table.group(table.rows[r]), column)].append(cell)
        for group in copies.values():
            for cell in group[1:]:
                self.links.join(group[0], cell)

    def _unknown(self, cell: Cell) -> int:
        root = self.links.find(cell)
        var = self.var.get(root)
        model = self.skeleton
        if var is None:
            var = self.var[root] = len(model.truth)
            model.truth.append(self.exact.value(cell) if self.exact is not None else None)
            model.cells[var] = []
        self.var[cell] = var
        model.index[cell] = var
        model.level[var] = min(model.level.get(var, 2), self.levels[cell[0]])
        model.cells[var].append(cell)
        return var

    def of(self, t: int, r: int, column: str) -> int | None:
        """The unknown of a cell, ``None`` if the cell is not a count of people in the model."""
        return self.var.get((t, r, column))

    # -- constraints -----------------------------------------------------------------

    def holds(self, coefficients: dict, sense: str, bound: float = 0.0) -> bool:
        """Whether a constraint holds for the exact figures (always, when they are not known)."""
        if self.exact is None:
            return True
        total = sum(c * self.skeleton.truth[var] for var, c in coefficients.items())
        return {"=": total == bound, "<=": total <= bound + 1e-9, ">=": total >= bound - 1e-9}[sense]

    def _margins(self) -> None:
        """Totals against the parts of each grouping one field finer."""
        block = self.shape
        by_evaluator = defaultdict(list)
        for t, table in enumerate(block.tables):
            by_evaluator[table.name].append(t)
        for tables in by_evaluator.values():
            for parent in tables:
                for child in tables:
                    extra = set(block.tables[child].grouping) - set(block.tables[parent].grouping)
                    if len(extra) == 1 and set(block.tables[parent].grouping) < set(block.tables[child].grouping):
                        self._margin(parent, child, extra.pop())

    def _margin(self, p: int, c: int, field: str) -> None:
        block = self.shape
        parent_table, child_table = block.tables[p], block.tables[c]
        parts = defaultdict(list)
        for r, row in enumerate(child_table.rows):
            parts[self.index.get((p, tuple(row.get(label) for label in parent_table.labels)))].append(r)
        parts.pop(None, None)
        for column in parent_table.people_counts():
            declared = parent_table.evaluator.columns[column]
            adds_up, covered = field in declared.adds_up_over, field in declared.covered_over
            for parent_row, rows in parts.items():
                total = self.of(p, parent_row, column)
                items = [self.of(c, r, column) for r in rows]
                if total is None or None in items:
                    continue
                equality = defaultdict(float)
                for item in items:
                    equality[item] += 1
                equality[total] -= 1
                equality = dict(equality)
                if adds_up if self.exact is None else self.holds(equality, "="):
                    self.skeleton.add(equality, "=")
                    continue
                parts_within = [{item: 1, total: -1} for item in set(items) if item != total]
                total_within = [{var: -c for var, c in equality.items()}] if covered or self.exact else []
                for coefficients in (*parts_within, *total_within):
                    if self.holds(coefficients, "<="):
                        self.skeleton.add(coefficients, "<=")

    def _relations(self) -> None:
        block = self.shape
        for t, table in enumerate(block.tables):
            for text in table.evaluator.relations:
                relation = parse(text)
                if relation.aggregated:
                    self._aggregated(t, relation)
                else:
                    for r in range(len(table.rows)):
                        self._row_relation(t, r, relation)

    def other_row(self, t: int, r: int, name: str) -> tuple[int, int] | None:
        block = self.shape
        table = block.tables[t]
        o = block.find(name, table.grouping)
        if o is None:
            return None
        row = table.rows[r]
        other = block.tables[o]
        found = self.index.get((o, tuple(row.get(label) for label in other.labels)))
        return None if found is None else (o, found)

    def _row_relation(self, t: int, r: int, relation: Relation) -> None:
        coefficients = defaultdict(float)
        for side, terms in ((1, relation.left), (-1, relation.right)):
            for term in terms:
                where = (t, r) if term.other is None else self.other_row(t, r, term.other)
                var = None if where is None else self.of(*where, term.column)
                if var is None:
                    return
                coefficients[var] += side * term.sign
        coefficients = dict(coefficients)
        if any(term.other for term in relation.terms) and self.holds(coefficients, "="):
            self.skeleton.add(coefficients, "=")  # the same count in two tables: a copy
        elif self.holds(coefficients, relation.sense):
            self.skeleton.add(coefficients, relation.sense)
        else:
            self.skeleton.notes.append(f"{relation.text!r} does not hold in {self.shape.describe((t, r, ''))}")

    def _aggregated(self, t: int, relation: Relation) -> None:
        """A relation with ``sum(...)`` or ``mean(...)``: the rows of a group against another table's row."""
        block = self.shape
        table = block.tables[t]
        others = {term.other for term in relation.terms if term.other}
        kept = set(table.grouping)
        for name in others:
            o = block.find(name, table.grouping)
            if o is None:
                return
            kept |= set(block.tables[o].evaluator.row_labels)
        labels = [label for label in table.labels if label in kept]
        summed = [label for label in table.evaluator.row_labels if label not in kept]
        groups = defaultdict(list)
        for r, row in enumerate(table.rows):
            groups[tuple(row.get(label) for label in labels)].append(r)
        for rows in groups.values():
            if any(term.function == "mean" for term in relation.terms):
                self.means.append((t, rows, relation, summed))  # bounded by the mean its publication shows
            else:
                self._group_relation(t, rows, relation)

    def _group_relation(self, t: int, rows: list[int], relation: Relation) -> None:
        coefficients = defaultdict(float)
        for side, terms in ((1, relation.left), (-1, relation.right)):
            for term in terms:
                if term.function == "sum":
                    for r in rows:
                        var = self.of(t, r, term.column)
                        if var is None:
                            return
                        coefficients[var] += side * term.sign
                else:
                    where = self.other_row(t, rows[0], term.other) if term.other else (t, rows[0])
                    var = None if where is None else self.of(*where, term.column)
                    if var is None:
                        return
                    coefficients[var] += side * term.sign
        coefficients = dict(coefficients)
        if self.holds(coefficients, relation.sense):
            self.skeleton.add(coefficients, relation.sense)
        else:
            self.skeleton.notes.append(f"{relation.text!r} does not hold in {self.shape.tables[t].name}_results")


def _withheld_in_file(block: Block, cell: Cell) -> bool:
    t, r, column = cell
    marks = block.tables[t].rows[r].get("suppressed") or ""
    return column in {mark.strip() for mark in marks.split(",")}


class _Publication:
    """What one publication adds to a :class:`Modeller`'s unknowns: their bounds, and the means it shows."""

    def __init__(self, modeller: Modeller, model: Model, published: Block, secondary, unknown_withheld):
        self.modeller, self.model, self.published = modeller, model, published
        self.policy = modeller.policy
        self.secondary, self.unknown_withheld = secondary, unknown_withheld

    def bound(self, cell: Cell) -> None:
        model, var = self.model, self.modeller.var[cell]
        low, high, need = self._bounds(cell)
        if self.published.value(cell) is not None:
            model.shown.add(var)
        elif low == 0 and high < INFINITY:
            model.zero_known.add(var)
        model.lower[var] = max(model.lower[var], low)
        model.upper[var] = min(model.upper[var], high)
        if need:
            model.need[var] = max(model.need.get(var, 0), need)

    def _bounds(self, cell: Cell) -> tuple[float, float, int]:
        """What publishing ``cell`` tells of it, and how many values it must keep (0: none to protect)."""
        policy = self.policy
        value = self.published.value(cell)
        if value is not None:
            low, high = policy.feasible_range(value)
            return low, high, (0 if value == 0 and high == 0 or policy.rounding_base == 1 else 2)
        if cell in self.secondary:
            return policy.min_count, INFINITY, 2
        if cell[0] in self.unknown_withheld:
            return 0, INFINITY, 3
        if any(self.published.value(total) is None and total not in self.secondary
               and self.modeller.present(total) for total in self.modeller.parents[cell]):
            return 0, policy.min_count - 1, 3  # part of a small withheld total: withheld whatever it is, 0 too
        return 1, policy.min_count - 1, 3

    def mean(self, t: int, rows: list[int], relation: Relation, summed: list[str]) -> None:
        """``mean(before) = uplift.mean_pre``: the published mean bounds Σ score × count ÷ Σ count."""
        modeller = self.modeller
        (mean_term,) = [term for term in relation.terms if term.function == "mean"]
        (statistic,) = [term for term in relation.terms if term.other]
        where = modeller.other_row(t, rows[0], statistic.other)
        if where is None or len(summed) != 1:
            return
        o, r = where
        value = self.published.tables[o].rows[r].get(statistic.column)
        if value is None:
            return
        decimals = self.published.tables[o].evaluator.columns[statistic.column].decimals
        half = 0.5 * 10 ** -(decimals if decimals is not None else 12)
        weights = {}
        for row in rows:
            var = modeller.of(t, row, mean_term.column)
            if var is None:
                return
            weights[var] = weights.get(var, 0) + float(self.published.tables[t].rows[row][summed[0]])
        counts = {var: 1.0 for var in weights}
        upper = {var: weights[var] - (value + half) * counts[var] for var in weights}
        lower = {var: (value - half) * counts[var] - weights[var] for var in weights}
        for coefficients in (upper, lower):
            if modeller.holds(coefficients, "<="):
                self.model.add(coefficients, "<=")

    def statistics(self) -> None:
        """A statistic shown says each of its counts reached the minimum; withheld with its count shown, that
        its count fell short."""
        policy, block, modeller = self.policy, self.published, self.modeller
        for t, table in enumerate(block.tables):
            for name, column in table.evaluator.columns.items():
                if column.kind != "statistic" or len(column.bases) != 1:
                    continue
                base = column.bases[0]
                for r, row in enumerate(table.rows):
                    var = modeller.of(t, r, base)
                    if var is None:
                        continue
                    shown = row.get(name) is not None
                    known = (modeller.exact.tables[t].rows[r].get(name) is not None if modeller.exact is not None
                             else shown or _withheld_in_file(block, (t, r, name)))
                    if shown:
                        self.model.lower[var] = max(self.model.lower[var], policy.min_n_for_statistic)
                    elif known and row.get(base) is not None:
                        self.model.upper[var] = min(self.model.upper[var], policy.min_n_for_statistic - 1)
