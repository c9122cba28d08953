"""Writes under load and faults, through a real uvicorn server on SQLite and PostgreSQL.

The request body is read before a write transaction opens, so a client that sends its body
slowly holds nothing; overload answers 503 with ``Retry-After`` before any lock is taken, never
500; sign-in hashes passwords outside the write transaction.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from argon2 import PasswordHasher
from sqlalchemy import func, select, text

from conftest import build_database, database_url
from marketreg.app.demo import DEMO_PASSWORD
from marketreg.domains.complaints.models import Item
from marketreg.domains.registry.models import Entity
from marketreg.platform import db as platform_db
from marketreg.platform.db import Sessions
from marketreg.platform.settings import get_settings

pytestmark = pytest.mark.both_backends
FILINGS = 50


@dataclass(frozen=True)
class Live:
    base_url: str
    sessions: Sessions
    port: int
    uscc: str  # an entity of 历下区


def _seed_entity(sessions: Sessions) -> str:
    from marketreg.domains.reference import service as reference
    from marketreg.domains.registry import seed as registry_seed

    with sessions.read() as session:
        counties = [registry_seed.County(*r) for r in reference.county_rows(session) if r[0] == "370102"]
        industries = reference.industry_leaves_by_section(session)
    rows = registry_seed.generate_entities(1, counties=counties, industries=industries, seed=5, start=20_000_000)
    registry_seed.insert_generated(sessions, rows)
    with sessions.read() as session:
        return session.scalar(select(Entity.uscc))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def live(backend, tmp_path_factory) -> Iterator[Live]:
    """The real app in uvicorn (in a thread) over its own committed database."""
    from marketreg.app.main import create_app
    from marketreg.web.ratelimit import limiter

    engine = build_database(database_url(backend, tmp_path_factory, "writes"))
    sessions = Sessions(engine)
    uscc = _seed_entity(sessions)
    previous = platform_db._current
    limiter.reset()
    app = create_app(sessions=sessions, start_workers=False)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield Live(f"http://127.0.0.1:{port}", sessions, port, uscc)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        platform_db._current = previous
        engine.dispose()


def _filing(n: int) -> dict:
    return {"kind": "complaint", "complainant_name": "王小明", "complainant_phone": f"139{n:08d}",
            "complainant_address": "济南市历下区泉城路100号", "respondent_name": "济南泉城示范超市有限公司",
            "respondent_address": "济南市历下区泉城路1号", "title": f"买到过期牛奶{n}",
            "facts": "2026年11月在该超市购买的牛奶已过期三天，要求退货被拒绝。", "request": "退货并赔偿"}


def _file(base_url: str, n: int, key: str) -> httpx.Response:
    with httpx.Client(base_url=base_url, timeout=120) as client:
        return client.post("/api/v1/public/complaints", json=_filing(n), headers={"Idempotency-Key": key})


def _stored(sessions: Sessions, key: str) -> int:
    with sessions.read() as session:
        return session.scalar(select(func.count()).select_from(Item).where(Item.idempotency_key == key))


def _assert_no_server_error(responses: list[httpx.Response]) -> None:
    errors = [(r.status_code, r.text[:200]) for r in responses
              if r.status_code >= 500 and not (r.status_code == 503 and r.headers.get("retry-after"))]
    assert errors == [], f"{len(errors)} server errors: {errors[:3]}"


def _staff_client(base_url: str, username: str) -> tuple[httpx.Client, str]:
    """A signed-in staff client and its CSRF token (read from the page's sign-out form)."""
    client = httpx.Client(base_url=base_url, timeout=120)
    response = client.post("/staff/login", data={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 303, response.text[:300]
    page = client.get("/staff/enforcement/clues").text
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    return client, csrf


class SlowBody:
    """A raw HTTP client that sends its headers and half its body, then waits (a slow uplink)."""

    def __init__(self, port: int, path: str, headers: dict[str, str], body: bytes):
        self.sock = socket.create_connection(("127.0.0.1", port))
        head = "".join(f"{k}: {v}\r\n" for k, v in {**headers, "Content-Length": str(len(body))}.items())
        self.rest = body[len(body) // 2:]
        self.sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}\r\n".encode() + body[:len(body) // 2])

    def finish(self) -> int:
        self.sock.sendall(self.rest)
        status = int(self.sock.recv(65536).split(b" ", 2)[1])
        self.sock.close()
        return status


def test_concurrent_filings_answer_2xx_or_503_and_each_2xx_is_stored_once(live):
    with ThreadPoolExecutor(FILINGS) as pool:
        keys = [f"load-{n}" for n in range(FILINGS)]
        responses = list(pool.map(lambda n: _file(live.base_url, n, keys[n]), range(FILINGS)))
    _assert_no_server_error(responses)
    for key, response in zip(keys, responses, strict=True):
        assert response.status_code in (201, 503), response.text[:200]
        assert _stored(live.sessions, key) == (1 if response.status_code == 201 else 0)
    assert sum(r.status_code == 201 for r in responses) > 0


def test_a_slow_body_does_not_block_other_writes(live):
    """The credit override route looks the entity up before it reads its body: today that opens
    the write transaction (BEGIN IMMEDIATE on SQLite) and waits on the client inside it."""
    client, csrf = _staff_client(live.base_url, "sd_admin")
    body = json.dumps({"risk_class": "B", "reason": "人工复核"}).encode()
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    slow = SlowBody(live.port, f"/api/v1/credit/entities/{live.uscc}/class",
                    {"Cookie": cookie, "X-CSRF-Token": csrf, "Content-Type": "application/json"}, body)
    try:
        time.sleep(0.5)  # the slow client's request has reached the app and is waiting for its body
        with ThreadPoolExecutor(4) as pool:
            responses = list(pool.map(lambda n: _file(live.base_url, 1000 + n, f"slow-{n}"), range(4)))
        assert [r.status_code for r in responses] == [201] * 4, [r.text[:200] for r in responses]
    finally:
        status = slow.finish()
        client.close()
    assert status == 409  # its own coded answer (the entity has no class to override yet), not a 500


class ProbingHasher(PasswordHasher):
    """The real argon2 hasher that, while it verifies, looks whether any write transaction of
    the application is open (SQLite: can another connection take the write lock at once;
    PostgreSQL: does another connection hold any lock on a table of this test's schema)."""

    def __init__(self, engine, **kwargs):
        super().__init__(**kwargs)
        self.engine = engine
        self.seen_open: list[bool] = []

    def verify(self, hash, password):
        self.seen_open.append(_write_transaction_open(self.engine))
        return super().verify(hash, password)


def _write_transaction_open(engine) -> bool:
    if engine.dialect.name == "sqlite":
        probe = sqlite3.connect(engine.url.database, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            probe.close()
    with engine.connect() as conn:
        return bool(conn.scalar(text(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema() AND l.pid <> pg_backend_pid()")))


def test_passwords_are_verified_outside_any_write_transaction(live, monkeypatch):
    from marketreg.platform import security

    probe = ProbingHasher(live.sessions.engine, time_cost=1, memory_cost=1024)
    monkeypatch.setattr(security, "_hasher", probe)
    with httpx.Client(base_url=live.base_url, timeout=60) as client:
        good = client.post("/staff/login", data={"username": "lx_handler", "password": DEMO_PASSWORD})
        bad = client.post("/staff/login", data={"username": "lx_handler", "password": "wrong-password"})
    assert (good.status_code, bad.status_code) == (303, 401)
    assert probe.seen_open == [False, False]


def test_a_storm_of_bad_logins_does_not_stall_other_sign_ins(live, monkeypatch):
    """160 wrong passwords from 40 concurrent clients behind a trusted proxy, while others sign in."""
    from marketreg.web.ratelimit import login_throttle

    monkeypatch.setattr(get_settings(), "trusted_proxies", ["127.0.0.1"])
    login_throttle.reset()

    def attempt(n: int) -> httpx.Response:
        good = n % 20 == 0
        with httpx.Client(base_url=live.base_url, timeout=120) as client:
            return client.post("/staff/login", headers={"X-Forwarded-For": f"10.1.{n % 3}.{1 if good else 2}"},
                               data={"username": "lx_officer" if good else f"user{n % 7}",
                                     "password": DEMO_PASSWORD if good else "guess"})

    with ThreadPoolExecutor(40) as pool:
        responses = list(pool.map(attempt, range(168)))
    _assert_no_server_error(responses)
    good = [r.status_code for n, r in enumerate(responses) if n % 20 == 0]
    bad = {r.status_code for n, r in enumerate(responses) if n % 20}
    assert good == [303] * len(good)
    assert bad <= {401, 429, 503} and 429 in bad  # the guessing addresses are slowed down
