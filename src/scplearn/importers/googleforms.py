"""Google Forms responses, downloaded as CSV ("Download responses (.csv)") or from the responses sheet.

The first column is ``Timestamp``; a form that collects email addresses has
``Email address`` next; then one column per question, headed by its wording.
Used for follow-up impact surveys ("Have you used the learning from the
training in your everyday work?", "Have you taken specific action ...?",
ratings now, comments), which give follow-ups dated by their timestamp; a
form with before/after ratings gives evaluations. Questions are recognised
by their wording, as :mod:`scplearn.importers.responses` describes.
"""

from __future__ import annotations

from pathlib import Path

from .. import model
from ..hookspecs import hookimpl
from . import responses, tables

_EMAIL_HEADINGS = ("email address", "email", "username")


def _tool_columns(header: list) -> dict:
    keys = [tables.header_key(heading) for heading in header]
    columns = {"submitted": 0}
    for heading in _EMAIL_HEADINGS:
        if heading in keys:
            columns["email"] = keys.index(heading)
            break
    return columns


class GoogleFormsImporter:
    name = "googleforms"
    description = "Google Forms responses (CSV or the responses sheet as .xlsx): follow-up impact surveys or evaluations"

    def recognises(self, path: Path) -> bool:
        path = Path(path)
        if path.suffix.lower() not in (".csv", ".xlsx"):
            return False
        header = tables.head(path)
        return bool(header) and tables.header_key(header[0]) == "timestamp" and len(header) > 1

    def rank(self, path: Path) -> int:
        """After bookings: a follow-up may find its session through the delegate's booking."""
        return model.RECORD_TYPES.index(model.FollowUp)

    def read(self, path: Path, options: dict):
        yield from responses.read_file(path, options, _tool_columns)


@hookimpl
def register_importers(register):
    register(GoogleFormsImporter())
