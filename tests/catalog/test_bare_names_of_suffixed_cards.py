"""A bare model number whose only catalog card carries a variant suffix names another product
(issue 10). AMD sells the Radeon RX 6700 (36 CUs, 10 GB, 160-bit) and the RX 6700 XT (40 CUs,
12 GB, 192-bit) as two cards; the catalog has only the XT, so "RX 6700" must be refused with
the XT among the close matches, not read as the XT. Before the fix the XT's chip-code alias
"gfx1031" (a name with no variant word) let the bare name through."""

from __future__ import annotations

import re

import pytest

from gpuatlas.catalog.gpus import all_gpus, resolve_gpu
from gpuatlas.errors import UnknownNameError

# The suffixes that make another desktop product of the same model number.
_SUFFIXES = ("xtx", "xt", "ti", "super", "gre")


@pytest.mark.unit
@pytest.mark.parametrize("written", ["RX 6700", "Radeon RX 6700", "AMD Radeon RX 6700", "6700"])
def test_the_rx_6700_is_refused_with_the_xt_among_close_matches(written: str) -> None:
    with pytest.raises(UnknownNameError) as refused:
        resolve_gpu(written)
    assert not refused.value.ambiguous
    assert "rx-6700-xt" in refused.value.candidates


@pytest.mark.unit
@pytest.mark.parametrize("written", ["RX 6700 XT", "6700xt", "RX6700XT", "gfx1031"])
def test_the_rx_6700_xt_still_resolves_by_its_names(written: str) -> None:
    assert resolve_gpu(written).id == "rx-6700-xt"


def _bare_names() -> list[tuple[str, str]]:
    """Each catalog card's name with its variant suffix dropped ("Radeon RX 6700 XT" → "Radeon
    RX 6700"), paired with the card's id."""
    pairs = []
    for gpu in all_gpus():
        words = re.sub(r"(\d)(xtx|xt|ti)\b", r"\1 \2", gpu.name.lower()).split()
        bare = [word for word in words if word not in _SUFFIXES]
        if len(bare) < len(words):
            pairs.append((" ".join(bare), gpu.id))
    return pairs


@pytest.mark.unit
def test_no_bare_name_reads_as_its_suffixed_card() -> None:
    """A name without the suffix either names the plain card (when the catalog has it) or is
    refused: it never resolves to the Ti / XT / Super card itself."""
    misread = []
    for bare, suffixed_id in _bare_names():
        try:
            found = resolve_gpu(bare).id
        except UnknownNameError:
            continue
        if found == suffixed_id:
            misread.append((bare, found))
    assert misread == []
