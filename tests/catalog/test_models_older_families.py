"""Older families users still name (issue 10): Qwen2, Gemma 1, Phi-3 and LLaVA resolve offline
from the packaged library by Hub id and Ollama tag, and each computes the published parameter
count from its config.json shape."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from gpuatlas.catalog.model_arch import ModelArch, VisionLanguageArch
from gpuatlas.catalog.model_library_file import arch_from_library_document
from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.catalog.model_weights import native_weights
from gpuatlas.errors import DataFileError
from gpuatlas.performance.llm.fit_answer import answer_fit

pytestmark = pytest.mark.unit


def _total_params(name: str) -> float:
    model = resolve_model_reference(name, allow_hub=False).model
    assert isinstance(model, ModelArch | VisionLanguageArch)
    return float(model.total_params())


@pytest.mark.parametrize(
    ("name", "model_id", "published"),
    [
        # Qwen2 release post (0.49B / 1.54B / 72.71B) and the 7B's Hub page (7.62B)
        ("Qwen/Qwen2-0.5B", "qwen2-0.5b", 0.49e9),
        ("Qwen/Qwen2-1.5B-Instruct", "qwen2-1.5b", 1.54e9),
        ("Qwen/Qwen2-7B-Instruct", "qwen2-7b", 7.62e9),
        ("Qwen/Qwen2-72B", "qwen2-72b", 72.71e9),
        # Gemma technical report: embedding + non-embedding parameters
        ("google/gemma-2b", "gemma-2b", 524_550_144 + 1_981_884_416),
        ("google/gemma-7b-it", "gemma-7b", 786_825_216 + 7_751_248_896),
        # Gemma 1.1 retrained the instruction models; the shapes are Gemma 1's
        ("google/gemma-1.1-7b-it", "gemma-7b", 786_825_216 + 7_751_248_896),
        ("google/gemma-1.1-2b-it", "gemma-2b", 524_550_144 + 1_981_884_416),
    ],
)
def test_older_family_computes_its_published_count(
    name: str, model_id: str, published: float
) -> None:
    assert resolve_model_reference(name, allow_hub=False).model.id == model_id
    assert _total_params(name) == pytest.approx(published, rel=0.02)


@pytest.mark.parametrize(
    ("tag", "model_id"),
    [
        ("qwen2:0.5b", "qwen2-0.5b"),
        ("qwen2:1.5b", "qwen2-1.5b"),
        ("qwen2:7b", "qwen2-7b"),
        ("qwen2", "qwen2-7b"),
        ("qwen2:72b", "qwen2-72b"),
        ("gemma:2b", "gemma-2b"),
        ("gemma:7b", "gemma-7b"),
        ("gemma", "gemma-7b"),
        ("phi3", "phi-3-mini"),
        ("phi3:mini", "phi-3-mini"),
        ("phi3:medium", "phi-3-medium"),
    ],
)
def test_ollama_tag_resolves_to_the_library_model(tag: str, model_id: str) -> None:
    reference = resolve_model_reference(tag, allow_hub=False)
    assert reference.model.id == model_id
    assert reference.matched_by == "ollama_tag"


def test_qwen2_instruct_checkpoint_ships_32k_positions_with_yarn_to_128k() -> None:
    model = resolve_model_reference("Qwen/Qwen2-7B", allow_hub=False).model
    assert isinstance(model, ModelArch)
    assert model.max_position_embeddings == 131072
    shipped = {item.checkpoint: item for item in model.shipped_contexts}
    assert shipped["Qwen/Qwen2-7B-Instruct"].max_position_embeddings == 32768


def test_gemma_1_2b_is_multi_query_with_256_wide_heads() -> None:
    model = resolve_model_reference("gemma:2b", allow_hub=False).model
    assert isinstance(model, ModelArch)
    assert (model.num_kv_heads, model.head_dim, model.tie_word_embeddings) == (1, 256, True)


@pytest.mark.parametrize(
    "tag", ["qwen2:0.5b", "qwen2:7b", "qwen2:72b", "gemma:2b", "gemma:7b", "phi3", "phi3:medium"]
)
def test_older_ollama_tag_resolves_to_the_library_q4_0_build(tag: str) -> None:
    # these library models were published while Ollama's default tag was Q4_0
    # (ollama/ollama#5425, 2024-07-02); Q4_K_M is the default only for later ones
    choice = native_weights(resolve_model_reference(tag, allow_hub=False))
    assert choice.format_id == "q4_0"
    assert "Ollama" in choice.reason


def test_ollama_engine_runs_the_q4_0_build_of_a_named_hub_checkpoint() -> None:
    reference = resolve_model_reference("Qwen/Qwen2-7B-Instruct", allow_hub=False)
    assert native_weights(reference, "ollama").format_id == "q4_0"
    assert native_weights(reference, "vllm").format_id == "bf16"


def test_a_newer_library_model_keeps_the_q4_k_m_default() -> None:
    choice = native_weights(resolve_model_reference("qwen2.5:7b", allow_hub=False))
    assert choice.format_id == "q4_k_m"


def test_fit_sizes_qwen2_7b_at_q4_0() -> None:
    answer = answer_fit("rtx-3060-12gb", resolve_model_reference("qwen2:7b"), [], engine="ollama")
    # 7.62B weights at Q4_0's 4.5 bits: about 4.3 GB, well inside 12 GB
    assert answer.weights.format_id == "q4_0"
    assert 3.9 < answer.detail.per_gpu.weights_gb < 4.6


def test_an_unknown_ollama_default_format_is_refused_with_the_field_named() -> None:
    document = json.loads(
        (resources.files("gpuatlas.catalog") / "data/models/qwen2-0.5b.json").read_text()
    )
    document["gpuatlas"]["ollama_default_format"] = "q4_zz"
    document["gpuatlas"]["ollama_default_source"] = ""
    with pytest.raises(DataFileError) as raised:
        arch_from_library_document(document, "qwen2-0.5b.json")
    message = str(raised.value)
    assert "ollama_default_format" in message and "q4_zz" in message
    assert "ollama_default_source" in message


@pytest.mark.parametrize(
    ("tag", "model_id", "language_b", "published_b"),
    [
        # LLaVA 1.6 on Mistral-7B-Instruct-v0.2 (7.24B) and on Vicuna-13B v1.5 (13.02B), each with
        # the 303.5M CLIP ViT-L/14-336 tower and its projector; the Hub pages say 7.57B / 13.4B
        ("llava:7b", "llava-1.6-mistral-7b", 7.24, 7.57),
        ("llava", "llava-1.6-mistral-7b", 7.24, 7.57),
        ("llava:13b", "llava-1.6-vicuna-13b", 13.02, 13.4),
    ],
)
def test_llava_tags_resolve_with_the_vision_tower_counted(
    tag: str, model_id: str, language_b: float, published_b: float
) -> None:
    model = resolve_model_reference(tag, allow_hub=False).model
    assert isinstance(model, VisionLanguageArch)
    assert model.id == model_id
    assert model.language_model.total_params() == pytest.approx(language_b * 1e9, rel=0.01)
    assert model.vision_encoder_params == pytest.approx(303.5e6)
    assert model.total_params() == pytest.approx(published_b * 1e9, rel=0.02)
    assert native_weights(resolve_model_reference(tag, allow_hub=False)).format_id == "q4_0"


@pytest.mark.parametrize(
    ("name", "model_id", "max_context"),
    [
        ("microsoft/Phi-3-mini-4k-instruct", "phi-3-mini", 4096),
        ("microsoft/Phi-3-mini-128k-instruct", "phi-3-mini-128k", 131072),
        ("phi3:mini-128k", "phi-3-mini-128k", 131072),
        ("microsoft/Phi-3-medium-128k-instruct", "phi-3-medium-128k", 131072),
        ("phi3:medium-128k", "phi-3-medium-128k", 131072),
    ],
)
def test_phi_3_128k_checkpoints_have_their_own_context(
    name: str, model_id: str, max_context: int
) -> None:
    model = resolve_model_reference(name, allow_hub=False).model
    assert isinstance(model, ModelArch)
    assert (model.id, model.max_position_embeddings) == (model_id, max_context)
    assert model.total_params() == pytest.approx(
        3.82e9 if "mini" in model_id else 13.96e9, rel=0.02
    )
