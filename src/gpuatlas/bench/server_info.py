"""What an endpoint serves and what it is: model lists, engine name and version, API choice."""

from __future__ import annotations

import http.client
import json
import ssl
from typing import Any

from gpuatlas.bench.access import EndpointAccess
from gpuatlas.bench.http_stream import Endpoint
from gpuatlas.errors import InvalidRequestError
from gpuatlas.records.result import EngineInfo

PROBE_TIMEOUT_S = 10.0


def open_http(endpoint: Endpoint, timeout_s: float = PROBE_TIMEOUT_S) -> http.client.HTTPConnection:
    """A stdlib connection to the endpoint: TLS for https:// with the load's certificate
    checks (not connected until the first request)."""
    if endpoint.is_tls:
        return http.client.HTTPSConnection(
            endpoint.host, endpoint.port, timeout=timeout_s, context=endpoint.access.ssl_context()
        )
    return http.client.HTTPConnection(endpoint.host, endpoint.port, timeout=timeout_s)


def _get(base_url: str, path: str, access: EndpointAccess | None = None) -> tuple[int, bytes]:
    """A plain GET (stdlib http.client), over TLS for https:// with the same checks, key and
    headers as the load itself."""
    endpoint = Endpoint.parse(base_url, access)
    connection = open_http(endpoint)
    try:
        connection.request("GET", endpoint.base_path + path, headers=endpoint.access.header_dict())
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _get_json(base_url: str, path: str, access: EndpointAccess | None = None) -> Any | None:
    try:
        status, body = _get(base_url, path, access)
    except (OSError, http.client.HTTPException):
        return None
    if status != 200:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def check_reachable(base_url: str, access: EndpointAccess | None = None) -> None:
    try:
        _get(base_url, "/", access)
    except ssl.SSLCertVerificationError as error:
        raise InvalidRequestError(
            [
                f"cannot verify the TLS certificate of {base_url}: {error.verify_message}. "
                "Pass --ca-cert FILE to trust its CA, or --insecure to skip the check"
            ]
        ) from None
    except (OSError, http.client.HTTPException) as error:
        raise InvalidRequestError(
            [
                f"cannot reach endpoint {base_url}: {type(error).__name__} {error}. "
                "Is the server running, and is the URL (host, port) right?"
            ]
        ) from None


def openai_models(base_url: str, access: EndpointAccess | None = None) -> list[str] | None:
    document = _get_json(base_url, "/v1/models", access)
    if not isinstance(document, dict) or not isinstance(document.get("data"), list):
        return None
    return [str(item.get("id")) for item in document["data"] if isinstance(item, dict)]


def ollama_models(base_url: str, access: EndpointAccess | None = None) -> list[str] | None:
    document = _get_json(base_url, "/api/tags", access)
    if not isinstance(document, dict) or not isinstance(document.get("models"), list):
        return None
    return [str(item.get("name")) for item in document["models"] if isinstance(item, dict)]


def served_models(base_url: str, api: str, access: EndpointAccess | None = None) -> list[str]:
    """Models the server says it serves (Ollama's list for ollama-* APIs)."""
    listing = (
        ollama_models(base_url, access)
        if api.startswith("ollama")
        else openai_models(base_url, access)
    )
    if listing is None:
        listing = openai_models(base_url, access) or ollama_models(base_url, access)
    return listing or []


def check_model(base_url: str, api: str, model: str, access: EndpointAccess | None = None) -> None:
    """Refuse a model the server does not serve, listing what it does serve."""
    check_reachable(base_url, access)
    models = served_models(base_url, api, access)
    if not models:
        return  # the server does not list its models: the first request will tell
    if model in models or (api.startswith("ollama") and f"{model}:latest" in models):
        return
    raise InvalidRequestError(
        [
            f"model {model!r} is not served by {base_url}; it serves: {', '.join(models)} "
            "(pass one of them with --model)"
        ]
    )


def choose_api(
    base_url: str, runner: str, requested: str | None, access: EndpointAccess | None = None
) -> str:
    """The API to use: as requested, else Ollama native when the server is Ollama."""
    if requested:
        return requested
    if runner == "openai-vision":
        return "openai-chat"
    if runner == "ollama-single" and ollama_models(base_url, access) is not None:
        return "ollama-generate"
    return "openai-completions"


def engine_info(base_url: str, access: EndpointAccess | None = None) -> EngineInfo:
    """Ask the server what it is: /api/version (Ollama), /version (vLLM, SGLang), /props
    (llama.cpp server), /info (TGI), /get_server_info (SGLang)."""
    probes = (
        ("/api/version", "ollama"),
        ("/info", "tgi"),
        ("/props", "llama.cpp"),
        ("/get_server_info", "sglang"),
        ("/version", None),
    )
    owner = _models_owner(base_url, access)
    for path, engine in probes:
        document = _get_json(base_url, path, access)
        if isinstance(document, dict) and document:
            return _engine_from(path, engine or owner, document)
    return _engine_from_openapi(base_url, access) or EngineInfo(
        name=owner, version=None, reported_by="/v1/models" if owner else None
    )


def _engine_from_openapi(base_url: str, access: EndpointAccess | None) -> EngineInfo | None:
    """FastAPI servers (llama-cpp-python) describe themselves in /openapi.json."""
    document = _get_json(base_url, "/openapi.json", access)
    info = document.get("info") if isinstance(document, dict) else None
    if not isinstance(info, dict) or "llama" not in str(info.get("title", "")).lower():
        return None
    return EngineInfo(
        name="llama-cpp-python",
        version=str(info.get("version")),
        reported_by="/openapi.json",
        details={"title": info.get("title")},
    )


def _models_owner(base_url: str, access: EndpointAccess | None) -> str | None:
    """vLLM and SGLang name themselves in /v1/models `owned_by`."""
    document = _get_json(base_url, "/v1/models", access)
    if not isinstance(document, dict) or not document.get("data"):
        return None
    first = document["data"][0]
    owner = first.get("owned_by") if isinstance(first, dict) else None
    return owner if owner in ("vllm", "sglang", "tgi", "llamacpp") else None


def _engine_from(path: str, engine: str | None, document: dict[str, Any]) -> EngineInfo:
    version = document.get("version") or document.get("build_info")
    keys = {"tgi": ("model_id", "model_dtype"), "llama.cpp": ("model_path", "total_slots")}
    details: dict[str, Any] = {k: document[k] for k in keys.get(engine or "", ()) if k in document}
    return EngineInfo(
        name=engine,
        version=None if version is None else str(version),
        reported_by=path,
        details=details,
    )
