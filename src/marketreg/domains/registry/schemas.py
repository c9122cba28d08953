"""API shapes; personal data is masked unless the actor holds ``registry.view_pii``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel

from marketreg.domains.registry.enums import ENTITY_TYPE_LABELS, STATUS_LABELS
from marketreg.domains.registry.models import Entity
from marketreg.kernel.masking import mask_id_number, mask_name, mask_phone


class EntityOut(BaseModel):
    uscc: str
    name: str
    entity_type: str
    entity_type_label: str
    status: str
    status_label: str
    legal_rep_name: str
    legal_rep_id_number: str | None
    legal_rep_phone: str | None
    address: str
    region_code: str
    industry_code: str
    industry_section: str
    established_on: dt.date
    registered_capital: Decimal | None
    masked: bool

    @classmethod
    def of(cls, entity: Entity, *, unmasked: bool) -> EntityOut:
        return cls(
            uscc=entity.uscc,
            name=entity.name,
            entity_type=entity.entity_type,
            entity_type_label=ENTITY_TYPE_LABELS.get(entity.entity_type, entity.entity_type),
            status=entity.status,
            status_label=STATUS_LABELS.get(entity.status, entity.status),
            legal_rep_name=entity.legal_rep_name if unmasked else mask_name(entity.legal_rep_name) or "",
            legal_rep_id_number=entity.legal_rep_id_number if unmasked else mask_id_number(entity.legal_rep_id_number),
            legal_rep_phone=entity.legal_rep_phone if unmasked else mask_phone(entity.legal_rep_phone),
            address=entity.address,
            region_code=entity.region_code,
            industry_code=entity.industry_code,
            industry_section=entity.industry_section,
            established_on=entity.established_on,
            registered_capital=entity.registered_capital,
            masked=not unmasked,
        )


class PublicEntityOut(BaseModel):
    """What the public portal shows: registration facts, legal representative masked."""

    uscc: str
    name: str
    entity_type_label: str
    status_label: str
    legal_rep_name: str
    address: str
    established_on: dt.date
    registered_capital: Decimal | None

    @classmethod
    def of(cls, entity: Entity) -> PublicEntityOut:
        return cls(
            uscc=entity.uscc, name=entity.name,
            entity_type_label=ENTITY_TYPE_LABELS.get(entity.entity_type, entity.entity_type),
            status_label=STATUS_LABELS.get(entity.status, entity.status),
            legal_rep_name=mask_name(entity.legal_rep_name) or "", address=entity.address,
            established_on=entity.established_on, registered_capital=entity.registered_capital,
        )


class EntityPage(BaseModel):
    items: list[EntityOut]
    total: int
    total_capped: bool
    page: int
    page_size: int


class ImportJobOut(BaseModel):
    """An import job: status, counts and reasons (``result``) once finished."""

    id: int
    status: str
    status_label: str
    message: str
    result: dict | None
    error_report: str | None

    @classmethod
    def of(cls, job) -> ImportJobOut:
        has_errors = bool((job.result or {}).get("rejected"))
        return cls(id=job.id, status=job.status, status_label=job.status_label, message=job.message or "",
                   result=_public_result(job.result),
                   error_report=f"/api/v1/registry/imports/{job.id}/errors.csv" if has_errors else None)


def _public_result(result: dict | None) -> dict | None:
    """The import report without the server-side file path."""
    return None if result is None else {k: v for k, v in result.items() if k != "error_file"}
