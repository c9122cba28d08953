"""Entity-count mart: one row per (county, section, type, status), rebuilt in one statement.

Counting 15 million registry rows on every dashboard view would take seconds; the mart
answers in milliseconds and says when it was built.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String, delete, func, insert, literal, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from marketreg.domains.registry import service as registry
from marketreg.kernel import clock
from marketreg.platform.authz import org_path_type
from marketreg.platform.db import Base
from marketreg.platform.tasks import crontab, periodic


class MartEntityCount(Base):
    __tablename__ = "mart_entity_count"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_path: Mapped[str] = mapped_column(org_path_type(40), index=True)
    city_code: Mapped[str] = mapped_column(String(6))
    region_code: Mapped[str] = mapped_column(String(6))
    industry_section: Mapped[str] = mapped_column(String(1))
    entity_type: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    n: Mapped[int] = mapped_column(Integer)
    built_at: Mapped[dt.datetime]


def rebuild_entity_counts(session: Session) -> int:
    """Replace the mart's contents in the caller's transaction; returns the row count."""
    facts = registry.entity_facts("org_path", "city_code", "region_code", "industry_section", "entity_type", "status")
    cols = list(facts.selected_columns)
    source = facts.add_columns(func.count().label("n"), literal(clock.now(), type_=MartEntityCount.built_at.type)) \
        .group_by(*cols)
    session.execute(delete(MartEntityCount))
    session.execute(insert(MartEntityCount).from_select(
        ["org_path", "city_code", "region_code", "industry_section", "entity_type", "status", "n", "built_at"],
        source))
    return session.scalar(select(func.count()).select_from(MartEntityCount)) or 0


@periodic(crontab(minute="*/30"))
def rebuild_marts_periodically() -> int:
    from marketreg.platform.db import get_sessions

    with get_sessions().transaction() as session:
        return rebuild_entity_counts(session)
