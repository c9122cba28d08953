"""Writes of the credit domain (``do_*``): annual reports, list entries, objections, repairs,
class overrides. Each authorises, checks the rule, writes, audits and publishes; the caller
owns the transaction (a refusal raises before anything is written).

Size: one module of about 600 lines while the listing section's annual-report sweep is reworked
for bulk (set-based) work; it splits by its sections into ``actions/`` as enforcement's did."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketreg.domains.credit import rules, service
from marketreg.domains.credit.enums import (
    ITEM7_FIELDS,
    LIST_LABELS,
    PUBLIC_ITEM_FIELDS,
    RISK_CLASSES,
    EntryStatus,
    ListType,
    ObjectionStatus,
    RepairStatus,
    RepairTarget,
)
from marketreg.domains.credit.models import (
    AnnualReport,
    CreditEvent,
    ListEntry,
    Objection,
    RepairApplication,
    RiskClass,
    RiskClassHistory,
)
from marketreg.domains.registry import service as registry
from marketreg.kernel import clock
from marketreg.kernel.errors import Conflict, DomainError, NotFound
from marketreg.kernel.text import plain_text
from marketreg.platform import audit
from marketreg.platform.authz import (
    SYSTEM,
    Actor,
    ensure_visible,
    get_in_scope,
    not_found,
    require_province,
    scope,
)
from marketreg.platform.calendar import load_calendar
from marketreg.platform.events import publish
from marketreg.platform.notify import notify

SWEEP_CHUNK = 1000


def _entity(session: Session, uscc: str):
    entity = registry.find_respondent(session, uscc=uscc)
    if entity is None:
        raise NotFound("credit.entity_not_found", "市场主体不存在")
    return entity


def _entity_in_scope(session: Session, actor: Actor, uscc: str):
    entity = _entity(session, uscc)
    ensure_visible(actor, entity.org_path, "市场主体")
    return entity


def _publish(session: Session, name: str, entity_uscc: str, org_path: str, payload: dict) -> None:
    publish(session, name=name, subject_type="market_entity", subject_key=entity_uscc, org_path=org_path,
            payload=payload)


def _entry(session: Session, actor: Actor, entry_id: int) -> ListEntry:
    """An entry in the actor's jurisdiction or of the signed-in enterprise, locked until commit."""
    return get_in_scope(session, ListEntry, entry_id, actor=actor, what="名录记录", for_update=True,
                        also=lambda e: actor.kind == "enterprise" and e.entity_uscc == actor.entity_uscc)


def _text(value: str | None, what: str) -> str:
    """Free text as stored: stripped, markup and control characters refused (``kernel.text``)."""
    return plain_text(str(value or ""), field=what, domain="credit") or ""


def _require_text(value: str, code: str, what: str, basis: str) -> str:
    text = _text(value, what)
    if not text:
        raise DomainError(code, f"{what}不能为空（{basis}）")
    return text


# ============================================================================ annual reports


def _clean_items(data: dict, fields: dict[str, str]) -> dict:
    return {k: _text(data.get(k), label)[:500] for k, label in fields.items()}


def do_file_annual_report(session: Session, *, actor: Actor, report_year: int, public_items: dict, item7: dict,
                          item7_public: bool, today: dt.date | None = None) -> AnnualReport:
    """An enterprise files its annual report (RULES 3.1–3.2). Outside the window it is refused,
    unless the entity is on the abnormal list for that very report (a late report cures it, 3.7)."""
    today = today or clock.today()
    entity = _entity(session, actor.entity_uscc or "")
    if session.scalar(select(AnnualReport.id).where(AnnualReport.entity_uscc == entity.uscc,
                                                    AnnualReport.report_year == report_year)):
        raise Conflict("credit.report_exists", f"{report_year}年度报告已报送，如需修改请在6月30日前更正")
    listed = session.scalar(select(ListEntry.id).where(
        ListEntry.source_ref == _annual_ref(report_year, entity.uscc), ListEntry.status == EntryStatus.listed))
    late = rules.check_annual_report_filing(report_year=report_year, filed_on=today,
                                            established_on=entity.established_on,
                                            listed_for_late_report=listed is not None)
    items = _clean_items(public_items, PUBLIC_ITEM_FIELDS)
    _require_text(items["address"], "credit.report_address_required", "企业通信地址", rules.ANNUAL_REPORT_BASIS)
    _require_text(items["operating_status"], "credit.report_status_required", "企业存续状态", rules.ANNUAL_REPORT_BASIS)
    report = AnnualReport(
        entity_uscc=entity.uscc, entity_name=entity.name, entity_type=entity.entity_type, city_code=entity.city_code,
        org_path=entity.org_path, report_year=report_year, filed_on=today, late=late, public_items=items,
        item7=_clean_items(item7, ITEM7_FIELDS), item7_public=item7_public, created_at=clock.now())
    session.add(report)
    session.flush()
    audit.record(session, actor=actor, action="credit.annual_report_filed", subject_type="credit_annual_report",
                 subject_id=report.id, new={"year": report_year, "late": late})
    _publish(session, "credit.annual_report_filed", entity.uscc, entity.org_path,
             {"report_id": report.id, "report_year": report_year, "filed_on": today.isoformat(), "late": late})
    return report


def do_correct_annual_report(session: Session, *, actor: Actor, report_year: int, public_items: dict, item7: dict,
                             item7_public: bool, today: dt.date | None = None) -> AnnualReport:
    today = today or clock.today()
    report = session.scalar(select(AnnualReport).where(AnnualReport.entity_uscc == actor.entity_uscc,
                                                       AnnualReport.report_year == report_year))
    if report is None:
        raise NotFound("credit.report_not_found", f"尚未报送{report_year}年度报告")
    rules.check_correction(report_year=report_year, corrected_on=today)
    old = {"public_items": report.public_items, "item7_public": report.item7_public}
    report.public_items = _clean_items(public_items, PUBLIC_ITEM_FIELDS)
    report.item7, report.item7_public = _clean_items(item7, ITEM7_FIELDS), item7_public
    report.corrections += 1
    report.corrected_on = today
    audit.record(session, actor=actor, action="credit.annual_report_corrected", subject_type="credit_annual_report",
                 subject_id=report.id, old=old, new={"public_items": report.public_items})
    return report


# ============================================================================ listing


def _annual_ref(report_year: int, uscc: str) -> str:
    return f"annual_report:{report_year}:{uscc}"


def _new_entry(entity, *, list_type: str, source_ref: str, ground: rules.Ground, rule_version: str,
               trigger_on: dt.date, status: str, evidence: str = "", reason: str = "") -> ListEntry:
    return ListEntry(
        list_type=list_type, source_ref=source_ref, entity_uscc=entity.uscc, entity_name=entity.name,
        legal_rep_name=entity.legal_rep_name, city_code=entity.city_code, org_path=entity.org_path, status=status,
        ground_code=ground.code, ground_label=ground.label, basis=ground.basis, rule_version=rule_version,
        evidence=evidence, reason=reason, trigger_on=trigger_on, measures=[], created_at=clock.now())


def _activate(session: Session, entry: ListEntry, *, actor: Actor, listed_on: dt.date, batch: bool = False) -> None:
    """Put an entry on its list: statutory dates, joint-punishment measures and notices, event.
    ``batch`` (the sweep): the audit row and the partner notices are written once per chunk."""
    entry.status = EntryStatus.listed
    entry.listed_on = listed_on
    entry.decided_by = actor.username
    if entry.list_type == ListType.abnormal:
        version = rules.abnormal_rules_for(entry.trigger_on)
        entry.objection_until = rules.objection_open_until(listed_on, version)
        entry.warning_from, entry.transfer_on = rules.transfer_dates(listed_on, version)
    else:
        published = rules.serious_publication_due(load_calendar(session), listed_on)
        entry.publish_due_on, entry.provisional = published.due_on, entry.provisional or published.provisional
        entry.calendar_version = published.calendar_version
        entry.removal_due_on, _ = rules.serious_removal_on(listed_on, entry.basis_code or "order44")
        entry.early_removal_from = rules.add_years(listed_on, rules.SERIOUS_FIGURES["early_removal_after"].value)
        entry.legal_rep_bar_until = rules.legal_rep_bar_until(listed_on)
        entry.objection_until = None
    entry.measures = service.joint_measures(entry.list_type)
    session.flush()
    _publish(session, "credit.listed", entry.entity_uscc, entry.org_path, {
        "list": entry.list_type, "entry_id": entry.id, "ground_code": entry.ground_code,
        "ground_label": entry.ground_label, "listed_on": listed_on.isoformat(), "basis": entry.basis})
    if batch:
        return
    for measure in entry.measures:
        notify(session, channel="staff", recipient=measure["department"], subject_type="credit_list_entry",
               subject_id=entry.id,
               text=f"{entry.entity_name}（{entry.entity_uscc}）已列入{LIST_LABELS[entry.list_type]}"
               f"（{entry.ground_label}），请依法实施：{measure['measure']}")
    audit.record(session, actor=actor, action="credit.listed", subject_type="credit_list_entry", subject_id=entry.id,
                 new={"list": entry.list_type, "ground": entry.ground_code, "listed_on": listed_on})


def _batch_notices(session: Session, entries: list[ListEntry], *, actor: Actor, report_year: int) -> None:
    """One audit row and one notice per partner department for a chunk of sweep listings."""
    if not entries:
        return
    ids = [e.id for e in entries]
    audit.record(session, actor=actor, action="credit.listed", subject_type="credit_list_entry",
                 subject_id=f"{ids[0]}-{ids[-1]}", new={"list": "abnormal", "ground": "annual_report_late",
                                                        "report_year": report_year, "entries": ids})
    for measure in entries[0].measures:
        notify(session, channel="staff", recipient=measure["department"], subject_type="credit_list_entry",
               subject_id=f"{ids[0]}-{ids[-1]}"[:40],
               text=f"{len(ids)}户企业因未按期公示{report_year}年度报告列入经营异常名录（名单见信用公示），"
                    f"请依法实施：{measure['measure']}")


@dataclass(frozen=True, slots=True)
class SweepResult:
    report_year: int
    listed: int
    already: int
    listing_due_on: dt.date | None
    remaining: int = 0  # still to list (only with ``limit``)


def check_sweep(actor: Actor, report_year: int, today: dt.date) -> None:
    """Refuse a sweep before the year's filing window has closed (RULES 3.6), for a year before the
    abnormal-list rules (SAIC Order 68, 2014-10-01) applied to a missed report, or by staff without
    a jurisdiction to list in."""
    if actor.kind != "system":
        actor.require("credit.list")
    _, closes = rules.report_window(report_year)
    trigger = closes + dt.timedelta(days=1)
    first = rules.ABNORMAL_VERSIONS[0]
    if trigger < first.effective_from:
        raise DomainError("credit.sweep_year_invalid",
                          f"{report_year}年度不适用年度报告列入经营异常名录的规定（{first.title}自"
                          f"{first.effective_from.isoformat()}起施行）", report_year=report_year)
    if today <= closes:
        raise DomainError("credit.sweep_too_early",
                          f"{report_year}年度报告公示期至{closes.isoformat()}结束，期满后方可列入经营异常名录"
                          f"（{rules.abnormal_rules_for(trigger).figures['listing_after_report_period'].basis}）")


def sweep_annual_reports(session: Session, *, actor: Actor, report_year: int, today: dt.date | None = None,
                         limit: int | None = None) -> SweepResult:
    """List every reporting entity in the actor's jurisdiction without the report for ``report_year``
    (RULES 3.5(1), 3.6), or the first ``limit`` of them (the staff job commits chunk by chunk and reports
    progress in between); audited as the actor. Idempotent: one entry per entity and year
    (``source_ref``); refuses to run before 30 June has passed (:func:`check_sweep`)."""
    today = today or clock.today()
    check_sweep(actor, report_year, today)
    _, closes = rules.report_window(report_year)
    trigger = closes + dt.timedelta(days=1)
    version = rules.abnormal_rules_for(trigger)
    ground = version.ground("annual_report_late")
    listing_due = rules.annual_listing_due(load_calendar(session), report_year)
    missing = _missing_reporters(session, actor, report_year)
    remaining = len(missing)
    missing = missing[:limit] if limit else missing
    total, listed = len(missing), 0
    for start in range(0, total, SWEEP_CHUNK):
        chunk = []
        for entity in missing[start:start + SWEEP_CHUNK]:
            entry = _new_entry(entity, list_type=ListType.abnormal, source_ref=_annual_ref(report_year, entity.uscc),
                               ground=ground, rule_version=version.version, trigger_on=trigger,
                               status=EntryStatus.proposed,
                               reason=f"未在{closes.isoformat()}前报送{report_year}年度报告")
            entry.listing_due_on, entry.provisional = listing_due.due_on, listing_due.provisional
            entry.calendar_version = listing_due.calendar_version
            session.add(entry)
            session.flush()
            _activate(session, entry, actor=actor, listed_on=today, batch=True)
            chunk.append(entry)
            listed += 1
        _batch_notices(session, chunk, actor=actor, report_year=report_year)
    already = session.scalar(scope(select(func.count(ListEntry.id)).where(
        ListEntry.source_ref.like(f"annual_report:{report_year}:%")), ListEntry.org_path, actor)) or 0
    return SweepResult(report_year, listed, already - listed, listing_due.due_on, remaining - listed)


def _missing_reporters(session: Session, actor: Actor, report_year: int) -> list:
    """Active reporting entities of the actor's jurisdiction set up by the end of ``report_year`` with
    neither the report nor an entry for it (set-based, so a re-run finds nothing new)."""
    return service.missing_reporters(
        session, actor=actor, types=rules.REPORTING_TYPES, established_by=dt.date(report_year, 12, 31),
        filed=select(AnnualReport.entity_uscc).where(AnnualReport.report_year == report_year),
        listed=select(ListEntry.entity_uscc).where(ListEntry.source_ref.like(f"annual_report:{report_year}:%")))


def do_list(session: Session, *, actor: Actor, uscc: str, ground_code: str, evidence: str, reason: str,
            today: dt.date | None = None) -> ListEntry:
    """Staff list an entity on the abnormal list for a ground other than the automatic one; evidence
    and reason are required (RULES 3.6: listed after verification)."""
    today = today or clock.today()
    entity = _entity_in_scope(session, actor, uscc)
    version = rules.abnormal_rules_for(today)
    ground = version.ground(ground_code)
    if ground.code == "annual_report_late":
        raise DomainError("credit.ground_automatic", "未按期公示年度报告的，由系统在公示期满后自动列入")
    evidence = _require_text(evidence, "credit.evidence_required", "列入证据", ground.basis)
    reason = _require_text(reason, "credit.reason_required", "列入理由", ground.basis)
    if _current(session, entity.uscc, ListType.abnormal, ground.code):
        raise Conflict("credit.already_listed", "该主体已因同一事由列入经营异常名录")
    entry = _new_entry(entity, list_type=ListType.abnormal, source_ref=f"staff:{entity.uscc}:{ground.code}:{today}",
                       ground=ground, rule_version=version.version, trigger_on=today, status=EntryStatus.proposed,
                       evidence=evidence, reason=reason)
    session.add(entry)
    session.flush()
    _activate(session, entry, actor=actor, listed_on=today)
    return entry


def _current(session: Session, uscc: str, list_type: str, ground_code: str | None = None) -> ListEntry | None:
    stmt = select(ListEntry).where(ListEntry.entity_uscc == uscc, ListEntry.list_type == list_type,
                                   ListEntry.status == EntryStatus.listed)
    if ground_code:
        stmt = stmt.where(ListEntry.ground_code == ground_code)
    return session.scalars(stmt.limit(1)).first()


def propose_unreachable(session: Session, *, uscc: str, task_no: str, inspected_on: dt.date, org_path: str) -> None:
    """An inspection found the entity unreachable at its registered address: a proposal for staff."""
    entity = registry.find_respondent(session, uscc=uscc)
    ref = f"inspection:{task_no}"
    if entity is None or session.scalar(select(ListEntry.id).where(ListEntry.source_ref == ref)):
        return
    version = rules.abnormal_rules_for(inspected_on)
    entry = _new_entry(entity, list_type=ListType.abnormal, source_ref=ref, ground=version.ground("unreachable"),
                       rule_version=version.version, trigger_on=inspected_on, status=EntryStatus.proposed,
                       evidence=f"双随机抽查任务 {task_no}：通过登记的住所或者经营场所无法联系")
    due = rules.due(load_calendar(session), inspected_on, version.figures["listing_after_verification"])
    entry.listing_due_on, entry.provisional, entry.calendar_version = due.due_on, due.provisional, due.calendar_version
    session.add(entry)


def propose_serious(session: Session, *, uscc: str, payload: dict) -> None:
    """A heavier penalty whose decision flags the serious-list criteria (RULES 3.11–3.13): a proposal
    decided with the penalty decision by staff (category, Art. 12 seriousness, Art. 22 consent)."""
    if not rules.is_heavier_penalty(payload.get("penalty_kinds") or [], bool(payload.get("serious_candidate"))):
        return
    ref = f"penalty:{payload['decision_no']}"
    entity = registry.find_respondent(session, uscc=uscc)
    if entity is None or session.scalar(select(ListEntry.id).where(ListEntry.source_ref == ref)):
        return
    suggested = rules.suggest_serious_category(payload.get("violation_type", ""), payload.get("violation_label", ""))
    ground = rules.serious_category(suggested or "other_market_order")
    entry = _new_entry(entity, list_type=ListType.serious, source_ref=ref, ground=ground, rule_version="samr44-2021",
                       trigger_on=dt.date.fromisoformat(payload["decided_on"]), status=EntryStatus.proposed,
                       evidence=f"行政处罚决定书 {payload['decision_no']}：{payload.get('violation_label', '')}；"
                                f"{payload.get('legal_basis', '')}")
    entry.basis_code, entry.penalty_ref = "order44", payload["decision_no"]
    session.add(entry)


def do_decide_proposal(session: Session, *, actor: Actor, entry_id: int, approve: bool, reason: str,
                       category: str = "", consent_ref: str = "", today: dt.date | None = None) -> ListEntry:
    """Staff decide a proposed listing (from an inspection or a penalty decision)."""
    today = today or clock.today()
    entry = _entry(session, actor, entry_id)
    if entry.status != EntryStatus.proposed:
        raise Conflict("credit.not_proposed", "该记录不是待决定的列入建议")
    reason = _require_text(reason, "credit.reason_required", "决定理由", entry.basis)
    entry.reason = reason
    if not approve:
        entry.status, entry.decided_by = EntryStatus.rejected, actor.username
        audit.record(session, actor=actor, action="credit.proposal_rejected", subject_type="credit_list_entry",
                     subject_id=entry.id, new={"reason": reason})
        return entry
    if entry.list_type == ListType.serious:
        if category:
            ground = rules.serious_category(category)
            entry.ground_code, entry.ground_label, entry.basis = ground.code, ground.label, ground.basis
        if rules.HIGHER_CONSENT_REQUIRED and actor.org_path.count("/") > 2 and not consent_ref.strip():
            raise DomainError("credit.higher_consent_required",
                              f"县级、设区的市级市场监督管理部门列入严重违法失信名单，应当报经上一级部门同意（{rules.HIGHER_CONSENT_BASIS}）")
        entry.higher_consent = bool(consent_ref.strip())
        entry.evidence = (entry.evidence + (f"；上级同意文号：{consent_ref.strip()}" if consent_ref.strip() else ""))
    _activate(session, entry, actor=actor, listed_on=today)
    return entry


def _remove(session: Session, entry: ListEntry, *, actor: Actor, on: dt.date, reason: str,
            status: str = EntryStatus.removed) -> None:
    entry.status, entry.removed_on, entry.removal_reason = status, on, reason
    audit.record(session, actor=actor, action="credit.removed", subject_type="credit_list_entry", subject_id=entry.id,
                 new={"reason": reason, "removed_on": on})
    _publish(session, "credit.removed", entry.entity_uscc, entry.org_path, {
        "list": entry.list_type, "entry_id": entry.id, "removed_on": on.isoformat(), "reason": reason})


def revoke_for_penalty(session: Session, *, decision_no: str, on: dt.date) -> int:
    """RULES 3.13 (Order 44 Art. 19): a serious listing whose penalty is revoked or found unlawful or
    void is revoked, and its publication stops (the removal is published at once)."""
    revoked = 0
    for entry in session.scalars(select(ListEntry).where(ListEntry.penalty_ref == decision_no,
                                                         ListEntry.status.in_([EntryStatus.listed,
                                                                               EntryStatus.proposed]))).all():
        if entry.status == EntryStatus.proposed:
            entry.status, entry.reason = EntryStatus.rejected, "处罚决定已撤销"
            continue
        _remove(session, entry, actor=SYSTEM, on=on, reason="penalty_revoked")
        revoked += 1
    return revoked


# ============================================================================ objections (3.8)


def do_object(session: Session, *, actor: Actor, entry_id: int, reason: str, today: dt.date | None = None) -> Objection:
    today = today or clock.today()
    entry = _entry(session, actor, entry_id)
    if entry.entity_uscc != actor.entity_uscc:  # the enterprise's own objection, never staff's
        raise not_found("名录记录")
    if entry.list_type != ListType.abnormal or entry.status != EntryStatus.listed:
        raise Conflict("credit.objection_not_open", "只能对在列的经营异常名录记录提出异议")
    version = rules.abnormal_rules_for(entry.trigger_on)
    rules.check_objection_in_time(listed_on=entry.listed_on, filed_on=today, rules=version)
    reason = _require_text(reason, "credit.objection_reason_required", "异议理由",
                           version.figures["objection_period"].basis)
    if session.scalar(select(Objection.id).where(Objection.entry_id == entry.id,
                                                 Objection.status == ObjectionStatus.accepted)):
        raise Conflict("credit.objection_pending", "已有正在核实的异议")
    calendar = load_calendar(session)
    accept = rules.due(calendar, today, version.figures["objection_accept"])
    objection = Objection(entry_id=entry.id, filed_on=today, reason=reason[:2000], accept_due_on=accept.due_on,
                          verify_due_on=rules.due(calendar, accept.due_on, version.figures["objection_verify"]).due_on,
                          status=ObjectionStatus.accepted)
    session.add(objection)
    session.flush()
    audit.record(session, actor=actor, action="credit.objection_filed", subject_type="credit_objection",
                 subject_id=objection.id, new={"entry_id": entry.id})
    return objection


def do_decide_objection(session: Session, *, actor: Actor, objection_id: int, upheld: bool, note: str,
                        today: dt.date | None = None) -> Objection:
    today = today or clock.today()
    objection = get_in_scope(session, Objection, objection_id, actor=actor, what="异议", for_update=True,
                             org_path=lambda o: session.get(ListEntry, o.entry_id).org_path)
    entry = _entry(session, actor, objection.entry_id)
    if objection.status != ObjectionStatus.accepted:
        raise Conflict("credit.objection_decided", "该异议已处理")
    objection.note = _require_text(note, "credit.note_required", "核实意见", "")
    objection.status = ObjectionStatus.upheld if upheld else ObjectionStatus.rejected
    objection.decided_on = today
    audit.record(session, actor=actor, action="credit.objection_decided", subject_type="credit_objection",
                 subject_id=objection.id, new={"upheld": upheld})
    if upheld and entry.status == EntryStatus.listed:
        _remove(session, entry, actor=actor, on=today, reason="objection_upheld")
    return objection


# ============================================================================ credit repair (3.13–3.16)


@dataclass(frozen=True, slots=True)
class Declarations:
    duties_performed: bool = False
    harm_removed: bool = False
    pledge: bool = False
    statement: str = ""


def repair_facts(session: Session, *, uscc: str, target: str, ref: str, decl: Declarations,
                 today: dt.date) -> rules.RepairFacts:
    """Gather from the credit file what RULES 3.13/3.15 ask, for the automatic condition check."""
    base = {"target": target, "today": today, "duties_performed": decl.duties_performed,
            "harm_removed": decl.harm_removed, "pledge": decl.pledge}
    if target in (RepairTarget.abnormal, RepairTarget.serious):
        entry = session.scalar(select(ListEntry).where(ListEntry.id == _int_ref(ref), ListEntry.entity_uscc == uscc,
                                                       ListEntry.list_type == target))
        if entry is None or entry.status != EntryStatus.listed:
            raise NotFound("credit.repair_target_not_found", "未找到在列的名录记录")
        if target == RepairTarget.abnormal:
            return rules.RepairFacts(**base, cured=_cured(session, entry))
        later = _penalties_since(session, uscc, entry.listed_on)
        return rules.RepairFacts(**base, listed_on=entry.listed_on, new_heavier_penalty_since_listing=any(
            rules.is_heavier_penalty(p.payload.get("penalty_kinds") or [], bool(p.payload.get("serious_candidate")))
            for p in later if p.ref != entry.penalty_ref))
    penalty = session.scalar(select(CreditEvent).where(CreditEvent.entity_uscc == uscc, CreditEvent.ref == ref,
                                                       CreditEvent.name == "enforcement.penalty_decided"))
    if penalty is None:
        raise NotFound("credit.repair_target_not_found", "未找到该行政处罚决定")
    p = penalty.payload
    published = _published_on(penalty) if penalty.public and penalty.withdrawn_on is None and (
        penalty.public_until is None or penalty.public_until >= today) else None
    repeat = any(o.payload.get("violation_type") == p.get("violation_type") and o.ref != ref
                 for o in _penalties_since(session, uscc, penalty.occurred_on))
    return rules.RepairFacts(
        **base, published_on=published, field=f"{p.get('violation_type', '')} {p.get('violation_label', '')}",
        penalty_kinds=tuple(p.get("penalty_kinds") or ()), publicity_period=p.get("publicity_period"),
        repeat_violation=repeat, on_abnormal_list=_current(session, uscc, ListType.abnormal) is not None,
        on_serious_list=_current(session, uscc, ListType.serious) is not None)


def _int_ref(ref: str) -> int:
    try:
        return int(ref)
    except ValueError:
        raise NotFound("credit.repair_target_not_found", "未找到在列的名录记录") from None


def _published_on(penalty: CreditEvent) -> dt.date:
    """RULES 3.15: the repair waiting time runs from publication (the decision date for lines
    recorded before enforcement reported its publication date)."""
    published = (penalty.payload or {}).get("published_on")
    return dt.date.fromisoformat(published) if published else penalty.occurred_on


def _penalties_since(session: Session, uscc: str, since: dt.date | None) -> list[CreditEvent]:
    return list(session.scalars(select(CreditEvent).where(
        CreditEvent.entity_uscc == uscc, CreditEvent.name == "enforcement.penalty_decided",
        CreditEvent.occurred_on > (since or dt.date.min))))


def _cured(session: Session, entry: ListEntry) -> bool:
    """RULES 3.7: the cure that ends each ground. A late annual report is checked in the file; the
    other grounds' cures are verified by staff when deciding (the application states them)."""
    if entry.ground_code == "annual_report_late":
        year = int(entry.source_ref.split(":")[1]) if entry.source_ref.startswith("annual_report:") else None
        return year is not None and session.scalar(select(AnnualReport.id).where(
            AnnualReport.entity_uscc == entry.entity_uscc, AnnualReport.report_year == year)) is not None
    return True


def do_apply_repair(session: Session, *, actor: Actor, target: str, ref: str, decl: Declarations,
                    today: dt.date | None = None) -> RepairApplication:
    """An enterprise applies for credit repair; the conditions are checked at once and an unmet one
    refuses the application with its article (nothing is stored)."""
    today = today or clock.today()
    if target not in {t.value for t in RepairTarget}:
        raise DomainError("credit.repair_target_invalid",
                          "请选择修复事项：经营异常名录、行政处罚信息或严重违法失信名单")
    uscc = actor.entity_uscc or ""
    facts = repair_facts(session, uscc=uscc, target=target, ref=ref, decl=decl, today=today)
    unmet = rules.repair_unmet(facts)
    if unmet is not None:
        raise DomainError(unmet.code, f"不符合信用修复条件：{unmet.label}（{unmet.basis}）", basis=unmet.basis)
    if session.scalar(select(RepairApplication.id).where(RepairApplication.entity_uscc == uscc,
                                                         RepairApplication.target == target,
                                                         RepairApplication.ref == ref,
                                                         RepairApplication.status == RepairStatus.accepted)):
        raise Conflict("credit.repair_pending", "该事项已有正在审核的修复申请")
    entity = _entity(session, uscc)
    accept, decide = rules.repair_clocks(load_calendar(session), target, today)
    application = RepairApplication(
        entity_uscc=uscc, org_path=entity.org_path, target=target, ref=ref, filed_on=today,
        statement=_text(decl.statement, "信用修复承诺和说明")[:2000], status=RepairStatus.accepted,
        accept_due_on=accept.due_on if accept else None,
        decide_due_on=decide.due_on if decide else None, created_at=clock.now())
    session.add(application)
    session.flush()
    if target == RepairTarget.abnormal:
        entry = _entry(session, actor, int(ref))
        entry.cure_applied_on, entry.cure_decision_due_on = today, application.decide_due_on
    audit.record(session, actor=actor, action="credit.repair_applied", subject_type="credit_repair",
                 subject_id=application.id, new={"target": target, "ref": ref})
    return application


def do_decide_repair(session: Session, *, actor: Actor, repair_id: int, grant: bool, note: str,
                     today: dt.date | None = None) -> RepairApplication:
    """Staff decide; a grant ends the listing or the penalty publicity and is published
    (``credit.repair_granted``) so that publicity stops everywhere."""
    today = today or clock.today()
    application = get_in_scope(session, RepairApplication, repair_id, actor=actor, what="修复申请",
                               for_update=True)
    if application.status != RepairStatus.accepted:
        raise Conflict("credit.repair_decided", "该申请已处理")
    application.decision_note = _require_text(note, "credit.note_required", "审核意见", "")
    application.status = RepairStatus.granted if grant else RepairStatus.rejected
    application.decided_on, application.decided_by = today, actor.username
    audit.record(session, actor=actor, action="credit.repair_decided", subject_type="credit_repair",
                 subject_id=application.id, new={"granted": grant})
    if not grant:
        return application
    if application.target in (RepairTarget.abnormal, RepairTarget.serious):
        entry = _entry(session, actor, int(application.ref))
        if entry.status == EntryStatus.listed:
            _remove(session, entry, actor=actor, on=today, reason="repaired")
    _publish(session, "credit.repair_granted", application.entity_uscc, application.org_path, {
        "target": application.target, "ref": application.ref, "granted_on": today.isoformat()})
    return application


# ============================================================================ list clocks (3.9, 3.13)


@dataclass(frozen=True, slots=True)
class ListSweep:
    transferred: int
    expired: int


def sweep_list_deadlines(session: Session, *, actor: Actor, today: dt.date | None = None) -> ListSweep:
    """Abnormal entries listed for 3 years move to the serious list (RULES 3.9, basis 条例 Art. 17(2),
    so they leave after 5 years — 3.10); serious entries past their removal date leave the list.
    Idempotent over stored dates, so a missed run catches up."""
    today = today or clock.today()
    transferred = 0
    for entry in session.scalars(select(ListEntry).where(
            ListEntry.list_type == ListType.abnormal, ListEntry.status == EntryStatus.listed,
            ListEntry.transfer_on <= today).order_by(ListEntry.id)).all():
        entity = _entity(session, entry.entity_uscc)
        ground = rules.serious_category("abnormal_3_years")
        serious = _new_entry(entity, list_type=ListType.serious, source_ref=f"transfer:{entry.id}", ground=ground,
                             rule_version="regulation-2024", trigger_on=entry.transfer_on, status=EntryStatus.proposed,
                             evidence=f"经营异常名录记录 {entry.id}（{entry.ground_label}）列入满三年仍未履行义务")
        serious.basis_code = "regulation_art17"
        session.add(serious)
        session.flush()
        _activate(session, serious, actor=actor, listed_on=today)
        _remove(session, entry, actor=actor, on=today, reason="transferred", status=EntryStatus.transferred)
        transferred += 1
    expired = 0
    for entry in session.scalars(select(ListEntry).where(
            ListEntry.list_type == ListType.serious, ListEntry.status == EntryStatus.listed,
            ListEntry.removal_due_on <= today).order_by(ListEntry.id)).all():
        _remove(session, entry, actor=actor, on=today, reason="expired")
        expired += 1
    return ListSweep(transferred, expired)


# ============================================================================ risk class override


def do_request_classification(session: Session, *, actor: Actor) -> None:
    """Start the on-demand classification: one province-wide model run, so the province's alone
    (a county's run would rewrite every city's classes); audited as the person who asked."""
    actor.require("credit.classify")
    require_province(actor, "全省信用风险分类")
    audit.record(session, actor=actor, action="credit.classification_requested", subject_type="credit_run",
                 subject_id="on_demand")


def do_override_class(session: Session, *, actor: Actor, uscc: str, risk_class: str, reason: str) -> RiskClass:
    entity = _entity_in_scope(session, actor, uscc)
    if risk_class not in RISK_CLASSES and risk_class != "":
        raise DomainError("credit.class_invalid", "风险类别只能是A、B、C、D")
    row = session.get(RiskClass, entity.id)
    if row is None:
        raise Conflict("credit.not_classified", "该主体尚未完成信用风险分类，请先运行分类")
    reason = _require_text(reason, "credit.reason_required", "调整理由", "")
    old = {"override": row.override_class, "computed": row.computed_class}
    row.override_class = risk_class or None
    row.override_reason, row.override_by = (reason, actor.username) if risk_class else (None, None)
    session.add(RiskClassHistory(entity_id=entity.id, run_id=row.run_id, risk_class=risk_class or row.computed_class,
                                 score=row.score, changed_on=clock.today(),
                                 note=(f"人工调整：{reason}" if risk_class else f"撤销人工调整：{reason}")[:200]))
    audit.record(session, actor=actor, action="credit.class_overridden", subject_type="market_entity",
                 subject_id=entity.uscc, old=old, new={"override": risk_class or None, "reason": reason})
    return row

