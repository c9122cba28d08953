"""Writes of the registry (``do_*``); the caller owns the transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from marketreg.domains.registry import service
from marketreg.domains.registry.models import Entity
from marketreg.platform import audit
from marketreg.platform.authz import Actor


def do_view_personal_data(session: Session, *, actor: Actor, uscc: str) -> Entity:
    """Authorise and audit an unmasked read of a legal representative's personal data."""
    actor.require("registry.view_pii")
    entity = service.get_entity(session, actor=actor, uscc=uscc)
    audit.record(session, actor=actor, action="registry.pii_viewed", subject_type="market_entity",
                 subject_id=entity.uscc, new={"fields": ["legal_rep_name", "legal_rep_id_number", "legal_rep_phone"]})
    return entity
