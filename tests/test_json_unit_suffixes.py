"""One unit-suffix convention in every answer document's keys (docs/architecture.md, "Names and
units"): times end in `_s`/`_ms`, token rates in `_tok_s`, power in `_w`."""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from gpuatlas.cli.main import app


def _contract_commands() -> list[list[str]]:
    """The commands tests/test_json_contract.py runs: one of each answer document."""
    path = Path(__file__).with_name("test_json_contract.py")
    spec = importlib.util.spec_from_file_location("json_contract_commands", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.COMMANDS)


COMMANDS = _contract_commands()
NOT_CONVENTIONAL = {
    re.compile(r"(_|^)(seconds|secs?)$"): "times end in _s or _ms",
    re.compile(r"tokens_per_s$|_per_second$"): "rates per second end in _tok_s, _rps or _gb_s",
    re.compile(r"watts"): "power ends in _w",
    re.compile(r"(_|^)requests_per_s"): "request rates end in _rps",
}


# The published suite's benchmark parameters (records/data/suite_v1.toml, echoed by `bench list`
# as `params` and stored with every result record as `settings.extra`) keep their names until
# the suite's next version.
FROZEN_BY_SUITE_V1 = frozenset({"params", "extra"})


def keys_of(document: Any) -> Iterator[str]:
    """Every key of every object nested in `document` (suite parameters aside)."""
    if isinstance(document, dict):
        for key, value in document.items():
            yield key
            if key not in FROZEN_BY_SUITE_V1:
                yield from keys_of(value)
    elif isinstance(document, list):
        for item in document:
            yield from keys_of(item)


def unconventional_keys(document: Any) -> dict[str, str]:
    """The keys that break the convention, each with the rule it breaks."""
    return {
        key: rule
        for key in set(keys_of(document))
        for pattern, rule in NOT_CONVENTIONAL.items()
        if pattern.search(key)
    }


def test_the_scan_finds_planted_keys() -> None:
    planted = {
        "a": [{"prefill_seconds": 1, "output_tokens_per_s": 2}],
        "facility_watts": 3,
        "ttft_ms": 4,
        "decode_tok_s": 5,
        "tdp_w": 6,
        "seconds": 7,
        "second": "b",
        "params": {"seconds": 3.0},
        "requests_per_s": 8,
        "saturation_rps": 9,
    }
    assert set(unconventional_keys(planted)) == {
        "prefill_seconds",
        "output_tokens_per_s",
        "facility_watts",
        "seconds",
        "requests_per_s",
    }


@pytest.mark.parametrize("arguments", COMMANDS, ids=lambda a: " ".join(a))
def test_answer_keys_follow_the_unit_convention(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, arguments: list[str]
) -> None:
    monkeypatch.setenv("GPUATLAS_DATA_DIR", str(tmp_path / "data"))
    result = CliRunner().invoke(app, [*arguments, "--json"])
    assert result.exit_code == 0, result.output
    assert unconventional_keys(json.loads(result.stdout)) == {}
