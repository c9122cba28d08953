"""Reference tables: GB/T 2260 regions (current and abolished) and GB/T 4754-2017 industries."""

from __future__ import annotations

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from marketreg.platform.db import Base


class Region(Base):
    """One GB/T 2260 code. A code is never reissued to a different division, so it is the key;
    renames that kept the code are listed in ``former_names``.

    ``successor_code`` is the *current* code an abolished code maps to today, found by following
    the MCA 新代码 chain; it is NULL when the division was split (``successor_codes`` then lists
    every current code it went to) or when the source names no successor.
    """

    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    short_name: Mapped[str] = mapped_column(String(64), index=True)
    level: Mapped[str] = mapped_column(String(16))  # enums.RegionLevel
    county_type: Mapped[str] = mapped_column(String(8), default="")  # 市辖区 | 县级市 | 县 | ''
    parent_code: Mapped[str | None] = mapped_column(String(6), index=True)
    province_code: Mapped[str] = mapped_column(String(6))
    status: Mapped[str] = mapped_column(String(16))  # enums.RegionStatus
    valid_from: Mapped[int | None]
    valid_to: Mapped[int | None]
    successor_code: Mapped[str | None] = mapped_column(String(6))
    successor_codes: Mapped[str] = mapped_column(String(255), default="")  # comma-separated
    former_names: Mapped[str] = mapped_column(String(255), default="")  # '；'-separated

    __table_args__ = (Index("ix_region_province_level_status", "province_code", "level", "status"),)


class Industry(Base):
    """One GB/T 4754-2017 class: 门类 (letter), 大类 (2 digits), 中类 (3), 小类 (4)."""

    __tablename__ = "industry"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    level: Mapped[int]
    level_name: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(128), index=True)
    parent: Mapped[str | None] = mapped_column(String(5), index=True)
    section: Mapped[str] = mapped_column(String(1), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
