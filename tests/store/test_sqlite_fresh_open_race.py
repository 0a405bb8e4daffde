"""Several commands opening a database file that does not exist yet, at the same moment (two
`gpuatlas` commands started together on a fresh install): each one switches the new file to WAL,
and SQLite refuses that switch at once ("database is locked", no busy wait) while another
connection holds a lock. Every opener must get through, not raise."""

from __future__ import annotations

import multiprocessing
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

from gpuatlas.store.engine import create_database_engine

OPENERS = 4
ROUNDS = 12  # the unfixed switch failed about 3 openers in 20 rounds of 4


def _open_and_write(path: Path, start: Barrier, outcomes: Queue) -> None:
    start.wait()
    try:
        engine = create_database_engine(f"sqlite:///{path}")
        with engine.connect() as connection:
            connection.exec_driver_sql("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
            mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
        outcomes.put(f"ok {mode}")
    except Exception as error:  # reported to the parent, which asserts on it
        outcomes.put(f"{type(error).__name__}: {error}")


def test_openers_racing_on_a_fresh_file_all_get_a_wal_database(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    results: list[str] = []
    for round_number in range(ROUNDS):
        path = tmp_path / f"fresh-{round_number}.db"
        start, outcomes = context.Barrier(OPENERS), context.Queue()
        openers = [
            context.Process(target=_open_and_write, args=(path, start, outcomes))
            for _ in range(OPENERS)
        ]
        for opener in openers:
            opener.start()
        for opener in openers:
            opener.join(timeout=120)
        results += [outcomes.get(timeout=10) for _ in openers]
    assert results == ["ok wal"] * (OPENERS * ROUNDS), [r for r in results if r != "ok wal"]
