"""A link file's fields are the `Link` declaration plus the date its source was read; a bad
table is named by file, table and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpuatlas.catalog.systems import all_links, link_file_schema, load_link_file
from gpuatlas.errors import DataFileError

GOOD = (
    '[[link]]\nid = "pcie-9-x16"\nname = "PCIe 9"\nkind = "pcie"\nper_direction_gb_s = 40.0\n'
    'latency_us = 5.0\nallreduce_efficiency = 0.75\nsource = "a spec"\nas_of = "2026-11-21"\n'
)


def link_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "links.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_file_writes_every_link_field_but_peer_to_peer_plus_its_date() -> None:
    assert set(link_file_schema().model_fields) == {
        "id",
        "name",
        "kind",
        "per_direction_gb_s",
        "latency_us",
        "allreduce_efficiency",
        "source",
        "as_of",
    }


def test_a_table_becomes_a_link_with_its_dated_source(tmp_path: Path) -> None:
    staged = GOOD.replace('"pcie-9-x16"', '"pcie-9-staged"').replace(
        'kind = "pcie"', 'kind = "pcie-host-staged"'
    )
    links = load_link_file(link_file(tmp_path, GOOD + "\n" + staged))
    assert links["pcie-9-x16"].source == "a spec (as of 2026-11-21)"
    assert links["pcie-9-x16"].peer_to_peer is True
    assert links["pcie-9-staged"].peer_to_peer is False  # staged through host memory


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("allreduce_efficiency = 0.75", "allreduce_efficiency = 1.5", "allreduce_efficiency"),
        ("latency_us = 5.0", "latency_us = 0", "latency_us"),
        ('as_of = "2026-11-21"', 'as_of = "November"', "as_of"),
        ('kind = "pcie"', 'kind = "pcie"\npeer_to_peer = true', "peer_to_peer"),
    ],
)
def test_a_bad_table_names_the_file_the_table_and_the_field(
    tmp_path: Path, old: str, new: str, field: str
) -> None:
    path = link_file(tmp_path, GOOD.replace(old, new))
    with pytest.raises(DataFileError) as caught:
        load_link_file(path)
    assert str(path) in str(caught.value)
    assert [problem.split(":")[0] for problem in caught.value.problems] == [
        f"[[link]] #1 (pcie-9-x16), field {field}"
    ]


def test_the_packaged_links_load() -> None:
    links = all_links()
    assert links["pcie-4-x16"].per_direction_gb_s == 31.5
    assert links["pcie-4-x16-no-p2p"].peer_to_peer is False
