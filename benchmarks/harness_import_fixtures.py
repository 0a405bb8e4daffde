"""Make the REAL output files the importer tests read (tests/fixtures/bench/real/).

Each tool (its own venv, made by benchmarks/tools_env/setup_envs.sh or any folder given with
--envs) runs a short load against the reference server (gpuatlas.bench.reference_server, on
127.0.0.1) with the offline word tokenizer of benchmarks/tools_env/make_tokenizer.py; the
files it writes are copied as they are. Tools whose venv is missing are skipped (said so).

Usage: python benchmarks/harness_import_fixtures.py [--envs DIR] [--out DIR]
                                                   [--llama-bench PATH]
Files: guidellm-c4.json, guidellm-sync.json (GuideLLM report), aiperf-c4.json,
aiperf-c1.json (AIPerf profile_export_aiperf.json), vllm-c4.json (vllm bench serve),
llama-bench.json (`llama-bench -o json` on the project's tiny GGUF, CPU, 1 thread; only with
--llama-bench, a built llama-bench binary).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "tools_env"))
sys.path.insert(0, str(HERE))

from make_tokenizer import write_tokenizer  # noqa: E402

from reference_process import stop, wait_until_serving  # noqa: E402

MODEL = "reference-model"
INPUT_TOKENS, OUTPUT_TOKENS, REQUESTS = 32, 16, 8


def start_reference(ttft_ms: float, itl_ms: float) -> tuple[str, subprocess.Popen[bytes]]:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gpuatlas.bench.reference_server",
            "--port",
            str(port),
            "--ttft-ms",
            str(ttft_ms),
            "--itl-ms",
            str(itl_ms),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return wait_until_serving(f"http://127.0.0.1:{port}", process), process


def guidellm(env: Path, url: str, tokenizer: Path, work: Path, streams: int | None) -> Path:
    out = work / f"guidellm-{streams or 'sync'}.json"
    profile = {"kind": "concurrent", "streams": streams} if streams else {"kind": "synchronous"}
    scenario = {
        "spec": {
            "backend": {
                "kind": "openai_http",
                "target": url,
                "model": MODEL,
                "request_format": "/v1/completions",
                "validate_backend": False,
            },
            "profile": profile,
            "data": [
                {
                    "kind": "synthetic_text",
                    "prompt_tokens": INPUT_TOKENS,
                    "output_tokens": OUTPUT_TOKENS,
                }
            ],
            "tokenizer": {"kind": "hf_auto", "model": str(tokenizer)},
            "constraints": [{"kind": "max_requests", "count": REQUESTS}],
            "seed": {"kind": "static", "value": 0},
            "outputs": [{"kind": "json", "path": str(out)}],
        }
    }
    path = work / "scenario.json"
    path.write_text(json.dumps(scenario))
    subprocess.run(
        [str(env / "bin" / "guidellm"), "run", "-c", str(path), "--disable-progress"],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return out


def aiperf(env: Path, url: str, tokenizer: Path, work: Path, concurrency: int) -> Path:
    folder = work / f"aiperf-c{concurrency}"
    subprocess.run(
        [
            str(env / "bin" / "aiperf"),
            "profile",
            "--model",
            MODEL,
            "--url",
            url,
            "--endpoint-type",
            "completions",
            "--streaming",
            "--tokenizer",
            str(tokenizer),
            "--isl",
            str(INPUT_TOKENS),
            "--isl-stddev",
            "0",
            "--osl",
            str(OUTPUT_TOKENS),
            "--osl-stddev",
            "0",
            "--extra-inputs",
            f"max_tokens:{OUTPUT_TOKENS}",
            "ignore_eos:true",
            "--concurrency",
            str(concurrency),
            "--request-count",
            str(REQUESTS),
            "--random-seed",
            "0",
            "--artifact-dir",
            str(folder),
            "--ui-type",
            "none",
            "--no-server-metrics",
            "--no-gpu-telemetry",
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return folder / "profile_export_aiperf.json"


def vllm(env: Path, url: str, tokenizer: Path, work: Path, concurrency: int) -> Path:
    subprocess.run(
        [
            str(env / "bin" / "vllm"),
            "bench",
            "serve",
            "--backend",
            "openai",
            "--base-url",
            url,
            "--endpoint",
            "/v1/completions",
            "--model",
            MODEL,
            "--tokenizer",
            str(tokenizer),
            "--dataset-name",
            "random",
            "--random-input-len",
            str(INPUT_TOKENS),
            "--random-output-len",
            str(OUTPUT_TOKENS),
            "--random-range-ratio",
            "0",
            "--num-prompts",
            str(REQUESTS),
            "--max-concurrency",
            str(concurrency),
            "--request-rate",
            "inf",
            "--ignore-eos",
            "--seed",
            "0",
            "--save-result",
            "--result-dir",
            str(work),
            "--result-filename",
            f"vllm-c{concurrency}.json",
            "--disable-tqdm",
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return work / f"vllm-c{concurrency}.json"


def llama_bench(binary: Path, target: Path) -> None:
    """pp32 and tg16 on the tiny GGUF, 3 repetitions, CPU."""
    from gpuatlas.bench.tiny_gguf import write_tiny_llama_gguf

    with tempfile.TemporaryDirectory() as folder:
        model = write_tiny_llama_gguf(Path(folder) / "tiny-llama.gguf")
        done = subprocess.run(
            [
                str(binary),
                "-m",
                str(model),
                "-p",
                "32",
                "-n",
                "16",
                "-r",
                "3",
                "-t",
                "1",
                "-o",
                "json",
            ],
            check=True,
            capture_output=True,
            timeout=600,
        )
    target.write_bytes(done.stdout)
    print(f"wrote {target} ({len(done.stdout)} bytes)")


def runs(envs: Path) -> list[tuple[str, Path, Any, Any]]:
    """(file name, venv, maker, its load argument) for each tool whose venv exists."""
    plan = [
        ("guidellm-c4.json", "guidellm", guidellm, 4),
        ("guidellm-sync.json", "guidellm", guidellm, None),
        ("aiperf-c4.json", "aiperf", aiperf, 4),
        ("aiperf-c1.json", "aiperf", aiperf, 1),
        ("vllm-c4.json", "vllm", vllm, 4),
    ]
    return [(name, envs / tool, maker, load) for name, tool, maker, load in plan]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--envs", type=Path, default=Path.home() / ".cache/gpuatlas/tool-envs")
    parser.add_argument(
        "--out", type=Path, default=HERE.parent / "tests" / "fixtures" / "bench" / "real"
    )
    parser.add_argument("--llama-bench", type=Path, help="a llama-bench binary")
    args = parser.parse_args()
    if args.llama_bench:
        llama_bench(args.llama_bench, args.out / "llama-bench.json")
        return
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="gpuatlas-fixtures-"))
    tokenizer = write_tokenizer(work / "tokenizer")
    url, process = start_reference(ttft_ms=10.0, itl_ms=2.0)
    try:
        for name, env, maker, load in runs(args.envs):
            if not (env / "bin" / "python").exists():
                print(f"skip {name}: no venv at {env}")
                continue
            made = maker(env, url, tokenizer, work, load)
            shutil.copy(made, args.out / name)
            print(f"wrote {args.out / name} ({made.stat().st_size} bytes)")
    finally:
        stop(process)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
