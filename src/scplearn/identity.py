"""Keyed pseudonyms for delegates.

The evidence database knows a delegate only by ``HMAC-SHA256(K, label + email)``
where ``K`` is a 32-byte random secret kept in a key file (mode 0600) beside the
private database, never in any database. Without the key nobody can turn an
email into its pseudonym, so the pseudonyms cannot be reversed by guessing
emails, as a plain hash could. The evidence database records only a key
fingerprint, so an import with the wrong key is refused instead of minting new
pseudonyms for people it already holds.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

from . import filemodes
from .errors import ScplearnError

LABEL = b"scplearn:delegate:v1:"
KEY_BYTES = 32


class PseudonymKeyError(ScplearnError):
    """The pseudonym key is missing, unreadable or not the one the store was built with."""


class Pseudonymiser:
    """Turns normalised emails into pseudonymous delegate keys."""

    def __init__(self, secret: bytes):
        if len(secret) != KEY_BYTES:
            raise PseudonymKeyError(f"a pseudonym key must be {KEY_BYTES} bytes, not {len(secret)}")
        self._secret = secret
        self._labelled = hmac.new(secret, LABEL, hashlib.sha256)  # copied for each email

    def __repr__(self) -> str:
        return f"<Pseudonymiser {self.fingerprint}>"

    def key_for(self, email: str) -> str:
        """The delegate key of an already normalised email (128 bits, hex): ``HMAC-SHA256(K, label + email)``."""
        return self.keys_for((email,))[0]

    def keys_for(self, emails) -> list[str | None]:
        """:meth:`key_for` of each email, ``None`` for ``None``."""
        keys = []
        for email in emails:
            if email is None:
                keys.append(None)
                continue
            digest = self._labelled.copy()
            digest.update(email.encode("utf-8"))
            keys.append(digest.hexdigest()[:32])
        return keys

    @property
    def fingerprint(self) -> str:
        """Identifies the key without revealing it; stored in the evidence database."""
        return hmac.new(self._secret, b"scplearn:key-id", hashlib.sha256).hexdigest()[:16]


def create_key(path: Path) -> Pseudonymiser:
    """Write a new random key to ``path`` with mode 0600; never overwrites one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_bytes(KEY_BYTES)
    filemodes.write(path, (secret.hex() + "\n").encode())
    return Pseudonymiser(secret)


def load_key(path: Path) -> Pseudonymiser:
    path = Path(path)
    try:
        content = path.read_text().strip()
    except FileNotFoundError:
        raise PseudonymKeyError(
            f"the pseudonym key file {path} is missing. Restore it from your backup: "
            "without it scplearn cannot recognise the delegates it already holds"
        ) from None
    try:
        return Pseudonymiser(bytes.fromhex(content))
    except ValueError:
        raise PseudonymKeyError(f"the pseudonym key file {path} is damaged (expected {KEY_BYTES * 2} hex digits)") from None
