"""Request slots of llama.cpp and Ollama servers (performance/data/server_slots.toml): requests
beyond the slots wait in the server's queue, so N streams are served at batch min(N, slots)."""

from __future__ import annotations

import math

import pytest

from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.catalog.systems import build_system
from gpuatlas.economics.simulation_step_times import EstimatorStepSource
from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance.cases import Case, predict_case
from gpuatlas.performance.llm.predict import llm_runtime
from gpuatlas.performance.llm.server_slots import server_slots
from gpuatlas.performance.llm.vectorised import predict_llm_many
from gpuatlas.performance.slot_defaults import default_slots, single_slot_rule, version_key

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("engine", "text", "slots", "automatic"),
    [
        ("ollama", "Ollama 0.1.48", 1, False),  # envconfig NumParallel = 1
        ("ollama", "Ollama 0.2.0", 4, True),  # Autoselect: defaultParallel = 4
        ("ollama", "ollama 0.5.7", 4, True),
        ("ollama", "Ollama 0.6.7", 2, True),  # 'lower default num parallel to 2'
        ("ollama", "Ollama 0.9.6", 2, True),
        ("ollama", "Ollama 0.10.0", 1, False),  # PR #11330: default 1
        ("ollama", "Ollama 0.12.6", 1, False),
        ("ollama", None, 1, False),  # unstated: the newest release
        ("ollama", "ollama (run of 2025-03-01)", 4, True),  # dated: 0.5.x then
        ("ollama", "ollama (run of 2025-06-15)", 2, True),
        ("llama.cpp", "llama.cpp b5540", 1, False),  # n_parallel = 1
        ("llama.cpp", "llama.cpp b7079", 4, False),  # PR #16736: auto = 4 slots
        ("llama.cpp", None, 4, False),
    ],
)
def test_default_slots_by_release(
    engine: str, text: str | None, slots: int, automatic: bool
) -> None:
    found = default_slots(engine, text)
    assert found is not None
    assert (found.slots, found.fits_or_one) == (slots, automatic)


def test_batching_servers_have_no_slot_rule() -> None:
    assert default_slots("vllm", "vllm 0.10.1") is None


def test_version_key_reads_builds_and_releases() -> None:
    assert version_key("llama.cpp b5540") == ("build", (5540,))
    assert version_key("Ollama v0.12.6") == ("semver", (0, 12, 6))
    assert version_key("ollama (run of 2025-09-06)") is None


def _serving(engine_text: str, batch: int, slots: int | None = None, **kw: object) -> float:
    engine = engine_text.split()[0]
    case = Case(
        gpu=str(kw.get("gpu", "rtx-4090")),
        gpu_count=1,
        model=str(kw.get("model", "llama-3.1-8b")),
        weights=str(kw.get("weights", "q4_k_m")),
        engine=engine,
        batch=batch,
        input_tokens=100,
        output_tokens=136,
        metric="serving_output_tok_s",
        engine_text=engine_text if " " in engine_text else None,
        server_slots=slots,
    )
    return predict_case(case).value


def test_requests_beyond_the_slots_queue() -> None:
    """Ollama 0.12 runs one request at a time: 32 streams give one stream's throughput;
    0.5.7 (4 automatic slots, the 8B model fits whole) gives 4 streams' at 32."""
    assert _serving("ollama 0.12.6", 32) == pytest.approx(_serving("ollama 0.12.6", 1))
    assert _serving("ollama 0.5.7", 32) == pytest.approx(_serving("ollama 0.5.7", 4))
    assert _serving("ollama 0.5.7", 4) > 3 * _serving("ollama 0.5.7", 1)


def test_stated_slots_replace_the_default() -> None:
    """llama-server b5540 -np 4: 8 streams run 4 at a time; without -np, one."""
    four = _serving("llama.cpp b5540", 4, slots=4)
    assert _serving("llama.cpp b5540", 8, slots=4) == pytest.approx(four)
    assert _serving("llama.cpp b5540", 8) == pytest.approx(_serving("llama.cpp b5540", 1))


def test_ollama_automatic_slots_need_the_model_whole_with_their_kv() -> None:
    """Ollama 0.5.7 tries 4 x num_ctx, then 1: Qwen3-14B Q8_0 on a 16 GB card holds one
    sequence of 2,048 tokens, so it serves one request at a time."""
    runtime = llm_runtime("rtx-4060-ti-16gb", "qwen3-14b", "q8_0", "ollama")
    found = server_slots(runtime, "ollama 0.5.7", None, 236)
    assert found is not None and found.slots == 1
    roomy_runtime = llm_runtime("rtx-4090", "llama-3.1-8b", "q4_k_m", "ollama")
    roomy = server_slots(roomy_runtime, "ollama 0.5.7", None, 236)
    assert roomy is not None and roomy.slots == 4
    assert "OLLAMA_NUM_PARALLEL" in roomy.note


def test_slots_do_not_apply_to_batching_servers() -> None:
    runtime = llm_runtime("rtx-4090", "llama-3.1-8b", "bf16", "vllm")
    assert server_slots(runtime, "vllm 0.10.1", None, 236) is None
    with pytest.raises(InvalidRequestError, match="--parallel"):
        server_slots(runtime, "vllm 0.10.1", 4, 236)


def test_vectorised_path_runs_the_same_slots() -> None:
    cases = [
        Case(
            gpu="rtx-4090",
            gpu_count=1,
            model="llama-3.1-8b",
            weights="q4_k_m",
            engine="ollama",
            batch=batch,
            input_tokens=100,
            output_tokens=136,
            metric="serving_output_tok_s",
            engine_text=text,
            server_slots=slots,
        )
        for batch in (1, 4, 32)
        for text, slots in (("ollama 0.5.7", None), ("ollama 0.12.6", None), ("ollama 0.12.6", 2))
    ]
    many = predict_llm_many(cases)
    for case, value in zip(cases, many, strict=True):
        assert not math.isnan(value)
        assert value == pytest.approx(predict_case(case).value, rel=1e-9)


def test_plan_replicas_run_the_same_slots() -> None:
    """`plan`/`cost`/`compare` hold at most the server's slots per replica
    (api.server_request_slots): newest Ollama one request, Ollama 0.5.7 four (the 8B model
    fits whole with their KV); vLLM is not capped by slots."""
    rtx_4090 = build_system(resolve_gpu("rtx-4090"), 1)
    newest = EstimatorStepSource(rtx_4090, "llama-3.1-8b", "q4_k_m", "ollama")
    old = EstimatorStepSource(rtx_4090, "llama-3.1-8b", "q4_k_m", "ollama 0.5.7")
    vllm = EstimatorStepSource(rtx_4090, "llama-3.1-8b", "bf16", "vllm")
    assert newest.max_batch(768) == 1
    assert old.max_batch(768) == 4
    assert vllm.max_batch(768) > 4


@pytest.mark.parametrize(
    ("family", "text", "forced"),
    [
        ("qwen3.5", "Ollama 0.17.1", True),  # sched.go lists qwen35/qwen35moe from v0.17.1
        ("qwen3.5", "Ollama 0.15.5", False),
        ("qwen3-next", "Ollama 0.15.5", True),  # qwen3next from v0.15.5
        ("qwen3-next", "Ollama 0.12.7", False),
        ("nemotron-3", None, True),  # unstated: the newest release
        ("nemotron-3", "ollama (run of 2026-01-10)", False),  # dated before v0.17.1
        ("llama-3.1", None, False),
    ],
)
def test_ollama_single_slot_architectures(family: str, text: str | None, forced: bool) -> None:
    assert (single_slot_rule("ollama", family, text) is not None) is forced


def test_a_single_slot_architecture_ignores_the_parallel_setting() -> None:
    """Ollama's scheduler sets num_parallel 1 for qwen35 whatever OLLAMA_NUM_PARALLEL says."""
    runtime = llm_runtime("rtx-4090", "qwen3.5-9b", "q4_k_m", "ollama")
    found = server_slots(runtime, "Ollama 0.17.1", 4, 4096)
    assert found is not None and found.slots == 1
    assert "not the 4 set" in found.note
    older = server_slots(runtime, "Ollama 0.15.5", 4, 4096)
    assert older is not None and older.slots == 4
    assert single_slot_rule("llama.cpp", "qwen3.5", None) is None  # llama-server: as set
