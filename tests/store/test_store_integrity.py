"""Fleet integrity in the store, on SQLite and on a real PostgreSQL: conflicts (same id,
different content), field ranges, plausibility from the benchmark's identity, GPU claims,
sanitised endpoints and host ids, audited release, private files and durable commits."""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest_pg import make_result, result_document
from gpuatlas.errors import InvalidRequestError
from gpuatlas.records.result import parse_result
from gpuatlas.records.workload import Workload
from gpuatlas.store import Store, open_store

PUBLIC_7B_DECODE = "public/llama.cpp/meta-llama/Llama-2-7b-hf/q4_0/b1-tg128/decode_tok_s"
RTX_3090 = {"gpus": [{"name": "NVIDIA GeForce RTX 3090"}]}


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = open_store(database_url)
    yield opened
    opened.close()


def _values(store: Store, system: str) -> list[float]:
    return [
        value
        for benchmark in store.measurements_for([system])
        for value in benchmark.values(system)
    ]


def _reasons(store: Store, **overrides: Any) -> tuple[str, ...]:
    outcome = store.add_results([make_result(**overrides)])
    assert outcome.accepted, outcome
    return outcome.quarantined[0].reasons if outcome.quarantined else ()


# -- conflicts -------------------------------------------------------------------------------


def test_a_resent_id_with_different_content_is_a_conflict_and_keeps_the_stored_value(
    store: Store,
) -> None:
    original = result_document(headline_value=120.0)
    store.add_results([parse_result(original)])
    changed = parse_result({**original, "headline": {**original["headline"], "value": 90.0}})
    outcome = store.add_results([changed])
    assert outcome.conflicts == (original["result_id"],)
    assert outcome.accepted == () and outcome.duplicates == ()
    assert _values(store, "rtx-4090") == [120.0]
    same_again = store.add_results([parse_result(original)])
    assert same_again.duplicates == (original["result_id"],) and same_again.conflicts == ()


def test_racing_writers_of_one_id_store_one_and_report_the_other_as_a_conflict(
    store: Store, database_url: str
) -> None:
    document = result_document(headline_value=120.0)
    variants = [
        parse_result({**document, "headline": {**document["headline"], "value": v}})
        for v in (110.0, 130.0)
    ]
    outcomes: list[Any] = []
    others = [open_store(database_url, migrate=False) for _ in variants]
    barrier = threading.Barrier(len(variants))

    def push(writer: Store, result: Any) -> None:
        barrier.wait()
        outcomes.append(writer.add_results([result], agent="racer"))

    threads = [
        threading.Thread(target=push, args=pair) for pair in zip(others, variants, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for writer in others:
        writer.close()
    assert sorted(len(o.accepted) for o in outcomes) == [0, 1]
    assert sorted(len(o.conflicts) for o in outcomes) == [0, 1]
    assert store.count_results() == 1


# -- field ranges: refused, nothing written --------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"result_id": "x/1"}, "result_id"),
        ({"result_id": "x\n1"}, "result_id"),
        ({"result_id": " leading"}, "result_id"),
        ({"gpu_count": 0}, "gpu_count"),
        ({"gpu_count": 4096}, "gpu_count"),
        ({"benchmark": ""}, "benchmark"),
        ({"created_at": "yesterday"}, "created_at"),
        ({"created_at": "9999-01-01T00:00:00Z"}, "created_at"),
        ({"settings": {"model": "llama3.1:8b", "concurrency": 0}}, "settings.concurrency"),
    ],
)
def test_a_field_out_of_range_refuses_the_batch(
    store: Store, overrides: dict[str, Any], expected: str
) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        store.add_results([make_result(), make_result(**overrides)])
    assert any(expected in problem for problem in caught.value.problems), caught.value.problems
    assert store.count_results() == 0


def _with_headline(**fields: Any) -> dict[str, Any]:
    document = result_document()
    document["headline"] = {**document["headline"], **fields}
    return document


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (_with_headline(metric=""), "headline.metric"),
        (_with_headline(unit=""), "headline.unit"),
        (_with_headline(ci_low=130.0, ci_high=110.0), "ci_low"),
        (_with_headline(metric="output_tok_s"), "not one of metrics"),
        ({**result_document(), "samples": [{"ttft_ms": -5.0, "output_tokens": -3}]}, "negative"),
        (
            {
                **result_document(),
                "metrics": {
                    "decode_tok_s": {"median": -1.0, "mean": 1.0, "p90": 1.0, "p99": 1.0, "n": 3}
                },
            },
            "must not be negative",
        ),
    ],
)
def test_bad_headlines_and_negative_measurements_are_refused(
    store: Store, document: dict[str, Any], expected: str
) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        store.add_results([parse_result(document)])
    assert any(expected in problem for problem in caught.value.problems), caught.value.problems


# -- plausibility from the benchmark's identity ----------------------------------------------


def test_the_decode_bound_uses_the_suite_model_when_settings_leave_it_out(store: Store) -> None:
    reasons = _reasons(store, settings={}, headline_value=2000.0)
    assert any("memory-bandwidth bound" in reason for reason in reasons)


def test_the_decode_bound_uses_the_model_a_public_key_names(store: Store) -> None:
    """The audit's attack: 500 tok/s on an RTX 3090 under a public key, no settings.model."""
    workload = Workload(
        engine="llama.cpp",
        model="meta-llama/Llama-2-7b-hf",
        weights="q4_0",
        metric="decode_tok_s",
        batch=1,
        output_tokens=128,
    )
    assert workload.benchmark_name() == PUBLIC_7B_DECODE
    store.replace_public_data([], "with the 7B workload", [workload])
    document = result_document(
        benchmark=PUBLIC_7B_DECODE,
        gpu_id="rtx-3090",
        fingerprint=RTX_3090,
        settings={},
        headline_value=500.0,
    )
    outcome = store.add_results(
        [
            parse_result(document),
            parse_result({**document, "result_id": document["result_id"] + "-2"}),
        ]
    )
    assert len(outcome.quarantined) == 2
    assert "memory-bandwidth bound" in " ".join(outcome.quarantined[0].reasons)
    assert _values(store, "rtx-3090") == []


def test_a_public_benchmark_the_store_does_not_hold_is_held(store: Store) -> None:
    document = result_document(
        benchmark=PUBLIC_7B_DECODE,
        gpu_id="rtx-3090",
        fingerprint=RTX_3090,
        settings={},
        headline_value=50.0,
    )
    [held] = store.add_results([parse_result(document)]).quarantined
    assert any("public data set does not hold" in reason for reason in held.reasons)


def test_settings_cannot_lift_the_bound_with_a_claimed_concurrency(store: Store) -> None:
    reasons = _reasons(
        store, settings={"model": "llama3.1:8b", "concurrency": 64}, headline_value=2000.0
    )
    assert any("memory-bandwidth bound" in reason for reason in reasons)


def test_unit_and_direction_must_match_the_suite_definition(store: Store) -> None:
    document = _with_headline(unit="ms", higher_is_better=False)
    document["metrics"]["decode_tok_s"]["unit"] = "ms"
    outcome = store.add_results([parse_result(document)])
    reasons = " ".join(outcome.quarantined[0].reasons)
    assert "unit 'ms' differs from 'tok/s'" in reasons and "higher_is_better" in reasons
    assert _values(store, "rtx-4090") == []


def test_a_custom_benchmark_keeps_the_unit_its_first_results_established(store: Store) -> None:
    first = make_result(benchmark="custom-decode", settings={"model": "llama3.1:8b"})
    store.add_results([first])
    document = result_document(benchmark="custom-decode")
    document["headline"] = {**document["headline"], "unit": "ms", "higher_is_better": False}
    outcome = store.add_results([parse_result(document)])
    assert "earlier results" in " ".join(outcome.quarantined[0].reasons)
    [measured] = store.measurements_for(["rtx-4090"], include_quarantined=True)
    assert (measured.unit, measured.higher_is_better) == ("tok/s", True)


@pytest.mark.parametrize(
    ("fingerprint", "gpu_count", "expected"),
    [
        ({}, 1, "fingerprint lists no GPU"),
        ({"gpus": [{"name": "Some Virtual Display Adapter"}]}, 1, "no fingerprint GPU names"),
        ({"gpus": [{"name": "NVIDIA GeForce RTX 4090"}]}, 8, "gpu_count 8"),
    ],
)
def test_a_gpu_claim_needs_a_fingerprint_naming_that_gpu(
    store: Store, fingerprint: dict[str, Any], gpu_count: int, expected: str
) -> None:
    reasons = _reasons(store, fingerprint=fingerprint, gpu_count=gpu_count)
    assert any(expected in reason for reason in reasons), reasons
    assert store.system_counts() == {}


@pytest.mark.parametrize("value", [1e-300, 1e9])
def test_absurd_headlines_are_quarantined(store: Store, value: float) -> None:
    document = result_document(benchmark="custom-serving", headline_value=value)
    document["headline"]["metric"] = "output_tok_s"
    document["metrics"] = {
        "output_tok_s": {"median": value, "mean": value, "p90": value, "p99": value, "n": 1}
    }
    outcome = store.add_results([parse_result(document)])
    assert outcome.quarantined, "an absurd headline must not reach a comparison"


def test_release_is_recorded_with_who_when_and_why(store: Store) -> None:
    result = make_result(headline_value=2000.0)
    store.add_results([result])
    assert store.release(result.result_id, by="cli:alice", reason="verified on site")
    document = store.get_document(result.result_id)
    assert document is not None
    [entry] = document["store"]["audit"]
    assert (entry["action"], entry["by"], entry["reason"]) == (
        "release",
        "cli:alice",
        "verified on site",
    )
    assert entry["at"] and _values(store, "rtx-4090") == [2000.0]


# -- secrets and privacy ---------------------------------------------------------------------


def test_endpoint_credentials_and_secret_settings_are_not_stored(store: Store) -> None:
    settings = {
        "model": "llama3.1:8b",
        "endpoint": "http://bob:hunter2@10.0.0.5:8000/v1?api_key=sk-123&mode=fast",
        "extra": {"headers": {"Authorization": "Bearer sk-456"}, "note": "ok"},
    }
    result = make_result(settings=settings)
    store.add_results([result])
    document = store.get_document(result.result_id)
    assert document is not None
    stored = document["settings"]
    assert stored["endpoint"] == "http://10.0.0.5:8000/v1?api_key=%5Bredacted%5D&mode=fast"
    assert stored["extra"] == {"headers": {"Authorization": "[redacted]"}, "note": "ok"}
    exported = " ".join(str(doc) for doc in store.export_documents())
    assert "hunter2" not in exported and "sk-123" not in exported and "sk-456" not in exported


def test_the_host_identifier_is_keyed_not_a_plain_hash(store: Store) -> None:
    import hashlib

    plain = hashlib.sha256(b"gpu-node-17").hexdigest()[:16]
    result = make_result(
        fingerprint={"gpus": [{"name": "NVIDIA GeForce RTX 4090"}], "hostname_hash": plain}
    )
    store.add_results([result])
    document = store.get_document(result.result_id)
    assert document is not None
    keyed = document["fingerprint"]["hostname_hash"]
    assert keyed.startswith("k1:") and plain not in keyed
    again = make_result(
        fingerprint={"gpus": [{"name": "NVIDIA GeForce RTX 4090"}], "hostname_hash": plain}
    )
    store.add_results([again])
    second = store.get_document(again.result_id)
    assert second is not None and second["fingerprint"]["hostname_hash"] == keyed


def test_the_sqlite_file_is_private_and_commits_are_fully_synced(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "atlas.db"
    opened = open_store(f"sqlite:///{path}")
    opened.add_results([make_result()])
    with opened.engine.connect() as connection:
        synchronous = connection.exec_driver_sql("PRAGMA synchronous").scalar()
    opened.close()
    assert synchronous == 2  # FULL
    for name in ("atlas.db", "atlas.db-wal"):
        candidate = path.with_name(name)
        if candidate.exists():
            assert stat.S_IMODE(os.stat(candidate).st_mode) == 0o600, name
