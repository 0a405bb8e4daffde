"""`-o FILE` in a folder that does not exist is a request problem, said before any work and
with nothing written: `predict --cases rows.csv -o nodir/out.csv` and `compare ... -o
nodir/r.md` ran the whole batch or report and then ended in a FileNotFoundError traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from gpuatlas.cli.main import full_app
from gpuatlas.cli.output_files import output_problems

pytestmark = pytest.mark.unit
ROWS = (
    "gpu,gpu_count,model,weights,engine,metric,batch,input_tokens,output_tokens\n"
    "rtx-4090,1,qwen3-8b,,,decode_tok_s,1,512,256\n"
)


def test_a_missing_folder_or_a_folder_named_as_the_file_is_a_problem(tmp_path: Path) -> None:
    assert output_problems(None) == []
    assert output_problems(tmp_path / "out.csv") == []
    missing = tmp_path / "nodir" / "out.csv"
    assert output_problems(missing) == [
        f"--output {missing}: folder {missing.parent} does not exist (create it, or name another)"
    ]
    assert output_problems(tmp_path)[0].startswith(f"--output {tmp_path} is a folder")


@pytest.mark.parametrize(
    "arguments",
    [["predict", "--cases", "{cases}"], ["compare", "rtx-3090", "rtx-4090", "--format", "json"]],
)
def test_the_commands_refuse_it_before_working_and_write_nothing(
    tmp_path: Path, arguments: list[str]
) -> None:
    cases = tmp_path / "rows.csv"
    cases.write_text(ROWS, encoding="utf-8")
    target = tmp_path / "nodir" / "out.txt"
    command = [part.replace("{cases}", str(cases)) for part in arguments]
    result = CliRunner().invoke(full_app(), [*command, "-o", str(target)])
    assert result.exit_code == 2, result.output
    assert "does not exist" in result.output and "Traceback" not in result.output
    assert not target.parent.exists()


def test_a_writable_file_gets_the_batch(tmp_path: Path) -> None:
    cases = tmp_path / "rows.csv"
    cases.write_text(ROWS, encoding="utf-8")
    target = tmp_path / "out.csv"
    result = CliRunner().invoke(full_app(), ["predict", "--cases", str(cases), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").splitlines()[0].startswith("gpu,gpu_count,model")
