"""The generic permission suite every staff route passes (NetBox-style view test cases):

* anonymous → login, and a signed-in user without the route's permission → 403, both changing
  nothing (these need no records: the permission is checked before any record is read);
* for every route with a path parameter, a user of *another* city holding exactly the route's
  permission gets 404 and nothing changes (a digest of every table);
* a user of the right county holding only the route's permission gets 200 with the record's
  content (every GET);
* side channels, each as a county user against another county: bulk jobs, the CLI, imports,
  exports, duplicate and merge links, reroutes, province-wide rules and calendars.

The records live in one database built once (tests/web/conftest.py); a path parameter without a
builder fails the suite.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import time_machine
from sqlalchemy import func, select

from conftest import login, make_staff
from marketreg.domains.org.pages import OPEN_ROUTES
from marketreg.web.routes import iter_routes
from web.conftest import (
    BUILDERS,
    NOBODY,
    NOT_A_RECORD,
    OTHER_UNIT,
    PATH_VALUES,
    checksum,
    request_body,
    sign_in,
    writes_on,
)

PUBLIC_TAG = "public"
PUBLIC_PAGES = {"/", "/entities", "/entities/{uscc}"}
REQUIRED_QUERY = {"/api/v1/reference/resolve": "?address=济南市历下区泉城路1号"}
PLACEHOLDER = {"uscc": "91370102MA3C4D5E7Q"}  # anonymous / wrong-role cases: no record is ever read


def staff_routes(app):
    for info in iter_routes(app):
        if info.path in OPEN_ROUTES or info.path in PUBLIC_PAGES or PUBLIC_TAG in info.tags:
            continue
        if info.path.startswith(("/staff", "/api/v1")):
            yield info


def _routes() -> dict[tuple[str, str], object]:
    from marketreg.app.main import create_app

    return {(next(iter(sorted(i.methods))), i.path): i for i in staff_routes(create_app(start_workers=False))}


ROUTES = _routes()
KEYS = sorted(ROUTES)


def _params(path: str) -> set[str]:
    return set(re.findall(r"\{(\w+)", path))


RECORD_KEYS = [k for k in KEYS if _params(k[1]) - NOT_A_RECORD]
GET_KEYS = [k for k in KEYS if k[0] == "GET"]


def _ids(keys) -> list[str]:
    return [f"{m} {p}" for m, p in keys]


def _fill(path: str, values: dict[str, str]) -> str:
    filled = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values[m.group(1)], path)
    return filled + REQUIRED_QUERY.get(path, "")


def _placeholder_path(path: str) -> str:
    return _fill(path, {**PATH_VALUES, **PLACEHOLDER, **{p: "1" for p in _params(path)
                                                         if p not in PATH_VALUES and p not in PLACEHOLDER}})


def _call(client, key: tuple[str, str], path: str, csrf: str | None = None):
    method = key[0]
    headers = {"X-CSRF-Token": csrf} if csrf else {}
    if method == "GET":
        return client.get(path, headers=headers, follow_redirects=False)
    kind, body = request_body(ROUTES[key].route, key[1])
    if kind == "json":
        return client.request(method, path, headers=headers, json=body, follow_redirects=False)
    return client.request(method, path, headers=headers, data=body, follow_redirects=False)


def test_every_staff_route_declares_a_permission():
    assert [p for (_, p), info in ROUTES.items() if info.permission is None] == []
    assert len(ROUTES) >= 20


def test_every_path_parameter_names_a_built_record_or_is_declared_not_one():
    """A new route whose parameter names a record nobody builds fails here, not silently later."""
    unknown = {p for _, path in KEYS for p in _params(path)} - set(BUILDERS) - NOT_A_RECORD
    assert unknown == set()


# ----------------------------------------------------------------------------- anonymous, wrong role


@pytest.mark.parametrize("key", KEYS, ids=_ids(KEYS))
def test_anonymous_is_sent_to_login_and_writes_nothing(perm_client, perm_db, key):
    before = writes_on(perm_db)
    response = _call(perm_client, key, _placeholder_path(key[1]))
    assert writes_on(perm_db) == before
    if key[1].startswith("/api/"):
        assert response.status_code == 401
        assert response.json()["code"] == "auth.login_required"
    else:
        assert response.status_code == 303
        assert response.headers["location"].startswith("/staff/login")


@pytest.mark.parametrize("key", KEYS, ids=_ids(KEYS))
def test_wrong_role_is_forbidden_and_writes_nothing(perm_client, perm_db, world, key):
    csrf = sign_in(perm_client, world, NOBODY)
    before = writes_on(perm_db)
    response = _call(perm_client, key, _placeholder_path(key[1]), csrf)
    assert response.status_code == 403
    assert writes_on(perm_db) == before


# ----------------------------------------------------------------------------- other jurisdiction, allowed


# routes whose action also checks a finer permission than the route declares (each case step its own)
ACTION_PERMISSION = {"/api/v1/enforcement/cases/{case_id}/steps/{step}": "enforcement.handle",
                     "/staff/enforcement/cases/{case_id}/steps/{step}": "enforcement.handle",
                     "/api/v1/enforcement/clues/{clue_id}/transfer": "enforcement.handle"}


def _other_county_user(perm_client, perm_db, world, key) -> str:
    """Sign in as a user of another city holding exactly what the route and its action need."""
    permission = ROUTES[key].permission
    extra = ACTION_PERMISSION.get(key[1])
    if extra is None:
        return sign_in(perm_client, world, world.user(permission, own=False))
    from marketreg.domains.org import actions

    with perm_db.transaction() as s:
        actions.do_ensure_role(s, code="route_and_action", name="路由与动作权限", description="",
                               permissions={permission, extra})
    return login(perm_client, make_staff(perm_db, "sn_route_and_action", OTHER_UNIT, ["route_and_action"]))


@pytest.mark.parametrize("key", RECORD_KEYS, ids=_ids(RECORD_KEYS))
def test_other_jurisdiction_with_the_exact_permission_gets_404_and_changes_nothing(perm_client, perm_db, world, key):
    csrf = _other_county_user(perm_client, perm_db, world, key)
    before = checksum(perm_db)
    response = _call(perm_client, key, _fill(key[1], world.values), csrf)
    assert response.status_code == 404, response.text[:300]
    assert checksum(perm_db) == before


@pytest.mark.parametrize("key", GET_KEYS, ids=_ids(GET_KEYS))
def test_right_county_with_only_the_permission_gets_the_content(perm_client, world, key):
    sign_in(perm_client, world, world.user(ROUTES[key].permission, own=True))
    response = _call(perm_client, key, _fill(key[1], world.values))
    assert response.status_code == 200, response.text[:300]
    kind = response.headers.get("content-type", "")
    last = re.search(r"\{(\w+)(?::\w+)?\}$", key[1])  # a page *about* the record names it
    markers = [world.markers[last.group(1)]] if last and last.group(1) in world.markers else []
    if kind.startswith(("text/html", "application/json")):
        assert all(m in response.text for m in markers), markers
    else:
        assert response.content  # a document, attachment, spreadsheet or package


# ----------------------------------------------------------------------------- side channels


@pytest.fixture
def at_july():
    with time_machine.travel(dt.datetime(2026, 7, 2, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        yield


def _entries_outside(db, subtree: str) -> int:
    from marketreg.domains.credit.models import ListEntry

    with db.read() as s:
        return s.scalar(select(func.count()).select_from(ListEntry).where(
            ListEntry.source_ref.like("annual_report:%"), ~ListEntry.org_path.startswith(subtree))) or 0


def test_county_sweep_lists_only_its_own_entities_as_its_starter(perm_client, perm_db, world, at_july):
    from marketreg.domains.credit.models import ListEntry
    from marketreg.platform.audit import AuditEvent

    csrf = sign_in(perm_client, world, "sn_registrar")
    with perm_db.read() as s:
        first = s.scalar(select(func.max(AuditEvent.id))) or 0
    response = perm_client.post("/staff/credit/sweep", data={"year": "2025", "csrf_token": csrf},
                                follow_redirects=False)
    assert response.status_code == 303
    with perm_db.read() as s:
        listed = list(s.scalars(select(ListEntry.org_path).where(ListEntry.source_ref.like("annual_report:2025:%"))))
        actors = set(s.scalars(select(AuditEvent.actor_name).where(AuditEvent.action == "credit.listed",
                                                                   AuditEvent.id > first)))
    assert listed and all(p.startswith("/370000/370200/370202/") for p in listed)
    assert actors == {"sn_registrar"}


@pytest.mark.parametrize("year", ["2010", "2026", "9999"])
def test_sweep_of_a_year_that_cannot_be_swept_is_refused_before_any_job(perm_client, perm_db, world, at_july, year):
    csrf = sign_in(perm_client, world, "sn_registrar")
    before = checksum(perm_db)
    response = perm_client.post("/staff/credit/sweep", data={"year": year, "csrf_token": csrf},
                                headers={"Accept": "application/json"}, follow_redirects=False)
    assert response.status_code in (400, 422)
    assert response.json()["code"] in ("credit.sweep_year_invalid", "credit.sweep_too_early", "request.invalid")
    assert checksum(perm_db) == before


def test_county_cannot_start_the_province_classification(perm_client, perm_db, world):
    csrf = sign_in(perm_client, world, "sn_registrar")
    before = checksum(perm_db)
    response = perm_client.post("/staff/credit/classify", data={"csrf_token": csrf},
                                headers={"Accept": "application/json"}, follow_redirects=False)
    assert (response.status_code, response.json()["code"]) == (403, "outside_jurisdiction")
    assert checksum(perm_db) == before


def test_cli_as_runs_the_sweep_in_the_users_subtree(perm_db, world):
    from typer.testing import CliRunner

    from marketreg.app.cli import app
    from marketreg.platform import db as platform_db

    previous = platform_db._current
    platform_db.use_sessions(perm_db)
    try:
        result = CliRunner().invoke(app, ["credit", "sweep-annual-reports", "--year", "2025", "--today", "2026-07-02",
                                          "--as", "sn_registrar"])
        unknown = CliRunner().invoke(app, ["credit", "sweep-annual-reports", "--year", "2025", "--as", "nosuchuser"])
    finally:
        platform_db._current = previous
    assert result.exit_code == 0, result.output
    assert _entries_outside(perm_db, "/370000/370200/370202/") == 0
    assert unknown.exit_code != 0 and "auth.unknown_user" in unknown.output


def _import_rename(client, db, world, username: str) -> str:
    """Import one row renaming 历下区's entity, as ``username``; the entity's name afterwards."""
    from marketreg.domains.registry.models import Entity

    with db.read() as s:
        e = s.scalar(select(Entity).where(Entity.uscc == world.values["uscc"]))
        header = "统一社会信用代码,名称,主体类型,法定代表人,住所,行政区划代码,行业代码,成立日期\n"
        row = (f"{e.uscc},改名公司,{e.entity_type},李四,{e.address},{e.region_code},{e.industry_code},"
               f"{e.established_on}\n")
    csrf = login(client, username)
    response = client.post("/staff/registry/import", headers={"X-CSRF-Token": csrf},
                           files={"file": ("rows.csv", (header + row).encode(), "text/csv")}, follow_redirects=False)
    assert response.status_code == 303
    with db.read() as s:
        return s.scalar(select(Entity.name).where(Entity.uscc == world.values["uscc"]))


def test_county_import_of_its_own_row_applies(perm_client, perm_db, world):
    """The control of the next test: the same file does rename the entity when it is the importer's."""
    assert _import_rename(perm_client, perm_db, world, "lx_registrar") == "改名公司"


def test_county_import_of_another_citys_row_is_refused_per_row(perm_client, perm_db, world):
    assert _import_rename(perm_client, perm_db, world, "sn_registrar") != "改名公司"


@pytest.mark.parametrize(("path", "own"), [("/staff/registry/entities.xlsx", "other_uscc"),
                                           ("/staff/credit/entries.xlsx", None)])
def test_county_exports_hold_only_its_own_rows(perm_client, world, path, own):
    from openpyxl import load_workbook

    sign_in(perm_client, world, "sn_registrar")
    response = perm_client.get(path)
    assert response.status_code == 200
    cells = {str(c.value) for ws in load_workbook(io.BytesIO(response.content)).worksheets
             for r in ws.iter_rows() for c in r}
    assert world.values["uscc"] not in cells  # 历下区's entity (listed on the abnormal list too)
    if own:
        assert getattr(world, own) in cells


def _qingdao_item(db, kind: str = "complaint"):
    from marketreg.domains.complaints import actions
    from marketreg.domains.complaints.schemas import IntakeIn
    from marketreg.platform.authz import PUBLIC

    with db.transaction() as s:
        [item] = actions.do_intake(s, actor=PUBLIC, data=IntakeIn(
            kind=kind, complainant_name="李四", complainant_phone="13700137000",
            complainant_address="青岛市市南区香港中路1号", respondent_name="青岛某商店",
            respondent_address="青岛市市南区香港中路10号", title="价格欺诈", facts="标价与结算价不一致。",
            request="退款" if kind == "complaint" else None))
        assert item.org_path.endswith(f"/{OTHER_UNIT}/")
        return item.id, item.query_code


def _refused(response, db_before, db) -> None:
    assert (response.status_code, response.json()["code"]) == (403, "outside_jurisdiction"), response.text
    assert checksum(db) == db_before


def test_duplicate_link_to_another_units_item_is_refused(perm_client, perm_db, world):
    item_id, _ = _qingdao_item(perm_db)
    csrf = sign_in(perm_client, world, "sn_handler")
    before = checksum(perm_db)
    response = perm_client.post(f"/api/v1/complaints/{item_id}/duplicate", headers={"X-CSRF-Token": csrf},
                                json={"of_query_code": world.markers["item_id"]})
    _refused(response, before, perm_db)


def test_merge_into_another_units_report_is_refused(perm_client, perm_db, world):
    from marketreg.domains.complaints import actions
    from marketreg.domains.complaints.schemas import IntakeIn
    from marketreg.platform.authz import PUBLIC

    item_id, _ = _qingdao_item(perm_db, kind="report")
    with perm_db.transaction() as s:
        [jinan] = actions.do_intake(s, actor=PUBLIC, data=IntakeIn(
            kind="report", complainant_name="王五", complainant_phone="13600136000",
            respondent_name="济南某饭店", respondent_address="济南市历下区泉城路20号", title="无证经营",
            facts="未办理食品经营许可。"))
        code = jinan.query_code
    csrf = sign_in(perm_client, world, "sn_handler")
    before = checksum(perm_db)
    response = perm_client.post(f"/api/v1/complaints/{item_id}/report/merge", headers={"X-CSRF-Token": csrf},
                                json={"into_query_code": code})
    _refused(response, before, perm_db)


def test_reroute_outside_the_jurisdiction_is_refused(perm_client, perm_db, world):
    csrf = sign_in(perm_client, world, "jn_supervisor")
    before = checksum(perm_db)
    response = perm_client.post(f"/api/v1/complaints/{world.values['item_id']}/reroute",
                                headers={"X-CSRF-Token": csrf}, json={"region_code": OTHER_UNIT, "reason": "改派"})
    _refused(response, before, perm_db)


@pytest.mark.parametrize(("username", "method", "path", "body"), [
    ("jn_supervisor", "PUT", "/api/v1/complaints/rules/samr121-2026/accept_decision", {"value": 5, "note": "市局"}),
    ("city_benchmarks", "POST", "/api/v1/enforcement/rules/hearing_legal", {"value": "20000", "note": "市局"}),
    ("city_sysadmin", "POST", "/staff/sysadmin/calendar/overrides", None),
], ids=["complaint figures", "enforcement figures", "work calendar"])
def test_only_the_province_changes_province_wide_rules(perm_client, perm_db, username, method, path, body):
    make_staff(perm_db, "city_benchmarks", "370100", ["leader"])
    make_staff(perm_db, "city_sysadmin", "370100", ["sysadmin"])
    csrf = login(perm_client, username)
    before = checksum(perm_db)
    headers = {"X-CSRF-Token": csrf, "Accept": "application/json"}
    if body is None:
        response = perm_client.request(method, path, headers=headers, follow_redirects=False,
                                       data={"day": "2026-10-09", "kind": "holiday", "name": "测试"})
    else:
        response = perm_client.request(method, path, headers=headers, json=body)
    _refused(response, before, perm_db)


def test_write_without_csrf_token_is_refused(perm_client, perm_db, world):
    sign_in(perm_client, world, "lx_registrar")
    before = checksum(perm_db)
    response = perm_client.post(f"/api/v1/registry/entities/{world.values['uscc']}/unmask")
    assert (response.status_code, response.json()["code"]) == (403, "auth.csrf")
    assert checksum(perm_db) == before


@pytest.mark.parametrize("path", ["/api/v1/public/entities?q=济南", "/api/v1/reference/uscc/91370102MA3C4D5E7Q",
                                  "/entities?q=济南", "/api/v1/public/inspections/plans", "/inspections",
                                  "/penalties?q=济南", "/api/v1/public/penalties?q=济南"])
def test_public_portal_is_rate_limited(perm_client, monkeypatch, path):
    from marketreg.platform.settings import get_settings

    monkeypatch.setattr(get_settings(), "public_rate_limit", "3/minute")
    codes = [perm_client.get(path).status_code for _ in range(4)]
    assert codes[:3] == [200, 200, 200]
    assert codes[3] == 429
    if path.startswith("/api/"):
        assert perm_client.get(path).json()["code"] == "rate_limited"
