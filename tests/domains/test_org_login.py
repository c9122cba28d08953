"""Staff sign-in: argon2 passwords, throttling with a growing delay (never a lockout, the same
for unknown and real names), logout ends the session."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from conftest import login
from marketreg.domains.org.models import User
from marketreg.platform.audit import AuditEvent
from marketreg.web.ratelimit import login_throttle

FREE = 5  # settings.login_free_failures_per_account


def test_passwords_are_argon2id_hashes(session):
    user = session.scalar(select(User).where(User.username == "sd_admin"))
    assert user.password_hash.startswith("$argon2id$")


def test_wrong_password_shows_chinese_error(client):
    response = client.post("/staff/login", data={"username": "sd_admin", "password": "wrong"})
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text


def _attempts(client, username: str, n: int, address: str = "testclient") -> list[tuple[int, str, str]]:
    """(status, code, Retry-After) of n wrong passwords; the page's data-code carries the code."""
    out = []
    for _ in range(n):
        response = client.post("/staff/login", data={"username": username, "password": "nope"})
        code = re.search(r'data-code="([a-z_.]+)"', response.text)
        out.append((response.status_code, code.group(1) if code else "", response.headers.get("retry-after", "")))
    return out


def test_unknown_and_real_names_get_the_same_answers_throttling_included(client):
    real = _attempts(client, "lx_inspector", FREE + 2)
    login_throttle.reset()
    unknown = _attempts(client, "no_such_user", FREE + 2)
    assert real == unknown
    assert real[0][:2] == (401, "auth.bad_credentials")
    assert real[-1][:2] == (429, "auth.throttled") and int(real[-1][2]) >= 1


def test_repeated_failures_delay_the_account_without_locking_it(client, db):
    """Today five wrong passwords lock any named account for 15 minutes (a victim lockout, 423)."""
    _attempts(client, "lx_inspector", FREE)
    throttled = client.post("/staff/login", data={"username": "lx_inspector", "password": "Demo@2026"})
    assert throttled.status_code == 429 and "请" in throttled.text
    wait = int(throttled.headers["retry-after"])
    assert 1 <= wait <= 2  # the first delay is short and grows with further failures
    login_throttle.storage.clear("login:account:lx_inspector:wait")  # the delay has passed
    assert client.post("/staff/login", data={"username": "lx_inspector", "password": "Demo@2026"},
                       follow_redirects=False).status_code == 303
    with db.read() as s:
        failed = s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "auth.login_failed"))
    assert failed == FREE


def test_the_delay_doubles_with_each_further_failure(client):
    waits = []
    for _ in range(4):
        _attempts(client, "sd_admin", 1 if waits else FREE)
        waits.append(login_throttle.wait_seconds("testclient", "sd_admin"))
        login_throttle.storage.clear("login:account:sd_admin:wait")
    assert waits == [1, 2, 4, 8]


def test_logout_ends_the_server_side_session(client):
    csrf = login(client, "sd_admin")
    token = client.cookies.get("mr_session")
    assert client.get("/staff/", follow_redirects=False).status_code == 200
    client.post("/staff/logout", data={"csrf_token": csrf})
    client.cookies.set("mr_session", token)  # a stolen cookie replayed after logout
    assert client.get("/staff/", follow_redirects=False).status_code == 303


def test_login_redirect_target_cannot_leave_the_site(client):
    response = client.post("/staff/login", data={"username": "sd_admin", "password": "Demo@2026",
                                                 "next": "//evil.example/"}, follow_redirects=False)
    assert response.headers["location"] == "/staff/"
