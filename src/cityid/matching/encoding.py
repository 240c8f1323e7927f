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

Features are prefixed before hashing ("fn" bigram "an" and "gn" bigram "an" land on
different bits). Gram -> bit-mask results are cached per encoder in a bounded LRU, so
encoding a million records costs a few distinct HMACs per record, not forty.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import jellyfish

from cityid.crypto.interfaces import KeyedHasher
from cityid.matching.features import MatchFeatures, canonical_given, features_from_applicant
from cityid.policy.model import Matching

BLOCK_TOKEN_BYTES = 16
_DOMAIN = b"cityid/match/v1/"

# How many of the policy's k hash positions each kind of gram gets, as a fraction of k.
# A whole-value gram (a birth year, a street) stands for a whole field, so it gets more
# positions than one name bigram; the address is weaker evidence of identity (people
# move, families share it). Tuned with evaluate.py on synthetic duplicates: typos,
# nicknames, transposed dates, surname forms and moves.
FEATURE_WEIGHTS: Mapping[str, float] = {
    "gn": 0.5,  # given-name bigrams
    "gc": 0.25,  # canonical given name, whole (the bigrams already follow the canonical)
    "fn": 0.75,  # family-name bigrams, per token
    "by": 1.0,  # birth year
    "bm": 0.75,  # birth month
    "bd": 0.75,  # birth day
    "dm": 0.75,  # {day, month} unordered: survives a day/month transposition
    "pc": 0.5,  # postal code
    "st": 0.75,  # street, whole (normalised)
    "hn": 0.5,  # house number
}


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


def feature_grams(f: MatchFeatures) -> list[str]:
    """Feature-prefixed grams ("fn\x1fan") that go into the filter; repeats add nothing."""
    grams: list[str] = []
    # the first given name as its canonical form(s), so "Bill" and "William" share grams
    for token in (*f.given_canonical[:3], *f.given[1:2]):
        grams.extend(_prefixed_bigrams("gn", token))
    grams.extend("gc\x1f" + c for c in f.given_canonical[:3])
    for token in f.family[:3]:
        grams.extend(_prefixed_bigrams("fn", token))
    if f.birth_year is not None:
        grams.append("by\x1f" + str(f.birth_year))
    if f.birth_month is not None and f.birth_day is not None:
        grams.append("bm\x1f" + str(f.birth_month))
        grams.append("bd\x1f" + str(f.birth_day))
        low, high = sorted((f.birth_month, f.birth_day))
        grams.append(f"dm\x1f{low}-{high}")
    if f.postal_code:
        grams.append("pc\x1f" + f.postal_code)
    if f.street:
        grams.append("st\x1f" + f.street)
    if f.house_number:
        grams.append("hn\x1f" + f.house_number)
    return grams


def swap_names(f: MatchFeatures) -> MatchFeatures:
    return replace(
        f,
        given=f.family,
        given_canonical=canonical_given(f.family[0]) if f.family else (),
        family=f.given,
    )


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
    families = [jellyfish.soundex(t) for t in f.family[:3]]
    givens = [jellyfish.nysiis(c) for c in f.given_canonical[:3]]
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
        keys.append(f"dm-names|{dm}|{first_given}|{jellyfish.metaphone(f.family[0])}")
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
        if bits % 64:
            raise ValueError("bloom_bits must be a multiple of 64")
        self.hasher = hasher
        self.bits = bits
        self.hashes = hashes
        self._built_bits = 2 * bits  # built at 2m, XOR-folded to m
        self._low_mask = (1 << bits) - 1
        self._k = {name: max(1, round(hashes * w)) for name, w in weights.items()}
        self._gram_mask = lru_cache(maxsize=cache_size)(self._gram_mask_uncached)
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
        for gram in set(feature_grams(f)):
            built |= self._gram_mask(gram)
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

    def _gram_mask_uncached(self, gram: str) -> int:
        k = self._k[gram[:2]]
        digest = self.hasher.digest(_DOMAIN + b"gram/" + gram.encode())
        # k independent 32-bit positions from the HMAC output; SHAKE-256 stretches it
        # when 32 bytes are not enough (the output is already secret, so is its stretch).
        stream = digest if 4 * k <= len(digest) else hashlib.shake_256(digest).digest(4 * k)
        mask = 0
        for i in range(k):
            mask |= 1 << (int.from_bytes(stream[4 * i : 4 * i + 4], "little") % self._built_bits)
        return mask

    def _token_uncached(self, key: str) -> bytes:
        return self.hasher.digest(_DOMAIN + b"block/" + key.encode())[:BLOCK_TOKEN_BYTES]


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
