"""A decode or prompt figure measured through llama-server takes the server's defaults (its
'-fa auto' since b6327), not llama-bench's '-fa 0': the engine as written names the program
('llama-server b8123'), and a written row keeps that word in its variant when its engine
resolves to llama.cpp."""

from __future__ import annotations

from gpuatlas.calibration.fitting import observations
from gpuatlas.calibration.written_rows import later_written_dirs, load_written
from gpuatlas.performance.cases import Case, case_llm_runtime
from gpuatlas.performance.llm.attention_setting import names_a_server
from gpuatlas.performance.resolve import as_system


def test_server_programs_are_recognised_as_users_write_them() -> None:
    assert names_a_server("llama-server b8123")
    assert names_a_server("llama.cpp (llama-server)")
    assert names_a_server("llama.cpp server")
    assert names_a_server("llama.cpp-server") and names_a_server("llama_server")
    assert not names_a_server("llama.cpp b8123")
    assert not names_a_server("llama-bench")
    assert not names_a_server("ollama-server")  # the name inside another word
    assert not names_a_server("mlx_lm.server") and not names_a_server("sglang server")
    assert not names_a_server(None)


def _case(metric: str, engine_text: str | None, variant: str | None = None) -> Case:
    return Case(
        gpu="rtx-4090",
        gpu_count=1,
        model="qwen3-30b-a3b",
        weights="q4_k_m",
        engine="llama.cpp",
        batch=1,
        input_tokens=None,
        output_tokens=128,
        metric=metric,
        engine_text=engine_text,
        variant=variant,
    )


def test_a_decode_row_measured_by_the_server_is_a_server_run() -> None:
    assert _case("decode_tok_s", "llama-server b8123").serves
    assert _case("decode_tok_s", "llama.cpp b8123", variant="llama-server").serves
    assert not _case("decode_tok_s", "llama.cpp b8123").serves  # llama-bench's defaults
    assert _case("serving_output_tok_s", "llama.cpp b8123").serves


def test_written_server_rows_decode_with_flash_attention() -> None:
    # fromthematrix.dev's Strix Halo runs: llama-server b8123 on Vulkan, decode after a
    # 7,624-token prompt. Under the server's default the KV cache is read once per KV head;
    # under llama-bench's '-fa 0' of that generation every query head would read it again.
    folder = next(p for p in later_written_dirs() if p.name == "as_written_r33")
    rows = [row for row in load_written(folder).rows if row.engine_version == "b8123"]
    assert len(rows) == 8
    for observation in observations(rows):
        case = observation.case
        assert case.serves and "llama-server" in (case.variant or "")
        runtime = case_llm_runtime(case, as_system(case.gpu), case.model, "fp16")
        assert runtime.flash_attention is True
        assert not runtime.attention_per_query_head
