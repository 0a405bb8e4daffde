"""Serving on llama.cpp/Ollama when the model does not fit the GPU whole (llm.serving_offload):
the engine's own layer split, sized at the context it allocates x its running slots, with the
CPU layers read at the host's memory bandwidth."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from gpuatlas.calibration.case_columns import predict_table
from gpuatlas.calibration.case_files import REQUIRED_COLUMNS
from gpuatlas.calibration.fitting import case_from_row
from gpuatlas.catalog.measurements import load_measurements
from gpuatlas.errors import GpuAtlasError
from gpuatlas.performance.api import serving_layout
from gpuatlas.performance.cases import Case, predict_case
from gpuatlas.performance.llm.host_memory import HostMemoryRefusalError, with_host_ram
from gpuatlas.performance.llm.offload_speed import (
    HOST_MEMORY_EFFICIENCY,
    ollama_default_context,
    ollama_gpu_layers,
)
from gpuatlas.performance.llm.predict import llm_runtime, serving_estimate, serving_output_tok_s
from gpuatlas.performance.llm.refusal import memory_inputs
from gpuatlas.performance.llm.server_slots import server_slots
from gpuatlas.performance.llm.serving_offload import offload_share, serving_split
from gpuatlas.performance.llm.vectorised import predict_llm_many
from gpuatlas.performance.resolve import as_system

pytestmark = pytest.mark.unit

# 40 GB of weights on a 24 GB card, in a desktop with 128 GB of RAM for the CPU's layers
HOST_128GB = with_host_ram(as_system("rtx-4090"), 128)
BIG = (HOST_128GB, "llama-3.3-70b", "q4_k_m")


def _case(engine: str, batch: int, **extra: object) -> Case:
    _, model, weights = BIG
    metric = "serving_output_tok_s"
    return Case(
        "rtx-4090", 1, model, weights, engine, batch, 512, 256, metric, host_ram_gb=128, **extra
    )  # type: ignore[arg-type]


def test_without_stated_ram_the_split_must_fit_a_32_gb_desktop() -> None:
    """Ollama's split of a 70B q4_k_m on a 24 GB card keeps ~28 GB of weights and the KV of
    its CPU layers at num_ctx 32,768 on the CPU: more than a 32 GB desktop (host_memory)."""
    case = Case("rtx-4090", 1, "llama-3.3-70b", "q4_k_m", "ollama", 1, 512, 256, "decode_tok_s")
    with pytest.raises(HostMemoryRefusalError, match="32 GB of host RAM"):
        predict_case(case)


def test_ollama_serves_a_model_larger_than_the_gpu_with_its_own_split() -> None:
    runtime = llm_runtime(*BIG, "ollama")
    inputs = memory_inputs(runtime, "fp16")
    num_ctx = ollama_default_context(inputs).tokens
    slots = server_slots(runtime, None, None, 768)
    assert slots is not None and slots.slots == 1
    split = serving_split(runtime, slots, 1, 768)
    assert split is not None
    assert split.gpu_layers == ollama_gpu_layers(inputs, num_ctx)[0] < 80
    found = serving_estimate(runtime, 8, 512, 256, slots=slots)
    assert f"{split.gpu_layers} of 80 layers on the GPU" in " ".join(found.notes)
    assert f"num_ctx {num_ctx:,}" in " ".join(found.notes)
    # every decode step reads the CPU layers from host memory: one stream can go no faster
    host_bound_tok_s = split.host_bandwidth_gb_s * HOST_MEMORY_EFFICIENCY / split.cpu_read_gb
    assert found.value < host_bound_tok_s
    # the calibrated all-GPU rate at batch 1, slowed by the split's share
    all_gpu = serving_output_tok_s(runtime, 1, 512, 256)
    share = offload_share(runtime, split, 1, 512, 256)
    assert 0 < share < 1
    assert found.value == pytest.approx(all_gpu * share)


def test_stated_slots_size_the_split_for_their_kv() -> None:
    runtime = llm_runtime(*BIG, "ollama")
    one = serving_split(runtime, server_slots(runtime, None, 1, 768), 1, 768)
    four = serving_split(runtime, server_slots(runtime, None, 4, 768), 4, 768)
    assert one is not None and four is not None
    assert four.gpu_layers < one.gpu_layers  # num_ctx x 4 of KV leaves room for fewer layers
    assert "num_ctx 131,072" in four.rule  # Ollama: NumCtx = num_ctx x parallel


def test_a_model_that_fits_keeps_the_all_gpu_serving_rate() -> None:
    runtime = llm_runtime("rtx-4090", "llama-3.1-8b", "q4_k_m", "ollama")
    slots = server_slots(runtime, None, None, 768)
    assert serving_split(runtime, slots, 1, 768) is None
    found = serving_estimate(runtime, 1, 512, 256, slots=slots)
    assert found.value == pytest.approx(serving_output_tok_s(runtime, 1, 512, 256))


def test_batching_engines_still_refuse_a_model_larger_than_the_gpu() -> None:
    with pytest.raises(GpuAtlasError, match="do not fit"):
        predict_case(_case("vllm", 8))


@pytest.mark.parametrize("engine", ["ollama", "llama.cpp"])
def test_case_rows_and_the_vectorised_path_agree(engine: str) -> None:
    # a bare 'rtx-4090' (a 32 GB desktop): llama.cpp's split and Ollama 0.5.7's (num_ctx
    # 2,048) keep few enough bytes on the CPU to fit it
    text = "ollama 0.5.7" if engine == "ollama" else None
    _, model, weights = BIG
    metric = "serving_output_tok_s"
    cases = [
        Case("rtx-4090", 1, model, weights, engine, batch, 512, 256, metric, engine_text=text)
        for batch in (1, 8)
    ]
    scalar = [predict_case(case).value for case in cases]
    assert all(math.isfinite(value) and value > 0 for value in scalar)
    assert predict_llm_many(cases).tolist() == pytest.approx(scalar)


CASE_HEADER = list(REQUIRED_COLUMNS)  # the columns every case file has


@pytest.mark.parametrize(
    ("model", "engine", "batch", "metric"),
    [
        ("llama-3.3-70b", "ollama", 8, "serving_output_tok_s"),  # split, one slot
        ("llama-3.3-70b", "ollama 0.5.7", 8, "serving_output_tok_s"),  # num_ctx 2,048
        ("qwen3-32b", "ollama", 1, "decode_tok_s"),  # fits at 768, not at num_ctx 32,768
        ("qwen3-32b", "ollama 0.12.6", 1, "decode_tok_s"),  # num_ctx 4,096: fits whole
        ("llama-3.1-8b", "ollama", 8, "serving_output_tok_s"),  # one slot: batch 1
        ("llama-3.1-8b", "ollama 0.5.7", 8, "serving_output_tok_s"),  # 4 slots
    ],
)
def test_batch_rows_answer_as_one_row_does(
    model: str, engine: str, batch: int, metric: str
) -> None:
    """`predict --cases` evaluates rows in arrays; a row must get what `predict_case` gives
    (Ollama's slots, its default num_ctx and the split it makes from that)."""
    row = ["rtx-4090", "1", model, "q4_k_m", engine, str(batch), "512", "256", metric, "128"]
    value, _, _, error = predict_table([*CASE_HEADER, "host_ram_gb"], [row])[0]
    case = Case(
        "rtx-4090", 1, model, "q4_k_m", engine, batch, 512, 256, metric, engine_text=engine,
        host_ram_gb=128,
    )  # fmt: skip
    assert error == ""
    assert float(value) == pytest.approx(predict_case(case).value, rel=1e-5)


def test_a_stated_num_ctx_sizes_the_split_in_rows_and_batch_files() -> None:
    """qwen3-32b q4_k_m fits a 24 GiB card at num_ctx 4,096 but not at the newest Ollama's
    default 32,768: a row that states num_ctx gets what the engine ran."""

    def decode(num_ctx: int | None, engine: str = "ollama") -> float:
        case = Case(
            "rtx-4090", 1, "qwen3-32b", "q4_k_m", engine, 1, 512, 256, "decode_tok_s",
            engine_text=engine, num_ctx=num_ctx,
        )  # fmt: skip
        return predict_case(case).value

    # 0.12.6's default num_ctx is 4,096 (same release: its Go engine runs qwen3, the newest
    # release runs it on llama-server, a different fitted level)
    assert decode(4096, "ollama 0.12.6") == pytest.approx(decode(None, "ollama 0.12.6"))
    assert decode(32768, "ollama 0.12.6") < decode(None, "ollama 0.12.6") / 2
    assert decode(32768) == pytest.approx(decode(None))  # the newest default
    assert decode(32768) < decode(4096) / 2  # layers on the CPU
    header = [*CASE_HEADER, "num_ctx"]
    for num_ctx in (4096, 32768):
        row = ["rtx-4090", "1", "qwen3-32b", "q4_k_m", "ollama", "1", "512", "256"]
        value, _, _, error = predict_table(header, [[*row, "decode_tok_s", str(num_ctx)]])[0]
        assert error == ""
        assert float(value) == pytest.approx(decode(num_ctx), rel=1e-5)


def test_serving_at_a_stated_num_ctx() -> None:
    def serving(num_ctx: int | None) -> float:
        return predict_case(_case("ollama", 1, engine_text="ollama", num_ctx=num_ctx)).value

    runtime = llm_runtime(*BIG, "ollama")
    assert serving(2048) > serving(None)  # less KV beside the weights: more layers on the GPU
    assert serving(2048) < serving_output_tok_s(runtime, 1, 512, 256)  # still split


def test_a_measured_row_carries_its_num_ctx_into_the_prediction() -> None:
    """A measured row that states num_ctx (MeasuredRow.num_ctx) is predicted at it."""
    [seed] = [
        row
        for row in load_measurements()
        if row.engine == "ollama" and row.gpu == "rtx-4090" and row.metric == "decode_tok_s"
    ]
    row = replace(
        seed,
        model="qwen3-32b",
        weights="q4_k_m",
        input_tokens=512,
        output_tokens=256,
        engine_version="0.15.5",
        num_ctx=4096,
    )
    assert case_from_row(row).num_ctx == 4096
    at_4k = predict_case(case_from_row(row)).value
    at_default = predict_case(case_from_row(replace(row, num_ctx=None))).value
    assert at_4k > 2 * at_default  # the default 32,768 on 24 GiB puts layers on the CPU
    assert row.workload_key != replace(row, num_ctx=None).workload_key


def test_predict_serving_takes_a_num_ctx_on_the_engines_that_allocate_one() -> None:
    def served(engine: str, weights: str, num_ctx: int | None) -> float:
        return serving_layout(
            "rtx-4090",
            "qwen3-32b",
            weights,
            engine,
            concurrency=4,
            input_tokens=512,
            output_tokens=256,
            num_ctx=num_ctx,
        ).output_tok_s.value

    assert served("ollama", "q4_k_m", 4096) > 2 * served("ollama", "q4_k_m", None)
    with pytest.raises(GpuAtlasError, match="--num-ctx is an Ollama/llama.cpp option"):
        served("vllm", "awq-int4", 4096)
