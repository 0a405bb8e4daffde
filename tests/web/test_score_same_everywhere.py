"""One Atlas Score per GPU: the leaderboard, the home and GPU pages, `gpu NAME` and
`system_score` agree and say what it is scored on; a comparison states its pair's like-for-like
figure beside that same own score."""

from __future__ import annotations

import html
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from gpuatlas.cli.main import app
from gpuatlas.numbers import format_number
from gpuatlas.report.scores import system_score

GPUS = ("rtx-4090", "a100-80gb-sxm", "h100-sxm")


def _board_row(client: TestClient, gpu: str) -> dict[str, Any]:
    rows = client.get("/leaderboard.json").json()["rows"]
    return next(row for row in rows if row["system"] == gpu)


@pytest.mark.parametrize("gpu", GPUS)
def test_one_score_on_every_page_and_in_gpu_name(client: TestClient, gpu: str) -> None:
    board = _board_row(client, gpu)
    page = client.get(f"/gpu/{gpu}.json").json()["atlas_score"]
    home = next(g for g in client.get("/index.json").json()["gpus"] if g["id"] == gpu)
    entry = system_score(gpu)
    assert entry is not None and not entry.paired
    assert page["value"] == board["value"] == home["atlas_score"]["value"] == entry.value
    assert page["basis"].startswith(f"its own {board['covered_benchmarks']} of the reference's")
    assert "Scored on its own" in html.unescape(client.get(f"/gpu/{gpu}").text)
    out = CliRunner().invoke(app, ["gpu", "show", gpu], env={"COLUMNS": "400"}).output
    out = " ".join(out.split())
    assert f"Atlas Score (rtx-3090 = 100): {format_number(board['value'])} [" in out
    place = f"rank {board['rank']}" if board["ranked"] else "unranked, too few benchmarks"
    assert f"] ({place}), scored on its own" in out
    assert "scored on its own" in out


@pytest.mark.parametrize("other", ["a100-80gb-sxm", "h100-sxm"])
def test_a_comparison_states_its_pair_figure_beside_the_own_score(
    client: TestClient, other: str
) -> None:
    scores = client.get(f"/compare/rtx-4090/{other}.json").json()["scores"]
    for gpu, entry in (("rtx-4090", scores["a"]), (other, scores["b"])):
        board = _board_row(client, gpu)
        assert entry["paired"] and entry["own_value"] == board["value"]
        assert entry["own_covered_benchmarks"] == board["covered_benchmarks"]
        covered = entry["covered_benchmarks"]
        assert entry["basis"].startswith(f"the {covered} benchmarks measured on both sides")
    text = html.unescape(client.get(f"/compare/rtx-4090/{other}").text)
    board = _board_row(client, "rtx-4090")
    assert f"own score {format_number(board['value'])} on {board['covered_benchmarks']}" in text


def test_the_4090_pair_figure_differs_from_its_own_and_says_so(client: TestClient) -> None:
    """rtx-4090: 171 on its own 33 benchmarks; 175 on the 9 it shares with the A100."""
    entry = client.get("/compare/rtx-4090/a100-80gb-sxm.json").json()["scores"]["a"]
    board = _board_row(client, "rtx-4090")
    assert entry["covered_benchmarks"] < board["covered_benchmarks"]
    assert entry["value"] != pytest.approx(board["value"])
    assert f"is {format_number(board['value'])})" in entry["basis"]
