"""Every refusal becomes a 4xx with a Chinese message and a stable machine code."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from slowapi.errors import RateLimitExceeded
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException

from marketreg.kernel.errors import DomainError
from marketreg.platform.security import HashingBusy
from marketreg.web.body import BodyTooLarge
from marketreg.web.templating import templates

# Statuses Starlette and FastAPI raise themselves (unknown route, wrong method, unparsable body…).
HTTP_CODES = {
    400: ("request.malformed", "请求格式有误"),
    401: ("auth.login_required", "请先登录"),
    403: ("auth.forbidden", "无权访问"),
    404: ("not_found", "页面或记录不存在"),
    405: ("request.method_not_allowed", "不支持该请求方式"),
    408: ("request.timeout", "请求发送超时，请重试"),
    413: ("request.too_large", "提交的内容过大"),
    415: ("request.unsupported_media_type", "不支持的内容类型"),
}
# Every coded refusal an operation can give, as documented in the OpenAPI responses of each
# operation (web.routes.document_errors picks the statuses that apply to it).
ERROR_STATUSES = {
    400: "业务规则拒绝（如 complaints.deadline_passed）或请求格式有误（request.malformed）",
    401: "未登录（auth.login_required）",
    403: "无此权限、仅限工作人员/企业用户，或 CSRF 校验失败（auth.csrf）",
    404: "记录不存在或不在本辖区（not_found，含超出整数范围的编号）",
    409: "与记录当前状态冲突（如 complaints.idempotency_key_reused）",
    413: "提交内容或附件合计过大（request.too_large、*.attachments_too_large）",
    415: "附件类型不被接受（*.file_type_not_allowed、*.file_type_mismatch）",
    422: "请求参数有误（request.invalid，details.fields 列出字段）",
    429: "访问过于频繁（rate_limited、auth.throttled），见 Retry-After",
    503: "系统繁忙（overloaded），见 Retry-After，稍后重试",
}
ERROR_SCHEMA = {"type": "object", "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                               "details": {"type": "object"}}}
# PostgreSQL: lock_not_available, serialization_failure, deadlock_detected, query_canceled (timeouts)
BUSY_SQLSTATES = {"55P03", "40001", "40P01", "57014"}
OVERLOAD = ("overloaded", "系统繁忙，请稍后再试")


class LoginRequired(Exception):
    """Raised by the auth dependency when nobody is signed in."""


class EnterpriseLoginRequired(LoginRequired):
    """Raised by the enterprise pages' dependency when nobody is signed in."""


class Overloaded(Exception):
    """Too many writes waiting: answer 503 with ``Retry-After`` (raised before any lock is taken)."""

    def __init__(self, retry_after: int):
        super().__init__(f"overloaded; retry after {retry_after} s")
        self.retry_after = retry_after


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


def http_error(request: Request, status: int, headers: dict[str, str] | None = None) -> Response:
    code, message = HTTP_CODES.get(status, (f"http.{status}", "请求无法处理"))
    response = error_response(request, status=status, code=code, message=message)
    response.headers.update(headers or {})
    return response


def overloaded(request: Request, retry_after: int) -> Response:
    response = error_response(request, status=503, code=OVERLOAD[0], message=OVERLOAD[1])
    response.headers["Retry-After"] = str(retry_after)
    return response


def body_refused(request: Request, exc: Exception) -> Response:
    """The answer of ``web.body.BodyFirst`` to a body too large (413) or too slow (408)."""
    return http_error(request, 413 if isinstance(exc, BodyTooLarge) else 408)


def database_busy(exc: OperationalError) -> bool:
    """A lock or busy timeout (SQLite ``database is locked``, PostgreSQL lock/serialisation
    failures): the request may be retried, so it is an overload, not a server fault."""
    orig = exc.orig
    return "database is locked" in str(orig) or getattr(orig, "sqlstate", None) in BUSY_SQLSTATES


def install(app: FastAPI, *, retry_after: int) -> None:
    @app.exception_handler(DomainError)
    async def _domain_error(request: Request, exc: DomainError) -> Response:
        details = {k: v for k, v in exc.details.items() if isinstance(v, str | int | float | list | dict)}
        return error_response(request, status=exc.status, code=exc.code, message=exc.message_zh,
                              details=details or None)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        if all(e.get("loc", ("",))[0] == "path" for e in exc.errors()):
            # a malformed or out-of-range id names no record (ids beyond the database's integer range too)
            return http_error(request, 404)
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

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        return http_error(request, exc.status_code, exc.headers)

    @app.exception_handler(Overloaded)
    async def _overloaded(request: Request, exc: Overloaded) -> Response:
        return overloaded(request, exc.retry_after)

    @app.exception_handler(HashingBusy)
    async def _hashing_busy(request: Request, exc: HashingBusy) -> Response:
        return overloaded(request, retry_after)

    @app.exception_handler(PoolTimeout)
    async def _pool_exhausted(request: Request, exc: PoolTimeout) -> Response:
        return overloaded(request, retry_after)

    @app.exception_handler(OperationalError)
    async def _database_busy(request: Request, exc: OperationalError) -> Response:
        if not database_busy(exc):
            raise exc
        return overloaded(request, retry_after)
