"""Applications that run llama.cpp underneath fetch its GGUF builds: `predict llm "arc b580"
llama-3.1-8b -e "LM Studio"` (and `-e ipex-llm`) answered the checkpoint's bf16 with 26 of 32
layers on the CPU, 9.4 tok/s, while `-e llama.cpp` answered Q4_K_M at ~61 tok/s on the same
llama.cpp (SYCL) profile."""

from __future__ import annotations

import pytest

from gpuatlas.app.fit import FitRequest, fit_answer
from gpuatlas.app.predict import PredictLlmRequest, predict_llm_document
from gpuatlas.performance.engine_specs import gguf_runner_text


def _predicted(engine: str) -> dict[str, object]:
    return predict_llm_document(
        PredictLlmRequest(system="arc-b580", model="llama-3.1-8b", engine=engine)
    )


@pytest.mark.parametrize("engine", ["LM Studio", "LM Studio 0.3.5", "ipex-llm"])
def test_a_front_end_answers_what_llama_cpp_answers(engine: str) -> None:
    front, plain = _predicted(engine), _predicted("llama.cpp")
    assert front["weights"] == plain["weights"] == "q4_k_m"
    assert front["decode_tok_s"] == plain["decode_tok_s"]
    fit = fit_answer(FitRequest(system="arc-b580", model="llama-3.1-8b", engine=engine))
    assert fit.weights.format_id == "q4_k_m"


def test_only_front_ends_of_gguf_engines_are_read_as_their_engine() -> None:
    assert gguf_runner_text("LM Studio 0.3.5") == "llama.cpp"
    assert gguf_runner_text("vllm 0.8.5") == "vllm 0.8.5"  # no front end: as written
    assert gguf_runner_text("not an engine") == "not an engine"  # its error comes elsewhere
