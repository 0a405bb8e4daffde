"""Every answer with its document's schema_version, the command that prints it with --json and
the web route that returns it: the source of the README's schema table
(`python -m gpuatlas.app.registry` prints it as Markdown; tests keep it true)."""

from __future__ import annotations

from typing import NamedTuple

from gpuatlas.app.documents import schema_name


class Answer(NamedTuple):
    schema_version: str
    command: str  # how the CLI prints it (with --json)
    route: str  # the web route returning the same document ("" when the CLI only)
    builder: str  # module:function of the answer layer


def _answer(answer: str, command: str, route: str, builder: str) -> Answer:
    return Answer(schema_name(answer), command, route, builder)


ANSWERS: tuple[Answer, ...] = (
    _answer("gpus", "gpus", "/gpus.json", "catalog:gpus_document"),
    _answer("gpu", "gpu show NAME", "/gpus/{name}.json", "catalog:gpu_document"),
    _answer("system", "system show SPEC", "/systems/{spec}.json", "catalog:system_document"),
    _answer("prices", "prices [GPU]", "/prices.json", "prices:prices_document"),
    _answer("models", "models", "/models.json", "models:models_document"),
    _answer("model", "model show NAME", "/models/{name}.json", "models:model_document"),
    _answer("formats", "formats", "/formats.json", "models:formats_document"),
    _answer("fit", "fit SYSTEM MODEL", "/plan/fit.json", "fit:fit_document"),
    _answer(
        "fit-training",
        "fit SYSTEM MODEL --training M",
        "/fit/training.json",
        "fit:fit_training_document",
    ),
    _answer(
        "predict-llm",
        "predict llm SYSTEM MODEL",
        "/plan/predict.json",
        "predict:predict_llm_document",
    ),
    _answer(
        "predict-serving",
        "predict serving SYSTEM MODEL",
        "/predict/serving.json",
        "predict:predict_serving_document",
    ),
    _answer(
        "serving-curve",
        "predict serving-curve SYSTEM MODEL",
        "/predict/serving-curve.json",
        "serving_curve:serving_curve_document",
    ),
    _answer(
        "predict-diffusion",
        "predict diffusion SYSTEM MODEL",
        "/predict/diffusion.json",
        "predict:predict_diffusion_document",
    ),
    _answer(
        "predict-vision",
        "predict vision SYSTEM MODEL",
        "/predict/vision.json",
        "predict:predict_vision_document",
    ),
    _answer(
        "predict-ocr",
        "predict ocr SYSTEM MODEL",
        "/predict/ocr.json",
        "predict:predict_ocr_document",
    ),
    _answer(
        "predict-train",
        "predict train SYSTEM MODEL",
        "/predict/train.json",
        "predict:predict_train_document",
    ),
    _answer(
        "predict-cases", "predict --cases FILE.csv", "", "predict_cases:predict_cases_document"
    ),
    _answer("cost", "cost", "/cost.json", "cost:cost_document"),
    _answer("tco", "tco", "/tco.json", "tco:tco_document"),
    _answer("plan", "plan --model M --rps R", "/plan/plan.json", "plan:plan_document"),
    _answer("fleet", "fleet --model M=SHARE … --rps R", "/fleet.json", "fleet:fleet_document"),
    _answer("comparison", "compare A B", "/compare/{a}/{b}.json", "compare:comparison_document"),
    _answer("leaderboard", "leaderboard", "/leaderboard.json", "leaderboard:leaderboard_document"),
    _answer("bench-list", "bench list", "/bench.json", "suite:bench_list_document"),
    _answer("bench-run", "bench run SELECTOR", "", "bench_results:bench_run_document"),
    _answer("bench-import", "bench import FILE", "", "bench_results:bench_import_document"),
    _answer(
        "bench-max-goodput",
        "bench run ID --max-goodput",
        "",
        "bench_results:bench_max_goodput_document",
    ),
    _answer("bench-host", "bench host --config FILE", "", "bench_results:bench_host_document"),
    _answer("agent-cycle", "agent --server URL", "", "bench_results:agent_cycle_document"),
    _answer("agent-status", "agent status", "", "agent_status:agent_status_document"),
    _answer("db-schema", "db init / db upgrade", "", "database:db_schema_document"),
    _answer("db-status", "db status", "", "database:db_status_document"),
    _answer("db-import", "db import FILE…", "", "database:db_import_document"),
    _answer("db-quarantined", "db quarantined", "", "database:db_quarantined_document"),
    _answer(
        "db-result-state",
        "db release ID / db quarantine ID",
        "",
        "database:result_state_document",
    ),
    _answer("token-created", "token create NAME", "", "database:token_created_document"),
    _answer("token-revoked", "token revoke NAME", "", "database:token_revoked_document"),
    _answer("tokens", "token list", "", "database:tokens_document"),
    _answer(
        "calibration",
        "calibrate [--data D] [--output F] [--jobs N]",
        "",
        "calibrate:calibrate_document",
    ),
    _answer(
        "error",
        "… (any command, on a bad request)",
        "any .json route, on an error",
        "errors:error_document",
    ),
)


def markdown_table() -> str:
    """The answers as a Markdown table (the README's schema table)."""
    lines = ["| schema_version | command (`--json`) | web route |", "|---|---|---|"]
    lines += [
        f"| `{a.schema_version}` | `gpuatlas {a.command}` | "
        f"{f'`{a.route}`' if a.route.startswith('/') else (a.route or '—')} |"
        for a in ANSWERS
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")
