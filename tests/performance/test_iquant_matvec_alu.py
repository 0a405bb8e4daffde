"""llama.cpp's i-quants pay their mat-vec's ALU work (formats.toml matvec_alu_ops_per_weight and
metal_matvec_alu_ops_per_weight, counted from ggml-cuda vecdotq.cuh vec_dot_iq*_q8_1 and
ggml-metal.metal kernel_mul_mv_iq*_f32_impl): the codebook lookups, sign unpacking and emulated
SIMD byte ops cost more instructions per byte than any k-quant. Before round 26 they had no
count, so their decode was bandwidth-bound in the model on every GPU."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.formats import all_formats, resolve_format
from gpuatlas.performance.llm.predict import MATVEC_ALU_BOUND, llm_runtime, predict_runtime
from gpuatlas.performance.llm.step_times import LlmRuntime

pytestmark = pytest.mark.unit

I_QUANTS = (
    "iq1_s",
    "iq1_m",
    "iq2_xxs",
    "iq2_xs",
    "iq2_s",
    "iq2_m",
    "iq3_xxs",
    "iq3_xs",
    "iq3_s",
    "iq3_m",
    "iq4_xs",
    "iq4_nl",
)


def _ops_per_byte(format_id: str, backend: str) -> float:
    found = resolve_format(format_id)
    return found.matvec_alu_ops_on(backend) / (found.model_bits_per_weight / 8.0)


def test_the_catalog_lists_every_i_quant_this_file_checks() -> None:
    listed = {found.id for found in all_formats() if found.id.startswith("iq")}
    assert listed == set(I_QUANTS)


@pytest.mark.parametrize("format_id", I_QUANTS)
def test_every_i_quant_has_cuda_and_metal_counts(format_id: str) -> None:
    found = resolve_format(format_id)
    assert found.matvec_alu_ops_per_weight > 0.0
    assert found.metal_matvec_alu_ops_per_weight > 0.0
    assert found.matvec_dp4a_per_weight > 0.0
    # A codebook dot product in ggml-cuda is two dp4a per 8 weights, plus IQ1_M's two
    # activation-sum dp4a per 8 weights.
    assert found.matvec_dp4a_per_weight == (0.5 if format_id == "iq1_m" else 0.25)


@pytest.mark.parametrize("backend", ["cuda", "metal"])
def test_i_quants_under_four_bits_cost_more_per_byte_than_q4_k_m(backend: str) -> None:
    # Q4_K_M, the usual GGUF default, unpacks nibbles with shifts and masks; the i-quants look
    # every 8 (or 4) weights up in a codebook and unpack their signs.
    q4_k_m = _ops_per_byte("q4_k_m", backend)
    for format_id in I_QUANTS:
        if not format_id.startswith("iq4"):
            assert _ops_per_byte(format_id, backend) > q4_k_m, format_id


@pytest.mark.parametrize(
    ("mix", "parts"),
    [
        ("iq3_xs", ("iq3_xxs", "iq3_s")),
        ("iq3_m", ("q4_k_s", "iq3_s")),
        ("iq2_m", ("iq2_s", "iq3_s")),
    ],
)
@pytest.mark.parametrize("backend", ["cuda", "metal"])
def test_a_mix_counts_between_its_tensor_types(
    mix: str, parts: tuple[str, str], backend: str
) -> None:
    low, high = sorted(resolve_format(part).matvec_alu_ops_on(backend) for part in parts)
    assert low <= resolve_format(mix).matvec_alu_ops_on(backend) <= high


def _runtime(gpu: str, weights: str) -> LlmRuntime:
    return llm_runtime(gpu, "llama-2-7b", weights, "llama.cpp")


def _alu_seconds(runtime: LlmRuntime) -> float:
    """One sequence's mat-vec ALU time per step: weights x instructions per weight at the
    single-issue rate (FP32 lanes x clock) x the backend's fitted share."""
    weight_bytes = float(runtime.shape.weight_read_bytes(1))
    weights = weight_bytes / (runtime.weight_format.model_bits_per_weight / 8.0)
    issue_per_s = runtime.single_issue_per_s * runtime.matvec_alu_issue_share
    return weights * runtime.matvec_alu_ops_per_weight / issue_per_s


@pytest.mark.parametrize(
    ("gpu", "backend_count"),
    [
        ("rx-6700-xt", "matvec_alu_ops_per_weight"),  # ggml-cuda's HIP build
        ("apple-m2-ultra-76c", "metal_matvec_alu_ops_per_weight"),
    ],
)
def test_an_iq2_xxs_step_is_bound_by_its_alu_work_where_the_lanes_issue_it(
    gpu: str, backend_count: str
) -> None:
    runtime = _runtime(gpu, "iq2_xxs")
    assert runtime.matvec_alu_ops_per_weight == getattr(resolve_format("iq2_xxs"), backend_count)
    weight_bytes = float(runtime.shape.weight_read_bytes(1))
    alu_bytes = _alu_seconds(runtime) * runtime.bandwidth_bytes_s
    assert alu_bytes > weight_bytes  # ~2 bits per weight read, ~5-7 instructions per weight
    assert float(runtime.matvec_alu_bytes(1)) == pytest.approx(alu_bytes, rel=1e-6)
    assert float(runtime.matvec_alu_excess_bytes(1)) == pytest.approx(alu_bytes - weight_bytes)


def test_iq2_xxs_decodes_slower_than_q4_0_on_an_alu_limited_gpu() -> None:
    # On an RX 6700 XT (2,560 lanes, 384 GB/s) IQ2_XXS reads half of Q4_0's bytes but issues
    # about 2.4x its instructions per weight: the step is not the bytes' half.
    iq2 = _runtime("rx-6700-xt", "iq2_xxs")
    q4 = _runtime("rx-6700-xt", "q4_0")
    iq2_s = float(iq2.decode_step_s(1, 512))
    q4_s = float(q4.decode_step_s(1, 512))
    bytes_ratio = float(iq2.shape.weight_read_bytes(1)) / float(q4.shape.weight_read_bytes(1))
    assert bytes_ratio < 0.6
    assert iq2_s / q4_s > bytes_ratio + 0.2


def test_a_gpu_with_its_own_int32_pipe_keeps_the_bytes_alone() -> None:
    runtime = _runtime("rtx-4090", "iq2_xxs")
    assert runtime.matvec_alu_ops_per_weight == 0.0
    assert float(runtime.matvec_alu_excess_bytes(1)) == 0.0


def test_the_answer_says_when_the_mat_vec_work_limits_decode() -> None:
    # Before round 26 every decode step that was not compute-bound said "memory", also where
    # the mat-vec's unpacking took longer than the bytes (its MBU then well under the level).
    alu_bound = predict_runtime(
        _runtime("rx-6700-xt", "iq2_xxs"), batch=1, input_tokens=512, output_tokens=128
    )
    assert alu_bound.bound == MATVEC_ALU_BOUND
    bytes_bound = predict_runtime(
        _runtime("rtx-4090", "iq2_xxs"), batch=1, input_tokens=512, output_tokens=128
    )
    assert bytes_bound.bound == "memory"
