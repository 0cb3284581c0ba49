"""Survey responses (Microsoft Forms, Google Forms) as Evaluation or FollowUp records.

A form's questions are recognised by their wording (see :func:`recognise`);
a mapping file names the ones worded otherwise. A form holding before/after
ratings or key actions gives evaluations; one asking whether the learning was
used or specific action taken gives follow-ups. Each tool's importer reads
its file and says which of its own columns hold the email, the name and the
submission time; everything else happens here, once for both tools.
"""

from __future__ import annotations

import re
from pathlib import Path

import attrs

from .. import model, values
from . import Issue, Parsed, clock, lookup, mapping, tables

EVALUATION_FIELDS = tuple(f.name for f in attrs.fields(model.Evaluation) if f.name not in ("session", "email"))
FOLLOWUP_FIELDS = ("used_learning", "specific_action", "knowledge", "skills", "confidence", "comments")
ABOUT_FIELDS = ("email", "name", "session", "session_date", "course", "submitted")
FIELDS = EVALUATION_FIELDS + FOLLOWUP_FIELDS + ABOUT_FIELDS
ACTIONS = ("action_1", "action_2", "action_3")

_DIMENSIONS = (
    ("knowledge", re.compile(r"\b(knowledge|understanding)\b")),
    ("skills", re.compile(r"\bskills?\b")),
    ("confidence", re.compile(r"\bconfiden(ce|t)\b")),
)
_RATING = re.compile(r"\b(rate|rating|scale|score)\b|out of 10|\b1\s*(-|–|to|and)\s*10\b")
_BEFORE = re.compile(r"\b(before|prior to|at the start|beginning)\b")
_AFTER = re.compile(r"\b(after|following|at the end|as a result|now)\b")
_COMMENT = re.compile(
    r"\b(comments?|examples?|tell us|anything else|describe|explain|give details|what difference|how have you)\b"
)
_SPECIFIC = re.compile(r"\b(specific action|taken action|taken any action|taken actions)\b")
_USED = re.compile(r"\b(used|applied|use of|put)\b.*\b(learning|learnt|learned|training|into practice)\b")
_ACTION = re.compile(r"\bactions?\b")
_YES_NO = re.compile(r"^(have|has|did|do|does|are|were|is|was)\b")
_PAST = re.compile(r"\b(taken|took|have you|did you)\b")
_SESSION_DATE = re.compile(
    r"\bdate\b.*\b(training|session|course|event)\b|\b(training|session|course|event) date\b|\bwhen did you attend\b"
)
_SESSION = re.compile(r"^session\b|\bsession code\b|\bwhich session\b")
_COURSE = re.compile(
    r"^course\b|\bwhich (course|training)\b|\b(course|training) (title|name)\b"
    r"|\bname of the (course|training)\b|\bwhat (course|training)\b"
)
_DEFAULT_ANSWERS = {"not_yet": False, "not_as_yet": False}


def recognise(heading) -> str | None:
    """The field a question's wording asks for, ``rating:<dimension>`` for a rating with no before/after, or ``None``."""
    text = tables.header_key(heading).replace("\u2019", "'")
    for dimension, pattern in _DIMENSIONS:
        if pattern.search(text) and _RATING.search(text):
            if _BEFORE.search(text):
                return f"{dimension}_pre"
            if _AFTER.search(text):
                return f"{dimension}_post"
            return f"rating:{dimension}"
    if _YES_NO.match(text):
        if _SPECIFIC.search(text) or _ACTION.search(text):
            return "specific_action"
        if _USED.search(text):
            return "used_learning"
    if _ACTION.search(text) and not _PAST.search(text):
        return "action"  # "What are the three key actions you will take?"
    if _COMMENT.search(text):
        return "comments"
    if _SPECIFIC.search(text):
        return "specific_action"
    if _USED.search(text):
        return "used_learning"
    if "email" in text or "e-mail" in text:
        return "email"
    if _SESSION_DATE.search(text):
        return "session_date"
    if _SESSION.search(text):
        return "session"
    if _COURSE.search(text):
        return "course"
    return None


@attrs.define
class Plan:
    """Which column holds which field, and whether the form gives evaluations or follow-ups."""

    record_type: type | None = None
    columns: dict = attrs.field(factory=dict)  # field -> [column index, ...]
    header: list = attrs.field(factory=list)
    split_actions: bool = False
    problem: str | None = None

    def heading(self, field: str) -> str:
        indexes = self.columns.get(field)
        return self.header[indexes[0]] if indexes else field


def _side_of_file(stem: str) -> str | None:
    words = set(re.findall(r"[a-z]+", stem.casefold()))
    if words & {"pre", "before"}:
        return "pre"
    if words & {"post", "after"}:
        return "post"
    return None


def make_plan(header: list, given: mapping.Mapping, tool_columns: dict, stem: str) -> Plan:
    """Assign the columns of a form's header to fields (the tool's own columns first, then the mapping)."""
    plan = Plan(header=header)
    found: dict[str, list[int]] = {}
    automatic_actions = []
    for index, heading in enumerate(header):
        field = given.field_of(heading)
        if field is None:
            field = next((name for name, column in tool_columns.items() if column == index), None)
        if field is None:
            field = recognise(heading)
            if field == "action":
                automatic_actions.append(index)
                continue
        if field:
            found.setdefault(field, []).append(index)
    for number, index in enumerate(automatic_actions[:3]):
        found.setdefault(ACTIONS[number], []).append(index)
    plan.split_actions = len(automatic_actions) == 1 and not any(a in found for a in ACTIONS[1:])

    followup = bool({"used_learning", "specific_action"} & set(found)) or any(
        given.field_of(h) in ("knowledge", "skills", "confidence") for h in header
    )
    side = _side_of_file(stem)
    columns = {}
    for field, indexes in found.items():
        if field.startswith("rating:"):
            dimension = field.split(":", 1)[1]
            field = dimension if followup else (f"{dimension}_{side}" if side else None)
        elif followup and field.endswith("_post") and field[:-5] in model.DIMENSIONS:
            field = field[:-5]
        elif followup and (field.endswith("_pre") or field in ACTIONS):
            field = None
        if field:
            columns.setdefault(field, []).extend(indexes)
    if not followup:
        columns.pop("comments", None)
    plan.columns = columns
    evaluation = [f for f in EVALUATION_FIELDS if f in columns]
    if followup:
        plan.record_type = model.FollowUp
    elif evaluation:
        plan.record_type = model.Evaluation
    else:
        plan.problem = ("no evaluation questions (ratings before/after the training, key actions) or follow-up "
                        "questions (used the learning, specific action) recognised; name them in a mapping file "
                        "with --mapping (see docs/importing.md)")
    if "email" not in columns:
        plan.problem = "no email column: responses cannot be matched to delegates; collect email addresses in the form"
    return plan


def split_actions(text) -> list[str]:
    """Up to three key actions from one answer: one per line, or numbered ``1. … 2. …``."""
    if values.is_missing(text):
        return []
    lines = [line for line in re.split(r"\s*[\r\n]+\s*", str(text).strip()) if line]
    if len(lines) == 1:
        lines = [part for part in re.split(r"(?:^|\s+)\(?\d\s*[.):]\s+", lines[0]) if part.strip()]
    actions = [re.sub(r"^(?:\(?\d\s*[.):]|[-•*])\s*", "", line).strip() for line in lines]
    actions = [action for action in actions if action]
    if len(actions) > 3:
        actions = actions[:2] + ["; ".join(actions[2:])]
    return actions


def read_file(path: Path, options: dict, tool_columns):
    """Yield records and issues for a responses file; ``tool_columns(header)`` names the tool's own columns."""
    rows = tables.raw_rows(Path(path))
    try:
        header_number, header = next(rows)
    except StopIteration:
        return
    header = [str(cell).replace("\ufeff", "").strip() for cell in header]
    yield from read_responses(path, header_number, header, rows, options, tool_columns=tool_columns(header))


def read_responses(path: Path, header_number: int, header: list, rows, options: dict, *, tool_columns: dict):
    """Yield records and issues for the responses in ``rows`` (pairs of row number and cells)."""
    path = Path(path)
    given = mapping.from_options(options)
    given.check_fields(FIELDS, "survey responses")
    plan = make_plan(header, given, tool_columns, path.stem)
    if plan.problem:
        yield Issue(path.name, header_number, None, None, plan.problem)
        return
    reader = _Responses(path, plan, given, options)
    if reader.option_problem:
        yield Issue(path.name, None, None, options.get("session"), reader.option_problem)
        return
    rows = list(rows)
    submitted = plan.columns.get("submitted", [])
    reader.month_first = clock.month_first(cells[i] for _, cells in rows for i in submitted if i < len(cells))
    for number, cells in rows:
        yield from reader.read_row(number, cells)
    yield from reader.results()


class _Responses:
    def __init__(self, path: Path, plan: Plan, given: mapping.Mapping, options: dict):
        self.path, self.plan, self.mapping, self.options = path, plan, given, options
        self.lookup = lookup.Lookup(options.get("store"))
        self.month_first = False
        self.kept: dict[tuple, tuple] = {}
        self.names: dict[str, tuple[int, str]] = {}
        self.option_session = None
        self.option_problem = None
        if values.text(options.get("session")) is not None:
            self.option_session, self.option_problem = lookup.session_from_options(self.lookup, options)
        self.option_course = values.text(options.get("course"))
        self.option_day = lookup.option_date(options)

    def issue(self, number, field, value, reason) -> Issue:
        field = "submitted" if field == "date" else field
        return Issue(self.path.name, number, self.plan.heading(field) if field else None, value, reason)

    def answers(self, cells, field) -> list:
        found = []
        for index in self.plan.columns.get(field, []):
            raw = cells[index] if index < len(cells) else None
            raw = self.mapping.translate(field, raw)
            if not values.is_missing(raw):
                found.append(raw)
        if not found and field in self.mapping.fixed:
            found.append(self.mapping.fixed[field])
        return found

    def first(self, cells, field):
        answers = self.answers(cells, field)
        return answers[0] if answers else None

    def read_row(self, number: int, cells: list):
        emails = [raw for raw in self.answers(cells, "email") if str(raw).strip().casefold() != "anonymous"]
        if not emails:
            yield self.issue(number, "email", None, "no email address: the response cannot be matched to a delegate")
            return
        try:
            email = values.email(emails[0])
        except ValueError as error:
            yield self.issue(number, "email", emails[0], str(error))
            return
        session, problem, field, value = self.session(cells, email)
        if session is None:
            yield self.issue(number, field, value, problem)
            return
        row, problems = self.fields(number, cells)
        row.update(session=session, email=email)
        record_type = self.plan.record_type
        if record_type is model.Evaluation:
            known = self.lookup.evaluation(session, email)
            for name in EVALUATION_FIELDS:
                if name not in self.plan.columns and not (self.plan.split_actions and name in ACTIONS):
                    row[name] = known.get(name)  # asked in the other form (before / after): keep its answer
        record, field_problems = model.build(record_type, row)
        for problem in field_problems:
            if not (problem.field == "date" and problems):  # a bad timestamp is reported once, below
                yield self.issue(number, problem.field, problem.value, problem.reason)
        if field_problems or problems:
            yield from problems
            return
        self.kept[(session, email)] = (number, record)
        name = values.text(self.first(cells, "name"))
        if name and email not in self.names:
            self.names[email] = (number, name)

    def session(self, cells, email):
        """``(code, None, None, None)`` or ``(None, reason, field, value)``."""
        if self.option_session or self.option_problem:
            return self.option_session, self.option_problem, None, self.options.get("session")
        code = values.text(self.first(cells, "session"))
        if code is not None:
            if self.lookup.session_exists(code):
                return code, None, None, None
            return None, "no such session (import the sessions first)", "session", code
        course_given = self.first(cells, "course")
        course_value = course_given if course_given is not None else self.option_course
        if course_value is None:
            return None, ("the response does not say which session it is about: give --session, or --course "
                          "(with --date), or ask for the course and its date in the form"), None, None
        course, problem = self.lookup.course_code(course_value)
        if course is None:
            return None, problem, "course" if course_given is not None else None, course_value
        raw_day = self.first(cells, "session_date")
        if raw_day is not None:
            try:
                day = clock.parse_datetime(raw_day, month_first=False).date()
            except ValueError as error:
                return None, str(error), "session_date", raw_day
            code, problem = self.lookup.session_on(course, day)
            return code, problem, "session_date", raw_day
        if self.option_day is not None:
            code, problem = self.lookup.session_on(course, self.option_day)
            return code, problem, None, self.options.get("date")
        code, problem = self.lookup.attended_session(course, email)
        return code, problem, "course" if course_given is not None else None, course_value

    def fields(self, number, cells) -> tuple[dict, list]:
        row, problems = {}, []
        for field in self.plan.columns:
            if field in ABOUT_FIELDS or field in ACTIONS:
                continue
            answers = self.answers(cells, field)
            if field == "comments":
                row[field] = "\n".join(str(answer).strip() for answer in answers) or None
            else:
                answer = answers[0] if answers else None
                if field in ("used_learning", "specific_action") and isinstance(answer, str):
                    answer = _DEFAULT_ANSWERS.get(values.slug(answer), answer)
                row[field] = answer
        actions = [self.first(cells, name) for name in ACTIONS]
        if self.plan.split_actions:
            actions = split_actions(actions[0]) + [None, None, None]
        for name, action in zip(ACTIONS, actions):
            row[name] = action
        if self.plan.record_type is model.FollowUp:
            raw = self.first(cells, "submitted")
            try:
                row["date"] = clock.parse_datetime(raw, month_first=self.month_first).date()
            except ValueError as error:
                problems.append(self.issue(number, "submitted", raw, str(error)))
        return row, problems

    def results(self):
        for (session, email), (number, record) in self.kept.items():
            if email in self.names and not self.lookup.knows_name_of(email):
                row, name = self.names.pop(email)
                yield Parsed(row, model.Delegate(email=email, name=name), {"email": self.plan.heading("email")})
            columns = {field: self.plan.heading(field) for field in self.plan.columns}
            columns.update(session=self.plan.heading("session"), date=self.plan.heading("submitted"))
            yield Parsed(number, record, columns)
