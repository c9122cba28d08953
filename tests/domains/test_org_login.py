"""Staff sign-in: argon2 passwords, lockout after repeated failures, logout ends the session."""

from __future__ import annotations

from sqlalchemy import select

from conftest import login
from marketreg.domains.org.models import User


def test_passwords_are_argon2id_hashes(session):
    user = session.scalar(select(User).where(User.username == "sd_admin"))
    assert user.password_hash.startswith("$argon2id$")


def test_wrong_password_shows_chinese_error(client):
    response = client.post("/staff/login", data={"username": "sd_admin", "password": "wrong"})
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text


def test_account_locks_after_repeated_failures_and_failures_are_kept(client, db):
    for _ in range(5):
        client.post("/staff/login", data={"username": "lx_inspector", "password": "nope"})
    response = client.post("/staff/login", data={"username": "lx_inspector", "password": "Demo@2026"})
    assert response.status_code == 423
    assert "锁定" in response.text
    with db.read() as s:
        assert s.scalar(select(User.locked_until).where(User.username == "lx_inspector")) is not None


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
