"""Reads of the clue register."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketreg.domains.enforcement.models import Clue
from marketreg.platform.authz import Actor, scope


def list_clues(session: Session, *, actor: Actor, status: str = "", limit: int = 200) -> list[Clue]:
    stmt = scope(select(Clue), Clue.org_path, actor).order_by(Clue.check_due_on, Clue.id).limit(limit)
    if status:
        stmt = stmt.where(Clue.status == status)
    return list(session.scalars(stmt))


def clue_for(session: Session, *, source_ref: str) -> Clue | None:
    return session.scalar(select(Clue).where(Clue.source_ref == source_ref))
