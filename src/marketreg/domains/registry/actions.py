"""Writes of the registry (``do_*``); the caller owns the transaction."""

from __future__ import annotations

from dataclasses import asdict

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


def do_record_export(session: Session, *, actor: Actor, filters: service.EntityFilter, rows: int,
                     fields: list[str]) -> None:
    """A bulk export of entities leaves the platform with personal data (legal representatives,
    addresses of sole traders): who took which rows is audited like an unmasked read."""
    actor.require("registry.export")
    audit.record(session, actor=actor, action="registry.exported", subject_type="market_entity",
                 new={"filters": {k: v for k, v in asdict(filters).items() if v}, "rows": rows, "fields": fields})
