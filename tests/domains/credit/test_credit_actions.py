"""The credit file, annual reports, lists, objections, repairs and classes — through the domain's
actions and handlers, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from marketreg.domains.credit import actions, classify, service
from marketreg.domains.credit.models import (
    AnnualReport,
    CreditEvent,
    ListEntry,
    MeasureProposal,
    RepairApplication,
    RiskClass,
)
from marketreg.kernel import clock
from marketreg.kernel.errors import DomainError
from marketreg.platform.audit import AuditEvent
from marketreg.platform.authz import SYSTEM, Actor
from marketreg.platform.events import drain
from marketreg.platform.notify import Notification

from .conftest import emit, enterprise, penalty

LX_STAFF = Actor(1, "lx_registrar", "历下区局登记员", 1, "/370000/370100/370102/",
                 permissions=frozenset({"credit.view", "credit.list"}))
SN_STAFF = Actor(2, "sn_registrar", "市南区局登记员", 2, "/370000/370200/370202/",
                 permissions=frozenset({"credit.view", "credit.list"}))
ITEMS = {"address": "济南市历下区泉城路1号", "phone": "0531-88888888", "operating_status": "开业", "websites": ""}


def count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def file_report(session, entity, *, year=2025, on=dt.date(2026, 5, 1)):
    report = actions.do_file_annual_report(session, actor=enterprise(entity), report_year=year, public_items=ITEMS,
                                           item7={"headcount": "12", "revenue": "100万"}, item7_public=False,
                                           today=on)
    drain(session)  # the credit file line is written by the event's handler, after the filing
    return report


def test_every_event_lands_once_in_the_credit_file(session, make_entity):
    entity = make_entity()
    event = emit(session, "enforcement.case_filed", entity, case_no="C1", filed_on="2026-02-01",
                 violation_type="price", violation_label="价格违法")
    from marketreg.domains.credit.handlers import record

    assert record(session, event) is None  # a replay of the same event id records nothing
    lines = service.timeline(session, uscc=entity.uscc)
    assert [(line.category, line.ref, line.occurred_on) for line in lines] == [("case", "C1", dt.date(2026, 2, 1))]
    assert service.timeline(session, uscc=entity.uscc, public_only=True) == []


def test_penalty_publicity_in_the_public_file_until_it_ends(session, make_entity):
    entity = make_entity()
    penalty(session, entity, "D-1", decided_on="2026-03-01", period="3m")
    public = service.timeline(session, uscc=entity.uscc, public_only=True, today=dt.date(2026, 5, 31))
    assert [p.ref for p in public] == ["D-1"]
    assert service.timeline(session, uscc=entity.uscc, public_only=True, today=dt.date(2026, 6, 2)) == []
    emit(session, "enforcement.penalty_publicity_ended", entity, decision_no="D-1", ended_on="2026-04-01",
         reason="revoked")
    assert service.timeline(session, uscc=entity.uscc, public_only=True, today=dt.date(2026, 4, 2)) == []


def test_annual_report_filed_in_window_and_refused_outside(session, make_entity):
    entity = make_entity()
    report = file_report(session, entity)
    assert (report.late, report.public_items["address"]) == (False, ITEMS["address"])
    other = make_entity()
    with pytest.raises(DomainError) as exc:
        file_report(session, other, on=dt.date(2026, 7, 1))
    assert exc.value.code == "credit.report_window_closed"
    assert count(session, AnnualReport, AnnualReport.entity_uscc == other.uscc) == 0
    [line] = service.timeline(session, uscc=entity.uscc, public_only=True)
    assert line.category == "annual_report"


def test_sweep_lists_missing_reports_once_and_late_report_cures(session, make_entity):
    filed, missing, young = make_entity(), make_entity(), make_entity(established_on=dt.date(2026, 2, 1))
    file_report(session, filed)
    with pytest.raises(DomainError) as early:
        actions.sweep_annual_reports(session, actor=SYSTEM, report_year=2025, today=dt.date(2026, 6, 30))
    assert early.value.code == "credit.sweep_too_early"
    first = actions.sweep_annual_reports(session, actor=SYSTEM, report_year=2025, today=dt.date(2026, 7, 2))
    again = actions.sweep_annual_reports(session, actor=SYSTEM, report_year=2025, today=dt.date(2026, 7, 3))
    assert again.listed == 0 and first.listing_due_on == dt.date(2026, 7, 14)
    entries = {e.entity_uscc: e for e in session.scalars(select(ListEntry))}
    assert missing.uscc in entries and filed.uscc not in entries and young.uscc not in entries
    entry = entries[missing.uscc]
    # no 3-year transfer date under the 2024 条例 (RULES C1); the objection period ends Sat 1 Aug → Mon 3 Aug (C8)
    assert (entry.rule_version, entry.basis, entry.objection_until, entry.transfer_on) == (
        "samr101-2025", "《企业经营异常名录管理办法》第六条", dt.date(2026, 8, 3), None)
    # one audit row and one notice per partner department for the sweep's chunk (not one per entity)
    assert count(session, Notification, Notification.subject_type == "credit_list_entry") == len(entry.measures) > 0
    assert count(session, AuditEvent, AuditEvent.action == "credit.listed") == 1
    # the late report is accepted because it cures the listing; removal applied and decided within 5 wd
    late = file_report(session, missing, on=dt.date(2026, 9, 25))
    assert late.late is True
    application = actions.do_apply_repair(session, actor=enterprise(missing), target="abnormal", ref=str(entry.id),
                                          decl=actions.Declarations(), today=dt.date(2026, 9, 25))
    assert application.decide_due_on == dt.date(2026, 10, 9)
    actions.do_decide_repair(session, actor=LX_STAFF, repair_id=application.id, grant=True, note="已补报",
                             today=dt.date(2026, 9, 28))
    drain(session)
    assert (entry.status, entry.removed_on) == ("removed", dt.date(2026, 9, 28))
    titles = [line.name for line in service.timeline(session, uscc=missing.uscc)]
    assert titles[:3] == ["credit.repair_granted", "credit.removed", "credit.annual_report_filed"]


def test_rule_c6_sweep_lists_individual_businesses_shown_until_30_june_next_year(session, make_entity):
    shop = make_entity(entity_type="individual")
    actions.sweep_annual_reports(session, actor=SYSTEM, report_year=2025, today=dt.date(2026, 7, 2))
    entry = session.scalar(select(ListEntry).where(ListEntry.entity_uscc == shop.uscc))
    assert (entry.rule_version, entry.basis, entry.public_until) == (
        "samr101-2025-ind", "《个体工商户年度报告办法》第十三条", dt.date(2027, 6, 30))
    assert count(session, MeasureProposal, MeasureProposal.entity_uscc == shop.uscc) == 0
    assert [e.id for e in service.entries_of(session, uscc=shop.uscc, public_only=True,
                                              today=dt.date(2027, 6, 30))] == [entry.id]
    assert service.entries_of(session, uscc=shop.uscc, public_only=True, today=dt.date(2027, 7, 1)) == []
    # a false annual report is a ground for individual businesses (Art. 14), not for enterprises
    listed = actions.do_list(session, actor=LX_STAFF, uscc=shop.uscc, ground_code="info_falsified",
                             evidence="核查笔录", reason="年报从业人数虚报", today=dt.date(2026, 8, 3))
    assert listed.basis == "《个体工商户年度报告办法》第十四条"
    firm = make_entity()
    with pytest.raises(DomainError) as exc:
        actions.do_list(session, actor=LX_STAFF, uscc=firm.uscc, ground_code="info_falsified", evidence="核查笔录",
                        reason="虚假", today=dt.date(2026, 8, 3))
    assert exc.value.code == "credit.ground_not_in_force" and "第十八条第二款" in exc.value.message_zh
    assert count(session, ListEntry, ListEntry.entity_uscc == firm.uscc) == 0


def test_abnormal_repair_without_the_cure_is_refused_with_its_article(session, make_entity):
    entity = make_entity()
    actions.sweep_annual_reports(session, actor=SYSTEM, report_year=2025, today=dt.date(2026, 7, 2))
    entry = session.scalar(select(ListEntry).where(ListEntry.entity_uscc == entity.uscc))
    with pytest.raises(DomainError) as exc:
        actions.do_apply_repair(session, actor=enterprise(entity), target="abnormal", ref=str(entry.id),
                                decl=actions.Declarations(), today=dt.date(2026, 8, 1))
    assert exc.value.code == "credit.repair_not_cured" and "第五条" in exc.value.message_zh
    assert count(session, RepairApplication) == 0


def test_objection_inside_its_window_only(session, make_entity):
    entity = make_entity()
    actions.sweep_annual_reports(session, actor=SYSTEM, report_year=2025, today=dt.date(2026, 7, 2))
    entry = session.scalar(select(ListEntry).where(ListEntry.entity_uscc == entity.uscc))
    with pytest.raises(DomainError) as late:  # C8: the 30 days end Sat 1 Aug, rolled to Mon 3 Aug
        actions.do_object(session, actor=enterprise(entity), entry_id=entry.id, reason="已报送",
                          today=dt.date(2026, 8, 4))
    assert late.value.code == "credit.objection_window_closed"
    objection = actions.do_object(session, actor=enterprise(entity), entry_id=entry.id, reason="已通过纸质方式报送",
                                  today=dt.date(2026, 7, 10))
    assert objection.accept_due_on == dt.date(2026, 7, 17) and objection.verify_due_on == dt.date(2026, 8, 14)
    with pytest.raises(DomainError):
        actions.do_decide_objection(session, actor=SN_STAFF, objection_id=objection.id, upheld=True, note="x")
    actions.do_decide_objection(session, actor=LX_STAFF, objection_id=objection.id, upheld=True, note="核实属实")
    assert entry.status == "removed" and entry.removal_reason == "objection_upheld"


def test_staff_listing_needs_evidence_reason_and_a_ground_in_force(session, make_entity):
    entity = make_entity()
    before = count(session, AuditEvent)
    for ground, evidence, reason, code in (("unreachable", "", "理由", "credit.evidence_required"),
                                           ("unreachable", "两次挂号信退回", " ", "credit.reason_required"),
                                           ("info_falsified", "证据", "理由", "credit.ground_not_in_force")):
        with pytest.raises(DomainError) as exc:
            actions.do_list(session, actor=LX_STAFF, uscc=entity.uscc, ground_code=ground, evidence=evidence,
                            reason=reason, today=dt.date(2026, 8, 1))
        assert exc.value.code == code
    assert count(session, ListEntry) == 0 and count(session, AuditEvent) == before
    with pytest.raises(DomainError) as other:
        actions.do_list(session, actor=SN_STAFF, uscc=entity.uscc, ground_code="unreachable", evidence="e",
                        reason="r", today=dt.date(2026, 8, 1))
    assert other.value.status == 404
    entry = actions.do_list(session, actor=LX_STAFF, uscc=entity.uscc, ground_code="unreachable",
                            evidence="两次挂号信退回", reason="无法联系", today=dt.date(2026, 8, 1))
    assert entry.status == "listed" and entry.basis.endswith("第九条")


def test_inspection_unreachable_proposes_listing_for_staff(session, make_entity):
    entity = make_entity()
    for _ in range(2):
        emit(session, "inspections.result_recorded", entity, batch_no="B1", task_no="T-9", item_code="addr",
             item_name="住所核查", department="市场监管", result_code="unreachable", result_label="无法联系",
             problem=True, unreachable=True, inspected_on="2026-08-03")
    [entry] = session.scalars(select(ListEntry).where(ListEntry.entity_uscc == entity.uscc)).all()
    assert (entry.status, entry.ground_code, entry.source_ref) == ("proposed", "unreachable", "inspection:T-9")
    actions.do_decide_proposal(session, actor=LX_STAFF, entry_id=entry.id, approve=True, reason="核实无法联系",
                               today=dt.date(2026, 8, 5))
    assert entry.status == "listed"


def test_serious_listing_from_a_heavier_penalty_and_early_removal_by_repair(session, make_entity):
    entity = make_entity()
    penalty(session, entity, "D-7", decided_on="2026-03-01", serious=True, violation_type="food_safety",
            label="经营病死畜禽肉")
    penalty(session, entity, "D-8", decided_on="2026-03-02", serious=False)  # an ordinary fine: no proposal
    [entry] = session.scalars(select(ListEntry).where(ListEntry.entity_uscc == entity.uscc)).all()
    assert (entry.list_type, entry.ground_code, entry.basis_code) == ("serious", "food_safety", "order44")
    with pytest.raises(DomainError) as consent:
        actions.do_decide_proposal(session, actor=LX_STAFF, entry_id=entry.id, approve=True, reason="情节严重",
                                   today=dt.date(2026, 3, 2))
    assert consent.value.code == "credit.higher_consent_required"
    actions.do_decide_proposal(session, actor=LX_STAFF, entry_id=entry.id, approve=True, reason="情节严重",
                               consent_ref="济市监信〔2026〕1号", today=dt.date(2026, 3, 2))
    # C4 changed this: the listing dates from the penalty decision (1 Mar), not from the staff step (2 Mar)
    assert (entry.listed_on, entry.removal_due_on, entry.early_removal_from, entry.legal_rep_bar_until) == (
        dt.date(2026, 3, 1), dt.date(2029, 3, 1), dt.date(2027, 3, 1), dt.date(2029, 3, 1))
    decl = actions.Declarations(duties_performed=True, harm_removed=True, pledge=True)
    with pytest.raises(DomainError) as early:
        actions.do_apply_repair(session, actor=enterprise(entity), target="serious", ref=str(entry.id), decl=decl,
                                today=dt.date(2027, 2, 28))
    assert early.value.code == "credit.repair_too_early"
    application = actions.do_apply_repair(session, actor=enterprise(entity), target="serious", ref=str(entry.id),
                                          decl=decl, today=dt.date(2027, 3, 2))
    actions.do_decide_repair(session, actor=LX_STAFF, repair_id=application.id, grant=True, note="符合条件",
                             today=dt.date(2027, 3, 5))
    assert entry.status == "removed" and entry.removal_reason == "repaired"


def test_granted_penalty_repair_stops_publicity(session, make_entity):
    entity = make_entity()
    penalty(session, entity, "D-20", decided_on="2026-01-05")
    decl = actions.Declarations(duties_performed=True, harm_removed=True, pledge=True)
    application = actions.do_apply_repair(session, actor=enterprise(entity), target="penalty_publicity",
                                          ref="D-20", decl=decl, today=dt.date(2026, 8, 1))
    actions.do_decide_repair(session, actor=LX_STAFF, repair_id=application.id, grant=True, note="符合条件",
                             today=dt.date(2026, 8, 3))
    drain(session)
    line = session.scalar(select(CreditEvent).where(CreditEvent.ref == "D-20",
                                                    CreditEvent.name == "enforcement.penalty_decided"))
    assert line.withdrawn_on == dt.date(2026, 8, 3)
    assert service.penalties_in_publicity(session, uscc=entity.uscc, today=dt.date(2026, 8, 4)) == []


def test_rule_c1_sweep_never_transfers_under_the_2024_text_and_proposes_the_art_18_penalty(session, make_entity):
    entity = make_entity()
    actions.sweep_annual_reports(session, actor=SYSTEM, report_year=2025, today=dt.date(2026, 7, 2))
    result = actions.sweep_list_deadlines(session, actor=SYSTEM, today=dt.date(2029, 7, 2))
    assert (result.transferred, result.flagged) == (0, 0)
    assert count(session, ListEntry, ListEntry.list_type == "serious", ListEntry.entity_uscc == entity.uscc) == 0
    [proposal] = session.scalars(select(MeasureProposal).where(MeasureProposal.entity_uscc == entity.uscc)).all()
    assert (proposal.kind, proposal.status) == ("late_report_penalty", "proposed")
    assert proposal.basis == "《企业信息公示暂行条例》（2024年修订）第十八条第一款"
    with pytest.raises(DomainError) as exc:
        actions.do_decide_measure(session, actor=LX_STAFF, proposal_id=proposal.id, accept=True, note="  ")
    assert exc.value.code == "credit.note_required" and proposal.status == "proposed"
    actions.do_decide_measure(session, actor=LX_STAFF, proposal_id=proposal.id, accept=True, note="移交立案审查",
                              today=dt.date(2026, 7, 10))
    assert (proposal.status, proposal.decided_on) == ("accepted", dt.date(2026, 7, 10))
    from marketreg.domains.enforcement.models import Clue  # the accepted measure reaches case handling

    assert drain(session).failed == 0  # handlers run after commit; the test's session never commits
    clue = session.scalar(select(Clue).where(Clue.source_ref == f"credit:{proposal.id}"))
    assert (clue.status, clue.source, clue.received_on) == ("checking", "transfer", dt.date(2026, 7, 10))
    assert "第十八条第一款" in clue.summary


def _old_listing(session, entity, *, listed_on: dt.date, transfer_on: dt.date) -> ListEntry:
    """An abnormal listing made under the 2014 text, with the transfer dates it stored then."""
    entry = ListEntry(list_type="abnormal", source_ref=f"annual_report:{listed_on.year - 1}:{entity.uscc}",
                      entity_uscc=entity.uscc, entity_name=entity.name, city_code=entity.city_code,
                      org_path=entity.org_path, status="listed", ground_code="annual_report_late",
                      ground_label="未依照规定的期限公示年度报告", basis="《企业经营异常名录管理暂行办法》第六条",
                      rule_version="saic68-2014", trigger_on=listed_on, listed_on=listed_on,
                      warning_from=transfer_on - dt.timedelta(days=60), transfer_on=transfer_on, measures=[],
                      created_at=clock.now())
    session.add(entry)
    session.flush()
    return entry


def test_rule_c1_listings_under_the_old_rule_are_flagged_for_review_not_changed(session, make_entity):
    old, late = make_entity(), make_entity()
    # three years ended under the 2014 text: the catch-up transfer still applies (5-year basis)
    done = _old_listing(session, old, listed_on=dt.date(2020, 7, 3), transfer_on=dt.date(2023, 7, 3))
    # three years ending after 2024-05-01: the stored transfer date has no basis any more
    pending = _old_listing(session, late, listed_on=dt.date(2021, 7, 2), transfer_on=dt.date(2024, 7, 2))
    result = actions.sweep_list_deadlines(session, actor=SYSTEM, today=dt.date(2026, 9, 1))
    assert (result.transferred, done.status) == (1, "transferred")
    serious = session.scalar(select(ListEntry).where(ListEntry.source_ref == f"transfer:{done.id}"))
    assert (serious.basis_code, serious.status) == ("regulation_art17", "listed")
    # flagged, never transferred, dates untouched
    assert (pending.status, pending.transfer_on) == ("listed", dt.date(2024, 7, 2))
    assert pending.review_flagged_on == dt.date(2026, 9, 1) and "第十八条" in pending.review_note
    assert serious.review_flagged_on == dt.date(2026, 9, 1)  # the 2014-basis serious listing too
    assert result.flagged == 2
    assert actions.sweep_list_deadlines(session, actor=SYSTEM, today=dt.date(2026, 9, 2)).flagged == 0
    # its 5-year removal (2031) falls under the 2024 text: not removed silently
    assert actions.sweep_list_deadlines(session, actor=SYSTEM, today=dt.date(2031, 9, 2)).expired == 0
    assert serious.status == "listed"
    assert {e.id for e in service.pending_reviews(session, actor=LX_STAFF)} >= {pending.id, serious.id}
    with pytest.raises(DomainError) as exc:
        actions.do_settle_review(session, actor=SN_STAFF, entry_id=pending.id, remove=True, note="依据已废止")
    assert exc.value.status == 404 and pending.reviewed_on is None
    actions.do_settle_review(session, actor=LX_STAFF, entry_id=pending.id, remove=False, note="仍未报送，保留列入",
                             today=dt.date(2026, 9, 3))
    assert (pending.status, pending.transfer_on, pending.reviewed_on) == ("listed", None, dt.date(2026, 9, 3))
    actions.do_settle_review(session, actor=LX_STAFF, entry_id=serious.id, remove=True, note="转入依据已废止",
                             today=dt.date(2026, 9, 3))
    assert (serious.status, serious.removal_reason) == ("removed", "review_c1")
    with pytest.raises(DomainError) as again:
        actions.do_settle_review(session, actor=LX_STAFF, entry_id=serious.id, remove=True, note="再次")
    assert again.value.code == "credit.review_not_flagged"


def test_rule_c1_two_consecutive_unreported_years_and_unreachable_proposes_revocation(session, make_entity):
    entity = make_entity()
    actions.sweep_annual_reports(session, actor=SYSTEM, report_year=2024, today=dt.date(2025, 7, 2))
    actions.sweep_annual_reports(session, actor=SYSTEM, report_year=2025, today=dt.date(2026, 7, 2))
    revocations = select(MeasureProposal).where(MeasureProposal.kind == "revoke_licence",
                                                MeasureProposal.entity_uscc == entity.uscc)
    assert session.scalars(revocations).all() == []  # reachable: no revocation
    actions.do_list(session, actor=LX_STAFF, uscc=entity.uscc, ground_code="unreachable",
                    evidence="两次挂号信退回", reason="无法联系", today=dt.date(2026, 8, 3))
    [revoke] = session.scalars(revocations).all()
    assert "2024、2025年度报告未报送" in revoke.reason and revoke.basis.endswith("第十八条第一款")


def test_classification_scores_the_file_streams_classes_and_keeps_overrides(db, session, make_entity):
    clean, bad = make_entity(), make_entity()
    file_report(session, clean)
    penalty(session, bad, "D-30", serious=True, kinds=("fine", "suspend_licence"))
    actions.sweep_annual_reports(session, actor=SYSTEM, report_year=2025, today=dt.date(2026, 7, 2))
    result = classify.run_in_ranges(db, today=dt.date(2026, 11, 1), chunk=50)
    classes = dict(service.risk_classes(session))
    assert result.entities == len(classes) >= 2
    assert classes[clean.id] == "A" and classes[bad.id] == "D"
    explained = classify.explain(classify.entity_features(session, bad.id, today=dt.date(2026, 11, 1)))
    assert "heavy_penalties" in [code for code, *_ in explained]
    actions.do_override_class(session, actor=LX_STAFF, uscc=bad.uscc, risk_class="C", reason="已整改")
    classify.run_in_ranges(db, today=dt.date(2026, 12, 1))
    assert dict(service.risk_classes(session))[bad.id] == "C"
    assert session.get(RiskClass, bad.id).computed_class == "D"
    assert count(session, AuditEvent, AuditEvent.action == "credit.class_overridden") == 1


def test_rule_3_13_revoked_penalty_revokes_its_serious_listing(session, make_entity):
    entity = make_entity()
    penalty(session, entity, "D-90", serious=True, kinds=("fine", "close_down"))
    entry = session.scalar(select(ListEntry).where(ListEntry.entity_uscc == entity.uscc))
    actions.do_decide_proposal(session, actor=SYSTEM, entry_id=entry.id, approve=True, reason="情节严重",
                               today=dt.date(2026, 3, 2))
    emit(session, "enforcement.penalty_publicity_ended", entity, decision_no="D-90", ended_on="2026-05-06",
         reason="revoked")
    assert (entry.status, entry.removed_on, entry.removal_reason) == ("removed", dt.date(2026, 5, 6),
                                                                       "penalty_revoked")
    assert service.entries_of(session, uscc=entity.uscc, public_only=True) == []


def test_rule_c4_serious_listing_dates_from_the_penalty_decision(session, make_entity):
    entity = make_entity()
    penalty(session, entity, "D-91", decided_on="2026-03-02", serious=True, kinds=("fine", "revoke_licence"))
    entry = session.scalar(select(ListEntry).where(ListEntry.entity_uscc == entity.uscc))
    actions.do_decide_proposal(session, actor=SYSTEM, entry_id=entry.id, approve=True, reason="情节严重",
                               today=dt.date(2026, 3, 20))
    # decided with the penalty (Order 44 Art. 13): listed on 2 Mar, published within 20 wd of it, 3 years from it
    assert (entry.listed_on, entry.publish_due_on, entry.removal_due_on) == (
        dt.date(2026, 3, 2), dt.date(2026, 3, 30), dt.date(2029, 3, 2))


def test_rule_c14_two_registered_letters_15_to_30_days_apart(session, make_entity):
    entity = make_entity()
    with pytest.raises(DomainError) as caught:
        actions.do_list(session, actor=LX_STAFF, uscc=entity.uscc, ground_code="unreachable", evidence="退信",
                        reason="无法联系", today=dt.date(2026, 8, 3),
                        letters=(dt.date(2026, 7, 1), dt.date(2026, 7, 10)))
    assert caught.value.code == "credit.letter_interval" and "第九条第二款" in caught.value.message_zh
    assert count(session, ListEntry, ListEntry.entity_uscc == entity.uscc) == 0
    entry = actions.do_list(session, actor=LX_STAFF, uscc=entity.uscc, ground_code="unreachable", evidence="退信",
                            reason="无法联系", today=dt.date(2026, 8, 3),
                            letters=(dt.date(2026, 7, 1), dt.date(2026, 7, 16)))
    assert "2026-07-01、2026-07-16" in entry.evidence


def test_rule_c1_false_information_of_an_enterprise_is_an_art_18_2_proposal(session, make_entity):
    firm, shop = make_entity(), make_entity(entity_type="individual")
    with pytest.raises(DomainError) as empty:
        actions.do_propose_false_information(session, actor=LX_STAFF, uscc=firm.uscc, evidence=" ", reason="虚报")
    assert empty.value.code == "credit.evidence_required"
    proposal = actions.do_propose_false_information(session, actor=LX_STAFF, uscc=firm.uscc, evidence="核查笔录",
                                                    reason="虚报实缴出资", today=dt.date(2026, 8, 3))
    assert (proposal.kind, proposal.basis, proposal.entry_id) == (
        "false_information", "《企业信息公示暂行条例》（2024年修订）第十八条第二款", None)
    assert "罚款" in proposal.label and "严重违法失信名单" in proposal.label
    with pytest.raises(DomainError) as individual:  # individual businesses are listed under their own measures
        actions.do_propose_false_information(session, actor=LX_STAFF, uscc=shop.uscc, evidence="笔录", reason="虚报")
    assert individual.value.code == "credit.measure_not_for_type"
    with pytest.raises(DomainError) as hidden:
        actions.do_propose_false_information(session, actor=SN_STAFF, uscc=firm.uscc, evidence="笔录", reason="虚报")
    assert hidden.value.status == 404
