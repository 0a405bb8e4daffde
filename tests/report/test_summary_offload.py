"""`compare A B --model qwen3:32b`: when one side's Ollama runs the model partly on the CPU, the
summary says so next to the single-user decode it explains (an RTX 4090 6x slower than an RTX
5090 reads as a mistake without it)."""

from __future__ import annotations

from pathlib import Path

from gpuatlas.catalog.systems import resolve_system
from gpuatlas.economics.full_load import held_sequences
from gpuatlas.report import build_comparison
from gpuatlas.report.phrasing import render_statement
from gpuatlas.report.profiles.llm import SPLIT_LAYOUT


def test_the_summary_says_which_side_runs_partly_on_the_cpu(fresh_data_dir: Path) -> None:
    comparison = build_comparison("rtx-4090", "rtx-5090", model="qwen3:32b")
    summary = [render_statement(s) for s in comparison.summary]
    decode = next(i for i, line in enumerate(summary) if line.startswith("Single-user decode"))
    split = summary[decode + 1]
    assert split.startswith("RTX 4090 runs qwen3:32b in q4_k_m on ollama partly on the CPU")
    assert "num_ctx 32,768" in split  # Ollama's default on 24 GiB, the cause
    assert not any(line.startswith("RTX 5090 runs") for line in summary)  # 32 GiB: whole


def test_no_split_no_statement(fresh_data_dir: Path) -> None:
    comparison = build_comparison("rtx-4090", "rtx-5090", model="qwen3:8b")
    summary = [render_statement(s) for s in comparison.summary]
    assert not any("partly on the CPU" in line for line in summary)


def test_num_ctx_keeps_the_4090_whole_and_vllm_sides_ignore_it(fresh_data_dir: Path) -> None:
    """--num-ctx 8192 (the context Ollama allocates) leaves qwen3:32b whole on the RTX 4090;
    on a vLLM side, which pages its KV cache, it changes nothing."""
    whole = build_comparison("rtx-4090", "rtx-5090", model="qwen3:32b", num_ctx=8192)
    assert not any("partly on the CPU" in render_statement(s) for s in whole.summary)
    assert whole.options["num_ctx"] == 8192  # echoed with the other options
    vllm = build_comparison("rtx-4090", "h100", model="llama-3.1-8b")
    given = build_comparison("rtx-4090", "h100", model="llama-3.1-8b", num_ctx=8192)
    assert [render_statement(s) for s in given.summary] == [
        render_statement(s) for s in vllm.summary
    ]


def test_a_split_side_serves_and_costs_one_request_at_a_time(fresh_data_dir: Path) -> None:
    """The RTX 4090's Ollama split holds one request at a time (as `cost` and `plan` run it):
    its serving throughput is its single-user decode and its cost per token follows from that,
    so the RTX 5090, which holds the model whole, is the cheaper one to serve (it read '4090
    ahead by 1.75x' from a batched throughput the split cannot reach)."""
    comparison = build_comparison("rtx-4090", "rtx-5090", model="qwen3:32b")
    summary = [render_statement(s) for s in comparison.summary]
    cost = next(line for line in summary if line.startswith("Cost per 1M output tokens"))
    assert "RTX 5090 ahead" in cost
    texts = repr(comparison.sections)
    assert SPLIT_LAYOUT in texts  # the 4090's serving layout


def test_ollama_holds_the_sequences_its_num_ctx_allows(fresh_data_dir: Path) -> None:
    """Ollama allocates num_ctx of KV per sequence whatever a request's length (as `plan` and
    `cost` run it): an RTX 5090 holds qwen3:32b q4_k_m (18.5 GiB) and one 32,768-token sequence
    (8 GiB of KV) in its 32 GiB, so compare serves one at a time; at --num-ctx 8192 (2 GiB
    each) it holds several, but Ollama from 0.10 still decodes one request at a time
    (OLLAMA_NUM_PARALLEL's default 1, performance/data/server_slots.toml), while llama-server's
    4 default slots at -c 8192 run several; vLLM pages its KV cache and keeps 'max'."""
    rtx_5090 = resolve_system("rtx-5090")
    case = (rtx_5090, "qwen3-32b", "q4_k_m")
    context = 512 + 256  # compare's serving request: 512 tokens in, 256 out
    assert held_sequences(*case, "ollama", context) == 1
    assert held_sequences(*case, "ollama", context, num_ctx=8192) == 1
    assert held_sequences(*case, "llama.cpp", context, num_ctx=8192) >= 3
    assert held_sequences(*case, "vllm", context) == "max"
