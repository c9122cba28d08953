from __future__ import annotations

from enum import StrEnum


class UnitLevel(StrEnum):
    province = "province"
    city = "city"
    county = "county"
    station = "station"
    department = "department"  # another department (police, industry regulator)


UNIT_LEVEL_LABELS = {"province": "省局", "city": "市局", "county": "县（区）局", "station": "市场监管所",
                     "department": "协作部门"}


class UserKind(StrEnum):
    staff = "staff"
    enterprise = "enterprise"
