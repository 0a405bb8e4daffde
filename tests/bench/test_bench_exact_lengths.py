"""Exact input lengths: prompts built on the served model's tokenizer (the server's tokenize
route, or a local tokenizer.json), the method recorded in the result."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from gpuatlas.bench.access import EndpointAccess
from gpuatlas.bench.exact_prompts import ExactPrompts, LocalTokenizer, ServerTokenizer
from gpuatlas.bench.prompts import WORDS
from gpuatlas.cli.main import app
from gpuatlas.records.identity import identity_key
from gpuatlas.records.result import load_result


def test_prompts_have_exactly_the_asked_tokens_on_the_servers_tokenizer(llama_server: str) -> None:
    counter = ServerTokenizer.discover(llama_server, "tiny-llama", EndpointAccess())
    assert counter is not None and counter.method == "server /extras/tokenize"
    assert counter.offset == 1  # llama-cpp-python adds BOS: not part of the prompt
    prompts = ExactPrompts(counter, 40)
    texts = [prompts(7, index) for index in range(6)]
    assert len(set(texts)) == 6
    assert [counter.count(text) for text in texts] == [40] * 6
    assert prompts.misses == 0
    assert prompts(7, 3) == texts[3]  # cached: the same prompt for the same request


def _word_tokenizer(path: Path) -> Path:
    from tokenizers import Tokenizer, models, pre_tokenizers

    vocabulary = {"[UNK]": 0}
    for piece in (*WORDS, "Request", "tag", ".", *"0123456789abcdef"):
        vocabulary.setdefault(piece, len(vocabulary))
    tokenizer = Tokenizer(models.WordLevel(vocabulary, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.save(str(path))
    return path


def test_a_local_tokenizer_json_gives_exact_lengths(tmp_path: Path) -> None:
    counter = LocalTokenizer(str(_word_tokenizer(tmp_path / "tokenizer.json")))
    prompts = ExactPrompts(counter, 25)
    assert {counter.count(prompts(0, index)) for index in range(10)} == {25}


def test_a_run_records_how_input_lengths_were_made(
    llama_server: str, reference_server: str, tmp_path: Path
) -> None:
    common = [
        "--requests",
        "2",
        "--concurrency",
        "1",
        "--input-tokens",
        "30",
        "--output-tokens",
        "4",
        "--repeats",
        "1",
        "--warmup",
        "0",
    ]
    outcome = CliRunner().invoke(
        app,
        [
            "bench",
            "run",
            "llm-single-llama3.1-8b",
            "--endpoint",
            llama_server,
            "--model",
            "tiny-llama",
            *common,
            "--json",
        ],
    )
    assert outcome.exit_code == 0, outcome.output
    exact = json.loads(outcome.output[outcome.output.index("{") :])["results"][0]["record"]
    assert exact["settings"]["extra"]["input_length_method"] == "server /extras/tokenize"
    target = tmp_path / "words.json"
    outcome = CliRunner().invoke(
        app,
        [
            "bench",
            "run",
            "llm-single-llama3.1-8b",
            "--endpoint",
            reference_server,
            "--model",
            "reference-model",
            *common,
            "-o",
            str(target),
        ],
    )
    assert outcome.exit_code == 0, outcome.output
    approximate = load_result(target)
    assert approximate.settings.extra["input_length_method"] == "words (approximate)"
    assert "lengths:exact" not in identity_key(approximate)
