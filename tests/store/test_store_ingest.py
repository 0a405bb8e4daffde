"""The store on SQLite and on a real PostgreSQL: migrations, idempotent atomic ingest,
quarantine and release, tokens, measurements for comparisons."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from conftest_pg import make_result
from gpuatlas.errors import InvalidRequestError
from gpuatlas.store import Store, open_store
from gpuatlas.store.migrate import current_revision, head_revision


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = open_store(database_url)
    yield opened
    opened.close()


def test_migrations_reach_head_and_are_idempotent(store: Store) -> None:
    assert current_revision(store.engine) == head_revision()
    before, after = store.upgrade()
    assert before == after == head_revision()
    tables = set(sa.inspect(store.engine).get_table_names())
    assert {"results", "tokens", "store_meta", "alembic_version"} <= tables


def test_adding_the_same_results_twice_stores_them_once(store: Store) -> None:
    batch = [make_result(), make_result(headline_value=118.0)]
    first = store.add_results(batch, agent="node-1")
    second = store.add_results(batch, agent="node-1")
    assert set(first.accepted) == {result.result_id for result in batch}
    assert first.duplicates == ()
    assert second.accepted == () and set(second.duplicates) == set(first.accepted)
    assert store.count_results() == 2


def test_a_batch_repeating_an_id_is_stored_once(store: Store) -> None:
    result = make_result()
    outcome = store.add_results([result, result])
    assert outcome.accepted == (result.result_id,)
    assert store.count_results() == 1


def test_raw_samples_fingerprint_and_settings_survive_a_round_trip(store: Store) -> None:
    result = make_result()
    store.add_results([result], agent="node-7")
    document = store.get_document(result.result_id)
    assert document is not None
    assert [s["values"]["decode_tok_s"] for s in document["samples"]] == [119.5, 120.0, 121.1]
    assert document["fingerprint"]["gpus"][0]["name"] == "NVIDIA GeForce RTX 4090"
    assert document["settings"]["model"] == "llama3.1:8b"
    assert document["store"]["agent"] == "node-7"
    assert document["store"]["received_at"] is not None
    exported = {doc["result_id"]: doc for doc in store.export_documents()}
    assert exported[result.result_id]["samples"] == result.model_dump(mode="json")["samples"]


def _install_failing_trigger(store: Store) -> None:
    """A real database-side failure for one benchmark name (to prove batches are atomic)."""
    with store.engine.begin() as connection:
        if store.backend == "sqlite":
            connection.exec_driver_sql(
                "CREATE TRIGGER poison BEFORE INSERT ON results WHEN NEW.benchmark = 'poison' "
                "BEGIN SELECT RAISE(ABORT, 'poisoned row'); END"
            )
        else:
            connection.exec_driver_sql(
                "CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN "
                "IF NEW.benchmark = 'poison' THEN RAISE EXCEPTION 'poisoned row'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            connection.exec_driver_sql(
                "CREATE TRIGGER poison BEFORE INSERT ON results FOR EACH ROW "
                "EXECUTE FUNCTION poison()"
            )


def test_a_batch_that_fails_in_the_database_writes_nothing(store: Store) -> None:
    _install_failing_trigger(store)
    batch = [make_result(), make_result(benchmark="poison"), make_result()]
    with pytest.raises(sa.exc.DBAPIError):
        store.add_results(batch, agent="node-1")
    assert store.count_results() == 0


def test_decode_faster_than_bandwidth_allows_is_quarantined_until_released(store: Store) -> None:
    # RTX 4090: 1008 GB/s; Llama 3.1 8B reads >= ~7e9 weights per token, at >= 4 bits that is
    # >= 3.5 GB, so one stream cannot decode much above ~290 tok/s. 2000 tok/s is impossible.
    honest, impossible = make_result(headline_value=130.0), make_result(headline_value=2000.0)
    outcome = store.add_results([honest, impossible], agent="node-1")
    assert [item.result_id for item in outcome.quarantined] == [impossible.result_id]
    assert "memory-bandwidth bound" in outcome.quarantined[0].reasons[0]
    assert _values(store, "rtx-4090") == [130.0]
    assert sorted(_values(store, "rtx-4090", include_quarantined=True)) == [130.0, 2000.0]
    assert store.release(impossible.result_id)
    assert sorted(_values(store, "rtx-4090")) == [130.0, 2000.0]


def test_a_fingerprint_naming_another_gpu_is_quarantined(store: Store) -> None:
    mislabelled = make_result(fingerprint={"gpus": [{"name": "NVIDIA A100-SXM4-80GB"}]})
    outcome = store.add_results([mislabelled])
    assert outcome.quarantined[0].reasons == (
        "fingerprint GPU 'NVIDIA A100-SXM4-80GB' is a100-80gb-sxm, not rtx-4090",
    )
    assert store.measurements_for(["rtx-4090"]) == []
    assert store.count_results(quarantined=True) == 1


def test_an_unknown_gpu_id_is_stored_but_kept_out_of_comparisons(store: Store) -> None:
    outcome = store.add_results([make_result(gpu_id="rtx-9999", fingerprint={})])
    assert "not a catalog GPU" in outcome.quarantined[0].reasons[0]


def _values(store: Store, system: str, include_quarantined: bool = False) -> list[float]:
    found = store.measurements_for([system], include_quarantined=include_quarantined)
    return [value for benchmark in found for value in benchmark.values(system)]


def test_measurements_are_grouped_per_benchmark_and_system(store: Store) -> None:
    store.add_results(
        [
            make_result(headline_value=120.0),
            make_result(headline_value=124.0),
            make_result(
                gpu_id="rtx-3090",
                headline_value=100.0,
                fingerprint={"gpus": [{"name": "NVIDIA GeForce RTX 3090"}]},
            ),
            make_result(
                gpu_id="rtx-4090",
                gpu_count=2,
                headline_value=118.0,
                fingerprint={"gpus": [{"name": "NVIDIA GeForce RTX 4090"}] * 2},
            ),
            make_result(
                gpu_id="a40", headline_value=90.0, fingerprint={"gpus": [{"name": "NVIDIA A40"}]}
            ),
        ]
    )
    found = store.measurements_for(["rtx-4090", "rtx-3090", "2x rtx-4090"])
    assert len(found) == 1
    benchmark = found[0]
    assert (benchmark.benchmark, benchmark.unit, benchmark.higher_is_better) == (
        "llm-single-llama3.1-8b",
        "tok/s",
        True,
    )
    assert sorted(benchmark.values("rtx-4090")) == [120.0, 124.0]
    assert benchmark.values("rtx-3090") == [100.0]
    assert benchmark.values("2x rtx-4090") == [118.0]
    assert "a40" not in benchmark.by_system
    assert len(benchmark.result_ids("rtx-4090")) == 2
    assert store.system_counts() == {"rtx-4090": 2, "rtx-3090": 1, "2x rtx-4090": 1, "a40": 1}


def test_tokens_are_hashed_verified_and_revoked(store: Store) -> None:
    token = store.create_token("node-1")
    assert store.verify_token(token) == "node-1"
    assert store.verify_token(token + "x") is None
    with store.engine.connect() as connection:
        stored = connection.exec_driver_sql("SELECT token_hash FROM tokens").scalar_one()
    assert token not in stored and len(stored) == 64
    with pytest.raises(InvalidRequestError):
        store.create_token("node-1")
    assert store.revoke_token("node-1")
    assert store.verify_token(token) is None
    replacement = store.create_token("node-1")
    assert store.verify_token(replacement) == "node-1" and replacement != token
    assert [info.name for info in store.list_tokens()] == ["node-1"]


def test_bad_token_names_are_refused(store: Store) -> None:
    with pytest.raises(InvalidRequestError, match="token name"):
        store.create_token("<script>")


def test_revision_changes_on_ingest_and_release(store: Store) -> None:
    first = store.revision()
    result = make_result(headline_value=5000.0)
    store.add_results([result])
    second = store.revision()
    store.release(result.result_id)
    assert len({first, second, store.revision()}) == 3


def test_an_existing_version_1_database_is_migrated_with_its_data(tmp_path: Path) -> None:
    """Upgrading keeps every result and moves sources into their own table."""
    import alembic.command

    from gpuatlas.store.migrate import alembic_config

    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = open_store(url, migrate=False)
    config = alembic_config()
    with old.engine.begin() as connection:
        config.attributes["connection"] = connection
        alembic.command.upgrade(config, "0001")
        connection.exec_driver_sql(
            "INSERT INTO results (result_id, schema_version, benchmark, benchmark_version, "
            "category, gpu_id, gpu_count, metric, unit, higher_is_better, value, created_at, "
            "source, origin, received_at, quarantined, quarantine_reasons, fingerprint, "
            "settings, metrics, samples, details) VALUES ('old-1', 'gpuatlas.result/1', "
            "'llm-single-llama3.1-8b', 1, 'llm-single', 'rtx-4090', 1, 'decode_tok_s', 'tok/s', "
            "1, 111.0, '2026-01-01', 'an old source', 'import', '2026-01-01', 0, '[]', '{}', "
            "'{}', '{}', '[]', '{}')"
        )
    upgraded = open_store(url)
    found = upgraded.measurements_for(["rtx-4090"])
    assert found[0].by_system["rtx-4090"][0].value == 111.0
    assert found[0].sources("rtx-4090") == ["an old source"]
