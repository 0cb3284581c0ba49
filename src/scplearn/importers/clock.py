"""Times of day and durations as exports write them.

Teams writes ``15/11/22, 09:30:17`` and ``2h 36m 28s``; Google Forms writes
``2024/12/03 10:15:32 AM GMT``; Excel gives real datetimes. Dates are read
day first, as in the UK, unless a file shows otherwise (see
:func:`month_first`). Time zones are ignored: times are only compared with
other times of the same file.
"""

from __future__ import annotations

import datetime as dt
import re

import attrs

from .. import values

_TIME = re.compile(
    r"[ ,T]*(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?"
    r"\s*(?P<half>[AaPp]\.?\s?[Mm]\.?)?"
    r"\s*(?:(?:GMT|UTC|BST)\s*(?:[+-]\s*\d{1,2}(?::?\d{2})?)?|Z|[+-]\d{2}:?\d{2})?\s*$"
)
_NUMERIC = re.compile(r"^(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})$")
_PROBLEM = "must be a date and time such as 03/09/2024, 09:55:12"


def month_first(texts) -> bool:
    """True when a file's dates are American, month first: some ``a/b/yyyy`` has ``b`` above 12,
    or a day written ``a/b/yy`` comes with an AM/PM clock (``11/4/2020, 9:50:12 AM``), as only US
    settings write them."""
    for text in texts:
        date_text, time = _split(str(text))
        match = _NUMERIC.match(date_text)
        if match and len(match.group(1)) <= 2:
            first, second = int(match.group(1)), int(match.group(2))
            if second > 12 >= first or (time is not None and time.group("half")):
                return True
    return False


def _split(text: str) -> tuple[str, re.Match | None]:
    text = text.strip()
    match = _TIME.search(text)
    if match is None:
        return text.rstrip(", "), None
    return text[: match.start()].rstrip(", "), match


def parse_date(text: str, *, month_first: bool = False) -> dt.date:
    """A date: ``2024/12/03`` and ``2024-12-03`` year first, ``03/12/2024`` day first (or month first if told)."""
    match = _NUMERIC.match(text.strip())
    if match:
        a, b, c = (int(part) for part in match.groups())
        if len(match.group(1)) == 4:
            year, month, day = a, b, c
        elif month_first:
            month, day, year = a, b, c
        else:
            day, month, year = a, b, c
        if year < 100:
            year += 2000
        try:
            return dt.date(year, month, day)
        except ValueError:
            raise ValueError(_PROBLEM) from None
    result = values.date(text)
    if result is None:
        raise ValueError(_PROBLEM)
    return result


def parse_datetime(value, *, month_first: bool = False) -> dt.datetime:
    """A date with an optional time of day, from a cell of any export."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if values.is_missing(value):
        raise ValueError("is required")
    date_text, time = _split(str(value))
    try:
        day = parse_date(date_text, month_first=month_first)
    except ValueError:
        raise ValueError(_PROBLEM) from None
    if time is None:
        return dt.datetime.combine(day, dt.time())
    hour, minute = int(time.group("hour")), int(time.group("minute"))
    second = int(time.group("second") or 0)
    half = (time.group("half") or "").replace(".", "").replace(" ", "").casefold()
    if half:
        if not 1 <= hour <= 12:
            raise ValueError(_PROBLEM)
        hour = hour % 12 + (12 if half == "pm" else 0)
    try:
        return dt.datetime.combine(day, dt.time(hour, minute, second))
    except ValueError:
        raise ValueError(_PROBLEM) from None


_UNITS = {
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours", "heure", "heures", "std", "stunde", "stunden", "hora",
                     "horas", "ora", "ore", "uur", "u", "godz", "godzina", "godziny", "godzin", "t", "timer"), 3600),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes", "minuten", "minuto", "minutos", "minuti", "minuut",
                     "minut", "minuty"), 60),
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds", "seconde", "secondes", "sek", "sekunde", "sekunden",
                     "seg", "segundo", "segundos", "secondo", "secondi", "seconden", "sekund", "sekundy"), 1),
}
"""Units of time as Teams writes them in English, French, German, Spanish, Italian, Portuguese, Dutch and Polish."""
_PART = re.compile(r"(\d+(?:[.,]\d+)?)\s*([^\W\d_]+)\.?")
_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})$")


def parse_duration(value) -> dt.timedelta:
    """A length of time: ``2h 36m 28s``, ``1 hr 5 min``, ``45m``, ``2 godz. 19 min 19 s``, ``01:02:03`` (h:m:s) or ``02:03`` (m:s)."""
    if isinstance(value, dt.timedelta):
        return value
    if isinstance(value, dt.time):
        return dt.timedelta(hours=value.hour, minutes=value.minute, seconds=value.second)
    if values.is_missing(value):
        raise ValueError("is required")
    text = str(value).strip().casefold()
    problem = "must be a duration such as 1h 25m 10s"
    clock = _CLOCK.match(text)
    parts = _PART.findall(text)
    if not clock and (not parts or _PART.sub("", text).strip() or any(unit not in _UNITS for _, unit in parts)):
        raise ValueError(problem)
    try:
        if clock:
            hours, minutes, seconds = (int(part or 0) for part in clock.groups())
            return dt.timedelta(hours=hours, minutes=minutes, seconds=seconds)
        return dt.timedelta(seconds=sum(float(number.replace(",", ".")) * _UNITS[unit] for number, unit in parts))
    except OverflowError:
        raise ValueError(problem) from None


_MONTH_NAMES = {
    **{dt.date(2000, n, 1).strftime("%B").casefold(): n for n in range(1, 13)},
    **{dt.date(2000, n, 1).strftime("%b").casefold(): n for n in range(1, 13)},
    "sept": 9,
}
_DAY_MONTH = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]{3,9})\.?,?(?:\s+(\d{4}))?\b")
_MONTH_DAY = re.compile(r"\b([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b,?(?:\s+(\d{4}))?")
_NUMBERS = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b|\b(\d{1,2})[/.](\d{1,2})[/.](\d{2}|\d{4})\b")
_HOUR = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?(?=\s*(?:-|–|to|until|$|\)|,|\s))")
_PARTS = (("am", re.compile(r"\bmorning\b|\ba\.?m\b")), ("pm", re.compile(r"\bafternoon\b|\bp\.?m\b")),
          ("eve", re.compile(r"\bevening\b|\btwilight\b")))


@attrs.frozen
class DayLabel:
    """What a label such as ``Tuesday 3 September 2024 (morning)`` says: the day, the part of it, its hours."""

    day: dt.date
    part: str | None = None  # "am", "pm" or "eve"
    hours: float | None = None


def day_label(text, near: dt.date | None = None, *, month_first: bool = False) -> DayLabel | None:
    """The day a ticket type, event date or survey answer names, or ``None`` if it names none.

    Reads ``Tuesday 3 September 2024 (morning)``, ``3rd Sept 2024, 9:30-12:30``,
    ``September 3, 2024``, ``03/09/2024 PM`` and ``2024-09-03``. A day given
    without its year (``Tues 3 Sept``) takes the year that puts it nearest
    ``near`` (a booking or response date), or is not read without one.
    """
    if isinstance(text, dt.datetime):
        return DayLabel(text.date(), "am" if text.hour < 12 else "pm")
    if isinstance(text, dt.date):
        return DayLabel(text)
    if values.is_missing(text):
        return None
    words = str(text).casefold()
    day = _find_day(words, near, month_first)
    if day is None:
        return None
    part = next((name for name, pattern in _PARTS if pattern.search(words)), None)
    hours, start = _schedule(words)
    if part is None and start is not None:
        part = "am" if start < 12 else ("pm" if start < 17 else "eve")
    return DayLabel(day, part, hours)


def _find_day(words: str, near, month_first) -> dt.date | None:
    match = _NUMBERS.search(words)
    if match:
        try:
            if match.group(1):
                return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            first, second, year = int(match.group(4)), int(match.group(5)), int(match.group(6))
            year += 2000 if year < 100 else 0
            return dt.date(year, first, second) if month_first else dt.date(year, second, first)
        except ValueError:
            return None
    for pattern, day_at, month_at in ((_DAY_MONTH, 1, 2), (_MONTH_DAY, 2, 1)):
        for found in pattern.finditer(words):
            month = _MONTH_NAMES.get(found.group(month_at))
            if month is None:
                continue
            day, year = int(found.group(day_at)), found.group(3)
            try:
                if year:
                    return dt.date(int(year), month, day)
                if near is None:
                    return None
                options = [dt.date(near.year + offset, month, day) for offset in (-1, 0, 1)]
                return min(options, key=lambda option: abs((option - near).days))
            except ValueError:
                return None
    return None


def _schedule(words: str) -> tuple[float | None, float | None]:
    """Hours between the first two times of day in a label (``9:30-12:30`` is 3), and the first time's hour."""
    times = []
    for found in _HOUR.finditer(words):
        if not found.group(2) and not found.group(3):
            continue  # a bare number is a day, not a time
        hour = int(found.group(1)) + int(found.group(2) or 0) / 60
        half = (found.group(3) or "").replace(".", "")
        if half == "pm" and hour < 12:
            hour += 12
        if hour < 24:
            times.append(hour)
    if not times:
        return None, None
    hours = times[1] - times[0] if len(times) > 1 and times[1] > times[0] else None
    return hours, times[0]
