"""Benchmark: a random-inspection draw at province scale, the whole use case, vs. the bare limit.

    .venv/bin/python bench/random_draw.py --entities 1000000
    .venv/bin/python bench/random_draw.py --entities 15000000

Setup (not timed): a fresh SQLite database (bench/out/draw_<N>.db; a non-empty one is refused
unless ``--replace``) migrated with the base data; N entities over every Shandong county (4 %
deregistered), a credit class for each (A 20 %, B 60 %, C 15 %, D 5 %), 2,000 inspectors of the
credit department across the counties, declared relations for 0.5 % of the entities, and an
earlier drawn batch of the same item covering 2 % of them (excluded now, and their inspectors are
"previous inspectors"). All by raw ``executemany``.

Timed, the province batch (``--share`` of the directory, default 3 %):
  ours  the real use case, as the staff job and the API run it: ``do_commit_batch`` (the directory
        in one scoped statement straight into arrays, classes joined, exclusions, the inspector
        pool and its conflicts, a trial draw, the three snapshots serialised, digested and stored,
        the commitment), ``do_draw_batch`` (the draw from the stored snapshots, inspector
        assignment with conflict repair, one task per drawn entity, the record stored), and the
        record's download (``draw_record`` serialised to a file as the API sends it).
  raw   one hand-written statement extracting the same directory columns into NumPy, the
        per-class index arrays of the eligible rows, NumPy's ``Generator.choice`` of the same
        per-class counts over them, and ``json.dump`` of the same record to a file.
Both arms' per-class counts and eligible totals are checked to agree. Then a county batch is
frozen (ours) to show that it reads only its county's rows.

Prints seconds per step, peak RSS and the load average; the last line is
``ratio=<raw seconds / our seconds>`` (speed: 1.0 would be as fast as the limit).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time

import numpy as np

import _common  # sets the environment before marketreg is imported

CHUNK = 100_000
INSPECTORS = 2_000
ITEM = ("XY-001", "信用监督管理", "企业公示信息的检查", "企业信息公示暂行条例第十四条")
STAMP = "2026-11-01T08:00:00+00:00"


def log(message: str) -> None:
    print(message, flush=True)


def insert(engine, sql: str, rows) -> None:
    with engine.begin() as conn:
        conn.connection.cursor().executemany(sql, rows)


def counties(engine) -> list[tuple[str, str, str]]:
    """(county code, city code, org_path) of every current county with an org unit."""
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT code, path FROM org_unit WHERE level = 'county' ORDER BY code").all()
    return [(code, path.split("/")[2], path) for code, path in rows]


def generate(engine, n: int, seed: int = 7) -> dict:
    """Entities, classes, inspectors, relations and an earlier batch (not timed)."""
    rng = random.Random(seed)
    units = counties(engine)
    classes = "ABCD"
    for start in range(1, n + 1, CHUNK):
        ents, risk = [], []
        for i in range(start, min(start + CHUNK, n + 1)):
            county, city, path = units[i % len(units)]
            status = "cancelled" if rng.random() < 0.04 else "active"
            ents.append((i, f"9137{i:014d}", f"企业{i}", f"qy{i}", "enterprise", status, "张三", "山东省某地", county,
                         city, path, "5211", "F", "2015-05-01", STAMP, STAMP))
            u = rng.random()
            risk.append((i, classes[(u > 0.2) + (u > 0.8) + (u > 0.95)], 0.0, "2026-11-01", 1))
        insert(engine, "INSERT INTO market_entity (id, uscc, name, name_initials, entity_type, status, legal_rep_name, "
                       "address, region_code, city_code, org_path, industry_code, industry_section, established_on, "
                       "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", ents)
        insert(engine, "INSERT INTO credit_risk_class (entity_id, computed_class, score, computed_on, run_id) "
                       "VALUES (?, ?, ?, ?, ?)", risk)
    users, inspectors = [], []
    for k in range(1, INSPECTORS + 1):
        county, _, path = units[k % len(units)]
        users.append((100_000 + k, f"bench_insp_{k}", f"检查员{k}", "!", "staff", STAMP))
        inspectors.append((k, 100_000 + k, f"B{k:06d}", f"检查员{k}", ITEM[1], county, path, json.dumps([ITEM[0]]),
                           True, STAMP))
    insert(engine, "INSERT INTO app_user (id, username, display_name, password_hash, kind, created_at, is_active, "
                   "failed_logins) VALUES (?, ?, ?, ?, ?, ?, 1, 0)", users)
    insert(engine, "INSERT INTO inspection_inspector (id, user_id, code, name, department, region_code, org_path, "
                   "qualifications, active, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", inspectors)
    related = rng.sample(range(1, n + 1), n // 200)
    relations = [(rng.randint(1, INSPECTORS), f"9137{i:014d}", STAMP) for i in related]
    insert(engine, "INSERT INTO inspection_inspector_relation (inspector_id, entity_uscc, relation, declared_at) "
                   "VALUES (?, ?, '近亲属', ?)", relations)
    earlier = earlier_batch(engine, rng, n)
    return {"entities": n, "inspectors": INSPECTORS, "relations": len(related), "earlier_tasks": earlier}


def earlier_batch(engine, rng: random.Random, n: int) -> int:
    """A drawn batch of the same item from this spring over 2 % of the entities."""
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO inspection_plan (id, plan_no, year, title, org_path, org_name, org_level, created_by, "
            "created_at) VALUES (1, 'JHBENCH0', 2026, '往期计划', '/370000/', '山东省市场监督管理局', 'province', "
            f"'bench', '{STAMP}')")
        conn.exec_driver_sql(
            "INSERT INTO inspection_batch (id, batch_no, plan_id, title, org_path, departments, item_codes, scope, "
            "size, starts_on, ends_on, per_entity, avoid_same_region, avoid_previous_inspector, exclusion_days, "
            f"status, created_at) VALUES (1, 'JHBENCH0-01', 1, '往期批次', '/370000/', '[\"{ITEM[1]}\"]', "
            f"'[\"{ITEM[0]}\"]', '{{}}', 0, '2026-04-01', '2026-05-31', 2, 0, 1, 365, 'drawn', '{STAMP}')")
    drawn = sorted(rng.sample(range(1, n + 1), n // 50))
    tasks = [(t, f"JHBENCH0-01-{t:07d}", 1, e, f"9137{e:014d}", f"企业{e}", "B", "/370000/", "assigned")
             for t, e in enumerate(drawn, start=1)]
    insert(engine, "INSERT INTO inspection_task (id, task_no, batch_id, entity_id, entity_uscc, entity_name, "
                   "risk_class, org_path, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", tasks)
    insert(engine, "INSERT INTO inspection_task_inspector (task_id, inspector_id) VALUES (?, ?)",
           [(t, rng.randint(1, INSPECTORS)) for t, *_ in tasks])
    return len(tasks)


def new_batch(sessions, *, org_path: str, size: int, title: str) -> tuple[int, object]:
    """A plan and a batch of the item at ``org_path`` (not timed); returns (batch id, actor)."""
    from marketreg.domains.inspections import actions
    from marketreg.domains.org import service as org
    from marketreg.platform.authz import Actor

    with sessions.transaction() as session:
        unit = org.unit_by_code(session, code=org_path.strip("/").split("/")[-1])
        actor = Actor(None, "bench", "基准测试", unit.id, unit.path, permissions=frozenset({"*"}))
        plan = actions.do_create_plan(session, actor=actor, year=2026, title=title)
        batch = actions.do_create_batch(session, actor=actor, plan_id=plan.id, data=actions.BatchIn(
            title=title, item_codes=[ITEM[0]], size=size, starts_on=dt.date(2026, 11, 10),
            ends_on=dt.date(2026, 12, 20), scope={}, class_weights={"A": 0.5, "B": 1.0, "C": 2.0, "D": 4.0}))
        return batch.id, actor


def run_ours(sessions, batch_id: int, actor, record_path) -> dict:
    from marketreg.domains.inspections import actions, service

    steps = {}
    t0 = time.perf_counter()
    with sessions.transaction() as session:
        actions.do_commit_batch(session, actor=actor, batch_id=batch_id)
    steps["freeze (extract, pool, trial draw, snapshots, digests, commitment)"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    with sessions.transaction() as session:
        actions.do_draw_batch(session, actor=actor, batch_id=batch_id)
        actions.do_publish_seed(session, actor=actor, batch_id=batch_id)
    steps["draw (draw, inspectors with conflict repair, tasks, record)"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    with sessions.read() as session:
        record = service.draw_record(session, batch=service.get_batch(session, actor=actor, batch_id=batch_id))
    record_path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    steps["record download (assemble, serialise, write)"] = time.perf_counter() - t2
    steps["total"] = time.perf_counter() - t0
    return {"steps": steps, "record": record}


RAW_SQL = """
SELECT e.id, e.uscc, CAST(e.region_code AS INTEGER),
  CASE WHEN e.status = 'active' AND NOT EXISTS (SELECT 1 FROM inspection_task t WHERE t.entity_id = e.id
                                                AND t.batch_id = 1) THEN 1 ELSE 0 END,
  coalesce((SELECT CASE coalesce(r.override_class, r.computed_class) WHEN 'A' THEN 0 WHEN 'C' THEN 2
                   WHEN 'D' THEN 3 ELSE 1 END FROM credit_risk_class r WHERE r.entity_id = e.id), 1)
FROM market_entity e ORDER BY e.id
"""


def run_raw(engine, record: dict, per_class: dict, record_path) -> tuple[float, dict]:
    """One statement into NumPy, per-class index arrays, Generator.choice, json.dump of the record."""
    from marketreg.domains.inspections.service import DIRECTORY_ROW

    t0 = time.perf_counter()
    with engine.connect() as conn:
        cursor = conn.connection.cursor()
        cursor.execute(RAW_SQL)
        parts = []
        while rows := cursor.fetchmany(CHUNK):
            parts.append(np.array(rows, dtype=DIRECTORY_ROW))
        cursor.close()
    rows = np.concatenate(parts)
    eligible = rows["active"] == 1  # active and not checked in the earlier batch
    generator = np.random.Generator(np.random.PCG64(7))
    eligible_per_class = {}
    for code, letter in enumerate("ABCD"):
        index = np.flatnonzero(eligible & (rows["cls"] == code))
        eligible_per_class[letter] = len(index)
        generator.choice(index, size=min(per_class[letter], len(index)), replace=False)
    with record_path.open("w", encoding="utf-8") as fh:
        json.dump(record, fh, ensure_ascii=False)
    return time.perf_counter() - t0, eligible_per_class


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--share", type=float, default=0.03, help="batch size as a share of the directory")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--replace", action="store_true", help="drop a non-empty database of the same name first")
    args = parser.parse_args()
    name = f"draw_{args.entities}"
    url = _common.empty_database("sqlite", name=name, schema="bench_draw", replace=args.replace)
    engine, sessions = _common.build_database(url)
    from marketreg.domains.inspections import actions
    from marketreg.platform.authz import SYSTEM

    with sessions.transaction() as session:
        actions.do_upsert_item(session, actor=SYSTEM, code=ITEM[0], department=ITEM[1], name=ITEM[2], basis=ITEM[3])
    t0 = time.perf_counter()
    counts = generate(engine, args.entities)
    log(f"setup (not timed): {counts} in {time.perf_counter() - t0:,.1f} s; {_common.load_average()}")

    batch_id, actor = new_batch(sessions, org_path="/370000/", size=int(args.entities * args.share),
                                title="全省信用监管抽查")
    ours = run_ours(sessions, batch_id, actor, _common.OUT / f"{name}_ours.json")
    record = ours["record"]
    for step, seconds in ours["steps"].items():
        log(f"ours: {step}: {seconds:,.2f} s")
    directory_rows = record["directory"]["rows"]
    log(f"ours: directory {directory_rows:,} rows, drawn {len(record['result']):,} {record['per_class']}, "
        f"{len(json.dumps(record['inspectors']['codes']))} B of inspector codes; record "
        f"{(_common.OUT / f'{name}_ours.json').stat().st_size / 2**20:,.0f} MiB; peak RSS "
        f"{_common.peak_rss_mb():,.0f} MiB; {_common.load_average()}")

    raw_s, eligible = run_raw(engine, record, record["per_class"], _common.OUT / f"{name}_raw.json")
    log(f"raw: one statement + per-class index arrays + Generator.choice + json.dump: {raw_s:,.2f} s; "
        f"eligible per class {eligible}; peak RSS {_common.peak_rss_mb():,.0f} MiB; {_common.load_average()}")
    from marketreg.domains.inspections import draw

    directory, _ = draw.directory_from_snapshot(record["directory"])
    ours_eligible = dict(zip("ABCD", np.bincount(directory.classes[~directory.excluded], minlength=4).tolist(),
                             strict=True))
    same = ours_eligible == eligible
    log(f"check: eligible per class {'same' if same else 'DIFFERENT'} in both arms ({ours_eligible}); "
        f"both draw {record['per_class']}")

    county_path = next(path for _, _, path in counties(engine))
    county_id, county_actor = new_batch(sessions, org_path=county_path, size=50, title="县级抽查")
    t1 = time.perf_counter()
    with sessions.transaction() as session:
        batch = actions.do_commit_batch(session, actor=county_actor, batch_id=county_id)
        county_rows = batch.directory_size
    log(f"county batch {county_path}: froze {county_rows:,} rows (of {directory_rows:,}) in "
        f"{time.perf_counter() - t1:,.2f} s")

    engine.dispose()
    for suffix in ("ours", "raw"):
        (_common.OUT / f"{name}_{suffix}.json").unlink(missing_ok=True)
    if not args.keep:
        _common.drop_database("sqlite", name=name, schema="bench_draw")
    print(f"ratio={raw_s / ours['steps']['total']:.3f}", flush=True)
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
