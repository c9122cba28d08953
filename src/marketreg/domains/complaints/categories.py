"""The complaint category trees (production reference data) and their load into the database.

The trees, their sources and their keywords live in ``data/categories.yaml``: goods and service
types (``G01`` → ``G0101``) and problem types (``P01`` → ``P0101``), two levels each. The
keywords are the only knowledge the category suggester (``classify.py``) has.
``load_categories`` puts them in the ``complaint_category`` table (idempotent; staff-added rows
are left alone).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketreg.domains.complaints.models import Category

DATA = Path(__file__).parent / "data" / "categories.yaml"
SERVICES_FROM = "G11"  # G01–G10 are goods (商品), G11 and later services (服务)


@dataclass(frozen=True, slots=True)
class CategoryRow:
    code: str
    name: str
    parent_code: str | None
    axis: str
    keywords: tuple[str, ...]


def _read(path: Path = DATA) -> tuple[CategoryRow, ...]:
    """Both trees, each group followed by its leaves, in file order."""
    rows: list[CategoryRow] = []
    for axis, tree in yaml.safe_load(path.read_text(encoding="utf-8")).items():
        for group in tree:
            rows.append(CategoryRow(group["code"], group["name"], None, axis, tuple(group["keywords"].split())))
            rows.extend(CategoryRow(leaf["code"], leaf["name"], group["code"], axis, tuple(leaf["keywords"].split()))
                        for leaf in group.get("children", ()))
    return tuple(rows)


CATEGORIES: tuple[CategoryRow, ...] = _read()
CATEGORY_NAMES: dict[str, str] = {row.code: row.name for row in CATEGORIES}


def goods_or_service(code: str | None) -> str:
    """商品 or 服务 for a goods/service code ("" for others)."""
    if not code or not code.startswith("G") or code.startswith("G99"):
        return ""
    return "服务" if code[:3] >= SERVICES_FROM else "商品"


def load_categories(session: Session) -> int:
    """Insert or update the category rows of the data file (idempotent); returns how many changed."""
    existing = {c.code: c for c in session.scalars(select(Category))}
    changed = 0
    for row in CATEGORIES:
        keywords = ",".join(row.keywords)
        current = existing.get(row.code)
        if current is None:
            session.add(Category(code=row.code, name=row.name, parent_code=row.parent_code, axis=row.axis,
                                 keywords=keywords))
            changed += 1
        elif (current.name, current.parent_code, current.axis, current.keywords) != \
                (row.name, row.parent_code, row.axis, keywords):
            current.name, current.parent_code, current.axis, current.keywords = \
                row.name, row.parent_code, row.axis, keywords
            changed += 1
    session.flush()
    return changed
