"""Bearer tokens: random, shown once, stored only as a SHA-256 hash.

Tokens carry 256 bits of randomness, so a plain (unsalted) hash is enough to make a stolen
database useless for logging in, and it lets a token be looked up by its hash.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass


def new_token() -> str:
    return "ww_" + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_user_id() -> str:
    """A pseudonymous user id: what the audit trail records as the reviewer."""
    return "u-" + secrets.token_hex(8)


@dataclass(frozen=True)
class Principal:
    """The authenticated user as routes and services see it (detached from any session)."""

    id: str
    name: str
    role: str
