"""Coordinators' accounts: password hashes kept beside the database, passed to Datasette by environment.

``scplearn password training.db`` stores ``account:hash`` lines (PBKDF2, as
datasette-auth-passwords makes them) in ``training.passwords``, mode 0600.
The Datasette metadata refers to each hash as ``{"$env": "SCPLEARN_PASSWORD_HASH_<ACCOUNT>"}``
so that neither the hash nor the file name ever appears at ``/-/metadata.json``.
"""

from __future__ import annotations

import re
from pathlib import Path

from .. import filemodes
from ..errors import ScplearnError

ACCOUNT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
MIN_LENGTH = 12
"""The fewest characters a password may have (a passphrase of a few words is longer)."""


def password_variable(account: str) -> str:
    """The environment variable holding ``account``'s password hash."""
    return f"SCPLEARN_PASSWORD_HASH_{account.upper()}"


def passwords_path(db_path) -> Path:
    """Where ``scplearn password`` keeps coordinators' password hashes: beside the database."""
    return Path(db_path).with_suffix(".passwords")


def read_passwords(path) -> dict[str, str]:
    """``{account: password hash}`` from a passwords file (``account:hash`` lines)."""
    path = Path(path)
    if not path.exists():
        return {}
    accounts = {}
    for line in path.read_text().splitlines():
        account, _, password_hash = line.strip().partition(":")
        if account and password_hash:
            accounts[account] = password_hash
    return accounts


def set_password(path, account: str, password: str) -> None:
    """Store the hash of ``password`` for ``account`` in the passwords file (mode 0600)."""
    from datasette_auth_passwords.utils import hash_password

    if not ACCOUNT_NAME.match(account):
        raise ScplearnError(
            f"account name {account!r}: use 1-32 lower-case letters, digits or _, starting with a letter "
            "(a role such as 'coordinator' rather than a person's name: account names are public)"
        )
    if len(password) < MIN_LENGTH:
        raise ScplearnError(f"the password has {len(password)} characters; use at least {MIN_LENGTH} "
                            "(a few words make a passphrase that is long and easy to remember)")
    accounts = read_passwords(path)
    accounts[account] = hash_password(password)
    lines = "".join(f"{name}:{value}\n" for name, value in sorted(accounts.items()))
    filemodes.write(path, lines.encode(), replace=True)


def password_environment(accounts: dict[str, str]) -> dict[str, str]:
    """The environment variables the metadata reads password hashes from."""
    return {password_variable(account): password_hash for account, password_hash in accounts.items()}
