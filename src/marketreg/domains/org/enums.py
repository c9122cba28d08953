from __future__ import annotations

from enum import StrEnum


class UnitLevel(StrEnum):
    """``OrgUnit.level``: the SAMR tree (from ``kernel.regions.level_of``) and the police units that
    receive transferred cases (行刑衔接), outside that tree."""

    province = "province"
    city = "city"
    county = "county"
    station = "station"
    police = "police"


class UserKind(StrEnum):
    staff = "staff"
    enterprise = "enterprise"
