"""Keyed Bloom-filter encodings (CLK) and keyed blocking tokens for duplicate search.

A cryptographic long-term key (CLK, Schnell, Bachteler and Reiher 2011) is one Bloom
filter per record into which the q-grams of every field are hashed. Here it is hardened:

- keyed: every gram goes through the program's keyed hasher (HMAC-SHA-256 under a
  "match" key from the keystore), so nobody without the key can rebuild a filter from a
  guessed name;
- one HMAC per gram, and the k bit positions are k *independent* slices of that digest
  (stretched with SHAKE-256 when k needs more than 32 bytes) rather than double hashing:
  Niedermeyer, Steinmetzer, Kroll and Schnell (2014, "Cryptanalysis of basic Bloom
  filters used for privacy preserving record linkage") broke CLKs through the arithmetic
  pattern that double hashing leaves in the bit positions;
- XOR-folded: the filter is built at twice the stored length and its two halves are
  XOR-ed (Schnell, Borgs and Encarnacao 2016, "XOR-folding for Bloom encryption-based
  privacy-preserving record linkage", German Record Linkage Center WP-GRLC-2016-03).
  No stored bit is then "always set when gram g is present", which is what frequency
  and pattern-mining attacks (Christen, Vidanage, Ranbaduge and Schnell 2018) look for;
  the paper reports linkage quality close to the unfolded filter, and evaluate.py
  measures ours against a plaintext matcher.

The stored filter is split into one segment per field (given name, family name, date
of birth, address), each built and folded on its own; the score is a weighted mean of
per-field similarities (`FieldLayout`), so a moved address or a transposed date costs
only its field's share. Features are prefixed before hashing ("fn" bigram "an" and "gn"
bigram "an" land on different bits). Bit masks are cached per encoder in bounded LRUs,
per gram and per recurring unit (a name, a date, a street), so encoding a million
records costs a few distinct HMACs per record, not forty.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import jellyfish
import numpy as np
import numpy.typing as npt

from cityid.crypto.interfaces import KeyedHasher
from cityid.matching.features import MatchFeatures, features_from_applicant, given_canonicals
from cityid.policy.model import Matching

BLOCK_TOKEN_BYTES = 16
_DOMAIN = b"cityid/match/v1/"

# The filter is field-level, as in Durham, Kantarcioglu, Xue et al. (2014, "Composite
# Bloom filters for secure record linkage", IEEE TKDE 26(12)): one XOR-folded segment
# per field, compared field by field and combined with weights, rather than one
# record-level CLK with a single Dice. With one Dice over everything a
# moved address or a transposed date costs as much as a different name; here each field's
# disagreement costs at most its weight. Each field gets its own share of the stored bits
# (in eighths), sized to its grams so no segment fills up: a full segment makes strangers
# look alike (a folded filter with half its bits set gives any two records Dice 0.5).
FIELDS: tuple[str, ...] = ("given", "family", "dob", "address")
FIELD_EIGHTHS: Mapping[str, int] = {"given": 3, "family": 3, "dob": 1, "address": 1}
# How much each field's similarity counts in the record score (they sum to 1). The
# address is weak evidence of identity (people move, families share it). Tuned with
# evaluate.py on synthetic duplicates: typos, nicknames, transposed dates, surname
# forms, other scripts and moves.
FIELD_WEIGHTS: Mapping[str, float] = {
    "given": 0.31,
    "family": 0.29,
    "dob": 0.28,
    "address": 0.12,
}
# Which field each kind of gram belongs to, and how many of the policy's k hash
# positions it gets (a fraction of k): a gram that stands for a whole value gets more.
GRAM_FIELD: Mapping[str, str] = {
    "gn": "given",  # given-name bigrams (the first name as its canonical forms)
    "gc": "given",  # canonical given name, whole
    "gs": "given",  # bigrams of the given names' sound skeletons
    "fn": "family",  # family-name bigrams, per token
    "fs": "family",  # bigrams of each family token's sound skeleton
    "y": "dob",  # birth year
    "yu": "dob",  # year with {day, month} unordered: survives a transposition
    "yo": "dob",  # year, month, day in order
    "md": "dob",  # {day, month} unordered, no year: a mistyped year keeps a little
    "pc": "address",  # postal code
    "st": "address",  # street, whole (normalised)
    "sb": "address",  # street bigrams, blanks dropped: survive a typo, a split or joined word
    "hn": "address",  # house number
}
# Sound-skeleton bigrams weigh twice a letter bigram: they are what survives
# transliteration, and there are fewer of them.
FEATURE_WEIGHTS: Mapping[str, float] = {
    "gn": 0.3,
    "gc": 0.5,
    "gs": 0.6,
    "fn": 0.3,
    "fs": 0.6,
    "y": 0.3,
    "yu": 0.6,
    "yo": 0.15,
    "md": 0.15,
    "pc": 0.25,
    "st": 0.4,
    "sb": 0.15,
    "hn": 0.25,
}
# Fields whose score also credits containment (one name inside the other): a dropped or
# added second surname keeps all of the shorter name's grams.
_CONTAINMENT_FIELDS = frozenset({"family"})


@dataclass(frozen=True, slots=True)
class Encoding:
    """What is stored for matching: pseudonymous bits, blocking tokens, the key that made them."""

    bits: bytes  # m/8 bytes, little-endian bit order (bit i is byte i//8, bit i%8)
    blocks: list[bytes] = field(default_factory=list)  # 16-byte keyed tokens
    key_id: str = ""


def bigrams(token: str) -> list[str]:
    padded = f"_{token}_"
    return [padded[i : i + 2] for i in range(len(padded) - 1)]


@lru_cache(maxsize=65_536)  # a pure function of its arguments: the same in every process
def _prefixed_bigrams(feature: str, token: str) -> tuple[str, ...]:
    return tuple(f"{feature}\x1f{g}" for g in bigrams(token))


# Soundex's consonant classes; vowels, h, w and y carry no code.
_SOUND_CLASS = {
    **dict.fromkeys("bfpv", "1"),
    **dict.fromkeys("cgjkqsxz", "2"),
    **dict.fromkeys("dt", "3"),
    "l": "4",
    **dict.fromkeys("mn", "5"),
    "r": "6",
}


@lru_cache(maxsize=65_536)
def sound_skeleton(token: str) -> str:
    """The consonant classes of a name, repeats collapsed (Soundex without its first
    letter or length limit). Transliteration from Arabic, Hebrew or Bengali drops or
    changes vowels and writes "ph" for "f"; this survives: "miriam" and "mrym" (from
    Hebrew) are both "565", "friedman" and "prydmn" both "1635"."""
    out: list[str] = []
    for char in token:
        code = _SOUND_CLASS.get(char)
        if code is not None and (not out or out[-1] != code):
            out.append(code)
    return "".join(out)


@lru_cache(maxsize=65_536)
def _given_unit(token: str, canonical: bool) -> tuple[str, ...]:
    whole = ("gc\x1f" + token,) if canonical else ()
    return (
        *whole,
        *_prefixed_bigrams("gn", token),
        *_prefixed_bigrams("gs", sound_skeleton(token)),
    )


@lru_cache(maxsize=65_536)
def _family_unit(token: str) -> tuple[str, ...]:
    return (*_prefixed_bigrams("fn", token), *_prefixed_bigrams("fs", sound_skeleton(token)))


@lru_cache(maxsize=65_536)
def _dob_unit(year: int | None, month: int | None, day: int | None) -> tuple[str, ...]:
    grams: list[str] = []
    if year is not None:
        grams.append(f"y\x1f{year}")
    if month is not None and day is not None:
        low, high = sorted((month, day))
        grams.append(f"md\x1f{low}-{high}")
        if year is not None:
            grams.append(f"yu\x1f{year}-{low}-{high}")
            grams.append(f"yo\x1f{year}-{month}-{day}")
    return tuple(grams)


def feature_units(f: MatchFeatures) -> list[tuple[str, ...]]:
    """The filter's grams in units that recur between records (a name, a date, a
    street), so the encoder can cache each unit's bit mask rather than each gram's."""
    # the first given name as its canonical form(s), so "Bill" and "William" share grams
    units = [_given_unit(c, True) for c in f.given_canonical[:3]]
    if f.given and f.given[0] not in f.given_canonical:
        # ... and as written: a typo in a name with nicknames ("Jakc") keeps its letters
        units.append(_given_unit(f.given[0], False))
    units.extend(_given_unit(t, False) for t in f.given[1:2])
    units.extend(_family_unit(t) for t in f.family[:3])
    units.append(_dob_unit(f.birth_year, f.birth_month, f.birth_day))
    if f.postal_code:
        units.append(("pc\x1f" + f.postal_code,))
    if f.street:
        units.append(("st\x1f" + f.street,))
    if f.house_number:
        units.append(("hn\x1f" + f.house_number,))
    return units


def feature_grams(f: MatchFeatures) -> list[str]:
    """Feature-prefixed grams ("fn\x1fan") that go into the filter; repeats add nothing."""
    return [gram for unit in feature_units(f) for gram in unit]


def swap_names(f: MatchFeatures) -> MatchFeatures:
    return replace(
        f,
        given=f.family,
        given_canonical=given_canonicals(f.family),
        family=f.given,
    )


_soundex = lru_cache(maxsize=65_536)(jellyfish.soundex)
_nysiis = lru_cache(maxsize=65_536)(jellyfish.nysiis)
_metaphone = lru_cache(maxsize=65_536)(jellyfish.metaphone)


def blocking_keys(f: MatchFeatures) -> list[str]:
    """Clear blocking keys, chosen so realistic duplicates share at least one.

    A typo, a nickname, a transposed day/month, a dropped or swapped surname, a move, or
    a wrong birth year each leaves at least one of these intact. Never stored: each is
    hashed into a token by `BloomEncoder.blocks`.
    """
    keys: list[str] = []
    year = f.birth_year
    has_dm = f.birth_month is not None and f.birth_day is not None
    dm = "-".join(str(v) for v in sorted((f.birth_month or 0, f.birth_day or 0)))
    families = [_soundex(t) for t in f.family[:3]]
    givens = [_nysiis(c) for c in f.given_canonical[:3]]
    first_given = givens[0] if givens else ""
    if year is not None and has_dm:
        # date of birth (day/month unordered) with each surname's Soundex
        keys.extend(f"dob-fam|{year}|{dm}|{s}" for s in families)
        # ... or with the given name (a surname changed at marriage, or mistyped)
        keys.extend(f"dob-giv|{year}|{dm}|{g}" for g in givens)
        if f.postal_code:
            keys.append(f"dob-pc|{year}|{dm}|{f.postal_code}")
    if year is not None and first_given:
        # both names unordered with the birth year: a wrong day, swapped names
        keys.extend(f"yr-names|{year}|{'|'.join(sorted((first_given, s)))}" for s in families)
        if f.postal_code:
            keys.append(f"yr-giv-pc|{year}|{first_given}|{f.postal_code}")
    if has_dm and first_given and f.family:
        # no year: a mistyped birth year
        keys.append(f"dm-names|{dm}|{first_given}|{_metaphone(f.family[0])}")
    if f.postal_code and f.house_number and f.family:
        # one surname at one dwelling, whatever the date and given name say
        keys.append(f"fam-home|{families[0]}|{f.house_number}|{f.postal_code}")
    return keys


class BloomEncoder:
    """Encodes applicants under one keyed hasher. Safe to share within a process."""

    def __init__(
        self,
        hasher: KeyedHasher,
        *,
        bits: int = 1024,
        hashes: int = 20,
        weights: Mapping[str, float] = FEATURE_WEIGHTS,
        cache_size: int = 262_144,
    ) -> None:
        self.layout = FieldLayout(bits)  # checks that the fields divide the bits
        self.hasher = hasher
        self.bits = bits
        self.hashes = hashes
        # Each field is built at twice its stored width and XOR-folded onto itself. The
        # built filter keeps every field's first half in its low m bits and its second
        # half in the high m bits, so one fold of the whole folds each field in place.
        self._low_mask = (1 << bits) - 1
        self._k = {name: max(1, round(hashes * w)) for name, w in weights.items()}
        where = {f: (self.layout.offsets[i], self.layout.widths[i]) for i, f in enumerate(FIELDS)}
        self._field = {name: where[field] for name, field in GRAM_FIELD.items()}
        self._gram_mask = lru_cache(maxsize=cache_size)(self._gram_mask_uncached)
        self._unit_mask = lru_cache(maxsize=cache_size)(self._unit_mask_uncached)
        self._token = lru_cache(maxsize=cache_size)(self._token_uncached)

    @classmethod
    def from_policy(cls, hasher: KeyedHasher, matching: Matching) -> BloomEncoder:
        return cls(hasher, bits=matching.bloom_bits, hashes=matching.bloom_hashes)

    @property
    def key_id(self) -> str:
        return self.hasher.key_id

    def encode(self, applicant: Mapping[str, Any] | MatchFeatures) -> Encoding:
        f = (
            applicant
            if isinstance(applicant, MatchFeatures)
            else features_from_applicant(applicant)
        )
        return Encoding(bits=self.filter_bytes(f), blocks=self.blocks(f), key_id=self.key_id)

    def encode_many(
        self, applicants: Iterable[Mapping[str, Any] | MatchFeatures]
    ) -> list[Encoding]:
        return [self.encode(a) for a in applicants]

    def filter_bytes(self, f: MatchFeatures) -> bytes:
        built = 0
        for unit in feature_units(f):
            built |= self._unit_mask(unit)
        folded = (built & self._low_mask) ^ (built >> self.bits)
        return folded.to_bytes(self.bits // 8, "little")

    def encode_swapped(self, applicant: Mapping[str, Any] | MatchFeatures) -> Encoding:
        """The encoding with given and family names exchanged, as a second 1:N query.

        Name order is often recorded differently (Chinese, Korean, Vietnamese, Hungarian
        names); fields are hashed apart, so a swapped record only matches this variant.
        """
        f = (
            applicant
            if isinstance(applicant, MatchFeatures)
            else features_from_applicant(applicant)
        )
        return self.encode(swap_names(f))

    def address_key(self, applicant: Mapping[str, Any] | MatchFeatures) -> bytes | None:
        """16-byte keyed token of the dwelling (for address velocity); None without one."""
        f = (
            applicant
            if isinstance(applicant, MatchFeatures)
            else features_from_applicant(applicant)
        )
        if not (f.postal_code and f.street):
            return None
        key = "|".join((f.postal_code, f.street, f.house_number, f.unit))
        return self.hasher.digest(_DOMAIN + b"address/" + key.encode())[:BLOCK_TOKEN_BYTES]

    def blocks(self, f: MatchFeatures) -> list[bytes]:
        return sorted({self._token(key) for key in blocking_keys(f)})

    def _unit_mask_uncached(self, unit: tuple[str, ...]) -> int:
        mask = 0
        for gram in unit:
            mask |= self._gram_mask(gram)
        return mask

    def _gram_mask_uncached(self, gram: str) -> int:
        kind = gram.partition("\x1f")[0]
        k, (offset, width) = self._k[kind], self._field[kind]
        digest = self.hasher.digest(_DOMAIN + b"gram/" + gram.encode())
        # k independent 32-bit positions from the HMAC output; SHAKE-256 stretches it
        # when 32 bytes are not enough (the output is already secret, so is its stretch).
        stream = digest if 4 * k <= len(digest) else hashlib.shake_256(digest).digest(4 * k)
        mask = 0
        for i in range(k):
            position = int.from_bytes(stream[4 * i : 4 * i + 4], "little") % (2 * width)
            half, at = divmod(position, width)
            mask |= 1 << (half * self.bits + offset + at)
        return mask

    def _token_uncached(self, key: str) -> bytes:
        return self.hasher.digest(_DOMAIN + b"block/" + key.encode())[:BLOCK_TOKEN_BYTES]


class FieldLayout:
    """Where each field's segment lies in a stored filter, and how segments make a score.

    The score of two records is the weighted mean of their per-field similarities over
    the fields both have (a missing field is no evidence either way). A field's similarity
    is the Dice coefficient of its segments; for containment fields it is the mean of Dice
    and the overlap coefficient (shared / smaller), so "Garcia" inside "Garcia Lopez"
    still scores high.
    """

    def __init__(self, bits: int) -> None:
        eighths = sum(FIELD_EIGHTHS.values())
        if bits % (64 * eighths):
            raise ValueError(f"bloom_bits must be a multiple of {64 * eighths}")
        self.bits = bits
        self.widths = [bits // eighths * FIELD_EIGHTHS[f] for f in FIELDS]  # bits per field
        self.offsets = [sum(self.widths[:i]) for i in range(len(FIELDS))]
        self._word_starts = np.array([o // 64 for o in self.offsets], dtype=np.intp)
        self.weights = np.array([FIELD_WEIGHTS[f] for f in FIELDS], dtype=np.float64)
        self.containment = np.array([f in _CONTAINMENT_FIELDS for f in FIELDS], dtype=bool)

    def field_counts(self, words: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
        """Set bits per field of (rows, m/64) words (or one row): shape (rows, fields)."""
        per_word = np.bitwise_count(words) if hasattr(np, "bitwise_count") else _popcount(words)
        return np.add.reduceat(per_word.astype(np.int64), self._word_starts, axis=-1)

    def scores(
        self,
        shared: npt.NDArray[np.int64],
        left: npt.NDArray[np.int64],
        right: npt.NDArray[np.int64],
    ) -> npt.NDArray[np.float64]:
        """Record scores from per-field counts: shared bits, and each side's bits."""
        shared = np.atleast_2d(shared)
        total = left + right
        smaller = np.minimum(left, right)
        present = smaller > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            dice_f = np.where(present, 2.0 * shared / np.maximum(total, 1), 0.0)
            overlap = np.where(present, shared / np.maximum(smaller, 1), 0.0)
        similarity = np.where(self.containment, (dice_f + overlap) / 2, dice_f)
        weight = present * self.weights
        norm = weight.sum(axis=-1)
        weighted = (similarity * weight).sum(axis=-1)
        return np.divide(weighted, norm, out=np.zeros(len(norm)), where=norm > 0)

    def score_rows(
        self,
        rows: npt.NDArray[np.uint64],
        row_counts: npt.NDArray[np.int64],
        query: npt.NDArray[np.uint64],
    ) -> npt.NDArray[np.float64]:
        """Scores of one query filter (m/64 words) against rows with their field counts."""
        shared = self.field_counts(rows & query)
        return self.scores(shared, row_counts, self.field_counts(query[None, :]))


def _popcount(words: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:  # pragma: no cover
    table = np.array([bin(i).count("1") for i in range(256)], dtype=np.int64)
    as_bytes = words.view(np.uint8).reshape(*words.shape, 8)
    return table[as_bytes].sum(axis=-1)


def similarity(a: bytes, b: bytes) -> float:
    """The record score of two filters, as the index computes it (field-weighted)."""
    layout = FieldLayout(len(a) * 8)
    left = np.frombuffer(a, dtype="<u8")[None, :]
    right = np.frombuffer(b, dtype="<u8")[None, :]
    shared = layout.field_counts(left & right)
    return float(layout.scores(shared, layout.field_counts(left), layout.field_counts(right))[0])


def dice(a: bytes, b: bytes) -> float:
    """Dice coefficient of two filters (for tests and small jobs; index.py vectorises)."""
    x, y = int.from_bytes(a, "little"), int.from_bytes(b, "little")
    total = x.bit_count() + y.bit_count()
    return 2 * (x & y).bit_count() / total if total else 0.0


def pack_blocks(blocks: Iterable[bytes]) -> bytes:
    """Blocking tokens as one column value (16 bytes each, concatenated)."""
    return b"".join(blocks)


def unpack_blocks(blob: bytes) -> list[bytes]:
    if len(blob) % BLOCK_TOKEN_BYTES:
        raise ValueError("a blocking-token column must hold whole 16-byte tokens")
    return [blob[i : i + BLOCK_TOKEN_BYTES] for i in range(0, len(blob), BLOCK_TOKEN_BYTES)]
