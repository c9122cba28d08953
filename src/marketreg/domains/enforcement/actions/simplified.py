"""The simplified procedure (简易程序): an on-the-spot decision (程序规定第六十六条至第七十条)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from marketreg.domains.enforcement import documents, rules, service
from marketreg.domains.enforcement.actions.common import (
    S,
    _audit,
    _check_kinds,
    _check_officers,
    _clean_uscc,
    _new_case,
    _on,
    _publish_decided,
    _refresh_next_due,
    _respondent_keys,
    _stamp,
    _step,
)
from marketreg.domains.enforcement.models import Case
from marketreg.domains.enforcement.schemas import SimplifiedIn
from marketreg.kernel.errors import DomainError
from marketreg.platform.authz import Actor
from marketreg.platform.calendar import load_calendar


def do_simplified_case(session: Session, *, actor: Actor, data: SimplifiedIn) -> Case:
    """Arts. 66–70: an on-the-spot decision within the limits; no publicity (not ordinary procedure)."""
    actor.require("enforcement.handle")
    on = _on(data.on)
    _check_kinds(data.penalty_kinds)
    if not rules.simplified_allowed(party_kind=data.party_kind, penalty_kinds=data.penalty_kinds, fine=data.fine,
                                    on=on):
        raise DomainError("enforcement.simplified_not_allowed",
                          "超出简易程序适用范围（自然人二百元以下、法人或者其他组织三千元以下罚款或者警告）",
                          basis="程序规定第六十六条；行政处罚法第五十一条")
    uscc = _clean_uscc(data.respondent_uscc)
    officers = _check_officers(session, actor, data.officers, _respondent_keys(uscc, data.respondent_name), on)
    case = _new_case(session, actor, org_path=actor.org_path, uscc=uscc, name=data.respondent_name.strip(),
                     party_kind=data.party_kind, violation_type=data.violation_type, facts=data.facts,
                     officers=officers, procedure="simplified", on=on)
    calendar = load_calendar(session)
    case.penalty_kinds, case.fine_amount, case.legal_basis = list(data.penalty_kinds), data.fine, data.legal_basis
    case.decided_on = case.delivered_on = on
    case.decision_no = documents.next_number(session, service.organ_for(session, org_path=case.org_path),
                                             "decision", on.year)
    case.status = S.executing if data.fine > 0 else S.closed
    if data.fine > 0:
        case.payment_due_on = _stamp(case, rules.payment_due(calendar, on))
    else:
        case.closed_on, case.outcome = on, "executed"
    _step(case, action="simplified", label="当场作出行政处罚决定", actor=actor, basis="程序规定第六十六条至第七十条",
          due_on=case.payment_due_on)
    documents.issue(session, case, "decision")
    _refresh_next_due(case)
    _audit(session, actor, "simplified_decided", case, fine=str(data.fine), kinds=data.penalty_kinds)
    _publish_decided(session, case, serious_candidate=False)
    return case
