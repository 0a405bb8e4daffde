"""The `db` and `bench` commands of issue 11: `db import` reads what `db export` wrote (store
records kept), reports every problem of every file at once naming the file, exits 1 naming a
conflicting id; `db status` never creates a database and labels the migration and the data
revision; a database that cannot be opened is one line, exit 2; `db release` twice adds no
audit record; `db quarantined` rounds; `bench import --gpu` never relabels a file's own GPU;
`bench list` keeps "[schnell]"."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest_pg import free_port, result_document
from gpuatlas.cli.main import app
from gpuatlas.store import open_store


def run(*arguments: str) -> Any:
    return CliRunner().invoke(app, list(arguments))


@pytest.fixture
def url(tmp_path: Path) -> str:
    created = run("db", "init", "--empty", "--url", f"sqlite:///{tmp_path / 'a.db'}")
    assert created.exit_code == 0, created.output
    return f"sqlite:///{tmp_path / 'a.db'}"


def write(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_db_export_output_imports_into_another_database(url: str, tmp_path: Path) -> None:
    good, held = result_document(), result_document(headline_value=5000.0)
    files = [write(tmp_path / "good.json", good), write(tmp_path / "held.json", held)]
    assert run("db", "import", *map(str, files), "--agent", "node-a", "--url", url).exit_code == 0
    assert run("db", "release", held["result_id"], "--reason", "ok", "--url", url).exit_code == 0
    exported = tmp_path / "x.jsonl"
    assert run("db", "export", "-o", str(exported), "--url", url).exit_code == 0
    other = f"sqlite:///{tmp_path / 'b.db'}"
    assert run("db", "init", "--empty", "--url", other).exit_code == 0
    imported = run("db", "import", str(exported), "--url", other)
    assert imported.exit_code == 0, imported.output
    assert " ".join(imported.output.split()).startswith(
        "2 imported, 0 already stored, 0 quarantined"
    )
    store = open_store(other, seed=False)
    try:
        document = store.get_document(held["result_id"])
    finally:
        store.close()
    assert document is not None
    assert document["store"]["agent"] == "node-a"
    assert [entry["action"] for entry in document["store"]["audit"]] == ["release"]
    assert document["store"]["quarantined"] is False and document["store"]["quarantine_reasons"]


def test_one_exported_document_with_its_store_block_imports(url: str, tmp_path: Path) -> None:
    source = f"sqlite:///{tmp_path / 'src.db'}"
    assert run("db", "init", "--empty", "--url", source).exit_code == 0
    document = result_document()
    assert run("db", "import", str(write(tmp_path / "r.json", document)), "--url", source)
    exported = run("db", "export", "--url", source).output.strip()
    single = tmp_path / "exported-one.json"
    single.write_text(json.dumps(json.loads(exported), indent=2), encoding="utf-8")
    imported = run("db", "import", str(single), "--url", url)
    assert imported.exit_code == 0, imported.output
    assert imported.output.startswith("1 imported")


def test_every_problem_of_every_file_is_reported_at_once(url: str, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "garbage.json").write_text("{not json", encoding="utf-8")
    bad = result_document(result_id="bad-1", gpu_count=-2, created_at="nope")
    write(folder / "bad.json", bad)
    typo = result_document(result_id="typo-1", benchmark="llm-single-llama3.1-8c")
    write(folder / "typo.json", typo)
    write(folder / "ok.json", result_document())
    outcome = run("db", "import", str(folder), "--url", url)
    assert outcome.exit_code == 2
    message = " ".join(outcome.output.split())
    assert "3 of 4 file(s); nothing was imported: 4 problem(s)" in message
    assert f"{folder / 'garbage.json'}: line 1: not valid JSON" in message
    assert f"{folder / 'bad.json'}: result 'bad-1': field gpu_count" in message
    assert f"{folder / 'bad.json'}: result 'bad-1': field created_at" in message
    assert "did you mean llm-single-llama3.1-8b?" in message
    store = open_store(url, seed=False)
    assert store.count_results() == 0
    store.close()


def test_a_conflicting_import_exits_1_and_names_the_id(url: str, tmp_path: Path) -> None:
    first = result_document()
    changed = {**first, "headline": {**first["headline"], "value": 99.0}}
    assert run("db", "import", str(write(tmp_path / "a.json", first)), "--url", url).exit_code == 0
    clash = run("db", "import", str(write(tmp_path / "b.json", changed)), "--url", url)
    assert clash.exit_code == 1
    text = " ".join(clash.output.split())
    assert f"conflict {first['result_id']} ({tmp_path / 'b.json'})" in text


def test_db_status_never_creates_a_database(tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent" / "dir" / "x.db"
    outcome = run("db", "status", "--url", f"sqlite:///{missing}")
    assert outcome.exit_code == 2
    assert f"no database at {missing}" in " ".join(outcome.output.split())
    assert not (tmp_path / "nonexistent").exists()


def test_db_status_labels_the_migration_and_the_data_revision(url: str) -> None:
    lines = run("db", "status", "--url", url).output.splitlines()
    assert lines[0] == "migration: 0005"
    assert any(line.startswith("data revision (changes with every write): ") for line in lines)
    assert not any(line.startswith("revision:") for line in lines)


@pytest.mark.parametrize(
    ("database", "expected"),
    [
        ("postgresql://postgres:pw@127.0.0.1:{port}/atlas", "Connection refused"),
        ("mysql://root:pw@db.example/atlas", "the scheme 'mysql' is not supported"),
    ],
)
def test_a_database_that_cannot_be_opened_is_one_line(database: str, expected: str) -> None:
    outcome = run("db", "status", "--url", database.format(port=free_port()))
    assert outcome.exit_code == 2
    assert "Traceback" not in outcome.output and ":pw@" not in outcome.output
    assert outcome.output.startswith("error: cannot open the database ")
    assert expected in outcome.output


def test_serve_on_an_unreachable_database_is_one_line() -> None:
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/atlas"
    outcome = run("serve", "--url", url, "--port", str(free_port()))
    assert outcome.exit_code == 2
    assert outcome.output.startswith("error: cannot open the database postgresql+psycopg://")


def test_releasing_twice_says_so_and_adds_no_audit_record(url: str, tmp_path: Path) -> None:
    held = result_document(headline_value=5000.0)
    assert run("db", "import", str(write(tmp_path / "h.json", held)), "--url", url).exit_code == 0
    first = run("db", "release", held["result_id"], "--reason", "ok", "--url", url)
    second = run("db", "release", held["result_id"], "--reason", "ok", "--url", url)
    assert " ".join(first.output.split()) == f"released {held['result_id']}"
    assert second.exit_code == 0
    assert "is not quarantined: nothing to release" in " ".join(second.output.split())
    store = open_store(url, seed=False)
    document = store.get_document(held["result_id"])
    store.close()
    assert document is not None and len(document["store"]["audit"]) == 1


def test_db_quarantined_rounds_and_says_when_there_is_no_gpu(url: str, tmp_path: Path) -> None:
    held = result_document(headline_value=5123.456789)
    no_gpu = result_document(gpu_id=None, gpu_count=0, headline_value=5123.456789)
    files = [write(tmp_path / "h.json", held), write(tmp_path / "n.json", no_gpu)]
    assert run("db", "import", *map(str, files), "--url", url).exit_code == 0
    store = open_store(url, seed=False)
    store.quarantine(no_gpu["result_id"], "checked by hand", by="cli:test")
    store.close()
    output = run("db", "quarantined", "--url", url).output
    assert "5,123" in output and "5123.456789" not in output
    assert "None" not in output


def llama_bench_file(tmp_path: Path) -> Path:
    test = {
        "build_number": 6500,
        "gpu_info": "NVIDIA GeForce RTX 4090",
        "model_filename": "/models/Llama-3.2-3B-Instruct-Q4_K_M.gguf",
        "model_type": "llama 3B Q4_K - Medium",
        "model_size": 2_019_377_664,
        "n_gpu_layers": 99,
        "n_prompt": 0,
        "n_gen": 128,
        "test_time": "2026-12-04T10:00:05Z",
        "avg_ts": 256.0,
        "samples_ts": [255.0, 256.0, 257.0],
    }
    return write(tmp_path / "lb.json", [test])


def test_bench_import_refuses_a_gpu_that_contradicts_the_file(tmp_path: Path) -> None:
    source = llama_bench_file(tmp_path)
    refused = run("bench", "import", str(source), "--gpu", "rtx-3090", "-o", str(tmp_path / "o"))
    assert refused.exit_code == 2
    text = " ".join(refused.output.split())
    assert (
        "--gpu rtx-3090 (rtx-3090) contradicts the file's own GPU 'NVIDIA GeForce RTX 4090' "
        "(rtx-4090)"
    ) in text
    assert not (tmp_path / "o").exists()
    kept = run("bench", "import", str(source), "--gpu", "RTX 4090", "--json")
    assert kept.exit_code == 0, kept.output
    (result,) = json.loads(kept.stdout)["results"]
    fingerprint = result["record"]["fingerprint"]
    assert [gpu["name"] for gpu in fingerprint["gpus"]] == ["NVIDIA GeForce RTX 4090"]
    assert fingerprint["gpu_note"] is None


def test_bench_list_keeps_a_bracketed_variant() -> None:
    output = " ".join(run("bench", "list", "--category", "image").output.split())
    assert "FLUX.1 [schnell], 1024x1024, 4 steps" in output
    assert "FLUX.1 , 1024x1024" not in output


def test_a_schema_problem_does_not_hide_the_field_ranges(url: str, tmp_path: Path) -> None:
    bad = result_document(result_id="bad-2", created_at="yesterday", extra_field=1)
    outcome = run("db", "import", str(write(tmp_path / "bad.json", bad)), "--url", url)
    assert outcome.exit_code == 2
    text = " ".join(outcome.output.split())
    assert f"{tmp_path / 'bad.json'}: field extra_field: Extra inputs are not permitted" in text
    assert f"{tmp_path / 'bad.json'}: field created_at: 'yesterday' is not" in text
