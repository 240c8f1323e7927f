"""The audit log as C2SP tlog-tiles (c2sp.org/tlog-tiles): paths, hash tiles, entry bundles.

A tile is 256 consecutive Merkle Tree Hashes at one height of the tree: the n-th tile
at level l holds, for i in 0..255,

    MTH(D[(n * 256 + i) * 256**l : (n * 256 + i + 1) * 256**l])

that is, the stored hashes of level 8*l of `MerkleTree`, blocks n*256 .. n*256+255. The
rightmost tile of each level is usually partial: for a tree of size s it has
floor(s / 256**l) mod 256 hashes and its path ends in `.p/<W>`. Entry bundles hold the
entries of the matching level-0 tile, each as a big-endian uint16 length and the entry's
bytes: for this log, the canonical entry bytes (`entry.encode_entry`) whose RFC 6962
leaf hash is the tile's hash.

Paths (relative to the log's prefix):

    tile/<L>/<N>[.p/<W>]          L in 0..63, W in 1..255, no leading zeros
    tile/entries/<N>[.p/<W>]

N is written in 3-digit groups, every group but the last prefixed with `x`: 1234067 is
`x001/x234/067`. Only the canonical spelling of a path is accepted, so every resource
has exactly one name (a static host can serve the same files).

Nothing here knows about storage or HTTP.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from cityid.audit.entry import MAX_ENTRY_BYTES
from cityid.audit.merkle import HASH_SIZE, MerkleTree
from cityid.errors import BadInput, CityIdError, NotFound

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT  # 256 hashes, 8,192 bytes in a full tile
MAX_LEVEL = 63
ENTRIES = "entries"

_LEVEL = re.compile(r"0|[1-9][0-9]?")
_WIDTH = re.compile(r"[1-9][0-9]{0,2}")
_GROUP = re.compile(r"[0-9]{3}")


class BadTilePath(BadInput):
    """A path that names no tile (malformed or not in canonical form)."""

    code = "bad_tile_path"
    http_status = 400


class TileNotFound(NotFound):
    """A well-formed tile that the signed tree does not (yet) contain."""

    code = "tile_not_found"


class EntryTooLarge(CityIdError):
    """A stored entry longer than an entry bundle can carry (65,535 bytes): the log's
    fault, not the reader's (new entries that long are refused when logged)."""

    code = "entry_too_large"
    http_status = 500


@dataclass(frozen=True)
class Tile:
    """One tile: `level` None for an entry bundle; `width` 256 for a full tile."""

    level: int | None
    index: int
    width: int = TILE_WIDTH

    @property
    def is_entries(self) -> bool:
        return self.level is None

    @property
    def is_partial(self) -> bool:
        return self.width < TILE_WIDTH

    @property
    def path(self) -> str:
        return tile_path(self)


# -- paths ------------------------------------------------------------------------------


def encode_index(index: int) -> str:
    """N in 3-digit groups, `x` before all but the last: 1234067 -> x001/x234/067."""
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise BadTilePath("a tile index is a non-negative integer")
    groups = [f"{index % 1000:03d}"]
    index //= 1000
    while index:
        groups.append(f"x{index % 1000:03d}")
        index //= 1000
    return "/".join(reversed(groups))


def tile_path(tile: Tile) -> str:
    """`tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`."""
    _check_tile(tile)
    level = ENTRIES if tile.level is None else str(tile.level)
    path = f"tile/{level}/{encode_index(tile.index)}"
    return f"{path}.p/{tile.width}" if tile.is_partial else path


def parse_tile_path(path: str) -> Tile:
    """Parses a tile or entry-bundle path; only its canonical form (`tile_path`) is taken."""
    parts = path.split("/")
    if len(parts) < 3 or parts[0] != "tile":
        raise BadTilePath("a tile path is tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>]")
    level_text, rest = parts[1], parts[2:]
    level: int | None
    if level_text == ENTRIES:
        level = None
    elif _LEVEL.fullmatch(level_text) and int(level_text) <= MAX_LEVEL:
        level = int(level_text)
    else:
        raise BadTilePath("the tile level is 'entries' or a decimal 0..63 without leading zeros")
    width = TILE_WIDTH
    if len(rest) >= 2 and rest[-2].endswith(".p"):
        width_text = rest[-1]
        if not _WIDTH.fullmatch(width_text) or int(width_text) >= TILE_WIDTH:
            raise BadTilePath("a partial tile's width is a decimal 1..255 without leading zeros")
        width = int(width_text)
        rest = [*rest[:-2], rest[-2][: -len(".p")]]
    index = 0
    for position, group in enumerate(rest):
        last = position == len(rest) - 1
        digits = group if last else group.removeprefix("x")
        if (not last and not group.startswith("x")) or not _GROUP.fullmatch(digits):
            raise BadTilePath(
                "a tile index is 3-digit groups, all but the last starting with 'x' "
                "(1234067 is x001/x234/067)"
            )
        index = index * 1000 + int(digits)
    tile = Tile(level=level, index=index, width=width)
    if tile_path(tile) != path:
        raise BadTilePath("the tile index has superfluous leading groups (use its shortest form)")
    return tile


# -- which tiles a tree has -------------------------------------------------------------


def level_count(size: int, level: int) -> int:
    """How many complete 256**level blocks a tree of `size` has: the hashes at that level."""
    return size >> (TILE_HEIGHT * level)


def tile_exists(tile: Tile, size: int) -> bool:
    """Whether a tree of `size` contains `tile`: a full tile, or a partial one no wider
    than what the tree holds at that place (every earlier checkpoint's partial tiles)."""
    _check_tile(tile)
    count = level_count(size, tile.level or 0)
    return tile.index * TILE_WIDTH + tile.width <= count


def require_tile(tile: Tile, size: int) -> None:
    if not tile_exists(tile, size):
        raise TileNotFound(f"{tile.path} is beyond the latest signed checkpoint (size {size})")


def tiles_for_size(size: int) -> Iterator[Tile]:
    """Every tile a client of a checkpoint of `size` may fetch: all full tiles and the
    rightmost partial tile of each level, hash tiles and entry bundles. Empty tiles are
    never listed."""
    if size < 0:
        raise BadInput("a tree size is non-negative")
    level = 0
    while (count := level_count(size, level)) > 0:
        yield from _level_tiles(level, count)
        level += 1
    yield from (Tile(None, tile.index, tile.width) for tile in _level_tiles(0, size))


def _level_tiles(level: int, count: int) -> Iterator[Tile]:
    full, width = divmod(count, TILE_WIDTH)
    for index in range(full):
        yield Tile(level, index)
    if width:
        yield Tile(level, full, width)


# -- contents ---------------------------------------------------------------------------


def hash_tile(tree: MerkleTree, tile: Tile, size: int) -> bytes:
    """The tile's hashes, 32 bytes each, from a tree that has at least `size` leaves."""
    if tile.level is None:
        raise BadInput("an entry bundle is not a hash tile")
    require_tile(tile, size)
    start = tile.index * TILE_WIDTH
    return tree.level_hashes(TILE_HEIGHT * tile.level, start, start + tile.width)


def entry_range(tile: Tile, size: int) -> tuple[int, int]:
    """The entry indexes [start, end) an entry bundle carries."""
    if tile.level is not None:
        raise BadInput("a hash tile is not an entry bundle")
    require_tile(tile, size)
    start = tile.index * TILE_WIDTH
    return start, start + tile.width


def entry_bundle(entries: Iterable[bytes]) -> bytes:
    """Each entry as a big-endian uint16 length and its bytes, concatenated."""
    out = bytearray()
    for entry in entries:
        if len(entry) > MAX_ENTRY_BYTES:
            raise EntryTooLarge(
                f"an entry of {len(entry)} bytes does not fit an entry bundle "
                f"(at most {MAX_ENTRY_BYTES})"
            )
        out += len(entry).to_bytes(2, "big")
        out += entry
    return bytes(out)


def split_entry_bundle(bundle: bytes) -> list[bytes]:
    """The entries of a bundle (for reading one back); refuses a truncated bundle."""
    entries: list[bytes] = []
    offset = 0
    while offset < len(bundle):
        if offset + 2 > len(bundle):
            raise BadInput("the entry bundle ends inside a length prefix")
        length = int.from_bytes(bundle[offset : offset + 2], "big")
        offset += 2
        if offset + length > len(bundle):
            raise BadInput("the entry bundle ends inside an entry")
        entries.append(bundle[offset : offset + length])
        offset += length
    return entries


def _check_tile(tile: Tile) -> None:
    if tile.level is not None and (
        isinstance(tile.level, bool) or not 0 <= tile.level <= MAX_LEVEL
    ):
        raise BadTilePath("the tile level is 0..63")
    if isinstance(tile.index, bool) or tile.index < 0:
        raise BadTilePath("a tile index is a non-negative integer")
    if isinstance(tile.width, bool) or not 1 <= tile.width <= TILE_WIDTH:
        raise BadTilePath("a tile's width is 1..256")


__all__ = [
    "ENTRIES",
    "HASH_SIZE",
    "MAX_ENTRY_BYTES",
    "TILE_HEIGHT",
    "TILE_WIDTH",
    "BadTilePath",
    "EntryTooLarge",
    "Tile",
    "TileNotFound",
    "encode_index",
    "entry_bundle",
    "entry_range",
    "hash_tile",
    "level_count",
    "parse_tile_path",
    "require_tile",
    "split_entry_bundle",
    "tile_exists",
    "tile_path",
    "tiles_for_size",
]
