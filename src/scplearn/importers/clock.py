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

from .. import values

_TIME = re.compile(
    r"[ ,T]*(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?"
    r"\s*(?P<half>[AaPp]\.?[Mm]\.?)?"
    r"\s*(?:(?:GMT|UTC|BST)\s*(?:[+-]\s*\d{1,2}(?::?\d{2})?)?|Z|[+-]\d{2}:?\d{2})?\s*$"
)
_NUMERIC = re.compile(r"^(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})$")
_PROBLEM = "must be a date and time such as 03/09/2024, 09:55:12"


def month_first(texts) -> bool:
    """True when a file's dates can only be month first (some ``a/b/yyyy`` has ``b`` above 12)."""
    for text in texts:
        match = _NUMERIC.match(_split(str(text))[0])
        if match and len(match.group(1)) <= 2:
            first, second = int(match.group(1)), int(match.group(2))
            if second > 12 >= first:
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
    half = (time.group("half") or "").replace(".", "").casefold()
    if half:
        if not 1 <= hour <= 12:
            raise ValueError(_PROBLEM)
        hour = hour % 12 + (12 if half == "pm" else 0)
    try:
        return dt.datetime.combine(day, dt.time(hour, minute, second))
    except ValueError:
        raise ValueError(_PROBLEM) from None


_UNITS = {"h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
          "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
          "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]+)")
_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})$")


def parse_duration(value) -> dt.timedelta:
    """A length of time: ``2h 36m 28s``, ``1 hr 5 min``, ``45m``, ``01:02:03`` (h:m:s) or ``02:03`` (m:s)."""
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
        return dt.timedelta(seconds=sum(float(number) * _UNITS[unit] for number, unit in parts))
    except OverflowError:
        raise ValueError(problem) from None
