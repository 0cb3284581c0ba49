"""Datasette 0.65 metadata for the public and evidence databases.

:func:`build_metadata` reads a built ``public.db`` and returns the metadata
dict: title, description, source and licence; a description of every table
and column (with units and the disclosure rule each column follows); facets
and sort orders; canned queries (:mod:`.queries`); the evidence database
behind a database-level ``allow`` for signed-in users; datasette-auth-passwords
accounts whose password hashes come from environment variables; and the
datasette-dashboards configuration (:mod:`.dashboards`).

Everything here is visible to anyone at ``/-/metadata.json``: it must hold no
secret and no personal data (account names are roles, hashes are ``$env``
references). :func:`split_descriptions` parts it into the two files a site
serves it from (see :mod:`.descriptions_plugin`).
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import sqlite_utils

from .. import plugins
from ..disclosure import DisclosurePolicy
from . import dashboards, queries
from .passwords import password_variable
from .public import FACETED, result_table
from .readable import WITHHELD_EXPLAINED, readable_metadata

LICENSE = "Open Government Licence v3.0"
LICENSE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
SOURCE = "scplearn: booking registers, evaluation forms and follow-up surveys of the partnerships' training"
DEFAULT_ACCOUNTS = ("coordinator",)
SIGNED_IN = {"id": "*"}
"""A Datasette ``allow`` block matching any signed-in actor and no anonymous visitor."""

LABEL_DESCRIPTIONS = {
    "grouping": "Which grouping the row belongs to: year, or year and one more field (e.g. `year,course`). "
                "Filter on one grouping before adding rows up.",
    "year": "Financial year, April to March (e.g. 2023/24)",
    "partnership": "Safeguarding Children Partnership that ran the session",
    "course": "Course code (see the courses table for its title)",
    "priority": "Business-plan priority the course serves",
    "mode": "How the session was delivered (see the modes table)",
    "sector": "Sector of the delegates' agency (see the sectors table)",
    "agency": "Delegates' agency",
    "dimension": "What delegates rated: knowledge, skills or confidence, each self-rated 1–10",
    "score": "Self-rating, 1 (low) to 10 (high)",
    "event": "The large event (its session code)",
    "level": "Competency level of the courses counted: all, or 1 to 4",
    "resource": "The learning resource (its code)",
    "suppressed": "Figures withheld from this row to protect individuals; their cells read 'withheld'",
    "protecting": "Of the withheld figures, those withheld though not small, so that a small one cannot be worked "
                  "out from the others",
}

PAGE_SIZE = 20
"""Rows per page of every public table but the results tables (Datasette's default is 100): rendering
cells is most of a table page's time."""
RESULTS_PAGE_SIZE = 10
"""Rows per page of the results tables, whose rows have some twenty-five cells each."""
LARGE_TABLE = 5_000
"""Rows above which a results table is shown without facets: counting facets over every row of a
national table would slow every visit to it."""


LOOKUP_TABLES = {
    "courses": {
        "description": "The courses of the programme",
        "sort": "code",
        "label_column": "title",
        "size": PAGE_SIZE,
        "columns": {"code": "Course code", "title": "Title as published", "topic": "Subject area",
                    "priority": "Business-plan priority it serves", "level": "Competency level, 1 to 4"},
    },
    "sectors": {"description": "Sectors of the delegates' agencies", "label_column": "label",
                "columns": {"key": "Sector as stored in the result tables", "label": "Sector"}},
    "modes": {"description": "How sessions are delivered", "label_column": "label",
              "columns": {"key": "Mode as stored in the result tables", "label": "Mode of delivery"}},
    "quotes": {
        "description": "What delegates said about a course, published with their consent (course, year, role and "
                       "quote only), names, emails and phone numbers replaced by [name]; only for a course and "
                       "year with enough consented quotes, and at most three of them",
        "facets": ["course", "year"],
        "size": PAGE_SIZE,
        "columns": {"course": "Course code", "year": "Financial year of the session",
                    "role": "The delegate's role, as they gave it", "quote": "What they said"},
    },
    queries.HEADLINES: {
        "description": "The headline figures of every year, as the canned queries headline_figures and "
                       "this_year_against_last show them: read from the controlled tables above",
        "facets": ["year"],
        "size": PAGE_SIZE,
        "columns": {"position": "Order of the figure in the headline list", "figure": "What is counted",
                    "year": "Financial year (April to March)", "value": "The figure",
                    "note": "'withheld' when the figure is withheld to protect small groups"},
    },
    "about": {
        "description": "What these figures cover, where they come from and how small numbers are protected",
        "columns": {"item": "What is described", "value": "Its value", "meaning": "What the item means"},
    },
}


def build_metadata(public_path, evidence_name: str | None, *, private_name: str | None = None,
                   policy: DisclosurePolicy | None = None, accounts=DEFAULT_ACCOUNTS) -> dict:
    """The metadata dict for serving ``public_path`` (named after its file, ``public``) beside the
    evidence database ``evidence_name`` (``None``: the public database alone)."""
    policy = policy or DisclosurePolicy()
    db = sqlite_utils.Database(public_path)
    try:
        about = {row["item"]: row["value"] for row in db["about"].rows}
        tables = {table.name: table.columns_dict for table in db.tables}
        sizes = {table.name: table.count for table in db.tables}
        latest = dashboards.latest_year(db, tables)
    finally:
        db.close()
    public_name = Path(public_path).stem
    metadata = {
        "title": "Multi-agency safeguarding training: reach, uplift and impact",
        "description_html": description_html(about, evidence_name, policy),
        "source": SOURCE,
        "license": LICENSE,
        "license_url": LICENSE_URL,
        "databases": {
            public_name: {
                "description": "Disclosure-controlled figures: anyone may browse, query and chart them. "
                               + policy.describe(),
                "tables": table_metadata(tables, policy, sizes),
                "queries": queries.canned_queries(tables),
            },
        },
        "plugins": {
            "datasette-auth-passwords": {
                f"{account}_password_hash": {"$env": password_variable(account)} for account in accounts
            },
            "datasette-dashboards": dashboards.dashboards(public_name, tables, latest),
        },
    }
    if evidence_name:
        metadata["databases"][evidence_name] = {
            "description": "Pseudonymous row-level evidence (delegate keys, bookings, ratings, free text). "
                           "Signed-in coordinators only.",
            "allow": SIGNED_IN,
        }
    if private_name:
        metadata["databases"][private_name] = {
            "description": "Names and emails of delegates. Signed-in coordinators only; never publish this file.",
            "allow": SIGNED_IN,
        }
    return metadata


DESCRIBED_PLUGINS = ("datasette-dashboards",)
"""Plugin configurations served from the descriptions file (none of them holds a secret or a permission)."""


def split_descriptions(metadata: dict, database: str) -> tuple[dict, dict]:
    """``(metadata.json, descriptions)``: ``database``'s descriptions, canned queries and charts are moved
    to the second; permissions (``allow`` blocks), accounts and the rest stay in the first."""
    metadata = {**metadata, "databases": dict(metadata["databases"]), "plugins": dict(metadata.get("plugins") or {})}
    entry = dict(metadata["databases"].pop(database))
    kept = {key: value for key, value in entry.items() if key.startswith("allow")}
    for table, described_table in (entry.get("tables") or {}).items():
        if any(key.startswith("allow") for key in described_table):
            raise ValueError(f"{database}.{table}: a table's allow block belongs in metadata.json")
    if kept:
        metadata["databases"][database] = kept
    described = {
        "databases": {database: {key: value for key, value in entry.items() if key not in kept}},
        "plugins": {name: metadata["plugins"].pop(name) for name in DESCRIBED_PLUGINS if name in metadata["plugins"]},
    }
    return metadata, described


def description_html(about: dict, evidence_name: str | None, policy) -> str:
    e = html.escape
    return (
        "<p>Figures from the multi-agency safeguarding training of "
        f"<strong>{e(about.get('partnerships') or 'no partnership yet')}</strong>, "
        f"financial years {e(about.get('years') or 'none yet')}: who the training reached, how delegates' "
        "self-rated knowledge, skills and confidence (scores are self-rated 1–10) moved, and what they did "
        "with it months later.</p>"
        f"<p>Data last imported {e(readable_time(about.get('last_import')))}. "
        f"Sources: {e(about.get('sources') or '')}.</p>"
        f"<p>{e(policy.describe())} Figures are rounded separately, so they need not add up. "
        "See the <a href=\"/-/dashboards\">dashboards</a> and the canned queries of the "
        "<a href=\"/public\">public</a> database.</p>"
    ) + (
        f"<p>The <code>{e(evidence_name)}</code> database holds the pseudonymous records behind these figures; "
        "training coordinators <a href=\"/-/login\">sign in</a> to see it.</p>" if evidence_name else ""
    )


def readable_time(stamp: str | None) -> str:
    """An ISO timestamp as a reader writes it: ``2026-12-04T10:31:00+00:00`` → "4 December 2026 at 10:31 UTC"."""
    if not stamp:
        return "never"
    moment = dt.datetime.fromisoformat(stamp).astimezone(dt.timezone.utc)
    return f"{moment.day} {moment:%B %Y} at {moment:%H:%M} UTC"


def table_metadata(tables: dict, policy, sizes: dict | None = None) -> dict:
    """Descriptions, facets and sort orders for every table of the public database (``sizes``: row counts)."""
    evaluators = {result_table(e.name): e for e in plugins.get_evaluators().values()}
    result = {}
    for name, columns in tables.items():
        if name in evaluators:
            result[name] = evaluator_table_metadata(evaluators[name], columns, policy)
            if (sizes or {}).get(name, 0) > LARGE_TABLE:
                result[name]["facets"] = []
                result[name]["description"] += (" Filter by the grouping column (e.g. grouping = year,course) "
                                                "or use the dashboard; any column's menu offers its facet.")
        elif name in LOOKUP_TABLES:
            result[name] = LOOKUP_TABLES[name]
    result.update(readable_metadata(tables))
    return result


def evaluator_table_metadata(evaluator, columns: dict, policy) -> dict:
    descriptions = {}
    for column in columns:
        declared = evaluator.columns.get(column)
        text = declared.description if declared else LABEL_DESCRIPTIONS.get(column) or column
        if declared is not None:
            text += rule_note(declared, policy)
        descriptions[column] = text
    per_row = "".join(f" and {label}" for label in evaluator.row_labels)
    facets = ["grouping", *(f for f in FACETED if f in columns)]
    if "dimension" in columns:
        facets.append("dimension")
    return {
        "description": f"{evaluator.description}. One row per group{per_row}, newest year first; "
                       "the grouping column says which grouping. " + WITHHELD_EXPLAINED,
        "facets": facets,
        "size": RESULTS_PAGE_SIZE,
        "columns": descriptions,
    }


def rule_note(column, policy) -> str:
    """How the disclosure policy treats a column, in a few words for its description."""
    if column.kind == "count" and column.people:
        return count_note(policy)
    if column.kind == "statistic":
        return f". Not shown over fewer than {policy.min_n_for_statistic} people"
    if column.kind == "derived":
        return ". Computed from the published figures, and withheld with them"
    return ""


def count_note(policy) -> str:
    if policy.rounding_base > 1:
        return f" (rounded to the nearest {policy.rounding_base}; 1–{policy.min_count - 1} withheld)"
    return f" (1–{policy.min_count - 1} withheld)"
