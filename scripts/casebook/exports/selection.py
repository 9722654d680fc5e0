"""Choosing cases the way a trainer thinks: by practice category, everyday problem, region,
community type, or by hand. The offline zip, the handout and the training materials share it.

Filters of different kinds narrow each other (one category's cases in one city); several values of one
kind widen (调解 or 物业). Cases named by hand are always included, first, in the order named.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ..core import model
from ..core.model import Casebook

COMMUNITY_TYPES = "community_types"  # a case field some casebooks carry; used when the data has it


class SelectionError(Exception):
    """A choice that matches nothing the casebook knows; the message lists what there is."""


@dataclass
class Selection:
    cases: list[str] = field(default_factory=list)  # slugs, in the order asked
    categories: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    community_types: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.cases or self.filtered)

    @property
    def filtered(self) -> bool:
        return bool(self.categories or self.problems or self.regions or self.community_types)


@dataclass
class Chosen:
    """The cases chosen, and how to speak of the choice."""

    cases: list[dict]
    theme: str  # for a cover: the category or problem chosen, "全部案例"
    criteria: list[str]  # one line per criterion, for the command's report
    slug: str  # ASCII, for file names: "" for the whole casebook


def choose(book: Casebook, selection: Selection) -> Chosen:
    """The chosen cases (all when nothing is chosen); unknown names are refused with the known ones listed."""
    by_slug = {c["slug"]: c for c in book.cases}
    for slug in selection.cases:
        if slug not in by_slug:
            raise SelectionError(f"没有案例“{slug}”。现有案例：{'、'.join(sorted(by_slug))}")
    problems = [problem_entry(book, text) for text in selection.problems]
    selection = replace(selection, categories=[category_term(book, text) for text in selection.categories])
    _check_terms("社区类型", selection.community_types, community_types(book), "案例数据里还没有社区类型")
    for name in selection.regions:
        if not any(_in_region(c, name) for c in book.cases):
            raise SelectionError(f"没有地区“{name}”的案例。现有地区：{'、'.join(regions(book))}")

    if selection.empty:
        return Chosen(list(book.cases), "全部案例", [f"全部案例（{len(book.cases)} 个）"], "")
    wanted_categories = set(selection.categories)
    tests = []
    if selection.categories:
        tests.append(lambda c: bool(wanted_categories & set(model.categories(c))))
    if problems:
        problem_categories = {term for p in problems for term in p["categories"]}
        tests.append(lambda c: bool(problem_categories & set(model.categories(c))))
    if selection.regions:
        tests.append(lambda c: any(_in_region(c, name) for name in selection.regions))
    if selection.community_types:
        tests.append(lambda c: bool(set(selection.community_types) & set(_types_of(c))))
    by_hand = [by_slug[s] for s in dict.fromkeys(selection.cases)]
    matched = [c for c in book.cases if tests and c["slug"] not in selection.cases and all(t(c) for t in tests)]
    return Chosen(by_hand + matched, _theme(selection, problems), _criteria(selection, problems, len(matched)),
                  _slug(book, selection, problems))


def problem_entry(book: Casebook, text: str) -> dict:
    """An everyday problem of the vocabulary, by its full text, a unique part of it, or its number (1, 2, …)."""
    entries = book.taxonomy.problems
    if text.isdigit() and 1 <= int(text) <= len(entries):
        return entries[int(text) - 1]
    exact = [p for p in entries if p["problem"] == text]
    partial = [p for p in entries if text and text in p["problem"]]
    if exact or len(partial) == 1:
        return (exact or partial)[0]
    known = "；".join(f"{i}. {p['problem']}" for i, p in enumerate(entries, 1))
    why = "对应多个问题" if partial else "没有这个常见问题"
    raise SelectionError(f"“{text}”{why}。可写全称、其中独有的几个字或编号：{known}")


def category_term(book: Casebook, text: str) -> str:
    """A practice category by its term, its short name or its slug (as in the
    site's addresses and the materials' file names): all three name the same category everywhere."""
    for category in book.taxonomy.categories:
        if text in (category["term"], category.get("short"), category.get("slug")):
            return category["term"]
    known = "、".join(f"{c['term']}（{c.get('short') or c['term']}，{c.get('slug')}）" for c in book.taxonomy.categories)
    raise SelectionError(f"没有实践类别“{text}”。可写全称、简称或网址里的拼音，可选：{known}")


def problem_slug(book: Casebook, entry: dict) -> str:
    """The problem's own name in file names: its first phrase in pinyin (老人没人管，养老难 -> laorenmeirenguan)."""
    from pypinyin import lazy_pinyin

    phrase = re.split(r"[，,、；;。\s]", entry["problem"].strip())[0]
    slug = re.sub(r"[^a-z0-9]+", "", "".join(lazy_pinyin(phrase)).lower())[:40]
    return slug or f"wenti-{book.taxonomy.problems.index(entry) + 1}"


def community_types(book: Casebook) -> list[str]:
    """Community types the vocabulary lists, else those the cases carry (none when the data has no such field)."""
    listed = getattr(book.taxonomy, COMMUNITY_TYPES, None)
    if listed:
        return [t["term"] if isinstance(t, dict) else str(t) for t in listed]
    return list(dict.fromkeys(t for c in book.cases for t in _types_of(c)))


def regions(book: Casebook) -> list[str]:
    """Provinces and cities the cases name, for the message listing what can be chosen."""
    names = [c["location"].get(level) for c in book.cases for level in ("province", "city")]
    return list(dict.fromkeys(n for n in names if n))


def _types_of(case: dict) -> list[str]:
    """A case's community type terms: entries are {term, evidence} (case schema), or plain names."""
    value = case.get(COMMUNITY_TYPES) or []
    items = [value] if isinstance(value, str) else value
    return [v["term"] if isinstance(v, dict) else str(v) for v in items]


def _in_region(case: dict, name: str) -> bool:
    """'潍坊' and '潍坊市' both find cases in 潍坊市; any level from province to street counts."""
    loc = case["location"]
    return bool(name) and any((loc.get(level) or "").startswith(name) for level in model.LEVELS[:4])


def _check_terms(what: str, asked: list[str], known: list[str], none_known: str = "") -> None:
    for term in asked:
        if term not in known:
            listing = f"可选：{'、'.join(known)}" if known else none_known
            raise SelectionError(f"没有{what}“{term}”。{listing}")


def _theme(selection: Selection, problems: list[dict]) -> str:
    parts = [*selection.categories, *(p["problem"] for p in problems), *selection.regions, *selection.community_types]
    if not parts:
        return "精选案例"
    return "、".join(parts) + ("等精选案例" if selection.cases else "")


def _criteria(selection: Selection, problems: list[dict], matched: int) -> list[str]:
    lines = []
    if selection.cases:
        lines.append(f"指定案例：{'、'.join(dict.fromkeys(selection.cases))}")
    kinds = [("实践类别", selection.categories), ("常见问题", [p["problem"] for p in problems]),
             ("地区", selection.regions), ("社区类型", selection.community_types)]
    chosen = [f"{what}“{'”或“'.join(values)}”" for what, values in kinds if values]
    if chosen:
        lines.append(f"{'，且'.join(chosen)}：{matched} 个案例")
    return lines


def _slug(book: Casebook, selection: Selection, problems: list[dict]) -> str:
    """A file-name part saying what was chosen: the category's slug, the problem's number, else 'xuanji'."""
    if not selection.cases and not selection.problems and len(selection.categories) == 1 and not (
            selection.regions or selection.community_types):
        return book.taxonomy.lookup("categories", "slug")[selection.categories[0]]
    if not selection.cases and len(problems) == 1 and not (
            selection.categories or selection.regions or selection.community_types):
        return problem_slug(book, problems[0])
    return "xuanji"
