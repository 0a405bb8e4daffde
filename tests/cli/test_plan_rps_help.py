"""`gpuatlas plan` asks for a request rate; people size a chatbot in users. The --rps help says
how one becomes the other, with an example whose arithmetic holds."""

from __future__ import annotations

import os
import re

from typer.testing import CliRunner

from gpuatlas.cli.main import app


def test_rps_help_turns_chat_users_into_a_request_rate() -> None:
    result = CliRunner().invoke(app, ["plan", "--help"], env={**os.environ, "COLUMNS": "200"})
    assert result.exit_code == 0
    text = " ".join(result.output.replace("│", " ").split())
    found = re.search(r"\((\d+) users, one message every (\d+) s: --rps ([\d.]+)\)", text)
    assert found is not None, text
    users, seconds, rps = int(found[1]), int(found[2]), float(found[3])
    assert abs(users / seconds - rps) < 0.05
