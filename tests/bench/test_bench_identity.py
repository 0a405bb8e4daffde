"""Which benchmark a run is: the suite id only for a run that matches the definition, else a
custom id derived from the run's own settings (model, lengths, load, API)."""

from __future__ import annotations

import pytest

from gpuatlas.bench.identity import (
    custom_note,
    fold_llm_overrides,
    resolve_inprocess,
    resolve_llm,
)
from gpuatlas.bench.options import RunOptions
from gpuatlas.bench.runner import distinct_runs
from gpuatlas.errors import InvalidRequestError
from gpuatlas.records.identity import identity_key, same_model
from gpuatlas.records.result import BenchResult, EngineInfo, Fingerprint, Headline, Settings
from gpuatlas.records.suite import get_benchmark, select_benchmarks

QWEN_C16 = "llm-serving-qwen3-4b-c16"


def test_a_run_that_matches_the_definition_keeps_the_suite_id() -> None:
    definition = get_benchmark(QWEN_C16)
    for model in (None, "Qwen/Qwen3-4B", "qwen3-4b"):
        resolved = resolve_llm(definition, RunOptions(model=model), "openai-completions")
        assert resolved is definition


def test_changed_model_lengths_and_concurrency_make_a_custom_run() -> None:
    options = RunOptions(model="ref-model", concurrency=64, input_tokens=32, output_tokens=32)
    resolved = resolve_llm(get_benchmark(QWEN_C16), options, "openai-completions")
    assert resolved.id == "custom-llm-serving.ref-model.in32-out32.c64.completions"
    assert resolved.based_on == QWEN_C16
    assert resolved.model == "ref-model"
    assert resolved.params["concurrency"] == 64
    assert len(resolved.differences) == 4  # model, input, output, concurrency
    note = custom_note(resolved) or ""
    assert QWEN_C16 in note and "concurrency 64 (suite: 16)" in note


@pytest.mark.parametrize(
    ("options", "api", "suffix"),
    [
        (RunOptions(concurrency=32), "openai-completions", ".c32.completions"),
        (RunOptions(rate_rps=2.5), "openai-completions", ".r2.5.completions"),
        (RunOptions(rate_rps=2.5, concurrency=8), "openai-completions", ".r2.5-c8.completions"),
        (RunOptions(), "openai-chat", ".c16.chat"),
    ],
)
def test_any_one_difference_is_enough(options: RunOptions, api: str, suffix: str) -> None:
    resolved = resolve_llm(get_benchmark(QWEN_C16), options, api)
    assert resolved.id.startswith("custom-llm-serving.qwen-qwen3-4b.in512-out256")
    assert resolved.id.endswith(suffix)


def test_single_user_definitions_allow_ollamas_api_and_the_openai_one() -> None:
    definition = get_benchmark("llm-single-llama3.1-8b")
    for api in ("ollama-generate", "openai-completions"):
        assert resolve_llm(definition, RunOptions(), api) is definition
    assert resolve_llm(definition, RunOptions(), "ollama-chat").based_on == definition.id


def test_a_category_run_against_the_users_model_measures_each_shape_once_for_it() -> None:
    chosen = select_benchmarks("llm-serving")
    shapes = distinct_runs(chosen, RunOptions(model="my-model"))
    resolved = {
        resolve_llm(b, RunOptions(model="my-model"), "openai-completions").id for b in shapes
    }
    assert resolved == {
        f"custom-llm-serving.my-model.in512-out256.c{c}.completions" for c in (16, 32, 64)
    }
    # the README's sweep: one run per concurrency, none labelled with a suite model
    for concurrency in (16, 32, 64):
        options = RunOptions(model="my-model", concurrency=concurrency)
        runs = distinct_runs(chosen, options)
        assert len(runs) == 1
        assert resolve_llm(runs[0], options, "openai-completions").id.startswith(
            "custom-llm-serving.my-model."
        )


def test_a_category_run_keeps_the_definition_it_matches_exactly() -> None:
    options = RunOptions(model="Qwen/Qwen3-4B", concurrency=16)
    runs = distinct_runs(select_benchmarks("llm-serving"), options)
    assert [b.id for b in runs] == [QWEN_C16]


def test_param_overrides_of_llm_benchmarks_are_applied_not_ignored() -> None:
    definition = get_benchmark(QWEN_C16)
    folded = fold_llm_overrides(definition, RunOptions(overrides={"concurrency": "2"}))
    assert folded.concurrency == 2
    assert resolve_llm(definition, folded, None).id.endswith(".c2.completions")
    explicit = fold_llm_overrides(
        definition, RunOptions(concurrency=4, overrides={"concurrency": "2"})
    )
    assert explicit.concurrency == 4
    with pytest.raises(InvalidRequestError, match="whole number"):
        fold_llm_overrides(definition, RunOptions(overrides={"concurrency": "2.5"}))


def test_inprocess_parameter_changes_make_a_custom_run() -> None:
    definition = next(b for b in select_benchmarks("suite") if "steps" in b.params)
    same = resolve_inprocess(definition, RunOptions(), dict(definition.params))
    assert same is definition
    changed = resolve_inprocess(
        definition, RunOptions(), {**definition.params, "steps": definition.params["steps"] + 1}
    )
    assert changed.id.startswith(f"custom-{definition.id}.steps")
    assert changed.based_on == definition.id


def test_model_names_match_by_repository_name_and_case() -> None:
    assert same_model("qwen3-4b", "Qwen/Qwen3-4B")
    assert not same_model("qwen3-8b", "Qwen/Qwen3-4B")
    assert not same_model("anything", None)


def _result(benchmark: str, settings: Settings, engine: str | None = None) -> BenchResult:
    return BenchResult(
        benchmark=benchmark,
        benchmark_version=1,
        category="llm-serving",
        settings=settings,
        fingerprint=Fingerprint(engine=EngineInfo(name=engine) if engine else None),
        headline=Headline(metric="output_tok_s", unit="tok/s", higher_is_better=True, value=100.0),
    )


def test_identity_key_names_engine_weights_and_contradicting_settings() -> None:
    matching = Settings(model="Qwen/Qwen3-4B", concurrency=16, input_tokens=512)
    assert identity_key(_result(QWEN_C16, matching)) == ""
    assert identity_key(_result(QWEN_C16, matching, "vllm")) == "engine:vllm"
    quantized = Settings(model="Qwen/Qwen3-4B", extra={"weights": "Q4_K_M"})
    assert (
        identity_key(_result(QWEN_C16, quantized, "llama.cpp")) == "engine:llama.cpp weights:q4_k_m"
    )
    # a file written before custom ids: a suite id carrying other settings
    relabelled = identity_key(_result(QWEN_C16, Settings(model="ref-model", concurrency=64)))
    assert relabelled.startswith("settings:")
    other = identity_key(_result(QWEN_C16, Settings(model="ref-model", concurrency=32)))
    assert other.startswith("settings:") and other != relabelled
    # imported ids do not name their settings: the digest separates them
    imported = identity_key(_result("external-vllm-bench-serve", Settings(model="a")))
    assert imported.startswith("settings:")
    assert imported != identity_key(_result("external-vllm-bench-serve", Settings(model="b")))
