"""Any pair of the new GPUs, as a user sees it (issue 11 item 6): each side runs the engine people
run on its platform (llama.cpp on a Mac, vLLM on NVIDIA, TGI on Gaudi…) and the report says when
the two differ; GeForce wording only for GeForce cards; a unified-memory side is measured by the
share its GPU may use; the weight formats know the new architecture families."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from gpuatlas.catalog.formats import resolve_format
from gpuatlas.catalog.gpus import all_gpus
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.performance.engine_specs import engine_profile
from gpuatlas.performance.platform_engines import platform_engine
from gpuatlas.report import Comparison, build_comparison, render_json, render_text
from gpuatlas.report.document import Quantity, Section, Table, Text

from .conftest import comparison_of

MAC = "Apple M2 Ultra (76-core GPU)"


def _section(comparison: Comparison, section_id: str) -> Section:
    return next(s for s in comparison.sections if s.id == section_id)


def _table(comparison: Comparison, table_id: str) -> Table:
    return next(t for s in comparison.sections for t in s.tables if t.id == table_id)


def _row(table: Table, first: str) -> tuple[object, ...]:
    return next(r for r in table.rows if isinstance(r[0], Text) and r[0].text.startswith(first))


def _value(cell: object) -> float | None:
    assert isinstance(cell, Quantity), cell
    return cell.value


def _text(cell: object) -> str:
    assert isinstance(cell, Text), cell
    return cell.text


# ----- the platform's engine, as data ------------------------------------------------------------


@pytest.mark.parametrize(
    ("gpu", "engine", "profile"),
    [
        ("apple-m2-ultra-76c", "llama.cpp (Metal)", "llama.cpp-metal"),
        ("apple-m4-max-40c", "llama.cpp (Metal)", "llama.cpp-metal"),
        ("rx-7900-xtx", "llama.cpp (ROCm/HIP)", "llama.cpp-rocm"),
        ("radeon-pro-w7900", "llama.cpp (ROCm/HIP)", "llama.cpp-rocm"),
        ("mi300x", "vLLM (ROCm)", "vllm-rocm"),
        ("arc-b580", "llama.cpp (SYCL)", "llama.cpp-sycl"),
        ("gaudi2", "TGI (Gaudi)", "tgi-gaudi"),
        ("rtx-4090", "vLLM", "vllm"),
        ("h100-sxm", "vLLM", "vllm"),
        ("p40", "llama.cpp (CUDA)", "llama.cpp"),
        ("gtx-1080-ti", "llama.cpp (CUDA)", "llama.cpp"),
    ],
)
def test_each_platform_gets_the_engine_people_run_there(
    gpu: str, engine: str, profile: str
) -> None:
    chosen = platform_engine(resolve_system(gpu).gpu)
    assert chosen.label == engine and chosen.why and chosen.source
    assert engine_profile(chosen.engine, resolve_system(gpu).gpu).id == profile


def test_every_catalog_gpu_has_a_platform_engine_whose_backend_serves_it() -> None:
    for gpu in all_gpus():
        chosen = platform_engine(gpu)
        engine_profile(chosen.engine, gpu)  # raises when the backend does not serve the GPU


# ----- weight formats know every architecture family ---------------------------------------------


def test_every_catalog_architecture_family_is_known_to_the_weight_formats() -> None:
    fp32 = resolve_format("fp32")
    assert {g.architecture_family for g in all_gpus() if g.fp32_tflops} <= set(
        fp32.native_architectures
    )


@pytest.mark.parametrize("precision", ["fp8", "bf16", "int8"])
def test_a_family_with_a_catalog_rate_runs_the_format_natively(precision: str) -> None:
    weight_format = resolve_format(precision)
    for gpu in all_gpus():
        if precision == "int8" and not gpu.tensor_cores:
            # no matrix units: the INT8 figure is a dot4 rate on the shader ALUs (P40's dp4a,
            # MI50's v_dot4_i32_i8), which the int8 W8A8 format's GEMMs do not run on
            continue
        if gpu.dense_tflops(precision):
            assert weight_format.is_native_on(gpu.architecture_family), (precision, gpu.id)


def test_fp8_is_native_on_rdna4_and_cdna4_and_never_on_apple_or_rdna3() -> None:
    fp8 = resolve_format("fp8")
    for family in ("ada", "hopper", "blackwell", "cdna3", "cdna4", "rdna4"):
        assert fp8.is_native_on(family), family
    for family in ("apple7", "apple8", "apple9", "rdna3", "rdna2", "ampere", "xe2-hpg"):
        assert not fp8.is_native_on(family), family
    assert resolve_format("fp8").compute_precision_on("rdna4") == "fp8"
    assert resolve_format("fp8").compute_precision_on("apple8") == "fp16"


# ----- reports ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (MAC, "rtx-4090"),
        (MAC, "rx-7900-xtx"),
        ("arc-b580", "rtx-3060-12gb"),
        ("dgx-spark-gb10", "Apple M4 Max (40-core GPU)"),
        ("Mac Studio M2 Ultra 192GB", "apple-m4-max-40c"),
        ("gaudi2", "mi300x"),
        ("2x rtx-3090", "2x rx-7900-xtx"),
    ],
)
def test_cross_vendor_pair_renders_without_failed_sections(
    a: str, b: str, fresh_data_dir: Path
) -> None:
    comparison = comparison_of(a, b)
    for section in comparison.sections:
        assert section.omitted is None or "could not be" not in section.omitted, (
            section.id,
            section.omitted,
        )  # no failure: neither computed nor store read
    text = render_text(comparison)
    assert not re.search(r"\bnan\b|\binf\b", text, re.IGNORECASE)
    assert max(len(line) for line in text.splitlines()) <= 100
    json.loads(render_json(comparison))


def test_a_mac_side_runs_llama_cpp_and_has_llm_figures(fresh_data_dir: Path) -> None:
    comparison = comparison_of(MAC, "rtx-4090")
    speed = _table(comparison, "llm-speed")
    decode = _row(speed, "Single-user decode")
    assert (_value(decode[1]) or 0) > 0 and (_value(decode[2]) or 0) > 0
    engines = _row(speed, "Engine")
    assert "llama.cpp" in _text(engines[1]) or "MLX" in _text(engines[1])
    assert _text(engines[2]) == "vLLM"
    inference = _section(comparison, "inference")
    differ = [s for s in inference.statements if "different engines" in s.template]
    assert differ and differ[0].words["a_engine"] == "llama.cpp (Metal)"
    assert "no Metal backend" in differ[0].words["reasons"]


def test_same_engine_on_both_sides_says_nothing_about_engines(fresh_data_dir: Path) -> None:
    comparison = comparison_of("a100-80gb-sxm", "rtx-4090")
    assert not [
        s for s in _section(comparison, "inference").statements if "different engines" in s.template
    ]
    assert "on vLLM" in _table(comparison, "llm-speed").title


def test_no_geforce_wording_in_a_mac_against_a_radeon(fresh_data_dir: Path) -> None:
    text = render_text(comparison_of(MAC, "rx-7900-xtx"))
    assert "GeForce" not in text
    assert "consumer Radeon cards have no ECC" in " ".join(text.split())


def test_the_geforce_note_names_only_the_geforce_side(fresh_data_dir: Path) -> None:
    notes = _section(comparison_of("rx-7900-xtx", "rtx-3090"), "ecosystem").notes
    geforce = [n for n in notes if "GeForce" in n]
    radeon = [n for n in notes if "Radeon cards" in n]
    assert len(geforce) == 1 and geforce[0].startswith("RTX 3090:")
    assert len(radeon) == 1 and radeon[0].startswith("Radeon RX 7900 XTX:")


def test_gradient_sync_note_names_only_systems_without_peer_to_peer(
    fresh_data_dir: Path,
) -> None:
    sync = _table(comparison_of("2x rtx-3090", "2x rx-7900-xtx"), "gradient-sync")
    note = " ".join(sync.notes)
    assert "GeForce" not in note
    assert "2× Radeon RX 7900 XTX" in note or "2× RX 7900 XTX" in note
    assert "2× RTX 3090:" not in note and "2× RTX 3090," not in note  # NVLink-bridged pair
    h100 = " ".join(_table(comparison_of("h100-sxm", "mi300x"), "gradient-sync").notes)
    assert "GeForce" not in h100 and "staged through host memory" not in h100


def test_several_macs_sync_over_their_network_link(fresh_data_dir: Path) -> None:
    sync = _table(comparison_of(MAC, "rtx-4090"), "gradient-sync")
    macs = [r for r in sync.rows if _text(r[0]).startswith("2×") and "Apple" in _text(r[0])]
    assert macs and "Thunderbolt" in _text(macs[0][1])


def test_the_macs_memory_is_its_gpu_usable_share(fresh_data_dir: Path) -> None:
    comparison = comparison_of(MAC, "rtx-4090")
    usable = resolve_system(MAC).gpu.gpu_usable_memory_gb
    assert usable is not None and usable < 192
    row = _row(_table(comparison, "hardware"), "GPU-usable memory")
    assert _value(row[1]) == pytest.approx(usable) and _value(row[2]) == pytest.approx(24)
    memory = [
        s
        for s in comparison.summary
        if "memory" in s.words.get("what", "") and "bandwidth" not in s.words.get("what", "")
    ]
    assert memory and memory[0].words["what"] == "GPU-usable memory"
    assert memory[0].numbers["x"].value == pytest.approx(usable)
    # The fit table's KV room plus the weights stays within the usable share (144 GiB = 155 GB),
    # far below the 192 GB of RAM (206 GB as the estimator reads sizes, in GiB).
    fit = next(
        r
        for r in _table(comparison, "memory-fit").rows
        if _text(r[0]).startswith("7B") and _text(r[1]) == "FP16"
    )
    kv_room = float(_text(fit[3]).split("KV room ")[1].split(" GB")[0])
    assert 100 < kv_room + 13.5 <= usable * 1.073741824


def test_a_chip_without_published_throughput_says_why_it_has_no_llm_figures(
    fresh_data_dir: Path,
) -> None:
    inference = _section(
        comparison_of("jetson-agx-thor", "Apple M4 Max (40-core GPU)"), "inference"
    )
    reasons = [
        s.words["reason"]
        for s in inference.statements
        if s.template.startswith("No modelled LLM speed")
    ]
    # Jetson Thor has no published dense 16-bit rate; the M4 Max's rate is derived from its
    # GPU cores and clock (gpus_apple.toml), so only the Thor's side lacks figures.
    assert any("jetson-agx-thor" in r and "throughput" in r for r in reasons)
    assert not any("apple-m4-max-40c" in r for r in reasons)


def test_a_side_without_tdp_keeps_the_power_section_for_the_other(fresh_data_dir: Path) -> None:
    power = _section(comparison_of(MAC, "rtx-4090"), "power")
    assert power.omitted is None
    watts = _row(_table(comparison_of(MAC, "rtx-4090"), "power-tco"), "GPU power")
    assert _value(watts[1]) is None and "TDP" in watts[1].provenance.source  # type: ignore[union-attr]
    assert _value(watts[2]) == pytest.approx(450)


@cache
def _pascal_vs_blackwell() -> Comparison:
    return build_comparison("p40", "rtx-5090", weights="q4_k_m")


def test_pascal_runs_llama_cpp_on_its_fp32_cores(fresh_data_dir: Path) -> None:
    speed = _table(_pascal_vs_blackwell(), "llm-speed")
    decode = _row(speed, "Single-user decode")
    assert (_value(decode[1]) or 0) > 0 and (_value(decode[2]) or 0) > (_value(decode[1]) or 0)
    engines = _row(speed, "Engine")  # a GGUF type runs on llama.cpp on both sides (was vLLM
    assert _text(engines[1]) == _text(engines[2]) == "llama.cpp"  # on the 5090: -w ignored)


def test_a_named_engine_is_used_on_both_sides(fresh_data_dir: Path) -> None:
    comparison = build_comparison("rx-7900-xtx", "rtx-3090", engine="llama.cpp")
    engines = _row(_table(comparison, "llm-speed"), "Engine")
    assert _text(engines[1]) == _text(engines[2]) == "llama.cpp"
    assert comparison.options["engine"] == "llama.cpp"


# ----- fit (`--engine auto`) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("system", "engine"),
    [
        ("Mac Studio M2 Ultra 192GB", "llama.cpp-metal"),
        ("rx-7900-xtx", "llama.cpp-rocm"),
        ("mi300x", "vllm-rocm"),
        ("rtx-4090", "vllm"),
    ],
)
def test_fit_auto_engine_is_the_platforms(system: str, engine: str) -> None:
    from gpuatlas.catalog.models import resolve_model_reference
    from gpuatlas.performance.llm.fit_answer import answer_fit

    answer = answer_fit(system, resolve_model_reference("llama-3.1-8b"), [])
    assert answer.engine == engine


def test_a_mac_fit_lists_the_formats_its_engine_loads() -> None:
    from gpuatlas.catalog.models import resolve_model_reference
    from gpuatlas.performance.llm.fit_answer import answer_fit

    answer = answer_fit("Mac Studio M2 Ultra 192GB", resolve_model_reference("llama-3.1-70b"), [])
    formats = {row.format_id for row in answer.rows}
    assert "q4_k_m" in formats and not formats & {"awq-int4", "gptq-int4", "nvfp4", "fp8"}


# ----- plan -------------------------------------------------------------------------------------


def _plan_output(*args: str) -> str:
    from typer.testing import CliRunner

    from gpuatlas.cli.main import app

    result = CliRunner().invoke(app, ["plan", "--model", "llama-3.1-8b", "--rps", "2", *args])
    return " ".join(result.output.split())


def test_a_plan_over_gpus_nobody_rents_says_so(fresh_data_dir: Path) -> None:
    text = _plan_output("--gpu", "apple-m2-ultra-76c", "--gpu", "rx-7900-xtx")
    assert "no cloud offer rents apple-m2-ultra-76c, rx-7900-xtx" in text
    assert "--prices FILE" in text and "see `rejected`" not in text
    # the file's columns, an example line and where an owner's $/GPU-hour comes from
    assert "provider,gpu,usd_per_gpu_hour,tier,observed_date,source" in text
    assert "`gpuatlas tco apple-m2-ultra-76c`" in text


def test_a_plan_whose_engine_does_not_run_on_the_gpu_names_the_engines_that_do(
    fresh_data_dir: Path, tmp_path: Path
) -> None:
    prices = tmp_path / "offers.csv"
    prices.write_text(
        "provider,gpu,gpu_match,offer,gpus_per_instance,usd_per_gpu_hour,tier,observed_date,"
        "source,notes\nMyLab,apple-m2-ultra-76c,exact,,1,0.50,on-demand,2026-12-01,own,test\n",
        encoding="utf-8",
    )
    text = _plan_output(
        "--gpu", "apple-m2-ultra-76c", "--prices", str(prices), "--engine", "vllm"
    )  # --engine auto (the default) would pick llama.cpp on the Mac itself
    assert "engine vllm is not modelled on Apple" in text and "llama.cpp" in text
    assert "--engine" in text
    served = _plan_output(
        "--gpu", "apple-m2-ultra-76c", "--prices", str(prices), "--engine", "llama.cpp"
    )
    # a bare model on llama.cpp is its GGUF Q4_K_M build (llama.cpp's own -hf default, e383e44)
    assert "Winner:" in served and "apple-m2-ultra-76c q4_k_m" in served


def test_compare_takes_one_engine_for_both_sides(fresh_data_dir: Path) -> None:
    from typer.testing import CliRunner

    from gpuatlas.cli.main import app

    bad = CliRunner().invoke(app, ["compare", "rx-7900-xtx", "rtx-3090", "--engine", "vlm"])
    assert bad.exit_code == 2 and "vllm" in bad.output
    result = CliRunner().invoke(
        app, ["compare", "rx-7900-xtx", "rtx-3090", "--engine", "llama.cpp", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["options"]["engine"] == "llama.cpp"


# ----- web --------------------------------------------------------------------------------------


def test_the_web_compare_pages_work_for_a_mac_against_a_radeon(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from urllib.parse import quote

    from fastapi.testclient import TestClient

    from gpuatlas.store import open_store
    from gpuatlas.web.app import create_app

    monkeypatch.setenv("GPUATLAS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GPUATLAS_WARM_CACHE", "0")
    store = open_store(f"sqlite:///{tmp_path / 'web.db'}", seed=True)
    monkeypatch.setenv("GPUATLAS_DATABASE_URL", store.url)
    pair = f"/compare/{quote(MAC)}/rx-7900-xtx"
    try:
        with TestClient(create_app(store)) as client:
            assert client.get(pair).status_code == 200
            report = client.get(f"{pair}/report.html")
            assert report.status_code == 200
            assert "llama.cpp (Metal)" in report.text and "GeForce" not in report.text
            named = client.get(f"{pair}.json", params={"engine": "llama.cpp"})
            assert named.json()["options"]["engine"] == "llama.cpp"
            assert client.get(f"{pair}.json", params={"engine": "vlm"}).status_code == 422
    finally:
        store.close()


# ----- more pairs: sharded inference, guidance wording, systems on a chip ----------------------


def test_a_macs_sharded_70b_runs_on_its_engine_with_gguf_int4(fresh_data_dir: Path) -> None:
    rows = _table(comparison_of(MAC, "rtx-4090"), "sharded-inference").rows
    mac = {_text(r[1]): r for r in rows if _text(r[0]).startswith("Apple")}
    assert set(mac) == {"fp16", "q4_k_m"}
    assert (_value(mac["q4_k_m"][3]) or 0) > (_value(mac["fp16"][3]) or 0) > 0
    nvidia = {_text(r[1]) for r in rows if _text(r[0]) == "RTX 4090"}
    assert nvidia == {"fp16", "awq-int4"}


def test_no_guidance_says_up_to_none(fresh_data_dir: Path) -> None:
    text = " ".join(render_text(comparison_of("rtx-4090-laptop", "rtx-2080-ti")).split())
    assert "up to none" not in text
    assert "Of the 7B/13B/34B/70B models, RTX 2080 Ti holds none in FP16 and up to" in text


def test_apus_and_modules_are_systems_on_a_chip_not_pcie_cards(fresh_data_dir: Path) -> None:
    comparison = comparison_of("ryzen-ai-max-plus-395", "jetson-agx-thor")
    link = _row(_table(comparison, "hardware"), "GPU-to-GPU link")
    assert _text(link[1]) == _text(link[2]) == "none (system on a chip)"
    assert "PCIe only" not in " ".join(render_text(comparison).split())


def test_the_fit_table_uses_each_sides_engine_and_formats(fresh_data_dir: Path) -> None:
    table = _table(comparison_of(MAC, "rtx-4090"), "memory-fit")
    rows = {(_text(r[0]), _text(r[1])): r for r in table.rows}
    assert _text(rows[("70B (llama-3-70b)", "Q4_K_M (GGUF)")][3]).startswith("yes")
    assert _text(rows[("70B (llama-3-70b)", "INT4 (AWQ)")][3]) == "not supported"
    assert _text(rows[("70B (llama-3-70b)", "INT4 (AWQ)")][4]).startswith("no — needs 2×")
    assert any("llama.cpp (Metal)" in note for note in table.notes)
    same = _table(comparison_of("a100-80gb-sxm", "rtx-4090"), "memory-fit")
    assert not [r for r in same.rows if "GGUF" in _text(r[1])]


def test_a_macs_70b_answer_names_the_formats_mac_users_run(fresh_data_dir: Path) -> None:
    guidance = _section(comparison_of(MAC, "rx-7900-xtx"), "guidance")
    mac = next(
        s
        for s in guidance.statements
        if s.question and s.question.startswith("Can the Apple M2 Ultra")
    )
    assert "Q4_K_M" in mac.words["formats"] and "AWQ" not in mac.words["formats"]
    assert "FP8" not in mac.words["formats"]


# ----- predict (`--engine auto`) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "system", "engine"),
    [
        ("llm", "apple-m2-ultra-76c", "llama.cpp (metal)"),
        ("llm", "rtx-4090", "vllm"),
        ("serving", "Mac Studio M2 Ultra 192GB", "llama.cpp (metal)"),
        ("serving-curve", "rx-7900-xtx", "llama.cpp (rocm)"),
    ],
)
def test_predict_auto_engine_is_the_platforms(command: str, system: str, engine: str) -> None:
    from typer.testing import CliRunner

    from gpuatlas.cli.main import app

    result = CliRunner().invoke(app, ["predict", command, system, "llama-3.1-8b"])
    assert result.exit_code == 0, result.output
    assert engine in " ".join(result.output.split())


def test_the_predict_document_uses_the_platforms_engine() -> None:
    from gpuatlas.app.predict import PredictLlmRequest, predict_llm_document

    document = predict_llm_document(
        PredictLlmRequest(system="apple-m2-ultra-76c", model="llama-3.1-8b")
    )
    assert "llama.cpp-metal" in json.dumps(document)


def test_a_side_the_focus_model_does_not_fit_says_what_to_try(fresh_data_dir: Path) -> None:
    inference = _section(comparison_of("arc-b580", "rtx-3060-12gb"), "inference")
    # bf16 llama-3.1-8b (16 GB) does not fit either 12 GB card: each side shows the first format
    # its engine loads that fits, saying so: FP8 on vLLM (the RTX 3060), GGUF Q8_0 (8.5 GB) on
    # llama.cpp (the Arc B580), whole on the GPU rather than bf16 split with the CPU
    instead = {
        str(s.words["system"]): str(s.words["instead"])
        for s in inference.statements
        if "instead" in s.words
    }
    assert set(instead) == {"Arc B580", "RTX 3060 12GB"}
    assert "shown instead: fp8, the first format vLLM loads that fits" in instead["RTX 3060 12GB"]
    assert "shown instead: q8_0, the first format llama.cpp (SYCL)" in instead["Arc B580"]
    assert not [s for s in inference.statements if "partly on the CPU" in s.template]
