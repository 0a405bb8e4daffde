"""The store pools only results of one run identity (benchmark, version, engine, weights, and
settings that contradict a suite id), keeps results that are not valid for comparison out of
every comparison, and the comparison commands survive any stored value. SQLite and, when it
is installed, PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest_pg import make_result
from gpuatlas.errors import InvalidRequestError
from gpuatlas.store import Store, open_store

SUITE_ID = "llm-serving-qwen3-4b-c16"


def _serving(
    value: float, engine: str | None = None, gpu: str = "rtx-4090", **settings: Any
) -> Any:
    fingerprint: dict[str, Any] = {"gpus": [{"index": 0, "name": gpu}]}
    if engine:
        fingerprint["engine"] = {"name": engine}
    return make_result(
        benchmark=SUITE_ID,
        category="llm-serving",
        gpu_id=gpu,
        fingerprint=fingerprint,
        settings={"model": "Qwen/Qwen3-4B", "concurrency": 16, **settings},
        headline={
            "metric": "output_tok_s",
            "unit": "tok/s",
            "higher_is_better": True,
            "value": value,
        },
        metrics={
            "output_tok_s": {"median": value, "mean": value, "p90": None, "p99": None, "n": 1}
        },
        samples=[],
    )


@pytest.fixture()
def store(database_url: str) -> Store:
    return open_store(database_url)


def _groups(store: Store) -> dict[str, tuple[float, int]]:
    return {
        summary.key.identity_key: (summary.median, summary.n)
        for summary in store.group_summaries(["rtx-4090"])
    }


def test_results_of_different_engines_are_never_pooled(store: Store) -> None:
    store.add_results(
        [_serving(1000.0, "vllm"), _serving(1100.0, "vllm"), _serving(300.0, "llama.cpp")]
    )
    assert _groups(store) == {"engine:vllm": (1050.0, 2), "engine:llama.cpp": (300.0, 1)}
    measured = store.measurements_for(["rtx-4090"])
    assert sorted((m.identity_key, m.values("rtx-4090")[0]) for m in measured) == [
        ("engine:llama.cpp", 300.0),
        ("engine:vllm", 1000.0),
    ]


def test_a_suite_id_carrying_other_settings_is_a_group_of_its_own(store: Store) -> None:
    store.add_results([_serving(1000.0), _serving(5000.0, model="ref-model", concurrency=64)])
    groups = _groups(store)
    assert groups[""] == (1000.0, 1)
    assert [n for key, (_, n) in groups.items() if key.startswith("settings:")] == [1]


def test_a_result_not_valid_for_comparison_is_kept_but_never_pooled(store: Store) -> None:
    invalid = _serving(500.0)
    invalid.interrupted = True
    empty = _serving(1.0)
    empty.headline.value = None
    outcome = store.add_results([_serving(1000.0), invalid, empty])
    reasons = {q.result_id: q.reasons for q in outcome.quarantined}
    assert any("not valid for comparison: interrupted" in r for r in reasons[invalid.result_id])
    assert any("no headline value" in r for r in reasons[empty.result_id])
    assert _groups(store) == {"": (1000.0, 1)}
    with pytest.raises(InvalidRequestError, match="not valid for comparison"):
        store.release(invalid.result_id)
    assert store.get_document(invalid.result_id) is not None


def test_non_positive_values_never_reach_a_comparison(store: Store) -> None:
    zero = _serving(0.0)
    store.add_results([zero, _serving(900.0)])
    assert _groups(store) == {"": (900.0, 1)}
    assert [m.values("rtx-4090") for m in store.measurements_for(["rtx-4090"])] == [[900.0]]


def test_the_migration_gives_stored_results_their_identity(tmp_path: Path) -> None:
    import alembic.command

    from gpuatlas.store.migrate import alembic_config

    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = open_store(url, migrate=False)
    config = alembic_config()
    with old.engine.begin() as connection:
        config.attributes["connection"] = connection
        alembic.command.upgrade(config, "0003")
        for number, (engine, model) in enumerate(
            (("vllm", "Qwen/Qwen3-4B"), (None, "Qwen/Qwen3-4B"), (None, "ref-model"))
        ):
            fingerprint = f'{{"engine": {{"name": "{engine}"}}}}' if engine else "{}"
            connection.exec_driver_sql(
                "INSERT INTO results (result_id, schema_version, benchmark, benchmark_version, "
                "category, gpu_id, gpu_count, metric, unit, higher_is_better, value, "
                "created_at, source, origin, received_at, quarantined, quarantine_reasons, "
                "fingerprint, settings, metrics, samples, details) VALUES "
                f"('old-{number}', 'gpuatlas.result/1', '{SUITE_ID}', 1, 'llm-serving', "
                "'rtx-4090', 1, 'output_tok_s', 'tok/s', 1, 100.0, '2026-01-01', 'src', "
                f"'import', '2026-01-01', 0, '[]', '{fingerprint}', "
                f"'{{\"model\": \"{model}\"}}', '{{}}', '[]', '{{}}')"
            )
    upgraded = open_store(url)
    keys = sorted(_groups(upgraded))
    assert keys[:2] == ["", "engine:vllm"]
    assert keys[2].startswith("settings:")
