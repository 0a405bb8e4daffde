"""Python's cycle collector paused while a command imports its modules or runs a batch.

Imports and a 100,000-row `predict --cases` batch create hundreds of thousands of objects that
live until the command ends or the block returns (modules, classes, functions; the rows' fields
and results). Each automatic collection on the way walks them and frees almost nothing: 215
collections, one of them full, about 0.2 s of such a command. Inside `collector_paused` none
runs; at its end the objects made so far are moved out of the collector's way (`gc.freeze`:
still freed by reference counting as usual, never walked again), so turning the collector back
on does not start with one long catch-up collection over everything the block made. No answer
depends on when the collector runs.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic cycle collection inside the block; afterwards the objects that exist are
    frozen (`gc.freeze`) and the collector is on again (also when the block raises). A
    collector that was already off is left as it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.enable()
