from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from marketreg.platform.db import Base


class Clue(Base):
    """A clue (线索) from any source, checked towards the filing decision."""

    __tablename__ = "enforcement_clue"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(20))  # report | mediation | inspection | sampling | transfer
    source_ref: Mapped[str] = mapped_column(String(40), index=True)
    respondent_uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    respondent_name: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    org_path: Mapped[str] = mapped_column(String(40), index=True)
    received_on: Mapped[dt.date] = mapped_column(Date)
    check_due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="checking")  # checking | filed | not_filed
    basis: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime]
    decided_at: Mapped[dt.datetime | None]
