"""An unknown provider is refused with the providers it may mean first (issue 10): before,
`cost --provider runpodd` listed all 21 providers alphabetically, RunPod among them."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.prices import all_prices, check_provider, close_providers
from gpuatlas.errors import UnknownNameError

KNOWN = ("AWS", "GCP", "Lambda", "Paperspace (DigitalOcean)", "RunPod", "Vast.ai", "Oracle Cloud")


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("runpodd", ["RunPod"]),  # a typo
        ("vast", ["Vast.ai"]),  # part of the name
        ("digitalocean", ["Paperspace (DigitalOcean)"]),  # the name in brackets
        ("Lambda Labs", ["Lambda"]),  # the name and more
        ("Google Cloud", ["GCP"]),  # the company for its cloud, not Oracle Cloud
        ("Amazon Web Services", ["AWS"]),
        ("NoSuchCloud", []),
    ],
)
def test_close_providers(written: str, meant: list[str]) -> None:
    assert close_providers(written, KNOWN) == meant


@pytest.mark.unit
def test_a_company_whose_cloud_is_not_listed_suggests_nothing() -> None:
    assert close_providers("Google Cloud", ("RunPod",)) == []


@pytest.mark.unit
def test_the_error_names_the_close_provider_or_else_every_one() -> None:
    snapshots = all_prices()
    with pytest.raises(UnknownNameError) as typo:
        check_provider("runpodd", snapshots)
    assert typo.value.candidates == ["RunPod"]
    with pytest.raises(UnknownNameError) as unknown:
        check_provider("Nowhere", snapshots)
    assert unknown.value.candidates == sorted({s.provider for s in snapshots})
    check_provider("runpod", snapshots)  # any case is the provider itself
