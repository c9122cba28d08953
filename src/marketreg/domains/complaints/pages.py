"""12315 pages: the public filing form, tracking and rating; the ODR enterprise's replies; the
staff work queue, item handling, hotline/letter entry and the rule figures.

(No ``from __future__ import annotations`` here: the per-action staff routes are built in a
loop, and FastAPI must see each route's permission dependency as a real object.)
"""

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from marketreg.domains.complaints import actions, flow, rules, service
from marketreg.domains.complaints.api import ACTIONS, SUPERVISE, ActionSpec, can_rate, ruleset_out, submit
from marketreg.domains.complaints.enums import (
    CHANNEL_LABELS,
    FOLLOW_UP_RESULTS,
    KIND_LABELS,
    OUTCOME_LABELS,
    PLATFORM_ROLE_LABELS,
    STATUS_LABELS,
    Channel,
    Kind,
    Status,
)
from marketreg.domains.complaints.models import Attachment, DuplicateLink, Item
from marketreg.domains.complaints.schemas import FIELD_LABELS as TEXT_FIELD_LABELS
from marketreg.domains.complaints.schemas import IntakeIn, ItemOut, OdrComplaintOut, TrackingOut
from marketreg.domains.complaints.uploads import ACCEPT, MAX_BYTES, MAX_FILES, RawFile, check_uploads
from marketreg.domains.reference import service as reference
from marketreg.kernel import clock
from marketreg.kernel.errors import DomainError, NotFound
from marketreg.platform.authz import PUBLIC, Actor, get_in_scope, scope
from marketreg.platform.calendar import WorkCalendar, load_calendar
from marketreg.web.deps import EnterpriseActor, ReadSession, WriteSession, staff
from marketreg.web.pages import no_store, page_action, render, xlsx_download
from marketreg.web.ratelimit import public_limit
from marketreg.web.templating import register_templates

register_templates(Path(__file__).parent / "templates")
public_pages = APIRouter()
enterprise_pages = APIRouter(prefix="/enterprise")
staff_pages = APIRouter(prefix="/complaints")

SOON_DAYS = 2  # "即将到期": due within this many days (the sweep warns with the same lead)
QUEUE_LIMIT = 200
EXPORT_LIMIT = 20_000
FilterQ = Annotated[str, Query(max_length=100)]

FIELD_LABELS = {**TEXT_FIELD_LABELS, "kind": "类型", "channel": "登记渠道", "platform_role": "经营方式",
                "amount": "涉及金额", "purchased_on": "消费日期", "harm_known_on": "知道权益受损的日期"}
CLOCK_LABELS = {
    "accept_decision": "受理决定", "mediation_limit": "调解期限", "termination_notice": "终止调解告知",
    "report_filing_decision": "举报核查、立案决定", "report_filing_extension": "核查期限延长",
    "report_notice": "告知实名举报人", "limitation": "投诉时效", "first_response": "首次响应（平台承诺）",
    "clue_check": "调解中发现线索的核查",
}
UNIT_LABELS = {"workdays": "个工作日", "days": "日", "hours": "小时", "years": "年"}
CONFIDENCE_LABELS = {"CONFIRMED": "已确认", "PARTIAL": "部分确认", "UNCONFIRMED": "未确认"}
_HAN = re.compile(r"[\u4e00-\u9fff]")


# ----------------------------------------------------------------------------- shared


def due_mark(due_on: dt.date | None, today: dt.date, status: str = "") -> str:
    """"overdue" | "soon" | "" for a statutory due date."""
    if due_on is None or status == Status.closed:
        return ""
    if due_on < today:
        return "overdue"
    return "soon" if due_on <= today + dt.timedelta(days=SOON_DAYS) else ""


def _labels() -> dict:
    return {"kind_labels": KIND_LABELS, "status_labels": STATUS_LABELS, "outcome_labels": OUTCOME_LABELS,
            "channel_labels": CHANNEL_LABELS, "platform_role_labels": PLATFORM_ROLE_LABELS,
            "routing_labels": actions.ROUTING_LABELS, "field_labels": FIELD_LABELS}


class IntakeForm(BaseModel):
    """The filing form as posted (everything text; IntakeIn does the real validation so that
    errors are shown on the form itself)."""

    kind: str = Field("complaint", max_length=20)
    also_report: bool = False
    anonymous: bool = False
    share_contact: bool = False
    channel: str = Field("web", max_length=20)
    complainant_name: str = Field("", max_length=2000)
    complainant_phone: str = Field("", max_length=2000)
    complainant_address: str = Field("", max_length=2000)
    complainant_id_number: str = Field("", max_length=2000)
    complainant_email: str = Field("", max_length=2000)
    respondent_name: str = Field("", max_length=2000)
    respondent_uscc: str = Field("", max_length=2000)
    respondent_address: str = Field("", max_length=2000)
    platform_role: str = Field("none", max_length=40)
    platform_name: str = Field("", max_length=2000)
    seller_published_address: str = Field("", max_length=2000)
    title: str = Field("", max_length=2000)
    facts: str = Field("", max_length=20000)
    report_facts: str = Field("", max_length=20000)
    request: str = Field("", max_length=10000)
    amount: str = Field("", max_length=40)
    purchased_on: str = Field("", max_length=20)
    harm_known_on: str = Field("", max_length=20)
    idempotency_key: str = Field("", max_length=80)


def _intake_data(form: IntakeForm, *, channel: str) -> IntakeIn:
    """IntakeIn from the posted form; a DomainError (coded) for anything wrong."""
    raw = form.model_dump(exclude={"idempotency_key", "channel"})
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in raw.items()}
    values = {k: v for k, v in values.items() if v != ""}
    if "amount" in values:
        try:
            values["amount"] = Decimal(values["amount"])
        except InvalidOperation:
            raise DomainError("request.invalid", "涉及金额格式不正确", status=422, fields=["amount"]) from None
    values["channel"] = channel
    if values.get("kind") != Kind.complaint:
        values["also_report"] = False
    try:
        return IntakeIn(**values)
    except ValidationError as exc:
        fields, problems = [], []
        for error in exc.errors():
            field = str(error["loc"][0]) if error.get("loc") else ""
            reason = str(error.get("msg", "")).removeprefix("Value error, ")
            reason = reason if _HAN.search(reason) else ""  # our own (Chinese) reasons, not pydantic's English
            fields.append(field)
            problems.append(FIELD_LABELS.get(field, field) + (f"（{reason}）" if reason and field else reason))
        message = "请检查以下内容：" + "、".join(dict.fromkeys(p for p in problems if p))
        raise DomainError("request.invalid", message, status=422, fields=[f for f in fields if f]) from None


def _read_files(files: list) -> list[RawFile]:
    raw = []
    for f in files:
        if isinstance(f, str) or f is None:
            continue
        raw.append(RawFile(filename=f.filename or "", content=f.file.read(MAX_BYTES + 1)))
    return raw


def _intake_page(request: Request, template: str, *, form: IntakeForm | None = None, error: DomainError | None = None,
                 extra: dict | None = None) -> Response:
    form = form or IntakeForm(idempotency_key=secrets.token_urlsafe(18))
    if not form.idempotency_key:
        form.idempotency_key = secrets.token_urlsafe(18)
    ctx = {"form": form, "error": error, "accept": ACCEPT, "max_files": MAX_FILES,
           "max_mb": MAX_BYTES // (1024 * 1024), **_labels(), **(extra or {})}
    return render(request, template, ctx, status_code=error.status if error else 200)


def _file_and_show(request: Request, session: Session, *, actor: Actor, form: IntakeForm, files: list,
                   channel: str, template: str, done_template: str, extra: dict | None = None) -> Response:
    try:
        data = _intake_data(form, channel=channel)
        uploads = check_uploads(_read_files(files))
        items, replayed = submit(session, actor=actor, data=data, key=form.idempotency_key, uploads=uploads)
    except DomainError as exc:
        return _intake_page(request, template, form=form, error=exc, extra=extra)
    return render(request, done_template, {
        "items": items, "replayed": replayed, "org_names": {i.id: service.org_name(session, i.org_path) for i in items},
        **_labels()}, status_code=200 if replayed else 201)


# ----------------------------------------------------------------------------- public portal


@public_pages.get("/complaints/new")
@public_limit
def new_filing_page(request: Request) -> Response:
    return _intake_page(request, "complaints/public_new.html")


@public_pages.post("/complaints/new")
@public_limit
def file_filing(request: Request, session: WriteSession, form: Annotated[IntakeForm, Form()],
                files: Annotated[list[UploadFile | str], File()] = []) -> Response:  # noqa: B006 - FastAPI default
    return _file_and_show(request, session, actor=PUBLIC, form=form, files=files, channel=Channel.web,
                          template="complaints/public_new.html", done_template="complaints/public_filed.html")


def _tracking(request: Request, session: Session, code: str, *, error: DomainError | None = None,
              rated: bool = False, phone: str = "") -> Response:
    item, tracking = None, None
    if code:
        try:
            item = service.by_query_code(session, query_code=code)
        except DomainError as exc:
            error = error or exc
    if item is not None:
        tracking = TrackingOut.of(item, can_rate=can_rate(item))
    status = error.status if error else 200
    return render(request, "complaints/public_track.html", {
        "code": code, "tracking": tracking, "error": error, "rated": rated, "phone": phone,
        "org_name": service.org_name(session, item.org_path) if item else "",
        "due_mark": due_mark(item.next_due_on, clock.today(), item.status) if item else "",
    }, status_code=status)


@public_pages.get("/complaints/track")
@public_limit
def track_page(request: Request, session: ReadSession, code: Annotated[str, Query(max_length=20)] = "",
               rated: bool = False) -> Response:
    return _tracking(request, session, code.strip(), rated=rated)


class RatingForm(BaseModel):
    code: str = Field(max_length=20)
    phone: str = Field("", max_length=20)
    rating: int = Field(0, ge=0, le=5)
    resolved: str = Field("", max_length=4)
    comment: str = Field("", max_length=500)


@public_pages.post("/complaints/rating")
@public_limit
def rate_page(request: Request, session: WriteSession, form: Annotated[RatingForm, Form()]) -> Response:
    def rate():
        if form.resolved not in ("1", "0"):
            raise DomainError("complaints.resolved_required", "请选择问题是否已解决")
        actions.do_rate(session, actor=PUBLIC, query_code=form.code, phone=form.phone, rating=form.rating,
                        resolved=form.resolved == "1", comment=form.comment)

    return page_action(session, rate, refused=lambda exc: _tracking(request, session, form.code.strip(), error=exc,
                                                                    phone=form.phone),
                       done=f"/complaints/track?code={form.code.strip().upper()}&rated=1")


# ----------------------------------------------------------------------------- ODR enterprise (public portal)


@dataclass(frozen=True, slots=True)
class OdrRow:
    item: OdrComplaintOut
    due: str


def _odr_page(request: Request, session: Session, actor: Actor, *, error: DomainError | None = None,
              error_item: int | None = None, done: str = "") -> Response:
    """The enterprise's complaints (``OdrComplaintOut``: no report, contact only with consent);
    the contact read is audited, so the page is built in a write transaction and never cached."""
    today = clock.today()
    rows = [OdrRow(OdrComplaintOut.of(i), due_mark(i.odr_due_on, today, i.status) if i.status == Status.odr_pending
                   else "")
            for i in actions.do_odr_view(session, actor=actor)]
    return no_store(render(request, "complaints/enterprise_list.html", {
        "rows": rows, "unit": service.odr_unit(session, uscc=actor.entity_uscc), "error": error,
        "error_item": error_item, "done": done, **_labels(),
    }, status_code=error.status if error else 200))


@enterprise_pages.get("/complaints")
def enterprise_complaints(request: Request, session: WriteSession, actor: EnterpriseActor,
                          done: Annotated[str, Query(max_length=20)] = "") -> Response:
    """Complaints (never reports) against the signed-in enterprise, with its ODR due dates."""
    return _odr_page(request, session, actor, done=done)


class ReplyForm(BaseModel):
    reply: str = Field("", max_length=5000)
    settled: str = Field("", max_length=4)


@enterprise_pages.post("/complaints/{item_id:int}/reply")
def enterprise_reply(request: Request, session: WriteSession, actor: EnterpriseActor, item_id: int,
                     form: Annotated[ReplyForm, Form()]) -> Response:
    def reply():
        if form.settled not in ("1", "0"):
            raise DomainError("complaints.settled_required", "请选择“已和解”或“无法和解”")
        actions.do_odr_reply(session, actor=actor, item_id=item_id, reply=form.reply, settled=form.settled == "1")

    return page_action(session, reply, refused=lambda exc: _odr_page(request, session, actor, error=exc,
                                                                     error_item=item_id),
                       done=f"/enterprise/complaints?done={item_id}")


# ----------------------------------------------------------------------------- staff: queue, export, entry


def _queue_filters(status: str, kind: str, due: str, q: str) -> service.QueueFilter:
    return service.QueueFilter(status=status if status in STATUS_LABELS else "",
                               kind=kind if kind in KIND_LABELS else "",
                               due=due if due in ("soon", "overdue") else "", q=q)


@staff_pages.get("")
def queue_page(request: Request, session: ReadSession, actor: staff("complaints.view"), status: FilterQ = "",
               kind: FilterQ = "", due: FilterQ = "", q: FilterQ = "") -> Response:
    """The work queue: open items in jurisdiction, nearest statutory deadline first."""
    today = clock.today()
    filters = _queue_filters(status, kind, due, q)
    items = service.work_queue(session, actor=actor, filters=filters, today=today, soon_days=SOON_DAYS,
                               limit=QUEUE_LIMIT)
    calendar = load_calendar(session)
    query = "&".join(f"{k}={v}" for k, v in {"status": filters.status, "kind": filters.kind, "due": filters.due,
                                              "q": filters.q}.items() if v)
    return render(request, "complaints/queue.html", {
        "items": items, "filters": filters, "today": today, "query": query, "limit": QUEUE_LIMIT,
        "marks": {i.id: due_mark(i.next_due_on, today, i.status) for i in items},
        "provisional": {i.id for i in items if i.next_due_on and not calendar.is_official(i.next_due_on.year)},
        "org_names": {p: service.org_name(session, p) for p in {i.org_path for i in items}}, **_labels(),
    })


@staff_pages.get(".xlsx")
def queue_export(session: ReadSession, actor: staff("complaints.view"), status: FilterQ = "", kind: FilterQ = "",
                 due: FilterQ = "", q: FilterQ = "") -> Response:
    today = clock.today()
    items = service.work_queue(session, actor=actor, filters=_queue_filters(status, kind, due, q), today=today,
                               soon_days=SOON_DAYS, limit=EXPORT_LIMIT)
    names: dict[str, str] = {}
    marks = {"overdue": "已超期", "soon": "即将到期", "": ""}
    calendar = load_calendar(session)

    def rows():
        for i in items:
            if i.org_path not in names:
                names[i.org_path] = service.org_name(session, i.org_path)
            yield (i.query_code, KIND_LABELS[i.kind], CHANNEL_LABELS.get(i.channel, i.channel), i.title,
                   i.respondent_name, i.respondent_uscc or "", STATUS_LABELS[i.status], i.received_on.isoformat(),
                   i.next_due_on.isoformat() if i.next_due_on else "", marks[due_mark(i.next_due_on, today, i.status)],
                   "暂定" if i.next_due_on and not calendar.is_official(i.next_due_on.year) else "",
                   names[i.org_path], i.rule_version)

    header = ["查询码", "类型", "渠道", "标题", "被投诉（举报）对象", "统一社会信用代码", "状态", "登记日期",
              "法定期限", "期限提示", "期限性质", "承办单位", "适用规则"]
    return xlsx_download("投诉举报工作台.xlsx", header, rows())


@staff_pages.get("/new")
def staff_new_page(request: Request, actor: staff("complaints.intake")) -> Response:
    return _intake_page(request, "complaints/staff_new.html", form=IntakeForm(channel=Channel.hotline,
                                                                          idempotency_key=secrets.token_urlsafe(18)))


@staff_pages.post("/new")
def staff_file(request: Request, session: WriteSession, actor: staff("complaints.intake"),
               form: Annotated[IntakeForm, Form()],
               files: Annotated[list[UploadFile | str], File()] = []) -> Response:  # noqa: B006 - FastAPI default
    """Hotline calls, letters and visits, recorded by staff through the same intake."""
    channel = form.channel if form.channel in (Channel.hotline, Channel.letter, Channel.visit) else Channel.hotline
    return _file_and_show(request, session, actor=actor, form=form, files=files, channel=channel,
                          template="complaints/staff_new.html", done_template="complaints/staff_filed.html")


# ----------------------------------------------------------------------------- staff: rule figures


@staff_pages.get("/rules")
def rules_page(request: Request, session: ReadSession, actor: staff("complaints.manage_rules"),
               done: Annotated[str, Query(max_length=60)] = "") -> Response:
    return _rules(request, session, actor, done=done)


def _rules(request: Request, session: Session, actor: Actor, *, error: DomainError | None = None,
           done: str = "") -> Response:
    """The figures; edit forms only for the province, whose figures they are."""
    return render(request, "complaints/rules.html", {
        "rulesets": ruleset_out(session), "grounds": {r.version: r for r in rules.RULESETS}, "error": error,
        "done": done, "can_edit": actor.is_province, "clock_labels": CLOCK_LABELS, "unit_labels": UNIT_LABELS,
        "confidence_labels": CONFIDENCE_LABELS,
    }, status_code=error.status if error else 200)


class FigureForm(BaseModel):
    value: str = Field("", max_length=10)
    note: str = Field("", max_length=200)


@staff_pages.post("/rules/{version}/{key}")
def set_figure(request: Request, session: WriteSession, actor: staff("complaints.manage_rules"), version: str,
               key: str, form: Annotated[FigureForm, Form()]) -> Response:
    def set_value():
        if not form.value.strip().isdigit():
            raise DomainError("complaints.bad_value", "参数值应为1到365之间的整数")
        actions.do_set_rule_figure(session, actor=actor, version=version, key=key, value=int(form.value),
                                   note=form.note)

    return page_action(session, set_value, refused=lambda exc: _rules(request, session, actor, error=exc),
                       done=f"/staff/complaints/rules?done={version}:{key}")


# ----------------------------------------------------------------------------- staff: one item


class ActionForm(BaseModel):
    """Every field any handling form may send (each action reads its own)."""

    ground: str = Field("", max_length=40)
    note: str = Field("", max_length=5000)
    reason: str = Field("", max_length=2000)
    to: str = Field("", max_length=200)
    of_query_code: str = Field("", max_length=20)
    into_query_code: str = Field("", max_length=20)
    summary: str = Field("", max_length=2000)
    filed: str = Field("", max_length=4)
    answer: str = Field("", max_length=5000)
    region_code: str = Field("", max_length=6)
    instruction: str = Field("", max_length=2000)
    due_on: str = Field("", max_length=20)
    complainant_consents: bool = False
    respondent_consents: bool = False
    result: str = Field("", max_length=20)


class FormInput:
    """A posted handling form read the way the action table reads the JSON input: ``filed`` as
    yes/no and ``due_on`` as a date, each checked only when the action reads it."""

    def __init__(self, form: ActionForm):
        self._form = form

    def __getattr__(self, name: str):
        return getattr(self._form, name)

    @property
    def filed(self) -> bool:
        if self._form.filed not in ("1", "0"):
            raise DomainError("complaints.decision_required", "请选择“立案”或“不予立案”")
        return self._form.filed == "1"

    @property
    def due_on(self) -> dt.date:
        try:
            return dt.date.fromisoformat(self._form.due_on.strip())
        except ValueError:
            raise DomainError("complaints.bad_due", "请填写期限日期（YYYY-MM-DD）") from None


def available_actions(item: Item, actor: Actor) -> list[str]:
    """The handling actions valid in the item's state (flow.ALLOWED), for its kind and the actor's role."""
    names = []
    for name, spec in ACTIONS.items():
        if item.kind not in spec.kinds or not actor.can(spec.permission):
            continue
        if name in ("take_over", "supervise"):
            if item.status != Status.closed and item.org_path != actor.org_path:
                names.append(name)
            continue
        if item.status not in flow.ALLOWED[name]:
            continue
        if (name == "follow_up" and not any(f.status == "pending" for f in item.follow_ups)) or \
                (name == "pause_mediation" and item.paused_since is not None) or \
                (name == "resume_mediation" and item.paused_since is None) or \
                (name == "extend_report" and any(s.action == "report_extended" for s in item.steps)):
            continue
        names.append(name)
    return names


@dataclass(frozen=True, slots=True)
class ClockRow:
    label: str
    due_on: dt.date | dt.datetime | None
    basis: str
    met: bool
    mark: str
    provisional: bool = False  # counted over a year whose official holiday arrangement is not loaded


def _clocks(item: Item, rule_set: rules.RuleSet, calendar: WorkCalendar, today: dt.date) -> list[ClockRow]:
    rows = [ClockRow("首次响应（24小时，平台承诺）", item.first_response_due_at,
                     rule_set.figure("first_response").basis, item.first_response_at is not None, "")]
    active = item.status != Status.closed

    def add(label: str, due_on: dt.date | None, basis: str, current: bool) -> None:
        if due_on is not None:
            rows.append(ClockRow(label, due_on, basis, not current,
                                 due_mark(due_on, today) if current and active else "",
                                 not calendar.is_official(due_on.year)))

    def basis(key: str) -> str:
        return rule_set.figure(key).basis

    add("受理决定", item.accept_due_on, basis("accept_decision"), item.status == Status.received)
    add("企业在线和解（ODR）", item.odr_due_on, "ODR企业承诺期限（平台规则）", item.status == Status.odr_pending)
    add("调解期限届满", item.mediation_due_on, basis("mediation_limit"),
        item.status in (Status.accepted, Status.mediating))
    add("核查并作出是否立案决定", item.report_due_on, basis("report_filing_decision"), item.status == Status.verifying)
    return rows


def _detail(request: Request, session: Session, actor: Actor, item_id: int, *, show_identity: bool = False,
            error: DomainError | None = None, done: str = "") -> Response:
    item = service.get_item(session, actor=actor, item_id=item_id)
    today = clock.today()
    rule_set = rules.ruleset_for(item.received_on, service.rule_overrides(session))
    clocks = _clocks(item, rule_set, load_calendar(session), today)
    links = session.execute(scope(select(DuplicateLink, Item).join(Item, Item.id == DuplicateLink.other_id)
                                  .where(DuplicateLink.item_id == item.id), Item.org_path, actor)
                            .order_by(DuplicateLink.score.desc())).all()
    related = session.scalars(scope(select(Item).where(or_(Item.id == item.parent_id, Item.parent_id == item.id)),
                                    Item.org_path, actor).order_by(Item.id))
    supervisions = service.open_supervisions(session, item_id=item.id)
    return render(request, "complaints/detail.html", {
        "item": item, "out": ItemOut.of(item, today=today, show_identity=show_identity),
        "show_identity": show_identity and not item.anonymous, "rule_set": rule_set,
        "clocks": clocks, "provisional": any(c.provisional for c in clocks),
        "actions": available_actions(item, actor), "specs": ACTIONS, "follow_up_results": FOLLOW_UP_RESULTS,
        "supervisions": supervisions,
        "sup_orgs": {s.org_path: service.org_name(session, s.org_path) for s in supervisions},
        "links": links,
        "related": list(related), "org_name": service.org_name(session, item.org_path),
        "regions": reference.region_choices(session, within=actor.org_path) if actor.can(SUPERVISE) else [],
        "error": error, "done": done, "today": today, "mark": due_mark(item.next_due_on, today, item.status),
        "rule_title": rule_set.title, **_labels(),
    }, status_code=error.status if error else 200)


@staff_pages.get("/{item_id:int}")
def detail_page(request: Request, session: ReadSession, actor: staff("complaints.view"), item_id: int,
                done: Annotated[str, Query(max_length=40)] = "") -> Response:
    return _detail(request, session, actor, item_id, done=done)


@staff_pages.post("/{item_id:int}/identity")
def identity_page(request: Request, session: WriteSession, actor: staff("complaints.view_identity"),
                  item_id: int) -> Response:
    """Unmasked identity (RULES 1.15); the view is audited."""
    return page_action(session, lambda: actions.do_view_identity(session, actor=actor, item_id=item_id),
                       done=lambda _: no_store(_detail(request, session, actor, item_id, show_identity=True)))


@staff_pages.get("/{item_id:int}/attachments/{attachment_id:int}")
def attachment(session: ReadSession, actor: staff("complaints.view"), item_id: int, attachment_id: int) -> Response:
    found = get_in_scope(session, Attachment, attachment_id, actor=actor, what="附件",
                         org_path=lambda a: session.get(Item, a.item_id).org_path)
    path = actions.attachment_path(found.sha256)
    if found.item_id != item_id or not path.exists():
        raise NotFound("complaints.attachment_not_found", "附件不存在")
    disposition = "inline" if found.mime.startswith("image/") else "attachment"
    return FileResponse(path, media_type=found.mime, filename=found.filename, content_disposition_type=disposition)


def _make_action_route(name: str, spec: ActionSpec) -> None:
    def endpoint(request: Request, session: WriteSession, actor: staff(spec.permission), item_id: int,
                 form: Annotated[ActionForm, Form()]) -> Response:
        def refused(exc: DomainError) -> Response:
            if isinstance(exc, NotFound):
                raise exc
            return _detail(request, session, actor, item_id, error=exc)

        return page_action(session, lambda: spec.run(session, actor, item_id, FormInput(form)), refused=refused,
                           done=f"/staff/complaints/{item_id}?done={name}")

    endpoint.__name__ = f"complaint_{name}"
    endpoint.__doc__ = spec.label
    staff_pages.post(f"/{{item_id:int}}/{spec.segment}")(endpoint)


for _name, _spec in ACTIONS.items():
    _make_action_route(_name, _spec)


@staff_pages.post("/{item_id:int}/duplicates/{link_id:int}")
def resolve_duplicate(request: Request, session: WriteSession, actor: staff("complaints.handle"), item_id: int,
                      link_id: int, confirmed: Annotated[str, Form(max_length=1)] = "") -> Response:
    """Confirm or dismiss a suggested duplicate link."""
    return page_action(session, lambda: actions.do_resolve_duplicate_link(session, actor=actor, item_id=item_id,
                                                                          link_id=link_id, confirmed=confirmed == "1"),
                       done=f"/staff/complaints/{item_id}#duplicates")


@staff_pages.get("/follow-ups")
def follow_ups_page(request: Request, session: ReadSession, actor: staff("complaints.view")) -> Response:
    """Items picked for a follow-up visit (回访), pending first."""
    rows = service.follow_ups(session, actor=actor)
    return render(request, "complaints/follow_ups.html", {"rows": rows, "results": FOLLOW_UP_RESULTS})
