"""Dashboard figures and ECharts options, scoped to the viewer's jurisdiction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketreg.analytics.marts import MartEntityCount
from marketreg.domains.reference import service as reference
from marketreg.platform.authz import Actor, scope

_region = reference.region_extract().subquery("regions")
_industry = reference.industry_extract().subquery("industries")
TYPE_LABELS = {"enterprise": "企业", "individual": "个体工商户", "cooperative": "农民专业合作社", "branch": "分支机构"}


@dataclass(frozen=True, slots=True)
class EntityDashboard:
    total: int
    active: int
    by_type: dict[str, int]
    built_at: dt.datetime | None
    by_area_chart: dict
    by_section_chart: dict
    area_level: str


def _names(session: Session, tab, codes: list[str]) -> dict[str, str]:
    if not codes:
        return {}
    return dict(session.execute(select(tab.c.code, tab.c.name).where(tab.c.code.in_(codes))).all())


def entity_dashboard(session: Session, *, actor: Actor) -> EntityDashboard:
    """Counts by city (province users) or county (city and county users) and by industry section."""
    m = MartEntityCount
    base = scope(select(), m.org_path, actor)
    total = session.scalar(base.add_columns(func.coalesce(func.sum(m.n), 0))) or 0
    active = session.scalar(base.add_columns(func.coalesce(func.sum(m.n), 0)).where(m.status == "active")) or 0
    by_type = dict(session.execute(base.add_columns(m.entity_type, func.sum(m.n)).group_by(m.entity_type)).all())
    built_at = session.scalar(base.add_columns(func.max(m.built_at)))
    area_col, area_level = (m.city_code, "city") if actor.org_path.count("/") <= 2 else (m.region_code, "county")
    areas = session.execute(
        base.add_columns(area_col, func.sum(m.n).label("n")).where(m.status == "active").group_by(area_col)
        .order_by(area_col)
    ).all()
    area_names = _names(session, _region, [a for a, _ in areas])
    sections = session.execute(
        base.add_columns(m.industry_section, func.sum(m.n).label("n")).where(m.status == "active")
        .group_by(m.industry_section).order_by(func.sum(m.n).desc())
    ).all()
    section_names = _names(session, _industry, [s for s, _ in sections])
    return EntityDashboard(
        total=int(total), active=int(active), by_type={k: int(v) for k, v in by_type.items()}, built_at=built_at,
        by_area_chart=bar_chart([area_names.get(a, a) for a, _ in areas], [int(n) for _, n in areas], "在业主体数"),
        by_section_chart=pie_chart([(f"{s} {section_names.get(s, '')}", int(n)) for s, n in sections]),
        area_level=area_level,
    )


def bar_chart(labels: list[str], values: list[int], series: str) -> dict:
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 60, "right": 20, "bottom": 80, "top": 30},
        "xAxis": {"type": "category", "data": labels, "axisLabel": {"rotate": 45, "interval": 0}},
        "yAxis": {"type": "value"},
        "series": [{"name": series, "type": "bar", "data": values, "itemStyle": {"color": "#1565c0"}}],
    }


def pie_chart(items: list[tuple[str, int]]) -> dict:
    return {
        "tooltip": {"trigger": "item", "formatter": "{b}: {c} ({d}%)"},
        "legend": {"type": "scroll", "orient": "vertical", "right": 0, "top": 20, "bottom": 20},
        "series": [{"type": "pie", "radius": ["35%", "65%"], "center": ["35%", "50%"],
                    "data": [{"name": n, "value": v} for n, v in items], "label": {"show": False}}],
    }
