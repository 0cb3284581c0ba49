"""Each agency's workforce, published the same way in every year.

A workforce comes from the agencies table, not from the training, so an
agency's is the same in every year it sends anyone. Withheld in one year to
protect a small count and shown in another, it would protect nothing: so the
workforces are decided once, for every year. Every agency's, each sector's and
everyone's make a table of their own, which adds up exactly (agencies that
sent no one included), and which goes through the disclosure policy and its
audit like a year's results. Each year's rows then show each workforce as
decided here, and a year's own secondary suppression never chooses one.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict

import attrs

from ..disclosure import PROTECTING_COLUMN
from ..evaluator import DELEGATE_FIELDS, Count, Evaluator, Workforce
from .block import Block, Cell, Table


class _Staff(Evaluator):
    """The table of workforces: everyone's, each sector's, each agency's."""

    name = "workforce"
    description = "Staff of the agencies whose workforce is known"
    columns = {"workforce": Count("Staff", adds_up_over=DELEGATE_FIELDS)}
    groupable = DELEGATE_FIELDS


@attrs.frozen
class Decision:
    """The published workforce of everyone, of each sector and of each agency, and which are withheld to protect
    another."""

    everyone: tuple = (None, False)
    sectors: dict = attrs.field(factory=dict)
    agencies: dict = attrs.field(factory=dict)

    def of(self, row: dict, grouping) -> tuple[int | None, bool] | None:
        """(published value, withheld to protect another) of the workforce of ``row``, a row grouped by
        ``grouping``; ``None`` for a sector or agency with no known workforce."""
        if "agency" in grouping:
            return self.agencies.get(row.get("agency"))
        if "sector" in grouping:
            return self.sectors.get(row.get("sector"))
        return self.everyone

    def digest(self) -> str:
        text = json.dumps([self.everyone, sorted(self.sectors.items(), key=str), sorted(self.agencies.items())])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def settle(self, block: Block) -> tuple[dict[Cell, int | None], set[Cell]]:
        """The workforce cells of ``block`` with their published values, and those withheld to protect others."""
        values, protecting = {}, set()
        for t, table in enumerate(block.tables):
            columns = [name for name, column in table.evaluator.columns.items() if isinstance(column, Workforce)]
            for r, row in enumerate(table.rows):
                for name in columns:
                    found = self.of(row, table.grouping) if row.get(name) is not None else None
                    if found is not None:
                        values[(t, r, name)] = found[0]
                        if found[1]:
                            protecting.add((t, r, name))
        return values, protecting


def decide(db, policy) -> Decision:
    """Put the known workforce of every agency, sector and everyone through ``policy``."""
    agencies = list(db.execute(
        "SELECT sector, name, workforce FROM agencies WHERE workforce IS NOT NULL ORDER BY sector, name"))
    if not agencies:
        return Decision()
    sectors: dict = defaultdict(int)
    for sector, _, workforce in agencies:
        sectors[sector] += workforce
    staff = _Staff()
    published = policy.publish(Block(None, [
        Table(staff, (), [{"workforce": sum(sectors.values())}]),
        Table(staff, ("sector",), [{"sector": sector, "workforce": total} for sector, total in sectors.items()]),
        Table(staff, ("sector", "agency"),
              [{"sector": sector, "agency": name, "workforce": workforce} for sector, name, workforce in agencies]),
    ])).block.tables

    def decided(row):
        return row["workforce"], row.get(PROTECTING_COLUMN) is not None

    return Decision(
        everyone=decided(published[0].rows[0]),
        sectors={row["sector"]: decided(row) for row in published[1].rows},
        agencies={row["agency"]: decided(row) for row in published[2].rows},
    )
