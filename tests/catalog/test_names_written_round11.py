"""Names the round-11 held-out sources write (holdout/as_written_r11) that meant nothing to the
atlas (issue 10): a benchmark table's 'Qwen3 30B-A3B MoE Q4_K_M', TinyLlama 1.1B, Qwen3-Coder-Next
(the Qwen3-Next architecture), the Surogate trainer (llm.q's engine grown into a framework), and
round 10's 'AMD Strix Halo iGPU' (the word iGPU; ASUS's 'Strix' line is not AMD's Strix Halo).
Names, not values: each reads as what it means; names that stay ambiguous or unmodelled are
refused as before."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpu_written_names import without_retail_words
from gpuatlas.catalog.gpus import read_gpu_name
from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.errors import UnknownNameError
from gpuatlas.performance.training.engines import training_engine, training_engines


@pytest.mark.parametrize(
    ("written", "model_id", "format_id"),
    [
        ("Qwen3 30B-A3B MoE Q4_K_M", "qwen3-30b-a3b", "q4_k_m"),
        ("Qwen3-30B-A3B-MoE", "qwen3-30b-a3b", None),
        ("Phi-3.5-MoE-instruct-GGUF", "phi-3.5-moe", None),  # the word is part of its name
    ],
)
def test_the_word_moe_after_a_models_active_size(
    written: str, model_id: str, format_id: str | None
) -> None:
    reference = resolve_model_reference(written, allow_hub=False)
    assert (reference.model.id, reference.format_id) == (model_id, format_id)


@pytest.mark.parametrize("written", ["Llama-3-8B-MoE"])
def test_moe_is_not_dropped_where_it_names_another_model(written: str) -> None:
    # a merge of dense experts is not its dense base
    with pytest.raises(UnknownNameError):
        resolve_model_reference(written, allow_hub=False)


def test_qwen15_moe_reads_as_the_moe_model_not_a_dense_size() -> None:
    # in the library since round 16: the MoE model itself, never a dense Qwen1.5 size
    assert resolve_model_reference("Qwen1.5-MoE-A2.7B", allow_hub=False).model.id == (
        "qwen1.5-moe-a2.7b"
    )


@pytest.mark.parametrize(
    ("written", "format_id"),
    [
        ("TinyLlama 1.1B Q4_K_M", "q4_k_m"),
        ("TinyLlama/TinyLlama-1.1B-Chat-v1.0", None),
        ("tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf", "q4_k_m"),
        ("tinyllama:1.1b", None),
        ("tinyllama", None),
    ],
)
def test_tinyllama(written: str, format_id: str | None) -> None:
    reference = resolve_model_reference(written, allow_hub=False)
    assert (reference.model.id, reference.format_id) == ("tinyllama-1.1b", format_id)


def test_tinyllama_is_llama_2s_shape_at_22_layers() -> None:
    model = resolve_model_reference("tinyllama", allow_hub=False).model
    assert (model.num_layers, model.hidden_size, model.intermediate_size) == (22, 2048, 5632)
    assert (model.num_attention_heads, model.num_kv_heads, model.vocab_size) == (32, 4, 32000)
    assert model.total_params() == 1_100_048_384  # the model card's "1.1B"


@pytest.mark.parametrize(
    ("written", "format_id"),
    [
        ("Qwen/Qwen3-Coder-Next", None),
        ("Qwen/Qwen3-Coder-Next-FP8", "fp8"),
        ("qwen3-coder-next", None),
    ],
)
def test_qwen3_coder_next_runs_as_qwen3_next(written: str, format_id: str | None) -> None:
    reference = resolve_model_reference(written, allow_hub=False)
    assert (reference.model.id, reference.format_id) == ("qwen3-next-80b-a3b", format_id)


def test_the_qwen3_coder_30b_is_still_its_own_model() -> None:
    reference = resolve_model_reference("Qwen/Qwen3-Coder-30B-A3B-Instruct", allow_hub=False)
    assert reference.model.id == "qwen3-coder-30b-a3b"


@pytest.mark.parametrize("written", ["Surogate", "surogate", "Surogate Trainer"])
def test_surogate_takes_llm_q_s_level(written: str) -> None:
    engine = training_engine(written)
    assert (engine.id, engine.levels_from) == ("surogate", "llmq")
    assert training_engines()["llmq"].levels_from == "pytorch"


@pytest.mark.parametrize("written", ["AMD Strix Halo iGPU", "AMD Strix Halo (iGPU)"])
def test_strix_halo_with_the_word_igpu_reads_as_strix_halo(written: str) -> None:
    # the catalog's alias: 'Strix Halo' is the Ryzen AI Max+ 395 (Radeon 8060S)
    assert read_gpu_name(written)[0].id == read_gpu_name("Strix Halo")[0].id
    assert read_gpu_name(written)[0].id == "ryzen-ai-max-plus-395"


@pytest.mark.parametrize(
    ("written", "plain"),
    [
        ("AMD Strix Halo iGPU", "AMD Strix Halo"),
        ("Radeon 8060S (iGPU)", "Radeon 8060S"),
        ("ASUS ROG Strix RTX 4090", "RTX 4090"),  # ASUS's Strix line is still a retail word
        ("Strix RTX 3080 OC", "RTX 3080"),
    ],
)
def test_igpu_and_strix_words(written: str, plain: str) -> None:
    assert without_retail_words(written) == plain


@pytest.mark.parametrize(
    "written",
    [
        "qwen3.8:27b",  # no such Qwen release in the library or on Qwen's model pages
        "llama-3b",  # OpenLLaMA 3B or Llama 3.2 3B: ambiguous on purpose
    ],
)
def test_refused_on_purpose(written: str) -> None:
    with pytest.raises(UnknownNameError):
        resolve_model_reference(written, allow_hub=False)


@pytest.mark.parametrize("written", ["Tesla P100 16 GB", "4060Ti", "6000A"])
def test_gpu_names_that_stay_ambiguous(written: str) -> None:
    with pytest.raises(UnknownNameError):
        read_gpu_name(written)
