"""What a partnership records about its training, as validated attrs classes.

Each class is one kind of record. Its fields convert and check the values they
are given (see :mod:`scplearn.values`), so an instance is always valid: a score
is an integer from 1 to 10, a date is a date, a status is one of the known
statuses. :func:`build` makes an instance from a row of text and reports every
bad field, not just the first. A field's ``metadata`` says how it is stored
(see :func:`stored`); :mod:`scplearn.schema` makes the tables from the classes.
"""

from __future__ import annotations

import datetime as dt
import itertools

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
    "unknown": "Not yet known",
}
"""``unknown`` is the sector of an organisation found in a file that did not say it (see ``scplearn agencies``)."""
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
RESOURCE_KINDS = {
    "video": "Video",
    "recording": "Recorded session",
    "e_learning": "E-learning module",
    "resource_pack": "Resource pack",
    "briefing": "Briefing",
    "podcast": "Podcast",
    "web_page": "Web page",
    "document": "Document",
    "other": "Other",
}
"""What a learning resource is: a course with no session register, reached by viewing or downloading it."""

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


_RESOURCE_ALIASES = {
    "youtube": "video", "youtube_video": "video", "film": "video", "animation": "video",
    "recorded_session": "recording", "recorded_webinar": "recording", "webinar_recording": "recording",
    "session_recording": "recording", "recorded_training": "recording",
    "elearning": "e_learning", "e_learning_module": "e_learning", "elearning_module": "e_learning",
    "online_module": "e_learning", "module": "e_learning", "scorm": "e_learning",
    "pack": "resource_pack", "toolkit": "resource_pack", "tool_kit": "resource_pack", "resources": "resource_pack",
    "7_minute_briefing": "briefing", "seven_minute_briefing": "briefing", "learning_briefing": "briefing",
    "podcast_episode": "podcast", "audio": "podcast",
    "web": "web_page", "webpage": "web_page", "website": "web_page", "page": "web_page", "web_site": "web_page",
    "pdf": "document", "leaflet": "document", "guide": "document", "guidance": "document", "file": "document",
    "word_document": "document", "factsheet": "document", "fact_sheet": "document", "poster": "document",
}


def choice(options: dict[str, str], aliases: dict[str, str] | None = None):
    """A converter accepting an option's key or its label, in any case or spacing (or one of ``aliases``)."""
    labels = {values.slug(label): key for key, label in options.items()}
    if aliases is not None:
        labels = {**aliases, **labels}

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
    convert.plain = getattr(converter, "plain", None)  # values that convert to themselves are never None
    return convert


def _flag(value):
    result = values.boolean(value)
    return False if result is None else result


def _verified(value):
    result = values.boolean(value)
    return True if result is None else result


def stored(*, key: bool = False, refers_to: str | None = None, private: bool = False, since: int = 1) -> dict:
    """How a field is stored, as its attrs ``metadata`` (read by :mod:`scplearn.schema`).

    ``key``: the field is the key of its table, or part of it. ``refers_to``: the
    field names a record of that table, by its key. ``private``: the field is
    kept only in the private database, never in the evidence. ``since``: the
    schema version that added the field's column (see ``store.MIGRATIONS``).
    """
    return {"key": key, "refers_to": refers_to, "private": private, "since": since}


def _field(converter, required=False, default=None, **storage):
    """A field converted by ``converter`` (``None`` refused when ``required``), stored as ``storage`` says (see :func:`stored`)."""
    if required:
        return attrs.field(converter=_required(converter), metadata=stored(**storage))
    return attrs.field(default=default, converter=converter, metadata=stored(**storage))


@attrs.frozen
class Partnership:
    """A Safeguarding Children Partnership; one programme may serve several."""

    name: str = _field(values.text, required=True, key=True)
    description: str | None = _field(values.text)


@attrs.frozen
class Agency:
    """An organisation whose staff attend, with its sector and (optionally) workforce size.

    ``verified`` is false for an organisation an import found in a file and
    created, until someone confirms it (``scplearn agencies``).
    """

    name: str = _field(values.text, required=True, key=True)
    sector: str = attrs.field(converter=choice(SECTORS))
    workforce: int | None = _field(_workforce)
    partnership: str | None = _field(values.text, refers_to="partnerships")
    verified: bool = attrs.field(default=True, converter=_verified, metadata=stored(since=3))


@attrs.frozen
class Course:
    """A course in the programme."""

    code: str = _field(values.text, required=True, key=True)
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

    code: str = _field(values.text, required=True, key=True)
    course: str = _field(values.text, required=True, refers_to="courses")
    date: dt.date = _field(values.date, required=True)
    mode: str = attrs.field(converter=choice(MODES))
    capacity: int | None = _field(values.count)
    trainer: str | None = _field(values.text)
    partnership: str | None = _field(values.text, refers_to="partnerships")
    headcount: int | None = _field(values.count)

    @property
    def year(self) -> str:
        return values.year_of(self.date)


@attrs.frozen
class Delegate:
    """A person, known across sources by their normalised email."""

    email: str = _field(values.email, required=True, key=True)
    name: str | None = _field(values.text, private=True)
    role: str | None = _field(values.text)
    agency: str | None = _field(values.text, refers_to="agencies")


class FieldError(ValueError):
    """A value that is wrong only in combination with another field of the record."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def _walk_in_attended(instance, attribute, value):
    if value and instance.status != "attended":
        raise FieldError(attribute.name, "a walk-in must have the status attended")


@attrs.frozen
class Booking:
    """A delegate's place on a session. A walk-in is present without a booking."""

    session: str = _field(values.text, required=True, key=True, refers_to="sessions")
    email: str = _field(values.email, required=True, key=True)
    status: str = attrs.field(converter=choice(STATUSES))
    walk_in: bool = attrs.field(default=False, converter=_flag, validator=_walk_in_attended)


@attrs.frozen
class Evaluation:
    """Self-ratings out of 10 before and after a session, and up to three key actions."""

    session: str = _field(values.text, required=True, key=True, refers_to="sessions")
    email: str = _field(values.email, required=True, key=True)
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

    session: str = _field(values.text, required=True, key=True, refers_to="sessions")
    email: str = _field(values.email, required=True, key=True)
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

    course: str = _field(values.text, required=True, refers_to="courses")
    quote: str = _field(values.text, required=True)
    role: str | None = _field(values.text)
    consent: bool = attrs.field(default=False, converter=_flag)
    session: str | None = _field(values.text, refers_to="sessions")


@attrs.frozen
class Spend:
    """What a partnership spent on its training programme in a financial year."""

    year: str = _field(values.financial_year, required=True, key=True)
    partnership: str = _field(values.text, required=True, key=True, refers_to="partnerships")
    amount: float = _field(values.amount, required=True)


def _platform(value):
    result = values.text(value)
    if result is None:
        raise ValueError("is required")
    key = values.slug(result)
    if not key:
        raise ValueError("must name the platform, e.g. youtube, sharepoint, lms or web")
    return key


_platform.__doc__ = "A platform's name as a key: ``YouTube`` is ``youtube``, ``Share Point`` is ``share_point``."


@attrs.frozen
class Resource:
    """A learning resource with no session register: a video, a recorded session, an e-learning module, a pack.

    ``course`` is the course it belongs to, if any (a recording of a session
    of it, the e-learning version of it).
    """

    code: str = _field(values.text, required=True, key=True)
    title: str = _field(values.text, required=True)
    kind: str = attrs.field(converter=choice(RESOURCE_KINDS, _RESOURCE_ALIASES))
    course: str | None = _field(values.text, refers_to="courses")
    topic: str | None = _field(values.text)
    priority: str | None = _field(values.text)
    url: str | None = _field(values.web_address)
    partnership: str | None = _field(values.text, refers_to="partnerships")
    published: dt.date | None = _field(values.date)


def _until_not_before_date(instance, attribute, value):
    if value is not None and value < instance.date:
        raise FieldError(attribute.name, f"must be on or after the period's first day ({instance.date.isoformat()})")


@attrs.frozen
class ResourceAccess:
    """How often a resource was reached on one platform over a period: from ``date`` to ``until`` (or that one day).

    A period is counted in the financial year of its first day, ``date``.
    """

    resource: str = _field(values.text, required=True, key=True, refers_to="resources")
    date: dt.date = _field(values.date, required=True, key=True)
    source: str = _field(_platform, required=True, key=True)
    until: dt.date | None = attrs.field(default=None, converter=values.date, validator=_until_not_before_date,
                                        metadata=stored())
    views: int | None = _field(values.count)
    downloads: int | None = _field(values.count)
    unique_viewers: int | None = _field(values.count)
    watch_hours: float | None = _field(values.non_negative)

    @property
    def year(self) -> str:
        return values.year_of(self.date)


@attrs.frozen
class ResourceFollowUp:
    """A person's answer to a follow-up question about a resource: did they use it, and what difference did it make."""

    resource: str = _field(values.text, required=True, key=True, refers_to="resources")
    email: str = _field(values.email, required=True, key=True)
    date: dt.date = _field(values.date, required=True)
    used_resource: bool | None = _field(values.boolean)
    used_learning: bool | None = _field(values.boolean)
    specific_action: bool | None = _field(values.boolean)
    comments: str | None = _field(values.text)


RECORD_TYPES = (
    Partnership, Agency, Course, Session, Delegate,
    Booking, Evaluation, FollowUp, Feedback, Spend,
    Resource, ResourceAccess, ResourceFollowUp,
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
    recipe = _recipe(record_type)
    converted, problems = {}, []
    for name, converter, has_default, seen in recipe.fields:
        raw = row.get(name)
        if raw is None:
            if has_default:
                continue
        elif type(raw) is str:
            value = seen.get(raw, _UNSEEN)
            if value is not _UNSEEN:
                converted[name] = value
                continue
        try:
            value = converter(raw) if converter else raw
        except ValueError as error:
            problems.append(FieldProblem(name, raw, str(error)))
            continue
        converted[name] = value
        if type(raw) is str:
            if len(seen) >= _SEEN_LIMIT:
                seen.clear()
            seen[raw] = value
    if problems:
        return None, problems
    try:
        return recipe.make(converted), []
    except FieldError as error:
        return None, [FieldProblem(error.field, row.get(error.field), str(error))]


def build_columns(record_type, columns: dict[str, list], count: int) -> tuple[dict[str, list], set[int]] | None:
    """Convert ``count`` rows given a column at a time (field name → raw values), as :func:`build` would row by row.

    Returns every field's converted values and the indexes of the rows with a bad
    field (their values are placeholders: :func:`build` on such a row gives its
    problems). A field absent from ``columns`` takes its default. Returns ``None``
    for a record type with validators across fields or its own ``__init__`` work,
    which must be made row by row.
    """
    recipe = _recipe(record_type)
    if recipe.validated or not recipe.direct:
        return None
    converted, bad = {}, set()
    for name, converter, has_default, seen in recipe.fields:
        raw = columns.get(name)
        if raw is None:
            raw = [None] * count
        converted[name] = _convert_column(recipe, name, converter, has_default, seen, raw, bad)
    return converted, bad


def make(record_type, converted: dict):
    """A record from values already converted (as :func:`build_columns` gives them), without converting them again."""
    return _recipe(record_type).make(converted)


def _convert_column(recipe, name, converter, has_default, seen, raw: list, bad: set) -> list:
    plain = getattr(converter, "plain", None)
    if plain is not None:
        # Values the converter would give back unchanged (most emails) are checked
        # in one pass; the seen-values cache would only churn on them.
        try:
            if all(map(plain.fullmatch, raw)):
                return list(raw)
        except TypeError:  # a cell that is not text (a number or a date from a workbook)
            pass
        out = [value if type(value) is str and plain.fullmatch(value) else _UNSEEN for value in raw]
    else:
        out = list(map(seen.get, raw, itertools.repeat(_UNSEEN, len(raw))))
        if _UNSEEN not in out:
            return out
    for index, value in enumerate(out):
        if value is not _UNSEEN:
            continue
        value = raw[index]
        if value is None and has_default:
            out[index] = recipe.defaults[name]
            continue
        if plain is None:  # seen since the column was looked up, further up the same column
            result = seen.get(value, _UNSEEN)
            if result is not _UNSEEN:
                out[index] = result
                continue
        try:
            result = converter(value) if converter else value
        except ValueError:
            bad.add(index)
            out[index] = None
            continue
        out[index] = result
        if type(value) is str and plain is None:
            if len(seen) >= _SEEN_LIMIT:
                seen.clear()
            seen[value] = result
    return out


class _Recipe:
    """How :func:`build` makes one record type: its fields, their converters and defaults.

    Converters are pure functions, so each field remembers what the text values
    it last saw converted to (a few thousand at most: session codes, scores,
    course codes and key actions repeat row after row) and converts each only
    once; a value that fails is converted, and reported, every time.

    The values :func:`build` passes on are already converted, and every converter
    gives back what it is given once converted, so the record is made without
    running the converters a second time (as ``record_type(**converted)`` would):
    fields are set directly, then the validators run as attrs would run them.
    A class this shortcut does not fit (a factory default, a post-init hook) is
    made through its own ``__init__``.
    """

    def __init__(self, record_type):
        fields = attrs.fields(record_type)
        self.record_type = record_type
        self.fields = [(f.name, f.converter, f.default is not attrs.NOTHING, {}) for f in fields]
        self.names = [f.name for f in fields]
        self.validated = any(f.validator is not None for f in fields)
        self.direct = not hasattr(record_type, "__attrs_post_init__") and not any(
            isinstance(f.default, attrs.Factory) for f in fields
        )
        self.defaults = {}
        if self.direct:
            for f in fields:
                if f.default is not attrs.NOTHING:
                    self.defaults[f.name] = f.converter(f.default) if f.converter else f.default

    def make(self, converted: dict):
        if not self.direct:
            return self.record_type(**converted)
        instance = object.__new__(self.record_type)
        for name in self.names:
            _set(instance, name, converted[name] if name in converted else self.defaults[name])
        if self.validated:
            attrs.validate(instance)
        return instance


_set = object.__setattr__
_SEEN_LIMIT = 4096
_UNSEEN = object()
_RECIPES: dict = {}


def _recipe(record_type) -> _Recipe:
    recipe = _RECIPES.get(record_type)
    if recipe is None:
        recipe = _RECIPES[record_type] = _Recipe(record_type)
    return recipe
