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
    response = client.post("/api/v1/public/complaints", content=b'{"kind": ', headers={"content-type": "application/json"})
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
