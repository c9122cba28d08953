"""The one error type users see: a stable machine code plus a Chinese message."""

from __future__ import annotations


class DomainError(Exception):
    """A refusal that the caller can show to a person.

    ``code`` is stable and English (``registry.uscc_invalid``); ``message_zh`` is what the
    user reads; ``status`` is the HTTP status the web layer maps it to (always 4xx).
    """

    status: int = 400

    def __init__(self, code: str, message_zh: str, *, status: int | None = None, **details: object):
        super().__init__(f"{code}: {message_zh}")
        self.code = code
        self.message_zh = message_zh
        if status is not None:
            self.status = status
        self.details = details


class NotFound(DomainError):
    status = 404


class PermissionDenied(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409
