"""Complaint analytics on SQLite and PostgreSQL: the publicity mart and page (投诉公示), the staff
dashboard and its exports, 一事多人 / 一人多次 flags, and the demo generator."""

from __future__ import annotations

import datetime as dt
import io
import itertools

import pytest
from sqlalchemy import func, select

from conftest import login
from marketreg.analytics.complaints import (
    CLUSTER_RULES,
    NOT_RANKING,
    TABLE_NAMES,
    MartComplaintPublicity,
    PublicitySettings,
    complaints_dashboard,
    group_clusters,
    rebuild_complaint_publicity,
    rebuild_publicity_periodically,
    repeat_clusters,
)
from marketreg.domains.complaints import actions, rules
from marketreg.domains.complaints.models import Item, OdrUnit
from marketreg.domains.complaints.schemas import IntakeIn
from marketreg.domains.org import service as org
from marketreg.domains.reference import service as reference
from marketreg.domains.registry import seed as registry_seed
from marketreg.domains.registry.models import Entity
from marketreg.kernel import clock
from marketreg.platform.authz import PUBLIC, SYSTEM, Actor
from marketreg.platform.calendar import load_calendar

_counter = itertools.count(700_000)


@pytest.fixture
def shop(session):
    """A registered, active entity in a county: ``shop("370102") -> (uscc, name)``."""
    counties = {c.code: c for c in (registry_seed.County(*r) for r in reference.county_rows(session))}
    industries = reference.industry_leaves_by_section(session)

    def make(county: str = "370102") -> tuple[str, str]:
        index = next(_counter)
        row = next(registry_seed.generate_entities(1, counties=[counties[county]], industries=industries, seed=3,
                                                   start=index))
        row.update(status="active", name=f"{row['name'][:-4]}{index}号店", created_at=clock.now(),
                   updated_at=clock.now())
        session.execute(Entity.__table__.insert(), [row])
        session.flush()
        return row["uscc"], row["name"]

    return make


def file(session, shop: tuple[str, str], *, phone: str = "13900000001", name: str = "王小明", kind: str = "complaint",
         title: str = "买到过期牛奶", facts: str = "在该店购买的牛奶已经过期三天，要求退货被拒绝。") -> Item:
    data = IntakeIn(kind=kind, complainant_name=name, complainant_phone=phone,
                    complainant_address="济南市历下区泉城路100号", respondent_name=shop[1], respondent_uscc=shop[0],
                    title=title, facts=facts, request="退货并赔偿" if kind == "complaint" else None)
    return actions.do_intake(session, actor=PUBLIC, data=data)[0]


def close(session, item: Item, outcome: str, *, days_ago: int, response_hours: float = 5.0) -> Item:
    if outcome == "mediated":
        actions.do_accept(session, actor=SYSTEM, item_id=item.id)
        actions.do_start_mediation(session, actor=SYSTEM, item_id=item.id, complainant_consents=True,
                                   respondent_consents=True)
        actions.do_close_mediated(session, actor=SYSTEM, item_id=item.id, note="退款100元")
    elif outcome == "settled":
        actions.do_settle(session, actor=SYSTEM, item_id=item.id, note="双方和解")
    elif outcome == "not_accepted":
        actions.do_refuse(session, actor=SYSTEM, item_id=item.id, ground="not_consumer")
    elif outcome == "not_filed":
        actions.do_decide_report(session, actor=SYSTEM, item_id=item.id, filed=False)
    else:
        raise ValueError(outcome)
    closed = clock.now() - dt.timedelta(days=days_ago)
    item.closed_at = closed
    item.received_at = closed - dt.timedelta(days=3)
    item.first_response_at = item.received_at + dt.timedelta(hours=response_hours)
    session.flush()
    return item


def mart(session) -> dict[str, MartComplaintPublicity]:
    return {row.uscc: row for row in session.scalars(select(MartComplaintPublicity))}


# ----------------------------------------------------------------------------- publicity


def test_publicity_counts_complaints_closed_after_the_delay(session, shop):
    a, b = shop("370102"), shop("370202")
    close(session, file(session, a), "mediated", days_ago=10, response_hours=4)
    close(session, file(session, a, phone="13900000002"), "settled", days_ago=20, response_hours=8)
    close(session, file(session, a, phone="13900000003"), "not_accepted", days_ago=30, response_hours=12)
    close(session, file(session, a, phone="13900000004"), "mediated", days_ago=2)        # inside the delay
    file(session, a, phone="13900000005")                                                # still open
    close(session, file(session, a, kind="report", phone="13900000006"), "not_filed", days_ago=10)  # a report
    original = file(session, b, phone="13900000008")
    close(session, original, "settled", days_ago=15)
    twin = file(session, b, phone="13900000008", title="牛奶过期又来投诉")
    actions.do_mark_duplicate(session, actor=SYSTEM, item_id=twin.id, of_query_code=original.query_code)
    twin.closed_at = clock.now() - dt.timedelta(days=14)
    session.flush()

    assert rebuild_complaint_publicity(session) == 2
    rows = mart(session)
    assert (rows[a[0]].complaints, rows[a[0]].resolved) == (3, 2)
    assert rows[a[0]].resolution_rate == pytest.approx(2 / 3, abs=1e-4)
    assert rows[a[0]].avg_response_hours == pytest.approx(8.0, abs=0.1)
    assert rows[a[0]].name == a[1] and rows[a[0]].region_code == "370102"
    assert (rows[b[0]].complaints, rows[b[0]].resolved) == (1, 1)  # the duplicate is not counted twice
    first, last = rows[a[0]].period_from, rows[a[0]].period_to
    assert last == clock.today() - dt.timedelta(days=7) and (last - first).days == 364


def test_publicity_delay_is_a_setting(session, shop):
    a = shop()
    close(session, file(session, a), "mediated", days_ago=2)
    assert rebuild_complaint_publicity(session) == 0
    assert rebuild_complaint_publicity(session, settings=PublicitySettings(delay_days=1)) == 1


def test_publicity_only_names_registered_enterprises(session, shop):
    data = IntakeIn(kind="complaint", complainant_name="李四", complainant_phone="13700000000",
                    complainant_address="济南市历下区泉城路1号", respondent_name="张三个人小摊",
                    respondent_address="济南市历下区泉城路9号", title="小摊卖过期食品",
                    facts="在小摊买的面包已经过期了。", request="退款")
    item = actions.do_intake(session, actor=PUBLIC, data=data)[0]
    close(session, item, "settled", days_ago=10)
    assert rebuild_complaint_publicity(session) == 0


def test_enterprise_reply_is_published_without_personal_data(session, shop):
    a = shop()
    session.add(OdrUnit(uscc=a[0], name=a[1], reply_workdays=5, joined_on=clock.today() - dt.timedelta(days=90)))
    session.flush()
    item = file(session, a, name="王小明", phone="13912345678")
    assert item.status == "odr_pending"
    enterprise = Actor(None, "ent", a[1], None, "/", a[1], kind="enterprise", entity_uscc=a[0])
    actions.do_odr_reply(session, actor=enterprise, item_id=item.id, settled=True,
                         reply="王先生您好，王小明反映的问题已处理，已退款至尾号13912345678的账户，"
                               "邮件已发 wxm@example.com。")
    # RULES C10: the complainant's confirmation closes it
    actions.do_consumer_odr_answer(session, actor=PUBLIC, query_code=item.query_code, phone="13912345678",
                                   answer="confirm")
    item.closed_at = clock.now() - dt.timedelta(days=9)
    session.flush()
    rebuild_complaint_publicity(session)
    reply = mart(session)[a[0]].reply
    assert reply.startswith("消费者您好") and "已退款" in reply
    for personal in ("王", "13912345678", "wxm@example.com"):
        assert personal not in reply


def test_publicity_page_has_caveat_freshness_search_and_csv(client, session, shop):
    a, b = shop(), shop("370202")
    close(session, file(session, a, name="赵六", phone="13611112222"), "mediated", days_ago=10)
    close(session, file(session, b, name="钱七", phone="13633334444"), "settled", days_ago=10)
    rebuild_complaint_publicity(session)
    page = client.get("/complaints/publicity")
    assert page.status_code == 200
    assert NOT_RANKING in page.text and "数据更新于" in page.text and "（尚未生成）" not in page.text
    assert a[1] in page.text and b[1] in page.text
    searched = client.get("/complaints/publicity", params={"q": b[1]})
    assert b[1] in searched.text and a[1] not in searched.text
    assert "未找到" in client.get("/complaints/publicity", params={"q": "不存在的企业名称"}).text
    csv = client.get("/complaints/publicity.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert a[1] in csv.text and b[1] in csv.text and "解决率" in csv.text
    for personal in ("赵六", "13611112222", "钱七", "13633334444"):
        assert personal not in csv.text and personal not in page.text
    assert b[1] not in client.get("/complaints/publicity.csv", params={"q": a[1]}).text


def test_publicity_page_before_the_first_build(client):
    page = client.get("/complaints/publicity")
    assert page.status_code == 200 and "（尚未生成）" in page.text and NOT_RANKING in page.text


def test_periodic_job_rebuilds_the_mart(tasks_db, shop, session):
    close(session, file(session, shop()), "settled", days_ago=8)
    assert rebuild_publicity_periodically.call_local() >= 1
    assert session.scalar(select(func.max(MartComplaintPublicity.built_at))) is not None


# ----------------------------------------------------------------------------- clusters


def _province(session) -> Actor:
    return org.actor_for(session, user=org.get_user_by_username(session, username="sd_leader"))


def test_many_complainants_against_one_respondent_are_flagged(session, shop):
    rule = CLUSTER_RULES["group"]
    busy, quiet = shop(), shop()
    for n in range(rule.threshold):
        file(session, busy, phone=f"1380000{n:04d}", name=f"会员{n}", title="健身房关门跑路",
             facts="办的会员卡余额无法使用，健身房已经关门。")
    for n in range(rule.threshold - 1):
        file(session, quiet, phone=f"1390000{n:04d}", name=f"顾客{n}")
    old = file(session, quiet, phone="13911110000")
    old.received_on = clock.today() - dt.timedelta(days=rule.window_days + 5)  # outside the window
    session.flush()
    found = group_clusters(session, actor=_province(session), today=clock.today())
    assert [(g.respondent_uscc, g.complainants) for g in found] == [(busy[0], rule.threshold)]


def test_one_phone_filing_many_times_is_flagged_and_masked(session, shop):
    rule = CLUSTER_RULES["repeat"]
    for n in range(rule.threshold):
        file(session, shop(), phone="13512345678", name="孙八" if n % 2 else "孙九", title=f"第{n}次投诉过期食品")
    for _ in range(rule.threshold - 1):
        file(session, shop(), phone="13587654321")
    found = repeat_clusters(session, actor=_province(session), today=clock.today())
    assert len(found) == 1
    flagged = found[0]
    assert flagged.phone_masked == "135****5678"
    assert (flagged.filings, flagged.respondents, flagged.names) == (rule.threshold, rule.threshold, 2)
    assert len(flagged.query_codes) == rule.threshold


def test_clusters_are_scoped_to_the_viewer(session, shop):
    rule = CLUSTER_RULES["group"]
    other = shop("370202")
    for n in range(rule.threshold):
        file(session, other, phone=f"1370000{n:04d}")
    lixia = org.actor_for(session, user=org.get_user_by_username(session, username="lx_handler"))
    assert group_clusters(session, actor=lixia, today=clock.today()) == []
    assert len(group_clusters(session, actor=_province(session), today=clock.today())) == 1


# ----------------------------------------------------------------------------- dashboard


def test_dashboard_counts_only_the_jurisdiction(session, shop):
    mine, theirs = shop("370102"), shop("370202")
    file(session, mine)
    file(session, mine, kind="report", phone="13900000009")
    file(session, theirs, phone="13900000010")
    lixia = org.actor_for(session, user=org.get_user_by_username(session, username="lx_handler"))
    board = complaints_dashboard(session, actor=lixia)
    assert (board.kpis["complaint"], board.kpis["report"], board.kpis["total"]) == (1, 1, 2)
    assert board.area_level == "county" and board.tables["area"].rows == [("历下区", 2)]
    province = complaints_dashboard(session, actor=_province(session))
    assert province.area_level == "city"
    assert dict(province.tables["area"].rows) == {"济南市": 2, "青岛市": 1}
    month = f"{clock.today():%Y-%m}"
    assert (month, 1, 1, 0, 2) in board.tables["month"].rows


def test_dashboard_timeliness_uses_the_stored_due_dates(session, shop):
    a = shop()
    on_time = file(session, a)
    actions.do_accept(session, actor=SYSTEM, item_id=on_time.id)
    late = file(session, a, phone="13900000011")
    actions.do_accept(session, actor=SYSTEM, item_id=late.id)
    late.accept_due_on = clock.today() - dt.timedelta(days=3)
    overdue = file(session, a, phone="13900000012")
    overdue.accept_due_on = overdue.next_due_on = clock.today() - dt.timedelta(days=1)
    session.flush()
    board = complaints_dashboard(session, actor=_province(session))
    accept = next(t for t in board.timeliness if t.label == "受理决定")
    assert (accept.on_time, accept.late, accept.overdue_open) == (1, 1, 1)
    assert accept.share == pytest.approx(1 / 3)
    assert board.kpis["overdue"] >= 1


def test_dashboard_satisfaction_and_respondents(session, shop):
    a, b = shop(), shop()
    for n, rating in enumerate((5, 4, 2)):
        item = close(session, file(session, a, phone=f"1360000{n:04d}"), "settled", days_ago=1)
        item.closed_at = clock.now()
        actions.do_rate(session, actor=PUBLIC, query_code=item.query_code, phone=item.complainant_phone,
                        rating=rating, resolved=True)
    file(session, b, phone="13600009999")
    session.flush()
    board = complaints_dashboard(session, actor=_province(session))
    assert board.rating_average == pytest.approx(11 / 3)
    assert dict((r[0], r[1]) for r in board.tables["rating"].rows) == {"5分": 1, "4分": 1, "3分": 0, "2分": 1, "1分": 0}
    top = board.tables["respondents"].rows
    assert top[0][:5] == (a[1], a[0], 3, 3, 3) and top[1][:3] == (b[1], b[0], 1)


def test_dashboard_page_and_every_table_export(client, session, shop):
    a = shop()
    item = file(session, a)
    item.category_code, item.problem_code = "G0403", "P0202"
    session.flush()
    login(client, "lx_handler")
    page = client.get("/staff/complaints/dashboard", params={"months": 6})
    assert page.status_code == 200
    for marker in ('id="chart-area"', 'id="chart-month"', 'id="chart-category"', 'id="chart-problem"',
                   'id="card-timeliness"', 'id="card-groups"', 'id="card-repeats"', "乳制品", "<td>安全</td>"):
        assert marker in page.text
    from openpyxl import load_workbook

    for name in TABLE_NAMES:
        response = client.get("/staff/complaints/dashboard.xlsx", params={"table": name, "months": 6})
        assert response.status_code == 200, name
        sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
        assert next(sheet.iter_rows(values_only=True))[0], name
    assert client.get("/staff/complaints/dashboard.xlsx", params={"table": "nope"}).status_code == 404
    assert client.get("/staff/complaints/dashboard", params={"months": 99}).status_code == 422


def test_dashboard_needs_the_dashboard_permission(client):
    login(client, "lx_registrar")
    assert client.get("/staff/complaints/dashboard").status_code == 403


# ----------------------------------------------------------------------------- demo data


def test_demo_complaints_go_through_the_real_actions(db, session):
    from marketreg.app import demo

    counties = [registry_seed.County(*row) for row in reference.county_rows(session)]
    rows = registry_seed.generate_entities(600, counties=counties,
                                           industries=reference.industry_leaves_by_section(session), seed=41)
    registry_seed.insert_generated(db, rows)
    report = demo.seed_complaints(db, n=60, seed=7)
    assert report.created >= 60 and report.failed == 0
    with db.read() as s:
        items = list(s.scalars(select(Item).where(Item.idempotency_key.like("demo7-%"))))
        calendar = load_calendar(s)
        months = {i.received_on.strftime("%Y-%m") for i in items}
        assert len(months) >= 8
        assert {i.rule_version for i in items} == {"samr20-2022", "samr121-2026"}
        assert {i.outcome for i in items} >= {"mediated", None}
        for item in items:  # clocks follow the simulated receipt date and its rule version
            assert item.rule_version == rules.ruleset_for(item.received_on).version
            steps = {c.step: c.due_on for c in rules.clocks(calendar, kind=item.kind, received_on=item.received_on)}
            assert item.accept_due_on == steps.get("accept_decision") or item.kind == "report"
            assert item.steps[0].at == item.received_at
            assert all(step.at <= clock.now() for step in item.steps)
            if item.closed_at:
                assert item.received_at <= item.closed_at
        user = org.get_user_by_username(s, username=demo.DEMO_ENTERPRISE_USER)
        assert user.kind == "enterprise" and user.entity_uscc == report.enterprise_uscc
        assert s.scalar(select(Entity.region_code).where(Entity.uscc == user.entity_uscc)) == "370102"
        assert s.get(OdrUnit, user.entity_uscc) is not None
        assert s.scalar(select(func.count()).select_from(MartComplaintPublicity)) > 0
    again = demo.seed_complaints(db, n=60, seed=7)
    assert again.created == 0 and again.skipped == again.planned


def test_publicity_csv_carries_no_live_formula_from_an_enterprise_reply(client, session, shop):
    a = shop()
    session.add(OdrUnit(uscc=a[0], name=a[1], reply_workdays=5, joined_on=clock.today() - dt.timedelta(days=90)))
    session.flush()
    item = file(session, a)
    enterprise = Actor(None, "ent", a[1], None, "/", a[1], kind="enterprise", entity_uscc=a[0])
    actions.do_odr_reply(session, actor=enterprise, item_id=item.id, settled=True,
                         reply='=HYPERLINK("http://evil.example/","已退款")')
    # RULES C10: only the complainant's confirmation closes it as settled
    actions.do_consumer_odr_answer(session, actor=PUBLIC, query_code=item.query_code, phone="13900000001",
                                   answer="confirm")
    item.closed_at = clock.now() - dt.timedelta(days=9)
    session.flush()
    rebuild_complaint_publicity(session)
    csv = client.get("/complaints/publicity.csv").text
    assert "'=HYPERLINK(" in csv and ",=HYPERLINK(" not in csv and ',"=HYPERLINK(' not in csv
