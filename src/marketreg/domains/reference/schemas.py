"""API shapes of the reference domain (reference data is public: nothing to mask)."""

from __future__ import annotations

from pydantic import BaseModel

from marketreg.domains.reference.address import Resolution
from marketreg.domains.reference.models import Industry, Region


class RegionOut(BaseModel):
    code: str
    name: str
    level: str
    county_type: str
    parent_code: str | None
    status: str
    valid_from: int | None
    valid_to: int | None
    successor_code: str | None
    successor_codes: list[str]
    former_names: list[str]

    @classmethod
    def of(cls, r: Region) -> RegionOut:
        return cls(code=r.code, name=r.name, level=r.level, county_type=r.county_type,
                   parent_code=r.parent_code, status=r.status, valid_from=r.valid_from, valid_to=r.valid_to,
                   successor_code=r.successor_code,
                   successor_codes=[c for c in r.successor_codes.split(",") if c],
                   former_names=[n for n in r.former_names.split("；") if n])


class IndustryOut(BaseModel):
    code: str
    level: int
    level_name: str
    name: str
    parent: str | None
    section: str
    description: str

    @classmethod
    def of(cls, i: Industry) -> IndustryOut:
        return cls(code=i.code, level=i.level, level_name=i.level_name, name=i.name, parent=i.parent,
                   section=i.section, description=i.description)


class ResolutionOut(BaseModel):
    kind: str
    code: str | None
    name: str | None
    candidates: list[str]

    @classmethod
    def of(cls, r: Resolution) -> ResolutionOut:
        return cls(kind=r.kind, code=r.code, name=r.name, candidates=list(r.candidates))


class UsccOut(BaseModel):
    code: str
    valid: bool
    reason: str | None
    registration_authority: str | None
    entity_type: str | None
    region_code: str | None
    region_name: str | None
    region_status: str
    region_successor: str | None
