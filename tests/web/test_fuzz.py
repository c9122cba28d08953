"""Property-based fuzzing of the JSON API from its OpenAPI document (schemathesis, in process).

Every operation is called with generated input as an anonymous client (valid and invalid input),
as the province's administrator and as a county 12315 handler; any 5xx, or any response whose
status or body is not as documented (each operation documents its coded 4xx answers), fails the
test. Bounded: two examples per operation, user and mode.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance

from conftest import login

CHECKS = [not_a_server_error, response_schema_conformance]
POSITIVE, NEGATIVE = GenerationMode.POSITIVE, GenerationMode.NEGATIVE


@dataclass(frozen=True)
class Plan:
    """How one user fuzzes: (mode, examples) for public operations, for staff reads, for staff writes."""

    user: str | None
    public: tuple[tuple[GenerationMode, int], ...]
    staff_read: tuple[tuple[GenerationMode, int], ...]
    staff_write: tuple[tuple[GenerationMode, int], ...]

    def runs(self, operation) -> list[tuple[GenerationMode, int]]:
        writes = operation.method.upper() in {"POST", "PUT", "PATCH", "DELETE"}
        runs = self.public if "public" in operation.tags else self.staff_write if writes else self.staff_read
        return [(mode, n) for mode, n in runs if mode is POSITIVE or _negatable(operation)]


def _negatable(operation) -> bool:
    """Only a body or a query can be made invalid: any string is a valid path segment."""
    return bool(list(operation.body)) or any(p.location.value == "query" for p in operation.iter_parameters())


# Examples are few (the test stays near a minute on 2 cores) and spent where input reaches
# validation: an anonymous call to a staff operation stops at 401 whatever it sends.
PLANS = [Plan(None, public=((POSITIVE, 3), (NEGATIVE, 3)), staff_read=((POSITIVE, 1),), staff_write=((POSITIVE, 1),)),
         Plan("sd_admin", public=((POSITIVE, 2),), staff_read=((POSITIVE, 2),),  # the province: all allowed
              staff_write=((POSITIVE, 2), (NEGATIVE, 2))),
         Plan("lx_handler", public=((POSITIVE, 1),), staff_read=((POSITIVE, 2),),  # a county 12315 handler
              staff_write=((POSITIVE, 2),))]


def _fuzz(operation, mode: GenerationMode, examples: int, headers: dict, cookies: dict, tally: Counter) -> str | None:
    """Up to ``examples`` generated calls of one operation; the failure, if any."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    def call(case):
        response = case.call(headers=headers, cookies=cookies)
        tally[response.status_code] += 1
        case.validate_response(response, checks=CHECKS)

    try:
        call()
    except Unsatisfiable:  # negative mode: this operation's input has no constraint to break
        return None
    except Exception as exc:  # every operation's failure is collected, then all are reported
        return f"{operation.label} ({mode.value}): {str(exc)[:800]}"
    return None


def test_the_api_never_answers_5xx_or_off_schema(client, monkeypatch):
    from marketreg.platform.settings import get_settings

    monkeypatch.setattr(get_settings(), "public_rate_limit", "100000/minute")
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    tally: Counter = Counter()
    failures = []
    for plan in PLANS:
        headers = {"X-CSRF-Token": login(client, plan.user)} if plan.user else {}
        cookies = dict(client.cookies) if plan.user else {}
        failures += [f for op in operations for mode, examples in plan.runs(op)
                     if (f := _fuzz(op, mode, examples, headers, cookies, tally))]
    print(f"fuzz: {len(operations)} operations, {sum(tally.values())} requests, statuses {dict(sorted(tally.items()))}")
    assert len(operations) >= 90
    assert sum(tally[s] for s in tally if s >= 500) == 0
    assert failures == [], "\n".join(failures)
