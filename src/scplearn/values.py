"""Turning the text found in registers and exports into typed values.

Every parser takes whatever a spreadsheet cell may hold (text, a number, a date,
``None``) and returns a clean value, ``None`` for a missing one, or raises
``ValueError`` with a message a training coordinator can act on. The model's
attrs converters are these functions, so the rules live in one place.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

MISSING = frozenset({"", "n/a", "na", "n.a.", "-", "--", "\u2014", "null", "none given", "#n/a"})


def is_missing(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip().casefold() in MISSING
    return False


def text(value) -> str | None:
    """Trimmed text, with ``None`` for blank and the usual spellings of 'not applicable'."""
    if is_missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def required_text(value) -> str:
    result = text(value)
    if result is None:
        raise ValueError("is required")
    return result


_SCORE = re.compile(r"^\s*(\d+(?:\.0+)?)\s*(?:/\s*10|out\s+of\s+10)?\s*$", re.IGNORECASE)
_PLAIN_SCORES = {str(number): number for number in range(1, 11)}


def score(value) -> int | None:
    """A self-rating from 1 to 10: ``7``, ``"7"``, ``"7/10"`` or ``"7 out of 10"``."""
    if type(value) is str and value in _PLAIN_SCORES:  # the usual case, answered at once
        return _PLAIN_SCORES[value]
    if is_missing(value):
        return None
    if isinstance(value, bool):
        raise ValueError("must be a whole number from 1 to 10")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        match = _SCORE.match(str(value))
        if not match:
            raise ValueError("must be a whole number from 1 to 10")
        number = float(match.group(1))
    if not number.is_integer() or not 1 <= number <= 10:
        raise ValueError("must be a whole number from 1 to 10")
    return int(number)


def _number(value, message: str) -> float:
    """A finite number from a cell: ``1,286``, ``"£41,200"`` and ``3.5`` are numbers; ``True`` is not."""
    if isinstance(value, bool):
        raise ValueError(message)
    try:
        number = float(value) if isinstance(value, (int, float)) else float(str(value).replace(",", "").replace("£", "").strip())
    except ValueError:
        raise ValueError(message) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(message)
    return number


def count(value) -> int | None:
    """A count of people or places: a whole number, zero or more."""
    if is_missing(value):
        return None
    number = _number(value, "must be a whole number, 0 or more")
    if not number.is_integer() or number < 0:
        raise ValueError("must be a whole number, 0 or more")
    return int(number)


def positive_number(value) -> float | None:
    """A positive amount such as a duration in hours."""
    if is_missing(value):
        return None
    number = _number(value, "must be a number greater than 0")
    if not number > 0:
        raise ValueError("must be a number greater than 0")
    return number


def non_negative(value) -> float | None:
    """A number, zero or more, such as hours watched."""
    if is_missing(value):
        return None
    number = _number(value, "must be a number, 0 or more")
    if number < 0:
        raise ValueError("must be a number, 0 or more")
    return number


def amount(value) -> float | None:
    """A sum of money in pounds, zero or more: ``41200``, ``"£41,200"``."""
    if is_missing(value):
        return None
    number = _number(value, "must be an amount in pounds, 0 or more")
    if number < 0:
        raise ValueError("must be an amount in pounds, 0 or more")
    return number


_MONTHS = {
    name: number
    for number in range(1, 13)
    for name in (
        dt.date(2000, number, 1).strftime("%B").casefold(),
        dt.date(2000, number, 1).strftime("%b").casefold(),
    )
}
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_WORDED_DATE = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})$")


def date(value) -> dt.date | None:
    """A date, ISO (2024-09-03) or British day first (03/09/2024, 3 September 2024).

    A time of day after the date (as exports add: ``03/09/2024 14:05``) is ignored.
    """
    if is_missing(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = str(value).strip()
    candidate = re.split(r"[ T,]+(?=\d{1,2}:\d{2})", raw)[0].strip()
    try:
        if match := _ISO_DATE.match(candidate):
            year, month, day = (int(part) for part in match.groups())
        elif match := _NUMERIC_DATE.match(candidate):
            day, month, year = (int(part) for part in match.groups())
            if year < 100:
                year += 2000
        elif match := _WORDED_DATE.match(candidate):
            day, year = int(match.group(1)), int(match.group(3))
            month = _MONTHS[match.group(2).casefold()]
        else:
            raise ValueError
        return dt.date(year, month, day)
    except (ValueError, KeyError):
        raise ValueError("must be a date such as 2024-09-03 or 03/09/2024") from None


_YES = frozenset({"yes", "y", "true", "t", "1", "checked in", "attended", "x"})
_NO = frozenset({"no", "n", "false", "f", "0"})


def boolean(value) -> bool | None:
    """Yes or no: ``Yes``/``No``, ``Y``/``N``, ``true``/``false``, ``1``/``0``."""
    if is_missing(value):
        return None
    if isinstance(value, bool):
        return value
    word = str(value).strip().casefold()
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise ValueError("must be yes or no")


def slug(value) -> str:
    """``"Face to face"``, ``"face-to-face"`` and ``"FACE_TO_FACE"`` all become ``face_to_face``."""
    return re.sub(r"[^a-z0-9]+", "_", str(value).strip().casefold()).strip("_")


def web_address(value) -> str | None:
    """A web address starting ``http://`` or ``https://``, with a host and no spaces."""
    if is_missing(value):
        return None
    result = unicodedata.normalize("NFC", str(value)).strip()
    scheme, _, rest = result.partition("://")
    host = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if scheme.casefold() not in ("http", "https") or not host or _WHITESPACE.search(result):
        raise ValueError("must be a web address starting http:// or https://")
    return result


_WHITESPACE = re.compile(r"\s")  # the same characters as str.isspace()


_PLAIN_EMAIL = re.compile(r"[a-z0-9._%+'=!#$&*/?^`{|}~-]+@[a-z0-9._-]*\.[a-z0-9._-]*")
"""Emails :func:`email` gives back as they are: lower-case ASCII, one ``@``, a dot after it, no space or colon."""


def email(value) -> str | None:
    """An email address normalised for matching: trimmed, NFC, case-folded, without ``mailto:``."""
    if is_missing(value):
        return None
    result = unicodedata.normalize("NFC", str(value)).strip().casefold()
    while result.startswith("mailto:"):
        result = result[len("mailto:"):]
    local, at, domain = result.partition("@")
    if not at or not local or "." not in domain or _WHITESPACE.search(result):
        raise ValueError("must be an email address such as name@example.org")
    return result


email.plain = _PLAIN_EMAIL  # a value matching it whole converts to itself, so a column of them needs no conversion


_YEAR = re.compile(r"^(\d{4})\s*[/-]\s*(\d{2}|\d{4})$")


def financial_year(value) -> str | None:
    """A financial year, April to March, written ``2023/24`` (``2023-24`` and ``2023/2024`` accepted)."""
    if is_missing(value):
        return None
    match = _YEAR.match(str(value).strip())
    if not match:
        raise ValueError("must be a financial year such as 2023/24")
    start, end = int(match.group(1)), int(match.group(2))
    if end % 100 != (start + 1) % 100 or (end >= 100 and end != start + 1):
        raise ValueError("must be a financial year such as 2023/24 (the second year follows the first)")
    return f"{start}/{(start + 1) % 100:02d}"


def year_of(day: dt.date) -> str:
    """The financial year (April to March) a date falls in: 2024-03-31 → ``2023/24``."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def year_bounds(year: str) -> tuple[dt.date, dt.date]:
    """First and last day of a financial year written ``2023/24``."""
    start = int(financial_year(year)[:4])
    return dt.date(start, 4, 1), dt.date(start + 1, 3, 31)
