"""Lists with the true total: one page of a select and the count of all its rows.

SQLAlchemy has no paginator of its own (Flask-SQLAlchemy's is tied to Flask), hence these few lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    rows: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def paginate(session: Session, stmt: Select, *, page: int, per_page: int) -> Page:
    """Rows of ``page`` (1-based; past the end gives the last page) and the total of ``stmt``."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    page = min(max(1, page), max(1, -(-total // per_page)))
    rows = list(session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)))
    return Page(rows, total, page, per_page)
