"""The compare page: the report layer's Comparison document, through its HTML renderer (shown
in an isolated frame, since it is a complete styled document) and its JSON renderer. Without
the renderers, this package's generic document template stands in."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from markupsafe import Markup

from gpuatlas.app.compare import check_sides
from gpuatlas.catalog.gpus import all_gpus
from gpuatlas.catalog.system_keys import system_key
from gpuatlas.report import comparison_dict, render_html
from gpuatlas.report.build import build_comparison
from gpuatlas.report.glance import render_glance
from gpuatlas.report.profiles import ProfileCache
from gpuatlas.report.reading_store import reading_from
from gpuatlas.settings import WARM_CACHE, settings
from gpuatlas.store import Store
from gpuatlas.web.rendering import templates
from gpuatlas.web.state import AppState

log = logging.getLogger(__name__)
WARM_CACHE_VARIABLE = WARM_CACHE.variable
# Multi-GPU systems warmed after every single GPU (the counts the report's scaling table uses).
WARM_SYSTEM_COUNTS = (2, 4, 8)
_WARMUP = {"systems": 0, "done": 0, "finished": False, "seconds": 0.0}
# The server's per-system report profiles: one cache for the process, shared by every request
# and warmed at start-up; past this many profiles the least recently used go first.
SERVER_PROFILE_ENTRIES = 2048
PROFILES = ProfileCache(max_entries=SERVER_PROFILE_ENTRIES)

REPORT_OPTIONS = (
    "model",
    "weights",
    "context_tokens",
    "provider",
    "electricity_usd_per_kwh",
    "pue",
    "engine",
)
# The embedded report needs no script, no network and no plugins: forbid them outright.
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)


def build(state: AppState, a: str, b: str, options: dict[str, Any]) -> Any:
    check_sides(a, b)  # unknown names: a 404 with close matches, as the CLI reports them
    key = ("compare", a, b, tuple(sorted(options.items())))
    return state.cached(key, lambda: build_comparison(a, b, profiles=PROFILES, **options))


def to_json(document: Any) -> dict[str, Any]:
    return comparison_dict(document)


def report_html(document: Any) -> str:
    return str(render_html(document))


def report_glance(document: Any) -> Any:
    """The report's at-a-glance block (category chart with intervals, scores with coverage,
    the buyer's three answers) as markup for the compare page (no script, no inline style)."""
    return Markup(render_glance(document))  # noqa: S704 - built with html.escape throughout


def register_template_globals() -> None:
    templates.env.globals["report_glance"] = report_glance


def warm_cache_enabled() -> bool:
    """Warm-up is on unless GPUATLAS_WARM_CACHE is 0/false/no/off."""
    return settings.warm_cache


def warmup_systems() -> list[str]:
    """Every catalog GPU alone first, then its common multi-GPU systems."""
    singles = [gpu.id for gpu in all_gpus()]
    return singles + [system_key(gpu, count) for count in WARM_SYSTEM_COUNTS for gpu in singles]


def start_cache_warmup(
    stop: threading.Event, store: Store | None = None
) -> threading.Thread | None:
    """Compute the report's per-system modelled results for `warmup_systems()` with the default
    options in a background daemon thread, so the first request of a pair finds them cached.
    The server answers meanwhile (a request needing a system not warmed yet computes it).
    `store`: the app's own store, which the thread's reports read (None: the configured one)."""
    if not warm_cache_enabled():
        return None
    thread = threading.Thread(
        target=_warm_reading, args=(stop, store), name="gpuatlas-report-warmup", daemon=True
    )
    thread.start()
    return thread


def warmup_progress() -> dict[str, Any]:
    """Systems warmed so far of those listed, whether it finished and how long it took (s)."""
    return dict(_WARMUP)


def _warm_reading(stop: threading.Event, store: Store | None) -> None:
    if store is None:
        _warm(stop)
        return
    with reading_from(store):
        _warm(stop)


def _warm(stop: threading.Event) -> None:
    started = time.perf_counter()
    systems = warmup_systems()
    _WARMUP.update(systems=len(systems), done=0, finished=False, seconds=0.0)
    for index, name in enumerate(systems):
        if stop.is_set():
            log.info("report cache warm-up stopped after %d systems", index)
            return
        PROFILES.warm([name])
        _WARMUP.update(done=index + 1, seconds=round(time.perf_counter() - started, 2))
        time.sleep(0)  # hand the GIL to request threads between systems
    _WARMUP["finished"] = True
    log.info(
        "report cache warmed for %d systems in %.1f s (%s)",
        len(systems),
        time.perf_counter() - started,
        PROFILES.stats(),
    )


register_template_globals()
