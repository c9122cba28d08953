"""Domain events through the outbox: handlers run after the publisher's commit, each in its own
transaction, in order per subject, once; a failing handler never undoes the publisher's work,
shows in the job monitor with its error, and a retry later succeeds."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from conftest import login
from marketreg.domains.complaints.models import Item
from marketreg.domains.credit import handlers as credit_handlers
from marketreg.domains.credit.models import CreditEvent
from marketreg.kernel.codes import make_uscc
from marketreg.platform import events
from marketreg.platform.events import EventDelivery, EventPayload

pytestmark = pytest.mark.both_backends

SHOP_USCC = make_uscc("9", "1", "370102", "24681357")
seen: list[tuple[str, int]] = []
broken: set[str] = set()


class Probe(EventPayload):
    name = "test.probe"
    n: int


@events.subscribe(Probe)
def probe_handler(session, event) -> None:
    if event.subject_key in broken:
        raise RuntimeError(f"探针故障 {event.payload['n']}")
    seen.append((event.subject_key, event.payload["n"]))


@pytest.fixture(autouse=True)
def _reset():
    seen.clear()
    broken.clear()


def _publish(db, subject: str, n: int) -> int:
    with db.transaction() as session:
        event = events.publish(session, Probe(n=n), subject_type="thing", subject_key=subject, org_path="/370000/")
        assert seen == [] or seen[-1] != (subject, n)  # nothing runs inside the publisher's transaction
        return event.id


def _statuses(db) -> dict[tuple[str, int], str]:
    with db.read() as s:
        rows = s.execute(select(EventDelivery.subject_key, EventDelivery.status, EventDelivery.event_id)
                         .where(EventDelivery.handler == events.handler_key(probe_handler))
                         .order_by(EventDelivery.event_id))
        return {(key, event_id): status for key, status, event_id in rows}


def test_handler_runs_after_the_commit_once(db):
    event_id = _publish(db, "A", 1)
    assert seen == [("A", 1)]
    assert _statuses(db) == {("A", event_id): "done"}
    with db.transaction() as session:  # a second dispatch finds nothing to do: handled once
        assert events.drain(session).done == 0
    assert seen == [("A", 1)]


def test_payload_is_typed_and_refuses_unknown_fields(db):
    with pytest.raises(ValueError, match="extra"):
        Probe(n=1, m=2)
    assert events.payload_type("complaints.item_received").model_fields.keys() >= {"query_code", "respondent_uscc"}


def test_a_failure_waits_its_subjects_later_events_but_not_other_subjects(db):
    broken.add("A")
    first = _publish(db, "A", 1)
    second = _publish(db, "A", 2)
    other = _publish(db, "B", 3)
    assert _statuses(db) == {("A", first): "failed", ("A", second): "pending", ("B", other): "done"}
    broken.clear()
    with db.transaction() as session:
        failed = [d for d, _ in events.failed_deliveries(session, actor=_province())]
        assert [d.event_id for d in failed] == [first] and "探针故障 1" in failed[0].error
        events.retry(session, actor=_province(), delivery_id=failed[0].id)
    assert seen == [("B", 3), ("A", 1), ("A", 2)]  # A's events in their order, once the failure is fixed
    assert set(_statuses(db).values()) == {"done"}


def _province():
    from marketreg.platform.authz import SYSTEM

    return SYSTEM


def test_failing_credit_handler_keeps_the_intake_shows_in_the_job_monitor_and_a_retry_succeeds(
        client, db, monkeypatch):
    def credit_file_bug(session, event):
        raise RuntimeError("信用档案写入故障")

    monkeypatch.setattr(credit_handlers, "record", credit_file_bug)
    response = client.post("/api/v1/public/complaints", json={
        "kind": "complaint", "complainant_name": "王小明", "complainant_phone": "13912345678",
        "complainant_address": "济南市历下区泉城路100号", "respondent_name": "济南泉城示范超市有限公司",
        "respondent_uscc": SHOP_USCC, "respondent_address": "济南市历下区泉城路1号", "title": "买到过期牛奶",
        "facts": "2026年11月在该超市购买的牛奶已过期三天，要求退货被拒绝。", "request": "退货并赔偿"})
    assert response.status_code == 201, response.text
    code = response.json()["items"][0]["query_code"]
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Item).where(Item.query_code == code)) == 1
        assert s.scalar(select(func.count()).select_from(CreditEvent).where(CreditEvent.entity_uscc == SHOP_USCC)) == 0
        [delivery] = s.scalars(select(EventDelivery).where(EventDelivery.subject_key == SHOP_USCC,
                                                           EventDelivery.handler.like("%credit%"))).all()
    assert delivery.status == "failed" and "信用档案写入故障" in delivery.error

    csrf = login(client, "sd_admin")
    page = client.get("/staff/sysadmin/jobs").text
    assert f'id="delivery-{delivery.id}"' in page and "信用档案写入故障" in page and "信用监管" in page

    monkeypatch.undo()  # the bug is fixed
    retried = client.post(f"/staff/sysadmin/jobs/deliveries/{delivery.id}/retry", data={"csrf_token": csrf},
                          follow_redirects=False)
    assert retried.status_code == 303
    with db.read() as s:
        assert s.get(EventDelivery, delivery.id).status == "done"
        assert s.scalar(select(CreditEvent.name).where(CreditEvent.entity_uscc == SHOP_USCC)) == \
            "complaints.item_received"
    assert f'id="delivery-{delivery.id}"' not in client.get("/staff/sysadmin/jobs").text


def test_retry_outside_the_jurisdiction_is_not_found_and_changes_nothing(client, db):
    broken.add("Q")
    event_id = _publish(db, "Q", 1)
    with db.transaction() as session:  # an event about a 青岛 entity
        session.get(events.DomainEvent, event_id).org_path = "/370000/370200/370202/"
    with db.read() as s:
        delivery_id = s.scalar(select(EventDelivery.id).where(EventDelivery.event_id == event_id))
    csrf = login(client, "lx_registrar")
    response = client.post(f"/staff/sysadmin/jobs/deliveries/{delivery_id}/retry", data={"csrf_token": csrf},
                           follow_redirects=False)
    assert response.status_code == 404
    assert _statuses(db)[("Q", event_id)] == "failed"
