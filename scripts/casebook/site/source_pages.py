"""Kept source texts as pages of the site, with every evidence quote a case uses highlighted.

Quotes are found the way the validator finds them (quotes.normalise: NFKC,
quote styles, no whitespace), then mapped back to offsets in the original text,
so a quote the validator accepts is always highlighted where it stands.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ..core.model import Casebook
from ..core.quotes import normalise, normalised_with_offsets, verbatim_at
from ..core.schema import paths_using, values_at


@dataclass(frozen=True)
class Segment:
    text: str
    marked: bool  # inside at least one evidence quote
    anchors: tuple[str, ...] = ()  # quotes that start here


def anchor(quote: str) -> str:
    """A stable anchor for a quote: the same quote gets the same address on every build."""
    return "q-" + hashlib.sha1(normalise(quote).encode("utf-8")).hexdigest()[:8]


class MissingQuote(Exception):
    """A quote the validator accepted is not found on its source page: the case's link would lead nowhere."""


def locate(text: str, quotes: list[str]) -> dict[str, tuple[int, int]]:
    """Anchor -> (start, end) in the original text, for each quote found."""
    out, others = {}, []
    for quote in quotes:
        at = verbatim_at(quote, text)
        if at >= 0:
            out[anchor(quote)] = (at, at + len(quote))  # copied as it stands: no character map needed
        else:
            others.append(quote)
    if not others:
        return out
    norm, spans = normalised_with_offsets(text)
    for quote in others:
        wanted = normalise(quote)
        at = norm.find(wanted) if wanted else -1
        if at >= 0:
            out[anchor(quote)] = (spans[at][0], spans[at + len(wanted) - 1][1])
    return out


def case_quotes(book: Casebook, case: dict, patterns: list[tuple] | None = None) -> list[str]:
    return [quote for pattern in patterns or paths_using(book.schema, "quote")
            for _, quote in values_at(case, pattern) if isinstance(quote, str)]


def segments(text: str, found: dict[str, tuple[int, int]]) -> list[Segment]:
    """The text cut at every quote's start and end; overlapping quotes share marked segments."""
    cuts = sorted({0, len(text), *(s for s, _ in found.values()), *(e for _, e in found.values())})
    starts: dict[int, list[str]] = {}
    for name, (start, _) in sorted(found.items(), key=lambda item: item[1]):
        starts.setdefault(start, []).append(name)
    out = []
    for a, b in zip(cuts, cuts[1:]):
        marked = any(s <= a and b <= e for s, e in found.values())
        out.append(Segment(text[a:b], marked, tuple(starts.get(a, ()))))
    return out


def citing(book: Casebook) -> dict[str, list[dict]]:
    """Source file -> the cases that cite it."""
    out: dict[str, list[dict]] = {}
    for case in book.cases:
        out.setdefault(case["source"]["file"], []).append(case)
    return out


def context(book: Casebook, file: str, cases: list[dict], patterns: list[tuple]) -> dict:
    """What a source page's template shows: the file, the cases citing it, the text cut at their quotes.

    `patterns`: the fields that hold quotes (paths_using(book.schema, "quote")), found once for all pages.
    """
    text = book.sources[file]
    quotes = [q for case in cases for q in case_quotes(book, case, patterns)]
    found = locate(text, quotes)
    lost = [q for q in quotes if anchor(q) not in found]
    if lost:
        raise MissingQuote(f"原文 {file} 的页面上找不到摘录“{lost[0][:20]}”，案例页指向它的链接会失效："
                           "请报告这个问题（摘录已通过检查，页面却找不到它）")
    return {"file": file, "cases": cases, "segments": segments(text, found), "quotes": len(found)}

