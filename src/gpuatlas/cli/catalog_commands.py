"""CLI commands of the catalog: `gpus`, `gpu show`, `system show`, `prices`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from gpuatlas.catalog import gpus as gpu_catalog
from gpuatlas.catalog.gpu import Gpu
from gpuatlas.catalog.gpu_fields import (
    FP4_DENSE,
    FP16_ACCUMULATE_FP16,
    GpuField,
    gpu_field,
    gpu_fields,
)
from gpuatlas.catalog.gpu_filters import select_gpus
from gpuatlas.catalog.unified_memory import unified_memory_facts

if TYPE_CHECKING:  # systems and prices are imported by the commands that use them (start-up)
    from collections.abc import Sequence

    from gpuatlas.catalog.prices import PriceSnapshot
    from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.cli.errors import user_errors
from gpuatlas.cli.output import console, format_number, new_table, print_json, print_name_notes
from gpuatlas.cli.plain_table import PlainColumn, PlainTable
from gpuatlas.cli.show_group import ShowByDefaultGroup
from gpuatlas.numbers import format_usd

gpu_app = typer.Typer(
    cls=ShowByDefaultGroup,
    help="One GPU's datasheet facts.",
    no_args_is_help=True,
)
system_app = typer.Typer(
    cls=ShowByDefaultGroup,
    help="Multi-GPU systems: N × a GPU plus its links.",
    no_args_is_help=True,
)

JsonOption = typer.Option(False, "--json", help="Print JSON (documented, stable schema).")


def register(app: typer.Typer) -> None:
    app.command("gpus")(list_gpus)
    app.add_typer(gpu_app, name="gpu")
    app.add_typer(system_app, name="system")
    app.command("prices")(list_prices)
    gpu_app.command("show")(show_gpu)
    system_app.command("show")(show_system)


def list_gpus(
    vendor: str | None = typer.Option(None, help="Only this vendor (NVIDIA, AMD, Intel, Apple)."),
    min_memory_gb: float | None = typer.Option(
        None, "--min-memory-gb", help="Only GPUs with at least this much memory (GB)."
    ),
    kind: str | None = typer.Option(
        None, help="consumer, workstation, datacenter or apple (Apple unified-memory devices)."
    ),
    segment: str | None = typer.Option(None, help="consumer, workstation or datacenter."),
    as_json: bool = JsonOption,
) -> None:
    """List the GPU catalog, optionally filtered by vendor, memory and kind."""
    if as_json:  # the answer layer's document (imported only for JSON: start-up stays fast)
        from gpuatlas.app.catalog import GpusRequest, gpus_document
        from gpuatlas.app.requests import parse_request

        with user_errors():
            print_json(
                gpus_document(
                    parse_request(
                        GpusRequest,
                        {
                            "vendor": vendor,
                            "min_memory_gb": min_memory_gb,
                            "kind": kind,
                            "segment": segment,
                        },
                    )
                )
            )
        return
    with user_errors():
        chosen = select_gpus(vendor, min_memory_gb, kind, segment)
    console.print(gpu_list_table(chosen))


def gpu_list_table(gpus: list[Gpu]) -> PlainTable:
    """One row per GPU, readable at 80 columns: ids and numbers never wrap, long names do
    (laid out by hand: the layout Rich gives it, without Rich's per-cell rendering)."""
    numbers = ("mem GB", "GB/s", "BF16 TF", "FP8 TF", "TDP W")
    return PlainTable(
        title=f"{len(gpus)} GPUs (tensor throughput dense)",
        columns=(
            PlainColumn("id", no_wrap=True, min_width=max((len(g.id) for g in gpus), default=2)),
            PlainColumn("name"),
            *(PlainColumn(header, justify="right", no_wrap=True) for header in numbers),
        ),
        rows=[
            (
                gpu.id,
                gpu.name,
                format_number(gpu.memory_gb),
                format_number(gpu.memory_bandwidth_gb_s),
                format_number(gpu.bf16_dense_tflops),
                format_number(gpu.fp8_dense_tflops),
                format_number(gpu.tdp_w),
            )
            for gpu in gpus
        ],
    )


def show_gpu(
    name: str = typer.Argument(..., help="Id or any name: 'A100 80GB SXM4', '4090'."),
    as_json: bool = JsonOption,
) -> None:
    """Show one GPU's facts, with source and date."""
    if as_json:
        from gpuatlas.app.catalog import gpu_document

        with user_errors():
            print_json(gpu_document(name))
        return
    from gpuatlas.app.catalog import shown_gpu

    with user_errors():
        gpu = shown_gpu(name)
    table = new_table(f"{gpu.name} ({gpu.id})", "fact", "value")
    for label, value in gpu_fact_rows(gpu):
        table.add_row(label, value)
    console.print(table)
    console.print(f"[dim]Source: {gpu.source} (as of {gpu.as_of})[/]", highlight=False)
    if gpu.notes:
        console.print(f"[dim]Notes: {gpu.notes}[/]", highlight=False)
    _print_score(gpu.id)
    print_name_notes([name])


def _print_score(gpu_id: str) -> None:
    """The GPU's Atlas Score, the leaderboard's and the GPU page's, with what it is scored on;
    a line saying why when it has none or the results store cannot be read."""
    from gpuatlas.app.leaderboard import system_score_row

    try:
        row = system_score_row(gpu_id)
    except Exception as error:  # noqa: BLE001 - no store must not take the datasheet down
        reason = f"results store unreadable: {type(error).__name__}: {error}"
        console.print(f"Atlas Score: not available ({reason})", markup=False, highlight=False)
        return
    if row is None:
        console.print("Atlas Score: none (no measured benchmark in common with the reference)")
        return
    interval = f" [{format_number(row['low'])}–{format_number(row['high'])}]"
    place = f"rank {row['rank']}" if row["ranked"] else "unranked, too few benchmarks"
    console.print(
        f"Atlas Score ({row['reference_gpu']} = 100): {format_number(row['value'])}"
        f"{interval if row['low'] is not None else ''} ({place}), scored on {row['basis']}",
        markup=False,
        highlight=False,
    )


# What each vendor calls the catalog's sm_count / cuda_cores / tensor_cores: an AMD card has
# compute units, stream processors and matrix cores, not SMs and CUDA cores.
CORE_WORDS = {
    "NVIDIA": "SMs / CUDA cores / tensor cores",
    "AMD": "CUs / stream processors / matrix cores",
    "Intel": "Xe cores / vector ALUs / XMX engines",
}


def gpu_fact_rows(gpu: Gpu) -> list[tuple[str, str]]:
    link = gpu.link
    link_text = (
        "none"
        if link.kind == "none"
        else (
            f"{link.description} → {format_number(link.per_direction_gb_s, 'GB/s')} per direction"
        )
    )
    accumulate = {
        "fp32-accumulate-half-rate": "GeForce: fp16/bf16/fp8 figures with FP32 accumulate "
        "(half the FP16-accumulate rate)",
        "fp32-accumulate-full-rate": "full rate with FP32 accumulate",
    }[gpu.tensor_accumulate]
    rows = [
        ("Vendor / segment", f"{gpu.vendor} / {gpu.segment}"),
        (
            "Architecture",
            f"{gpu.architecture} (compute capability {gpu.compute_capability or 'n/a'})",
        ),
        ("Released", str(gpu.release_year)),
        (gpu_field("memory_gb").label, f"{format_number(gpu.memory_gb, 'GB')} {gpu.memory_type}"),
        *[_field_row(field, gpu) for field in _CLI_THROUGHPUT_FIELDS],
        _field_row(FP4_DENSE, gpu),
        (
            "INT8 / INT4 tensor, dense",
            f"{format_number(gpu.int8_dense_tops, 'TOPS')} / "
            f"{format_number(gpu.int4_dense_tops, 'TOPS')}",
        ),
        ("Tensor accumulate rule", accumulate),
        _field_row(FP16_ACCUMULATE_FP16, gpu),
        ("Native FP8", "yes" if gpu.supports_fp8_natively else "no"),
        (
            gpu_field("l2_cache_mb").label,
            format_number(gpu.l2_cache_mb, "MB")
            + (f" ({gpu.cache_text})" if gpu.l2_cache_mb is None and gpu.cache_text else ""),
        ),
        ("ECC", {True: "yes", False: "no", None: "—"}[gpu.ecc]),
        ("GPU-to-GPU link", link_text),
        *pcie_rows(gpu),
        (gpu_field("tdp_w").label, tdp_text(gpu)),
        *sustained_clock_rows(gpu),
        ("Form factor", gpu.form_factor),
        *core_count_rows(gpu),
        _field_row(gpu_field("launch_price_usd"), gpu),
    ]
    return rows + unified_memory_facts(gpu)


def sustained_clock_rows(gpu: Gpu) -> list[tuple[str, str]]:
    """The clock GPU Atlas's models give the part under a dense load (prompts, batched steps,
    training, diffusion) and why; no row where no design point applies."""
    from gpuatlas.performance.sustained_clocks import sustained_clock

    clock = sustained_clock(gpu)
    if clock is None:
        return []
    design = clock.design
    if clock.share >= 0.995:
        text = f"boost held ({clock.boost_ghz:.2f} GHz; judged against {design.card})"
    else:
        text = (
            f"{clock.share:.2f} of the {clock.boost_ghz:.2f} GHz boost (≈{clock.sustained_ghz:.2f}"
            f" GHz): {format_number(gpu.tdp_w, 'W')} over {gpu.sm_count} SMs against "
            f"{design.card}'s {design.board_power_w:.0f} W over {design.sm_count} at "
            f"{design.boost_ghz:.2f} GHz (clock ∝ power^⅓)"
        )
    return [("Clock, dense load (model)", text)]


def pcie_rows(gpu: Gpu) -> list[tuple[str, str]]:
    """The card's PCIe link, or no row when the catalog gives neither its generation nor its
    lanes (a system on a chip: the row read 'gen — x— (≈— per direction)')."""
    if gpu.pcie_generation is None and gpu.pcie_lanes is None:
        return []
    return [
        (
            "PCIe",
            f"gen {gpu.pcie_generation or '—'} x{gpu.pcie_lanes or '—'} "
            f"(≈{format_number(gpu.pcie_per_direction_gb_s, 'GB/s')} per direction)",
        )
    ]


def core_count_rows(gpu: Gpu) -> list[tuple[str, str]]:
    """The vendor's core counts in its own words, or no row when the catalog has none (an
    Apple GPU has 'GPU cores', shown with the unified-memory facts, and no SMs or CUDA cores:
    the row read '— / — / —')."""
    counts = (gpu.sm_count, gpu.cuda_cores, gpu.tensor_cores)
    if all(count is None for count in counts):
        return []
    words = CORE_WORDS.get(gpu.vendor, CORE_WORDS["NVIDIA"])
    return [(words, " / ".join(format_number(count) for count in counts))]


_CLI_THROUGHPUT_FIELDS = gpu_fields(
    "memory_bandwidth_gb_s",
    "fp32_tflops",
    "tf32_dense_tflops",
    "fp16_dense_tflops",
    "bf16_dense_tflops",
    "fp8_dense_tflops",
)


def tdp_text(gpu: Gpu) -> str:
    """'230 W (total board power)': the watts, then what the source says of them, its leading
    number dropped when it is the same watts ('230 (total board power)' read '230 W (230 (total
    board power))' before)."""
    watts = format_number(gpu.tdp_w, "W")
    text = gpu.tdp_text.strip()
    if not text or text.replace(".", "").isdigit():
        return watts
    number, _, rest = text.partition(" ")
    aside = re.fullmatch(r"\(([^()]+)\)", rest)
    if gpu.tdp_w is not None and aside and _number(number) == gpu.tdp_w:
        text = aside.group(1)
    return f"{watts} ({text})"


def _number(word: str) -> float | None:
    try:
        return float(word)
    except ValueError:
        return None


def _field_row(field: GpuField, gpu: Gpu) -> tuple[str, str]:
    value = field.read(gpu)
    if field.unit == "USD" and isinstance(value, int | float):  # a price as money: $1,599
        amount = float(value)
        return field.label, f"${amount:,.0f}" if amount >= 1000 else format_usd(amount)
    return field.label, format_number(value, field.unit)


def show_system(
    spec: str = typer.Argument(..., help="'4x rtx-4090', '8x h100-sxm', 'a100-80gb-sxm'."),
    network: str | None = typer.Option(None, help="Network between nodes (link id)."),
    as_json: bool = JsonOption,
) -> None:
    """Show a multi-GPU system and the links its GPUs talk over."""
    if as_json:
        from gpuatlas.app.catalog import system_document

        with user_errors():
            print_json(system_document(spec, network))
        return
    from gpuatlas.catalog.systems import resolve_system

    with user_errors():
        system = resolve_system(spec, network)
    table = new_table(system.label, "fact", "value")
    for label, value in system_rows(system):
        table.add_row(label, value)
    console.print(table)
    for line in system_sources(system):  # printed as data: a source may hold brackets
        console.print(line, style="dim", markup=False, highlight=False)
    print_name_notes([spec])


def system_sources(system: GpuSystem) -> list[str]:
    """Where the system's figures come from: the GPU's datasheet and each link's source."""
    lines = [f"GPU source: {system.gpu.source} (as of {system.gpu.as_of})"]
    if system.link is not None:
        lines.append(f"link source: {system.link.source}")
    if system.network is not None:
        lines.append(f"network source: {system.network.source}")
    return lines


def system_rows(system: GpuSystem) -> list[tuple[str, str]]:
    from gpuatlas.catalog.system_facts import extra_system_facts

    rows = [
        ("GPUs", f"{system.gpu_count} × {system.gpu.name} in {system.nodes} node(s)"),
        ("total memory", format_number(system.total_memory_gb, "GB")),
        ("total TDP", format_number(system.total_tdp_w or None, "W")),
    ]
    if system.link:
        rows += [
            ("GPU-to-GPU link", system.link.name),
            (
                "link bandwidth",
                f"{format_number(system.link.per_direction_gb_s, 'GB/s')} per direction",
            ),
            (
                "peer-to-peer",
                "yes" if system.link.peer_to_peer else "no (staged through host memory)",
            ),
            ("link latency", format_number(system.link.latency_us, "µs")),
        ]
    if system.network:
        rows.append(
            (
                "network between nodes",
                f"{system.network.name} "
                f"({format_number(system.network.per_direction_gb_s, 'GB/s')} per direction)",
            )
        )
    return rows + extra_system_facts(system)


def list_prices(
    gpu: str | None = typer.Argument(None, help="GPU id or name; all GPUs when omitted."),
    provider: str | None = typer.Option(None, "--provider", help="Only this provider."),
    tier: str | None = typer.Option(None, help="on-demand, spot, reserved or community."),
    history: bool = typer.Option(False, "--history", help="Every snapshot, not only the newest."),
    prices_file: list[Path] = typer.Option([], "--prices", help="Extra price CSV file(s)."),
    as_json: bool = JsonOption,
) -> None:
    """Cloud prices per GPU-hour: the newest snapshot of each offer, with its date and source."""
    if as_json:  # the document of the answer layer, as /prices.json returns it
        from gpuatlas.app.prices import PricesRequest, prices_document
        from gpuatlas.app.requests import parse_request

        with user_errors():
            print_json(
                prices_document(
                    parse_request(
                        PricesRequest,
                        {"gpu": gpu, "provider": provider, "tier": tier, "history": history},
                    ),
                    prices_file,
                )
            )
        return
    from gpuatlas.catalog import prices as price_catalog

    with user_errors():
        gpu_id = gpu_catalog.resolve_gpu(gpu).id if gpu else None
        lister = price_catalog.price_history if history else price_catalog.current_prices
        snapshots = lister(gpu_id, provider, tier, prices_file)
    noun = "snapshot" if history else "offer"
    plural = "" if len(snapshots) == 1 else "s"
    title = f"{'Price history' if history else 'Current prices'}: {len(snapshots)} {noun}{plural}"
    table = new_table(title, "gpu", "provider", "offer", "tier", "$/GPU-h", "GPUs", "observed")
    for s in snapshots:
        table.add_row(
            s.gpu_id + ("*" if s.gpu_match == "assumed" else ""),
            s.provider,
            _offer_cell(s),
            s.tier,
            format_usd(s.usd_per_gpu_hour),
            str(s.gpus_per_instance),
            s.observed_date,
        )
    console.print(table)
    _print_price_notes(snapshots)
    print_name_notes([gpu] if gpu else [])


def _offer_cell(snapshot: PriceSnapshot) -> str:
    """The offer's name, and which end of a captured range it is: two rows of one provider,
    tier and date ('Vast.ai on-demand 2026-06' at $0.68 and $0.88) are told apart, as the
    compare report's offer labels tell them."""
    from gpuatlas.catalog.price_snapshot import RANGE_ENDS

    ends = [caveat for caveat in snapshot.caveats if caveat in RANGE_ENDS]
    return "; ".join(([snapshot.offer] if snapshot.offer else []) + ends) or "—"


SOURCES_LISTED = 8  # more distinct sources than this: per row in --json only


def _print_price_notes(snapshots: Sequence[PriceSnapshot]) -> None:
    """The asterisk's meaning when a row has one, and where the prices come from (printed as
    data: a source may hold brackets; wrapped at spaces to the terminal's width)."""
    if any(s.gpu_match == "assumed" for s in snapshots):
        console.print("* GPU variant not stated by the provider; see notes (--json).", style="dim")
    sources = list(dict.fromkeys(s.source for s in snapshots if s.source))
    if len(sources) > SOURCES_LISTED:
        console.print(f"{len(sources)} sources: per row in --json.", style="dim")
        return
    for source in sources:
        console.print(f"source: {source}", style="dim", markup=False, highlight=False)
