"""Settings the held-out sources write in their own words: a bare bit width ('4-bit', '4bit')
read per engine, ExLlama's quantised caches ('q4'), the llm.c and lit-llama training
frameworks, and a GPU named with the power limit it ran under."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from gpuatlas.calibration.written_rows import resolve_written_row
from gpuatlas.catalog.formats import resolve_kv_cache_precision
from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.catalog.model_weights import bare_width, choose_weights, width_choice
from gpuatlas.catalog.systems import power_capped, resolve_system
from gpuatlas.cli.main import app
from gpuatlas.errors import GpuAtlasError, InvalidRequestError
from gpuatlas.performance.training.engines import training_engine

LLAMA_CPP_4BIT = ("q4_k_m", "q4_k_s", "q4_0", "q4_1", "iq4_xs", "iq4_nl")


def _reference(name: str = "llama-2-7b"):  # type: ignore[no-untyped-def]
    return resolve_model_reference(name, allow_hub=False)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "bits"),
    [("4-bit", 4), ("4bit", 4), ("4 bits", 4), ("8-BIT", 8), ("3bit", 3), ("q4_0", None)],
)
def test_a_bare_width_is_read_as_a_width(written: str, bits: int | None) -> None:
    assert bare_width(written) == bits


@pytest.mark.unit
@pytest.mark.parametrize("written", ["4-bit", "4bit", "4 bit"])
def test_a_4bit_gguf_is_refused_with_the_types_it_could_be(written: str) -> None:
    with pytest.raises(InvalidRequestError) as raised:
        width_choice(written, _reference(), "llama.cpp")
    message = str(raised.value)
    assert "names a bit width, not a format" in message
    assert all(f" {format_id}" in message for format_id in LLAMA_CPP_4BIT)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("engine", "written", "format_id"),
    [
        ("llama.cpp", "8-bit", "q8_0"),  # ggml's one 8-bit type, not bitsandbytes' LLM.int8()
        ("ollama", "8bit", "q8_0"),
        ("llama.cpp", "6-bit", "q6_k"),
        ("mlx-lm", "4bit", "mlx-4bit"),  # mlx-lm's own affine quantisation, group size 64
        ("mlx-lm", "8-bit", "mlx-8bit"),
        ("LM Studio (MLX engine)", "4bit", "mlx-4bit"),
        ("transformers", "8bit", "bnb-int8"),  # load_in_8bit
        # MLX tables write mlx-lm's N-bit quantisation 'Q4' (guruswami-ai/mlx-benchmarks);
        # mlx-lm loads no GGUF type, so it cannot mean one
        ("mlx-lm", "Q4", "mlx-4bit"),
        ("mlx_lm.benchmark", "q8", "mlx-8bit"),
    ],
)
def test_a_width_one_format_of_the_engine_has_is_that_format(
    engine: str, written: str, format_id: str
) -> None:
    choice = choose_weights(written, _reference(), engine)
    assert choice.format_id == format_id
    assert f"read as {format_id}" in choice.reason  # the answer says what it assumed


@pytest.mark.unit
def test_a_width_the_checkpoint_names_is_the_checkpoint_format() -> None:
    reference = _reference("mlx-community/Qwen3-8B-4bit")
    choice = choose_weights("4bit", reference, "LM Studio")
    assert choice.format_id == "mlx-4bit"
    assert "checkpoint's own 4-bit format" in choice.reason


@pytest.mark.unit
def test_load_in_4bit_is_refused_its_default_fp4_is_not_described() -> None:
    with pytest.raises(InvalidRequestError, match="bnb_4bit_quant_type='fp4'.*--weights nf4"):
        width_choice("4bit", _reference(), "transformers")


@pytest.mark.unit
def test_another_engine_lists_the_width_formats_it_loads() -> None:
    with pytest.raises(InvalidRequestError) as raised:
        width_choice("4-bit", _reference(), "tensorrt-llm", ("fp16", "awq-int4", "nvfp4"))
    assert "tensorrt-llm's 4-bit formats: awq-int4, nvfp4;" in str(raised.value)


@pytest.mark.unit
def test_a_gguf_style_width_stays_a_gguf_shorthand_off_mlx() -> None:
    assert width_choice("Q4", _reference(), "llama.cpp") is None  # the GGUF shorthand's reading


@pytest.mark.unit
def test_auto_leaves_a_width_for_the_engine_it_picks() -> None:
    assert width_choice("4bit", _reference(), "auto") is None


def _row(**cells: str) -> dict[str, str]:
    row = {
        "gpu": "RTX 3090",
        "gpu_count": "1",
        "engine": "llama.cpp",
        "engine_version": "",
        "model": "Llama2 7B",
        "weights": "4-bit",
        "kv_cache": "",
        "batch": "1",
        "input_tokens": "512",
        "output_tokens": "128",
        "resolution": "",
        "steps": "",
        "metric": "decode_tok_s",
        "value": "1",
        "unit": "tok/s",
        "source": "test",
        "source_date": "",
        "notes": "",
    }
    return {**row, **cells}


@pytest.mark.unit
def test_a_written_row_reads_a_width_as_the_command_does() -> None:
    refused = resolve_written_row(_row(), "t.csv", 2)
    assert getattr(refused, "field", None) == "weights"
    assert "q4_k_m" in refused.reason  # type: ignore[union-attr]
    row = resolve_written_row(_row(weights="8-bit"), "t.csv", 2)
    assert getattr(row, "weights", None) == "q8_0"


@pytest.mark.unit
def test_lm_studio_runs_an_mlx_checkpoint_with_its_mlx_engine_in_written_rows() -> None:
    cells = _row(gpu="M4", engine="LM Studio", model="mlx-community/Qwen3-8B-4bit", weights="4bit")
    row = resolve_written_row(cells, "t.csv", 2)
    assert (getattr(row, "engine", None), getattr(row, "weights", None)) == ("mlx-lm", "mlx-4bit")


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "kv_id", "bytes_per_element"),
    [("q4", "q4", 0.5625), ("Q6", "q6", 0.8125), ("cache_q8", "q8", 1.0625)],
)
def test_exllama_caches_by_their_own_names(
    written: str, kv_id: str, bytes_per_element: float
) -> None:
    precision = resolve_kv_cache_precision(written)
    assert (precision.id, precision.bytes_per_element) == (kv_id, bytes_per_element)
    assert precision.engines == ("exllamav2", "exllamav3")


@pytest.mark.unit
def test_ggml_cache_names_keep_their_own_entries() -> None:
    assert resolve_kv_cache_precision("q4_0").id == "q4_0"
    assert resolve_kv_cache_precision("q8_0").id == "q8_0"


@pytest.mark.unit
@pytest.mark.parametrize("written", ["llm.c", "LLM.C", "karpathy/llm.c", "llmc"])
def test_llm_c_is_its_own_framework(written: str) -> None:
    framework = training_engine(written)
    assert framework.id == "llm.c"
    assert framework.levels_from == "llmq"
    assert framework.fused == frozenset({"elementwise", "loss"})
    assert (framework.default_sharding, framework.master_weights) == ("none", True)


@pytest.mark.unit
def test_lit_llama_is_a_pytorch_fsdp_stack() -> None:
    assert training_engine("lit-llama").id == "pytorch"


@pytest.mark.unit
def test_paddlepaddle_stays_refused_with_its_reason() -> None:
    with pytest.raises(GpuAtlasError, match="PaddlePaddle / PaddleNLP is not modelled"):
        training_engine("PaddlePaddle")


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "device", "watts"),
    [
        ("RTX 3090 24GB capped at 250W", "RTX 3090 24GB", 250.0),
        ("RTX PRO 4000 Blackwell at 140W", "RTX PRO 4000 Blackwell", 140.0),
        ("RTX 4090 (power limit 300 W)", "RTX 4090", 300.0),
        ("2x RTX 3090 @ 280W", "2x RTX 3090", 280.0),
        ("RTX 4090, 300W power limit", "RTX 4090", 300.0),
    ],
)
def test_a_stated_power_is_read_apart_from_the_name(
    written: str, device: str, watts: float
) -> None:
    assert power_capped(written) == (device, watts)


@pytest.mark.unit
def test_a_laptop_tgp_is_not_a_power_cap() -> None:
    assert power_capped("RTX 3080 Ti Laptop GPU (16GB VRAM, 115W TGP)") is None


@pytest.mark.unit
def test_a_power_cap_below_the_rated_power_is_refused_saying_so() -> None:
    with pytest.raises(InvalidRequestError) as raised:
        resolve_system("RTX 3090 24GB capped at 250W")
    message = str(raised.value)
    assert "rtx-3090 under a 250 W power limit, which is not modelled" in message
    assert "at 350 W" in message and "'RTX 3090 24GB'" in message


@pytest.mark.unit
def test_a_card_stated_at_its_rated_power_is_that_card() -> None:
    assert resolve_system("RTX PRO 4000 Blackwell at 140W").gpu.id == "rtx-pro-4000-blackwell"


@pytest.mark.unit
def test_the_cli_says_which_format_a_width_was_read_as() -> None:
    result = CliRunner().invoke(
        app, ["predict", "llm", "rtx-3090", "llama-2-7b", "-w", "8-bit", "--engine", "llama.cpp"]
    )
    assert result.exit_code == 0, result.output
    assert "8-bit on llama.cpp read as q8_0" in " ".join(result.output.split())


@pytest.mark.unit
def test_the_cli_refuses_a_4bit_gguf_with_its_candidates() -> None:
    result = CliRunner().invoke(
        app, ["predict", "llm", "rtx-3090", "llama-2-7b", "-w", "4-bit", "--engine", "llama.cpp"]
    )
    assert result.exit_code == 2
    assert "q4_k_m, q4_k_s, q4_0, q4_1, iq4_xs, iq4_nl" in " ".join(result.output.split())


@pytest.mark.unit
def test_a_written_row_keeps_why_a_framework_is_not_modelled() -> None:
    cells = _row(engine="PaddlePaddle", metric="train_tok_s", weights="fp16")
    refused = resolve_written_row(cells, "t.csv", 2)
    assert refused.reason.startswith(  # type: ignore[union-attr]
        "PaddlePaddle / PaddleNLP is not modelled: "
    )
