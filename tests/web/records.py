"""Records the workbench, menu and label tests build on demand: a complaint, a drawn inspection
batch and an enforcement case in 历下区 (370102), through the real actions."""

from __future__ import annotations


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
