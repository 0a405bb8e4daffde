"""A server that stops answering while `bench run` measures the prompts on its tokenize route
ended the run with ~116 lines of traceback (ConnectionRefusedError); it is a clear error now,
like an unreachable endpoint's."""

from __future__ import annotations

import pytest

from conftest_pg import free_port
from gpuatlas.bench.exact_prompts import ServerTokenizer
from gpuatlas.errors import InvalidRequestError

pytestmark = pytest.mark.unit


def test_a_server_gone_mid_measurement_is_a_clear_error() -> None:
    counter = ServerTokenizer(f"http://127.0.0.1:{free_port()}", "tiny")
    with pytest.raises(InvalidRequestError, match="stopped answering while the prompts"):
        counter.count("a prompt")
