"""Real deployments: https with certificate checks (a test CA, --ca-cert, --insecure), API
keys (--api-key, $OPENAI_API_KEY), extra headers, OpenAI-style /v1 base URLs, and a failing
first request retried. Against a real llama.cpp server behind a local TLS proxy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from proxy_support import Proxy
from typer.testing import CliRunner

from gpuatlas.cli.main import app
from gpuatlas.records.result import load_result

SHORT_RUN = (
    "--model",
    "tiny-llama",
    "--requests",
    "3",
    "--concurrency",
    "1",
    "--input-tokens",
    "16",
    "--output-tokens",
    "6",
    "--repeats",
    "1",
    "--warmup",
    "0",
)
API_KEY = "test-secret-key"  # tests/bench/conftest.py SECURED_API_KEY


def _bench(*arguments: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    outcome = CliRunner().invoke(
        app, ["bench", "run", "llm-serving-qwen3-4b-c16", *arguments, *SHORT_RUN], env=env
    )
    return outcome.exit_code, outcome.output


def test_https_with_a_trusted_ca_an_api_key_and_a_v1_url(
    secured_llama_server: tuple[str, Any, Proxy], tmp_path: Path
) -> None:
    url, certificates, proxy = secured_llama_server
    target = tmp_path / "tls.json"
    code, output = _bench(
        "--endpoint",
        f"{url}/v1",
        "--ca-cert",
        str(certificates.ca_file),
        "--api-key",
        API_KEY,
        "--header",
        "X-Trace: run-42",
        "-o",
        str(target),
    )
    assert code == 0, output
    result = load_result(target)
    assert result.failures == {}
    assert {s.output_tokens for s in result.samples if not s.warmup} == {6}
    assert all(s.ttft_ms is not None and 0 < s.ttft_ms <= (s.e2e_ms or 0) for s in result.samples)
    posts = [head for head in proxy.heads if head.startswith("POST")]
    requests = [head for head in posts if head.startswith("POST /v1/")]
    assert requests and all(head.startswith("POST /v1/completions ") for head in requests)
    assert all(
        f"Authorization: Bearer {API_KEY}" in head and "X-Trace: run-42" in head for head in posts
    )  # the tokenize calls too
    assert result.settings.extra["input_length_method"] == "server /extras/tokenize"


def test_an_untrusted_certificate_is_refused_unless_insecure(
    secured_llama_server: tuple[str, Any, Proxy],
) -> None:
    url = secured_llama_server[0]
    code, output = _bench("--endpoint", url, "--api-key", API_KEY)
    assert code != 0
    assert "cannot verify the TLS certificate" in output and "--ca-cert" in output
    code, output = _bench("--endpoint", url, "--api-key", API_KEY, "--insecure")
    assert code == 0, output


def test_the_api_key_comes_from_openai_api_key_and_a_missing_one_is_explained(
    secured_llama_server: tuple[str, Any, Proxy],
) -> None:
    url, certificates, _ = secured_llama_server
    trust = ("--endpoint", url, "--ca-cert", str(certificates.ca_file))
    code, output = _bench(*trust, env={"OPENAI_API_KEY": API_KEY})
    assert code == 0, output
    code, output = _bench(*trust, env={"OPENAI_API_KEY": ""})
    assert code != 0
    assert "--api-key" in output


def test_a_failing_first_request_is_retried(llama_server: str) -> None:
    host, port = llama_server.removeprefix("http://").split(":")
    flaky = Proxy(host, int(port), fail_first_posts=2)
    url = flaky.start()
    try:
        code, output = _bench("--endpoint", url, "--retries", "3")
        assert code == 0, output
        assert "retry 2 of 3" in output
        flaky.fail_first_posts = 5
        code, output = _bench("--endpoint", url, "--retries", "1")
    finally:
        flaky.stop()
    assert code != 0
    assert "http_503" in output and "after 1 retries" in output


@pytest.mark.parametrize("suffix", ["", "/", "/v1", "/v1/"])
def test_base_urls_with_or_without_v1(llama_server: str, suffix: str) -> None:
    code, output = _bench("--endpoint", llama_server + suffix)
    assert code == 0, output
