"""Reads: users, units, and the Actor a signed-in user acts as."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketreg.domains.org.models import LoginSession, OrgUnit, RolePermission, User, UserRole
from marketreg.kernel import clock
from marketreg.kernel.errors import NotFound
from marketreg.platform.authz import Actor, scope


def get_user(session: Session, *, user_id: int) -> User | None:
    return session.get(User, user_id)


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a sign-in checks, read before (and outside) the write transaction that records it."""

    user_id: int
    password_hash: str
    kind: str
    entity_uscc: str | None


def credentials(session: Session, *, username: str) -> Credentials | None:
    """The active user of that name, or None."""
    row = session.execute(select(User.id, User.password_hash, User.kind, User.entity_uscc)
                          .where(User.username == username, User.is_active.is_(True))).first()
    return Credentials(*row) if row else None


def get_user_by_username(session: Session, *, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def permissions_of(session: Session, *, user_id: int) -> frozenset[str]:
    stmt = (
        select(RolePermission.permission)
        .join(UserRole, UserRole.role_code == RolePermission.role_code)
        .where(UserRole.user_id == user_id)
    )
    return frozenset(session.scalars(stmt))


def actor_for(session: Session, *, user: User) -> Actor:
    unit = user.org_unit
    return Actor(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        org_unit_id=unit.id if unit else None,
        org_path=unit.path if unit else "/",
        org_name=unit.name if unit else "",
        permissions=permissions_of(session, user_id=user.id),
        roles=tuple(r.role_code for r in user.roles),
        kind=user.kind,
        entity_uscc=user.entity_uscc,
    )


def acting_as(session: Session, *, username: str) -> Actor:
    """The staff actor a job or a command runs as (the CLI's ``--as``, a job started from a page):
    the person who started it, in their own jurisdiction, never the system."""
    user = get_user_by_username(session, username=username)
    if user is None or user.kind != "staff" or not user.is_active:
        raise NotFound("auth.unknown_user", f"工作人员账号不存在或已停用：{username}")
    return actor_for(session, user=user)
def active_actor(session: Session, *, user_id: int) -> Actor | None:
    """The user as an actor with their current roles and unit, or None when gone or disabled
    (how background jobs run as the person who started them)."""
    user = get_user(session, user_id=user_id)
    return actor_for(session, user=user) if user is not None and user.is_active else None


def unit_by_code(session: Session, *, code: str) -> OrgUnit | None:
    return session.scalar(select(OrgUnit).where(OrgUnit.code == code))


def units_in_scope(session: Session, *, actor: Actor, level: str | None = None) -> list[OrgUnit]:
    stmt = scope(select(OrgUnit), OrgUnit.path, actor).order_by(OrgUnit.path)
    if level:
        stmt = stmt.where(OrgUnit.level == level)
    return list(session.scalars(stmt))


def session_for_token(session: Session, *, token: str) -> tuple[Actor, str] | None:
    """The actor and CSRF token of a live sign-in session, or None."""
    row = session.get(LoginSession, hashlib.sha256(token.encode()).hexdigest())
    if row is None or row.expires_at <= clock.now():
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    return actor_for(session, user=user), row.csrf_token


def unit_names(session: Session, *, paths: set[str]) -> dict[str, str]:
    """Org path → unit name, for the paths given."""
    if not paths:
        return {}
    rows = session.execute(select(OrgUnit.path, OrgUnit.name).where(OrgUnit.path.in_(paths)))
    return {path: name for path, name in rows}
