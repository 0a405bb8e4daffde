"""Whether the model a comparison is asked about is an LLM: light (catalog names only), so the
at-a-glance block of a cached comparison can ask without loading the models or NumPy."""

from __future__ import annotations

from functools import lru_cache

from gpuatlas.catalog.model_names import resolve_model_argument
from gpuatlas.errors import GpuAtlasError


@lru_cache(maxsize=256)
def not_an_llm(model: str) -> str:
    """The kind of a known model that is not an LLM ('diffusion', 'ocr'); '' for an LLM, a
    vision-language model (its language backbone is served) or an unknown name (reported by
    the options check)."""
    try:
        kind = resolve_model_argument(model, allow_hub=False).model.kind
    except GpuAtlasError:
        return ""
    return "" if kind in ("llm", "vlm") else kind
