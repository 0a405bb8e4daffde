"""A stored run's words where results are listed: what the benchmark id alone does not say.

Imported runs keep stable ids that name only the test ("external-llama-bench-tg128"), so two
models measured on one GPU read as one benchmark; their label adds the model (the file's name
without its folder and .gguf), llama.cpp's model type (family, size, quantisation) and the
engine build: "Llama-3.2-3B-Instruct-Q4_K_M (llama 3B Q4_K - Medium) · llama.cpp b6500".
"""

from __future__ import annotations

from typing import Any

MODEL_SUFFIXES = (".gguf", ".safetensors", ".bin")


def model_words(model: Any) -> str | None:
    """A model name as a reader knows it: the last part of a path or a Hub id, no file suffix."""
    if not isinstance(model, str) or not model.strip():
        return None
    name = model.strip().replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    for suffix in MODEL_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def engine_words(engine: Any) -> str | None:
    """'llama.cpp b6500' (a llama.cpp build number), 'vLLM 0.11.0', else the name alone."""
    if not isinstance(engine, dict) or not engine.get("name"):
        return None
    name, version = str(engine["name"]), engine.get("version")
    if not version:
        return name
    text = str(version)
    return f"{name} b{text}" if name == "llama.cpp" and text.isdigit() else f"{name} {text}"


def run_label(settings: Any, fingerprint: Any) -> str | None:
    """The model, its type and the engine build of a stored run (JSON columns), or None."""
    settings = settings if isinstance(settings, dict) else {}
    extra = settings.get("extra") if isinstance(settings.get("extra"), dict) else {}
    model = model_words(settings.get("model"))
    model_type = extra.get("model_type")
    if model and isinstance(model_type, str) and model_type.strip():
        model = f"{model} ({model_type.strip()})"
    engine = engine_words(fingerprint.get("engine") if isinstance(fingerprint, dict) else None)
    parts = [part for part in (model, engine) if part]
    return " · ".join(parts) or None
