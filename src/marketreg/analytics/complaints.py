"""Complaint analytics: the publicity mart (投诉公示), the staff dashboard and cluster flags.

Reads the complaint items through the complaints domain's set-based extracts (never its
tables or internals), like ``marts.py``. Everything staff see is scoped to their jurisdiction
through ``authz.scope``; the public mart holds no personal data.

* **Publicity** (RULES 1.18 / 1.37; plan 二(三)3(3) 投诉公示): per enterprise, complaints closed
  at least ``delay_days`` ago (default 7) within the last ``window_days``: count, resolution
  rate (settled by the parties or mediated, over closed), average hours to the bureau's
  first response, and the enterprise's latest ODR reply with personal data scrubbed (``kernel.masking.scrub``). Only
  respondents identified in the registry (by USCC) are published; duplicates and merged
  filings are not counted twice. Rebuilt by a periodic job; the page shows when.
* **Dashboard**: volume by area and month, goods/service and problem types, timeliness of the
  statutory decisions, satisfaction, most-complained-about respondents, top categories.
* **Clusters**: 一事多人 and 一人多次, thresholds in ``CLUSTER_RULES`` with their basis.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import Date, Float, Integer, String, Text, case, delete, func, insert, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from marketreg.analytics.dashboard import bar_chart, pie_chart
from marketreg.domains.complaints import service as complaints_service
from marketreg.domains.reference import service as reference
from marketreg.domains.registry import service as registry
from marketreg.kernel import clock
from marketreg.kernel.errors import NotFound
from marketreg.kernel.masking import mask_phone, scrub
from marketreg.platform.authz import Actor, scope
from marketreg.platform.db import Base
from marketreg.platform.tasks import crontab, periodic

# The domains' data come as their services' selectables (used as subqueries), never as their
# tables: the complaint items and categories, the registry's entities, the regions.
_item = complaints_service.item_extract().subquery("items")
_entity = registry.entity_facts("uscc", "name", "region_code").subquery("entities")
_region = reference.region_extract().subquery("regions")
_category = complaints_service.category_extract().subquery("categories")

RESOLVED = ("settled", "mediated")           # 双方自行和解, 调解成功
NOT_COUNTED = ("duplicate", "merged")        # the same complaint again: not counted twice
OPEN = ("received", "odr_pending", "accepted", "mediating", "verifying")
KIND_LABELS = {"complaint": "投诉", "report": "举报", "consultation": "咨询"}
NOT_RANKING = "投诉量与企业规模相关，不代表排名"


class PublicitySettings(BaseSettings):
    """``MARKETREG_COMPLAINT_PUBLICITY_DELAY_DAYS`` etc. (platform settings, not statutory)."""

    model_config = SettingsConfigDict(env_prefix="MARKETREG_COMPLAINT_PUBLICITY_", extra="ignore")

    delay_days: int = 7     # publish complaints closed at least this many days ago
    window_days: int = 365  # … and closed within this many days before that


# ----------------------------------------------------------------------------- publicity mart


class MartComplaintPublicity(Base):
    """投诉公示: one row per enterprise; rebuilt whole by ``rebuild_complaint_publicity``."""

    __tablename__ = "mart_complaint_publicity"

    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    region_code: Mapped[str | None] = mapped_column(String(6))
    complaints: Mapped[int] = mapped_column(Integer)
    resolved: Mapped[int] = mapped_column(Integer)
    resolution_rate: Mapped[float | None] = mapped_column(Float)
    avg_response_hours: Mapped[float | None] = mapped_column(Float)
    reply: Mapped[str | None] = mapped_column(Text)
    replied_on: Mapped[dt.date | None] = mapped_column(Date)
    period_from: Mapped[dt.date] = mapped_column(Date)
    period_to: Mapped[dt.date] = mapped_column(Date)
    built_at: Mapped[dt.datetime]


REPLY_MAX = 500


def published_reply(reply: str | None, *, known: Iterable[str | None]) -> str | None:
    """The enterprise's reply as published: scrubbed by the one public-text scrubber, then cut."""
    text = scrub(reply, known=known)
    return text[:REPLY_MAX] if text else None


def _hours(session: Session, later, earlier):
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", later - earlier) / 3600.0
    return (func.julianday(later) - func.julianday(earlier)) * 24.0


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=clock.BUSINESS_TZ).astimezone(dt.UTC)


def publicity_period(today: dt.date, settings: PublicitySettings | None = None) -> tuple[dt.date, dt.date]:
    """First and last closing dates a rebuild on ``today`` publishes."""
    settings = settings or PublicitySettings()
    last = today - dt.timedelta(days=settings.delay_days)
    return last - dt.timedelta(days=settings.window_days - 1), last


def rebuild_complaint_publicity(session: Session, *, today: dt.date | None = None,
                                settings: PublicitySettings | None = None) -> int:
    """Replace the publicity mart in the caller's transaction; returns its row count."""
    today = today or clock.today()
    first, last = publicity_period(today, settings)
    i = _item.c
    published = (i.kind == "complaint", i.status == "closed", i.respondent_uscc.is_not(None),
                 i.outcome.not_in(NOT_COUNTED), i.closed_at >= _day_start(first),
                 i.closed_at < _day_start(last + dt.timedelta(days=1)))
    resolved = func.sum(case((i.outcome.in_(RESOLVED), 1), else_=0))
    rows = session.execute(
        select(i.respondent_uscc, func.max(_entity.c.name), func.max(_entity.c.region_code), func.count(),
               resolved, func.avg(_hours(session, i.first_response_at, i.received_at)))
        .join(_entity, _entity.c.uscc == i.respondent_uscc).where(*published).group_by(i.respondent_uscc)
    ).all()
    replies: dict[str, tuple[str | None, dt.date]] = {}
    reply_rows = session.execute(
        select(i.respondent_uscc, i.enterprise_reply, i.enterprise_replied_at, i.complainant_name,
               i.complainant_phone, i.complainant_address)
        .where(*published, i.enterprise_reply.is_not(None)).order_by(i.enterprise_replied_at.desc(), i.id.desc())
    )
    for uscc, reply, replied_at, name, phone, address in reply_rows:
        if uscc not in replies:
            replies[uscc] = (published_reply(reply, known=(name, phone, address)), clock.business_date(replied_at))
    built = clock.now()
    session.execute(delete(MartComplaintPublicity))
    if rows:
        session.execute(insert(MartComplaintPublicity), [
            {"uscc": uscc, "name": name, "region_code": region, "complaints": int(n), "resolved": int(ok or 0),
             "resolution_rate": round(int(ok or 0) / int(n), 4) if n else None,
             "avg_response_hours": None if hours is None else round(float(hours), 1),
             "reply": replies.get(uscc, (None, None))[0], "replied_on": replies.get(uscc, (None, None))[1],
             "period_from": first, "period_to": last, "built_at": built}
            for uscc, name, region, n, ok, hours in rows
        ])
    return len(rows)


@periodic(crontab(minute="20"))
def rebuild_publicity_periodically() -> int:
    """Hourly: idempotent (the mart is replaced whole, for the business date of the run)."""
    from marketreg.platform.db import get_sessions

    with get_sessions().transaction() as session:
        return rebuild_complaint_publicity(session)


@dataclass(frozen=True, slots=True)
class PublicityPage:
    rows: list[MartComplaintPublicity]
    total: int
    built_at: dt.datetime | None
    period: tuple[dt.date, dt.date] | None
    region_names: dict[str, str]


def _publicity_filter(stmt, q: str):
    q = q.strip()
    if q:
        stmt = stmt.where(or_(MartComplaintPublicity.name.contains(q, autoescape=True),
                              MartComplaintPublicity.uscc == q.upper()))
    return stmt


def publicity_page(session: Session, *, q: str = "", page: int = 1, page_size: int = 20) -> PublicityPage:
    m = MartComplaintPublicity
    stmt = _publicity_filter(select(m), q)
    total = session.scalar(_publicity_filter(select(func.count()).select_from(m), q)) or 0
    rows = list(session.scalars(stmt.order_by(m.name, m.uscc).offset((page - 1) * page_size).limit(page_size)))
    meta = session.execute(select(func.max(m.built_at), func.min(m.period_from), func.max(m.period_to))).one()
    codes = sorted({r.region_code for r in rows if r.region_code})
    names = dict(session.execute(select(_region.c.code, _region.c.name).where(_region.c.code.in_(codes))).all()) \
        if codes else {}
    return PublicityPage(rows, total, meta[0], (meta[1], meta[2]) if meta[1] else None, names)


PUBLICITY_HEADER = ("企业名称", "统一社会信用代码", "所在地区", "投诉量（件）", "和解或调解成功（件）", "解决率",
                    "平均首次响应时长（小时）", "企业答复", "答复日期", "统计期间")


def iter_publicity(session: Session, *, q: str = "", limit: int = 50_000) -> Iterator[tuple]:
    """CSV rows of the publicity mart (public data only)."""
    m = MartComplaintPublicity
    names = dict(session.execute(select(_region.c.code, _region.c.name)).all())
    stmt = _publicity_filter(select(m), q).order_by(m.name, m.uscc).limit(limit)
    for r in session.scalars(stmt):
        yield (r.name, r.uscc, names.get(r.region_code or "", r.region_code or ""), r.complaints, r.resolved,
               "" if r.resolution_rate is None else f"{r.resolution_rate:.1%}",
               "" if r.avg_response_hours is None else r.avg_response_hours, r.reply or "",
               r.replied_on.isoformat() if r.replied_on else "", f"{r.period_from}至{r.period_to}")


# ----------------------------------------------------------------------------- clusters


@dataclass(frozen=True, slots=True)
class ClusterRule:
    label: str
    threshold: int
    window_days: int
    basis: str
    confidence: str  # these are platform settings, not statutory figures


CLUSTER_RULES: dict[str, ClusterRule] = {
    # 一事多人: many complainants against one respondent within a short time. Not a statutory
    # figure: a flag for group disputes (e.g. a prepaid-card business closing), for consumer
    # warnings (办法第三十八条, RULES 1.37) and for checking collusion (办法第十七条第（二）项).
    "group": ClusterRule(
        "一事多人", 5, 30,
        "同一被投诉人30日内被5名以上不同投诉人投诉：提示群体性消费纠纷，研判是否发布消费预警（办法第三十八条）；"
        "也可用于判断是否存在多个投诉人串通投诉（办法第十七条第（二）项）。阈值为平台设置，可调整。",
        "UNCONFIRMED"),
    # 一人多次: one phone filing many times. Order 121 Art. 17(2) and (4) list "the same complainant
    # filing many complaints in a short time" and "several people using one phone number" as factors
    # for "生活消费需要" (RULES 1.24); city bureaus may refine them. A factor, never a refusal by itself.
    "repeat": ClusterRule(
        "一人多次", 5, 30,
        "同一电话号码30日内提交5件以上投诉举报：作为判断是否“为生活消费需要”的考虑因素"
        "（办法第十七条第（二）项、第（四）项），仅作提示，不单独作为不予受理的理由。阈值为平台设置，可调整。",
        "UNCONFIRMED"),
}


@dataclass(frozen=True, slots=True)
class GroupCluster:
    respondent_name: str
    respondent_uscc: str | None
    complainants: int
    filings: int
    first_on: dt.date
    last_on: dt.date


@dataclass(frozen=True, slots=True)
class RepeatCluster:
    phone_masked: str
    filings: int
    respondents: int
    names: int  # distinct names filed under the phone (办法第十七条第（四）项)
    first_on: dt.date
    last_on: dt.date
    query_codes: tuple[str, ...]


def group_clusters(session: Session, *, actor: Actor, today: dt.date,
                   rule: ClusterRule = CLUSTER_RULES["group"]) -> list[GroupCluster]:
    """一事多人: respondents with at least ``threshold`` distinct complainants in the window."""
    i = _item.c
    key = func.coalesce(i.respondent_uscc, i.respondent_name)
    since = today - dt.timedelta(days=rule.window_days - 1)
    distinct = func.count(func.distinct(i.complainant_phone))
    stmt = scope(select(key, func.max(i.respondent_name), func.max(i.respondent_uscc), distinct, func.count(),
                        func.min(i.received_on), func.max(i.received_on)), i.org_path, actor) \
        .where(i.kind == "complaint", i.received_on >= since, i.received_on <= today,
               i.complainant_phone.is_not(None)) \
        .group_by(key).having(distinct >= rule.threshold).order_by(distinct.desc(), func.count().desc())
    return [GroupCluster(name, uscc, int(n), int(total), first, last)
            for _, name, uscc, n, total, first, last in session.execute(stmt.limit(200))]


def repeat_clusters(session: Session, *, actor: Actor, today: dt.date,
                    rule: ClusterRule = CLUSTER_RULES["repeat"]) -> list[RepeatCluster]:
    """一人多次: phones with at least ``threshold`` filings (complaints and reports) in the window."""
    i = _item.c
    since = today - dt.timedelta(days=rule.window_days - 1)
    window = (i.kind.in_(("complaint", "report")), i.parent_id.is_(None), i.complainant_phone.is_not(None),
              i.received_on >= since, i.received_on <= today)
    stmt = scope(select(i.complainant_phone, func.count(), func.count(func.distinct(func.coalesce(
        i.respondent_uscc, i.respondent_name))), func.count(func.distinct(i.complainant_name)),
        func.min(i.received_on), func.max(i.received_on)), i.org_path, actor) \
        .where(*window).group_by(i.complainant_phone).having(func.count() >= rule.threshold) \
        .order_by(func.count().desc()).limit(200)
    found = session.execute(stmt).all()
    codes: dict[str, list[str]] = defaultdict(list)
    if found:
        code_rows = session.execute(scope(select(i.complainant_phone, i.query_code), i.org_path, actor)
                                    .where(*window, i.complainant_phone.in_([r[0] for r in found]))
                                    .order_by(i.received_on, i.id))
        for phone, code in code_rows:
            codes[phone].append(code)
    return [RepeatCluster(mask_phone(phone) or "", int(n), int(respondents), int(names), first, last,
                          tuple(codes[phone]))
            for phone, n, respondents, names, first, last in found]


# ----------------------------------------------------------------------------- dashboard


@dataclass(frozen=True, slots=True)
class Timeliness:
    label: str
    basis: str
    on_time: int
    late: int
    overdue_open: int

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.overdue_open

    @property
    def share(self) -> float | None:
        return self.on_time / self.total if self.total else None


@dataclass(frozen=True, slots=True)
class Table:
    title: str
    header: tuple[str, ...]
    rows: list[tuple]


@dataclass(slots=True)
class ComplaintsDashboard:
    since: dt.date
    today: dt.date
    area_level: str
    kpis: dict[str, int]
    tables: dict[str, Table] = field(default_factory=dict)
    charts: dict[str, dict] = field(default_factory=dict)
    timeliness: list[Timeliness] = field(default_factory=list)
    rating_average: float | None = None
    groups: list[GroupCluster] = field(default_factory=list)
    repeats: list[RepeatCluster] = field(default_factory=list)


def period_start(today: dt.date, months: int) -> dt.date:
    year, month = today.year, today.month - (months - 1)
    while month <= 0:
        year, month = year - 1, month + 12
    return dt.date(year, month, 1)


def _names(session: Session, tab, codes: Iterable[str]) -> dict[str, str]:
    codes = sorted({c for c in codes if c})
    if not codes:
        return {}
    return dict(session.execute(select(tab.c.code, tab.c.name).where(tab.c.code.in_(codes))).all())


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def line_chart(labels: list[str], series: dict[str, list[int]]) -> dict:
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 50, "right": 20, "bottom": 40, "top": 40},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": {"type": "value"},
        "series": [{"name": name, "type": "line", "smooth": True, "data": values} for name, values in series.items()],
    }


def complaints_dashboard(session: Session, *, actor: Actor, today: dt.date | None = None,
                         months: int = 12) -> ComplaintsDashboard:
    """Every figure of the staff dashboard for items received in the last ``months`` months."""
    today = today or clock.today()
    since = period_start(today, months)
    i = _item.c
    base = scope(select(), i.org_path, actor).where(i.received_on >= since, i.received_on <= today)

    by_kind = dict(session.execute(base.add_columns(i.kind, func.count()).group_by(i.kind)).all())
    closed = session.scalar(base.add_columns(func.count()).where(i.status == "closed")) or 0
    overdue = session.scalar(base.add_columns(func.count()).where(i.status.in_(OPEN), i.next_due_on < today)) or 0
    kpis = {"total": sum(by_kind.values()), "complaint": by_kind.get("complaint", 0),
            "report": by_kind.get("report", 0), "consultation": by_kind.get("consultation", 0),
            "closed": int(closed), "open": sum(by_kind.values()) - int(closed), "overdue": int(overdue)}
    board = ComplaintsDashboard(since=since, today=today, kpis={k: int(v) for k, v in kpis.items()},
                                area_level="city" if actor.org_path.count("/") <= 2 else "county")

    # volume by area (cities for province users, counties below)
    area = func.substr(i.region_code, 1, 4) if board.area_level == "city" else i.region_code
    areas = session.execute(base.add_columns(area, func.count()).group_by(area).order_by(area)).all()
    codes = [(a + "00" if a and board.area_level == "city" else a) for a, _ in areas]
    names = _names(session, _region, codes)
    area_rows = [(names.get(code, code) if code else "待分流", int(n)) for code, (_, n) in zip(codes, areas,
                                                                                            strict=True)]
    board.tables["area"] = Table("分市" if board.area_level == "city" else "分县（市、区）", ("地区", "件数"),
                                 area_rows)
    board.charts["area"] = bar_chart([a for a, _ in area_rows], [n for _, n in area_rows], "投诉举报量")

    # volume by month (line), per kind
    months_seen: dict[str, Counter] = defaultdict(Counter)
    for day, kind, n in session.execute(base.add_columns(i.received_on, i.kind, func.count())
                                        .group_by(i.received_on, i.kind)):
        months_seen[f"{day:%Y-%m}"][kind] += int(n)
    labels, cursor = [], since
    while cursor <= today:
        labels.append(f"{cursor:%Y-%m}")
        cursor = (cursor.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    board.charts["month"] = line_chart(labels, {KIND_LABELS[k]: [months_seen[m][k] for m in labels]
                                                for k in ("complaint", "report", "consultation")})
    board.tables["month"] = Table("分月", ("月份", "投诉", "举报", "咨询", "合计"),
                                  [(m, months_seen[m]["complaint"], months_seen[m]["report"],
                                    months_seen[m]["consultation"], sum(months_seen[m].values())) for m in labels])

    # goods/service and problem types (staff-confirmed, else the suggestion)
    complaints = base.where(i.kind == "complaint")
    for axis, confirmed, suggested, title in (("category", i.category_code, i.suggested_category, "商品和服务类别"),
                                              ("problem", i.problem_code, i.suggested_problem, "问题类型")):
        code = func.coalesce(confirmed, suggested)
        counts = {c: int(n) for c, n in session.execute(complaints.add_columns(code, func.count()).group_by(code))}
        groups: Counter = Counter()
        for c, n in counts.items():
            groups[(c or "")[:3]] += n
        names = _names(session, _category, list(counts) + list(groups))
        group_rows = [(names.get(g, "未分类") if g else "未分类", n) for g, n in groups.most_common()]
        board.tables[axis] = Table(f"{title}（大类）", ("类别", "投诉件数"), group_rows)
        if axis == "category":
            board.charts[axis] = pie_chart(group_rows[:12])
            leaves = [(c, n) for c, n in sorted(counts.items(), key=lambda kv: -kv[1]) if c and len(c) > 3][:15]
            board.tables["top_categories"] = Table("投诉热点（小类）", ("代码", "类别", "投诉件数"),
                                                   [(c, names.get(c, c), n) for c, n in leaves])
            board.charts["top_categories"] = bar_chart([names.get(c, c) for c, _ in leaves], [n for _, n in leaves],
                                                       "投诉件数")
        else:
            board.charts[axis] = bar_chart([g for g, _ in group_rows], [n for _, n in group_rows], "投诉件数")

    # timeliness of the statutory decisions
    board.timeliness = _timeliness(session, base, today)
    board.tables["timeliness"] = Table("办理时效", ("环节", "依据", "按期", "逾期办结", "超期未办", "按期率"),
                                       [(t.label, t.basis, t.on_time, t.late, t.overdue_open, _pct(t.share))
                                        for t in board.timeliness])

    # satisfaction
    ratings = dict(session.execute(complaints.add_columns(i.rating, func.count()).where(i.rating.is_not(None))
                                   .group_by(i.rating)).all())
    rated = sum(ratings.values())
    board.rating_average = (sum(int(r) * int(n) for r, n in ratings.items()) / rated) if rated else None
    rating_rows = [(f"{r}分", int(ratings.get(r, 0)), _pct(int(ratings.get(r, 0)) / rated if rated else None))
                   for r in (5, 4, 3, 2, 1)]
    board.tables["rating"] = Table("满意度评价", ("评分", "件数", "占比"), rating_rows)
    board.charts["rating"] = bar_chart([r for r, _, _ in rating_rows], [n for _, n, _ in rating_rows], "评价件数")

    # most-complained-about respondents
    key = func.coalesce(i.respondent_uscc, i.respondent_name)
    resolved = func.sum(case((i.outcome.in_(RESOLVED), 1), else_=0))
    closed_n = func.sum(case((i.status == "closed", 1), else_=0))
    top = session.execute(complaints.add_columns(key, func.max(i.respondent_name), func.max(i.respondent_uscc),
                                                 func.count(), closed_n, resolved)
                          .group_by(key).order_by(func.count().desc(), key).limit(20)).all()
    board.tables["respondents"] = Table("被投诉较多的经营者", ("经营者", "统一社会信用代码", "投诉件数", "已办结",
                                                             "和解或调解成功", "解决率"),
                                        [(name, uscc or "", int(n), int(c or 0), int(ok or 0),
                                          _pct(int(ok or 0) / int(c) if c else None))
                                         for _, name, uscc, n, c, ok in top])

    # clusters
    board.groups = group_clusters(session, actor=actor, today=today)
    board.repeats = repeat_clusters(session, actor=actor, today=today)
    board.tables["groups"] = Table(f"一事多人（{CLUSTER_RULES['group'].window_days}日内≥"
                                   f"{CLUSTER_RULES['group'].threshold}人）",
                                   ("被投诉人", "统一社会信用代码", "投诉人数", "投诉件数", "首次", "最近"),
                                   [(g.respondent_name, g.respondent_uscc or "", g.complainants, g.filings,
                                     g.first_on.isoformat(), g.last_on.isoformat()) for g in board.groups])
    board.tables["repeats"] = Table(f"一人多次（{CLUSTER_RULES['repeat'].window_days}日内≥"
                                    f"{CLUSTER_RULES['repeat'].threshold}件）",
                                    ("电话（脱敏）", "件数", "涉及经营者", "使用姓名数", "首次", "最近", "查询码"),
                                    [(r.phone_masked, r.filings, r.respondents, r.names, r.first_on.isoformat(),
                                      r.last_on.isoformat(), " ".join(r.query_codes)) for r in board.repeats])
    return board


def _timeliness(session: Session, base, today: dt.date) -> list[Timeliness]:
    """Share of statutory decisions made by their stored due date.

    Acceptance: complaints decided (accepted, or closed as not accepted / referred / duplicate
    before acceptance) on or before ``accept_due_on``; items still awaiting a decision after it
    count as overdue. Complaints settled through ODR before any decision are left out.
    Reports: filing decisions (closed) on or before ``report_due_on``; the same for overdue.
    First response: the bureau's first response within the platform's 24 hours.
    """
    i = _item.c
    accept = [0, 0, 0]
    for status, outcome, accepted_at, closed_at, due in session.execute(
            base.add_columns(i.status, i.outcome, i.accepted_at, i.closed_at, i.accept_due_on)
            .where(i.kind == "complaint", i.accept_due_on.is_not(None))):
        decided = accepted_at or (closed_at if outcome in ("not_accepted", "referred", "duplicate") else None)
        if decided is not None:
            accept[0 if clock.business_date(decided) <= due else 1] += 1
        elif status == "received" and due < today:
            accept[2] += 1
    report = [0, 0, 0]
    for status, closed_at, due in session.execute(
            base.add_columns(i.status, i.closed_at, i.report_due_on)
            .where(i.kind == "report", i.report_due_on.is_not(None))):
        if closed_at is not None:
            report[0 if clock.business_date(closed_at) <= due else 1] += 1
        elif status == "verifying" and due < today:
            report[2] += 1
    response = [0, 0, 0]
    now = clock.now()
    for first, due in session.execute(base.add_columns(i.first_response_at, i.first_response_due_at)
                                      .where(i.kind == "complaint")):
        if first is not None:
            response[0 if first <= due else 1] += 1
        elif due < now:
            response[2] += 1
    return [
        Timeliness("受理决定", "7个工作日（暂行办法第十四条／办法第十五条）", *accept),
        Timeliness("举报核查立案决定", "15个工作日（行政处罚程序规定第十八条）", *report),
        Timeliness("首次响应", "24小时（规划 二(三)3(1) 平台服务承诺）", *response),
    ]


TABLE_NAMES = ("area", "month", "category", "problem", "top_categories", "timeliness", "rating", "respondents",
               "groups", "repeats")


def dashboard_table(session: Session, *, actor: Actor, name: str, today: dt.date | None = None,
                    months: int = 12) -> Table:
    """One dashboard table for export (same scope and period as the page)."""
    if name not in TABLE_NAMES:
        raise NotFound("complaints.unknown_table", "没有这张统计表")
    return complaints_dashboard(session, actor=actor, today=today, months=months).tables[name]
