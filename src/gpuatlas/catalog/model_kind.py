"""Whether the model a comparison is asked about is an LLM, and how its name was read: light
(catalog names only), so the at-a-glance block of a cached comparison can ask without loading
the models or NumPy, and answers that note how a name was read (app.name_notes) need not
import the report package and its renderers."""

from __future__ import annotations

import re
from dataclasses import dataclass
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


# How a model name matched, in words, for the names whose id differs from what was written.
MATCH_WORDS = {
    "alias": "another name of it: the same architecture",
    "ollama_tag": "Ollama's tag of it",
    "derived_checkpoint": "a fine-tune or quantised checkpoint of it: the same architecture",
}


@dataclass(frozen=True)
class ModelReading:
    """A model name read as another library id: what was written, the id, how it matched."""

    written: str
    read_as: str
    matched_by: str
    how: str  # MATCH_WORDS of the match, and the format the name names

    @property
    def note(self) -> str:
        return f"{self.written} read as {self.read_as} ({self.how})"


@lru_cache(maxsize=256)
def model_reading(name: str) -> ModelReading | None:
    """How a name was read when it is another library id ('Hermes-3-Llama-3.1-8B' read as
    llama-3.1-8b, a fine-tune of it); None when the name is the id (or only spelled otherwise),
    a Hub id or a file, or does not resolve offline."""
    try:
        reference = resolve_model_argument(name, allow_hub=False)
    except (GpuAtlasError, OSError, ValueError):
        return None
    words = MATCH_WORDS.get(reference.matched_by)
    written = name.strip()
    if reference.matched_by == "ollama_tag" and _other_release(written, reference.model.id):
        words = OTHER_RELEASE_TAG_WORDS
    if words is None or _plain(written) == _plain(reference.model.id):
        return None
    hint = f"; format from the name: {reference.format_hint}" if reference.format_hint else ""
    return ModelReading(written, reference.model.id, reference.matched_by, words + hint)


OTHER_RELEASE_TAG_WORDS = "an Ollama tag of another release of it: the same architecture"


def _other_release(tag: str, model_id: str) -> bool:
    """Whether an Ollama tag names a release number its library entry does not
    ('mistral-small3.2' on the mistral-small-3.1 entry: 3.2 has 3.1's architecture)."""
    releases = re.findall(r"\d+\.\d+", tag.split(":")[0])
    return any(release not in model_id for release in releases)


def _plain(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())
