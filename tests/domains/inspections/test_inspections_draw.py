"""The pure draw core: stratification, exclusions, inspectors, determinism and verification."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from marketreg.domains.inspections import draw
from marketreg.kernel.errors import DomainError

SEED = "5eed" * 16


def _directory(n=2000, *, seed=1):
    rng = np.random.default_rng(seed)
    return draw.Directory(np.arange(1, n + 1, dtype=np.int64),
                          rng.choice(4, n, p=[0.25, 0.45, 0.2, 0.1]).astype(np.uint8),
                          rng.random(n) < 0.1, (370101 + rng.integers(0, 3, n)).astype(np.int32))


def _pool(m=12, conflicts=()):
    c = np.asarray(conflicts, np.int64).reshape(-1, 2)
    return draw.Pool(np.arange(101, 101 + m, dtype=np.int64), (370101 + np.arange(m) % 3).astype(np.int32),
                     c[:, 0].copy(), c[:, 1].copy())


def _params(size=200, **kw):
    return draw.Params(size=size, weights=kw.pop("weights", {"A": 0.5, "B": 1, "C": 2, "D": 4}),
                       per_entity=kw.pop("per_entity", 2), avoid_same_region=kw.pop("avoid_same_region", False))


def test_same_seed_same_result_other_seed_other_result():
    d, p = _directory(), _pool()
    a, b = draw.run_draw(SEED, d, p, _params()), draw.run_draw(SEED, d, p, _params())
    assert np.array_equal(a.rows, b.rows) and np.array_equal(a.inspectors, b.inspectors)
    c = draw.run_draw("1" * 64, d, p, _params())
    assert not np.array_equal(a.rows, c.rows)


def test_higher_risk_classes_are_drawn_at_higher_rates():
    d = _directory(20000)
    result = draw.run_draw(SEED, d, _pool(), _params(2000))
    eligible = np.bincount(d.classes[~d.excluded], minlength=4)
    drawn = np.bincount(d.classes[result.rows], minlength=4)
    rates = drawn / eligible
    assert rates[0] < rates[1] < rates[2] < rates[3]
    assert drawn.sum() == 2000 == len(np.unique(result.rows))
    assert result.per_class == dict(zip("ABCD", drawn.tolist(), strict=True))


def test_excluded_rows_are_never_drawn():
    d = _directory()
    result = draw.run_draw(SEED, d, _pool(), _params(int((~d.excluded).sum())))
    assert not d.excluded[result.rows].any()
    assert len(result.rows) == int((~d.excluded).sum())


def test_more_than_the_directory_holds_is_refused():
    d = _directory(100)
    with pytest.raises(DomainError) as exc:
        draw.run_draw(SEED, d, _pool(), _params(int((~d.excluded).sum()) + 1))
    assert exc.value.code == "inspections.too_many_requested"


def test_allocation_caps_a_small_class_and_redistributes():
    alloc = draw.allocate(np.array([100, 100, 100, 3]), np.array([0.5, 1.0, 2.0, 4.0]), 100)
    assert alloc.sum() == 100 and alloc[3] == 3
    assert alloc[0] < alloc[1] < alloc[2]


def test_two_distinct_inspectors_per_entity_with_balanced_workload():
    result = draw.run_draw(SEED, _directory(), _pool(12), _params(300))
    assert result.inspectors.shape == (300, 2)
    assert (result.inspectors[:, 0] != result.inspectors[:, 1]).all()
    load = np.bincount(result.inspectors.ravel() - 101, minlength=12)
    assert load.max() - load.min() <= 1


def test_declared_relation_and_previous_inspector_are_avoided():
    d = _directory(50)
    first = draw.run_draw(SEED, d, _pool(4), _params(30))
    conflicts = [(int(d.entity_ids[r]), int(i)) for r, row in zip(first.rows, first.inspectors, strict=True)
                 for i in row]
    again = draw.run_draw(SEED, d, _pool(4, conflicts), _params(30, per_entity=2))
    pairs = {(int(d.entity_ids[r]), int(i)) for r, row in zip(again.rows, again.inspectors, strict=True) for i in row}
    assert np.array_equal(first.rows, again.rows)
    assert pairs.isdisjoint(conflicts)


def test_same_region_rule_keeps_local_inspectors_away():
    d = _directory(600)
    pool = _pool(9)
    result = draw.run_draw(SEED, d, pool, _params(100, avoid_same_region=True))
    entity_regions = d.regions[result.rows]
    inspector_regions = pool.regions[result.inspectors - 101]
    assert (inspector_regions != entity_regions[:, None]).all()


def test_pool_too_small_for_the_conflict_rules_is_refused():
    d = _directory(50)
    with pytest.raises(DomainError) as exc:
        draw.run_draw(SEED, d, _pool(2), _params(10, avoid_same_region=True))  # one non-local inspector
    assert exc.value.code == "inspections.pool_too_small"
    every = [(int(e), i) for e in d.entity_ids for i in (101, 102)]
    with pytest.raises(DomainError) as exc:
        draw.run_draw(SEED, d, _pool(2, every), _params(5))
    assert exc.value.code == "inspections.pool_too_small"


def _record():
    d, p = _directory(300), _pool(6)
    usccs = np.asarray([f"91370102MA{i:08d}".encode() for i in range(300)], dtype="S18")
    params = {"size": 40, "weights": {"A": 0.5, "B": 1.0, "C": 2.0, "D": 4.0}, "per_entity": 2,
              "avoid_same_region": False}
    snapshot = {"params": params, "directory": draw.directory_snapshot(d, usccs),
                "inspectors": draw.pool_snapshot(p, [f"C{i}" for i in range(6)])}
    digests = {k: draw.digest(v) for k, v in snapshot.items()}
    result = draw.run_draw(SEED, d, p, draw.params_from_snapshot(params))
    return {"format": draw.RECORD_FORMAT, **snapshot, "digests": digests, "seed": SEED,
            "commitment": draw.commitment(seed_hex=SEED, params_sha256=digests["params"],
                                          directory_sha256=digests["directory"],
                                          inspectors_sha256=digests["inspectors"]),
            "result": draw.result_rows(result, d, usccs, {101 + i: f"C{i}" for i in range(6)})}


def test_verify_record_identical():
    record = _record()
    assert record["format"] == "marketreg.inspections.draw/2" and record["directory"]["encoding"] == "columns/1"
    assert draw.verify_record(record).ok


def test_a_format_1_record_made_before_the_columns_still_verifies():
    """``data/draw_record_v1.json`` was written by the code before record format 2 (JSON lists)."""
    record = json.loads((Path(__file__).parent / "data" / "draw_record_v1.json").read_text(encoding="utf-8"))
    assert record["format"] == "marketreg.inspections.draw/1"
    assert draw.verify_record(record) == draw.Verification(True, "identical", "结果一致：25户主体")
    record["directory"]["usccs"][3] = "91370102MA00000000"
    assert draw.verify_record(record).reason == "directory_tampered"


def test_a_format_2_snapshot_round_trips_and_refuses_a_short_column():
    d = _directory(300)
    usccs = np.asarray([f"91370102MA{i:08d}".encode() for i in range(300)], dtype="S18")
    back, codes = draw.directory_from_snapshot(draw.directory_snapshot(d, usccs))
    assert back.entity_ids.tolist() == d.entity_ids.tolist() and back.classes.tolist() == d.classes.tolist()
    assert back.excluded.tolist() == d.excluded.tolist() and back.regions.tolist() == d.regions.tolist()
    assert codes.tolist() == usccs.tolist()
    broken = draw.directory_snapshot(d, usccs)
    broken["regions"] = broken["regions"][:-8]
    with pytest.raises(ValueError):
        draw.directory_from_snapshot(broken)


@pytest.mark.parametrize("tamper", ["directory", "directory_and_digest", "seed", "result"])
def test_verify_record_detects_tampering(tamper):
    record = _record()
    if tamper.startswith("directory"):
        record["directory"]["classes"] = "D" + record["directory"]["classes"][1:]
        if tamper == "directory_and_digest":
            record["digests"]["directory"] = draw.digest(record["directory"])
    elif tamper == "seed":
        record["seed"] = "0" * 64
    else:
        record["result"][0]["inspectors"].reverse()
    outcome = draw.verify_record(record)
    assert not outcome.ok
    assert outcome.reason == {"directory": "directory_tampered", "directory_and_digest": "commitment_mismatch",
                              "seed": "commitment_mismatch", "result": "result_mismatch"}[tamper]
