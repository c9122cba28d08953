"""Every refusal becomes a 4xx with a Chinese message and a stable machine code."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from slowapi.errors import RateLimitExceeded

from marketreg.kernel.errors import DomainError
from marketreg.web.templating import templates


class LoginRequired(Exception):
    """Raised by the auth dependency when nobody is signed in."""


class EnterpriseLoginRequired(LoginRequired):
    """Raised by the enterprise pages' dependency when nobody is signed in."""


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def error_response(request: Request, *, status: int, code: str, message: str, details: dict | None = None) -> Response:
    if wants_json(request):
        body = {"code": code, "message": message}
        if details:
            body["details"] = details
        return JSONResponse(body, status_code=status)
    if request.headers.get("hx-request"):
        return HTMLResponse(f'<div class="alert alert-error" role="alert" data-code="{code}">{message}</div>',
                            status_code=status)
    return templates.TemplateResponse(request, "error.html", {"code": code, "message": message,
                                                              "status": status}, status_code=status)


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain_error(request: Request, exc: DomainError) -> Response:
        details = {k: v for k, v in exc.details.items() if isinstance(v, str | int | float | list | dict)}
        return error_response(request, status=exc.status, code=exc.code, message=exc.message_zh,
                              details=details or None)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        skip = ("body", "query", "path")
        fields = [".".join(str(p) for p in e.get("loc", ()) if p not in skip) for e in exc.errors()]
        message = "请求参数有误：" + "、".join(f for f in fields if f) if any(fields) else "请求参数有误"
        return error_response(request, status=422, code="request.invalid", message=message,
                              details={"fields": [f for f in fields if f]})

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        if wants_json(request) or request.headers.get("hx-request"):
            return error_response(request, status=401, code="auth.login_required", message="请先登录")
        login = "/enterprise/login" if isinstance(exc, EnterpriseLoginRequired) else "/staff/login"
        return RedirectResponse(f"{login}?next={request.url.path}", status_code=303)

    @app.exception_handler(RateLimitExceeded)
    async def _rate_limited(request: Request, exc: RateLimitExceeded) -> Response:
        return error_response(request, status=429, code="rate_limited", message="访问过于频繁，请稍后再试")

    @app.exception_handler(404)
    async def _not_found(request: Request, exc: Exception) -> Response:
        return error_response(request, status=404, code="not_found", message="页面或记录不存在")
