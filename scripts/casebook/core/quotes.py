"""How a quote is compared with its source: the same for the checks, completeness and the source pages.

normalise() folds full- and half-width forms and quote styles and drops whitespace; verbatim_at()
finds a quote copied as it stands without normalising the whole source; normalised_with_offsets()
maps each normalised character back to the original text, so the source pages highlight a quote
where it stands.
"""
from __future__ import annotations

import functools
import re
import unicodedata

_PUNCT = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"',
                        "—": "-", "–": "-", "…": "...", "·": "·", "•": "·"})
_PUNCT_PAIRS = [(chr(k), v) for k, v in _PUNCT.items()]
# What normalise() treats as equal, said as the editor compares: every other character must match.
QUOTE_RULE = ("摘录必须逐字来自原文：只有全角和半角的同一字符（如“，”和“,”、“１”和“1”）、中文和英文引号看作相同，"
              "空格和换行不计；其余每个字、每个标点都要与原文一致")
_PLACE_SUFFIX = re.compile(r"(省|市|区|县|街道|镇|乡|社区|村)$")


def normalise(text: str) -> str:
    """Fold full/half-width forms and quote styles, drop whitespace: how quotes are compared."""
    # Same result as re.sub(r"\s+", "", NFKC(text).translate(_PUNCT)), several times faster on long
    # Chinese text: most of it is already NFKC (the quick check answers without rebuilding it),
    # str.replace runs in C where translate looks up every character, and split() drops the same whitespace.
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    for old, new in _PUNCT_PAIRS:
        if old in text:
            text = text.replace(old, new)
    return "".join(text.split())


def stated(name: str, quotes: list) -> bool:
    """Whether a place name (its suffix such as 市 or 社区 aside) is written in one of the quotes."""
    evidence = _normalised("".join(q for q in quotes if isinstance(q, str)))
    return _normalised(_PLACE_SUFFIX.sub("", name) or name) in evidence


# A case's place names are each looked for in the same quotes, and the same names recur across cases.
_normalised = functools.lru_cache(maxsize=4096)(normalise)


# Characters after which, and before which, normalising a text never joins two characters into one
# (no combining marks, Hangul jamo, or half-width kana sound marks): a quote found verbatim between
# such characters is found in the normalised source too.
_STABLE = re.compile(r"[\x00-\u02ff\u2000-\u20cf\u3000-\u3029\u3030-\u303f\u4e00-\u9fff\uff00-\uff9d\uffa0-\uffef]")


def verbatim_at(quote: str, text: str) -> int:
    """Where the quote occurs in the source exactly as written, in a way normalise() keeps intact (else -1):
    then normalise(quote) is in normalise(text) too, without normalising the whole text."""
    at = text.find(quote)
    if at < 0 or not quote or not _STABLE.match(quote[0]):
        return -1
    end = at + len(quote)
    return at if end == len(text) or _STABLE.match(text[end]) else -1


def typed_index(quote: str, matched: int) -> int:
    """Where, in the quote as typed, the first `matched` characters of its normalised form end."""
    for i in range(len(quote)):
        if len(normalise(quote[: i + 1])) > matched:
            return i
    return len(quote)


def longest_prefix(needle: str, haystack: str) -> int:
    low, high = 0, len(needle)
    while low < high:  # presence of a prefix is monotone in its length
        mid = (low + high + 1) // 2
        if needle[:mid] in haystack:
            low = mid
        else:
            high = mid - 1
    return low


_PIECES: dict[str, str] = {}  # character -> what normalise() makes of it; texts repeat few characters


def normalised_with_offsets(text: str) -> tuple[str, list[tuple[int, int]]]:
    """normalise(text), and for each of its characters the span of the original text it came from.

    Character by character with the validator's own function; a text where that differs
    from normalising it whole (combining marks that compose) is cut into base-plus-marks clusters.
    """
    pieces: list[str] = []
    spans: list[tuple[int, int]] = []
    for i, char in enumerate(text):
        piece = _PIECES.get(char)
        if piece is None:
            piece = _PIECES[char] = normalise(char)
        if piece:
            pieces.append(piece)
            spans += [(i, i + 1)] * len(piece)
    joined = "".join(pieces)
    return (joined, spans) if joined == normalise(text) else _by_clusters(text)


def _by_clusters(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Cut where normalising the two sides apart gives what normalising them together does: a cluster grows
    while its next character changes it (combining marks, half-width kana with their sound marks, Hangul
    jamo that make one syllable), so every normalised character maps to the characters it came from."""
    pieces: list[str] = []
    spans: list[tuple[int, int]] = []
    start = 0
    while start < len(text):
        end = start + 1
        piece = normalise(text[start:end])
        while end < len(text):
            joined = normalise(text[start:end + 1])
            if joined == piece + normalise(text[end]):
                break
            piece, end = joined, end + 1
        pieces.append(piece)
        spans += [(start, end)] * len(piece)
        start = end
    joined = "".join(pieces)
    if joined != normalise(text):  # never seen; rather one wide highlight than a quote the page cannot find
        joined = normalise(text)
        spans = [(0, len(text))] * len(joined)
    return joined, spans
