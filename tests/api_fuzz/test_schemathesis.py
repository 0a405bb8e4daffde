"""Property-based requests generated from the OpenAPI schema: no input yields a 5xx, for
every operation but the fleet and the planner's
plan answers, which have files of their own."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import schemathesis
from hypothesis import HealthCheck, settings


# Some 40 operations, 25 examples each: the default 600 s does not cover them on a busy machine.
@pytest.mark.timeout(1800)
@(
    schemathesis.pytest.from_fixture("api_schema")
    .exclude(path_regex=r"^/(fleet|plan/plan)")
    .parametrize()
)
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_gets_a_server_error(
    case: schemathesis.Case, answered_below_500: Callable[[schemathesis.Case], None]
) -> None:
    answered_below_500(case)
