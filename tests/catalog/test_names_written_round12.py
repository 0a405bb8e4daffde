"""Names the round-12 held-out sources write (holdout/as_written_r12) that meant nothing to the
atlas (issue 10): a pre-release written after the version with a hyphen ('Ollama
0.30.0-rc31'), a GPU count written after the GPU ('A100 x 4'), Black Forest Labs' square
brackets ('FLUX.1 [dev]'), xDiT's xfuser (diffusers' pipelines run in parallel over GPUs) and
the Soup fine-tuning CLI (transformers/TRL); and the library's missing Qwen3.5 flagship,
Qwen3.5-397B-A17B.
Names, not values: each reads as what it means; names that stay ambiguous or unmodelled are
refused as before."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpus import read_gpu_name
from gpuatlas.catalog.model_arch import ModelArch
from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.catalog.models import get_model
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.errors import GpuAtlasError, UnknownNameError
from gpuatlas.performance.engine_specs import parse_engine_spec
from gpuatlas.performance.llm.shape import kv_bytes_per_token
from gpuatlas.performance.media.diffusion import check_image_engine_known
from gpuatlas.performance.training.engines import training_engine


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "engine", "version"),
    [
        ("Ollama 0.30.0-rc31", "ollama", "0.30.0rc31"),
        ("vLLM 0.12.0-rc1", "vllm", "0.12.0rc1"),
        ("vLLM 0.12.0rc1", "vllm", "0.12.0rc1"),  # PEP 440's own spelling, as before
        ("vllm 0.6.3-post1", "vllm", "0.6.3post1"),
    ],
)
def test_a_pre_release_written_with_a_hyphen(written: str, engine: str, version: str) -> None:
    spec = parse_engine_spec(written)
    assert (spec.engine, spec.version) == (engine, version)


@pytest.mark.unit
def test_a_pre_release_label_needs_a_version_before_it() -> None:
    with pytest.raises(GpuAtlasError):
        parse_engine_spec("Ollama rc31")


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "device", "count"),
    [("A100 x 4", "A100", 4), ("H100 x8", "H100", 8), ("RTX 4090 × 2", "RTX 4090", 2)],
)
def test_a_gpu_count_written_after_the_gpu(written: str, device: str, count: int) -> None:
    system = resolve_system(written)
    assert (system.gpu.id, system.gpu_count) == (read_gpu_name(device)[0].id, count)


@pytest.mark.unit
@pytest.mark.parametrize("written", ["7900 XTX", "6900xt", "RX 7900 XTX"])
def test_model_numbers_ending_in_x_are_not_counts(written: str) -> None:
    assert resolve_system(written).gpu_count == 1


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "model_id"),
    [
        ("FLUX.1 [dev]", "flux.1-dev"),
        ("FLUX.1 [schnell]", "flux.1-schnell"),
        ("FLUX.1[dev]", "flux.1-dev"),
    ],
)
def test_a_variant_in_square_brackets(written: str, model_id: str) -> None:
    assert resolve_model_reference(written, allow_hub=False).model.id == model_id


@pytest.mark.unit
@pytest.mark.parametrize("written", ["FLUX.2 [klein]", "[dev]"])
def test_square_brackets_do_not_make_an_unknown_name_known(written: str) -> None:
    with pytest.raises(UnknownNameError):
        resolve_model_reference(written, allow_hub=False)


@pytest.mark.unit
@pytest.mark.parametrize("written", ["xDiT", "xDiT xfuser 0.3.4", "xfuser 0.3.4", "xDiT (xfuser)"])
def test_xdit_runs_diffusers_and_its_version_names_no_diffusers_release(written: str) -> None:
    spec = parse_engine_spec(written)
    assert (spec.engine, spec.version) == ("diffusers", None)
    assert spec.frontend is not None and spec.frontend.startswith("xDiT (xfuser)")


@pytest.mark.unit
@pytest.mark.parametrize("written", ["Soup", "soup-cli", "soup train"])
def test_soup_trains_with_transformers(written: str) -> None:
    assert training_engine(written).id == "hf-trainer"


@pytest.mark.unit
@pytest.mark.parametrize("written", ["PithTrain", "pith-train"])
def test_a_trainer_with_its_own_parallel_engine_is_refused(written: str) -> None:
    # mlc-ai/pith-train: its own expert/pipeline-parallel engine, no level of its own
    with pytest.raises(UnknownNameError):
        training_engine(written)


@pytest.mark.unit
@pytest.mark.parametrize(
    "written",
    [
        "Qwen3.8-Flash-Next",  # HyperConnections and QSA attention: not modelled
    ],
)
def test_refused_on_purpose(written: str) -> None:
    with pytest.raises(GpuAtlasError):
        resolve_model_reference(written, allow_hub=False)


@pytest.mark.unit
def test_a_bare_mi50_names_no_memory_size() -> None:
    # gfx906 (GCN 5, Vega 20) is in the catalog since issue 10 as the 16 GB and the 32 GB MI50;
    # the bare name is ambiguous between them (nothing in the catalog says which people mean)
    with pytest.raises(UnknownNameError) as raised:
        read_gpu_name("MI50")
    assert raised.value.ambiguous


@pytest.mark.unit
def test_mi50_16g_is_the_16_gb_mi50() -> None:
    assert read_gpu_name("AMD MI50 16G")[0].id == "mi50-16gb"


@pytest.mark.unit
def test_qwen35_397b_a17b_counts_397b_total_and_17b_active() -> None:
    # THUDM/slime's Megatron arguments for the checkpoint: 60 layers, hidden 4096, 512 experts
    # of 1024 (10 per token) + a shared expert of 1024, 32 Q / 2 KV heads of 256
    model = get_model("qwen3.5-397b-a17b")
    assert isinstance(model, ModelArch) and model.is_moe
    assert model.total_params() == pytest.approx(397e9, rel=0.01)
    assert model.active_params() == pytest.approx(17e9, rel=0.03)
    assert model.kv_cache_layers == 15  # one full-attention layer in four
    assert kv_bytes_per_token(model, 2.0, 0) == 2 * 2 * 256 * 15 * 2
    for written in ("Qwen/Qwen3.5-397B-A17B", "Qwen/Qwen3.5-397B-A17B-FP8"):
        assert resolve_model_reference(written, allow_hub=False).model.id == "qwen3.5-397b-a17b"


@pytest.mark.unit
@pytest.mark.parametrize("written", ["xdit", "xDiT", "xfuser", "xDiT (xfuser)"])
def test_an_image_request_may_name_xdit(written: str) -> None:
    check_image_engine_known(written)  # costed as eager diffusers, as the xDiT rows are
