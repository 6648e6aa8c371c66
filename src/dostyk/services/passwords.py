"""Hashing and checking passwords with argon2id.

argon2-cffi's defaults (RFC 9106's second recommended profile: t=3, m=64 MiB, p=4) are kept:
on a two-core post laptop a check takes tens of milliseconds (docs/accounts.md gives the figure
measured), slow enough to make guessing offline costly and fast enough for a sign-in. A hash
made with other parameters is still checked, and replaced at the next good sign-in
(:func:`needs_rehash`), so the parameters can be raised without anyone resetting a password.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

#: The one hasher: argon2id, argon2-cffi's default parameters.
HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    """The argon2id hash of ``password``, with a fresh salt: ``$argon2id$v=19$m=...``."""
    return HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` is the one ``password_hash`` was made from."""
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return HASHER.check_needs_rehash(password_hash)


@cache
def _stand_in() -> str:
    """A hash of no one's password, made once per process with the current parameters."""
    return HASHER.hash("no account has this password: it only spends the time of a check")


def spend_a_check(password: str) -> None:
    """Check ``password`` against a stand-in hash, so that a sign-in as an unknown username
    takes as long as one with a wrong password and does not tell which usernames exist."""
    verify_password(_stand_in(), password)
