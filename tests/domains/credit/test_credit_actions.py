"""The credit file, annual reports, lists, objections, repairs and classes — through the domain's
actions and handlers, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from marketreg.domains.credit import actions, classify, service
from marketreg.domains.credit.models import AnnualReport, CreditEvent, ListEntry, RepairApplication, RiskClass
from marketreg.kernel.errors import DomainError
from marketreg.platform.audit import AuditEvent
from marketreg.platform.authz import SYSTEM, Actor
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
    return actions.do_file_annual_report(session, actor=enterprise(entity), report_year=year, public_items=ITEMS,
                                         item7={"headcount": "12", "revenue": "100万"}, item7_public=False, today=on)


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
    assert (entry.rule_version, entry.basis, entry.objection_until, entry.transfer_on) == (
        "samr101-2025", "《企业经营异常名录管理办法》第六条", dt.date(2026, 8, 1), dt.date(2029, 7, 2))
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
    assert (entry.status, entry.removed_on) == ("removed", dt.date(2026, 9, 28))
    titles = [line.name for line in service.timeline(session, uscc=missing.uscc)]
    assert titles[:3] == ["credit.repair_granted", "credit.removed", "credit.annual_report_filed"]


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
    with pytest.raises(DomainError) as late:
        actions.do_object(session, actor=enterprise(entity), entry_id=entry.id, reason="已报送",
                          today=dt.date(2026, 8, 2))
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
    assert (entry.removal_due_on, entry.early_removal_from, entry.legal_rep_bar_until) == (
        dt.date(2029, 3, 2), dt.date(2027, 3, 2), dt.date(2029, 3, 2))
    decl = actions.Declarations(duties_performed=True, harm_removed=True, pledge=True)
    with pytest.raises(DomainError) as early:
        actions.do_apply_repair(session, actor=enterprise(entity), target="serious", ref=str(entry.id), decl=decl,
                                today=dt.date(2027, 3, 1))
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
    line = session.scalar(select(CreditEvent).where(CreditEvent.ref == "D-20",
                                                    CreditEvent.name == "enforcement.penalty_decided"))
    assert line.withdrawn_on == dt.date(2026, 8, 3)
    assert service.penalties_in_publicity(session, uscc=entity.uscc, today=dt.date(2026, 8, 4)) == []


def test_three_years_on_the_abnormal_list_moves_to_serious_with_5_year_basis(session, make_entity):
    entity = make_entity()
    actions.sweep_annual_reports(session, actor=SYSTEM, report_year=2025, today=dt.date(2026, 7, 2))
    result = actions.sweep_list_deadlines(session, actor=SYSTEM, today=dt.date(2029, 7, 2))
    assert result.transferred == 1
    serious = session.scalar(select(ListEntry).where(ListEntry.list_type == "serious",
                                                     ListEntry.entity_uscc == entity.uscc))
    assert (serious.basis_code, serious.removal_due_on) == ("regulation_art17", dt.date(2034, 7, 2))
    assert actions.sweep_list_deadlines(session, actor=SYSTEM, today=dt.date(2029, 7, 3)).transferred == 0


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
