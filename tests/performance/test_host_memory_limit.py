"""Host memory limits a llama.cpp/Ollama GPU/CPU split (performance/llm/host_memory.py): the
weights and KV cache the CPU side holds, plus the OS's reserve, must fit the machine's RAM."""

from __future__ import annotations

import pytest

from gpuatlas.performance import api
from gpuatlas.performance.cases import Case, predict_case
from gpuatlas.performance.llm.host_memory import (
    DESKTOP_HOST_RAM_GB,
    OS_RESERVE_GB,
    SERVER_HOST_RAM_PER_GPU_GB,
    HostMemoryRefusalError,
    host_ram_of,
    with_host_ram,
)
from gpuatlas.performance.llm.memory import kv_per_sequence_gb
from gpuatlas.performance.llm.offload_speed import offload_for, split_host_need
from gpuatlas.performance.llm.predict import llm_runtime
from gpuatlas.performance.llm.refusal import memory_inputs
from gpuatlas.performance.resolve import as_system

pytestmark = pytest.mark.unit

A2000 = "rtx-a2000-12gb"


def _deepseek_on_a2000(host_ram_gb: float | None) -> api.LlmPrediction:
    system = with_host_ram(as_system(A2000), host_ram_gb)
    return api.predict_llm(
        system, "deepseek-r1", "q4_k_m", "llama.cpp", batch=1, input_tokens=512, output_tokens=256
    )


def test_a_bare_desktop_card_is_assumed_in_a_32_gb_desktop_and_a_server_gpu_in_a_dgx() -> None:
    assert host_ram_of(as_system(A2000)).memory_gb == DESKTOP_HOST_RAM_GB == 32.0
    assert host_ram_of(as_system("8x h100-sxm")).memory_gb == 8 * SERVER_HOST_RAM_PER_GPU_GB
    assert 8 * SERVER_HOST_RAM_PER_GPU_GB == 2048.0  # DGX H100: 2 TB for 8 GPUs


def test_a_superchip_uses_its_catalog_cpu_memory_and_a_stated_figure_wins() -> None:
    grace = as_system("gh200-96gb-superchip")
    assert grace.host_memory is not None
    assert host_ram_of(grace).memory_gb == grace.host_memory.memory_gb
    assert host_ram_of(with_host_ram(as_system(A2000), 768)).memory_gb == 768.0


def test_deepseek_r1_671b_on_an_rtx_a2000_is_refused_by_default_with_the_numbers() -> None:
    """~396 GB of q4_k_m experts on the CPU + 4 GB for the OS against a 32 GB desktop."""
    inputs = memory_inputs(llm_runtime(A2000, "deepseek-r1", "q4_k_m", "llama.cpp"), "fp16")
    with pytest.raises(HostMemoryRefusalError) as refused:
        offload_for(inputs, 1, 768)
    message = str(refused.value)
    assert "host RAM" in message and "--host-ram-gb" in message and "32 GB" in message
    assert "smaller weight format" in message and "more GPUs" in message
    with pytest.raises(HostMemoryRefusalError):
        _deepseek_on_a2000(None)


def test_deepseek_r1_671b_on_an_rtx_a2000_runs_slowly_with_768_gb_of_host_ram() -> None:
    prediction = _deepseek_on_a2000(768)
    inputs = memory_inputs(
        llm_runtime(with_host_ram(as_system(A2000), 768), "deepseek-r1", "q4_k_m", "llama.cpp"),
        "fp16",
    )
    split = offload_for(inputs, 1, 768)
    assert split is not None and split.experts_on_cpu
    # the experts of 58 MoE layers at q4_k_m: well over 300 GB, under the 768 GB stated
    assert 300 < split.cpu_weights_gb < 768 - OS_RESERVE_GB
    # decode is bounded by reading the active experts from host memory: a few tok/s at most
    assert prediction.decode_tok_s.value < 89.6 / split.cpu_read_gb


def test_a_70b_q4_on_a_24_gb_card_fits_a_64_gb_host_and_not_a_16_gb_one() -> None:
    def need(host_ram_gb: float) -> float:
        system = with_host_ram(as_system("rtx-4090"), host_ram_gb)
        inputs = memory_inputs(llm_runtime(system, "llama-3.1-70b", "q4_k_m", "llama.cpp"), "fp16")
        split = offload_for(inputs, 1, 768)
        assert split is not None and 0 < split.gpu_layers < split.total_layers
        kv_cpu = kv_per_sequence_gb(inputs, 1, 768) * (80 - split.gpu_layers) / 80
        found = split_host_need(inputs, split, 768)
        assert found.kv_gb == pytest.approx(kv_cpu)
        assert found.weights_gb == pytest.approx(split.cpu_weights_gb)
        return found.total_gb

    assert need(64) < 64  # accepted: ~19 GB of weights + KV + 4 GB
    with pytest.raises(HostMemoryRefusalError, match="16 GB of host RAM"):
        need(16)


def test_the_host_ram_must_be_positive() -> None:
    with pytest.raises(Exception, match="--host-ram-gb must be more than 0"):
        with_host_ram(as_system(A2000), 0)


def test_a_batch_row_that_does_not_fit_the_host_is_an_error_not_an_exception() -> None:
    from gpuatlas.calibration.case_files import predict_fields

    row = {
        "gpu": A2000,
        "gpu_count": "1",
        "model": "deepseek-r1",
        "weights": "q4_k_m",
        "engine": "llama.cpp",
        "batch": "1",
        "input_tokens": "512",
        "output_tokens": "256",
        "metric": "decode_tok_s",
    }
    answered = predict_fields(row)
    assert answered["value"] == ""
    assert "does not fit in host memory" in answered["error"]
    case = Case(
        gpu=A2000,
        gpu_count=1,
        model="deepseek-r1",
        weights="q4_k_m",
        engine="llama.cpp",
        batch=1,
        input_tokens=512,
        output_tokens=256,
        metric="decode_tok_s",
    )
    with pytest.raises(HostMemoryRefusalError):
        predict_case(case)


def test_a_host_ram_gb_column_states_the_machines_ram_in_a_batch_file() -> None:
    from gpuatlas.calibration.case_columns import predict_table
    from gpuatlas.calibration.case_files import REQUIRED_COLUMNS

    header = [*REQUIRED_COLUMNS, "host_ram_gb"]
    row = [A2000, "1", "deepseek-r1", "q4_k_m", "llama.cpp", "1", "512", "256", "decode_tok_s"]
    refused, accepted, bad = predict_table(header, [[*row, ""], [*row, "768"], [*row, "-1"]])
    assert refused[0] == "" and "does not fit in host memory" in refused[3]
    assert accepted[3] == ""
    assert float(accepted[0]) == pytest.approx(_deepseek_on_a2000(768).decode_tok_s.value, 1e-5)
    assert "host_ram_gb must be more than 0" in bad[3]


def test_compare_and_serving_take_the_stated_ram() -> None:
    from gpuatlas.report.build import options_from
    from gpuatlas.report.context import make_context

    context = make_context(A2000, "rtx-4090", options_from({"host_ram_gb": 768.0}))
    assert host_ram_of(context.a).memory_gb == host_ram_of(context.b).memory_gb == 768.0
    bare = make_context(A2000, "rtx-4090", options_from({}))
    assert host_ram_of(bare.a).memory_gb == DESKTOP_HOST_RAM_GB
    with pytest.raises(HostMemoryRefusalError):
        api.serving_layout(
            "rtx-4090", "llama-3.1-70b", "q4_k_m", "ollama", input_tokens=512, output_tokens=256
        )
    served = api.serving_layout(
        with_host_ram(as_system("rtx-4090"), 64),
        "llama-3.1-70b",
        "q4_k_m",
        "ollama",
        input_tokens=512,
        output_tokens=256,
    )
    assert served.output_tok_s.value > 0


def test_cost_prices_the_split_only_when_the_host_ram_holds_it() -> None:
    from gpuatlas.app.economics_requests import CostRequest, run_cost

    def report(host_ram_gb: float | None):  # type: ignore[no-untyped-def]
        request = CostRequest(("rtx-4090",), "llama3.1:70b", "q4_k_m", host_ram_gb=host_ram_gb)
        return run_cost(request)

    bare = report(None)
    assert not bare.serving and "does not fit in host memory" in bare.cannot_run[0].reason
    assert report(64).serving  # 38.5 GB of the split's weights, KV and OS fit 64 GB
