"""The permission suite's world: one SQLite database per run with a record behind every path
parameter of every staff route (built once, committed), and users holding exactly one permission
in 历下区 (370102, where the records are) and in 市南区 (370202, another city). Each test runs in a
transaction rolled back afterwards, so the world is the same for every case.

Route checks need not run on both databases (the dialect does not change who may see what); the
chokepoint's SQL is tested on both in tests/platform/test_authz.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any

import pytest
from pydantic import TypeAdapter
from sqlalchemy import select, text

from conftest import BoundSessions, build_database, database_url
from marketreg.domains.enforcement.enums import REVIEW_CHECKLIST
from marketreg.platform.db import Sessions

OWN_UNIT, OTHER_UNIT = "370102", "370202"
# police routes: the police unit the transfer went to, and another one
OWN_POLICE, OTHER_POLICE = "GA370100", "GA370200"
# path parameters that name no record of a jurisdiction (a step name, a date, a rule key)
NOT_A_RECORD = {"step", "day", "version", "key", "kind"}
PATH_VALUES = {"step": "pause", "day": "2026-10-01", "version": "samr121-2026", "key": "accept_decision",
               "kind": "xlsx"}


@dataclass
class World:
    """What the builders made: a value per path parameter and the text a page about it shows."""

    values: dict[str, str] = field(default_factory=dict)
    markers: dict[str, str] = field(default_factory=dict)
    other_uscc: str = ""  # an entity of the other city (for side-channel checks)
    permission_users: dict[tuple[str, str], str] = field(default_factory=dict)  # (permission, unit) → username
    signed_in: dict[str, tuple[str, str]] = field(default_factory=dict)  # username → (cookie token, CSRF token)

    def user(self, permission: str, *, own: bool) -> str:
        police = permission == "enforcement.police"
        unit = (OWN_POLICE if police else OWN_UNIT) if own else (OTHER_POLICE if police else OTHER_UNIT)
        return self.permission_users[(permission, unit)]


# ----------------------------------------------------------------------------- builders


def _entities(session, county: str, n: int, start: int) -> list[str]:
    from marketreg.domains.reference import service as reference
    from marketreg.domains.registry import seed as registry_seed
    from marketreg.domains.registry.models import Entity
    from marketreg.kernel import clock

    counties = [registry_seed.County(*r) for r in reference.county_rows(session) if r[0] == county]
    rows = list(registry_seed.generate_entities(n, counties=counties, seed=17, start=start,
                                                industries=reference.industry_leaves_by_section(session)))
    for row in rows:
        row.update(created_at=clock.now(), updated_at=clock.now(), status="active", entity_type="enterprise",
                   established_on=dt.date(2020, 5, 1))
    session.execute(Entity.__table__.insert(), rows)
    session.flush()
    return [r["uscc"] for r in rows]


def _actor(session, username: str):
    from marketreg.domains.org import service as org

    return org.acting_as(session, username=username)


def build_registry(session, world: World) -> None:
    usccs = _entities(session, OWN_UNIT, 12, 50_000_000)
    world.values["uscc"] = world.markers["uscc"] = usccs[0]
    world.other_uscc = _entities(session, OTHER_UNIT, 6, 51_000_000)[0]


def build_complaints(session, world: World) -> None:
    """A complaint with an attachment, and a second one by the same person about the same facts
    (so the first carries a suggested duplicate link)."""
    from marketreg.domains.complaints import actions as complaints
    from marketreg.domains.complaints.models import DuplicateLink
    from marketreg.domains.complaints.schemas import IntakeIn
    from marketreg.platform.authz import PUBLIC

    png = b"\x89PNG\r\n\x1a\n" + bytes(64)
    data = {"kind": "complaint", "complainant_name": "张三", "complainant_phone": "13800138000",
            "complainant_address": "济南市历下区泉城路100号", "respondent_name": "某超市",
            "respondent_address": "济南市历下区泉城路1号", "title": "过期食品", "facts": "买到过期的牛奶。",
            "request": "退货"}
    [item] = complaints.do_intake(session, actor=PUBLIC, data=IntakeIn(**data),
                                  uploads=[complaints.Upload("a.png", "image/png", png)])
    complaints.do_intake(session, actor=PUBLIC, data=IntakeIn(**data))
    link = session.scalar(select(DuplicateLink).where(DuplicateLink.other_id == item.id))
    world.values.update(item_id=str(item.id), attachment_id=str(item.attachments[0].id), link_id=str(link.id))
    world.markers["item_id"] = item.query_code


def build_inspections(session, world: World) -> None:
    """A drawn random-inspection batch of 历下区 (plan, batch, first task, an inspector)."""
    from marketreg.domains.inspections import seed as inspections_seed

    inspections_seed.load_items(session)
    inspections_seed.register_inspectors(session)
    batch = inspections_seed.demo_batch(session, inspections_seed.DemoBatch(
        "lx_registrar", "权限测试批次", ["XY-001"], 4, 0), seed=1, execute=False)
    task = inspections_seed.service.tasks_of(session, batch_id=batch.id)[0]
    world.values.update(plan_id=str(batch.plan_id), batch_id=str(batch.id), task_id=str(task.id),
                        inspector_id=str(task.inspectors[0].inspector_id))
    world.markers.update(plan_id=batch.plan.plan_no, batch_id=batch.batch_no, task_id=task.task_no)


def build_enforcement(session, world: World) -> None:
    """A clue, a case (transferred to 济南市公安局), its filing document and a file review, in 历下区."""
    from marketreg.domains.enforcement import actions as enforcement
    from marketreg.domains.enforcement.models import FileReview
    from marketreg.domains.enforcement.schemas import ClueIn, FilingIn, TransferIn
    from marketreg.kernel import clock

    actor = _actor(session, "lx_inspector")
    clue = enforcement.do_register_clue(session, actor=actor, data=ClueIn(
        source="assignment", respondent_name="某权限测试公司", summary="上级交办线索"))
    other = enforcement.do_register_clue(session, actor=actor, data=ClueIn(
        source="assignment", respondent_name="某公司", summary="立案线索"))
    case = enforcement.do_file_case(session, actor=actor, clue_id=other.id, data=FilingIn(
        conditions=["evidence", "penalty_due", "jurisdiction", "limitation"],
        officers=["lx_inspector", "lx_officer"], violation_type="price"))
    transfer = enforcement.do_transfer(session, actor=actor, case_id=case.id,
                                       data=TransferIn(target_code="GA370100", reason="涉嫌犯罪"))
    review = FileReview(case_id=case.id, sampled_at=clock.now())
    session.add(review)
    session.flush()
    world.values.update(clue_id=str(clue.id), case_id=str(case.id), document_id=str(case.documents[0].id),
                        transfer_id=str(transfer.id), review_id=str(review.id))
    world.markers.update(clue_id="某权限测试公司", case_id=case.case_no)


def build_credit(session, world: World) -> None:
    """An abnormal-list entry of the 历下区 entity, its enterprise's objection, a repair application and an
    Art. 18 measure proposal (RULES C1)."""
    from marketreg.domains.credit import actions as credit
    from marketreg.domains.credit.models import RepairApplication
    from marketreg.kernel import clock
    from marketreg.platform.authz import Actor

    uscc = world.values["uscc"]
    entry = credit.do_list(session, actor=_actor(session, "lx_registrar"), uscc=uscc, ground_code="unreachable",
                           evidence="两次挂号信退回", reason="通过登记的住所无法联系")
    enterprise = Actor(None, "ent", "企业", None, "/", kind="enterprise", entity_uscc=uscc)
    objection = credit.do_object(session, actor=enterprise, entry_id=entry.id, reason="已恢复联系")
    repair = RepairApplication(entity_uscc=uscc, org_path=entry.org_path, target="abnormal", ref=str(entry.id),
                               filed_on=clock.today(), statement="已整改", status="accepted", created_at=clock.now())
    session.add(repair)
    session.flush()
    proposal = credit.do_propose_false_information(session, actor=_actor(session, "lx_registrar"), uscc=uscc,
                                                   evidence="年度报告从业人数与社保记录不符",
                                                   reason="公示信息隐瞒真实情况")
    world.values.update(entry_id=str(entry.id), objection_id=str(objection.id), repair_id=str(repair.id),
                        proposal_id=str(proposal.id))


def build_platform(session, world: World) -> None:
    """A failed event-handler delivery about the 历下区 entity (the job monitor's retry button)."""
    from marketreg.kernel import clock
    from marketreg.platform.events import DomainEvent, EventDelivery

    event = DomainEvent(name="credit.listed", subject_type="market_entity", subject_key=world.values["uscc"],
                        payload={}, org_path="/370000/370100/370102/", occurred_at=clock.now())
    session.add(event)
    session.flush()
    delivery = EventDelivery(event_id=event.id, handler="permission.suite", subject_key=event.subject_key,
                             status="failed", attempts=5, error="测试")
    session.add(delivery)
    session.flush()
    world.values["delivery_id"] = str(delivery.id)


def build_import_job(session, world: World) -> None:
    """A finished entity import of 370102 that left a rejected-rows report."""
    from marketreg.domains.registry import tasks, uploads
    from marketreg.kernel import clock
    from marketreg.platform.jobs import Job

    report = tasks.upload_path("permission-suite.errors.csv")
    report.write_text("行号,原因代码,原因,说明\n2,uscc_checksum,统一社会信用代码校验码错误,\n", encoding="utf-8")
    job = Job(kind=uploads.JOB_KIND, title="权限测试导入", status="succeeded", org_path="/370000/370100/370102/",
              created_by="lx_registrar", created_at=clock.now(), result={"rejected": 1, "error_file": str(report)})
    session.add(job)
    session.flush()
    world.values["job_id"] = str(job.id)


# path parameter → its builder; a route whose parameter has none fails the suite
BUILDERS = {name: build for build, names in (
    (build_registry, ("uscc",)),
    (build_complaints, ("item_id", "attachment_id", "link_id")),
    (build_inspections, ("plan_id", "batch_id", "task_id", "inspector_id")),
    (build_enforcement, ("clue_id", "case_id", "document_id", "transfer_id", "review_id")),
    (build_credit, ("entry_id", "objection_id", "repair_id", "proposal_id")),
    (build_platform, ("delivery_id",)),
    (build_import_job, ("job_id",)),
) for name in names}
BUILD_ORDER = (build_registry, build_complaints, build_inspections, build_enforcement, build_credit, build_platform,
               build_import_job)


def _permission_users(session, permissions: set[str], world: World) -> None:
    """A role per permission holding only it, and a user with that role in each unit the suite uses."""
    from marketreg.domains.org import actions

    units = (OWN_UNIT, OTHER_UNIT, OWN_POLICE, OTHER_POLICE)
    for n, permission in enumerate(sorted(permissions)):
        actions.do_ensure_role(session, code=f"only{n}", name=f"仅{permission}", description="",
                               permissions={permission})
        for unit in units:
            username = f"u{n}_{unit.lower()}"
            actions.do_create_user(session, actor=_system(), username=username, password="Demo@2026",
                                   display_name=username, unit_code=unit, roles=[f"only{n}"])
            world.permission_users[(permission, unit)] = username
    actions.do_ensure_role(session, code="nobody", name="无权限", description="", permissions=set())
    actions.do_create_user(session, actor=_system(), username=NOBODY, password="Demo@2026", display_name="无权限用户",
                           unit_code=OWN_UNIT, roles=["nobody"])


# demo users the side-channel tests act as
SIGNED_IN_DEMO_USERS = ("lx_registrar", "sn_registrar", "sn_handler", "jn_supervisor")
NOBODY = "nobody1"  # a staff user of 历下区 with no permission at all


def _open_sessions(session, world: World) -> None:
    """A live sign-in session per user of the suite, so that a case costs no sign-in request (the
    form sign-in itself is tested in tests/domains/test_org_login.py)."""
    from marketreg.domains.org import actions
    from marketreg.domains.org import service as org

    for username in (*world.permission_users.values(), *SIGNED_IN_DEMO_USERS, NOBODY):
        world.signed_in[username] = actions.do_open_session(
            session, user=org.get_user_by_username(session, username=username))


def sign_in(client, world: World, username: str) -> str:
    """Act as ``username`` (its prepared session); returns the CSRF token."""
    token, csrf = world.signed_in[username]
    client.cookies.set("mr_session", token)
    return csrf


def writes_on(db) -> int:
    """Rows inserted, updated or deleted on the test's connection so far (SQLite ``total_changes``):
    unchanged means the request wrote nothing at all, not even something it undid."""
    with db.read() as s:
        return s.connection().exec_driver_sql("SELECT total_changes()").scalar()


def _system():
    from marketreg.platform.authz import SYSTEM

    return SYSTEM


@pytest.fixture(scope="session")
def perm_storage(tmp_path_factory):
    """The world's stored files (a complaint's attachment), kept for the whole session like its rows."""
    return tmp_path_factory.mktemp("perm_storage")


@pytest.fixture(scope="session")
def perm_world(tmp_path_factory, perm_storage) -> Iterator[tuple[Sessions, World]]:
    from marketreg.app.main import create_app
    from marketreg.platform.settings import get_settings
    from marketreg.web.routes import iter_routes

    engine = build_database(database_url("sqlite", tmp_path_factory, "perm"))
    sessions = Sessions(engine)
    world = World(values=dict(PATH_VALUES))
    settings = get_settings()
    previous, settings.storage_dir = settings.storage_dir, str(perm_storage)
    try:
        for build in BUILD_ORDER:
            with sessions.transaction() as session:
                build(session, world)
    finally:
        settings.storage_dir = previous
    permissions = {i.permission for i in iter_routes(create_app(start_workers=False)) if i.permission}
    with sessions.transaction() as session:
        _permission_users(session, permissions, world)
        _open_sessions(session, world)
    yield sessions, world
    engine.dispose()


@pytest.fixture
def perm_db(perm_world) -> Iterator[BoundSessions]:
    """The world inside a transaction rolled back after the test."""
    sessions, _ = perm_world
    connection = sessions.engine.connect()
    outer = connection.begin()
    try:
        yield BoundSessions(connection)
    finally:
        outer.rollback()
        connection.close()


@pytest.fixture
def world(perm_world) -> World:
    return perm_world[1]


@pytest.fixture(scope="session")
def perm_app(perm_world):
    """One application for the whole suite; each test points it at its own rolled-back transaction."""
    from marketreg.app.main import create_app
    from marketreg.platform import db as platform_db

    previous = platform_db._current
    app = create_app(sessions=perm_world[0], start_workers=False)
    platform_db._current = previous
    return app


@pytest.fixture
def perm_client(perm_app, perm_db, perm_storage, monkeypatch):
    from starlette.testclient import TestClient

    from marketreg.platform import db as platform_db
    from marketreg.platform.settings import get_settings
    from marketreg.web.ratelimit import limiter

    monkeypatch.setattr(get_settings(), "storage_dir", str(perm_storage))

    previous = platform_db._current
    platform_db.use_sessions(perm_db)
    perm_app.state.sessions = perm_db
    limiter.reset()
    with TestClient(perm_app) as client:
        yield client
    platform_db._current = previous


# ----------------------------------------------------------------------------- "nothing changed"


def checksum(db) -> dict[str, str]:
    """A digest of every table's rows (ordered by primary key): equal digests mean nothing changed."""
    from marketreg.app.models import metadata

    out = {}
    with db.read() as s:
        for table in metadata.sorted_tables:
            order = ", ".join(f'"{c.name}"' for c in table.primary_key.columns) or "1"
            digest = hashlib.blake2b(digest_size=16)
            for row in s.execute(text(f'SELECT * FROM "{table.name}" ORDER BY {order}')):
                digest.update(repr(tuple(row)).encode())
            out[table.name] = digest.hexdigest()
    return out


# ----------------------------------------------------------------------------- request bodies


def _example(schema: dict, defs: dict) -> Any:
    """A small value satisfying a JSON schema (pydantic's), enough for the request to reach the
    handler: the suite tests who reaches a record, not the validation of the input."""
    if "$ref" in schema:
        return _example(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    if "default" in schema:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [o for o in schema[key] if o.get("type") != "null"] or schema[key]
            return _example(options[0], defs)
    kind = schema.get("type")
    if kind == "object" and "properties" in schema:
        props = schema["properties"]
        return {k: _example(v, defs) for k, v in props.items() if k in schema.get("required", ())}
    if kind == "array":
        return [_example(schema.get("items", {}), defs) for _ in range(schema.get("minItems", 0))]
    if kind == "integer":
        return max(schema.get("minimum", 1), schema.get("exclusiveMinimum", 0) + 1)
    if kind == "number":
        return max(schema.get("minimum", 1), schema.get("exclusiveMinimum", 0) + 1)
    if kind == "boolean":
        return True
    if schema.get("format") == "date":
        return "2026-10-01"
    if kind == "object" or "additionalProperties" in schema:
        return {f"k{i}": "v" for i in range(schema.get("minProperties", 0))}
    pattern = schema.get("pattern")
    choice = re.fullmatch(r"\^\(\|?([^|)]+)[^)]*\)\$", pattern or "")
    for candidate in ((choice.group(1),) if choice else ()) + (
            "测试说明文字", "1", "A", "2026-10-01", "370102", "9" * schema.get("minLength", 0), ""):
        if (not pattern or re.search(pattern, candidate)) and \
                schema.get("minLength", 0) <= len(candidate) <= schema.get("maxLength", 10_000):
            return candidate
    return "测试说明文字"


# pages that read their form by hand (no declared body) and check it before the record
MANUAL_FORMS = {
    "/staff/enforcement/transfers/{transfer_id}/feedback": {"feedback": "已收到回复"},
    "/staff/enforcement/police/{transfer_id}/feedback": {"feedback": "已立案侦查"},
    "/staff/enforcement/reviews/{review_id}": {f"score_{k}": "1" for k in REVIEW_CHECKLIST},
    "/staff/inspections/tasks/{task_id}": {"inspected_on": "2026-10-01", "result_XY-001": "pass"},
}


def request_body(route, path: str = "") -> tuple[str, Any]:
    """("json" | "form", body) for a route's body parameters."""
    params = route.dependant.body_params
    if path in MANUAL_FORMS:
        return "form", MANUAL_FORMS[path]
    if not params:
        return "form", {}
    is_form = any(type(p.field_info).__name__ in ("Form", "File") for p in params)
    values: dict[str, Any] = {}
    for p in params:
        schema = TypeAdapter(Annotated[p.field_info.annotation, p.field_info]).json_schema()
        value = _example(schema, schema.get("$defs", {}))
        if is_form and isinstance(value, dict):
            values.update(value)
        elif p.field_info.is_required() or is_form:
            values[p.alias] = value
    if not is_form and len(params) == 1 and not getattr(params[0].field_info, "embed", False):
        return "json", values.get(params[0].alias, {})
    if is_form:
        return "form", {k: _form_value(v) for k, v in values.items()}
    return "json", values


def _form_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, list):
        return [str(v) for v in value]
    return "" if value is None else str(value)
