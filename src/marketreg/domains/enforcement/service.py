"""Reads of the enforcement domain (keyword-only, scoped to the actor's jurisdiction)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from marketreg.domains.enforcement.enums import TransferKind
from marketreg.domains.enforcement.models import (
    Benchmark,
    Case,
    Clue,
    ConflictDeclaration,
    Document,
    FileReview,
    Officer,
    RuleOverride,
    Transfer,
)
from marketreg.domains.org import service as org
from marketreg.domains.org.enums import UnitLevel
from marketreg.platform.authz import SYSTEM, Actor, get_in_scope, in_subtree, scope

OPEN_STATES = ("investigating", "reviewing", "reviewed", "notified", "hearing", "decided", "executing")


@dataclass(frozen=True, slots=True)
class Organ:
    code: str
    name: str
    short: str  # 历下市监 — the organ word of document numbers


def organ_for(session: Session, *, org_path: str) -> Organ:
    code = org_path.rstrip("/").rsplit("/", 1)[-1]
    unit = org.unit_by_code(session, code=code)
    name = unit.name if unit else "山东省市场监督管理局"
    base = name.replace("市场监督管理局", "")
    for suffix in ("新区", "区", "县", "市", "省"):
        if base.endswith(suffix) and len(base) > len(suffix) + 1:
            base = base[: -len(suffix)]
            break
    return Organ(code=code, name=name, short=("鲁" if code == "370000" else base) + "市监")


def list_clues(session: Session, *, actor: Actor, status: str = "", limit: int = 200) -> list[Clue]:
    stmt = scope(select(Clue), Clue.org_path, actor).order_by(Clue.check_due_on, Clue.id).limit(limit)
    if status:
        stmt = stmt.where(Clue.status == status)
    return list(session.scalars(stmt))


def clue_for(session: Session, *, source_ref: str) -> Clue | None:
    return session.scalar(select(Clue).where(Clue.source_ref == source_ref))


def get_clue(session: Session, *, actor: Actor, clue_id: int, for_update: bool = False) -> Clue:
    return get_in_scope(session, Clue, clue_id, actor=actor, what="线索", for_update=for_update)


def list_cases(session: Session, *, actor: Actor, status: str = "", q: str = "", limit: int = 200) -> list[Case]:
    """The work queue: open cases with the nearest statutory deadline first."""
    stmt = scope(select(Case), Case.org_path, actor)
    if status == "open":
        stmt = stmt.where(Case.status.in_(OPEN_STATES))
    elif status:
        stmt = stmt.where(Case.status == status)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(Case.case_no.like(like), Case.respondent_name.like(like),
                              Case.respondent_uscc == q, Case.decision_no.like(like)))
    stmt = stmt.order_by(Case.next_due_on.is_(None), Case.next_due_on, Case.id.desc()).limit(limit)
    return list(session.scalars(stmt))


def get_case(session: Session, *, actor: Actor, case_id: int, for_update: bool = False) -> Case:
    return get_in_scope(session, Case, case_id, actor=actor, what="案件", for_update=for_update)


def get_document(session: Session, *, actor: Actor, document_id: int) -> Document:
    """A document of a case in scope, or of a case transferred to the actor's police unit."""
    return get_in_scope(session, Document, document_id, actor=actor, what="文书",
                        org_path=lambda doc: session.get(Case, doc.case_id).org_path,
                        also=lambda doc: _police_sees(session, actor, doc.case_id))


def _police_sees(session: Session, actor: Actor, case_id: int) -> bool:
    return actor.can("enforcement.police") and session.scalar(
        select(Transfer.id).where(Transfer.case_id == case_id,
                                  in_subtree(Transfer.target_path, actor.org_path))) is not None


def credentialed(session: Session, *, actor: Actor, usernames: list[str], on: dt.date) -> set[str]:
    """Officers holding a valid credential inside the actor's jurisdiction."""
    stmt = scope(select(Officer.username), Officer.org_path, actor).where(
        Officer.username.in_(usernames), Officer.valid_until >= on)
    return set(session.scalars(stmt))


def officers_in_scope(session: Session, *, actor: Actor) -> list[Officer]:
    return list(session.scalars(scope(select(Officer), Officer.org_path, actor).order_by(Officer.username)))


def declarations(session: Session, *, usernames: list[str]) -> list[tuple[str, str]]:
    rows = session.execute(select(ConflictDeclaration.username, ConflictDeclaration.party)
                           .where(ConflictDeclaration.username.in_(usernames)))
    return [(u, p) for u, p in rows]


def benchmarks(session: Session, *, violation_type: str = "") -> list[Benchmark]:
    stmt = select(Benchmark).order_by(Benchmark.violation_type, Benchmark.fine_min)
    if violation_type:
        stmt = stmt.where(Benchmark.violation_type == violation_type)
    return list(session.scalars(stmt))


def publicity_expired(session: Session, *, today: dt.date) -> list[Case]:
    return list(session.scalars(select(Case).where(Case.published_on.is_not(None), Case.publicity_ended_on.is_(None),
                                                   Case.publicity_until < today)))


def case_by_decision(session: Session, *, decision_no: str) -> Case | None:
    return session.scalar(select(Case).where(Case.decision_no == decision_no))


def public_penalties(session: Session, *, q: str = "", today: dt.date, limit: int = 50) -> list[Case]:
    """Decisions currently on public display (published, period running, not ended)."""
    stmt = select(Case).where(Case.published_on.is_not(None), Case.published_on <= today,
                              Case.publicity_ended_on.is_(None), Case.publicity_until >= today)
    if q:
        stmt = stmt.where(or_(Case.respondent_uscc == q, Case.decision_no == q,
                              (Case.party_kind == "legal") & Case.respondent_name.like(f"%{q}%")))
    return list(session.scalars(stmt.order_by(Case.published_on.desc(), Case.id.desc()).limit(limit)))


def transfers_for_police(session: Session, *, actor: Actor) -> list[Transfer]:
    """A police unit sees only the transfers addressed to it."""
    stmt = select(Transfer).where(in_subtree(Transfer.target_path, actor.org_path))
    return list(session.scalars(stmt.order_by(Transfer.sent_on.desc(), Transfer.id.desc())))


def transfers_sent(session: Session, *, actor: Actor) -> list[Transfer]:
    stmt = scope(select(Transfer), Transfer.from_org_path, actor)
    return list(session.scalars(stmt.order_by(Transfer.sent_on.desc(), Transfer.id.desc())))


def get_transfer(session: Session, *, actor: Actor, transfer_id: int, for_update: bool = False) -> Transfer:
    """A transfer seen by its sender's jurisdiction, or by the police unit it was sent to."""
    return get_in_scope(session, Transfer, transfer_id, actor=actor, what="移送记录", for_update=for_update,
                        org_path=lambda t: t.from_org_path, also=lambda t: _police_receiver(actor, t))


def _police_receiver(actor: Actor, transfer: Transfer) -> bool:
    return transfer.kind == TransferKind.police and actor.can("enforcement.police") and \
        transfer.target_path.startswith(actor.org_path)


def bureaus(session: Session) -> list:
    """Market-supervision units (cities and counties) a clue can be sent to."""
    return [u for u in org.units_in_scope(session, actor=SYSTEM) if u.level in (UnitLevel.city, UnitLevel.county)]


def police_units(session: Session, *, actor: Actor) -> list:
    return org.units_in_scope(session, actor=SYSTEM, level=UnitLevel.police)


def stage_counts(session: Session, *, actor: Actor) -> dict[str, int]:
    stmt = scope(select(Case.status, func.count()), Case.org_path, actor).group_by(Case.status)
    return dict(session.execute(stmt).all())


def case_for_transfer(session: Session, *, transfer: Transfer) -> Case | None:
    """The case behind a transfer the actor may already see (checked by the transfer query)."""
    return session.get(Case, transfer.case_id) if transfer.case_id else None


@dataclass(frozen=True, slots=True)
class Table:
    title: str
    header: list[str]
    rows: list[tuple]


def _city(org_path: str) -> str:
    parts = org_path.strip("/").split("/")
    return parts[1] if len(parts) > 1 else parts[0]


def dashboard_tables(session: Session, *, actor: Actor, today: dt.date) -> dict[str, Table]:
    """Open cases by stage and days left, overdue cases, fines by violation type and city, and
    transfer feedback status — all inside the actor's jurisdiction."""
    from marketreg.domains.enforcement.enums import STATUS_LABELS, VIOLATION_TYPES

    stages = stage_counts(session, actor=actor)
    open_rows = session.execute(scope(select(Case.case_no, Case.respondent_name, Case.status, Case.next_due_on,
                                             Case.next_due_label), Case.org_path, actor)
                                .where(Case.status.in_(OPEN_STATES))).all()
    buckets = {"已超期": 0, "3天内": 0, "4–15天": 0, "16天以上": 0, "暂停/无期限": 0}
    overdue = []
    for case_no, name, status, due, label in open_rows:
        if due is None:
            buckets["暂停/无期限"] += 1
            continue
        left = (due - today).days
        key = "已超期" if left < 0 else "3天内" if left <= 3 else "4–15天" if left <= 15 else "16天以上"
        buckets[key] += 1
        if left < 0:
            overdue.append((case_no, name, STATUS_LABELS.get(status, status), label or "", due.isoformat(), -left))
    fines = session.execute(scope(select(Case.org_path, Case.violation_type, func.count(),
                                         func.coalesce(func.sum(Case.fine_amount), 0)), Case.org_path, actor)
                            .where(Case.decided_on.is_not(None)).group_by(Case.org_path, Case.violation_type)).all()
    by_type: dict[str, list] = {}
    by_city: dict[str, list] = {}
    for path, vtype, count, total in fines:
        for bucket, key in ((by_type, VIOLATION_TYPES.get(vtype, vtype)), (by_city, _city(path))):
            entry = bucket.setdefault(key, [0, 0])
            entry[0] += count
            entry[1] += float(total)
    city_names = {code: organ_for(session, org_path=f"/{code}/").name for code in by_city}
    transfer_status = {"待签收": 0, "已签收待反馈": 0, "已反馈": 0, "反馈超期": 0}
    for t in transfers_sent(session, actor=actor):
        if t.feedback_on:
            transfer_status["已反馈"] += 1
        elif t.feedback_due_on < today:
            transfer_status["反馈超期"] += 1
        elif t.received_on:
            transfer_status["已签收待反馈"] += 1
        else:
            transfer_status["待签收"] += 1
    return {
        "stages": Table("案件环节", ["环节", "案件数"],
                        [(STATUS_LABELS.get(s, s), n) for s, n in sorted(stages.items())]),
        "days_left": Table("剩余期限", ["剩余期限", "在办案件数"], list(buckets.items())),
        "overdue": Table("超期案件", ["案号", "当事人", "环节", "期限", "期限日期", "超期天数"], overdue),
        "fines_by_type": Table("罚款（按违法行为）", ["违法行为", "决定数", "罚款金额（元）"],
                               [(k, v[0], round(v[1], 2)) for k, v in sorted(by_type.items())]),
        "fines_by_city": Table("罚款（按地市）", ["地市", "决定数", "罚款金额（元）"],
                               [(city_names[k], v[0], round(v[1], 2)) for k, v in sorted(by_city.items())]),
        "transfers": Table("移送反馈", ["状态", "件数"], list(transfer_status.items())),
    }


def unreviewed_closed_cases(session: Session, *, actor: Actor) -> list[int]:
    reviewed = select(FileReview.case_id)
    stmt = scope(select(Case.id), Case.org_path, actor).where(Case.status.in_(("closed", "archived")),
                                                              Case.id.not_in(reviewed))
    return list(session.scalars(stmt.order_by(Case.id)))


def list_reviews(session: Session, *, actor: Actor) -> list[tuple[FileReview, Case]]:
    stmt = scope(select(FileReview, Case).join(Case, Case.id == FileReview.case_id), Case.org_path, actor)
    rows = session.execute(stmt.order_by(FileReview.reviewed_on.is_not(None), FileReview.id.desc()))
    return [(review, case) for review, case in rows]


def get_review(session: Session, *, actor: Actor, review_id: int, for_update: bool = False) -> FileReview:
    return get_in_scope(session, FileReview, review_id, actor=actor, what="评查记录", for_update=for_update,
                        org_path=lambda review: session.get(Case, review.case_id).org_path)


def review_scores(session: Session, *, actor: Actor) -> dict[str, Table]:
    """Average review scores by unit and by officer (each officer of a case shares its score)."""
    by_unit: dict[str, list[int]] = {}
    by_officer: dict[str, list[int]] = {}
    for review, case in list_reviews(session, actor=actor):
        if review.total is None:
            continue
        by_unit.setdefault(case.organ_name, []).append(review.total)
        for officer in case.officers:
            by_officer.setdefault(officer, []).append(review.total)

    def table(title: str, head: str, data: dict[str, list[int]]) -> Table:
        return Table(title, [head, "评查案卷数", "平均分"],
                     [(k, len(v), round(sum(v) / len(v), 1)) for k, v in sorted(data.items())])

    return {"review_units": table("评查得分（按单位）", "单位", by_unit),
            "review_officers": table("评查得分（按办案人员）", "办案人员", by_officer)}


def rule_overrides(session: Session) -> dict[str, Decimal]:
    """Staff-entered values of the editable (not CONFIRMED) rule figures."""
    return dict(session.execute(select(RuleOverride.key, RuleOverride.value)).all())


def rule_rows(session: Session) -> list[tuple[str, object, object]]:
    """(key, figure in the table, figure in force) for the rule-figure page."""
    from marketreg.domains.enforcement import rules

    overrides = rule_overrides(session)
    return [(key, fig, rules.figure(key, overrides=overrides)) for key, fig in rules.FIGURES.items()]
