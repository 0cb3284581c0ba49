"""The :class:`Evaluator` base class, and the kinds of column an evaluator declares.

An evaluator computes rows for groups of the training (see
:mod:`scplearn.evaluation` for the groupings). Each of its columns says what
kind of figure it is, because that decides how the figure may be published
(:mod:`scplearn.disclosure`):

- :class:`Count`: a count of people (attendances, delegates, respondents) —
  withheld when small, rounded otherwise — or, with ``people=False``, of
  things (sessions, places offered), published exactly;
- :class:`Workforce`: the staff of the row's agencies, a count of people
  published the same way in every year;
- :class:`Money`: an amount of money, published exactly;
- :class:`Statistic`: a mean or other statistic computed from the records
  over ``n`` people, shown only over enough of them;
- :class:`Derived`: a figure computed from the row's other figures by a
  formula (a percentage, a rate, an interval). The formula is applied to the
  exact figures for ``scplearn evaluate``, and to the *published* figures for
  anything public, so a derived figure never tells more than the counts it is
  computed from;
- :class:`Text`: a descriptive value (a course code), published as it is.

An evaluator implements :meth:`Evaluator.compute`, giving its counts,
statistics, amounts and texts per group; the base class sorts the groups,
adds the derived figures and returns rows. ``relations`` state what the
counts of a row obey (``"booked = cancelled + did_not_attend + attended -
walk_ins"``): the disclosure audit reads them as an attacker would.
"""

from __future__ import annotations

import math
from typing import Callable, ClassVar, Mapping

import attrs

SESSION_FIELDS = frozenset({"year", "partnership", "course", "session", "priority", "mode"})
"""Grouping fields that describe where and when training happened."""
DELEGATE_FIELDS = frozenset({"sector", "agency"})
"""Grouping fields that describe who came."""
EVERY_FIELD = SESSION_FIELDS | DELEGATE_FIELDS


@attrs.frozen(kw_only=True)
class Column:
    """What every column declares: a description, and how many decimals it is published with."""

    description: str = attrs.field(kw_only=False)
    decimals: int | None = None
    """Decimals of the published figure (``None``: as computed)."""

    kind: ClassVar[str] = "column"
    python_type: ClassVar[type] = float


@attrs.frozen(kw_only=True)
class Count(Column):
    """A whole number of people (``people=True``) or of things such as sessions and places.

    ``adds_up_over`` names the grouping fields across which the count adds
    up: attendances add up across courses and agencies alike, different
    people only across sectors and agencies (one person may attend several
    courses). ``covered_over`` names those across which the parts leave
    nothing of their total out (the headcount of large events belongs to no
    sector).
    """

    people: bool = True
    adds_up_over: frozenset = EVERY_FIELD
    covered_over: frozenset = EVERY_FIELD
    """Grouping fields whose groups, together, count everything their total counts (perhaps some of it twice):
    a total is then at most the sum of its parts."""

    kind: ClassVar[str] = "count"
    python_type: ClassVar[type] = int


@attrs.frozen(kw_only=True)
class Workforce(Count):
    """The staff of the agencies whose workforce is known: of the row's agency, of its sector's agencies, or of
    every agency when the row names neither.

    It comes from the agencies table, not from the training, so it is the
    same in every year and is published the same way in every year
    (:mod:`scplearn.results.workforce`); and it never adds up, because a
    year's or a sector's workforce counts agencies with no row in it.
    """

    adds_up_over: frozenset = frozenset()
    covered_over: frozenset = frozenset()


@attrs.frozen(kw_only=True)
class Money(Column):
    """An amount of money, in pounds."""

    kind: ClassVar[str] = "money"


@attrs.frozen(kw_only=True)
class Statistic(Column):
    """A statistic over people (a mean), shown only when each count named by ``n`` is large enough."""

    n: str | tuple[str, ...] = "n"
    decimals: int | None = 1

    kind: ClassVar[str] = "statistic"

    @property
    def bases(self) -> tuple[str, ...]:
        return (self.n,) if isinstance(self.n, str) else tuple(self.n)


@attrs.frozen(kw_only=True)
class Derived(Column):
    """A figure computed by ``formula(row)`` from the row's other figures (see :class:`Row`)."""

    formula: Callable[["Row"], float | None]
    decimals: int | None = 1

    kind: ClassVar[str] = "derived"


@attrs.frozen(kw_only=True)
class Text(Column):
    """A descriptive value, such as the course of a large event."""

    kind: ClassVar[str] = "text"
    python_type: ClassVar[type] = str


def percent(numerator, denominator, per: float = 100) -> float | None:
    """``per × numerator ÷ denominator``; ``None`` when either is unknown or the denominator is 0."""
    if numerator is None or not denominator:
        return None
    return per * numerator / denominator


def difference(first, *others):
    """``first`` less each of ``others``; ``None`` when any is unknown."""
    if first is None or any(other is None for other in others):
        return None
    return first - sum(others)


def Percent(numerator: str, denominator: str, description: str, *, decimals: int = 0) -> Derived:  # noqa: N802
    """A percentage of two counts of the row: ``100 × numerator ÷ denominator``."""
    return Derived(description, formula=lambda row: percent(row[numerator], row[denominator]), decimals=decimals)


class Row(Mapping):
    """One row's figures as a derived formula sees them, and the rows it may refer to.

    ``row["n"]`` is a figure of the row (``None`` when missing or withheld);
    ``row.other("uplift", dimension="knowledge")`` the row of another
    evaluator for the same group; ``row.total()`` this evaluator's row for the
    group's session-level part (for a sector in a year, that year's row).
    """

    def __init__(self, values: dict, find: Callable | None = None, evaluator: str = "", labels: Mapping = None):
        self.values = values
        self.find = find
        self.evaluator = evaluator
        self.labels = dict(labels or {})

    def __getitem__(self, key):
        return self.values.get(key)

    def __iter__(self):
        return iter(self.values)

    def __len__(self):
        return len(self.values)

    def other(self, evaluator: str, **labels) -> "Row":
        """The row of ``evaluator`` for this row's group (an empty row when there is none)."""
        return self._found(evaluator, None, labels)

    def total(self) -> "Row":
        """This evaluator's row for the session-level part of this row's grouping."""
        return self._found(self.evaluator, lambda by: [f for f in by if f not in DELEGATE_FIELDS], {})

    def _found(self, evaluator, regroup, labels) -> "Row":
        found = self.find(evaluator, regroup, {**self.labels, **labels}) if self.find else None
        return found if found is not None else Row({})


class Evaluator:
    """The base of every evaluator, built in or from a plugin (``scplearn.Evaluator``).

    A subclass sets ``name``, ``description``, ``columns`` (name → column)
    and implements :meth:`compute`. Optional: ``version``; ``row_labels``,
    labels that split a group into several rows (``("dimension",)``);
    ``requires``, evaluators whose rows its derived figures read through
    :meth:`Row.other`; ``relations`` between its counts; ``repeated``, the
    columns that give one figure of a group on each of its rows (a group-level
    count beside each dimension); ``groupable``, the grouping fields it is
    published by (default: all of them).
    """

    name: ClassVar[str]
    description: ClassVar[str]
    version: ClassVar[str] = "1"
    columns: ClassVar[dict[str, Column]]
    row_labels: ClassVar[tuple[str, ...]] = ()
    requires: ClassVar[tuple[str, ...]] = ()
    relations: ClassVar[tuple[str, ...]] = ()
    repeated: ClassVar[tuple[str, ...]] = ()
    groupable: ClassVar[frozenset] = EVERY_FIELD

    @property
    def dimensions(self) -> bool:
        """Whether the evaluator gives one row per dimension (knowledge, skills, confidence) of a group."""
        return "dimension" in self.row_labels

    def compute(self, store, by, scope) -> dict[tuple, dict]:
        """``{(group values..., row label values...): {column: value}}`` for every column but the derived ones.

        ``by`` is the list of grouping fields, ``scope`` a
        :class:`scplearn.evaluation.Scope`. Groups with nothing to count are
        left out. Within a group, keys are kept in the order given.
        """
        raise NotImplementedError

    def evaluate(self, store, by, scope, find: Callable | None = None) -> list[dict]:
        """Every row, groups in order, with the derived figures computed from the exact ones.

        ``find(evaluator, regroup, labels)`` gives the rows derived figures
        refer to (see :class:`Row`); by default they are evaluated here.
        """
        by = list(by)
        computed = self.compute(store, by, scope)
        width = len(by)
        keys = sorted(computed, key=lambda key: sort_key(key[:width]))
        rows = [{**dict(zip(by, key[:width])), **dict(zip(self.row_labels, key[width:])), **computed[key]}
                for key in keys]
        if find is None:
            find = DirectLookup(store, by, scope)
        return [self.derive(row, by, find) for row in rows]

    def derive(self, row: dict, by, find) -> dict:
        """``row`` with its derived columns computed from its other figures, columns in declared order."""
        labels = {field: row.get(field) for field in (*by, *self.row_labels)}
        values = Row(row, find, self.name, labels)
        out = dict(labels)
        for name, column in self.columns.items():
            if column.kind == "derived":
                value = column.formula(values)
                out[name] = None if value is None or _not_a_number(value) else value
                row[name] = out[name]
            else:
                out[name] = row.get(name)
        return out

    def column_types(self) -> dict[str, type]:
        return {name: column.python_type for name, column in self.columns.items()}


def _not_a_number(value) -> bool:
    return isinstance(value, float) and not math.isfinite(value)


def sort_key(key: tuple) -> tuple:
    """Groups in order, a missing value (``None``) first."""
    return tuple("" if value is None else str(value) for value in key)


class DirectLookup:
    """Rows for :meth:`Row.other` and :meth:`Row.total`, evaluated when first asked for (exact figures)."""

    def __init__(self, store, by, scope):
        self.store, self.by, self.scope = store, list(by), scope
        self.cache: dict = {}

    def __call__(self, evaluator: str, regroup, labels: dict):
        from . import plugins

        by = regroup(self.by) if regroup else self.by
        key = (evaluator, tuple(by))
        if key not in self.cache:
            found = plugins.get_evaluators()[evaluator]
            self.cache[key] = index_rows(found, by, found.evaluate(self.store, by, self.scope))
        return self.cache[key].get(row_key(self.cache[key], by, labels))


def index_rows(evaluator, by, rows) -> dict:
    """``{(group values..., row labels...): Row}`` of an evaluator's rows (its field names under ``None``)."""
    fields = (*by, *evaluator.row_labels)
    indexed = {None: fields}
    for row in rows:
        indexed[tuple(row.get(field) for field in fields)] = Row(row)
    return indexed


def row_key(indexed: dict, by, labels: dict) -> tuple:
    return tuple(labels.get(field) for field in indexed[None])
