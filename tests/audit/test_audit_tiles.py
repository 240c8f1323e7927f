"""tlog-tiles paths, tile contents and entry bundles, checked against c2sp.org/tlog-tiles.

The expected values are the spec's own: its path example, its tile counts for a tree of
70,000 and 256 entries, and its formula for the n-th tile at level l, computed here
with an RFC 6962 MTH written independently of cityid's tree.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from cityid.audit.entry import AuditEntryError, encode_entry
from cityid.audit.merkle import MerkleTree
from cityid.audit.tiles import (
    BadTilePath,
    EntryTooLarge,
    Tile,
    TileNotFound,
    encode_index,
    entry_bundle,
    hash_tile,
    parse_tile_path,
    split_entry_bundle,
    tile_exists,
    tiles_for_size,
)
from cityid.errors import BadInput, ConfigError
from cityid.policy import default_policy_text, parse_policy


def _mth(leaves: list[bytes]) -> bytes:
    """RFC 6962 2.1 MTH over leaf hashes, by the recursion (no cityid code)."""
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + _mth(leaves[:k]) + _mth(leaves[k:])).digest()


def _entries(n: int) -> list[bytes]:
    return [f"entry {i}".encode() for i in range(n)]


def test_index_encoding_follows_the_spec_example() -> None:
    assert encode_index(1234067) == "x001/x234/067"
    assert encode_index(0) == "000"
    assert encode_index(999) == "999"
    assert encode_index(1000) == "x001/000"
    assert encode_index(1_000_000) == "x001/x000/000"


@pytest.mark.parametrize(
    ("path", "tile"),
    [
        ("tile/0/000", Tile(0, 0)),
        ("tile/0/x001/x234/067", Tile(0, 1234067)),
        ("tile/1/001.p/17", Tile(1, 1, 17)),
        ("tile/63/000.p/1", Tile(63, 0, 1)),
        ("tile/entries/x001/000.p/255", Tile(None, 1000, 255)),
        ("tile/entries/273", Tile(None, 273)),
    ],
)
def test_paths_parse_and_print_back(path: str, tile: Tile) -> None:
    assert parse_tile_path(path) == tile
    assert tile.path == path


@pytest.mark.parametrize(
    "path",
    [
        "tile/00/000",  # leading zero in L
        "tile/64/000",  # L above 63
        "tile/-1/000",
        "tile/0/0",  # N groups are 3 digits
        "tile/0/0000",
        "tile/0/x000/001",  # not the shortest form of 1
        "tile/0/001/002",  # all but the last group start with x
        "tile/0/x001/x002",  # the last does not
        "tile/0/x1/000",
        "tile/0/000.p/0",  # W is 1..255
        "tile/0/000.p/256",
        "tile/0/000.p/010",  # no leading zeros in W
        "tile/0/000.p/",
        "tile/0/000.p",
        "tile/0/000/",
        "tile/0",
        "tile/data/000",
        "tiles/0/000",
        "tile/entries/+01",
        "tile/ 0/000",
    ],
)
def test_malformed_paths_are_refused_with_a_reason(path: str) -> None:
    with pytest.raises(BadTilePath) as error:
        parse_tile_path(path)
    assert error.value.http_status == 400
    assert "tile" in error.value.message


def test_the_tiles_of_a_tree_of_70000_are_those_the_spec_lists() -> None:
    tiles = list(tiles_for_size(70_000))
    hashes = [t for t in tiles if not t.is_entries]
    level0 = [t for t in hashes if t.level == 0]
    assert sum(not t.is_partial for t in level0) == 273
    assert [t.width for t in level0 if t.is_partial] == [112]
    assert [(t.index, t.width) for t in hashes if t.level == 1] == [(0, 256), (1, 17)]
    assert [(t.index, t.width) for t in hashes if t.level == 2] == [(0, 1)]
    assert len(hashes) == 273 + 1 + 2 + 1
    bundles = [t for t in tiles if t.is_entries]
    assert [(t.index, t.width) for t in bundles] == [(t.index, t.width) for t in level0]


def test_a_tree_of_256_is_a_full_tile_and_a_level_1_tile_of_width_1() -> None:
    hashes = [t for t in tiles_for_size(256) if not t.is_entries]
    assert hashes == [Tile(0, 0), Tile(1, 0, 1)]
    assert list(tiles_for_size(0)) == []


def test_tile_contents_are_the_spec_formula() -> None:
    # MTH(D[(n * 256 + i) * 256**l : (n * 256 + i + 1) * 256**l]) for i in 0..255
    size = 70_000
    entries = _entries(size)
    leaves = [hashlib.sha256(b"\x00" + e).digest() for e in entries]
    tree = MerkleTree.from_entries(entries)
    for tile in [t for t in tiles_for_size(size) if not t.is_entries]:
        if tile.level == 0 and tile.index not in (0, 1, 273):
            continue  # the formula for level 0 is just the leaves; a sample suffices
        span = 256**tile.level
        expected = b"".join(
            _mth(leaves[(tile.index * 256 + i) * span : (tile.index * 256 + i + 1) * span])
            for i in range(tile.width)
        )
        assert hash_tile(tree, tile, size) == expected, tile.path


def test_a_tile_beyond_the_size_is_not_found_and_partials_are_prefixes() -> None:
    tree = MerkleTree.from_entries(_entries(300))
    assert tile_exists(Tile(0, 1, 44), 300)
    assert tile_exists(Tile(0, 1, 10), 300)  # an earlier checkpoint's partial tile
    assert hash_tile(tree, Tile(0, 1, 10), 300) == hash_tile(tree, Tile(0, 1, 44), 300)[:320]
    for missing in (Tile(0, 1), Tile(0, 1, 45), Tile(0, 2, 1), Tile(1, 0), Tile(2, 0, 1)):
        with pytest.raises(TileNotFound):
            hash_tile(tree, missing, 300)
    # the tree may be ahead of the signed size: tiles stop at the size asked for
    with pytest.raises(TileNotFound):
        hash_tile(tree, Tile(0, 1, 44), 299)


def test_entry_bundles_are_uint16_length_prefixed() -> None:
    bundle = entry_bundle([b"ab", b"", b"x" * 300])
    assert bundle == b"\x00\x02ab" + b"\x00\x00" + b"\x01\x2c" + b"x" * 300
    assert split_entry_bundle(bundle) == [b"ab", b"", b"x" * 300]
    with pytest.raises(EntryTooLarge):
        entry_bundle([b"x" * 65_536])
    assert len(entry_bundle([b"x" * 65_535])) == 65_537
    with pytest.raises(BadInput):
        split_entry_bundle(b"\x00\x05abc")


def test_an_entry_too_long_for_a_bundle_is_never_logged() -> None:
    at = dt.datetime(2026, 12, 4, tzinfo=dt.UTC)
    many = [f"app-{i:08d}" for i in range(6000)]  # ~90 kB of targets
    with pytest.raises(AuditEntryError, match="65535 bytes"):
        encode_entry(actor="staff-1", action="application.read", targets=many, reason="x", at=at)


def test_the_checkpoint_origin_is_a_url_prefix_without_a_scheme() -> None:
    policy = parse_policy(default_policy_text())
    assert policy.program.checkpoint_origin == "id.nyc.example/cityid/log"
    for bad in ("https://id.nyc.example/log", "id.nyc.example/log/", "id nyc", "a+b.example"):
        text = default_policy_text().replace(
            'checkpoint_origin = "id.nyc.example/cityid/log"', f'checkpoint_origin = "{bad}"'
        )
        with pytest.raises(ConfigError, match="checkpoint_origin"):
            parse_policy(text)
