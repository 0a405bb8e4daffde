"""Property-based requests generated from the OpenAPI schema: no input yields a 5xx, for
the fleet answer."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import schemathesis
from hypothesis import HealthCheck, settings


# Each fleet request plans every model over every GPU (seconds each on a busy machine).
@pytest.mark.timeout(1200)
@schemathesis.pytest.from_fixture("api_schema").include(path_regex=r"^/fleet").parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_fleet_request_gets_a_server_error(
    case: schemathesis.Case, answered_below_500: Callable[[schemathesis.Case], None]
) -> None:
    answered_below_500(case)
