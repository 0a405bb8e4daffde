"""Model names as llama-bench prints them: '<GGUF architecture> <size label> <file type>'
('phi2 3B F16', 'llama 7B Q4_0', 'qwen2 1.5B Q4_K - Medium').

The size label is llama.cpp's model type, chosen per architecture from the layer count
(src/llama-model.cpp load_hparams: phi2 with 32 layers is '3B' for Phi-2's 2.78e9 parameters,
phi3 with 32 layers '3B' for Phi-3-mini's 3.82e9), so it is a rounded size, not the count. The
architecture is the GGUF one that convert_hf_to_gguf.py writes for the Hugging Face model_type;
the names differ for a few (LLAMA_CPP_ARCHITECTURES). A name is read as the library model of
that architecture whose parameter count rounds to the label. Labels that no count rounds to
('phi3 3B' for 3.82e9, 'llama 70B' for 68.98e9) stay unresolved rather than guessed: the
nearest size is not always the model meant ('qwen3 30B' is not Qwen3-32B). Several shapes that
round to the label are ambiguous (the error lists them); several releases of one shape are one
prediction, so the shortest id (the base release) stands for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gpuatlas.catalog.model_arch import ModelArch
from gpuatlas.catalog.model_library import all_llms, library_model_types
from gpuatlas.errors import UnknownNameError

# Hugging Face model_type -> the GGUF architecture llama.cpp's converter writes, where they
# differ (convert_hf_to_gguf.py: PhiForCausalLM -> PHI2, MistralForCausalLM and
# MixtralForCausalLM -> LLAMA, CohereForCausalLM -> COMMAND_R, GptOssForCausalLM -> GPT_OSS;
# gguf-py/gguf/constants.py MODEL_ARCH_NAMES gives their printed names).
LLAMA_CPP_ARCHITECTURES = {
    "phi": "phi2",
    "mistral": "llama",
    "mixtral": "llama",
    "cohere": "command-r",
    "gpt_oss": "gpt-oss",
    "gemma3_text": "gemma3",
    "deepseek_v2": "deepseek2",
    "deepseek_v3": "deepseek2",
    "gemma4_text": "gemma4",
    "qwen3_5_text": "qwen35",
    "qwen3_5_moe_text": "qwen35moe",
}

# A mixture-of-experts type is '<total>B.A<active>B' ('qwen3moe 30B.A3B', 'gemma4 26B.A4B',
# 'glm4moe 106B.A12B'): llama.cpp's LLM_TYPE names, which follow the model cards' rounded
# sizes (GLM-4.5-Air's 106.85e9 is '106B', Gemma 4 26B-A4B's 25.23e9 '26B'), so they are read
# within MOE_LABEL_TOLERANCE of the total and within MOE_ACTIVE_TOLERANCE of the active count.
_LLAMA_BENCH_NAME = re.compile(
    r"^\s*(?P<arch>[a-z][a-z0-9\-]*)\s+(?P<size>\d+(?:\.\d+)?)b"
    r"(?:\.a(?P<active>\d+(?:\.\d+)?)b)?(?:\s+(?P<rest>.*))?$",
    re.IGNORECASE,
)
MOE_LABEL_TOLERANCE = 0.05
MOE_ACTIVE_TOLERANCE = 0.5


@dataclass(frozen=True)
class SizeLabelReading:
    model: ModelArch
    architecture: str  # the GGUF architecture as written ('phi2')
    size_label: str  # '3B'


def llama_cpp_architecture(model_type: str) -> str:
    """The GGUF architecture name llama.cpp prints for a Hugging Face model_type."""
    found = LLAMA_CPP_ARCHITECTURES.get(model_type)
    return found if found is not None else model_type.replace("_", "")


def _rounds_to(params: float, label: str) -> bool:
    decimals = len(label.split(".")[1]) if "." in label else 0
    return round(params / 1e9, decimals) == float(label)


def _one_shape(models: list[ModelArch], name: str) -> ModelArch | None:
    """The first model when every candidate has one parameter count (one shape), None when
    there is none, ambiguous (UnknownNameError) when their sizes differ."""
    if not models:
        return None
    sizes = {round(model.total_params() / 1e7) for model in models}
    if len(sizes) > 1:
        raise UnknownNameError(
            "model",
            name,
            sorted(model.id for model in models),
            ambiguous=True,
            hint="llama-bench's size label is rounded: name the model (its id or Hub id)",
        )
    return min(models, key=lambda model: (len(model.id), model.id))


def read_size_label(name: str) -> SizeLabelReading | None:
    """The library model a llama-bench model name stands for (None when the name is not of
    that form or no model of the architecture has about that size)."""
    match = _LLAMA_BENCH_NAME.match(name)
    if match is None:
        return None
    architecture, label = match.group("arch").lower(), match.group("size")
    active = match.group("active")
    model_types = library_model_types()
    same_architecture = [
        model
        for model in all_llms()
        if llama_cpp_architecture(model_types.get(model.id, "")) == architecture
    ]
    if active is None:
        fitting = [model for model in same_architecture if _rounds_to(model.total_params(), label)]
    else:
        fitting = [model for model in same_architecture if _moe_label_fits(model, label, active)]
    model = _one_shape(fitting, name)
    size_label = f"{label}B" if active is None else f"{label}B.A{active}B"
    return None if model is None else SizeLabelReading(model, architecture, size_label)


def _moe_label_fits(model: ModelArch, total_label: str, active_label: str) -> bool:
    """Whether a mixture-of-experts model has about the sizes of a '<total>B.A<active>B' type."""
    if model.num_experts == 0:
        return False
    total = model.total_params() / (float(total_label) * 1e9)
    active = model.active_params() / (float(active_label) * 1e9)
    return abs(total - 1.0) <= MOE_LABEL_TOLERANCE and abs(active - 1.0) <= MOE_ACTIVE_TOLERANCE
