"""Statutory and configured rules of 双随机、一公开 (RULES §4–§5).

Each figure lives here once, with its source; tests are named ``test_rule_<...>``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from marketreg.platform.calendar import DueDate, WorkCalendar

# RULES 5.1 (企业信息公示暂行条例 Art. 6, CONFIRMED): information the regulator produces in its
# duties is published within 20 working days of being produced. RULES 5.2 / C13 (企业公示信息抽查办法
# (2025) Art. 12, CONFIRMED — `Theonefkguy/Chinese-Laws` `部门规章/市场监督管理总局/企业公示信息抽查办法
# (2025-03-18).md`): the check result is recorded within 20 working days of the end of the check.
# Applied to every random-check result via Art. 6 (derived, as RULES 5.2 says).
RESULT_PUBLICATION_WORKDAYS = 20
RESULT_PUBLICATION_BASIS = "企业信息公示暂行条例第六条（抽查结果20个工作日内公示）"

# RULES 5.5 (国市监信〔2019〕38号; 国办发〔2015〕58号, PARTIAL): each batch draws entities at random
# and at least two enforcement officers per entity.
MIN_INSPECTORS_PER_ENTITY = 2
MIN_INSPECTORS_BASIS = "国市监信〔2019〕38号：每个抽查对象随机匹配不少于2名执法检查人员"

# RULES 5.5: the annual plan states scope, number and timing of every batch and is filed with the
# next higher bureau (county → city → province; the province files with SAMR, outside this system).
PLAN_FILING_BASIS = "国市监信〔2019〕38号：明确各批次抽查的范围、数量和时间安排，并报上一级市场监管部门备案"

# Issue 11 item 17 / RULES 5.5: only a plan filed with the next level up may be drawn from; a
# provincial plan is filed with SAMR outside this system (``filed_with`` gives no unit).
PLAN_NOT_FILED_BASIS = PLAN_FILING_BASIS


def plan_ready_to_draw(*, filed_with_path: str | None, filed_at: object) -> bool:
    return filed_with_path is None or filed_at is not None


# Issue 11 item 17: an item's scope limits the directory. Keys shared with the batch scope.
ITEM_SCOPE_KEYS = ("entity_type", "industry", "licence_type")
ITEM_SCOPE_LABELS = {"entity_type": "主体类型", "industry": "行业", "licence_type": "许可证种类"}


def scope_within_items(scope: dict, item_scopes: dict[str, dict]) -> tuple[dict, str | None]:
    """The batch scope narrowed to its items' scopes: a key an item restricts to one value is filled in;
    a value outside an item's list (industry: outside its prefixes) is refused. Returns (scope, error)."""
    scope = dict(scope)
    for code, item_scope in item_scopes.items():
        for key in ITEM_SCOPE_KEYS:
            allowed = [str(v) for v in (item_scope or {}).get(key) or ()]
            if not allowed:
                continue
            value = str(scope.get(key) or "")
            if not value and len(allowed) == 1:
                scope[key] = value = allowed[0]
            inside = any(value.startswith(a) for a in allowed) if key == "industry" else value in allowed
            if not inside:
                return scope, (f"抽查事项{code}的范围限于{ITEM_SCOPE_LABELS[key]}：{'、'.join(allowed)}，"
                               f"请在该范围内确定批次的{ITEM_SCOPE_LABELS[key]}")
    return scope, None


# RULES 5.4 (国办 random-check notice; 程序规定 Art. 4, PARTIAL): an inspector with an interest in
# the inspected party steps aside. Encoded as: declared relations, and (configured practice) not the
# same inspector as the entity's previous check.
AVOIDANCE_BASIS = "检查人员与抽查对象有利害关系的，应当依法回避（程序规定第四条）"

# RULES 4.2 (国市监信发〔2022〕6号, CONFIRMED in substance): A lower, B normal, C higher, D much
# higher ratio and frequency. RULES 4.3: no national numeric ratio — these relative draw weights
# are a configured default (UNCONFIRMED; editable per plan and per batch).
DEFAULT_CLASS_WEIGHTS = {"A": 0.5, "B": 1.0, "C": 2.0, "D": 4.0}
CLASS_WEIGHTS_BASIS = "国市监信发〔2022〕6号：A类降低、B类常规、C类提高、D类大幅提高抽查比例和频次（比例为本地配置）"

# Configured (no national figure): an entity checked for the same item within this many days is
# not drawn again for it; editable per batch.
DEFAULT_EXCLUSION_DAYS = 365


@dataclass(frozen=True, slots=True)
class Figure:
    key: str
    value: object
    basis: str
    confirmed: bool


FIGURES = (
    Figure("result_publication_workdays", RESULT_PUBLICATION_WORKDAYS, RESULT_PUBLICATION_BASIS, True),
    Figure("min_inspectors_per_entity", MIN_INSPECTORS_PER_ENTITY, MIN_INSPECTORS_BASIS, False),
    Figure("class_weights", DEFAULT_CLASS_WEIGHTS, CLASS_WEIGHTS_BASIS, False),
    Figure("exclusion_days", DEFAULT_EXCLUSION_DAYS, "本地配置：同一事项在该期限内不重复抽取", False),
)


def publication_due(calendar: WorkCalendar, inspected_on: dt.date) -> DueDate:
    """RULES 5.1: the last day to publish a result produced on ``inspected_on``."""
    return calendar.add_workdays(inspected_on, RESULT_PUBLICATION_WORKDAYS)


def filed_with(org_path: str) -> str | None:
    """RULES 5.5: the next higher bureau's org path a plan is filed with (None for the province)."""
    parts = [p for p in org_path.split("/") if p]
    return "/" + "/".join(parts[:-1]) + "/" if len(parts) > 1 else None


def class_weights(*overrides: dict | None) -> dict[str, float]:
    """The default weights with the plan's and then the batch's overrides applied."""
    weights = dict(DEFAULT_CLASS_WEIGHTS)
    for override in overrides:
        weights.update({k: float(v) for k, v in (override or {}).items() if k in weights})
    return weights


def inspectors_per_entity(requested: int) -> int:
    """RULES 5.5: never fewer than two inspectors per entity."""
    return max(requested, MIN_INSPECTORS_PER_ENTITY)
