"""The generic permission suite every staff route passes (NetBox-style view test cases):
anonymous → login, wrong role → 403, other jurisdiction → not visible, allowed → OK, and a
denied write changes nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from conftest import login
from marketreg.domains.org.pages import OPEN_ROUTES
from marketreg.platform.audit import AuditEvent
from marketreg.web.routes import iter_routes

PUBLIC_TAG = "public"
PUBLIC_PAGES = {"/", "/entities", "/entities/{uscc}"}


def staff_routes(app):
    for info in iter_routes(app):
        if info.path in OPEN_ROUTES or info.path in PUBLIC_PAGES or PUBLIC_TAG in info.tags:
            continue
        if info.path.startswith(("/staff", "/api/v1")):
            yield info


def _route_ids() -> list[tuple[str, str]]:
    from marketreg.app.main import create_app

    app = create_app(start_workers=False)
    return [(next(iter(sorted(i.methods))), i.path) for i in staff_routes(app)]


ROUTES = _route_ids()


def test_every_staff_route_declares_a_permission(app):
    missing = [i.path for i in staff_routes(app) if i.permission is None]
    assert missing == []
    assert len(list(staff_routes(app))) >= 20


@pytest.mark.parametrize("path", ["/api/v1/public/entities?q=济南", "/api/v1/reference/uscc/91370102MA3C4D5E7Q",
                                  "/entities?q=济南", "/api/v1/public/inspections/plans", "/inspections",
                                  "/penalties?q=济南", "/api/v1/public/penalties?q=济南"])
def test_public_portal_is_rate_limited(client, monkeypatch, path):
    from marketreg.platform.settings import get_settings

    monkeypatch.setattr(get_settings(), "public_rate_limit", "3/minute")
    codes = [client.get(path).status_code for _ in range(4)]
    assert codes[:3] == [200, 200, 200]
    assert codes[3] == 429
    if path.startswith("/api/"):
        assert client.get(path).json()["code"] == "rate_limited"


@pytest.fixture
def entity_in(session):
    """USCC of an entity in a given county (60 entities are created on first use)."""
    from marketreg.domains.reference import service as reference
    from marketreg.domains.registry import seed as registry_seed
    from marketreg.domains.registry.models import Entity
    from marketreg.kernel import clock

    counties: list = []

    def seed() -> None:
        if counties:
            return
        counties.extend(registry_seed.County(*row) for row in reference.county_rows(session))
        rows = list(registry_seed.generate_entities(60, counties=counties,
                                                    industries=reference.industry_leaves_by_section(session),
                                                    seed=7))
        for row in rows:
            row["created_at"] = row["updated_at"] = clock.now()
        session.execute(Entity.__table__.insert(), rows)
        session.flush()

    def pick(inside: str, *, other: bool = False) -> str:
        seed()
        stmt = select(Entity.uscc).where(
            Entity.org_path.notlike(f"%/{inside}/%") if other else Entity.org_path.like(f"%/{inside}/%"))
        found = session.scalar(stmt.limit(1))
        if found is None:
            county = next(c for c in counties if c.code == inside)
            row = next(registry_seed.generate_entities(1, counties=[county],
                                                       industries=reference.industry_leaves_by_section(session),
                                                       seed=11))
            row["created_at"] = row["updated_at"] = clock.now()
            session.execute(Entity.__table__.insert(), [row])
            session.flush()
            found = row["uscc"]
        return found

    return pick


def _complaint_ids(session) -> dict[str, str]:
    """A complaint (with one attachment) routed to 370102."""
    from marketreg.domains.complaints import actions as complaints
    from marketreg.domains.complaints.schemas import IntakeIn
    from marketreg.platform.authz import PUBLIC

    png = b"\x89PNG\r\n\x1a\n" + bytes(64)
    [item] = complaints.do_intake(session, actor=PUBLIC, data=IntakeIn(
        kind="complaint", complainant_name="张三", complainant_phone="13800138000",
        complainant_address="济南市历下区泉城路100号", respondent_name="某超市",
        respondent_address="济南市历下区泉城路1号", title="过期食品", facts="买到过期的牛奶。",
        request="退货"), uploads=[complaints.Upload("a.png", "image/png", png)])
    return {"item_id": str(item.id), "attachment_id": str(item.attachments[0].id)}


def _inspection_ids(session) -> dict[str, str]:
    """A drawn random-inspection batch in 370102 (plan, batch, first task, an inspector)."""
    from marketreg.domains.inspections import seed as inspections_seed
    from marketreg.domains.reference import service as reference
    from marketreg.domains.registry import seed as registry_seed
    from marketreg.domains.registry.models import Entity
    from marketreg.kernel import clock

    counties = [registry_seed.County(*r) for r in reference.county_rows(session) if r[0] == "370102"]
    rows = list(registry_seed.generate_entities(8, counties=counties, seed=13, start=30_000_000,
                                                industries=reference.industry_leaves_by_section(session)))
    for row in rows:
        row.update(created_at=clock.now(), updated_at=clock.now(), status="active")
    session.execute(Entity.__table__.insert(), rows)
    inspections_seed.load_items(session)
    inspections_seed.register_inspectors(session)
    batch = inspections_seed.demo_batch(session, inspections_seed.DemoBatch(
        "lx_registrar", "权限测试批次", ["XY-001"], 4, 0), seed=1, execute=False)
    task = inspections_seed.service.tasks_of(session, batch_id=batch.id)[0]
    return {"plan_id": str(batch.plan_id), "batch_id": str(batch.id), "task_id": str(task.id),
            "inspector_id": str(task.inspectors[0].inspector_id)}


def _enforcement_ids(session) -> dict[str, str]:
    """An enforcement clue, case (transferred to the police), document and transfer in 370102."""
    from marketreg.domains.enforcement import actions as enforcement
    from marketreg.domains.enforcement.schemas import ClueIn, FilingIn, TransferIn
    from marketreg.domains.org import service as org

    actor = org.actor_for(session, user=org.get_user_by_username(session, username="lx_inspector"))
    clue = enforcement.do_register_clue(session, actor=actor, data=ClueIn(
        source="assignment", respondent_name="某公司", summary="上级交办线索"))
    case = enforcement.do_file_case(session, actor=actor, clue_id=clue.id, data=FilingIn(
        conditions=["evidence", "penalty_due", "jurisdiction", "limitation"],
        officers=["lx_inspector", "lx_officer"], violation_type="price"))
    transfer = enforcement.do_transfer(session, actor=actor, case_id=case.id,
                                       data=TransferIn(target_code="GA370100", reason="涉嫌犯罪"))
    return {"clue_id": str(clue.id), "case_id": str(case.id), "document_id": str(case.documents[0].id),
            "transfer_id": str(transfer.id)}


def _import_job_ids(session) -> dict[str, str]:
    """A finished entity import of 370102 that left a rejected-rows report."""
    from marketreg.domains.registry import uploads
    from marketreg.kernel import clock
    from marketreg.platform.jobs import Job

    uploads.UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
    report = uploads.UPLOAD_DIR / "permission-suite.errors.csv"
    report.write_text("行号,原因代码,原因,说明\n2,uscc_checksum,统一社会信用代码校验码错误,\n", encoding="utf-8")
    job = Job(kind=uploads.JOB_KIND, title="权限测试导入", status="succeeded", org_path="/370000/370100/370102/",
              created_by="lx_registrar", created_at=clock.now(), result={"rejected": 1, "error_file": str(report)})
    session.add(job)
    session.flush()
    return {"job_id": str(job.id)}


# path parameter → the builder of the records it names (each built at most once per test)
_ID_BUILDERS = {name: build for build, names in (
    (_import_job_ids, ("job_id",)),
    (_complaint_ids, ("item_id", "attachment_id")),
    (_inspection_ids, ("plan_id", "batch_id", "task_id", "inspector_id")),
    (_enforcement_ids, ("clue_id", "case_id", "document_id", "transfer_id")),
) for name in names}


@pytest.fixture
def ids_in(db):
    """Ids for the path parameters asked for, building only the records those parameters name."""
    made: dict[str, str] = {}

    def make(names: set[str]) -> dict[str, str]:
        builders = {_ID_BUILDERS[n] for n in names if n in _ID_BUILDERS and n not in made}
        for build in sorted(builders, key=lambda b: b.__name__):
            with db.transaction() as s:
                made.update(build(s))
        return made

    return make


REQUIRED_QUERY = {"/api/v1/reference/resolve": "?address=济南市历下区泉城路1号"}
PATH_VALUES = {"day": "2026-10-01", "code": "370102", "version": "samr121-2026", "key": "accept_decision",
               "link_id": "1", "entry_id": "1", "objection_id": "1", "repair_id": "1", "step": "pause",
               "review_id": "1", "kind": "xlsx"}


def _fill(path: str, uscc, ids_in=None) -> str:
    """The path with example values; ``uscc`` may be a callable, called only when the path needs one."""
    values = dict(PATH_VALUES)
    if "{uscc" in path:
        values["uscc"] = uscc() if callable(uscc) else uscc
    if ids_in is not None:
        values.update(ids_in(set(re.findall(r"\{(\w+)", path)) - values.keys()))
    filled = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values[m.group(1)], path)
    return filled + REQUIRED_QUERY.get(path, "")


def _call(client, method: str, path: str, csrf: str | None = None):
    headers = {"X-CSRF-Token": csrf} if csrf else {}
    if method == "GET":
        return client.get(path, headers=headers, follow_redirects=False)
    return client.request(method, path, headers=headers, data={"day": "2026-10-01", "kind": "holiday"},
                          follow_redirects=False)


def _audit_count(db) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent))


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_anonymous_is_sent_to_login(client, entity_in, ids_in, method, path):
    response = _call(client, method, _fill(path, lambda: entity_in("370102"), ids_in))
    if path.startswith("/api/"):
        assert response.status_code == 401
        assert response.json()["code"] == "auth.login_required"
    else:
        assert response.status_code == 303
        assert response.headers["location"].startswith("/staff/login")


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_wrong_role_is_forbidden_and_changes_nothing(client, db, app, entity_in, ids_in, method, path):
    from marketreg.app.demo import DEMO_PASSWORD
    from marketreg.domains.org import actions
    from marketreg.platform.authz import SYSTEM

    with db.transaction() as s:
        actions.do_ensure_role(s, code="nobody", name="无权限", description="", permissions=set())
        actions.do_create_user(s, actor=SYSTEM, username="nobody1", password=DEMO_PASSWORD,
                               display_name="无权限用户", unit_code="370102", roles=["nobody"])
    csrf = login(client, "nobody1")
    filled = _fill(path, lambda: entity_in("370102"), ids_in)
    before = _audit_count(db)
    response = _call(client, method, filled, csrf)
    assert response.status_code == 403
    assert _audit_count(db) == before


@pytest.mark.parametrize(("method", "path"), [r for r in ROUTES if "{uscc}" in r[1]],
                         ids=[f"{m} {p}" for m, p in ROUTES if "{uscc}" in p])
def test_other_jurisdiction_is_not_visible(client, db, entity_in, method, path):
    csrf = login(client, "lx_registrar")
    before = _audit_count(db)
    response = _call(client, method, _fill(path, entity_in("370102", other=True)), csrf)
    assert response.status_code == 404
    assert _audit_count(db) == before


@pytest.mark.parametrize(("method", "path"), [r for r in ROUTES if r[0] == "GET"],
                         ids=[f"{m} {p}" for m, p in ROUTES if m == "GET"])
def test_allowed_user_gets_the_page(client, entity_in, ids_in, method, path):
    login(client, "sd_admin")
    response = _call(client, method, _fill(path, lambda: entity_in("370102"), ids_in))
    assert response.status_code == 200, response.text[:300]


def test_write_without_csrf_token_is_refused(client, db, entity_in):
    login(client, "sd_admin")
    before = _audit_count(db)
    response = client.post(f"/api/v1/registry/entities/{entity_in('370102')}/unmask")
    assert response.status_code == 403
    assert response.json()["code"] == "auth.csrf"
    assert _audit_count(db) == before
