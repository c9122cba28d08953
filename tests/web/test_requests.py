"""Request handling: blocking work off the event loop, ids beyond the database's integer range,
coded answers for what Starlette refuses itself, body and attachment limits, client addresses
behind proxies, one public rate-limit bucket per client."""

from __future__ import annotations

import inspect

import pytest

from marketreg.web.routes import iter_routes


def test_no_route_runs_on_the_event_loop(app):
    """Routes are plain ``def``: FastAPI runs them in the thread pool, so their database, file and
    PDF work never blocks the event loop (16 routes were ``async def`` doing exactly that)."""
    on_loop = sorted(f"{sorted(i.methods)[0]} {i.path}" for i in iter_routes(app)
                     if inspect.iscoroutinefunction(i.route.endpoint))
    assert on_loop == []


@pytest.mark.parametrize("method,path,status,code", [
    ("PUT", "/api/v1/public/complaints", 405, "request.method_not_allowed"),
    ("GET", "/api/v1/no-such-thing", 404, "not_found"),
    ("GET", "/api/v1/public/complaints/ABC/rating", 405, "request.method_not_allowed"),
])
def test_starlettes_own_refusals_answer_in_the_coded_format(client, method, path, status, code):
    response = client.request(method, path)
    assert response.status_code == status
    assert response.json()["code"] == code and response.json()["message"]


def test_a_malformed_json_body_answers_a_coded_chinese_error(client):
    response = client.post("/api/v1/public/complaints", content=b'{"kind": ',
                           headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["code"] == "request.invalid"


def test_an_unknown_page_answers_a_chinese_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "页面或记录不存在" in response.text and response.headers["content-type"].startswith("text/html")


def _id_routes(app) -> list[tuple[str, str]]:
    """Every route with an integer path parameter, each such parameter set to a huge id."""
    out = []
    for info in iter_routes(app):
        params = {f.alias for f in info.route.dependant.path_params if f.field_info.annotation is int}
        if not params:
            continue
        path = info.path
        for f in info.route.dependant.path_params:
            value = str(2**63) if f.alias in params else "x"
            path = path.replace(f"{{{f.alias}:int}}", value).replace(f"{{{f.alias}}}", value)
        path = path.replace("{step}", "notice")
        out.append((sorted(info.methods)[0], path))
    return out


@pytest.mark.both_backends
def test_ids_beyond_the_databases_integer_range_answer_404(client):
    """Today ids above 2^63 reach the driver: 500 on SQLite (OverflowError), and on PostgreSQL
    already above 2^31 for integer columns."""
    from conftest import login

    csrf = login(client, "sd_admin")
    routes = _id_routes(client.app)
    assert len(routes) >= 90
    answers = {}
    for method, path in routes:
        for huge in (str(2**63), str(2**31)):
            response = client.request(method, path.replace(str(2**63), huge), headers={"X-CSRF-Token": csrf})
            answers[f"{method} {path} {huge}"] = response.status_code
    assert {k: v for k, v in answers.items() if v != 404} == {}


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" \
      b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
MB = 1024 * 1024


def _file_with(client, files: list[tuple[str, bytes, str]], key: str):
    data = {"kind": "complaint", "complainant_name": "王小明", "complainant_phone": "13912345678",
            "complainant_address": "济南市历下区泉城路100号", "respondent_name": "济南泉城示范超市有限公司",
            "respondent_address": "济南市历下区泉城路1号", "title": "买到过期牛奶", "platform_role": "none",
            "facts": "2026年11月在该超市购买的牛奶已过期三天，要求退货被拒绝。", "idempotency_key": key}
    return client.post("/complaints/new", data=data, files=[("files", f) for f in files])


def _stored_filings(db) -> tuple[int, int]:
    from sqlalchemy import func, select

    from marketreg.domains.complaints.models import Attachment, Item

    with db.read() as s:
        return (s.scalar(select(func.count()).select_from(Item)),
                s.scalar(select(func.count()).select_from(Attachment)))


def test_one_filings_attachments_together_are_limited(client, db):
    """Five files of just under 10 MB each were accepted (50 MB from one anonymous filing)."""
    before = _stored_filings(db)
    files = [(f"{n}.png", PNG + bytes(7 * MB), "image/png") for n in range(3)]  # 21 MB together
    response = _file_with(client, files, "too-much")
    assert response.status_code == 413
    assert 'data-code="complaints.attachments_too_large"' in response.text and "20MB" in response.text
    assert _stored_filings(db) == before


def test_a_body_over_the_request_limit_is_refused_before_the_app_runs(client, db):
    before = _stored_filings(db)
    files = [(f"{n}.png", PNG + bytes(9 * MB), "image/png") for n in range(3)]  # 27 MB: over the 25 MB limit
    response = _file_with(client, files, "way-too-much")
    assert response.status_code == 413 and 'data-code="request.too_large"' in response.text
    assert _stored_filings(db) == before


def test_the_public_portal_shares_one_bucket_per_client_across_routes(client, monkeypatch):
    """Each public route had its own bucket: a client got the allowance once per route."""
    from marketreg.platform.settings import get_settings

    monkeypatch.setattr(get_settings(), "public_rate_limit", "3/minute")
    paths = ["/entities?q=济南", "/penalties?q=济南", "/inspections", "/api/v1/public/inspections/plans"]
    assert [client.get(p).status_code for p in paths] == [200, 200, 200, 429]


def test_forwarded_for_is_believed_only_from_a_trusted_proxy(app, monkeypatch):
    from starlette.testclient import TestClient

    from marketreg.platform.settings import get_settings

    monkeypatch.setattr(get_settings(), "public_rate_limit", "2/minute")
    client = TestClient(app, client=("127.0.0.1", 40000))
    spoofed = [client.get("/inspections", headers={"X-Forwarded-For": f"10.0.0.{n}"}).status_code for n in range(3)]
    assert spoofed == [200, 200, 429]  # a client cannot pick a fresh address per request
    monkeypatch.setattr(get_settings(), "trusted_proxies", ["127.0.0.0/8"])
    app.state.limiter.reset()
    behind_proxy = [client.get("/inspections", headers={"X-Forwarded-For": f"203.0.113.9, 10.0.0.{n}"}).status_code
                    for n in range(3)]
    assert behind_proxy == [200, 200, 200]  # three clients as reported by the proxy


def test_writes_beyond_the_admission_queue_answer_503_with_retry_after_and_store_nothing(app, db):
    from starlette.testclient import TestClient

    from marketreg.web.deps import WriteGate

    app.state.write_gate = WriteGate(slots=0, wait=0.05, retry_after=7)  # every slot taken
    before = _stored_filings(db)
    with TestClient(app) as client:
        response = client.post("/api/v1/public/complaints", json={"kind": "consultation", "title": "咨询",
                                                                  "facts": "营业时间？", "complainant_name": "王",
                                                                  "complainant_phone": "13912345678"})
        assert client.get("/inspections").status_code == 200  # reads are not queued
    assert response.status_code == 503 and response.headers["retry-after"] == "7"
    assert response.json()["code"] == "overloaded"
    assert _stored_filings(db) == before


def test_a_body_that_does_not_arrive_in_time_answers_408_before_the_app_runs():
    from concurrent.futures import ThreadPoolExecutor

    import anyio
    from starlette.responses import Response

    from marketreg.web.body import BodyFirst

    reached = []

    async def app(scope, receive, send):
        reached.append(scope["path"])

    async def receive():
        if not sent:
            sent.append(True)
            return {"type": "http.request", "body": b"half", "more_body": True}
        await anyio.sleep(10)  # the rest never comes

    messages = []

    async def send(message):
        messages.append(message)

    sent: list[bool] = []
    middleware = BodyFirst(app, limit_for=lambda path: 1000, timeout=0.05,
                           refuse=lambda request, exc: Response(status_code=408))
    scope = {"type": "http", "method": "POST", "path": "/x", "headers": [], "query_string": b""}
    # its own thread: a browser test earlier in this worker may leave an event loop running in this one
    with ThreadPoolExecutor(1) as pool:
        pool.submit(anyio.run, middleware, scope, receive, send).result()
    assert messages[0]["status"] == 408 and reached == []
