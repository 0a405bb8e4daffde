"""Unattended suite runs on a GPU host: for each suite benchmark, start the engine that serves
it (from the host's config), wait until it is ready, run the benchmark, stop the engine, and
hand the result on (spool, then push). A benchmark whose engine or model is missing is
reported with the reason, never silently skipped.

Host config (TOML)::

    [host]
    suite = "llm-single"          # what to run: "suite", a category or a benchmark id
    gpus = "0"                    # CUDA_VISIBLE_DEVICES for the engines (omit: all)
    model_cache = "/models"       # model files are looked up here
    schedule = "24h"              # how often `--loop` runs the suite
    ready_timeout_s = 600         # how long an engine may take to load

    [run]                         # optional: fewer requests/repeats (the suite id is kept)
    requests = 10
    repeats = 5

    [engines.llama-cpp]           # the engines installed here; kind: llama-server,
    kind = "llama-server"         # llama-cpp-python, vllm, sglang or ollama
    command = ["llama-server"]    # the program (and fixed arguments)
    args = ["-ngl", "999"]        # extra arguments

    [models."llama3.1:8b"]        # a suite model -> its weights per engine (in model_cache)
    llama-cpp = "Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf"

Engines are preferred in this order for the OpenAI-API benchmarks: vllm, sglang,
llama-server, llama-cpp-python; for single-user (Ollama) benchmarks: ollama first. The engine
serves the model under the suite's model name, so a run that matches its definition keeps the
suite id; the weights file is recorded (settings.extra.weights) and is part of the run
identity, as is the engine.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from gpuatlas.bench.options import RunOptions
from gpuatlas.bench.runner import Skipped, run_benchmark
from gpuatlas.bench.server_info import ollama_models, openai_models
from gpuatlas.errors import DataFileError, GpuAtlasError
from gpuatlas.records.result import BenchResult
from gpuatlas.records.suite import Benchmark, select_benchmarks

ENGINE_KINDS = ("vllm", "sglang", "llama-server", "llama-cpp-python", "ollama")
PREFERENCE = {
    "openai-serving": ("vllm", "sglang", "llama-server", "llama-cpp-python"),
    "ollama-single": ("ollama", "llama-server", "llama-cpp-python", "vllm", "sglang"),
    "openai-vision": ("vllm", "sglang", "llama-server"),
}
POLL_S = 0.5
STOP_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Engine:
    name: str
    kind: str
    command: tuple[str, ...]
    args: tuple[str, ...] = ()

    @property
    def installed(self) -> bool:
        program = self.command[0] if self.command else ""
        return bool(program) and (Path(program).exists() or shutil.which(program) is not None)

    def launch_command(self, weights: str, served_name: str, port: int) -> list[str]:
        host = ("--host", "127.0.0.1")
        flags = {
            "llama-server": ["-m", weights, *host, "--port", str(port), "--alias", served_name],
            "llama-cpp-python": [
                "--model",
                weights,
                *host,
                "--port",
                str(port),
                "--model_alias",
                served_name,
            ],
            "vllm": [weights, *host, "--port", str(port), "--served-model-name", served_name],
            "sglang": [
                "--model-path",
                weights,
                *host,
                "--port",
                str(port),
                "--served-model-name",
                served_name,
            ],
            "ollama": [],
        }[self.kind]
        return [*self.command, *flags, *self.args]


@dataclass(frozen=True)
class HostConfig:
    suite: str = "suite"
    gpus: str | None = None
    model_cache: Path = Path(".")
    schedule: str = "24h"
    ready_timeout_s: float = 600.0
    run: dict[str, int] = field(default_factory=dict)
    engines: tuple[Engine, ...] = ()
    models: dict[str, dict[str, str]] = field(default_factory=dict)


def load_host_config(path: Path) -> HostConfig:
    """Read and check a host config; DataFileError lists every problem."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise DataFileError(str(path), [f"cannot read file: {error.strerror}"]) from None
    except tomllib.TOMLDecodeError as error:
        raise DataFileError(str(path), [f"not valid TOML: {error}"]) from None
    problems: list[str] = []
    engines = tuple(
        _engine(name, raw, problems) for name, raw in (document.get("engines") or {}).items()
    )
    host = document.get("host") or {}
    run = {
        key: int(value)
        for key, value in (document.get("run") or {}).items()
        if key in ("requests", "repeats", "warmup_requests")
    }
    models = {
        str(model): {str(k): str(v) for k, v in files.items()}
        for model, files in (document.get("models") or {}).items()
    }
    known = {engine.name for engine in engines}
    problems += [
        f"models.{model}: engine {name!r} is not in [engines]"
        for model, files in models.items()
        for name in files
        if name not in known
    ]
    if problems:
        raise DataFileError(str(path), problems)
    cache = Path(str(host.get("model_cache", ".")))
    return HostConfig(
        suite=str(host.get("suite", "suite")),
        gpus=host.get("gpus"),
        model_cache=cache if cache.is_absolute() else path.parent / cache,
        schedule=str(host.get("schedule", "24h")),
        ready_timeout_s=float(host.get("ready_timeout_s", 600.0)),
        run=run,
        engines=engines,
        models=models,
    )


def _engine(name: str, raw: Any, problems: list[str]) -> Engine:
    kind = str(raw.get("kind", name)) if isinstance(raw, dict) else name
    if kind not in ENGINE_KINDS:
        problems.append(f"engines.{name}: kind {kind!r} is not one of {', '.join(ENGINE_KINDS)}")
    command = raw.get("command", [kind]) if isinstance(raw, dict) else [kind]
    args = raw.get("args", []) if isinstance(raw, dict) else []
    return Engine(name, kind, tuple(str(c) for c in command), tuple(str(a) for a in args))


@dataclass(frozen=True)
class Assignment:
    """Which engine and weights run a benchmark, or why none can."""

    benchmark: Benchmark
    engine: Engine | None = None
    weights: str | None = None
    reason: str | None = None


def assign(benchmark: Benchmark, config: HostConfig) -> Assignment:
    model = benchmark.model or ""
    files = config.models.get(model)
    if not files:
        return Assignment(benchmark, reason=f"no weights for model {model!r} in [models]")
    by_name = {engine.name: engine for engine in config.engines}
    candidates = sorted(
        (by_name[name] for name in files), key=lambda e: _rank(e.kind, benchmark.runner)
    )
    missing: list[str] = []
    for engine in candidates:
        if not engine.installed:
            missing.append(f"engine {engine.name} not installed ({engine.command[0]} not found)")
            continue
        weights = files[engine.name]
        if engine.kind != "ollama":
            path = config.model_cache / weights
            if not path.exists():
                missing.append(f"{engine.name}: weights {path} not found")
                continue
            weights = str(path)
        return Assignment(benchmark, engine, weights)
    return Assignment(benchmark, reason="; ".join(missing) or "no engine for this benchmark")


def _rank(kind: str, runner: str) -> int:
    order = PREFERENCE.get(runner, ENGINE_KINDS)
    return order.index(kind) if kind in order else len(order)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class RunningEngine:
    """An engine process serving one model on a loopback port."""

    engine: Engine
    process: subprocess.Popen[bytes]
    url: str

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_engine(assignment: Assignment, config: HostConfig, log_dir: Path) -> RunningEngine:
    """Start the engine and wait until it lists the model (GpuAtlasError if it never does)."""
    engine, served = assignment.engine, assignment.benchmark.model or ""
    assert engine is not None and assignment.weights is not None
    port = free_port()
    environment = dict(os.environ)
    if config.gpus is not None:
        environment["CUDA_VISIBLE_DEVICES"] = str(config.gpus)
    if engine.kind == "ollama":
        environment["OLLAMA_HOST"] = f"127.0.0.1:{port}"
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"{engine.name}-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            engine.launch_command(assignment.weights, served, port),
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=environment,
        )
    running = RunningEngine(engine, process, f"http://127.0.0.1:{port}")
    try:
        _wait_ready(running, assignment, config.ready_timeout_s, log)
    except BaseException:
        running.stop()
        raise
    return running


def _wait_ready(
    running: RunningEngine, assignment: Assignment, timeout_s: float, log: Path
) -> None:
    wanted = assignment.weights if running.engine.kind == "ollama" else assignment.benchmark.model
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if running.process.poll() is not None:
            raise GpuAtlasError(
                f"engine {running.engine.name} exited with code "
                f"{running.process.returncode} while loading (log: {log})"
            )
        listed = (
            ollama_models(running.url)
            if running.engine.kind == "ollama"
            else openai_models(running.url)
        )
        if listed and (wanted in listed or f"{wanted}:latest" in listed):
            return
        time.sleep(POLL_S)
    raise GpuAtlasError(
        f"engine {running.engine.name} was not ready within {timeout_s:.0f} s (log: {log})"
    )


@dataclass
class HostRun:
    """One pass over the host's benchmarks; `keep` receives each result as it exists."""

    config: HostConfig
    log_dir: Path
    options: RunOptions = field(default_factory=RunOptions)
    results: list[BenchResult] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def run(self, keep: Callable[[BenchResult], object]) -> None:
        for benchmark in select_benchmarks(self.config.suite):
            if not benchmark.needs_endpoint:
                self._run_in_process(benchmark, keep)
                continue
            assignment = assign(benchmark, self.config)
            if assignment.engine is None:
                self.skipped.append(Skipped(benchmark.id, assignment.reason or "no engine"))
                continue
            self._run_served(assignment, keep)

    def _run_in_process(self, benchmark: Benchmark, keep: Callable[[BenchResult], object]) -> None:
        try:
            result = run_benchmark(benchmark, self._options())
        except GpuAtlasError as error:
            self.skipped.append(Skipped(benchmark.id, str(error)))
            return
        self._keep(result, keep)

    def _run_served(self, assignment: Assignment, keep: Callable[[BenchResult], object]) -> None:
        benchmark = assignment.benchmark
        try:
            running = start_engine(assignment, self.config, self.log_dir)
        except GpuAtlasError as error:
            self.skipped.append(Skipped(benchmark.id, str(error)))
            return
        try:
            served = (
                assignment.weights
                if running.engine.kind == "ollama"  # an Ollama tag
                else benchmark.model
            )
            options = replace(
                self._options(),
                endpoint=running.url,
                model=served,
                weights=Path(assignment.weights or "").name,
            )
            result = run_benchmark(benchmark, options)
        except GpuAtlasError as error:
            self.skipped.append(Skipped(benchmark.id, f"{running.engine.name}: {error}"))
            return
        finally:
            running.stop()
        self._keep(result, keep)

    def _options(self) -> RunOptions:
        changes: dict[str, Any] = dict(self.config.run)
        return replace(self.options, **changes)

    def _keep(self, result: BenchResult, keep: Callable[[BenchResult], object]) -> None:
        self.results.append(result)
        keep(result)
