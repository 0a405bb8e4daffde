"""Engines users name with no calibration rows of their own (ExLlamaV3, MFLUX; LMDeploy until
round 34 added its tables) are costed at a stated calibrated engine's levels and marked
extrapolated; `predict serving --requests N` runs
a finite run of N prompts in waves of the concurrency."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpuatlas.app.predict import (
    PredictLlmRequest,
    PredictServingRequest,
    predict_llm_document,
    predict_serving_document,
)
from gpuatlas.app.requests import parse_request
from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.catalog.measurements import ENGINES
from gpuatlas.errors import GpuAtlasError, InvalidRequestError
from gpuatlas.performance.api import predict_diffusion, predict_llm, serving_layout
from gpuatlas.performance.calibration_table import current_calibration
from gpuatlas.performance.cases import Case, predict_case
from gpuatlas.performance.engine_profiles import EngineProfile, all_engines
from gpuatlas.performance.engine_specs import (
    check_image_engine_runs_on,
    parse_engine_spec,
    unmeasured_engine_notes,
    unmeasured_precision_notes,
)
from gpuatlas.performance.llm.predict import finite_run_output_tok_s, llm_runtime
from gpuatlas.performance.llm.serving_layout import replica_loads
from gpuatlas.performance.media.diffusion import engine_notes, gain_source_engine, image_engine
from gpuatlas.performance.resolve import as_model, as_system


def _profile(profile_id: str) -> EngineProfile:
    return next(p for p in all_engines() if p.id == profile_id)


@pytest.mark.unit
def test_lmdeploy_with_a_version_parses_as_its_own_engine() -> None:
    spec = parse_engine_spec("lmdeploy 0.6.0")
    assert (spec.engine, spec.version) == ("lmdeploy", "0.6.0")
    assert parse_engine_spec("LMDeploy TurboMind").engine == "lmdeploy"


@pytest.mark.unit
def test_lmdeploy_loads_turbomind_formats_and_quantised_kv() -> None:
    profile = _profile("lmdeploy")
    assert {"fp16", "bf16", "awq-int4", "gptq-int4"} <= set(profile.formats)
    assert {"q8_0", "q4_0"} <= set(profile.kv_cache)  # --quant-policy 8 / 4
    assert profile.kv_block_tokens == 64  # TurbomindEngineConfig cache_block_seq_len
    assert profile.calibrate_from == "vllm"


@pytest.mark.unit
def test_an_engine_without_rows_is_costed_at_a_calibrated_engines_levels() -> None:
    # ExLlamaV3 has no measured row: it runs at ExLlamaV2's fitted levels, with a wider band
    lengths = {"batch": 1, "input_tokens": 512, "output_tokens": 256}
    own = predict_llm("rtx-4090", "llama-3.1-8b", "exl3-4bpw", "exllamav3", **lengths)
    parent = predict_llm("rtx-4090", "llama-3.1-8b", "exl2-4bpw", "exllamav2", **lengths)
    assert own.decode_tok_s.extrapolated and own.prefill_tok_s.extrapolated
    assert not parent.decode_tok_s.extrapolated
    assert own.decode_tok_s.high / own.decode_tok_s.low > (
        parent.decode_tok_s.high / parent.decode_tok_s.low
    )
    document = predict_llm_document(
        PredictLlmRequest(
            system="rtx-4090", model="llama-3.1-8b", engine="exllamav3", weights="exl3-4bpw"
        )
    )
    assert "costed at exllamav2's calibrated levels" in document["engine_note"]


def test_lmdeploy_decodes_at_its_own_fitted_level_since_it_has_rows() -> None:
    # Round 34 added LMDeploy's own benchmark tables (TurboMind decode on an RTX 4090, static
    # serving on A100s): its decode and serving levels are fitted from them; it has no prompt
    # row, so its prefill is still vLLM's, marked extrapolated, and the answer says so
    covered = current_calibration().covered
    assert "lmdeploy" in covered["decode:engine"] and "lmdeploy" in covered["serving:engine"]
    assert "lmdeploy" not in covered["prefill:engine"]
    own = predict_llm(
        "h100",
        "llama-3.1-8b",
        "bf16",
        "lmdeploy 0.6.0",
        batch=1,
        input_tokens=512,
        output_tokens=256,
    )
    four_bit = predict_llm(
        "h100",
        "llama-3.1-8b",
        "awq-int4",
        "lmdeploy 0.6.0",
        batch=1,
        input_tokens=512,
        output_tokens=256,
    )
    # its decode rows are 4-bit (TurboMind w4a16): a 4-bit run is measured ground, a bf16 run
    # sits at the engine-wide level fitted on them (round 35: coverage per engine and class)
    assert not four_bit.decode_tok_s.extrapolated
    assert own.decode_tok_s.extrapolated
    assert own.prefill_tok_s.extrapolated and four_bit.prefill_tok_s.extrapolated
    assert own.decode_tok_s.high / own.decode_tok_s.low > (
        four_bit.decode_tok_s.high / four_bit.decode_tok_s.low
    )
    document = predict_llm_document(
        PredictLlmRequest(system="h100", model="llama-3.1-8b", engine="lmdeploy")
    )
    assert "no measured prompt rows" in document["engine_note"]
    assert "costed at vllm's calibrated prompt level" in document["engine_note"]
    assert (
        "no measured 16-bit decode rows in the calibration (only 4-bit)"
        in (document["engine_note"])
    )
    quantised = predict_llm_document(
        PredictLlmRequest(
            system="h100", model="llama-3.1-8b", engine="lmdeploy", weights="awq-int4"
        )
    )
    assert "decode rows" not in quantised.get("engine_note", "")


def test_coverage_counts_each_engine_at_each_precision_class_it_measured() -> None:
    covered = current_calibration().covered["decode:engine_precision"]
    assert "lmdeploy|4bit" in covered and "lmdeploy|16bit" not in covered
    assert {"vllm|16bit", "vllm|8bit", "vllm|4bit"} <= covered


def test_the_precision_note_speaks_only_for_an_unmeasured_class_of_a_measured_engine() -> None:
    lmdeploy = _profile("lmdeploy")
    measured = frozenset({"lmdeploy|4bit", "vllm|16bit"})
    (note,) = unmeasured_precision_notes(lmdeploy, "16bit", measured)
    assert note.startswith("lmdeploy has no measured 16-bit decode rows")
    assert "(only 4-bit)" in note
    # its levels refine vLLM's (engines.toml calibrate_from), which measured 16 bits
    assert "its 16-bit decode level is vllm's 16-bit level corrected by its own 4-bit rows" in note
    (alone,) = unmeasured_precision_notes(lmdeploy, "16bit", frozenset({"lmdeploy|4bit"}))
    assert "its 16-bit decode level comes from its 4-bit rows" in alone
    assert unmeasured_precision_notes(lmdeploy, "4bit", measured) == ()
    # an engine with no rows at all gets unmeasured_engine_notes' note, not this one
    assert unmeasured_precision_notes(lmdeploy, "16bit", frozenset({"vllm|16bit"})) == ()
    # a generation that shares its parent's levels is measured where the parent is
    newer = _profile("ollama-2026")
    assert unmeasured_precision_notes(newer, "4bit", frozenset({"ollama|4bit"})) == ()
    (eight,) = unmeasured_precision_notes(newer, "8bit", frozenset({"ollama|4bit"}))
    assert eight.startswith("ollama has no measured 8-bit decode rows")


def test_the_note_names_only_the_levels_an_engine_borrows() -> None:
    lmdeploy = _profile("lmdeploy")
    borrowed_all = unmeasured_engine_notes(lmdeploy, frozenset({"vllm"}), frozenset({"vllm"}))
    assert "has no measured rows" in borrowed_all[0]
    prompts_only = unmeasured_engine_notes(
        lmdeploy, frozenset({"vllm", "lmdeploy"}), frozenset({"vllm"})
    )
    assert "no measured prompt rows" in prompts_only[0]
    both = frozenset({"vllm", "lmdeploy"})
    assert unmeasured_engine_notes(lmdeploy, both, both) == ()


@pytest.mark.unit
def test_the_borrowed_levels_note_is_only_for_another_engine_without_rows() -> None:
    lmdeploy = _profile("lmdeploy")
    assert unmeasured_engine_notes(lmdeploy, frozenset({"vllm"}))
    assert unmeasured_engine_notes(lmdeploy, frozenset({"vllm", "lmdeploy"})) == ()
    older_llama = _profile("llama.cpp-2023")  # a generation of the same engine
    assert unmeasured_engine_notes(older_llama, frozenset()) == ()


@pytest.mark.unit
def test_mflux_is_an_apple_image_engine_costed_as_eager_diffusers() -> None:
    assert image_engine("mflux") == "mflux"
    assert gain_source_engine("mflux") == "diffusers"
    (note,) = engine_notes("mflux", None)
    assert "eager diffusers" in note and "mflux" in note
    check_image_engine_runs_on("mflux", resolve_gpu("apple-m4-max-40c"))
    with pytest.raises(GpuAtlasError, match="Apple"):
        check_image_engine_runs_on("mflux", resolve_gpu("rtx-4090"))


@pytest.mark.unit
def test_replica_loads_spread_sequences_and_prompts_evenly() -> None:
    assert replica_loads(5, 7, 2) == [(3, 4), (2, 3)]
    assert replica_loads(3, None, 4) == [(1, None), (1, None), (1, None)]
    assert replica_loads("max", 3, 4) == [("max", 1), ("max", 1), ("max", 1)]


@pytest.mark.unit
def test_a_finite_run_on_one_gpu_is_its_waves() -> None:
    runtime = llm_runtime(as_system("l4"), as_model("qwen2.5-7b"), "bf16", "vllm")
    expected = finite_run_output_tok_s(runtime, 64, 100, 45, 128)
    lengths = {"input_tokens": 45, "output_tokens": 128, "concurrency": 64}
    found = serving_layout("l4", "qwen2.5-7b", "bf16", "vllm", requests=100, **lengths)
    steady = serving_layout("l4", "qwen2.5-7b", "bf16", "vllm", **lengths)
    whole = serving_layout("l4", "qwen2.5-7b", "bf16", "vllm", requests=128, **lengths)
    assert found.output_tok_s.value == pytest.approx(expected)
    assert found.output_tok_s.value < steady.output_tok_s.value
    assert whole.output_tok_s.value == pytest.approx(steady.output_tok_s.value)


@pytest.mark.unit
def test_serving_requests_are_echoed_and_below_one_refused() -> None:
    request = PredictServingRequest(
        system="l4",
        model="qwen2.5-7b",
        weights="bf16",
        engine="vllm",
        concurrency=64,
        input_tokens=45,
        output_tokens=128,
        requests=100,
    )
    document = predict_serving_document(request)
    assert document["request"]["requests"] == 100
    assert "100 requests in waves of 64" in document["serving_output_tok_s"]["notes"][0]
    with pytest.raises(ValueError, match="greater than or equal to 1"):
        PredictServingRequest(system="l4", model="qwen2.5-7b", requests=0)


@pytest.mark.unit
@pytest.mark.parametrize("concurrency", [0, -4])
def test_serving_concurrency_below_one_is_a_request_error_not_a_crash(concurrency: int) -> None:
    """GET /predict/serving.json?concurrency=0 crashed with ZeroDivisionError (spreading no
    sequence over no replica); now every problem of the request is named at once."""
    values = {"system": "h100", "model": "llama-3.1-8b", "concurrency": concurrency, "requests": 0}
    with pytest.raises(InvalidRequestError) as refused:
        parse_request(PredictServingRequest, values)
    problems = refused.value.problems
    assert "concurrency: a whole number from 1 to 100,000,000, or 'max'" in problems
    assert any(problem.startswith("requests:") for problem in problems)


@pytest.mark.unit
def test_mflux_is_marked_extrapolated_at_diffusers_value() -> None:
    mflux = predict_diffusion("apple-m2-max-38c", "sd-1.5", engine="mflux")
    eager = predict_diffusion("apple-m2-max-38c", "sd-1.5", engine="diffusers")
    assert mflux.s_per_image.value == pytest.approx(eager.s_per_image.value)
    assert mflux.s_per_image.extrapolated


@pytest.mark.unit
def test_measured_rows_may_name_lmdeploy_and_mflux() -> None:
    assert {"lmdeploy", "mflux"} <= ENGINES  # a held-out or new row naming them is predicted
    llm = Case(
        gpu="h100-sxm",
        gpu_count=1,
        model="llama-3.1-8b",
        weights="awq-int4",
        engine="lmdeploy",
        batch=1,
        input_tokens=512,
        output_tokens=256,
        metric="decode_tok_s",
    )
    found = predict_case(llm)
    # LMDeploy's own 4-bit rows since round 34 (a bf16 run is extrapolated: it has none)
    assert found.value > 0 and not found.extrapolated
    image = Case(
        gpu="apple-m2-max-38c",
        gpu_count=1,
        model="sd-1.5",
        weights="fp16",
        engine="mflux",
        batch=1,
        input_tokens=None,
        output_tokens=None,
        metric="image_s",
        resolution="512",
        steps=20,
    )
    eager = predict_case(replace(image, engine="diffusers"))
    assert predict_case(image).value == pytest.approx(eager.value)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("engine", "model"),
    [("ollama 0.12.0", "qwen3-8b"), ("ollama 0.20.0", "llama-3.1-8b"), ("ollama", "qwen3-8b")],
)
def test_the_precision_note_speaks_for_the_profile_that_runs_the_model(
    engine: str, model: str
) -> None:
    # Ollama runs some families on its own Go engine (engines.toml own_engine_families): the
    # note and the extrapolated flag must judge the same profile
    document = predict_llm_document(
        PredictLlmRequest(system="apple-m2-max-38c", model=model, engine=engine, weights="q8_0")
    )
    noted = "8-bit decode rows" in document.get("engine_note", "")
    assert noted == document["decode_tok_s"]["extrapolated"]


@pytest.mark.unit
def test_a_calibration_without_precision_classes_covers_every_class() -> None:
    # a calibration file written before round 35 records no engine_precision axis: its answers
    # are not all extrapolated
    shipped = current_calibration()
    older = replace(
        shipped,
        covered={k: v for k, v in shipped.covered.items() if "engine_precision" not in k},
    )
    runtime = llm_runtime("h100", "llama-3.1-8b", "bf16", "lmdeploy 0.6.0")
    assert runtime.extrapolated(shipped, "decode")
    assert not runtime.extrapolated(older, "decode")
