"""compare's speed table says where its single-user decode is measured (256 tokens after the
latency prompt), so it is not read against `predict llm`'s 512-token default."""

from __future__ import annotations

from pathlib import Path

from gpuatlas.report import build_comparison
from gpuatlas.report.document import Text
from gpuatlas.report.focus import OUTPUT_TOKENS, prompt_tokens_of


def test_the_decode_row_names_its_output_and_prompt_lengths(fresh_data_dir: Path) -> None:
    comparison = build_comparison("rtx-4090", "rtx-5090", model="qwen3:8b")
    table = next(t for t in comparison.section("inference").tables if t.id == "llm-speed")
    first = table.rows[0][0]
    assert isinstance(first, Text)
    prompt = prompt_tokens_of(int(comparison.options["context_tokens"]))
    assert prompt == 2048 and OUTPUT_TOKENS == 256  # the report's defaults
    assert first.text == "Single-user decode (256 tokens after a 2,048-token prompt)"
