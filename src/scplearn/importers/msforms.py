"""Microsoft Forms responses, as Forms exports them to Excel ("Open in Excel").

The workbook's first sheet has the columns ``ID``, ``Start time``,
``Completion time``, ``Email``, ``Name`` (newer exports add ``Last modified
time``) and then one column per question, headed by its wording. A
pre/post evaluation form (ratings out of 10 of knowledge, skills and
confidence before and after the training, three key actions) gives
evaluations; a follow-up survey gives follow-ups. Questions are recognised
by their wording, as :mod:`scplearn.importers.responses` describes.
"""

from __future__ import annotations

from pathlib import Path

from .. import model
from ..hookspecs import hookimpl
from . import responses, tables

_TOOL_COLUMNS = {"id", "start time", "completion time", "email"}


def _tool_columns(header: list) -> dict:
    keys = [tables.header_key(heading) for heading in header]
    columns = {}
    for field, heading in (("email", "email"), ("name", "name"), ("submitted", "completion time")):
        if heading in keys:
            columns[field] = keys.index(heading)
    return columns


class MicrosoftFormsImporter:
    name = "msforms"
    description = ("Microsoft Forms responses exported to Excel (.xlsx): pre/post evaluations "
                   "(ratings before/after, key actions) or follow-up surveys")

    def recognises(self, path: Path) -> bool:
        path = Path(path)
        if path.suffix.lower() != ".xlsx":
            return False
        return _TOOL_COLUMNS <= {tables.header_key(heading) for heading in tables.head(path)}

    def rank(self, path: Path) -> int:
        """After bookings (a follow-up may find its session through the delegate's booking)."""
        return model.RECORD_TYPES.index(model.Evaluation)

    def read(self, path: Path, options: dict):
        yield from responses.read_file(path, options, _tool_columns)


@hookimpl
def register_importers(register):
    register(MicrosoftFormsImporter())
