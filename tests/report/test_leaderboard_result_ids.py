"""The leaderboard's JSON names the stored results each score rests on (it had scores and no
run ids: a measured figure without the runs behind it)."""

from __future__ import annotations

from pathlib import Path

from gpuatlas.app.leaderboard import leaderboard_document
from gpuatlas.compare import default_score_method
from gpuatlas.report.measured import load_all_measured


def test_every_score_names_the_runs_of_its_scored_benchmarks(fresh_data_dir: Path) -> None:
    document = leaderboard_document()
    measured = load_all_measured()
    reference = set(measured.for_system(default_score_method().reference_gpu))
    for row in document["rows"][:5]:
        ids = set(row["result_ids"])
        assert ids and row["result_ids"] == sorted(ids)
        expected = {
            result_id
            for benchmark, samples in measured.for_system(row["system"]).items()
            if benchmark in reference
            for result_id in samples.result_ids
        }
        assert ids == expected
        assert len(ids) >= row["covered_benchmarks"]  # at least one run per scored benchmark
