"""Stable codes for region levels and statuses (stored as plain strings)."""

from __future__ import annotations

from enum import StrEnum


class RegionLevel(StrEnum):
    PROVINCE = "province"
    PREFECTURE = "prefecture"
    COUNTY = "county"


class RegionStatus(StrEnum):
    CURRENT = "current"
    ABOLISHED = "abolished"


class UsccRegionStatus(StrEnum):
    """What positions 3–8 of a USCC denote (see ``service.describe_uscc``)."""

    CURRENT = "current"
    ABOLISHED = "abolished"
    STATISTICAL_ZONE = "statistical_zone"
    UNKNOWN = "unknown"


SHANDONG = "370000"

# GB/T 2260 county types as the Shandong plan counts them (58 市辖区, 26 县级市, 52 县).
COUNTY_TYPES = ("市辖区", "县级市", "县")
