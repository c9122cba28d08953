"""Reads: the work queue, one item in scope, public tracking, duplicate candidates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from marketreg.domains.complaints.enums import Status
from marketreg.domains.complaints.models import Category, FollowUp, Item, OdrUnit, RuleOverride, Supervision
from marketreg.domains.org import service as org
from marketreg.kernel.errors import DomainError, NotFound
from marketreg.platform.authz import Actor, get_in_scope, scope

SIMILAR = 0.5  # character-bigram Jaccard at which two texts are "similar"
SAME = 0.8     # … and at which a repeated report counts as the same facts (办法第三十五条)


def get_item(session: Session, *, actor: Actor, item_id: int, for_update: bool = False) -> Item:
    """An item in the actor's jurisdiction (locked with ``for_update``), else 404."""
    return get_in_scope(session, Item, item_id, actor=actor, what="投诉举报", for_update=for_update)


def by_query_code(session: Session, *, query_code: str, for_update: bool = False) -> Item:
    code = query_code.strip().upper()
    stmt = select(Item).where(Item.query_code == code)
    stmt = stmt.with_for_update().execution_options(populate_existing=True) if for_update else stmt
    item = session.scalar(stmt) if 6 <= len(code) <= 16 else None
    if item is None:
        raise NotFound("complaints.query_code_unknown", "查询码不存在，请核对后重试")
    return item


@dataclass(frozen=True, slots=True)
class QueueFilter:
    status: str = ""
    kind: str = ""
    due: str = ""  # "" | soon | overdue
    q: str = ""


def work_queue(session: Session, *, actor: Actor, filters: QueueFilter, today: dt.date, soon_days: int = 2,
               limit: int = 100) -> list[Item]:
    """Open items in jurisdiction, nearest statutory deadline first."""
    stmt = scope(select(Item), Item.org_path, actor)
    stmt = stmt.where(Item.status == filters.status) if filters.status else stmt.where(Item.status != Status.closed)
    if filters.kind:
        stmt = stmt.where(Item.kind == filters.kind)
    if filters.due == "overdue":
        stmt = stmt.where(Item.next_due_on < today)
    elif filters.due == "soon":
        stmt = stmt.where(Item.next_due_on >= today, Item.next_due_on <= today + dt.timedelta(days=soon_days))
    if filters.q:
        term = filters.q.strip()
        stmt = stmt.where(or_(Item.query_code == term.upper(), Item.respondent_name.contains(term, autoescape=True),
                              Item.title.contains(term, autoescape=True)))
    return list(session.scalars(stmt.order_by(Item.next_due_on.is_(None), Item.next_due_on, Item.id).limit(limit)))


def open_supervisions(session: Session, *, item_id: int) -> list[Supervision]:
    return list(session.scalars(select(Supervision).where(Supervision.item_id == item_id)
                                .order_by(Supervision.created_at)))


def odr_unit(session: Session, *, uscc: str | None) -> OdrUnit | None:
    if not uscc:
        return None
    unit = session.get(OdrUnit, uscc)
    return unit if unit is not None and unit.active else None


def odr_items(session: Session, *, uscc: str) -> list[Item]:
    """Complaints (never reports: RULES 1.15) against an ODR enterprise."""
    stmt = select(Item).where(Item.respondent_uscc == uscc, Item.kind == "complaint").order_by(Item.id.desc())
    return list(session.scalars(stmt.limit(200)))


def rule_overrides(session: Session) -> dict[tuple[str, str], int]:
    return {(r.version, r.key): r.value for r in session.scalars(select(RuleOverride))}


def bigrams(text: str) -> set[str]:
    compact = "".join(ch for ch in text if ch.isalnum())
    return {compact[i:i + 2] for i in range(len(compact) - 1)}


def similarity(a: str, b: str) -> float:
    """Character-bigram Jaccard: robust for Chinese without word segmentation."""
    x, y = bigrams(a), bigrams(b)
    return len(x & y) / len(x | y) if x and y else 0.0


def similar_earlier(session: Session, *, item: Item, window_days: int = 90) -> list[tuple[Item, float]]:
    """Earlier items by the same person against the same respondent with similar text."""
    if not item.complainant_phone:
        return []
    respondent = Item.respondent_uscc == item.respondent_uscc if item.respondent_uscc \
        else Item.respondent_name == item.respondent_name
    stmt = select(Item).where(
        Item.id != item.id, Item.kind == item.kind, Item.complainant_phone == item.complainant_phone, respondent,
        Item.received_on >= item.received_on - dt.timedelta(days=window_days),
    ).order_by(Item.id.desc()).limit(50)
    text = f"{item.title} {item.facts}"
    scored = [(other, similarity(text, f"{other.title} {other.facts}")) for other in session.scalars(stmt)]
    return [(o, s) for o, s in scored if s >= SIMILAR]


def require_ground(grounds, code: str) -> None:
    if code not in {g.code for g in grounds}:
        raise DomainError("complaints.unknown_ground", "请选择法定理由", ground=code)


def follow_ups(session: Session, *, actor: Actor, limit: int = 200) -> list[tuple[FollowUp, Item]]:
    stmt = scope(select(FollowUp, Item).join(Item, Item.id == FollowUp.item_id), FollowUp.org_path, actor)
    stmt = stmt.order_by(FollowUp.status.desc(), FollowUp.selected_at.desc()).limit(limit)
    return [(f, i) for f, i in session.execute(stmt)]


def org_name(session: Session, org_path: str) -> str:
    """The handling unit's name (the provincial 12315 centre for the root)."""
    code = org_path.rstrip("/").rsplit("/", 1)[-1]
    unit = org.unit_by_code(session, code=code)
    return unit.name if unit else "山东省12315指挥中心"
# ----------------------------------------------------------------------------- set-based extracts
# The analytics marts and dashboards aggregate complaints in SQL; they get the columns here as
# selectables (used as subqueries) and never name this domain's tables themselves.

ITEM_COLUMNS = ("id", "query_code", "kind", "status", "outcome", "org_path", "region_code", "parent_id",
                "respondent_uscc", "respondent_name", "complainant_name", "complainant_phone", "complainant_address",
                "received_at", "received_on", "first_response_at", "first_response_due_at", "accepted_at",
                "closed_at", "accept_due_on", "report_due_on", "next_due_on", "category_code", "problem_code",
                "suggested_category", "suggested_problem", "rating", "enterprise_reply", "enterprise_replied_at")


def item_extract() -> Select:
    """The complaint items' columns that analytics aggregates (personal ones included for the
    scrubbing of published replies; analytics publishes none of them)."""
    return select(*(getattr(Item, c) for c in ITEM_COLUMNS))


def category_extract() -> Select:
    """(code, name) of the goods/service and problem categories."""
    return select(Category.code, Category.name)
