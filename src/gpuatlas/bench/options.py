"""What the user asked for on the command line, shared by every runner."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from gpuatlas.bench.access import EndpointAccess

DEFAULT_REPEATS = 5
DEFAULT_FIRST_REQUEST_RETRIES = 3


@dataclass(frozen=True)
class RunOptions:
    endpoint: str | None = None
    model: str | None = None
    api: str | None = None
    concurrency: int | None = None
    rate_rps: float | None = None
    requests: int | None = None
    duration_s: float | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    repeats: int = DEFAULT_REPEATS
    warmup_requests: int | None = None
    timeout_s: float = 600.0
    seed: int = 0
    ignore_eos: bool = True
    slo_ttft_ms: float | None = None
    slo_tpot_ms: float | None = None
    slo_e2e_ms: float | None = None
    allow_cpu: bool = False
    device: str | None = None
    overrides: dict[str, Any] = field(default_factory=dict)  # runner params (steps, batch...)
    access: EndpointAccess = EndpointAccess()  # https checks, API key, extra headers
    first_request_retries: int = DEFAULT_FIRST_REQUEST_RETRIES  # before giving up on a server
    tokenizer: str | None = None  # "auto", "server", "none" or a tokenizer.json path
    weights: str | None = None  # the weights served (file name, quantization): run identity
    input_tokens_stddev: float = 0.0  # per-request input lengths ~ normal(input_tokens, this)
    output_tokens_stddev: float = 0.0
    dataset: str | None = None  # JSONL prompts or ShareGPT-style JSON (bench/workloads.py)

    def problems(self) -> list[str]:
        """Every inconsistency at once (InvalidRequestError lists them together)."""
        found = []
        if self.repeats < 1:
            found.append("--repeats must be at least 1")
        if self.concurrency is not None and self.concurrency < 1:
            found.append("--concurrency must be at least 1")
        if self.rate_rps is not None and self.rate_rps <= 0:
            found.append("--rate must be positive")
        if self.input_tokens_stddev < 0 or self.output_tokens_stddev < 0:
            found.append("--input-tokens-stddev/--output-tokens-stddev must be 0 or more")
        if self.first_request_retries < 0:
            found.append("--retries must be 0 or more")
        if self.requests is not None and self.requests < 1:
            found.append("--requests must be at least 1")
        if self.requests is not None and self.duration_s is not None:
            found.append("give --requests or --duration, not both")
        for name in ("input_tokens", "output_tokens"):
            value = getattr(self, name)
            if value is not None and value < 1:
                found.append(f"--{name.replace('_', '-')} must be at least 1")
        return found


class Reporter(Protocol):
    """Where runners report progress (the CLI draws rich progress bars)."""

    def start(self, description: str, total: int | None) -> None: ...

    def update(self, completed: int, rates: str) -> None: ...

    def finish(self) -> None: ...


class SilentReporter:
    def start(self, description: str, total: int | None) -> None:
        return None

    def update(self, completed: int, rates: str) -> None:
        return None

    def finish(self) -> None:
        return None
