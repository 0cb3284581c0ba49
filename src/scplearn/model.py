"""What a partnership records about its training, as validated attrs classes.

Each class is one kind of record. Its fields convert and check the values they
are given (see :mod:`scplearn.values`), so an instance is always valid: a score
is an integer from 1 to 10, a date is a date, a status is one of the known
statuses. :func:`build` makes an instance from a row of text and reports every
bad field, not just the first.
"""

from __future__ import annotations

import datetime as dt

import attrs

from . import values

SECTORS = {
    "police": "Police",
    "health": "Health",
    "la_children": "Local authority children's services",
    "la_adults": "Local authority adults' services",
    "education": "Education",
    "early_years": "Early years",
    "voluntary": "Voluntary and community sector",
    "private": "Private and independent sector",
    "probation": "Probation",
    "fire": "Fire and rescue",
    "ambulance": "Ambulance",
    "other": "Other",
}
MODES = {
    "face_to_face": "Face to face",
    "virtual": "Virtual",
    "webinar": "Webinar",
    "e_learning": "E-learning",
    "conference": "Conference",
    "festival": "Festival of learning",
    "briefing": "Briefing",
}
STATUSES = {
    "booked": "Booked",
    "attended": "Attended",
    "did_not_attend": "Did not attend",
    "cancelled": "Cancelled",
}
DIMENSIONS = ("knowledge", "skills", "confidence")

_ALIASES = {
    "vcs": "voluntary", "voluntary_sector": "voluntary", "third_sector": "voluntary",
    "independent": "private", "private_independent": "private",
    "childrens_social_care": "la_children", "children_s_services": "la_children",
    "adult_social_care": "la_adults", "adults_services": "la_adults",
    "schools": "education", "school": "education", "nhs": "health",
    "f2f": "face_to_face", "in_person": "face_to_face", "classroom": "face_to_face",
    "online": "virtual", "teams": "virtual", "zoom": "virtual", "elearning": "e_learning",
    "festival_of_learning": "festival", "live_briefing": "briefing",
    "present": "attended", "checked_in": "attended", "dna": "did_not_attend",
    "no_show": "did_not_attend", "absent": "did_not_attend", "not_attended": "did_not_attend",
    "attending": "booked", "registered": "booked", "canceled": "cancelled",
}


def choice(options: dict[str, str]):
    """A converter accepting an option's key or its label, in any case or spacing."""
    labels = {values.slug(label): key for key, label in options.items()}

    def convert(value):
        if values.is_missing(value):
            raise ValueError("is required")
        key = values.slug(value)
        key = labels.get(key, _ALIASES.get(key, key))
        if key not in options:
            raise ValueError("must be one of: " + ", ".join(options))
        return key

    convert.__doc__ = "One of: " + ", ".join(options)
    return convert


def _level(value):
    number = values.count(value)
    if number is not None and not 1 <= number <= 4:
        raise ValueError("must be a competency level from 1 to 4")
    return number


def _workforce(value):
    number = values.count(value)
    if number == 0:
        raise ValueError("must be a whole number greater than 0")
    return number


def _required(converter):
    def convert(value):
        result = converter(value)
        if result is None:
            raise ValueError("is required")
        return result

    convert.__doc__ = converter.__doc__
    return convert


def _flag(value):
    result = values.boolean(value)
    return False if result is None else result


_text = attrs.field(default=None, converter=values.text)


def _field(converter, required=False, default=None):
    if required:
        return attrs.field(converter=_required(converter))
    return attrs.field(default=default, converter=converter)


@attrs.frozen
class Partnership:
    """A Safeguarding Children Partnership; one programme may serve several."""

    name: str = _field(values.text, required=True)
    description: str | None = _field(values.text)


@attrs.frozen
class Agency:
    """An organisation whose staff attend, with its sector and (optionally) workforce size."""

    name: str = _field(values.text, required=True)
    sector: str = attrs.field(converter=choice(SECTORS))
    workforce: int | None = _field(_workforce)
    partnership: str | None = _field(values.text)


@attrs.frozen
class Course:
    """A course in the programme."""

    code: str = _field(values.text, required=True)
    title: str = _field(values.text, required=True)
    topic: str | None = _field(values.text)
    priority: str | None = _field(values.text)
    level: int | None = _field(_level)
    duration_hours: float | None = _field(values.positive_number)


@attrs.frozen
class Session:
    """One delivery of a course on a date.

    ``headcount`` is set for events with no individual register (large webinars,
    conferences, briefings): the number of people present.
    """

    code: str = _field(values.text, required=True)
    course: str = _field(values.text, required=True)
    date: dt.date = _field(values.date, required=True)
    mode: str = attrs.field(converter=choice(MODES))
    capacity: int | None = _field(values.count)
    trainer: str | None = _field(values.text)
    partnership: str | None = _field(values.text)
    headcount: int | None = _field(values.count)

    @property
    def year(self) -> str:
        return values.year_of(self.date)


@attrs.frozen
class Delegate:
    """A person, known across sources by their normalised email."""

    email: str = _field(values.email, required=True)
    name: str | None = _field(values.text)
    role: str | None = _field(values.text)
    agency: str | None = _field(values.text)


def _walk_in_attended(instance, attribute, value):
    if value and instance.status != "attended":
        raise ValueError("a walk-in must have the status attended")


@attrs.frozen
class Booking:
    """A delegate's place on a session. A walk-in is present without a booking."""

    session: str = _field(values.text, required=True)
    email: str = _field(values.email, required=True)
    status: str = attrs.field(converter=choice(STATUSES))
    walk_in: bool = attrs.field(default=False, converter=_flag, validator=_walk_in_attended)


@attrs.frozen
class Evaluation:
    """Self-ratings out of 10 before and after a session, and up to three key actions."""

    session: str = _field(values.text, required=True)
    email: str = _field(values.email, required=True)
    knowledge_pre: int | None = _field(values.score)
    knowledge_post: int | None = _field(values.score)
    skills_pre: int | None = _field(values.score)
    skills_post: int | None = _field(values.score)
    confidence_pre: int | None = _field(values.score)
    confidence_post: int | None = _field(values.score)
    action_1: str | None = _field(values.text)
    action_2: str | None = _field(values.text)
    action_3: str | None = _field(values.text)


@attrs.frozen
class FollowUp:
    """A delegate's answer to the impact survey some months after a session."""

    session: str = _field(values.text, required=True)
    email: str = _field(values.email, required=True)
    date: dt.date = _field(values.date, required=True)
    used_learning: bool | None = _field(values.boolean)
    specific_action: bool | None = _field(values.boolean)
    knowledge: int | None = _field(values.score)
    skills: int | None = _field(values.score)
    confidence: int | None = _field(values.score)
    comments: str | None = _field(values.text)


@attrs.frozen
class Feedback:
    """A delegate's quote about a course, publishable only with their consent."""

    course: str = _field(values.text, required=True)
    quote: str = _field(values.text, required=True)
    role: str | None = _field(values.text)
    consent: bool = attrs.field(default=False, converter=_flag)
    session: str | None = _field(values.text)


@attrs.frozen
class Spend:
    """What a partnership spent on its training programme in a financial year."""

    year: str = _field(values.financial_year, required=True)
    partnership: str = _field(values.text, required=True)
    amount: float = _field(values.amount, required=True)


RECORD_TYPES = (
    Partnership, Agency, Course, Session, Delegate,
    Booking, Evaluation, FollowUp, Feedback, Spend,
)


@attrs.frozen
class FieldProblem:
    field: str
    value: object
    reason: str


def build(record_type, row: dict) -> tuple[object | None, list[FieldProblem]]:
    """Make a ``record_type`` from ``row`` (field name → raw value).

    Returns the instance, or ``None`` and a problem for every field that is
    wrong (each field is checked on its own, so all are reported at once).
    """
    converted, problems = {}, []
    for field in attrs.fields(record_type):
        raw = row.get(field.name)
        if raw is None and field.default is not attrs.NOTHING:
            continue
        try:
            converted[field.name] = field.converter(raw) if field.converter else raw
        except ValueError as error:
            problems.append(FieldProblem(field.name, raw, str(error)))
    if problems:
        return None, problems
    try:
        return record_type(**converted), []
    except ValueError as error:
        return None, [FieldProblem(_field_named_in(record_type, error), None, str(error))]


def _field_named_in(record_type, error) -> str:
    message = str(error)
    for field in attrs.fields(record_type):
        if field.name.replace("_", "-") in message or field.name in message:
            return field.name
    return attrs.fields(record_type)[-1].name
