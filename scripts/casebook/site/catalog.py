"""Indexes over the validated casebook: by category, by region, counts, related cases."""
from __future__ import annotations

import hashlib
import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping

from ..core import model, regions, transfer
from ..core.model import Casebook
from ..core.schema import Taxonomy


def by_category(book: Casebook, done: bool = True) -> dict[str, list[dict]]:
    """Category term -> cases that did something in it, in vocabulary order (empty ones included).

    With done=False: the cases whose practices in it are only not (yet) done
    seen elsewhere, so summaries can show them apart instead of counting them as done.
    """
    statuses = model.done_statuses(book.taxonomy)
    out: dict[str, list[dict]] = {term: [] for term in book.taxonomy.terms("categories")}
    for case in book.cases:
        for term in model.categories(case, statuses) if done else model.undone_categories(case, statuses):
            out[term].append(case)
    return out


def stats(book: Casebook) -> dict[str, int]:
    cities = {c["location"]["city"] for c in book.cases if c["location"].get("city")}
    done = model.done_statuses(book.taxonomy)
    with_value = set(book.taxonomy.having("outcome_kinds", "needs_value"))
    return {
        "cases": len(book.cases),
        "cities": len(cities),
        "models": sum(len(c.get("models", [])) for c in book.cases),
        "practices": sum(p["status"] in done for c in book.cases for p in c["practices"]),
        "undone_practices": sum(p["status"] not in done for c in book.cases for p in c["practices"]),
        "with_value": sum(o["kind"] in with_value for c in book.cases for o in c.get("outcomes", [])),
    }


def recent(book: Casebook, count: int = 5) -> list[dict]:
    return sorted(book.cases, key=lambda c: (c["added"], c["slug"]), reverse=True)[:count]


class Related(Mapping):
    """Slug -> the cases sharing the most telling categories, models and tags with it, with what they share.

    A shared feature counts by how rare it is (inverse document frequency): a
    shared model name says more than a category half the casebook has. Every
    case is a candidate; equal scores go to the cases that follow this one in a
    fixed pseudo-random order, so no part of the alphabet is favoured. Each
    case's list is worked out when first asked for, so a page can be rendered
    before the lists of all the others are.
    """

    def __init__(self, book: Casebook, count: int = 5):
        cases = self.cases = book.cases
        n, self.count = len(cases), count
        self.features = [_features(c) for c in cases]
        self.index = {c["slug"]: i for i, c in enumerate(cases)}
        # Bit position of each case: its place in an order given by a hash of its slug.
        self.order = sorted(range(n), key=lambda i: hashlib.sha1(cases[i]["slug"].encode("utf-8")).digest())
        self.position = [0] * n
        for place, i in enumerate(self.order):
            self.position[i] = place
        self.members: dict[str, int] = defaultdict(int)  # feature -> bit set of the cases that have it
        for i, feats in enumerate(self.features):
            for feat in feats:
                self.members[feat] |= 1 << self.position[i]
        self.weight = {feat: math.log(1 + n / bits.bit_count()) for feat, bits in self.members.items()}
        self.everyone = (1 << n) - 1
        self.found: dict[str, list[tuple[dict, list[str]]]] = {}

    def __getitem__(self, slug: str) -> list[tuple[dict, list[str]]]:
        if slug not in self.found:
            i = self.index[slug]
            own, members, weight = self.features[i], self.members, self.weight
            # Features only this case has cannot be shared; rarest first makes the search below short.
            feats = sorted((f for f in own if members[f].bit_count() > 1), key=lambda f: (-weight[f], f))
            at = self.position[i]
            ranked = _best(feats, weight, members, self.everyone & ~(1 << at), at, self.count)
            self.found[slug] = [(self.cases[self.order[p]], sorted(own & self.features[self.order[p]]))
                                for p in ranked]
        return self.found[slug]

    def __iter__(self) -> Iterator[str]:
        return iter(self.index)

    def __len__(self) -> int:
        return len(self.index)


def _best(feats: list[str], weight: dict[str, float], members: dict[str, int], candidates: int, start: int,
          count: int) -> list[int]:
    """Bit positions of the `count` best-scoring candidates (score: summed weight of the features shared).

    Best-first search over "shares feature k or not", feature by feature: each
    step splits a set of candidates in two, and a set whose score is settled is
    taken as soon as no other set can beat it, so cost follows the number of
    distinct sharing patterns near the top, not the size of the casebook.
    """
    rest = [0.0] * (len(feats) + 1)  # the most weight still to gain after k features
    for k in range(len(feats) - 1, -1, -1):
        rest[k] = rest[k + 1] + weight[feats[k]]
    heap = [(-rest[0], 0, 0, 0.0, candidates)]
    pushed = 1
    out: list[int] = []
    while heap and len(out) < count:
        _, _, k, score, bits = heapq.heappop(heap)
        if k == len(feats):
            if score <= 0:
                break  # the rest share nothing with this case
            out += _nearest_after(bits, start, count - len(out))
            continue
        for part, gain in ((bits & members[feats[k]], weight[feats[k]]), (bits & ~members[feats[k]], 0.0)):
            if part:
                heapq.heappush(heap, (-(score + gain + rest[k + 1]), pushed, k + 1, score + gain, part))
                pushed += 1
    return out


def _nearest_after(bits: int, start: int, count: int) -> list[int]:
    """Up to `count` set bit positions, going round from just after `start`."""
    out = []
    for part, offset in ((bits >> (start + 1), start + 1), (bits & ((1 << start) - 1), 0)):
        while part and len(out) < count:
            low = part & -part
            out.append(low.bit_length() - 1 + offset)
            part ^= low
    return out


def _features(case: dict) -> set[str]:
    return set(model.categories(case)) | set(model.model_names(case)) | set(case.get("tags", []))


def kind_codes(tax: Taxonomy) -> dict[str, str]:
    """Outcome kind -> the short code catalogue rows carry (its place in the vocabulary)."""
    return {k["term"]: str(i) for i, k in enumerate(tax.outcome_kinds)}


def region_of(tree: list[regions.Region]) -> dict[str, dict[str, str]]:
    """Case slug -> how its catalogue row shows its region and which regions (with parents) it is in."""
    out = {}
    for region in regions.walk(tree):
        for case in region.own:
            label = region.full
            district = case["location"].get("district")
            if region.name == model.UNSTATED_REGION and district:
                # Not placed (district names repeat across cities), but the row still says what the source names.
                label = f"{district}（{regions.UNSTATED_CITY}）"
            elif not case["location"].get("city") and region.name != model.UNSTATED_REGION:
                label += f"（{regions.UNSTATED_CITY}）"
            out[case["slug"]] = {"label": label, "keys": " ".join(r.key for r in [*region.ancestors, region])}
    return out


def filter_options(book: Casebook, tree: list[regions.Region] | None = None) -> dict[str, list[tuple[str, str, str]]]:
    """(value in the address, label, value in the rows) for each catalogue filter."""
    tax = book.taxonomy
    tree = regions.build(book) if tree is None else tree
    years = sorted({y for c in book.cases if (y := model.year(c))}, reverse=True)
    tags = Counter(t for c in book.cases for t in c.get("tags", []))
    codes = kind_codes(tax)
    return {
        "region": [(r.key, r.full, r.key) for r in regions.walk(tree)],
        "category": [(c["slug"], c["term"], c["short"]) for c in tax.categories],
        "kind": [(k["term"], k["label"], codes[k["term"]]) for k in tax.outcome_kinds],
        "year": [(str(y), str(y), str(y)) for y in years],
        "tag": [(t, t, t) for t, _ in sorted(tags.items(), key=lambda item: (-item[1], item[0]))],
        # Only the community types some case has: a type nobody can pick a case by is a dead end.
        "ctype": [(c["slug"], c["term"], c["slug"]) for c in tax.community_types
                  if any(c["term"] in transfer.community_types(case) for case in book.cases)],
    }
