"""An engine that does not load the asked-for weights is refused with what would work: a format
it loads (and the flag that names it) and the engines, as users name them, that load the
asked-for format (not every version profile of each)."""

from __future__ import annotations

import pytest

from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance.engine_profiles import require_format
from gpuatlas.performance.engine_specs import engine_profile


def test_exllamav2_refusing_q4_k_m_names_its_formats_and_the_engines_that_load_it() -> None:
    with pytest.raises(InvalidRequestError) as raised:
        require_format(engine_profile("exllamav2"), "q4_k_m")
    text = str(raised.value)
    assert "engine exllamav2 does not load q4_k_m weights" in text
    assert "--weights gptq-int4" in text
    assert text.endswith("engines that load q4_k_m: llama.cpp, ollama, vllm")
