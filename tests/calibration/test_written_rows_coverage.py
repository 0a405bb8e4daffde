"""Rows written as their sources write them resolve as a user's names do: bare family GPU
names (read as the default variant), FastChat, MLX's '4bit', '16-bit', and decode rates that
state no lengths (predicted at the CLI's default lengths, said in the notes)."""

from __future__ import annotations

from gpuatlas.app.predict import PredictLlmRequest
from gpuatlas.calibration.written_rows import (
    DEFAULT_INPUT_TOKENS,
    DEFAULT_OUTPUT_TOKENS,
    load_written,
    resolve_written_row,
    written_dir,
)
from gpuatlas.catalog.measurements import MeasuredRow
from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.performance.api import predict_llm
from gpuatlas.performance.engine_specs import parse_engine_spec

ROW = {
    "gpu": "A100",
    "gpu_count": "1",
    "engine": "transformers",
    "engine_version": "",
    "model": "metaai/Llama-2-7b-chat-hf",
    "weights": "",
    "kv_cache": "",
    "batch": "1",
    "input_tokens": "",
    "output_tokens": "420",
    "resolution": "",
    "steps": "",
    "metric": "decode_tok_s",
    "value": "44.5",
    "unit": "tok/s",
    "source": "https://example.org/bench",
    "source_date": "2023-08",
    "notes": "as written",
    "parallelism": "",
    "backend": "",
    "variant": "",
}


def _resolved(**changes: str) -> MeasuredRow:
    row = resolve_written_row({**ROW, **changes}, "file.csv", 2)
    assert isinstance(row, MeasuredRow), row
    return row


def test_a_bare_family_name_resolves() -> None:
    row = _resolved()
    assert (row.gpu, row.engine) == ("a100-80gb-sxm", "transformers")
    assert (row.input_tokens, row.output_tokens, row.notes) == (None, 420, "as written")


def test_a_decode_rate_with_no_lengths_takes_the_cli_defaults_and_says_so() -> None:
    row = _resolved(engine="Ollama", model="llama3.2:3b", output_tokens="", gpu="RTX 3080")
    assert row.gpu == "rtx-3080-10gb"
    assert (row.input_tokens, row.output_tokens) == (512, 256)
    assert row.notes.startswith("as written; lengths not stated")
    defaults = PredictLlmRequest.model_fields
    assert defaults["input_tokens"].default == DEFAULT_INPUT_TOKENS
    assert defaults["output_tokens"].default == DEFAULT_OUTPUT_TOKENS


def test_a_serving_rate_with_no_lengths_gets_none() -> None:
    row = _resolved(metric="serving_output_tok_s", output_tokens="", batch="max")
    assert (row.input_tokens, row.output_tokens) == (None, None)


def test_mlx_bits_are_mlx_formats_on_mlx_lm_only() -> None:
    mlx = _resolved(engine="MLX-LM", gpu="M3 Max", model="Llama-3.3-70B-Instruct-4bit")
    assert (mlx.engine, mlx.weights) == ("mlx-lm", "mlx-4bit")
    six = _resolved(engine="mlx_lm.generate", gpu="M2 Ultra", weights="6bit")
    assert six.weights == "mlx-6bit"
    elsewhere = resolve_written_row({**ROW, "weights": "4bit"}, "file.csv", 3)
    assert not isinstance(elsewhere, MeasuredRow) and elsewhere.field == "weights"


def test_sixteen_bit_is_the_checkpoint_s_own_half_precision() -> None:
    row = _resolved(model="meta-llama/Meta-Llama-3-70B-Instruct", weights="16-bit")
    assert row.weights == "bf16"


def test_mlx_community_checkpoints_carry_their_mlx_format() -> None:
    four = resolve_model_reference("mlx-community/Meta-Llama-3.1-8B-Instruct-4bit", False)
    assert (four.model.id, four.format_id) == ("llama-3.1-8b", "mlx-4bit")
    eight = resolve_model_reference("mlx-community/Qwen2.5-72B-Instruct-8bit", False)
    assert eight.format_id == "mlx-8bit"
    half = resolve_model_reference("mlx-community/Qwen2.5-7B-Instruct-bf16", False)
    assert half.format_id == "bf16"
    bnb = resolve_model_reference("unsloth/Llama-3.2-3B-Instruct-bnb-4bit", False)
    assert bnb.format_id == "nf4"  # not MLX: bitsandbytes' 4-bit


def test_fastchat_runs_its_default_worker_s_engine() -> None:
    row = _resolved(engine="FastChat")
    assert (row.gpu, row.engine) == ("a100-80gb-sxm", "transformers")
    assert parse_engine_spec("fastchat.serve.vllm_worker").engine == "vllm"
    # FastChat's version is the application's, not a transformers release
    spec = parse_engine_spec("FastChat 0.2.36")
    assert (spec.engine, spec.version, spec.frontend) == ("transformers", None, "FastChat 0.2.36")


def test_mlx_lm_runs_its_own_quantised_formats() -> None:
    estimate = predict_llm(
        "apple-m3-max-40c",
        "llama-3.1-8b",
        weights="mlx-4bit",
        engine="mlx-lm",
        batch=1,
        input_tokens=128,
        output_tokens=128,
    )
    assert estimate.decode_tok_s.value > 0


# The first round of the fresh set (151 rows): every name in it resolves. Later rounds keep rows
# whose names do not resolve yet, with the reason (test_written_rows_fresh_sources.py).
FIRST_ROUND_FILES = (
    "diffusers_docs_tome_vanilla.csv",
    "dmatora_issue12_rtx3080.csv",
    "geerlingguy_ai_benchmarks_readme.csv",
    "geerlingguy_issues_llamabench.csv",
    "geerlingguy_pr11_ollama.csv",
    "llamacpp_issue8186_w7800_rocm.csv",
    "mlperf_inference_v5_0_llama2_70b.csv",
    "mlx_examples_issue1029_m3max.csv",
    "mlx_examples_threads.csv",
    "mlx_threads_more.csv",
    "nemo_performance_summary.csv",
    "serving_issue_threads.csv",
    "stable_fast_issue63_comfyui.csv",
    "tt_inference_server_issue143_2xh100.csv",
    "tt_inference_server_issue340_a100.csv",
    "tt_inference_server_issue394_4090.csv",
    "user_reports_vllm_fastchat.csv",
)


def test_every_packaged_written_row_resolves_its_names() -> None:
    first_round = [load_written(written_dir() / name) for name in FIRST_ROUND_FILES]
    assert sum(written.total for written in first_round) == 151
    assert [row.grouped_reason for written in first_round for row in written.unresolved] == []
