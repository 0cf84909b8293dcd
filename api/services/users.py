"""Users and roles. A token is shown once, at creation; only its hash is stored."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
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


def revoke(session: Session, user_id: str, now: dt.datetime) -> User:
    """Deactivate a user: its token is refused from now on (running workers: after ``token_cache_seconds``)."""
    user = session.get(User, user_id)
    if user is None:
        raise LookupError(f"no user {user_id!r}")
    if user.active:
        user.active = False
        audit.record(session, kind="user.revoked", actor="system", subject=user.id, at=now,
                     payload={"user_id": user.id, "role": user.role})
        session.commit()
    return user
