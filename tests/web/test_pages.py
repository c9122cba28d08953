"""web.pages.page_action: the one shape of every form post (savepoint → action → refusal or redirect)."""

from __future__ import annotations

import pytest
from fastapi.responses import Response
from sqlalchemy import select

from marketreg.domains.org.models import OrgUnit
from marketreg.kernel.errors import DomainError
from marketreg.web.pages import page_action


def _write_then(session, refuse: bool):
    def act():
        session.add(OrgUnit(code="T-PAGE", name="测试单位", level="county", path="/t-page/"))
        session.flush()
        if refuse:
            raise DomainError("test.refused", "不行")
        return "T-PAGE"
    return act


def _written(session) -> bool:
    return session.scalar(select(OrgUnit.id).where(OrgUnit.code == "T-PAGE")) is not None


def test_a_refusal_undoes_the_write_and_renders_the_page_with_the_reason(session):
    seen = []
    response = page_action(session, _write_then(session, refuse=True),
                           refused=lambda exc: seen.append(exc.code) or Response("form again", status_code=400),
                           done="/unused")
    assert (response.status_code, response.body, seen) == (400, b"form again", ["test.refused"])
    assert not _written(session)


def test_without_a_page_to_show_again_the_refusal_reaches_the_error_handler(session):
    with pytest.raises(DomainError, match="不行"):
        page_action(session, _write_then(session, refuse=True), done="/unused")
    assert not _written(session)


def test_success_keeps_the_write_and_redirects_to_the_result(session):
    response = page_action(session, _write_then(session, refuse=False), done=lambda code: f"/units/{code}")
    assert (response.status_code, response.headers["location"]) == (303, "/units/T-PAGE")
    assert _written(session)
    answered = page_action(session, lambda: None, done=lambda _: Response("saved"))
    assert answered.body == b"saved"
