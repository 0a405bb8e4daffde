"""Issue 11's store defects, on SQLite and a real PostgreSQL: impossible llama-bench numbers
are quarantined (weights read faster than the GPU's bandwidth, weights larger than its
memory), a misspelt suite id or a contradicting category is refused, an id ending in .json is
refused, a db export reads back with its store records (SQLite -> PostgreSQL), times carry
their zone, a second release adds no audit record, tokens say their scope and when they were
used, and a database that cannot be opened is one clear error."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from conftest_pg import PostgresCluster, free_port, make_result, result_document
from gpuatlas.bench.importers import import_file
from gpuatlas.errors import InvalidRequestError
from gpuatlas.records.result import BenchResult, parse_result
from gpuatlas.store import Store, open_store
from gpuatlas.store.exported import read_exported
from gpuatlas.store.opening import DatabaseOpenError

LLAMA_3B_BYTES = 2_019_377_664  # Llama-3.2-3B-Instruct Q4_K_M as llama-bench reports it
LLAMA_70B_BYTES = 42_520_395_776  # Llama-3.1-70B-Instruct Q4_K_M


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = open_store(database_url)
    yield opened
    opened.close()


def llama_bench_test(**overrides: Any) -> dict[str, Any]:
    """One llama-bench tg128 test on an RTX 4090 (its JSON output's fields)."""
    test: dict[str, Any] = {
        "build_commit": "abc1234",
        "build_number": 6500,
        "cpu_info": "AMD Ryzen 9 7950X",
        "gpu_info": "NVIDIA GeForce RTX 4090",
        "backends": "CUDA",
        "model_filename": "/models/Llama-3.2-3B-Instruct-Q4_K_M.gguf",
        "model_type": "llama 3B Q4_K - Medium",
        "model_size": LLAMA_3B_BYTES,
        "model_n_params": 3_212_749_888,
        "n_batch": 2048,
        "n_ubatch": 512,
        "n_threads": 16,
        "n_gpu_layers": 99,
        "n_prompt": 0,
        "n_gen": 128,
        "n_depth": 0,
        "test_time": "2026-12-04T10:00:05Z",
        "avg_ns": 500_000_000,
        "avg_ts": 256.0,
        "samples_ts": [255.0, 256.0, 257.0],
    }
    return {**test, **overrides}


def imported(tmp_path: Path, *tests: dict[str, Any]) -> list[BenchResult]:
    path = tmp_path / f"llama-bench-{len(list(tmp_path.iterdir()))}.json"
    path.write_text(json.dumps(list(tests)), encoding="utf-8")
    return import_file(path)


def reasons_of(store: Store, results: list[BenchResult]) -> dict[str, tuple[str, ...]]:
    outcome = store.add_results(results, origin="import")
    held = {item.result_id: item.reasons for item in outcome.quarantined}
    return {result.result_id: held.get(result.result_id, ()) for result in results}


def test_a_decode_reading_weights_faster_than_the_gpu_is_quarantined(
    store: Store, tmp_path: Path
) -> None:
    rates = [5000.0, 5000.0, 5000.0]  # 5,000 tok/s x 2.02 GB = 10 TB/s; the 4090 has 1,008 GB/s
    fast = imported(tmp_path, llama_bench_test(avg_ts=5000.0, samples_ts=rates))
    honest = imported(tmp_path, llama_bench_test())  # 256 tok/s x 2.02 GB = 517 GB/s
    reasons = reasons_of(store, fast + honest)
    (fast_reasons,) = [reasons[result.result_id] for result in fast]
    (file_size_bound,) = [text for text in fast_reasons if "GB/s of weights" in text]
    assert file_size_bound == (
        "decode 5,000.0 tok/s of a 2.02 GB model reads 10,097 GB/s of weights, above 1.1x "
        "the datasheet 1,008 GB/s x 1 of rtx-4090 (1,109 GB/s)"
    )
    # the catalog model's bound applies too now that n_batch (2048) no longer counts as streams
    assert any(text.startswith("decode 5000.0 tok/s exceeds the") for text in fast_reasons)
    assert [reasons[result.result_id] for result in honest] == [()]
    comparable = {m.benchmark for m in store.measurements_for(["rtx-4090"])}
    assert "external-llama-bench-tg128" in comparable  # the honest run only
    values = [
        m.values("rtx-4090")
        for m in store.measurements_for(["rtx-4090"])
        if m.benchmark == "external-llama-bench-tg128"
    ]
    assert values == [[256.0]]


def test_two_gpus_double_the_bandwidth_bound(store: Store, tmp_path: Path) -> None:
    two = "NVIDIA GeForce RTX 4090, NVIDIA GeForce RTX 4090"
    rate = 800.0  # 1.6 TB/s: over one 4090's 1,109 GB/s limit, under two cards' 2,218 GB/s
    results = imported(tmp_path, llama_bench_test(gpu_info=two, avg_ts=rate, samples_ts=[rate]))
    assert results[0].gpu_count == 2
    assert reasons_of(store, results) == {results[0].result_id: ()}
    alone = imported(tmp_path, llama_bench_test(avg_ts=rate, samples_ts=[rate, rate]))
    assert reasons_of(store, alone)[alone[0].result_id]


def test_a_mixture_of_experts_is_not_bounded_by_its_file_size(store: Store, tmp_path: Path) -> None:
    moe = llama_bench_test(
        model_filename="/models/Qwen3-30B-A3B-Q4_K_M.gguf",
        model_type="qwen3moe 30B.A3B Q4_K - Medium",
        model_size=18_556_682_240,
        model_n_params=30_532_122_624,
        avg_ts=180.0,  # 3.3 TB/s over the whole file; only the active experts are read
        samples_ts=[180.0],
    )
    results = imported(tmp_path, moe)
    assert reasons_of(store, results) == {results[0].result_id: ()}


def test_weights_larger_than_the_gpu_memory_with_every_layer_on_it_are_quarantined(
    store: Store, tmp_path: Path
) -> None:
    seventy = {
        "model_filename": "/models/Meta-Llama-3.1-70B-Instruct-Q4_K_M.gguf",
        "model_type": "llama 70B Q4_K - Medium",
        "model_size": LLAMA_70B_BYTES,
        "model_n_params": 70_553_706_560,
        "avg_ts": 20.0,
        "samples_ts": [20.0],
    }
    on_gpu = imported(tmp_path, llama_bench_test(**seventy))
    offloaded = imported(tmp_path, llama_bench_test(**{**seventy, "n_gpu_layers": 40}))
    experts_on_cpu = imported(tmp_path, llama_bench_test(**{**seventy, "n_cpu_moe": 30}))
    reasons = reasons_of(store, on_gpu + offloaded + experts_on_cpu)
    assert reasons[on_gpu[0].result_id] == (
        "the model's 42.5 GB of weights with every layer on the GPU (n_gpu_layers 99) exceed "
        "the 24 GB of 1 rtx-4090",
    )
    assert reasons[offloaded[0].result_id] == ()
    assert reasons[experts_on_cpu[0].result_id] == ()


def test_a_benchmark_id_one_edit_from_a_suite_id_is_refused(store: Store) -> None:
    typo = make_result(
        benchmark="gpu-memory-bandwith",
        category="gpu-micro",
        headline={
            "metric": "bandwidth_gb_s",
            "unit": "GB/s",
            "higher_is_better": True,
            "value": 5000.0,  # over the datasheet: the suite id's check would quarantine it
        },
        metrics={
            "bandwidth_gb_s": {
                "median": 5000.0,
                "mean": 5000.0,
                "p90": 5000.0,
                "p99": 5000.0,
                "n": 3,
            }
        },
        samples=[],
    )
    with pytest.raises(InvalidRequestError) as raised:
        store.add_results([typo])
    assert raised.value.problems == [
        f"result {typo.result_id!r}: field benchmark: 'gpu-memory-bandwith' is not a suite "
        "benchmark; did you mean gpu-memory-bandwidth? (a custom-... id names a run of other "
        "settings)"
    ]
    assert store.count_results() == 0


def test_a_suite_benchmark_with_another_category_is_refused(store: Store) -> None:
    contradicting = make_result(category="image")  # llm-single-llama3.1-8b is llm-single
    with pytest.raises(InvalidRequestError) as raised:
        store.add_results([contradicting, make_result()])
    assert len(raised.value.problems) == 1
    assert (
        "field category: 'image' contradicts llm-single-llama3.1-8b" in (raised.value.problems[0])
    )
    assert store.count_results() == 0  # the good one of the batch is not written either


def test_an_id_ending_in_json_is_refused(store: Store) -> None:
    with pytest.raises(InvalidRequestError) as raised:
        store.add_results([make_result(result_id="edge.json")])
    assert "ends in '.json'" in raised.value.problems[0]
    assert "JSON of 'edge'" in raised.value.problems[0]
    store.add_results([make_result(result_id="edge.jsonl")])  # only the suffix itself
    assert store.count_results() == 1


def test_an_unknown_gpu_is_quarantined_with_close_matches(store: Store) -> None:
    result = make_result(gpu_id="rtx-4909")
    (held,) = store.add_results([result]).quarantined
    assert any(
        "gpu_id 'rtx-4909' is not a catalog GPU" in reason and "close matches: rtx-4090" in reason
        for reason in held.reasons
    )


def test_received_at_carries_its_zone(store: Store) -> None:
    result = make_result()
    store.add_results([result], agent="node-1")
    document = store.get_document(result.result_id)
    assert document is not None
    assert document["store"]["received_at"].endswith("+00:00")
    (summary,) = store.result_summaries(gpu_id="rtx-4090")
    assert summary.received_at.utcoffset() == timedelta(0)


def test_a_second_release_adds_no_audit_record(store: Store) -> None:
    held = make_result(headline_value=5000.0)
    store.add_results([held])
    assert store.is_quarantined(held.result_id) is True
    assert store.release(held.result_id, by="cli:alice", reason="checked")
    assert store.release(held.result_id, by="cli:bob", reason="again")
    assert store.is_quarantined(held.result_id) is False
    assert store.is_quarantined("no-such-result") is None
    document = store.get_document(held.result_id)
    assert document is not None
    assert [entry["by"] for entry in document["store"]["audit"]] == ["cli:alice"]


def test_tokens_say_their_scope_and_when_they_were_used(store: Store) -> None:
    admin = store.create_token("boss", scope="admin")
    assert store.token_scope(admin) == ("boss", "admin")
    assert store.token_scope("gpa_unknown") is None
    (before,) = store.list_tokens()
    assert before.last_used_at is None
    store.note_token_use("boss")
    (after,) = store.list_tokens()
    assert after.last_used_at is not None and after.last_used_at.utcoffset() == timedelta(0)


def _export_lines(store: Store) -> str:
    return "".join(json.dumps(doc, default=str) + "\n" for doc in store.export_documents())


def _restore(target: Store, text: str) -> Any:
    entries = read_exported(text, "export.jsonl")
    restored = {e.result.result_id: e.state for e in entries if e.state is not None}
    return target.add_results([e.result for e in entries], origin="import", restored=restored)


def test_an_export_reads_back_with_its_store_records(store: Store, tmp_path: Path) -> None:
    source = open_store(f"sqlite:///{tmp_path / 'source.db'}", seed=False)
    kept, held, released = (
        make_result(),
        make_result(headline_value=5000.0),
        make_result(headline_value=4000.0),
    )
    source.add_results([kept, held, released], agent="node-a")
    source.release(released.result_id, by="cli:alice", reason="verified on site")
    text = _export_lines(source)
    source.close()
    outcome = _restore(store, text)  # SQLite -> this store (SQLite or PostgreSQL)
    assert set(outcome.accepted) == {kept.result_id, held.result_id, released.result_id}
    assert [item.result_id for item in outcome.quarantined] == [held.result_id]
    before = {json.loads(line)["result_id"]: json.loads(line) for line in text.splitlines()}
    for document in store.export_documents():
        exported = before[document["result_id"]]["store"]
        restored = document["store"]
        assert restored["agent"] == "node-a" and restored["origin"] == "agent"
        assert restored["quarantined"] == exported["quarantined"]
        assert restored["quarantine_reasons"] == exported["quarantine_reasons"]
        assert restored["audit"] == exported["audit"]
        assert restored["received_at"] == exported["received_at"]
        assert restored["released_at"] == exported["released_at"]
    assert store.is_quarantined(held.result_id) is True
    assert store.is_quarantined(released.result_id) is False
    again = _restore(store, text)
    assert again.accepted == () and len(again.duplicates) == 3


def test_a_bad_export_line_names_its_line(tmp_path: Path) -> None:
    good = {**result_document(), "store": {"origin": "agent", "received_at": "nope"}}
    text = json.dumps(good) + "\n{not json\n"
    with pytest.raises(Exception) as raised:
        read_exported(text, "x.jsonl")
    problems = getattr(raised.value, "problems", [])
    assert any(p.startswith("line 1: field store.received_at") for p in problems)
    assert any(p.startswith("line 1: field store.quarantined") for p in problems)
    assert "line 2: not valid JSON (Expecting property name enclosed in double quotes)" in problems


def test_a_plain_result_document_reads_as_one_without_a_store_record() -> None:
    document = result_document()
    entries = read_exported(json.dumps(document) + "\n" + json.dumps(result_document()), "x")
    assert [e.state for e in entries] == [None, None]
    assert entries[0].result == parse_result(document)


def test_a_closed_port_is_one_clear_error() -> None:
    url = f"postgresql://atlas:s3cret@127.0.0.1:{free_port()}/atlas"
    with pytest.raises(DatabaseOpenError) as raised:
        open_store(url)
    message = str(raised.value)
    assert message.startswith(
        f"cannot open the database postgresql+psycopg://atlas:***@127.0.0.1:{url.split(':')[3]}"
    )
    assert "Connection refused" in message and "s3cret" not in message


def test_an_unsupported_scheme_lists_the_supported_ones() -> None:
    with pytest.raises(DatabaseOpenError) as raised:
        open_store("mysql://root:pw@db.example/atlas")
    assert str(raised.value) == (
        "cannot open the database mysql://root:***@db.example/atlas: the scheme 'mysql' is not "
        "supported (supported: sqlite:///PATH (or a plain path), "
        "postgresql://USER:PASSWORD@HOST:PORT/DATABASE (psycopg 3))"
    )


def test_a_missing_sqlite_file_is_not_created_when_it_must_exist(tmp_path: Path) -> None:
    path = tmp_path / "nonexistent" / "dir" / "x.db"
    with pytest.raises(DatabaseOpenError) as raised:
        open_store(f"sqlite:///{path}", must_exist=True)
    assert str(raised.value).startswith(f"no database at {path}: `gpuatlas db init --url")
    assert not (tmp_path / "nonexistent").exists()


def test_a_missing_postgresql_database_is_one_clear_error(
    postgres_cluster: PostgresCluster,
) -> None:
    with pytest.raises(DatabaseOpenError) as raised:
        open_store(postgres_cluster.url("no_such_database"))
    assert 'database "no_such_database" does not exist' in str(raised.value)


def test_llama_benchs_prompt_batch_does_not_lift_the_decode_bound(store: Store) -> None:
    result = make_result(
        benchmark="external-llama-bench-tg128",
        settings={
            "model": "llama3.2:3b",
            "batch_size": 2048,  # llama-bench's n_batch: the prompt batch, not decode streams
            "output_tokens": 128,
            "extra": {"llama_bench_test": "tg128", "weights": "q4_k_m"},
        },
        headline_value=2000.0,
    )
    (held,) = store.add_results([result], origin="import").quarantined
    assert any(reason.startswith("decode 2000.0 tok/s exceeds") for reason in held.reasons)


def test_an_imported_id_never_bounds_one_model_by_another(store: Store, tmp_path: Path) -> None:
    seventy = imported(
        tmp_path,
        llama_bench_test(
            model_filename="/models/Meta-Llama-3.1-70B-Instruct-Q4_K_M.gguf",
            model_type="llama 70B Q4_K - Medium",
            model_size=LLAMA_70B_BYTES,
            model_n_params=70_553_706_560,
            n_gpu_layers=40,
            avg_ts=3.0,
            samples_ts=[3.0],
        ),
    )
    store.add_results(seventy, origin="import")  # stored first under external-...-tg128
    small = imported(tmp_path, llama_bench_test())  # 256 tok/s of a 3B: a 70B's bound is 34
    assert reasons_of(store, small) == {small[0].result_id: ()}


def test_a_parameter_count_contradicting_the_named_model_is_quarantined(
    store: Store, tmp_path: Path
) -> None:
    renamed = llama_bench_test(  # a 70B's file name with a 3B's count and size (the probe file)
        model_filename="/models/Meta-Llama-3.1-70B-Instruct-Q4_K_M.gguf",
        model_type="llama 70B Q4_K - Medium",
        avg_ts=20.0,
        samples_ts=[20.0],
    )
    results = imported(tmp_path, renamed)
    (reason,) = reasons_of(store, results)[results[0].result_id]
    assert reason.startswith("the file's model_n_params 3.21B contradicts /models/Meta-Llama")
    assert "(70.6B parameters published)" in reason
    honest = imported(tmp_path, llama_bench_test())
    assert reasons_of(store, honest) == {honest[0].result_id: ()}
