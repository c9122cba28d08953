"""Demo data: the item list, inspectors from the demo staff, and drawn, partly executed batches
whose results follow hidden "true violation" flags, so that the targeting report has data.

The hidden flag is derived, never stored: ``sha256(USCC + demo seed)`` read as a uniform number,
below a class-dependent probability (higher for riskier classes).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from marketreg.domains.inspections import actions, service
from marketreg.domains.inspections.enums import TaskStatus
from marketreg.domains.inspections.models import Batch
from marketreg.domains.org import service as org
from marketreg.kernel import clock
from marketreg.platform.authz import SYSTEM
from marketreg.platform.db import Sessions

# (code, department, name, basis)
ITEMS = [
    ("XY-001", "信用监督管理", "企业公示信息的检查", "企业信息公示暂行条例第十四条"),
    ("XY-002", "信用监督管理", "个体工商户年度报告公示信息的检查", "个体工商户条例"),
    ("DJ-001", "登记注册", "企业登记事项的检查", "市场主体登记管理条例"),
    ("SP-001", "食品经营安全监督管理", "食品经营者的检查", "食品安全法第一百一十条"),
    ("CP-001", "产品质量安全监督管理", "工业产品生产许可证获证企业的检查", "工业产品生产许可证管理条例"),
    ("JG-001", "价格监督检查和反不正当竞争", "价格行为的检查", "价格法第三十四条"),
    ("GG-001", "广告监督管理", "广告发布行为的检查", "广告法第四十九条"),
    ("TZ-001", "特种设备安全监察", "特种设备使用单位的检查", "特种设备安全法第五十七条"),
]
# Demo staff who also serve as enforcement officers: (username, certificate no., department).
DEMO_INSPECTORS = [
    ("lx_inspector", "37010201001", "信用监督管理"),
    ("lx_registrar", "37010201002", "信用监督管理"),
    ("lx_handler", "37010201003", "食品经营安全监督管理"),
    ("jn_registrar", "37010001001", "信用监督管理"),
    ("jn_supervisor", "37010001002", "食品经营安全监督管理"),
    ("sn_registrar", "37020201001", "信用监督管理"),
    ("sn_handler", "37020201002", "食品经营安全监督管理"),
]
VIOLATION_PROBABILITY = {"A": 0.02, "B": 0.08, "C": 0.25, "D": 0.45}


def hidden_violation(uscc: str, risk_class: str, *, seed: int) -> bool:
    """The demo's ground truth for an entity: deterministic, class-dependent, never stored."""
    u = int.from_bytes(hashlib.sha256(f"{uscc}:{seed}".encode()).digest()[:8], "big") / 2**64
    return u < VIOLATION_PROBABILITY.get(risk_class, VIOLATION_PROBABILITY["B"])


# Issue 11 item 17: items whose scope is narrower than every registered entity
ITEM_SCOPES = {"XY-002": {"entity_type": ["individual"]}, "SP-001": {"industry": ["F", "H"]}}


def load_items(session: Session) -> int:
    for code, department, name, basis in ITEMS:
        actions.do_upsert_item(session, actor=SYSTEM, code=code, department=department, name=name, basis=basis,
                               scope=ITEM_SCOPES.get(code))
    return len(ITEMS)


def register_inspectors(session: Session) -> int:
    made = 0
    for username, code, department in DEMO_INSPECTORS:
        if org.get_user_by_username(session, username=username) is not None:
            quals = [c for c, d, _, _ in ITEMS if d == department] + ["XY-001"]
            actions.do_register_inspector(session, actor=SYSTEM, username=username, code=code,
                                          department=department, qualifications=sorted(set(quals)))
            made += 1
    return made


@dataclass(frozen=True, slots=True)
class DemoBatch:
    username: str
    title: str
    items: list[str]
    size: int
    record_share: float
    scope: dict = field(default_factory=dict)  # inside each item's scope (SP-001: food business, 门类 F/H)


DEMO_BATCHES = [
    DemoBatch("lx_registrar", "历下区企业公示信息定向抽查", ["XY-001"], 12, 0.75),
    DemoBatch("jn_registrar", "济南市企业公示信息和食品经营联合抽查", ["XY-001", "SP-001"], 60, 0.9, {"industry": "F"}),
]


def seed_inspections(sessions: Sessions, *, seed: int = 2026) -> list[str]:
    """Items, inspectors, and the demo batches drawn and partly executed; idempotent."""
    with sessions.transaction() as session:
        load_items(session)
        register_inspectors(session)
    made = []
    for spec in DEMO_BATCHES:
        with sessions.transaction() as session:
            batch = demo_batch(session, spec, seed=seed)
            if batch is not None:
                made.append(batch.batch_no)
    return made


def demo_batch(session: Session, spec: DemoBatch, *, seed: int, execute: bool = True) -> Batch | None:
    """A batch of ``spec`` (plan filed, drawn, seed published, partly executed); None if it exists
    already or the directory is empty."""
    user = org.get_user_by_username(session, username=spec.username)
    if user is None:
        return None
    actor = org.actor_for(session, user=user)
    today = clock.today()
    plans = [p for p in service.list_plans(session, actor=actor) if p.org_path == actor.org_path]
    if any(b.title == spec.title for p in plans for b in p.batches):
        return None
    plan = plans[0] if plans else actions.do_create_plan(session, actor=actor, year=today.year,
                                                        title=f"{today.year}年度双随机抽查计划")
    batch = actions.do_create_batch(session, actor=actor, plan_id=plan.id, data=actions.BatchIn(
        title=spec.title, item_codes=spec.items, size=spec.size, starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=60), scope=dict(spec.scope), exclusion_days=0))
    size = min(spec.size, service.count_eligible(session, batch=batch))
    if size < 1:
        return None
    batch.size = size
    if plan.filed_at is None:
        actions.do_file_plan(session, actor=actor, plan_id=plan.id)
    actions.do_commit_batch(session, actor=actor, batch_id=batch.id)
    actions.do_draw_batch(session, actor=actor, batch_id=batch.id)
    actions.do_publish_seed(session, actor=actor, batch_id=batch.id)
    if execute:
        _execute(session, batch_id=batch.id, share=spec.record_share, seed=seed, starts_on=batch.starts_on)
    return batch


def _execute(session: Session, *, batch_id: int, share: float, seed: int, starts_on: dt.date) -> None:
    """Record results for a share of the tasks (by one of their inspectors), following the hidden
    flags; publish every other recorded result."""
    tasks = service.tasks_of(session, batch_id=batch_id)
    recorded = []
    for n, task in enumerate(tasks[: int(len(tasks) * share)]):
        inspector = service.get_inspector(session, actor=SYSTEM, inspector_id=task.inspectors[0].inspector_id)
        actor = org.actor_for(session, user=org.get_user(session, user_id=inspector.user_id))
        found = hidden_violation(task.entity_uscc, task.risk_class, seed=seed)
        code = ("corrected" if n % 2 else "pending_follow_up") if found else ("unreachable" if n % 17 == 5
                                                                             else "no_problem")
        inspected_on = min(starts_on + dt.timedelta(days=1 + n % 20), clock.today())
        results = {item: (code if i == 0 else "no_problem", "演示数据") for i, item in enumerate(task.batch.item_codes)}
        actions.do_record_result(session, actor=actor, task_id=task.id, inspected_on=inspected_on, results=results)
        recorded.append(task)
    to_publish = [t.id for n, t in enumerate(recorded) if n % 2 == 0 and t.status == TaskStatus.recorded]
    if to_publish:
        actions.do_publish_results(session, actor=SYSTEM, task_ids=to_publish)
