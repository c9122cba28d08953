"""Benchmark: sustained 12315 intake through the real HTTP API vs. a bare one-insert endpoint.

    .venv/bin/python bench/complaint_intake.py                       # sqlite, 20 s, 8 clients
    .venv/bin/python bench/complaint_intake.py --db postgres --crash
    .venv/bin/python bench/complaint_intake.py --seconds 30 --clients 16 --entities 50000

Builds a fresh database (bench/out/intake_<N>.db or the PostgreSQL schema ``bench_intake``):
migrations, ``bootstrap.setup_base`` and N synthetic entities (``demo.seed_entities``). Then serves,
each in its own uvicorn subprocess on a free 127.0.0.1 port (one worker, access log off):

  ours  ``create_app()`` — ``POST /api/v1/public/complaints`` (validation, routing, statutory
        clocks, category suggestion, duplicate check, audit, domain events and their handlers,
        notice, all in one transaction committed before the answer) with
        MARKETREG_PUBLIC_RATE_LIMIT=100000000/minute and MARKETREG_TASK_BACKEND=immediate;
  bare  bench/_intake_bare.py — ``POST /bare``: the same body and header, ONE insert into a
        one-table database of the same kind (bench/out/intake_bare.db or schema
        ``bench_intake_bare``), committed before the answer.

C client threads (one keep-alive httpx client each) send realistic filings — a seeded entity
as the respondent (by USCC and name, or by name only), Chinese titles and facts; complaints
(some also reporting a violation, which files two items), reports (some anonymous) and
consultations — each with its own ``Idempotency-Key``, for a warm-up and then S seconds per
server. A request whose answer did not arrive (or was a 5xx/429) is retried with the SAME
key and body until it is acknowledged (2xx) or the run ends.

``--crash``: during OUR measured run the server process is SIGKILLed at S/2 and restarted on
the same port while the clients keep going. Every acknowledged key and its query codes are
recorded; at the end the database is counted: ``lost`` = acknowledged filings with an item
missing (or with other query codes than acknowledged), ``duplicated`` = filings with more
items than they file (1, or 2 for a complaint that also reports). Both are counted in
every run, crash or not. A sample of acknowledged codes is then tracked and replayed over HTTP.

Figures: filings/s acknowledged (a replay answered 200 after a restart counts once), p50/p99
latency of the acknowledging request, errors by status (0 = no HTTP answer) for both. With 2
cores the clients share the machine with the server and the database; the CPU use of the
server is printed. Last line: ``ratio=<ours/bare filings per s> lost=<n> duplicated=<n>``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import httpx
from sqlalchemy import func, select

import _common
from _common import Server

SCHEMA = "bench_intake"
BARE_SCHEMA = "bench_intake_bare"
BARE_NAME = "intake_bare"
PROJECT = _common.BENCH.parent
OURS_PATH = "/api/v1/public/complaints"
# Any answer below 500 means the app is up (an unknown query code answers 404).
READY_PATHS = {"ours": f"{OURS_PATH}/READY0000", "bare": "/bare/ready"}
BARE_PATH = "/bare"
RETRY_STATUSES = {0, 429, 500, 502, 503, 504}
RETRY_PAUSE = 0.05  # seconds between attempts of one filing after a failed attempt


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per server")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--crash", action="store_true", help="SIGKILL and restart our server at S/2")
    parser.add_argument("--entities", type=int, default=20_000)
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds before each run")
    parser.add_argument("--samples", type=int, default=2000, help="entities sampled as respondents")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.clients < 1 or args.entities < 1 or args.warmup < 0:
        parser.error("--seconds, --clients and --entities must be positive, --warmup not negative")
    return args


def log(message: str) -> None:
    print(message, flush=True)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min) {five:.2f} (5 min) on {os.cpu_count()} CPUs"


# ---------------------------------------------------------------- databases


def our_database(args: argparse.Namespace) -> str:
    from marketreg.app import demo
    from marketreg.platform.db import use_sessions

    started = time.perf_counter()
    url = _common.fresh_database(args.db, name=f"intake_{args.entities}", schema=SCHEMA)
    engine, sessions = _common.build_database(url)
    use_sessions(sessions)  # anything in this process that asks for "the" sessions gets these
    setup_s = time.perf_counter() - started
    started = time.perf_counter()
    inserted = demo.seed_entities(sessions, n=args.entities)
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
        if engine.dialect.name == "sqlite":
            sync = conn.exec_driver_sql("PRAGMA synchronous").scalar()
            durability = (f"journal_mode={conn.exec_driver_sql('PRAGMA journal_mode').scalar()} "
                          f"synchronous={ {0: 'OFF', 1: 'NORMAL', 2: 'FULL', 3: 'EXTRA'}.get(sync, sync)}")
        else:
            durability = " ".join(f"{name}={conn.exec_driver_sql(f'SHOW {name}').scalar()}"
                                  for name in ("synchronous_commit", "fsync", "server_version"))
    engine.dispose()
    log(f"database (ours): {url}; migrate+setup_base {setup_s:.1f} s; "
        f"seed_entities {inserted:,} in {time.perf_counter() - started:.1f} s; durability: {durability}")
    return url


def bare_database(args: argparse.Namespace) -> str:
    import _intake_bare
    from marketreg.platform.db import make_engine

    url = _common.fresh_database(args.db, name=BARE_NAME, schema=BARE_SCHEMA)
    engine = make_engine(url)
    try:
        _intake_bare.metadata.create_all(engine)
    finally:
        engine.dispose()
    log(f"database (bare): {url}; one table {_intake_bare.bare_filing.name}")
    return url


@dataclass(frozen=True, slots=True)
class Respondent:
    uscc: str
    name: str
    address: str


def sample_respondents(url: str, samples: int, seed: int = 11) -> list[Respondent]:
    from marketreg.domains.registry.models import Entity
    from marketreg.platform.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(Entity.uscc, Entity.name, Entity.address).order_by(Entity.id)).all()
    finally:
        engine.dispose()
    rng = random.Random(seed)
    return [Respondent(*row) for row in rng.sample(rows, min(samples, len(rows)))]


# ---------------------------------------------------------------- filings

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
         "秀兰", "霞", "平", "刚", "桂英", "小明", "晓东", "海燕", "建国", "玉兰", "志强", "春梅", "子涵", "浩然"]
HOME_ADDRESSES = ["济南市历下区泉城路{n}号", "济南市市中区经四路{n}号", "青岛市市南区香港中路{n}号",
                  "青岛市黄岛区长江中路{n}号", "烟台市芝罘区南大街{n}号", "潍坊市奎文区东风东街{n}号",
                  "临沂市兰山区沂蒙路{n}号", "淄博市张店区柳泉路{n}号", "济宁市任城区太白楼路{n}号",
                  "泰安市泰山区东岳大街{n}号", "威海市环翠区新威路{n}号", "德州市德城区东风中路{n}号"]

# (category, problem, title, facts, request); {d} a date, {a} an amount, {p} a product / service
COMPLAINTS = [
    ("G0403", "P0202", "购买的{p}已过期", "{d}在该店购买{p}，回家后发现已超过保质期三天，包装上的生产日期被覆盖。"
     "与店方协商退货，店员以已拆封为由拒绝。", "退货退款并按规定赔偿"),
    ("G0101", "P0601", "{p}七日内出现质量问题拒绝退换", "{d}购买{p}一部，价格{a}元，使用第五天出现自动关机、"
     "无法充电的故障。商家称需寄回厂家检测，拖延至今未处理。", "按三包规定换货"),
    ("G1601", "P1201", "健身房闭店预付卡无法退费", "{d}在该健身房办理年卡，交费{a}元，近期门店突然关闭，"
     "工作人员失联，剩余课时无法使用。", "退还剩余预付款"),
    ("G1101", "P0202", "餐厅饭菜中吃出异物", "{d}在该饭店就餐，点的{p}中吃出金属丝，当时已拍照留存。"
     "店方只同意免单，不愿赔偿就医费用。", "赔偿就医费用并整改"),
    ("G1901", "P0501", "装修公司拖延工期", "{d}与该公司签订家庭装修合同，总价{a}元，约定六十天完工，"
     "现已超期一个多月，工地长期无人施工。", "按合同约定完工并支付违约金"),
    ("G1201", "P0701", "网购{p}与宣传不符", "{d}在该店网购{p}，页面宣传为正品原装，收货后发现做工粗糙、"
     "无防伪标识，客服不予处理。", "退货退款"),
    ("G0801", "P0101", "新车{p}存在质量问题", "{d}在该4S店购买新车，价格{a}元，提车一周{p}异响，"
     "多次返厂未修好，店方拒绝换车。", "更换车辆或退车"),
    ("G1502", "P1202", "培训机构拒绝退费", "{d}为孩子报名{p}课程，交费{a}元，上课两次后因老师更换要求退费，"
     "机构以合同约定不退为由拒绝。", "退还未上课程费用"),
    ("G2101", "P0302", "超市标价与结算价格不一致", "{d}在该超市购买{p}，货架标价与收银结算价格不一致，"
     "多收{a}元，要求退还差价被拒。", "退还多收的价款"),
    ("G1109", "P0602", "汽车保养更换配件以次充好", "{d}在该店做汽车保养，费用{a}元，事后发现更换的{p}"
     "并非原厂配件，与报价单不符。", "更换原厂配件并退还差价"),
]
PRODUCTS = ["牛奶", "酸奶", "手机", "蓝牙耳机", "私教课", "红烧鱼", "羽绒服", "运动鞋", "发动机", "变速箱", "英语",
            "钢琴", "食用油", "大米", "机油", "刹车片", "面包", "洗衣液"]
REPORTS = [
    ("该店销售过期食品", "{d}发现该店货架上有多种过期{p}仍在销售，生产日期标签有涂改痕迹。"),
    ("该企业无证经营", "该企业在{d}前后开始经营，未见营业执照公示，门店也无食品经营许可证。"),
    ("涉嫌虚假宣传", "该商家在店门口宣传{p}“治疗百病”，{d}起组织老年人听课推销，价格{a}元。"),
    ("涉嫌销售假冒商品", "{d}在该店购买的{p}经品牌方鉴定为假冒产品，店内仍有大量同款在售。"),
]
CONSULTATIONS = [
    ("预付卡退费怎么办理", "在{d}办了一张{a}元的预付卡，商家要搬迁，想咨询剩余金额如何退还。"),
    ("网购七日无理由退货的规定", "{d}网购了{p}，想咨询拆封后是否还能适用七日无理由退货。"),
    ("三包期内维修次数的规定", "{d}购买的{p}在三包期内已维修两次，想咨询是否可以要求换货。"),
]


def _fill(template: str, rng: random.Random, today: dt.date) -> str:
    day = today - dt.timedelta(days=rng.randint(3, 90))
    return template.format(d=f"{day.year}年{day.month}月{day.day}日", a=rng.choice((39, 128, 299, 980, 2680, 15800)),
                           p=rng.choice(PRODUCTS))


def make_filing(rng: random.Random, respondents: list[Respondent], today: dt.date) -> tuple[dict, int]:
    """A realistic filing and the number of items it files (2 for a complaint that also reports)."""
    who = rng.choice(respondents)
    body: dict = {"respondent_name": who.name, "channel": "web"}
    if rng.random() < 0.6:
        body["respondent_uscc"] = who.uscc
    if rng.random() < 0.5:
        body["respondent_address"] = who.address
    person = {"complainant_name": rng.choice(SURNAMES) + rng.choice(GIVEN),
              "complainant_phone": f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
              "complainant_address": rng.choice(HOME_ADDRESSES).format(n=rng.randint(1, 300))}
    roll = rng.random()
    if roll < 0.80:
        category, problem, title, facts, request = rng.choice(COMPLAINTS)
        harm = today - dt.timedelta(days=rng.randint(1, 60))
        body.update(person, kind="complaint", title=_fill(title, rng, today), facts=_fill(facts, rng, today),
                    request=request, harm_known_on=harm.isoformat(),
                    purchased_on=(harm - dt.timedelta(days=rng.randint(0, 30))).isoformat(),
                    amount=str(rng.choice((39, 128, 299, 980, 2680, 15800))))
        if rng.random() < 0.6:
            body.update(category_code=category, problem_code=problem)
        if rng.random() < 0.1:
            body["also_report"] = True
            return body, 2
        return body, 1
    if roll < 0.92:
        title, facts = rng.choice(REPORTS)
        body.update(kind="report", title=_fill(title, rng, today), facts=_fill(facts, rng, today))
        if rng.random() < 0.3:
            body["anonymous"] = True
        else:
            body.update(person)
        return body, 1
    title, facts = rng.choice(CONSULTATIONS)
    body.update(person, kind="consultation", title=_fill(title, rng, today), facts=_fill(facts, rng, today))
    return body, 1


# ---------------------------------------------------------------- servers


# ---------------------------------------------------------------- load


@dataclass
class Ack:
    key: str
    body: dict
    expected: int          # items this filing files
    codes: list[str]
    status: int


@dataclass
class ClientResult:
    latencies: list[float] = field(default_factory=list)       # acknowledging request, measured window
    submit_latencies: list[float] = field(default_factory=list)  # first attempt → acknowledgement
    acked_measured: int = 0
    items_measured: int = 0
    replays: int = 0          # filings acknowledged by a 200 replay (their first answer was lost)
    retried: int = 0          # filings that needed more than one attempt
    unacked_at_end: int = 0   # filings still unacknowledged when the run ended
    rejected: int = 0         # filings given up on a non-retryable 4xx
    errors: Counter = field(default_factory=Counter)
    first_error: str = ""
    sent: dict[str, int] = field(default_factory=dict)          # every key sent → items expected
    acks: list[Ack] = field(default_factory=list)


@dataclass
class Run:
    result: ClientResult
    measured: float
    cpu_server: float
    cpu_client: float
    crash: dict = field(default_factory=dict)


def _codes(response: httpx.Response) -> list[str]:
    try:
        return [item["query_code"] for item in response.json()["items"]]
    except (ValueError, KeyError, TypeError):
        return []


def drive(server: Server, path: str, respondents: list[Respondent], *, clients: int, warmup: float,
          seconds: float, run_id: str, crash: bool = False) -> Run:
    results = [ClientResult() for _ in range(clients)]
    barrier = threading.Barrier(clients + 1)
    times: dict[str, float] = {}
    today = dt.date.today()

    def client(index: int) -> None:
        result = results[index]
        rng = random.Random(f"{run_id}-{index}")
        with httpx.Client(base_url=server.base_url, timeout=httpx.Timeout(30.0, connect=5.0),
                          trust_env=False) as http:
            barrier.wait()
            start, end = times["start"], times["end"]
            sequence = 0
            while time.perf_counter() < end:
                sequence += 1
                key = f"{run_id}-{index}-{sequence}"
                body, expected = make_filing(rng, respondents, today)
                result.sent[key] = expected
                first_attempt = None
                attempts = 0
                while True:
                    begun = time.perf_counter()
                    if begun >= end:
                        result.unacked_at_end += 1
                        break
                    first_attempt = first_attempt or begun
                    attempts += 1
                    try:
                        response = http.post(path, json=body, headers={"Idempotency-Key": key})
                        status, problem = response.status_code, ""
                    except httpx.HTTPError as exc:
                        response, status, problem = None, 0, type(exc).__name__
                    done = time.perf_counter()
                    if status in (200, 201):
                        codes = _codes(response)
                        result.acks.append(Ack(key, body, expected, codes, status))
                        if status == 200:
                            result.replays += 1
                        if attempts > 1:
                            result.retried += 1
                        if begun >= start:
                            result.latencies.append(done - begun)
                            result.submit_latencies.append(done - first_attempt)
                            result.acked_measured += 1
                            result.items_measured += len(codes)
                        break
                    result.errors[f"{status} {problem}".strip()] += 1
                    if not result.first_error:
                        detail = problem or (response.text[:300] if response is not None else "")
                        result.first_error = f"HTTP {status} {detail}"
                    if status not in RETRY_STATUSES:
                        result.rejected += 1
                        break
                    time.sleep(RETRY_PAUSE)

    crash_info: dict = {}

    def crasher() -> None:
        """SIGKILL our server at S/2 of the measured window and restart it on the same port."""
        time.sleep(max(times["start"] + seconds / 2 - time.perf_counter(), 0))
        killed_at = time.perf_counter()
        pid = server.process.pid
        crash_info.update(pid=pid, new_pid=0, at=killed_at - times["start"], downtime=float("nan"))
        try:
            server.kill()
            server.start(port=server.port)
            server.wait_ready(READY_PATHS[server.name])
        except Exception as exc:  # reported; the clients keep retrying until the end
            crash_info["error"] = repr(exc)[:500]
            return
        crash_info.update(new_pid=server.process.pid, downtime=time.perf_counter() - killed_at)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    now = time.perf_counter()
    times["start"], times["end"] = now + warmup, now + warmup + seconds
    barrier.wait()
    killer = threading.Thread(target=crasher, daemon=True) if crash else None
    if killer:
        killer.start()
    time.sleep(max(times["start"] - time.perf_counter(), 0))
    cpu_server, cpu_client = server.cpu_seconds(), time.process_time()
    for thread in threads:
        thread.join(timeout=seconds + warmup + 120)
    if killer:
        killer.join(timeout=120)
    measured = time.perf_counter() - times["start"]
    cpu_server, cpu_client = server.cpu_seconds() - cpu_server, time.process_time() - cpu_client
    merged = ClientResult()
    for result in results:
        merged.latencies.extend(result.latencies)
        merged.submit_latencies.extend(result.submit_latencies)
        for name in ("acked_measured", "items_measured", "replays", "retried", "unacked_at_end", "rejected"):
            setattr(merged, name, getattr(merged, name) + getattr(result, name))
        merged.errors.update(result.errors)
        merged.first_error = merged.first_error or result.first_error
        merged.sent.update(result.sent)
        merged.acks.extend(result.acks)
    return Run(merged, measured, cpu_server, cpu_client, crash_info)


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


def summarize(name: str, run: Run) -> float:
    result = run.result
    latencies = sorted(result.latencies)
    per_s = result.acked_measured / run.measured if run.measured > 0 else 0.0
    errors = ", ".join(f"{status}: {n}" for status, n in sorted(result.errors.items())) or "none"
    log(f"{name}: {per_s:,.1f} complaints/s ({result.items_measured / run.measured:,.1f} items/s)  "
        f"p50 {percentile(latencies, 50) * 1000:.1f} ms  p99 {percentile(latencies, 99) * 1000:.1f} ms  "
        f"acknowledged {result.acked_measured:,} in {run.measured:.1f} s  "
        f"server CPU {run.cpu_server / run.measured:.0%} of a core, client CPU {run.cpu_client / run.measured:.0%}")
    log(f"{name}: errors by status: {errors}; filings retried {result.retried}, acknowledged by a replay (200) "
        f"{result.replays}, rejected {result.rejected}, unacknowledged at the end {result.unacked_at_end}")
    if run.crash:
        submit = sorted(result.submit_latencies)
        log(f"{name}: crash: SIGKILL pid {run.crash['pid']} at {run.crash['at']:.1f} s, restarted as pid "
            f"{run.crash['new_pid']} on the same port, answering again after {run.crash['downtime']:.2f} s; "
            f"first attempt → acknowledgement p99 {percentile(submit, 99) * 1000:.0f} ms, "
            f"max {submit[-1] * 1000 if submit else float('nan'):.0f} ms")
        if "error" in run.crash:
            log(f"{name}: crash: the restart failed: {run.crash['error']}")
    if result.first_error:
        log(f"{name}: first error: {result.first_error}")
    return per_s


# ---------------------------------------------------------------- verification


@dataclass
class Audit:
    acked: int = 0
    lost: int = 0
    duplicated: int = 0
    mismatched: int = 0         # acknowledged codes differ from the key's items (counted in lost)
    items: int = 0
    stray: int = 0              # items with a bench key that no client sent
    committed_unacked: int = 0  # filings stored whose answer never arrived (run ended first)
    partial: int = 0            # items without their "received" step
    examples: list[str] = field(default_factory=list)


def count_in_database(url: str, run_id: str, result: ClientResult) -> Audit:
    from marketreg.domains.complaints.models import Item, Step
    from marketreg.platform.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(Item.id, Item.idempotency_key, Item.query_code)
                                .where(Item.idempotency_key.like(f"{run_id}-%"))).all()
            with_step = set(conn.execute(select(Step.item_id).where(Step.action == "received")
                                         .group_by(Step.item_id)).scalars())
            # items of the run whose key is NULL cannot exist (every request carries one) — but count them
            # by the run's window anyway: a NULL-key item would be an untracked duplicate.
            null_keys = conn.execute(select(func.count()).select_from(Item)
                                     .where(Item.idempotency_key.is_(None))).scalar_one()
    finally:
        engine.dispose()
    by_key: dict[str, list[str]] = {}
    audit = Audit(items=len(rows))
    for item_id, key, code in rows:
        by_key.setdefault(key.removesuffix(":report"), []).append(code)
        if item_id not in with_step:
            audit.partial += 1
    for key, codes in by_key.items():
        expected = result.sent.get(key)
        if expected is None:
            audit.stray += 1
        elif len(codes) > expected:
            audit.duplicated += 1
            audit.examples.append(f"duplicated {key}: {sorted(codes)}")
    acked_keys = set()
    for ack in result.acks:
        acked_keys.add(ack.key)
        stored = by_key.get(ack.key, [])
        if len(stored) < ack.expected or len(ack.codes) != ack.expected:
            audit.lost += 1
            audit.examples.append(f"lost {ack.key}: acknowledged {ack.codes}, stored {stored}")
        elif sorted(stored) != sorted(ack.codes):
            audit.lost += 1
            audit.mismatched += 1
            audit.examples.append(f"mismatch {ack.key}: acknowledged {ack.codes}, stored {stored}")
    audit.acked = len(acked_keys)
    audit.committed_unacked = sum(1 for key in by_key if key in result.sent and key not in acked_keys)
    if null_keys:
        audit.examples.append(f"{null_keys} items without an idempotency key in the database")
        audit.duplicated += null_keys
    return audit


def check_over_http(server: Server, acks: list[Ack], sample: int = 100) -> tuple[int, int, int, int]:
    """Track a sample of acknowledged codes and replay a sample of filings; returns
    (tracked ok, tracked, replays answering 200 with the same codes, replays)."""
    rng = random.Random(5)
    picked = rng.sample(acks, min(sample, len(acks)))
    tracked_ok = replay_ok = replays = 0
    with httpx.Client(base_url=server.base_url, timeout=30.0, trust_env=False) as http:
        codes = [code for ack in picked for code in ack.codes]
        for code in codes:
            tracked_ok += http.get(f"{OURS_PATH}/{code}").status_code == 200
        for ack in picked[:20]:
            replays += 1
            response = http.post(OURS_PATH, json=ack.body, headers={"Idempotency-Key": ack.key})
            replay_ok += response.status_code == 200 and _codes(response) == ack.codes
    return tracked_ok, len(codes), replay_ok, replays


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    _common.OUT.mkdir(parents=True, exist_ok=True)
    log(f"complaint intake benchmark: db={args.db} entities={args.entities:,} clients={args.clients} "
        f"seconds={args.seconds} warmup={args.warmup} crash={args.crash}; {load()}")
    url = our_database(args)
    bare_url = bare_database(args)
    respondents = sample_respondents(url, args.samples)
    log(f"respondents: {len(respondents):,} sampled entities, e.g. {respondents[0].name} {respondents[0].uscc}")

    base_env = {k: v for k, v in os.environ.items() if not k.startswith("MARKETREG_")}
    env = {**base_env, "MARKETREG_DATABASE_URL": url, "MARKETREG_PUBLIC_RATE_LIMIT": "100000000/minute",
           "MARKETREG_TASK_BACKEND": "immediate", "MARKETREG_ENVIRONMENT": "test"}
    bare_env = {**base_env, "BENCH_BARE_DATABASE_URL": bare_url}
    ours = Server("ours", ["marketreg.app.main:create_app", "--factory"], env, "server_intake")
    bare = Server("bare", ["_intake_bare:app", "--app-dir", str(_common.BENCH)], bare_env, "server_intake")
    run_id = f"bench-{uuid.uuid4().hex[:8]}"
    tracked = None
    try:
        ours.start()
        bare.start()
        ours.wait_ready(READY_PATHS["ours"])
        bare.wait_ready(READY_PATHS["bare"])
        log(f"servers: ours on :{ours.port} (pid {ours.process.pid}), bare on :{bare.port} (pid {bare.process.pid})")
        ours_run = drive(ours, OURS_PATH, respondents, clients=args.clients, warmup=args.warmup,
                         seconds=args.seconds, run_id=run_id, crash=args.crash)
        if ours.process.poll() is None:
            tracked = check_over_http(ours, ours_run.result.acks)
        bare_run = drive(bare, BARE_PATH, respondents, clients=args.clients, warmup=args.warmup,
                         seconds=args.seconds, run_id=f"{run_id}-bare")
    finally:
        ours.stop()
        bare.stop()
    ours_per_s = summarize("ours", ours_run)
    bare_per_s = summarize("bare", bare_run)
    audit = count_in_database(url, run_id, ours_run.result)
    log(f"ours, counted in the database: acknowledged filings {audit.acked:,}, items of the run {audit.items:,}, "
        f"lost {audit.lost} (of which other codes than acknowledged {audit.mismatched}), "
        f"duplicated {audit.duplicated}, stored but unacknowledged at the end {audit.committed_unacked}, "
        f"stray keys {audit.stray}, items without their received step {audit.partial}")
    for line in audit.examples[:10]:
        log(f"  {line}")
    if tracked is not None:
        log(f"ours, over HTTP after the run: tracked {tracked[0]}/{tracked[1]} acknowledged query codes, "
            f"replays answering 200 with the same codes {tracked[2]}/{tracked[3]}")
    if not args.keep:
        _common.drop_database(args.db, name=f"intake_{args.entities}", schema=SCHEMA)
        _common.drop_database(args.db, name=BARE_NAME, schema=BARE_SCHEMA)
    log(f"done; {load()}")
    ratio = f"{ours_per_s / bare_per_s:.3f}" if bare_per_s else "nan"
    print(f"ratio={ratio} lost={audit.lost} duplicated={audit.duplicated}", flush=True)
    return 0 if audit.lost == 0 and audit.duplicated == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
