"""CLI commands: ``scplearn courses``, ``scplearn sessions`` and ``scplearn agencies``.

Each lists by default (``scplearn courses training.db``) and has commands to
add and edit what the files cannot say; ``agencies`` also confirms the
organisations imports created unverified, and merges one into another.
"""

from __future__ import annotations

import click

import scplearn

from .. import model, reference
from . import EXISTING_DB, DefaultGroup
from .evaluate import format_table

COURSE_OPTIONS = (
    click.option("--title", help="The title as published"),
    click.option("--topic"), click.option("--priority", help="The business-plan priority it serves"),
    click.option("--level", help="Competency level, 1 to 4"),
    click.option("--duration-hours", "duration_hours", help="Length in hours (Teams attendance is judged against it)"),
)
SESSION_OPTIONS = (
    click.option("--date", help="The day it ran"), click.option("--mode", help=", ".join(model.MODES)),
    click.option("--capacity", help="Delegate spaces offered"), click.option("--trainer", help="Who delivered it"),
    click.option("--partnership"), click.option("--headcount", help="People present, for events with no register"),
)
AGENCY_OPTIONS = (
    click.option("--sector", help=", ".join(model.SECTORS)),
    click.option("--workforce", help="Number of staff"), click.option("--partnership"),
)


def _options(options):
    def decorate(command):
        for option in reversed(options):
            command = option(command)
        return command
    return decorate


def _table(rows, columns):
    click.echo(format_table([{column: row[column] for column in columns} for row in rows]) if rows else "(none)")


@click.group(cls=DefaultGroup, default="list")
def courses():
    """Courses: list them (scplearn courses DB), add one, or edit what the files cannot say."""


@courses.command(name="list")
@click.argument("db_path", type=EXISTING_DB)
def list_courses(db_path):
    """List the courses of DB_PATH."""
    with scplearn.open(db_path) as store:
        _table(reference.courses(store), ("code", "title", "priority", "level", "duration_hours"))


@courses.command(name="add")
@click.argument("db_path", type=EXISTING_DB)
@click.argument("title")
@click.option("--code", help="Its code [default: made from the title's initials, e.g. NRR01]")
@_options(COURSE_OPTIONS[1:])
def add_course(db_path, title, code, **fields):
    """Add a course by its TITLE as published."""
    with scplearn.open(db_path) as store:
        code = reference.add_course(store, title, code=code, **fields)
    click.echo(f"Added course {code}: {title}")


@courses.command(name="edit")
@click.argument("db_path", type=EXISTING_DB)
@click.argument("course")
@_options(COURSE_OPTIONS)
def edit_course(db_path, course, **fields):
    """Change a COURSE (its code or title): title, topic, priority, level, duration."""
    with scplearn.open(db_path) as store:
        code = reference.edit_course(store, course, **fields)
    click.echo(f"Changed course {code}")


@click.group(cls=DefaultGroup, default="list")
def sessions():
    """Sessions: list them (scplearn sessions DB), add one, or edit capacity, trainer and the rest."""


@sessions.command(name="list")
@click.argument("db_path", type=EXISTING_DB)
@click.option("--course", help="Only this course's sessions (its code or title)")
def list_sessions(db_path, course):
    """List the sessions of DB_PATH."""
    with scplearn.open(db_path) as store:
        _table(reference.sessions(store, course), ("code", "course", "date", "mode", "capacity", "trainer"))


@sessions.command(name="add")
@click.argument("db_path", type=EXISTING_DB)
@click.argument("course")
@click.argument("date")
@click.option("--mode", required=True, help=", ".join(model.MODES))
@click.option("--code", help="Its code [default: COURSE-YYYY-MM-DD]")
@_options(SESSION_OPTIONS[2:])
def add_session(db_path, course, date, mode, code, **fields):
    """Add a session of COURSE (code or title) on DATE."""
    with scplearn.open(db_path) as store:
        code = reference.add_session(store, course, date, mode, code=code, **fields)
    click.echo(f"Added session {code}")


@sessions.command(name="edit")
@click.argument("db_path", type=EXISTING_DB)
@click.argument("session")
@_options(SESSION_OPTIONS)
def edit_session(db_path, session, **fields):
    """Change a SESSION: date, mode, capacity, trainer, partnership, headcount."""
    with scplearn.open(db_path) as store:
        code = reference.edit_session(store, session, **fields)
    click.echo(f"Changed session {code}")


@click.group(cls=DefaultGroup, default="list")
def agencies():
    """Agencies: list them (scplearn agencies DB [--unverified]); add, confirm or merge one."""


@agencies.command(name="list")
@click.argument("db_path", type=EXISTING_DB)
@click.option("--unverified", is_flag=True, help="Only the organisations imports created, not yet confirmed")
def list_agencies(db_path, unverified):
    """List the agencies of DB_PATH, with their sectors and numbers of delegates."""
    with scplearn.open(db_path) as store:
        rows = reference.agencies(store, unverified=unverified)
    for row in rows:
        row["verified"] = "yes" if row["verified"] else "no"
    _table(rows, ("name", "sector", "verified", "delegates", "workforce", "partnership"))
    if unverified and rows:
        click.echo("\nConfirm one with: scplearn agencies confirm DB NAME [--sector SECTOR]; "
                   "or merge it into a known one: scplearn agencies merge DB NAME INTO")


@agencies.command(name="add")
@click.argument("db_path", type=EXISTING_DB)
@click.argument("name")
@click.option("--sector", required=True, help=", ".join(model.SECTORS))
@_options(AGENCY_OPTIONS[1:])
def add_agency(db_path, name, sector, **fields):
    """Add an agency NAME with its sector."""
    with scplearn.open(db_path) as store:
        name = reference.add_agency(store, name, sector, **fields)
    click.echo(f"Added agency {name!r}")


@agencies.command(name="confirm")
@click.argument("db_path", type=EXISTING_DB)
@click.argument("name")
@_options(AGENCY_OPTIONS)
def confirm_agency(db_path, name, **fields):
    """Confirm the agency NAME an import created (setting its sector, workforce, partnership if given)."""
    with scplearn.open(db_path) as store:
        name = reference.confirm_agency(store, name, **fields)
    click.echo(f"Confirmed agency {name!r}")


@agencies.command(name="merge")
@click.argument("db_path", type=EXISTING_DB)
@click.argument("name")
@click.argument("into")
def merge_agency(db_path, name, into):
    """Merge the agency NAME into the agency INTO: its delegates move, NAME goes."""
    with scplearn.open(db_path) as store:
        name, into, moved = reference.merge_agency(store, name, into)
    click.echo(f"Merged {name!r} into {into!r}: {moved} delegate{'' if moved == 1 else 's'} moved")


COMMANDS = [courses, sessions, agencies]
