"""How figures are written in a published report: numbers, plurals, changes and quotes.

Every function takes a figure and returns words, so that a sentence reads
right whatever the data: "1 event" and "2 events", "higher than" or "lower
than" (never "an increase" when a figure fell), "1,286" with its thousands
separator, whole percentages, points to one decimal place.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

SUPPRESSED = "fewer than {threshold}"
"""How a count hidden by the disclosure rules reads in the text."""


def _round_half_up(value: float, places: int = 0) -> Decimal:
    exponent = Decimal(1).scaleb(-places)
    return Decimal(repr(float(value))).quantize(exponent, rounding=ROUND_HALF_UP)


def number(value) -> str:
    """A whole number with thousands separators: ``1286`` → ``1,286``."""
    return f"{int(_round_half_up(value)):,}"


def plural(count, singular: str, plural_form: str | None = None) -> str:
    """``1 event``, ``2 events``, ``1,286 delegates``; ``plural_form`` for irregular nouns."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{number(count)} {word}"


def some(count, singular: str, plural_form: str | None = None) -> str:
    """Like :func:`plural`, but "a webinar" / "an event" for one: ``1`` → ``a festival of learning``."""
    if count == 1:
        return ("an " if singular[:1].lower() in "aeiou" else "a ") + singular
    return plural(count, singular, plural_form)


def noun(count, singular: str, plural_form: str | None = None) -> str:
    """The noun alone, singular or plural to agree with ``count``."""
    return singular if count == 1 else (plural_form or singular + "s")


def percent(value) -> str:
    """A percentage (given out of 100) as a whole number: ``79.6`` → ``80%``."""
    return f"{int(_round_half_up(value))}%"


def share(value) -> str:
    """A share of a whole (out of 100) as a whole percentage, ``under 1%`` rather than ``0%`` when not nothing."""
    if 0 < value < 0.5:
        return "under 1%"
    return percent(value)


def percent_of_one(value) -> str:
    """A proportion (1.0 is all) as a whole percentage: ``0.853`` → ``85%``."""
    return percent(100 * value)


def points(value) -> str:
    """A change in score points to one decimal place: ``2.34`` → ``2.3``."""
    text = f"{_round_half_up(value, 1):.1f}"
    return "0.0" if text == "-0.0" else text


def signed_points(value) -> str:
    """A change in points with its sign: ``+2.3``, ``-0.4``, ``0.0``."""
    text = points(value)
    return text if text.startswith("-") or text == "0.0" else "+" + text


def whole(value) -> str:
    """A score on a whole-number scale (the net score, -100..+100): ``88.7`` → ``89``."""
    return str(int(_round_half_up(value)))


def listing(items) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    items = [str(item) for item in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def count_or_suppressed(value, threshold: int) -> str:
    """A count that has been through the disclosure policy: ``None`` means suppressed."""
    return SUPPRESSED.format(threshold=threshold) if value is None else number(value)


def _compare(current, previous, up: str, down: str, same: str) -> str:
    if current > previous:
        return up
    if current < previous:
        return down
    return same


def direction(current, previous) -> str:
    """``higher``, ``lower`` or ``the same`` — comparing two figures."""
    return _compare(current, previous, "higher", "lower", "the same")


def more_or_fewer(current, previous) -> str:
    """``more``, ``fewer`` or ``the same`` — comparing two counts of people or events."""
    return _compare(current, previous, "more", "fewer", "the same")


def change(current, previous) -> str:
    """``an increase``, ``a decrease`` or ``no change``."""
    return _compare(current, previous, "an increase", "a decrease", "no change")


def compared(subject: str, current, previous, year: str) -> str:
    """``the number of events was lower than 2022/23 (65)``, or ``the same as in 2022/23 (65)``."""
    way = direction(current, previous)
    if way == "the same":
        return f"{subject} was the same as in {year} ({number(previous)})"
    return f"{subject} was {way} than {year} ({number(previous)})"


def year_on_year(year: str, events: tuple, participation: tuple, what: str = "attendances") -> str:
    """The published comparison sentence, adapting its joining words to the directions.

    ``events`` and ``participation`` are ``(current, previous)`` pairs, and
    ``what`` names the second: "The number of events was lower than 2014/15
    (65), as was the number of attendances (1,661)."
    """
    first = compared("The number of events", *events, year)
    previous = number(participation[1])
    way = direction(*participation)
    if direction(*events) == way:
        return f"{first}, as was the number of {what} ({previous})."
    return f"{first}, while the number of {what} was {way} ({previous} in {year})."


def attribution(role: str | None, course_title: str) -> str:
    """``(Pre-School Assistant, attending Core Awareness in Safeguarding CYP)``."""
    who = (role or "Delegate").strip()
    return f"({who}, attending {course_title.strip()})"


def curly_quoted(text: str) -> str:
    """A quote in typographic double quotes, stripping any straight or curly quotes it came with."""
    return "\u201c" + text.strip().strip("\"'\u201c\u201d\u2018\u2019 ") + "\u201d"
