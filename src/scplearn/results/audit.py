"""The attacker's audit: how far each protected count can be narrowed, by linear programming.

For every protected unknown of a :class:`~scplearn.results.model.Model` (a
withheld or rounded count of people) the audit asks whether what is
published leaves it enough possible values: at least 3 whole values for a
withheld count, at least 2 for a rounded one. The range an unknown can take
is found by minimising and maximising it under every constraint, with the
HiGHS solver (``highspy``, the solver behind ``scipy.optimize.linprog``), as
the τ-ARGUS audit does.

Solving two programmes for every cell of a large programme would take hours,
so the audit looks for *witnesses* instead: feasible points of the model
whose values of a cell are far enough apart prove its range wide enough.

1. The true figures are one feasible point (when they are not known, one is
   found).
2. The totals tie the breakdowns together: the block's totals (its
   coarsest grouping) every breakdown, a sector's total its agencies. Held
   at their true values, the finest breakdowns fall apart into small
   independent programmes, whose optima are feasible points of the whole
   model. A few objectives pushing all of a programme's cells up, down and
   in random directions prove nearly all of them.
3. The cells left unproven, and the totals, are tried in the whole
   programme of their component: the same objectives, then each cell still
   unproven minimised and maximised on its own.
4. A cell unproven even there is a finding: a cell the publication pins
   down.

A finding names the cells whose published ranges hold it in (its
*blockers*): withholding one of them widens its range.
"""

from __future__ import annotations

import math
from collections import defaultdict

import attrs
import numpy as np

from .model import Model

CAP = 1e9
"""Stands for "no upper bound" in the programmes."""
TOLERANCE = 1e-6
BULK_ROUNDS = 4


@attrs.frozen
class Finding:
    """A protected unknown the publication pins down: its range and how many values it must keep."""

    var: int
    low: float
    high: float
    need: int
    blockers: tuple[int, ...] = ()

    @property
    def values(self) -> int:
        return whole_values(self.low, self.high)


@attrs.define
class Audit:
    """What an audit found, and how much it solved."""

    findings: list[Finding] = attrs.field(factory=list)
    protected: int = 0
    programmes: int = 0
    inconsistent: list[list[int]] = attrs.field(factory=list)
    """Groups of unknowns that no values satisfy (the publication contradicts the model)."""
    known_zeros: list[int] = attrs.field(factory=list)
    """Withheld parts that can only be 0: a zero identifies no one, so they pass; but withholding more could
    widen one to 0 or 1, which would not."""

    @property
    def passed(self) -> bool:
        return not self.findings and not self.inconsistent


def whole_values(low: float, high: float) -> int:
    """How many whole numbers lie in [low, high]."""
    if high >= CAP / 10:
        return 10 ** 9
    return max(0, math.floor(high + TOLERANCE) - math.ceil(low - TOLERANCE) + 1)


def audit(model: Model, only: set[int] | None = None) -> Audit:
    """Check every protected unknown of ``model`` (or only those of ``only``)."""
    return _Auditor(model).run(only)


class _Auditor:
    def __init__(self, model: Model):
        self.model = model
        self.result = Audit()
        self.low: dict[int, float] = {}
        self.high: dict[int, float] = {}
        self.blockers: dict[int, set] = {}

    # -- witnesses ---------------------------------------------------------------------

    def see(self, members, solution) -> None:
        """Widen the seen range of each of ``members`` by a feasible point's values."""
        if solution is None:
            return
        low, high = self.low, self.high
        for var, value in zip(members, solution.tolist()):
            if value < low[var]:
                low[var] = value
            if value > high[var]:
                high[var] = value

    def proven(self, var: int) -> bool:
        return whole_values(self.low[var], self.high[var]) >= self.model.need[var]

    # -- the stages --------------------------------------------------------------------

    def run(self, only) -> Audit:
        model, result = self.model, self.result
        wanted = [var for var in model.need if only is None or var in only]
        result.protected = len(wanted)
        components = _components(coefficients for coefficients, _ in (*model.equalities, *model.inequalities))
        groups = defaultdict(list)
        for var in wanted:
            if var in components:
                groups[components[var]].append(var)
            elif whole_values(model.lower[var], model.upper[var]) < model.need[var]:
                result.findings.append(Finding(var, model.lower[var], model.upper[var], model.need[var]))
        members_of = defaultdict(list)
        for var, root in components.items():
            if root in groups:
                members_of[root].append(var)
        for root, cells in groups.items():
            self.component(sorted(members_of[root]), cells)
        return result

    def component(self, members: list[int], wanted: list[int]) -> None:
        model = self.model
        point = self.witness(members)
        if point is None:
            self.result.inconsistent.append(members)
            return
        for var, value in zip(members, point):
            self.low[var] = self.high[var] = value
        if getattr(self, "see_later", None):
            for solution in self.see_later[1:]:
                self.see(members, solution)
            self.see_later = None
        fixed = dict(zip(members, point))
        rows = [(coefficients, bound, kind) for kind, constraints in enumerate((model.equalities, model.inequalities))
                for coefficients, bound in constraints if next(iter(coefficients)) in fixed]
        # The cells of the finest breakdowns first, in the small programmes left when the totals they break
        # down are held; then those left unproven, and the totals, in the whole programme of the component.
        fine = [var for var in wanted if model.level.get(var, 2) == 2]
        held = {var for var in members if model.level.get(var, 2) < 2}
        left = self.stage(members, fine, held, fixed, rows, targeted=False)
        left = self.stage(members, [var for var in wanted if model.level.get(var, 2) < 2] + left, set(), fixed, rows,
                          targeted=True)
        for var in left:
            if var in model.zero_known and self.high[var] < 0.5:
                self.result.known_zeros.append(var)  # a withheld part that can only be 0: a zero anyone may know
            else:
                self.result.findings.append(Finding(var, self.low[var], self.high[var], model.need[var],
                                                    tuple(sorted(self.blockers.get(var, set()) - {var}))))

    def stage(self, members, cells, held: set, fixed: dict, rows, targeted: bool) -> list[int]:
        """Prove ``cells`` in the programmes left when ``held`` keep their values; return those still unproven.

        Bulk objectives first; with ``targeted``, each cell they leave unproven is then minimised and
        maximised on its own, and the cells binding it noted (its blockers).
        """
        cells = [var for var in cells if not self.proven(var)]
        if not cells:
            return []
        free = [[var for var in coefficients if var not in held] for coefficients, _, _ in rows]
        parts = _components(filter(None, free))
        wanted = defaultdict(list)
        for var in cells:
            wanted[parts.get(var)].append(var)
        part_members = defaultdict(list)
        for var, root in parts.items():
            if root in wanted:
                part_members[root].append(var)
        part_rows = defaultdict(lambda: ([], []))
        for (coefficients, bound, kind), unknowns in zip(rows, free):
            if unknowns and parts[unknowns[0]] in wanted:
                part_rows[parts[unknowns[0]]][kind].append((coefficients, bound))
        left = []
        for root, targets in wanted.items():
            if root is None:  # tied by no constraint once the totals are held: its own range stands
                left += [var for var in targets if not self.proven(var)]
                continue
            programme = _Programme(self.model, sorted(part_members[root]), fixed=fixed, rows=part_rows[root])
            for var in self.bulk(programme, targets):
                if targeted and not self.proven(var):
                    self.blockers[var] = self.targeted(programme, var) - {var}
                if not self.proven(var):
                    left.append(var)
        return left

    def witness(self, members: list[int]) -> list[float] | None:
        """The true values of ``members`` when known, else a feasible point well inside their programme: the
        midpoint of the points pushing every unknown up and every unknown down (the programmes that hold some
        unknowns at the witness's values need room around it)."""
        truth = self.model.truth
        if all(truth[var] is not None for var in members):
            return [float(truth[var]) for var in members]
        programme = _Programme(self.model, members)
        up, down = programme.solve(-np.ones(len(members))), programme.solve(np.ones(len(members)))
        self.result.programmes += programme.solved
        if up is None or down is None:
            return None
        self.see_later = (members, up, down)
        return ((up + down) / 2).tolist()

    def bulk(self, programme, wanted: list[int]) -> list[int]:
        """Push ``wanted`` all up and down, then in random directions; return the cells still unproven."""
        local = programme.local
        left = [var for var in wanted if not self.proven(var)]
        random = np.random.default_rng(len(programme.members))
        for round_ in range(BULK_ROUNDS):
            if not left:
                break
            objective = np.zeros(len(programme.members))
            at = [local[var] for var in left]
            objective[at] = 1.0 if round_ == 0 else random.uniform(-1.0, 1.0, len(at))
            for sign in (-1.0, 1.0):
                self.see(programme.members, programme.solve(sign * objective))
            still = [var for var in left if not self.proven(var)]
            if len(still) == len(left) and round_:
                break
            left = still
        self.result.programmes += programme.solved
        programme.solved = 0
        return left

    def targeted(self, programme, var: int) -> set[int]:
        """Minimise, then if need be maximise, ``var`` alone; the unknowns whose bounds bind it."""
        objective = np.zeros(len(programme.members))
        objective[programme.local[var]] = 1.0
        blockers = set()
        for sign in (-1.0, 1.0):
            solution = programme.solve(sign * objective)
            self.see(programme.members, solution)
            if solution is not None:
                blockers |= programme.binding()
            if self.proven(var):
                break
        self.result.programmes += programme.solved
        programme.solved = 0
        return blockers


def _components(constraints) -> dict[int, int]:
    """``{unknown: component}`` for the unknowns of ``constraints`` (each an iterable of unknowns)."""
    parent: dict[int, int] = {}

    def find(var):
        root = parent.setdefault(var, var)
        while root != parent[root]:
            parent[root] = parent[parent[root]]
            root = parent[root]
        parent[var] = root
        return root

    for unknowns in constraints:
        first, *rest = unknowns
        find(first)
        for var in rest:
            a, b = find(first), find(var)
            if a != b:
                parent[b] = a
    return {var: find(var) for var in parent}


class _Programme:
    """A linear programme over some of a model's unknowns, solved again and again with other objectives.

    HiGHS keeps the programme and its last basis between solves, so each new
    objective starts from the last optimum rather than from scratch. Only the
    objective changes, so that basis stays feasible, and the primal simplex
    goes on from it; HiGHS's default, the dual simplex, must first repair it,
    and took two to three times as long over a year's audit. (The optima
    differ, and with them the blockers: under the default policy about as
    many counts are withheld to protect others, the sample's the same;
    published exactly, about a tenth more.)
    """

    def __init__(self, model: Model, members: list[int], fixed: dict | None = None, rows=None):
        """The programme over ``members``; any other unknown of its constraints is held at its value in
        ``fixed`` (a restriction of the model: its optima are feasible points of the whole model)."""
        import highspy
        from scipy.sparse import coo_matrix

        self.members = members
        self.local = {var: i for i, var in enumerate(members)}
        if rows is None:
            member_set = set(members)
            rows = ([row for row in model.equalities if not member_set.isdisjoint(row[0])],
                    [row for row in model.inequalities if not member_set.isdisjoint(row[0])])
        equalities, inequalities = rows
        data, row_index, col_index, lower, upper = [], [], [], [], []
        for i, (coefficients, bound) in enumerate((*equalities, *inequalities)):
            for var, c in coefficients.items():
                if var in self.local:
                    data.append(c)
                    row_index.append(i)
                    col_index.append(self.local[var])
                else:
                    bound -= c * fixed[var]
            lower.append(bound if i < len(equalities) else -highspy.kHighsInf)
            upper.append(bound)
        width = len(members)
        matrix = coo_matrix((data, (row_index, col_index)), shape=(len(lower), width)).tocsc()
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = width, len(lower)
        lp.col_cost_ = np.zeros(width)
        lp.col_lower_ = np.array([model.lower[var] for var in members], dtype=float)
        lp.col_upper_ = np.array([min(model.upper[var], CAP) for var in members], dtype=float)
        lp.row_lower_ = np.array(lower, dtype=float)
        lp.row_upper_ = np.array(upper, dtype=float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = matrix.indptr, matrix.indices, matrix.data
        self.highs = highspy._Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.setOptionValue("simplex_strategy", 4)  # primal
        self.highs.passModel(lp)
        self.optimal = highspy.HighsModelStatus.kOptimal
        self.columns = np.arange(width, dtype=np.int32)
        self.solved = 0

    def solve(self, objective: np.ndarray) -> np.ndarray | None:
        """The optimum of ``objective`` (minimised), or ``None`` when there is none."""
        self.solved += 1
        self.highs.changeColsCost(len(self.columns), self.columns, np.asarray(objective, dtype=float))
        self.highs.run()
        if self.highs.getModelStatus() != self.optimal:
            return None
        return np.array(self.highs.getSolution().col_value)

    def binding(self) -> set[int]:
        """The unknowns held at one of their bounds with a non-zero reduced cost at the last optimum."""
        held = np.flatnonzero(np.abs(np.array(self.highs.getSolution().col_dual)) > TOLERANCE)
        return {self.members[i] for i in held}
