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


# Roles that work across teams (oversight and administration); the others see only their own teams.
ALL_TEAMS_ROLES: frozenset[str] = frozenset({"model_owner", "auditor", "admin"})


@dataclass(frozen=True)
class Principal:
    """The authenticated user as routes and services see it (detached from any session).

    ``teams`` are the teams a caseworker or team lead works for; a caseworker or team lead
    without teams sees no team at all (never all of them).
    """

    id: str
    name: str
    role: str
    teams: frozenset[str] = frozenset()

    @property
    def sees_all_teams(self) -> bool:
        return self.role in ALL_TEAMS_ROLES

    def works_for(self, team: str) -> bool:
        """May this user see and act on ``team``'s cases and figures?"""
        return self.sees_all_teams or team in self.teams
