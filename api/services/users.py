"""Users and roles. A token is shown once, at creation; only its hash is stored."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.core.config import ROLES
from api.core.security import Principal, hash_token, new_token, new_user_id
from api.services import audit
from api.storage.models import User


def create_user(session: Session, name: str, role: str, now: dt.datetime) -> tuple[User, str]:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    token = new_token()
    user = User(id=new_user_id(), name=name, role=role, token_hash=hash_token(token), active=True,
                created_at=now.replace(tzinfo=None))
    session.add(user)
    audit.record(session, kind="user.created", actor="system", subject=user.id, at=now,
                 payload={"user_id": user.id, "role": role})
    session.commit()
    return user, token


def by_token(session: Session, token: str) -> Principal | None:
    user = session.execute(select(User).where(User.token_hash == hash_token(token),
                                              User.active.is_(True))).scalar_one_or_none()
    return Principal(user.id, user.name, user.role) if user else None


def by_id(session: Session, user_id: str) -> Principal | None:
    """The active user with this id (a browser session names its user by id, never by token)."""
    user = session.get(User, user_id)
    return Principal(user.id, user.name, user.role) if user and user.active else None


def by_session(session: Session, user_id: str, generation: int) -> Principal | None:
    """The active user a browser session names, if the session was begun after the user's last
    sign-out or revoke (its generation is still the user's)."""
    user = session.get(User, user_id)
    if user is None or not user.active or user.session_generation != generation:
        return None
    return Principal(user.id, user.name, user.role)


def session_generation(session: Session, user_id: str) -> int:
    """The number a browser session begun now carries (``by_session`` checks it)."""
    return session.execute(select(User.session_generation).where(User.id == user_id)).scalar_one()


def _raise_generation(session: Session, user_id: str) -> None:
    session.execute(update(User).where(User.id == user_id)
                    .values(session_generation=User.session_generation + 1))


def end_sessions(session: Session, user_id: str) -> None:
    """Sign-out: every browser session this user has begun so far is refused from now on, on every worker."""
    _raise_generation(session, user_id)
    session.commit()


def revoke(session: Session, user_id: str, now: dt.datetime) -> User:
    """Deactivate a user: its token is refused from now on (running workers: after ``token_cache_seconds``),
    its browser sessions at their next request."""
    user = session.get(User, user_id)
    if user is None:
        raise LookupError(f"no user {user_id!r}")
    if user.active:
        user.active = False
        _raise_generation(session, user.id)  # its browser sessions stay ended even if it were ever reactivated
        audit.record(session, kind="user.revoked", actor="system", subject=user.id, at=now,
                     payload={"user_id": user.id, "role": user.role})
        session.commit()
    return user
