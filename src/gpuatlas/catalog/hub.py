"""Models that are not in the library: fetching a config.json from the Hugging Face Hub.

huggingface_hub is optional and imported lazily. Offline mode (HF_HUB_OFFLINE or
GPUATLAS_OFFLINE, or `allow_hub=False`) and an unreachable endpoint fail fast with a message
that says how to pass a local config.json instead.
"""

from __future__ import annotations

import os
import re
import socket
from pathlib import Path
from urllib.parse import urlparse

from gpuatlas.catalog.model_arch import ModelArch
from gpuatlas.catalog.model_config import arch_from_config, model_slug, read_config_json
from gpuatlas.catalog.model_library import close_model_matches
from gpuatlas.errors import UnknownNameError
from gpuatlas.settings import TRUE_WORDS, settings

_HUB_ID_PATTERN = re.compile(r"^[A-Za-z0-9][\w.\-]*/[\w.\-]+$")


class HubConfigUnavailableError(UnknownNameError):
    """A Hub id that is not in the library and could not be fetched."""

    def __init__(self, name: str, reason: str, candidates: list[str]):
        super().__init__("model", name, candidates)
        close = f" Close matches in the library: {', '.join(candidates)}." if candidates else ""
        message = (
            f"model {name!r} is not in the library and its config.json could not be fetched "
            f"from the Hugging Face Hub ({reason}). Download its config.json and pass "
            f"`--model path/to/config.json`.{close}"
        )
        Exception.__init__(self, message)


def looks_like_hub_id(name: str) -> bool:
    """`owner/repo` (and not a .json path)."""
    return bool(_HUB_ID_PATTERN.match(name.strip())) and not name.endswith(".json")


def hub_offline(allow_hub: bool | None) -> bool:
    """True when fetching is refused: explicitly, or by HF_HUB_OFFLINE / GPUATLAS_OFFLINE."""
    if allow_hub is not None:
        return not allow_hub
    return settings.offline or os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in TRUE_WORDS


def hub_reachable(timeout_s: float = 3.0) -> bool:
    """A quick TCP probe, so an offline machine fails in seconds rather than after retries."""
    endpoint = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    port = endpoint.port or (443 if endpoint.scheme == "https" else 80)
    try:
        with socket.create_connection((endpoint.hostname or "huggingface.co", port), timeout_s):
            return True
    except OSError:
        return False


def _download_config(hub_id: str, candidates: list[str]) -> Path:
    try:
        from huggingface_hub import hf_hub_download
    except ImportError:
        raise HubConfigUnavailableError(
            hub_id, "huggingface_hub is not installed: pip install 'gpuatlas[hub]'", candidates
        ) from None
    if not hub_reachable():
        raise HubConfigUnavailableError(hub_id, "huggingface.co is not reachable", candidates)
    try:
        return Path(hf_hub_download(repo_id=hub_id, filename="config.json", etag_timeout=5))
    except Exception as error:  # network, 404, gated repo: all mean "not available here"
        raise HubConfigUnavailableError(hub_id, type(error).__name__, candidates) from None


def fetch_hub_model(hub_id: str, allow_hub: bool | None = None) -> ModelArch:
    """Download a Hub model's config.json with huggingface_hub and read it (needs network)."""
    candidates = close_model_matches(hub_id)
    if hub_offline(allow_hub):
        raise HubConfigUnavailableError(hub_id, "offline mode", candidates)
    document = read_config_json(_download_config(hub_id, candidates))
    return arch_from_config(
        document,
        model_id=model_slug(hub_id.split("/")[-1]),
        hub_id=hub_id,
        origin=f"https://huggingface.co/{hub_id}/blob/main/config.json",
    )


__all__ = [
    "HubConfigUnavailableError",
    "fetch_hub_model",
    "hub_offline",
    "hub_reachable",
    "looks_like_hub_id",
]
