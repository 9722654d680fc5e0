"""Indexes over the validated casebook: by category, by region, counts, related cases."""
from __future__ import annotations

import heapq
from collections import Counter, defaultdict

from . import model, transfer
from .model import Casebook
from .schema import Taxonomy


def by_category(book: Casebook) -> dict[str, list[dict]]:
    """Category term -> cases with a practice in it, in vocabulary order (empty ones included)."""
    out: dict[str, list[dict]] = {term: [] for term in book.taxonomy.terms("categories")}
    for case in book.cases:
        for term in model.categories(case):
            out[term].append(case)
    return out


def by_region(book: Casebook) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for case in book.cases:
        out[model.region(case)].append(case)
    return dict(sorted(out.items(), key=lambda item: (item[0] == model.UNSTATED_REGION, item[0])))


def stats(book: Casebook) -> dict[str, int]:
    cities = {c["location"]["city"] for c in book.cases if c["location"].get("city")}
    with_value = set(book.taxonomy.having("outcome_kinds", "needs_value"))
    return {
        "cases": len(book.cases),
        "cities": len(cities),
        "models": sum(len(c.get("models", [])) for c in book.cases),
        "practices": sum(len(c["practices"]) for c in book.cases),
        "with_value": sum(o["kind"] in with_value for c in book.cases for o in c.get("outcomes", [])),
    }


def recent(book: Casebook, count: int = 5) -> list[dict]:
    return sorted(book.cases, key=lambda c: (c["added"], c["slug"]), reverse=True)[:count]


def related(book: Casebook, count: int = 5) -> dict[str, list[tuple[dict, list[str]]]]:
    """For each case, the cases sharing most categories, models and tags, with what they share.

    Built from an inverted index so that cost follows the number of shared
    features rather than the square of the number of cases.
    """
    features = {c["slug"]: _features(c) for c in book.cases}
    index: dict[str, list[str]] = defaultdict(list)
    for slug, feats in features.items():
        for feat in feats:
            index[feat].append(slug)
    by_slug = {c["slug"]: c for c in book.cases}
    out = {}
    for slug, feats in features.items():
        scores: Counter = Counter()
        for feat in feats:
            # very common features say little; cap their fan-out to keep large books linear
            for other in index[feat][:200]:
                scores[other] += 1
        scores.pop(slug, None)
        ranked = heapq.nsmallest(count, scores.items(), key=lambda item: (-item[1], item[0]))
        out[slug] = [(by_slug[other], sorted(feats & features[other])) for other, _ in ranked]
    return out


def _features(case: dict) -> set[str]:
    return set(model.categories(case)) | set(model.model_names(case)) | set(case.get("tags", []))


def kind_codes(tax: Taxonomy) -> dict[str, str]:
    """Outcome kind -> the short code catalogue rows carry (its place in the vocabulary)."""
    return {k["term"]: str(i) for i, k in enumerate(tax.outcome_kinds)}


def filter_options(book: Casebook) -> dict[str, list[tuple[str, str, str]]]:
    """(value in the address, label, value in the rows) for each catalogue filter."""
    tax = book.taxonomy
    years = sorted({y for c in book.cases if (y := model.year(c))}, reverse=True)
    tags = Counter(t for c in book.cases for t in c.get("tags", []))
    codes = kind_codes(tax)
    return {
        "region": [(r, r, r) for r in by_region(book)],
        "category": [(c["slug"], c["term"], c["short"]) for c in tax.categories],
        "kind": [(k["term"], k["label"], codes[k["term"]]) for k in tax.outcome_kinds],
        "year": [(str(y), str(y), str(y)) for y in years],
        "tag": [(t, t, t) for t, _ in sorted(tags.items(), key=lambda item: (-item[1], item[0]))],
        # Only the community types some case has: a type nobody can pick a case by is a dead end.
        "ctype": [(c["slug"], c["term"], c["slug"]) for c in tax.community_types
                  if any(c["term"] in transfer.community_types(case) for case in book.cases)],
    }
