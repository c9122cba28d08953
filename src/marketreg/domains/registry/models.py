from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from marketreg.platform.authz import org_path_type
from marketreg.platform.db import Base, BigId


class Entity(Base):
    """A market entity (市场主体) of the basic database, keyed by its USCC."""

    __tablename__ = "market_entity"
    __table_args__ = (
        Index("ix_market_entity_org_path_status", "org_path", "status"),
        Index("ix_market_entity_city_section", "city_code", "industry_section"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    name_initials: Mapped[str] = mapped_column(String(200), index=True)
    entity_type: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    legal_rep_name: Mapped[str] = mapped_column(String(60))
    legal_rep_id_number: Mapped[str | None] = mapped_column(String(18))
    legal_rep_phone: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(300))
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    city_code: Mapped[str] = mapped_column(String(6))
    org_path: Mapped[str] = mapped_column(org_path_type(40))
    industry_code: Mapped[str] = mapped_column(String(5), index=True)
    industry_section: Mapped[str] = mapped_column(String(1))
    established_on: Mapped[dt.date] = mapped_column(Date)
    registered_capital: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime] = mapped_column(index=True)


class Licence(Base):
    """A licence (许可证) held by an entity."""

    __tablename__ = "licence"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("market_entity.id", ondelete="CASCADE"), index=True)
    licence_type: Mapped[str] = mapped_column(String(40))
    licence_no: Mapped[str] = mapped_column(String(40), unique=True)
    issued_on: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="valid")
    issuer: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(300), default="")
    org_path: Mapped[str] = mapped_column(org_path_type(40), index=True)
