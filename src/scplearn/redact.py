"""Taking people out of free text: emails, phone numbers and names become "[name]".

Free text (a feedback quote, a follow-up comment, a key action) is written as
delegates typed it, and people sometimes type someone's email address or
phone number into it, or a colleague's name. Emails and phone numbers are
taken out as text is imported, so they never reach the evidence database;
before a quote is published, the names of the people in the private
database are taken out too.
"""

from __future__ import annotations

import re

NAME = "[name]"
EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w])(?:\+\s?44\s?\(?0?\)?|\(?0)(?:[\s-]?\d){9,10}(?![\w])")
WORD = re.compile(r"[^\W\d_][\w'’-]*")
_MAY_HOLD_CONTACT = re.compile(r"[@\d]")


def contact_details(text):
    """``text`` with email addresses and phone numbers replaced by ``[name]`` (other values as they are)."""
    if not isinstance(text, str) or not _MAY_HOLD_CONTACT.search(text):
        return text
    return _joined(PHONE.sub(NAME, EMAIL.sub(NAME, text)))


def scrub(text: str, names: set[str]) -> str:
    """``text`` with contact details and the given names (words as written, capitalised) replaced by ``[name]``."""
    text = contact_details(text)
    return _joined(WORD.sub(lambda match: NAME if match.group(0) in names else match.group(0), text))


def _joined(text: str) -> str:
    return re.sub(r"\[name\](?:\s+\[name\])+", NAME, text)


def people_names(private) -> set[str]:
    """Every part of every name in the private database, as written with a capital (``Priya``, ``Patel``)."""
    found = set()
    for (name,) in private.execute("SELECT name FROM people WHERE name IS NOT NULL"):
        for part in WORD.findall(name):
            if len(part) > 1 and part[0].isupper():
                found.add(part)
    return found
