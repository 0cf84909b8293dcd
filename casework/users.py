"""Users, roles and teams. A token is shown once, at creation or rotation; only its hash is stored.

Business rules:
- A caseworker or team lead works for at least one team (ids of ``werkwijzer.teams``) and sees
  only those teams' cases and figures; model owners, auditors and administrators see all teams
  and get none assigned. A user stored without teams (created before teams existed) sees nothing
  until an administrator assigns teams.
- A token expires ``token_ttl_days`` after it was issued; rotating issues a new one and ends the
  user's browser sessions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from casework import audit
from casework.config import ROLES
from casework.security import ALL_TEAMS_ROLES, Principal, hash_token, new_token, new_user_id
from casework.storage import User
from werkwijzer.privacy import refuse_bsn
from werkwijzer.teams import TEAMS


def checked_teams(role: str, teams: Iterable[str]) -> list[str]:
    """The teams a user of ``role`` may be given, sorted and without repeats; ``ValueError`` otherwise."""
    chosen = sorted(set(teams))
    unknown = [t for t in chosen if t not in TEAMS]
    if unknown:
        raise ValueError(f"unknown team(s) {', '.join(unknown)}; expected some of {', '.join(TEAMS)}")
    if role in ALL_TEAMS_ROLES:
        if chosen:
            raise ValueError(f"a {role} sees all teams; give teams only to caseworkers and team leads")
    elif not chosen:
        raise ValueError(f"a {role} needs at least one team (--team)")
    return chosen


def every_team(role: str) -> list[str]:
    """The teams that make a user of ``role`` see every team: all known teams for caseworkers and team
    leads, none for the roles that see all teams anyway. For the demo and simulated use, not for people."""
    return [] if role in ALL_TEAMS_ROLES else list(TEAMS)


def create_local_users(session: Session, prefix: str, roles: Iterable[str], now: dt.datetime) -> dict[str, str]:
    """One user ``{prefix}-{role}`` per role, working for every team (:func:`every_team`); their tokens by
    role. For the demo, simulated use and benchmarks, not for people."""
    return {role: create_user(session, f"{prefix}-{role}", role, now, every_team(role))[1] for role in roles}


def create_user(
    session: Session, name: str, role: str, now: dt.datetime, teams: Iterable[str] = ()
) -> tuple[User, str]:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    refuse_bsn(name, "the user name")
    chosen = checked_teams(role, teams)
    token = new_token()
    at = now.replace(tzinfo=None)
    user = User(
        id=new_user_id(),
        name=name,
        role=role,
        token_hash=hash_token(token),
        active=True,
        created_at=at,
        token_issued_at=at,
        teams=chosen,
    )
    session.add(user)
    audit.record(
        session,
        kind="user.created",
        actor="system",
        subject=user.id,
        at=now,
        payload={"user_id": user.id, "role": role, "teams": chosen},
    )
    session.commit()
    return user, token


def _principal(user: User) -> Principal:
    return Principal(user.id, user.name, user.role, frozenset(user.teams or ()))


def _expired(user: User, now: dt.datetime, ttl_days: int) -> bool:
    return user.token_issued_at + dt.timedelta(days=ttl_days) <= now.replace(tzinfo=None)


def by_token(session: Session, token: str, now: dt.datetime, ttl_days: int) -> Principal | None:
    """The active user whose unexpired token this is."""
    user = session.execute(
        select(User).where(User.token_hash == hash_token(token), User.active.is_(True))
    ).scalar_one_or_none()
    return _principal(user) if user and not _expired(user, now, ttl_days) else None


def by_id(session: Session, user_id: str) -> Principal | None:
    """The active user with this id (a browser session names its user by id, never by token)."""
    user = session.get(User, user_id)
    return _principal(user) if user and user.active else None


def by_session(session: Session, user_id: str, generation: int, now: dt.datetime, ttl_days: int) -> Principal | None:
    """The active user a browser session names, if the session was begun after the user's last
    sign-out, revoke or rotation (its generation is still the user's) and its token has not expired."""
    user = session.get(User, user_id)
    if user is None or not user.active or user.session_generation != generation or _expired(user, now, ttl_days):
        return None
    return _principal(user)


def session_generation(session: Session, user_id: str) -> int:
    """The number a browser session begun now carries (``by_session`` checks it)."""
    return session.execute(select(User.session_generation).where(User.id == user_id)).scalar_one()


def _raise_generation(session: Session, user_id: str) -> None:
    session.execute(update(User).where(User.id == user_id).values(session_generation=User.session_generation + 1))


def end_sessions(session: Session, user_id: str) -> None:
    """Sign-out: every browser session this user has begun so far is refused from now on, on every worker."""
    _raise_generation(session, user_id)
    session.commit()


def _existing(session: Session, user_id: str) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise LookupError(f"no user {user_id!r}")
    return user


def revoke(session: Session, user_id: str, now: dt.datetime) -> User:
    """Deactivate a user: its token is refused from now on (running workers: after ``token_cache_seconds``),
    its browser sessions at their next request."""
    user = _existing(session, user_id)
    if user.active:
        user.active = False
        _raise_generation(session, user.id)  # its browser sessions stay ended even if it were ever reactivated
        audit.record(
            session,
            kind="user.revoked",
            actor="system",
            subject=user.id,
            at=now,
            payload={"user_id": user.id, "role": user.role},
        )
        session.commit()
    return user


def rotate(session: Session, user_id: str, now: dt.datetime) -> tuple[User, str]:
    """A new token for an active user: the old one is refused from now on (running workers: after
    ``token_cache_seconds``), its browser sessions at their next request; the new one is valid for
    ``token_ttl_days``."""
    user = _existing(session, user_id)
    if not user.active:
        raise LookupError(f"user {user_id!r} is revoked")
    token = new_token()
    user.token_hash = hash_token(token)
    user.token_issued_at = now.replace(tzinfo=None)
    _raise_generation(session, user.id)
    audit.record(
        session,
        kind="user.token_rotated",
        actor="system",
        subject=user.id,
        at=now,
        payload={"user_id": user.id, "role": user.role},
    )
    session.commit()
    return user, token


def set_teams(session: Session, user_id: str, teams: Iterable[str], now: dt.datetime) -> User:
    """Replace the teams of a caseworker or team lead (pages at once; the API within ``token_cache_seconds``)."""
    user = _existing(session, user_id)
    chosen = checked_teams(user.role, teams)
    user.teams = chosen
    audit.record(
        session,
        kind="user.teams_changed",
        actor="system",
        subject=user.id,
        at=now,
        payload={"user_id": user.id, "role": user.role, "teams": chosen},
    )
    session.commit()
    return user
