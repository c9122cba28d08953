"""Writes: org tree, users, sign-in records. Actions never commit."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketreg.domains.org.enums import UnitLevel, UserKind
from marketreg.domains.org.models import LoginSession, OrgUnit, Role, RolePermission, User, UserRole
from marketreg.domains.org.service import Credentials
from marketreg.domains.reference import service as reference
from marketreg.kernel import clock
from marketreg.kernel.errors import Conflict, DomainError
from marketreg.kernel.regions import SHANDONG, level_of, org_path_for_region
from marketreg.platform import audit
from marketreg.platform.authz import SYSTEM, Actor
from marketreg.platform.security import hash_password, verify_password
from marketreg.platform.settings import get_settings

MIN_PASSWORD_LENGTH = 8
_DUMMY_HASH = hash_password("not-a-real-password")


def do_build_org_tree(session: Session) -> int:
    """Province → 16 cities → 136 counties from the current GB/T 2260 table; idempotent."""
    existing = set(session.scalars(select(OrgUnit.code)))
    ids: dict[str, int] = dict(session.execute(select(OrgUnit.code, OrgUnit.id)).all())
    created = 0
    for code, name in reference.shandong_units(session):
        if code in existing:
            continue
        level = level_of(code)
        parent = None if code == SHANDONG else (code[:2] + "0000" if level == UnitLevel.city else code[:4] + "00")
        label = "山东省市场监督管理局" if level == UnitLevel.province else f"{name}市场监督管理局"
        unit = OrgUnit(code=code, name=label, level=level, parent_id=ids.get(parent) if parent else None,
                       path=org_path_for_region(code), region_code=code)
        session.add(unit)
        session.flush()
        ids[code] = unit.id
        created += 1
    return created


def do_ensure_role(session: Session, *, code: str, name: str, description: str, permissions: set[str]) -> None:
    role = session.get(Role, code)
    if role is None:
        session.add(Role(code=code, name=name, description=description))
        session.flush()
    have = set(session.scalars(select(RolePermission.permission).where(RolePermission.role_code == code)))
    session.add_all(RolePermission(role_code=code, permission=p) for p in permissions - have)
    session.flush()


def do_create_user(
    session: Session,
    *,
    actor: Actor,
    username: str,
    password: str,
    display_name: str,
    unit_code: str | None,
    roles: list[str],
    kind: str = UserKind.staff,
    entity_uscc: str | None = None,
) -> User:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError("org.weak_password", f"密码至少需要{MIN_PASSWORD_LENGTH}位")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict("org.username_taken", "用户名已存在")
    unit = None
    if unit_code is not None:
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == unit_code))
        if unit is None:
            raise DomainError("org.unknown_unit", f"机构代码 {unit_code} 不存在")
    user = User(username=username, display_name=display_name, password_hash=hash_password(password),
                kind=kind, org_unit_id=unit.id if unit else None, entity_uscc=entity_uscc,
                created_at=clock.now())
    user.roles = [UserRole(role_code=r) for r in roles]
    session.add(user)
    session.flush()
    audit.record(session, actor=actor, action="org.user_created", subject_type="user", subject_id=user.id,
                 new={"username": username, "unit": unit_code, "roles": roles, "kind": kind})
    return user


def check_password(found: Credentials | None, password: str) -> bool:
    """Verify a password outside any transaction (it takes tens of milliseconds and a core); an
    unknown name costs the same as a real check, so timing does not tell which names exist."""
    if found is None:
        verify_password(_DUMMY_HASH, password)
        return False
    return verify_password(found.password_hash, password)


def do_record_sign_in(session: Session, *, user_id: int, new_hash: str | None = None) -> User:
    """A successful sign-in (audited); ``new_hash`` replaces a hash made with older parameters."""
    user = session.get_one(User, user_id)
    if new_hash is not None:
        user.password_hash = new_hash
    user.last_login_at = clock.now()
    audit.record(session, actor=SYSTEM, action="auth.login", subject_type="user", subject_id=user.id)
    return user


def do_record_failed_sign_in(session: Session, *, user_id: int) -> None:
    """A wrong password for an existing user (audited). Throttling is the web layer's, per
    address and account name, and never locks the account."""
    audit.record(session, actor=SYSTEM, action="auth.login_failed", subject_type="user", subject_id=user_id)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def do_open_session(session: Session, *, user: User) -> tuple[str, str]:
    """Start a sign-in session; returns (cookie token, CSRF token)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    now = clock.now()
    ttl = dt.timedelta(seconds=get_settings().session_max_age_seconds)
    session.add(LoginSession(token_hash=_token_hash(token), user_id=user.id, csrf_token=csrf, created_at=now,
                             expires_at=now + ttl))
    session.flush()
    return token, csrf


def do_close_session(session: Session, *, token: str) -> None:
    row = session.get(LoginSession, _token_hash(token))
    if row is not None:
        audit.record(session, actor=SYSTEM, action="auth.logout", subject_type="user", subject_id=row.user_id)
        session.delete(row)
        session.flush()
