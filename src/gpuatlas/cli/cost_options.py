"""Options and number formats shared by the cost commands (`cost`, `tco`, `plan`, `fleet`)."""

from __future__ import annotations

import typer

from gpuatlas.app.plan import ServedTraffic
from gpuatlas.app.requests import DEFAULT_GPU_COUNTS, DEFAULT_TIERS, field_default
from gpuatlas.numbers import format_usd, format_usd_range
from gpuatlas.performance.predictions import Estimate

JsonOption = typer.Option(False, "--json", help="Print JSON (documented, stable schema).")
GpuOption = typer.Option(
    [], "--gpu", help="GPU or system ('rtx-4090', '2x a100-80gb-sxm'); repeat."
)
ProviderOption = typer.Option([], "--provider", help="Only these providers; repeat.")
TierOption = typer.Option(
    list(DEFAULT_TIERS), "--tier", help="Price tiers: on-demand, community, spot, reserved; repeat."
)
PricesOption = typer.Option([], "--prices", help="Extra price CSV file(s).")
TtftOption = typer.Option(None, "--p95-ttft-ms", help="p95 time-to-first-token target.")
TpotOption = typer.Option(None, "--p95-tpot-ms", help="p95 time-per-output-token target.")
E2eOption = typer.Option(None, "--p95-e2e-ms", help="p95 end-to-end latency target.")
EngineOption = typer.Option(
    field_default(ServedTraffic, "engine"),
    "--engine",
    "-e",
    help="Serving engine; auto: the checkpoint's own (Ollama tags, GGUF), else each GPU's "
    "usual one (llama.cpp on a Mac, vLLM on NVIDIA).",
)
MeanInputTokensOption = typer.Option(
    field_default(ServedTraffic, "input_tokens"), help="Mean prompt tokens per request."
)
MeanOutputTokensOption = typer.Option(
    field_default(ServedTraffic, "output_tokens"), help="Mean output tokens per request."
)
EndOfSequenceOption = typer.Option(
    None,
    "--mean-output-tokens",
    help="Requests that stop at end-of-sequence before the output tokens (a client without "
    "--ignore-eos): the tokens each generates on average; the output tokens are then the "
    "cap. Default: every request generates all of them.",
)
GpuCountOption = typer.Option(list(DEFAULT_GPU_COUNTS), "--gpu-count", help="GPUs per replica.")


WeightsOption = typer.Option(
    "auto",
    "--weights",
    "-w",
    help="Weight format; auto: the checkpoint's own (quantization_config, name, Ollama tag).",
)
PlanWeightsOption = typer.Option(
    field_default(ServedTraffic, "weights"),
    "--weights",
    "-w",
    help="Weight format(s); auto: the native format plus the formats worth considering "
    "(16-bit original, FP8, AWQ; Q8_0/Q4_K_M for GGUF); 'all': every format.",
)


def weights_note(model: str | None, weights: str, engine: str = "auto") -> str:
    """'weights: … (why)' for an answer that assumed the model's native format (run by Ollama
    or llama.cpp: the GGUF build that engine runs)."""
    from gpuatlas.catalog.model_weights import is_auto, native_weights_for

    if model is None or not is_auto(weights):
        return ""
    return native_weights_for(model, engine=engine).describe()


def money(value: float | None, digits: int = 2) -> str:
    """Dollars to the cent (3 significant digits below a cent); digits=0: whole dollars for
    monthly and purchase totals."""
    if value is not None and digits == 0:
        return f"${value:,.0f}"
    return format_usd(value)


def usd_band(estimate: Estimate, digits: int = 3) -> str:
    """'$0.09 ($0.06–$0.12)': a predicted cost and its calibrated band."""
    return format_usd_range(estimate.value, estimate.low, estimate.high)
