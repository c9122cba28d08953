"""JSON API of 12315 complaints and reports (mounted under /api/v1).

Public: file a complaint / report / consultation (idempotent by ``Idempotency-Key``), track it
by query code, rate it. Staff: the work queue, one item (identity masked; unmasking is audited),
and one POST per handling action, generated from the action table that also drives the pages.
Every refusal is a DomainError → 4xx with a stable code.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from marketreg.domains.complaints import actions, rules, service
from marketreg.domains.complaints.enums import Channel, Kind
from marketreg.domains.complaints.models import Item
from marketreg.domains.complaints.schemas import IntakeIn, ItemOut, TrackingOut
from marketreg.kernel import clock
from marketreg.kernel.errors import Conflict
from marketreg.platform.authz import PUBLIC, Actor
from marketreg.web.deps import ReadSession, WriteSession, staff
from marketreg.web.pages import NO_STORE
from marketreg.web.ratelimit import public_limit

public_router = APIRouter(prefix="/public/complaints", tags=["public"])
staff_router = APIRouter(prefix="/complaints", tags=["complaints"])

IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=80)]


# ----------------------------------------------------------------------------- shapes


class IntakeItemOut(BaseModel):
    query_code: str
    kind: str
    status: str
    next_due_on: dt.date | None
    org_name: str


class IntakeOut(BaseModel):
    items: list[IntakeItemOut]


class RatingIn(BaseModel):
    phone: str = Field(min_length=5, max_length=20)
    rating: int = Field(ge=1, le=5)
    resolved: bool
    comment: str = Field("", max_length=500)


class GroundIn(BaseModel):
    ground: str = Field(min_length=1, max_length=40)
    note: str = Field("", max_length=2000)


class ConsentIn(BaseModel):
    complainant_consents: bool
    respondent_consents: bool


class ReasonIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class NoteIn(BaseModel):
    note: str = Field("", max_length=2000)


class ReferIn(BaseModel):
    to: str = Field(min_length=1, max_length=200)
    note: str = Field("", max_length=2000)


class DuplicateIn(BaseModel):
    of_query_code: str = Field(min_length=6, max_length=16)


class ClueIn(BaseModel):
    summary: str = Field(min_length=1, max_length=2000)


class DecideIn(BaseModel):
    filed: bool
    note: str = Field("", max_length=2000)


class MergeIn(BaseModel):
    into_query_code: str = Field(min_length=6, max_length=16)


class AnswerIn(BaseModel):
    answer: str = Field(min_length=1, max_length=5000)


class RerouteIn(BaseModel):
    region_code: str = Field(min_length=6, max_length=6)
    reason: str = Field(min_length=1, max_length=500)


class SuperviseIn(BaseModel):
    instruction: str = Field(min_length=1, max_length=2000)
    due_on: dt.date


class SupervisionOut(BaseModel):
    id: int
    org_path: str
    instruction: str
    due_on: dt.date
    automatic: bool
    created_by: str

    @classmethod
    def of(cls, row) -> SupervisionOut:
        return cls(id=row.id, org_path=row.org_path, instruction=row.instruction, due_on=row.due_on,
                   automatic=row.automatic, created_by=row.created_by)


class FigureOut(BaseModel):
    key: str
    value: int
    statutory_value: int
    unit: str
    basis: str
    confidence: str
    editable: bool
    overridden: bool


class RuleSetOut(BaseModel):
    version: str
    title: str
    effective_from: dt.date
    effective_to: dt.date | None
    figures: list[FigureOut]


class FigureIn(BaseModel):
    value: int = Field(ge=1, le=365)
    note: str = Field("", max_length=200)


# ----------------------------------------------------------------------------- shared helpers


def _by_key(session: Session, key: str) -> list[Item]:
    return list(session.scalars(select(Item).where(Item.idempotency_key.in_([key, f"{key}:report"]))
                                .order_by(Item.id)))


def _replay(existing: list[Item], data: IntakeIn) -> tuple[list[Item], bool]:
    """The first call's items — but only for the same filing: a key reused for different content
    (or guessed) must not hand out someone else's query codes."""
    first = existing[0]
    same = (first.complainant_phone or None, first.respondent_name, first.title, first.facts) == \
        (data.complainant_phone or None, data.respondent_name, data.title, data.facts)
    if not same:
        raise Conflict("complaints.idempotency_key_reused", "该幂等键已用于另一份提交，请更换后重试")
    return existing, True


def submit(session: Session, *, actor: Actor, data: IntakeIn, key: str | None,
           uploads: list[actions.Upload] | None = None) -> tuple[list[Item], bool]:
    """File once per idempotency key; returns (items, replayed).

    A concurrent submission with the same key loses the race on the unique key; its
    savepoint is rolled back and it answers with the winner's items.
    """
    key = (key or "").strip() or None
    if key:
        existing = _by_key(session, key)
        if existing:
            return _replay(existing, data)
    try:
        with session.begin_nested():
            items = actions.do_intake(session, actor=actor, data=data, idempotency_key=key, uploads=uploads)
    except IntegrityError:
        existing = _by_key(session, key) if key else []
        if not existing:
            raise
        return _replay(existing, data)
    return items, False


def intake_out(session: Session, items: list[Item]) -> IntakeOut:
    return IntakeOut(items=[IntakeItemOut(query_code=i.query_code, kind=i.kind, status=i.status,
                                          next_due_on=i.next_due_on, org_name=service.org_name(session, i.org_path))
                            for i in items])


def can_rate(item: Item) -> bool:
    """Closed, within the rating window, filed with a phone, and not yet rated since closure."""
    if item.status != "closed" or item.closed_at is None or item.anonymous or not item.complainant_phone:
        return False
    if clock.now() - item.closed_at > dt.timedelta(days=actions.RATING_WINDOW_DAYS):
        return False
    return item.rated_at is None or item.rated_at < item.closed_at


def ruleset_out(session: Session) -> list[RuleSetOut]:
    overrides = service.rule_overrides(session)
    out = []
    for base in rules.RULESETS:
        current = rules.ruleset_for(base.effective_from, overrides)
        out.append(RuleSetOut(
            version=base.version, title=base.title, effective_from=base.effective_from,
            effective_to=base.effective_to,
            figures=[FigureOut(key=key, value=current.figures[key].value, statutory_value=figure.value,
                               unit=figure.unit, basis=figure.basis, confidence=figure.confidence,
                               editable=figure.editable, overridden=key in current.overridden)
                     for key, figure in base.figures.items()]))
    return out


def _item_out(item: Item, *, show_identity: bool = False) -> ItemOut:
    return ItemOut.of(item, today=clock.today(), show_identity=show_identity)


# ----------------------------------------------------------------------------- public


@public_router.post("", response_model=IntakeOut, status_code=201)
@public_limit
def file_public(request: Request, response: Response, session: WriteSession, data: Annotated[IntakeIn, Body()],
                idempotency_key: IdempotencyKey = None) -> IntakeOut:
    """File a complaint, report or consultation. The same ``Idempotency-Key`` never files twice:
    a replay answers 200 with the items of the first call."""
    if "channel" not in data.model_fields_set or data.channel not in (Channel.web, Channel.api):
        data = data.model_copy(update={"channel": Channel.api})  # staff channels are not the public's to claim
    items, replayed = submit(session, actor=PUBLIC, data=data, key=idempotency_key)
    if replayed:
        response.status_code = 200
    return intake_out(session, items)


@public_router.get("/{query_code}", response_model=TrackingOut)
@public_limit
def track(request: Request, session: ReadSession, query_code: str) -> TrackingOut:
    item = service.by_query_code(session, query_code=query_code)
    return TrackingOut.of(item, can_rate=can_rate(item))


@public_router.post("/{query_code}/rating", response_model=TrackingOut)
@public_limit
def rate(request: Request, session: WriteSession, query_code: str, body: RatingIn) -> TrackingOut:
    item = actions.do_rate(session, actor=PUBLIC, query_code=query_code, phone=body.phone, rating=body.rating,
                           resolved=body.resolved, comment=body.comment)
    return TrackingOut.of(item, can_rate=can_rate(item))


# ----------------------------------------------------------------------------- staff: reads


@staff_router.get("", response_model=list[ItemOut])
def queue(
    session: ReadSession,
    actor: staff("complaints.view"),
    status: Annotated[str, Query(max_length=16)] = "",
    kind: Annotated[str, Query(max_length=16)] = "",
    due: Annotated[str, Query(pattern="^(|soon|overdue)$")] = "",
    q: Annotated[str, Query(max_length=100)] = "",
) -> list[ItemOut]:
    """Open items in the actor's jurisdiction, nearest statutory deadline first."""
    today = clock.today()
    filters = service.QueueFilter(status=status, kind=kind, due=due, q=q)
    return [ItemOut.of(i, today=today, show_identity=False)
            for i in service.work_queue(session, actor=actor, filters=filters, today=today)]


@staff_router.get("/rules", response_model=list[RuleSetOut])
def rule_figures(session: ReadSession, actor: staff("complaints.manage_rules")) -> list[RuleSetOut]:
    """Both rule versions' figures with their source and confidence; staff values applied."""
    return ruleset_out(session)


@staff_router.put("/rules/{version}/{key}", response_model=list[RuleSetOut])
def set_rule_figure(session: WriteSession, actor: staff("complaints.manage_rules"), version: str, key: str,
                    body: FigureIn) -> list[RuleSetOut]:
    """Set a figure that RULES.md does not mark CONFIRMED (audited)."""
    actions.do_set_rule_figure(session, actor=actor, version=version, key=key, value=body.value, note=body.note)
    session.flush()
    return ruleset_out(session)


@staff_router.get("/{item_id:int}", response_model=ItemOut)
def get_item(session: ReadSession, actor: staff("complaints.view"), item_id: int) -> ItemOut:
    return _item_out(service.get_item(session, actor=actor, item_id=item_id))


@staff_router.get("/{item_id:int}/supervisions", response_model=list[SupervisionOut])
def supervisions(session: ReadSession, actor: staff("complaints.view"), item_id: int) -> list[SupervisionOut]:
    item = service.get_item(session, actor=actor, item_id=item_id)
    return [SupervisionOut.of(s) for s in service.open_supervisions(session, item_id=item.id)]


@staff_router.post("/{item_id:int}/identity", response_model=ItemOut)
def view_identity(response: Response, session: WriteSession, actor: staff("complaints.view_identity"),
                  item_id: int) -> ItemOut:
    """The complainant's or reporter's identity, unmasked; every read is audited (RULES 1.15) and
    never cached."""
    item = actions.do_view_identity(session, actor=actor, item_id=item_id)
    response.headers.update(NO_STORE)
    return _item_out(item, show_identity=True)


# ----------------------------------------------------------------------------- staff: handling actions
# One table drives both the JSON routes (generated below, one POST per action) and the staff pages'
# forms (``pages.py``): URL segment, label, permission, the item kinds it applies to, the JSON input
# and the call. ``run`` reads its fields by name, from the JSON input here and from the posted form
# on the pages (``pages.FormInput``, which reads ``filed`` and ``due_on`` the way the JSON has them).


@dataclass(frozen=True, slots=True)
class ActionSpec:
    segment: str
    label: str
    permission: str
    kinds: frozenset[str]
    run: Callable[[Session, Actor, int, Any], object]
    body: type[BaseModel] | None = None  # the JSON input (None: the action takes none)
    out: type[BaseModel] = ItemOut       # the JSON answer: the item, or what the action created
    status_code: int | None = None  # None: FastAPI's default (200)
    api: bool = True                     # False: page only


_ALL = frozenset(Kind)
_C, _R = frozenset({Kind.complaint}), frozenset({Kind.report})
HANDLE, SUPERVISE = "complaints.handle", "complaints.supervise"
ACTIONS: dict[str, ActionSpec] = {
    "accept": ActionSpec("accept", "受理", HANDLE, _C,
                         lambda s, a, i, f: actions.do_accept(s, actor=a, item_id=i)),
    "refuse": ActionSpec("refuse", "不予受理", HANDLE, _C,
                         lambda s, a, i, f: actions.do_refuse(s, actor=a, item_id=i, ground=f.ground, note=f.note),
                         GroundIn),
    "start_mediation": ActionSpec(
        "mediation/start", "开始调解", HANDLE, _C,
        lambda s, a, i, f: actions.do_start_mediation(s, actor=a, item_id=i,
                                                      complainant_consents=f.complainant_consents,
                                                      respondent_consents=f.respondent_consents), ConsentIn),
    "pause_mediation": ActionSpec("mediation/pause", "检测鉴定，中止计算调解期限", HANDLE, _C,
                                  lambda s, a, i, f: actions.do_pause_mediation(s, actor=a, item_id=i,
                                                                                reason=f.reason), ReasonIn),
    "resume_mediation": ActionSpec("mediation/resume", "恢复调解", HANDLE, _C,
                                   lambda s, a, i, f: actions.do_resume_mediation(s, actor=a, item_id=i)),
    "close_mediated": ActionSpec("mediation/close", "调解成功，办结", HANDLE, _C,
                                 lambda s, a, i, f: actions.do_close_mediated(s, actor=a, item_id=i, note=f.note),
                                 NoteIn),
    "terminate_mediation": ActionSpec(
        "mediation/terminate", "终止调解", HANDLE, _C,
        lambda s, a, i, f: actions.do_terminate_mediation(s, actor=a, item_id=i, ground=f.ground, note=f.note),
        GroundIn),
    "settle": ActionSpec("settle", "双方自行和解，办结", HANDLE, _C,
                         lambda s, a, i, f: actions.do_settle(s, actor=a, item_id=i, note=f.note), NoteIn),
    "raise_clue": ActionSpec("clue", "发现违法线索，移交核查", HANDLE, _C,
                             lambda s, a, i, f: actions.do_raise_clue(s, actor=a, item_id=i, summary=f.summary),
                             ClueIn),
    "decide_report": ActionSpec("report/decide", "作出是否立案决定", HANDLE, _R,
                                lambda s, a, i, f: actions.do_decide_report(s, actor=a, item_id=i, filed=f.filed,
                                                                            note=f.note), DecideIn),
    "extend_report": ActionSpec("report/extend", "延长核查期限（经负责人批准）", SUPERVISE, _R,
                                lambda s, a, i, f: actions.do_extend_report(s, actor=a, item_id=i, reason=f.reason),
                                ReasonIn),
    "merge_report": ActionSpec("report/merge", "并入其他举报", HANDLE, _R,
                               lambda s, a, i, f: actions.do_merge_report(s, actor=a, item_id=i,
                                                                          into_query_code=f.into_query_code),
                               MergeIn),
    "answer": ActionSpec("answer", "答复咨询", HANDLE, frozenset({Kind.consultation}),
                         lambda s, a, i, f: actions.do_answer(s, actor=a, item_id=i, answer=f.answer), AnswerIn),
    "refer": ActionSpec("refer", "移送／告知其他部门", HANDLE, _ALL,
                        lambda s, a, i, f: actions.do_refer(s, actor=a, item_id=i, to=f.to, note=f.note), ReferIn),
    "transfer_to_police": ActionSpec("police", "移送公安机关（涉嫌违法索赔）", HANDLE,
                                     frozenset({Kind.complaint, Kind.report}),
                                     lambda s, a, i, f: actions.do_transfer_to_police(s, actor=a, item_id=i,
                                                                                      note=f.note), NoteIn),
    "mark_duplicate": ActionSpec("duplicate", "标记为重复", HANDLE, _ALL,
                                 lambda s, a, i, f: actions.do_mark_duplicate(s, actor=a, item_id=i,
                                                                              of_query_code=f.of_query_code),
                                 DuplicateIn),
    "reroute": ActionSpec("reroute", "改派承办单位", SUPERVISE, _ALL,
                          lambda s, a, i, f: actions.do_reroute(s, actor=a, item_id=i, region_code=f.region_code,
                                                                reason=f.reason), RerouteIn),
    "take_over": ActionSpec("take-over", "提级办理", SUPERVISE, _ALL,
                            lambda s, a, i, f: actions.do_take_over(s, actor=a, item_id=i, reason=f.reason), ReasonIn),
    "follow_up": ActionSpec("follow-up", "记录回访结果", HANDLE, frozenset({Kind.complaint, Kind.report}),
                            lambda s, a, i, f: actions.do_record_follow_up(s, actor=a, item_id=i, result=f.result,
                                                                           note=f.note), api=False),
    "supervise": ActionSpec("supervise", "督办", SUPERVISE, _ALL,
                            lambda s, a, i, f: actions.do_supervise(s, actor=a, item_id=i, instruction=f.instruction,
                                                                    due_on=f.due_on),
                            SuperviseIn, out=SupervisionOut, status_code=201),
}


def _action_route(name: str, spec: ActionSpec) -> None:
    """``POST /complaints/{item_id}/<segment>``; the signature is built so that FastAPI sees the
    action's permission and JSON input as real objects."""

    def endpoint(session: Session, actor: Actor, item_id: int, body: BaseModel | None = None) -> BaseModel:
        result = spec.run(session, actor, item_id, body)
        return _item_out(result) if spec.out is ItemOut else spec.out.of(result)

    params = [inspect.Parameter("session", inspect.Parameter.KEYWORD_ONLY, annotation=WriteSession),
              inspect.Parameter("actor", inspect.Parameter.KEYWORD_ONLY, annotation=staff(spec.permission)),
              inspect.Parameter("item_id", inspect.Parameter.KEYWORD_ONLY, annotation=int)]
    if spec.body is not None:
        params.append(inspect.Parameter("body", inspect.Parameter.KEYWORD_ONLY, annotation=spec.body))
    endpoint.__signature__ = inspect.Signature(params, return_annotation=spec.out)
    endpoint.__name__ = name
    endpoint.__doc__ = spec.label
    staff_router.post(f"/{{item_id:int}}/{spec.segment}", response_model=spec.out,
                      status_code=spec.status_code)(endpoint)


for _name, _spec in ACTIONS.items():
    if _spec.api:
        _action_route(_name, _spec)
