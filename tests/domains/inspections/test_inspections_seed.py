"""The demo's random-inspection batches (what `make run` shows) are drawn by the real actions."""

from __future__ import annotations


def test_demo_batches_are_drawn_inside_their_items_scope(db):
    from marketreg.app import demo
    from marketreg.domains.inspections import seed

    demo.seed_entities(db, n=400)
    made = seed.seed_inspections(db)  # refused before: the joint batch lay outside SP-001's scope
    assert any(no.startswith("JH370100") for no in made)  # the 济南 joint batch (XY-001 + SP-001)
    assert seed.seed_inspections(db) == []  # idempotent
