"""The complaints workflow through its actions, on both databases."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from sqlalchemy import func, select

from marketreg.domains.complaints import actions, rules, service
from marketreg.domains.complaints.models import DuplicateLink, Item, OdrUnit, Supervision
from marketreg.domains.complaints.schemas import IntakeIn
from marketreg.domains.enforcement.models import Clue
from marketreg.domains.org import service as org
from marketreg.domains.reference import service as reference
from marketreg.domains.registry import seed as registry_seed
from marketreg.domains.registry.models import Entity
from marketreg.kernel import clock
from marketreg.kernel.errors import Conflict, DomainError, PermissionDenied
from marketreg.platform.audit import AuditEvent
from marketreg.platform.authz import PUBLIC, SYSTEM
from marketreg.platform.events import DomainEvent, drain

CST = dt.timezone(dt.timedelta(hours=8))


def at(y, m, d, h=10):
    return time_machine.travel(dt.datetime(y, m, d, h, tzinfo=CST), tick=False)


@pytest.fixture
def entity(session) -> Entity:
    counties = [registry_seed.County(*r) for r in reference.county_rows(session) if r[0] == "370102"]
    row = next(registry_seed.generate_entities(1, counties=counties,
                                               industries=reference.industry_leaves_by_section(session), seed=41))
    row["created_at"] = row["updated_at"] = clock.now()
    session.execute(Entity.__table__.insert(), [row])
    return session.scalar(select(Entity).where(Entity.uscc == row["uscc"]))


def staff(session, username):
    return org.actor_for(session, user=org.get_user_by_username(session, username=username))


def filing(entity: Entity | None = None, **overrides) -> IntakeIn:
    data = {
        "kind": "complaint", "complainant_name": "王小明", "complainant_phone": "13912345678",
        "complainant_address": "济南市历下区泉城路1号", "respondent_name": entity.name if entity else "某某商店",
        "respondent_uscc": entity.uscc if entity else None, "title": "购买的电饭煲无法使用",
        "facts": "2026年3月在该店购买电饭煲一台，使用三天后无法加热，要求退货被拒绝。", "request": "退货退款",
    }
    return IntakeIn(**{**data, **overrides})


def test_intake_routes_to_the_respondents_county_and_stores_the_clocks(session, entity):
    with at(2026, 5, 6):
        [item] = actions.do_intake(session, actor=PUBLIC, data=filing(entity))
    assert (item.region_code, item.org_path, item.routing_rule) == ("370102", "/370000/370100/370102/", "domicile")
    assert (item.rule_version, item.received_on, item.accept_due_on) == ("samr121-2026", dt.date(2026, 5, 6),
                                                                         dt.date(2026, 5, 14))
    assert item.next_due_on == item.accept_due_on and item.calendar_version.startswith("cc")
    assert item.first_response_due_at - item.received_at == dt.timedelta(hours=24)
    assert item.steps[0].basis == "办法第十三条" and item.steps[0].due_on == item.accept_due_on
    names = set(session.scalars(select(DomainEvent.name).where(DomainEvent.subject_key == entity.uscc)))
    assert "complaints.item_received" in names


def test_combined_filing_is_split_into_complaint_and_report_and_the_report_raises_a_clue(session, entity):
    items = actions.do_intake(session, actor=PUBLIC, data=filing(entity, also_report=True))
    assert [i.kind for i in items] == ["complaint", "report"]
    assert items[1].parent_id == items[0].id and items[1].status == "verifying"
    drain(session)  # enforcement registers the clue after the filing commits
    clue = session.scalar(select(Clue).where(Clue.source_ref == f"report:{items[1].query_code}"))
    assert clue is not None and clue.org_path == items[1].org_path and clue.status == "checking"


def test_same_idempotency_key_never_creates_a_second_item(session, entity):
    first = actions.do_intake(session, actor=PUBLIC, data=filing(entity, also_report=True), idempotency_key="k-1")
    again = actions.do_intake(session, actor=PUBLIC, data=filing(entity, also_report=True), idempotency_key="k-1")
    assert [i.id for i in again] == [i.id for i in first]
    assert session.scalar(select(func.count()).select_from(Item).where(Item.idempotency_key.like("k-1%"))) == 2


@pytest.mark.parametrize(("overrides", "code"), [
    ({"anonymous": True}, "complaints.identity_required"),
    ({"complainant_phone": None}, "complaints.identity_required"),
    ({"request": None}, "complaints.request_required"),
    ({"respondent_uscc": "91370102MA3C4D5E7X"}, "complaints.respondent_uscc_invalid"),
])
def test_bad_intake_is_refused_and_stores_nothing(session, overrides, code):
    before = session.scalar(select(func.count()).select_from(Item))
    with pytest.raises(DomainError) as refused:
        actions.do_intake(session, actor=PUBLIC, data=filing(**overrides))
    assert refused.value.code == code
    assert session.scalar(select(func.count()).select_from(Item)) == before


def test_script_in_text_fields_is_refused():
    with pytest.raises(DomainError) as refused:
        filing(facts="<script>alert(1)</script>电饭煲坏了")
    assert refused.value.code == "complaints.markup_not_allowed"


def test_unknown_respondent_goes_to_the_province_triage_queue(session):
    [item] = actions.do_intake(session, actor=PUBLIC, data=filing(respondent_name="查无此店"))
    assert (item.org_path, item.routing_rule) == ("/370000/", "manual_triage")


def test_address_routes_when_the_respondent_is_not_registered(session):
    [item] = actions.do_intake(session, actor=PUBLIC, data=filing(respondent_name="无照小店",
                                                                  respondent_address="青岛市市南区香港中路10号"))
    assert (item.region_code, item.routing_rule) == ("370202", "place_of_business")


def test_complaint_older_than_three_years_is_not_accepted(session, entity):
    # C8: 1 May 2026 is a holiday, so the 3 years run to 6 May; on 7 May the complaint is barred
    with at(2026, 5, 7):
        [item] = actions.do_intake(session, actor=PUBLIC, data=filing(entity, harm_known_on=dt.date(2023, 5, 1)))
    assert (item.status, item.outcome, item.outcome_ground) == ("closed", "not_accepted", "time_barred")
    assert "第三十九条" in item.outcome_note


def test_accept_mediate_close_with_consent(session, entity):
    handler = staff(session, "lx_handler")
    with at(2026, 5, 6):
        [item] = actions.do_intake(session, actor=PUBLIC, data=filing(entity))
    with at(2026, 5, 8):
        actions.do_accept(session, actor=handler, item_id=item.id)
    assert item.mediation_due_on == dt.date(2026, 7, 7) and item.first_response_at is not None
    with pytest.raises(DomainError) as no_consent:
        actions.do_start_mediation(session, actor=handler, item_id=item.id, complainant_consents=True,
                                   respondent_consents=False)
    assert no_consent.value.code == "complaints.consent_required"
    actions.do_start_mediation(session, actor=handler, item_id=item.id, complainant_consents=True,
                               respondent_consents=True)
    with at(2026, 5, 11):
        actions.do_pause_mediation(session, actor=handler, item_id=item.id, reason="送检")
    with at(2026, 5, 21):
        actions.do_resume_mediation(session, actor=handler, item_id=item.id)
    assert item.mediation_due_on == dt.date(2026, 7, 17)
    actions.do_close_mediated(session, actor=handler, item_id=item.id, note="退货退款")
    assert (item.status, item.outcome, item.next_due_on) == ("closed", "mediated", None)
    with pytest.raises(Conflict):
        actions.do_accept(session, actor=handler, item_id=item.id)


def test_refusal_needs_a_statutory_ground_and_gives_other_routes(session, entity):
    handler = staff(session, "lx_handler")
    [item] = actions.do_intake(session, actor=PUBLIC, data=filing(entity))
    with pytest.raises(DomainError):
        actions.do_refuse(session, actor=handler, item_id=item.id, ground="because")
    actions.do_refuse(session, actor=handler, item_id=item.id, ground="not_consumer", note="批量购买用于转售")
    assert (item.outcome, item.outcome_ground) == ("not_accepted", "not_consumer")
    assert "第三十九条" in item.outcome_note and item.steps[-1].basis.startswith("办法第十六条")


def test_other_jurisdiction_cannot_act(session, entity):
    [item] = actions.do_intake(session, actor=PUBLIC, data=filing(entity))
    with pytest.raises(DomainError) as hidden:
        actions.do_accept(session, actor=staff(session, "sn_handler"), item_id=item.id)
    assert hidden.value.status == 404


def test_report_decision_updates_the_clue_and_2022_reporters_get_a_notice_step(session, entity):
    handler = staff(session, "lx_handler")
    with at(2026, 3, 2):
        [report] = actions.do_intake(session, actor=PUBLIC, data=filing(entity, kind="report", request=None))
        drain(session)
    assert report.rule_version == "samr20-2022" and report.report_due_on == dt.date(2026, 3, 23)
    actions.do_decide_report(session, actor=handler, item_id=report.id, filed=True)
    drain(session)
    clue = session.scalar(select(Clue).where(Clue.source_ref == f"report:{report.query_code}"))
    # issue 11 item 13 changed this: 立案 opens the case-filing step; the clue is 已立案 only with a case
    assert (clue.status, clue.case_id) == ("filing", None) and report.outcome == "converted_to_clue"
    assert any(s.action == "report_notice_due" for s in report.steps)



def test_rule_c7_real_name_reporter_told_of_a_decision_not_to_file_too(session, entity):
    handler = staff(session, "lx_handler")
    with at(2026, 3, 2):
        [report] = actions.do_intake(session, actor=PUBLIC, data=filing(entity, kind="report", request=None))
    with at(2026, 3, 9):
        actions.do_decide_report(session, actor=handler, item_id=report.id, filed=False, note="不符合立案条件")
    [notice] = [s for s in report.steps if s.action == "report_notice_due"]
    # Mon 9 Mar 2026 + 5 working days; Order 20 Art. 31(2) "作出是否立案决定之日起五个工作日内"
    assert (report.outcome, notice.due_on) == ("not_filed", dt.date(2026, 3, 16))
    assert notice.basis == "暂行办法第三十一条第二款"
    assert "不予立案" in notice.label and notice.public is False
    assert rules.reporter_notice(rules.SAMR20_2022, anonymous=True) is None
    assert rules.reporter_notice(rules.SAMR121_2026, anonymous=False) is None  # Order 121: no such duty (1.34)


def test_repeated_report_of_the_same_facts_is_not_handled_again_under_order_121(session, entity):
    with at(2026, 5, 6):
        [first] = actions.do_intake(session, actor=PUBLIC, data=filing(entity, kind="report", request=None))
        [again] = actions.do_intake(session, actor=PUBLIC, data=filing(entity, kind="report", request=None))
    assert (again.outcome, again.steps[-1].basis) == ("duplicate", "办法第三十五条")
    assert first.status == "verifying"
    assert session.scalar(select(DuplicateLink.other_id).where(DuplicateLink.item_id == again.id)) == first.id


def test_merged_report_restarts_the_period_from_the_last_report(session, entity):
    handler = staff(session, "lx_handler")
    with at(2026, 5, 6):
        [first] = actions.do_intake(session, actor=PUBLIC, data=filing(entity, kind="report", request=None))
    with at(2026, 5, 20):
        [later] = actions.do_intake(session, actor=PUBLIC, data=filing(
            entity, kind="report", request=None, complainant_phone="13800001111", title="又发现虚假宣传",
            facts="店内宣传单标称“国家级产品”，与事实不符，另有价格欺诈。"))
    actions.do_merge_report(session, actor=handler, item_id=later.id, into_query_code=first.query_code)
    assert later.outcome == "merged" and first.report_due_on == dt.date(2026, 6, 10)


def test_sweep_warns_escalates_and_returns_odr_items_once(session, entity):
    session.add(OdrUnit(uscc=entity.uscc, name=entity.name, reply_workdays=3, joined_on=dt.date(2025, 1, 1)))
    session.flush()
    with at(2026, 5, 6):
        [odr] = actions.do_intake(session, actor=PUBLIC, data=filing(entity))
        [plain] = actions.do_intake(session, actor=PUBLIC, data=filing(respondent_name="无照小店",
                                                                       respondent_address="历下区泉城路9号"))
    assert odr.status == "odr_pending" and odr.odr_due_on == dt.date(2026, 5, 9)  # Sat 9 May is a working day
    first = actions.sweep(session, actor=SYSTEM, today=dt.date(2026, 5, 20))
    again = actions.sweep(session, actor=SYSTEM, today=dt.date(2026, 5, 20))
    assert (first.odr_returned, first.escalated) == (1, 2)
    assert (again.odr_returned, again.warned, again.escalated) == (0, 0, 0)
    assert odr.status == "received"
    sup = session.scalar(select(Supervision).where(Supervision.item_id == plain.id))
    assert sup.automatic and sup.org_path == "/370000/370100/"


def test_rating_not_resolved_reopens_within_the_window(session, entity):
    handler = staff(session, "lx_handler")
    [item] = actions.do_intake(session, actor=PUBLIC, data=filing(entity))
    actions.do_accept(session, actor=handler, item_id=item.id)
    actions.do_settle(session, actor=handler, item_id=item.id, note="已退款")
    with pytest.raises(PermissionDenied):
        actions.do_rate(session, actor=PUBLIC, query_code=item.query_code, phone="13000000000", rating=1,
                        resolved=False)
    actions.do_rate(session, actor=PUBLIC, query_code=item.query_code, phone="13912345678", rating=1, resolved=False)
    assert (item.status, item.reopened_count, item.outcome) == ("accepted", 1, None)


def test_identity_is_masked_and_unmasking_is_audited(session, entity):
    from marketreg.domains.complaints.schemas import ItemOut

    [item] = actions.do_intake(session, actor=PUBLIC, data=filing(entity, kind="report", request=None))
    masked = ItemOut.of(item, today=dt.date(2026, 5, 6), show_identity=False)
    assert masked.complainant_phone == "139****5678" and masked.identity_masked
    with pytest.raises(PermissionDenied):
        actions.do_view_identity(session, actor=staff(session, "jn_supervisor"), item_id=item.id)
    actions.do_view_identity(session, actor=staff(session, "lx_handler"), item_id=item.id)
    last = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert (last.action, last.actor_name, last.subject_id) == ("complaints.identity_viewed", "lx_handler",
                                                               item.query_code)


def test_supervision_only_from_a_higher_level_and_reroute_needs_a_reason(session, entity):
    [item] = actions.do_intake(session, actor=PUBLIC, data=filing(entity))
    with pytest.raises(PermissionDenied):
        actions.do_supervise(session, actor=staff(session, "lx_handler"),
                             item_id=item.id, instruction="尽快", due_on=clock.today())
    actions.do_supervise(session, actor=staff(session, "jn_supervisor"), item_id=item.id, instruction="请三日内办结",
                         due_on=clock.today() + dt.timedelta(days=3))
    with pytest.raises(DomainError):
        actions.do_reroute(session, actor=staff(session, "jn_supervisor"), item_id=item.id, region_code="370103",
                           reason="")
    actions.do_reroute(session, actor=staff(session, "jn_supervisor"), item_id=item.id, region_code="370103",
                       reason="实际经营地在市中区")
    assert (item.org_path, item.routing_rule) == ("/370000/370100/370103/", "staff_override")
    assert service.get_item(session, actor=staff(session, "jn_supervisor"), item_id=item.id)


def test_intake_suggests_a_category_and_problem_type(session, entity):
    [item] = actions.do_intake(session, actor=PUBLIC, data=filing(
        entity, title="手机屏幕出现质量问题", facts="新买的手机一周后屏幕失灵，商家拒绝保修，要求退货。"))
    assert item.suggested_category and item.suggested_category.startswith("G")
    assert item.suggested_problem and item.suggested_problem.startswith("P")
    assert item.category_code is None  # a suggestion never overwrites what the filer or staff chose


def test_follow_up_visits_pick_a_stable_share_of_yesterdays_closed_items(session, entity):
    from marketreg.domains.complaints.models import FollowUp

    handler = staff(session, "lx_handler")
    with at(2026, 5, 6):
        items = [actions.do_intake(session, actor=PUBLIC, data=filing(entity, complainant_phone=f"1391234{n:04d}",
                                                                      title=f"第{n}件投诉"))[0] for n in range(40)]
        for item in items:
            actions.do_settle(session, actor=handler, item_id=item.id, note="已和解")
    picked = actions.select_follow_ups(session, closed_on=dt.date(2026, 5, 6), share=0.25)
    again = actions.select_follow_ups(session, closed_on=dt.date(2026, 5, 6), share=0.25)
    assert 3 <= picked <= 18 and again == 0
    assert actions.select_follow_ups(session, closed_on=dt.date(2026, 5, 7), share=1.0) == 0
    follow_up = session.scalars(select(FollowUp)).first()
    actions.do_record_follow_up(session, actor=handler, item_id=follow_up.item_id, result="unsatisfied", note="未退款")
    assert (follow_up.status, follow_up.result) == ("done", "unsatisfied")
    with pytest.raises(Conflict):
        actions.do_record_follow_up(session, actor=handler, item_id=follow_up.item_id, result="satisfied")


def test_staff_confirm_or_dismiss_a_suggested_duplicate(session, entity):
    handler = staff(session, "lx_handler")
    [first] = actions.do_intake(session, actor=PUBLIC, data=filing(entity))
    [second] = actions.do_intake(session, actor=PUBLIC, data=filing(entity))
    link = session.scalar(select(DuplicateLink).where(DuplicateLink.item_id == second.id))
    assert link.other_id == first.id and link.status == "suggested"
    actions.do_resolve_duplicate_link(session, actor=handler, item_id=second.id, link_id=link.id, confirmed=False)
    assert link.status == "dismissed"
    with pytest.raises(DomainError):
        actions.do_resolve_duplicate_link(session, actor=staff(session, "sn_handler"), item_id=second.id,
                                          link_id=link.id, confirmed=True)


def test_filer_is_notified_by_sms_and_email_but_an_anonymous_reporter_is_not(session, entity):
    from marketreg.platform.notify import Notification

    [item] = actions.do_intake(session, actor=PUBLIC, data=filing(entity, complainant_email="wang@example.cn"))
    notices = select(Notification).where(Notification.subject_id == item.query_code)
    sent = {n.channel: n for n in session.scalars(notices)}
    assert set(sent) == {"sms", "email"} and item.query_code in sent["sms"].text and sent["sms"].sent_at
    [anon] = actions.do_intake(session, actor=PUBLIC, data=filing(entity, kind="report", anonymous=True,
                                                                  request=None, title="匿名举报虚假宣传"))
    assert session.scalars(select(Notification).where(Notification.subject_id == anon.query_code)).all() == []


def test_rule_c10_odr_closes_only_on_the_complainants_confirmation_or_withdrawal(session, entity):
    session.add(OdrUnit(uscc=entity.uscc, name=entity.name, reply_workdays=3, joined_on=dt.date(2025, 1, 1)))
    session.flush()
    with at(2026, 5, 6):
        [item] = actions.do_intake(session, actor=PUBLIC, data=filing(entity))
        with pytest.raises(DomainError) as early:  # nothing claimed by the enterprise yet
            actions.do_consumer_odr_answer(session, actor=PUBLIC, query_code=item.query_code, phone="13912345678",
                                           answer="confirm")
        assert early.value.code == "complaints.no_settlement_claimed" and item.status == "odr_pending"
        with pytest.raises(PermissionDenied):
            actions.do_consumer_odr_answer(session, actor=PUBLIC, query_code=item.query_code, phone="13800000000",
                                           answer="withdraw")
        actions.do_consumer_odr_answer(session, actor=PUBLIC, query_code=item.query_code, phone="13912345678",
                                       answer="withdraw")
    assert (item.status, item.outcome, item.outcome_note) == ("closed", "settled", "投诉人撤回投诉")
    assert item.steps[-1].basis == "办法第二十三条第一款第（一）项"


def test_receipt_date_rule_version_and_clocks_follow_the_china_date_at_midnight(session, entity):
    """Two filings two minutes apart, both on 14 April in UTC: 23:59 and 00:01 China time fall on
    different business dates, and on either side of Order 121's entry into force (15 April 2026)."""
    with time_machine.travel(dt.datetime(2026, 4, 14, 23, 59, tzinfo=CST), tick=False):
        [before] = actions.do_intake(session, actor=PUBLIC, data=filing(entity))
    with time_machine.travel(dt.datetime(2026, 4, 15, 0, 1, tzinfo=CST), tick=False):
        [after] = actions.do_intake(session, actor=PUBLIC, data=filing(entity, title="买到变质面包"))
    assert before.received_at.date() == after.received_at.date() == dt.date(2026, 4, 14)  # the same UTC day
    assert (before.received_on, after.received_on) == (dt.date(2026, 4, 14), dt.date(2026, 4, 15))
    assert (before.rule_version, after.rule_version) == ("samr20-2022", "samr121-2026")
    assert before.accept_due_on < after.accept_due_on
