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
from . import Issue, Omitted, Parsed, RowsRead, clock, lookup, mapping, tables
from .catalogue import closest_email

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
_BEFORE = re.compile(r"\b(before|prior to|at the start|beginning|start|pre)\b")
_AFTER = re.compile(r"\b(after|following|at the end|end|as a result|now|post)\b")
_COMMENT = re.compile(
    r"\b(comments?|examples?|tell us|anything else|describe|explain|give details|what difference|how have you)\b"
)
_SPECIFIC = re.compile(r"\b(specific action|specific actions|taken action|taken any action|taken actions)\b")
_USED = re.compile(r"\b(used|applied|use of|put)\b.*\b(learning|learnt|learned|training|into practice)\b")
_ACTION = re.compile(r"\bactions?\b")
_YES_NO = re.compile(r"^(have|has|did|do|does|are|were|is|was)\b")
_PAST = re.compile(r"\b(taken|took|have you|did you)\b")
_SESSION_DATE = re.compile(
    r"\bdate\b.*\b(training|session|course|event)\b|\b(training|session|course|event) date\b|\bwhen did you attend\b"
    r"|\bwhich (date|day)\b|\bdate (you )?attended\b"
)
_SESSION = re.compile(r"^session\b|\bsession code\b|\bwhich session\b")
_COURSE = re.compile(
    r"^course\b|\bwhich (course|training)\b|\b(course|training) (title|name)\b"
    r"|\bname of the (course|training)\b|\bwhat (course|training)\b"
)
_DEFAULT_ANSWERS = {"not_yet": False, "not_as_yet": False}


def recognise(heading, *, ratings: bool = False) -> str | None:
    """The field a question's wording asks for, ``rating:<dimension>`` for a rating with no before/after, or ``None``.

    With ``ratings`` (a register's headings, all of whose dimension columns are
    ratings) "Knowledge before" is a rating without saying "rate".
    """
    text = tables.header_key(heading).replace("\u2019", "'")
    for dimension, pattern in _DIMENSIONS:
        if pattern.search(text) and (_RATING.search(text) or (ratings and (_BEFORE.search(text) or _AFTER.search(text)))):
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
    choices: dict = attrs.field(factory=dict)  # field -> [column index, ...] of multi-select questions naming it
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


def multi_select(header: list, rows: list, taken) -> dict[str, list[int]]:
    """The multi-select questions whose options say "used the learning" or "specific action".

    Forms joins the options ticked with ``;`` (Google with ``,``): "Used the
    learning in my everyday work;Taken specific action in the workplace;".
    Returns ``{field: [column index, ...]}`` for columns not already taken.
    """
    found: dict[str, list[int]] = {}
    for index in range(len(header)):
        if index in taken:
            continue
        fields = set()
        for _, cells in rows[:2000]:
            answer = cells[index] if index < len(cells) else None
            if isinstance(answer, str) and answer.strip():
                fields.update(option_field(option) for option in options_of(answer))
        for field in ("used_learning", "specific_action"):
            if field in fields:
                found.setdefault(field, []).append(index)
    return found


def option_field(option) -> str | None:
    """``specific_action`` or ``used_learning`` for an option that says it ("Taking specific action in the workplace")."""
    text = tables.header_key(option)
    if _SPECIFIC.search(text):
        return "specific_action"
    if _USED.search(text):
        return "used_learning"
    return None


def options_of(answer) -> list[str]:
    """The options of a multi-select answer: ``A;B;C`` (Microsoft) or ``A, B`` (Google)."""
    return [option.strip() for option in re.split(r"[;,]", str(answer)) if option.strip()]


def make_plan(header: list, given: mapping.Mapping, tool_columns: dict, stem: str, rows=()) -> Plan:
    """Assign the columns of a form's header to fields (the tool's own columns first, then the mapping),
    and find the multi-select questions among the rest from their answers in ``rows``."""
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
    # A question worded like one of the answers ("...have you used the learning or taken specific action?
    # tick all that apply") is a multi-select when its answers are options, not yes or no.
    answers_of = ("comments", "used_learning", "specific_action")
    taken = {index for field, indexes in found.items() if field not in answers_of for index in indexes}
    chosen = multi_select(header, list(rows), taken | set(automatic_actions))
    for indexes in chosen.values():
        for field in answers_of:
            found[field] = [index for index in found.get(field, []) if index not in indexes]
    found = {field: indexes for field, indexes in found.items() if indexes}
    plan.choices = {field: indexes for field, indexes in chosen.items() if field not in found}

    followup = bool({"used_learning", "specific_action"} & (set(found) | set(plan.choices))) or any(
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
    if "comments" in columns:
        chosen = {index for indexes in plan.choices.values() for index in indexes}
        columns["comments"] = [index for index in columns["comments"] if index not in chosen] or columns.pop("comments")
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
    header_number, header, rows = tables.table(Path(path))
    if header_number is None:
        return
    yield from read_responses(path, header_number, header, rows, options, tool_columns=tool_columns(header))


def read_responses(path: Path, header_number: int, header: list, rows, options: dict, *, tool_columns: dict):
    """Yield records and issues for the responses in ``rows`` (pairs of row number and cells)."""
    path = Path(path)
    given = mapping.from_options(options)
    given.check_fields(FIELDS, "survey responses")
    rows = list(rows)
    plan = make_plan(header, given, tool_columns, path.stem, rows)
    if plan.problem:
        yield Issue(path.name, header_number, None, None, plan.problem, whole_file=True)
        return
    reader = _Responses(path, plan, given, options)
    if reader.option_problem:
        yield Issue(path.name, None, None, options.get("session"), reader.option_problem)
        return
    yield RowsRead(len(rows))
    submitted = plan.columns.get("submitted", [])
    reader.month_first = clock.month_first(cells[i] for _, cells in rows for i in submitted if i < len(cells))
    for number, cells in rows:
        found = list(reader.read_row(number, cells))
        yield from reader.lookup.catalogue.take()
        yield from found
    yield from reader.results()


class _Responses:
    def __init__(self, path: Path, plan: Plan, given: mapping.Mapping, options: dict):
        self.path, self.plan, self.mapping, self.options = path, plan, given, options
        self.lookup = lookup.Lookup(options.get("store"))
        self.month_first = False
        self.kept: dict[tuple, tuple] = {}
        self.registers: dict[str, set] = {}
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
        stranger = self.stranger(number, session, email)
        if stranger:
            yield stranger
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
        earlier = self.kept.get((session, email))
        if earlier:
            yield Omitted(self.path.name, earlier[0], self.plan.heading("email"), email,
                          f"the same person answered again in row {number}: the later answer is kept", superseded=True)
        self.kept[(session, email)] = (number, record)
        name = values.text(self.first(cells, "name"))
        if name and email not in self.names:
            self.names[email] = (number, name)

    def stranger(self, number, session, email) -> Omitted | None:
        """A response from someone neither booked on nor present at its session, left out (unless accepted)."""
        if self.options.get("accept_unregistered"):
            return None
        register = self.registers.get(session)
        if register is None:
            register = self.registers[session] = self.lookup.register(session)
        if not register or email in register:
            return None  # a session with no register cannot be checked against one
        reason = f"answered by someone neither booked on nor present at {session}: not counted"
        suggestion = closest_email(email, register)
        if suggestion:
            reason += f"; did you mean {suggestion}?"
        return Omitted(self.path.name, number, self.plan.heading("email"), email,
                       reason + " (--accept-unregistered counts such answers)")

    def session(self, cells, email):
        """``(code, None, None, None)`` or ``(None, reason, field, value)``."""
        if self.option_session or self.option_problem:
            return self.option_session, self.option_problem, None, self.options.get("session")
        catalogue = self.lookup.catalogue
        code = values.text(self.first(cells, "session"))
        if code is not None and self.lookup.session_exists(code):
            return code, None, None, None
        course_given = self.first(cells, "course")
        course_value = course_given if course_given is not None else self.option_course
        if course_value is None:
            if code is not None:
                return None, ("no session has this code, and no course is given to find it by its day: "
                              "give --course"), "session", code
            return None, ("the response does not say which session it is about: give --session, or --course "
                          "(with --date), or ask for the course and its date in the form"), None, None
        course, problem = catalogue.course(course_value, create=course_given is None)
        if course is None:
            return None, problem, "course" if course_given is not None else None, course_value
        field, raw_day = ("session", code) if code is not None else ("session_date", self.first(cells, "session_date"))
        if raw_day is not None:
            label = clock.day_label(raw_day, self.submitted_day(cells), month_first=self.month_first)
            if label is None:
                return None, "names no day the session ran (such as Tuesday 3 September 2024)", field, raw_day
            code, problem = catalogue.session(course, label.day, part=label.part)
            return code, problem, field, raw_day
        if self.option_day is not None:
            code, problem = catalogue.session(course, self.option_day)
            return code, problem, None, self.options.get("date")
        code, problem = self.lookup.attended_session(course, email)
        return code, problem, "course" if course_given is not None else None, course_value

    def submitted_day(self, cells):
        try:
            return clock.parse_datetime(self.first(cells, "submitted"), month_first=self.month_first).date()
        except (ValueError, TypeError):
            return None

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
        for field, indexes in self.plan.choices.items():
            answers = [cells[index] for index in indexes if index < len(cells) and not values.is_missing(cells[index])]
            if answers:
                row[field] = any(option_field(option) == field for answer in answers for option in options_of(answer))
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
