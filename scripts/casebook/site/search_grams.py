"""Which chunks of the search index a query needs: a map from every pair of characters to the chunks holding it.

The browser finds a word by scanning chunk text, so a chunk can hold a word of two or more
characters only if it holds every pair of neighbouring characters of that word. Pairs are hashed
into buckets (collisions only load a chunk too many, never one too few); each bucket lists its
chunks, and buckets are grouped into small shard scripts (loaded by <script>, so file:// works):
a query loads the shards of its pairs, then only the chunks those name. Text is processed as
search.js processes it (lower case, full-width as ASCII, UTF-16 code units), so both sides agree.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
import zlib
from array import array

MIN_CHUNKS = 5  # below this a query would load (nearly) the whole index anyway: no map is written
SHARD_TARGET = 12_000  # postings per shard: about 10 KB packed
_FOLD = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}
_FOLD.update({c: ord(chr(c - 0xFEE0).lower()) for c in range(0xFF01, 0xFF5F)})
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def normalize(text: str) -> str:
    """search.js's normalize(): lower-case ASCII letters, full-width letters, digits and signs as ASCII."""
    return text.translate(_FOLD)


def _units(text: str) -> str:
    """The text as UTF-16 code units (a character outside the BMP as its two surrogates), as JavaScript sees it."""
    def pair(m: re.Match) -> str:
        code = ord(m.group()) - 0x10000
        return chr(0xD800 + (code >> 10)) + chr(0xDC00 + (code & 0x3FF))

    return _ASTRAL.sub(pair, text) if _ASTRAL.search(text) else text


def fnv1a(gram: str) -> int:
    """32-bit FNV-1a over UTF-16 code units: search.js computes the same number."""
    h = 0x811C9DC5
    for ch in gram:
        h = ((h ^ ord(ch)) * 0x01000193) & 0xFFFFFFFF
    return h


def pairs(text: str) -> set[str]:
    t = _units(normalize(text))
    return {t[i:i + 2] for i in range(len(t) - 1)}


def pair_hashes(texts: list[str]) -> list[int]:
    """The sorted hashes of the pairs a chunk's texts hold."""
    grams = pairs("\0".join(texts))  # one pass: a pair across two texts holds "\0", which no query does
    return sorted({_hash(g) for g in grams})


@functools.lru_cache(maxsize=1 << 18)
def _hash(gram: str) -> int:
    return fnv1a(gram)


class GramMap:
    """Collects, chunk by chunk, the pairs each chunk's text holds; then writes the shard scripts."""

    def __init__(self) -> None:
        self.chunks: list[array] = []

    def add_hashes(self, hashes: list[int]) -> None:
        self.chunks.append(array("I", hashes))

    def files(self, index_dir: str) -> tuple[dict[str, str], dict]:
        """Shard scripts (path -> content) and what the manifest says about them."""
        distinct = len(set().union(*self.chunks))
        buckets = 1 << max(10, (2 * distinct - 1).bit_length())
        postings = sum(len(c) for c in self.chunks)
        shards = 1 << max(0, (postings // SHARD_TARGET).bit_length())
        shards = min(shards, buckets)
        per = buckets // shards
        lists: list[list[int]] = [[] for _ in range(buckets)]
        for number, hashes in enumerate(self.chunks):
            for b in sorted({h & (buckets - 1) for h in hashes}):
                lists[b].append(number)
        files, names = {}, []
        for s in range(shards):
            packed = _pack([_deltas(lists[b]) for b in range(s * per, (s + 1) * per)])
            digest = hashlib.sha1(packed.encode()).hexdigest()[:8]
            files[f"{index_dir}/g{s}-{digest}.js"] = f'casebookSearch.grams({s},"{packed}");\n'
            names.append(digest)
        return files, {"buckets": buckets, "per": per, "shards": "".join(names)}


def _deltas(numbers: list[int]) -> list[int] | int:
    """Chunk numbers as differences (small numbers pack well); 0 for a bucket no chunk holds."""
    if not numbers:
        return 0
    return [numbers[0]] + [b - a for a, b in zip(numbers, numbers[1:])]


def _pack(data: object) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode("ascii")
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    return base64.b64encode(deflate.compress(raw) + deflate.flush()).decode("ascii")


def chunk_texts(chunk: dict, labels: list[list]) -> list[str]:
    """The text search.js scans in a chunk (word boundary marks removed), and the chip labels its entries carry."""
    texts = [entry[3].replace("\x7f", "") for entry in chunk["e"]]
    texts += [labels[i][0] for i in sorted({i for entry in chunk["e"] for i in entry[4]})]
    return texts
