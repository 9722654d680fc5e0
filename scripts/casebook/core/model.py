"""The validated casebook, and the facts about a case that pages, filters and exports share."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Collection

from .schema import Taxonomy

LEVELS = ("province", "city", "district", "street", "community")
UNSTATED_REGION = "地区未注明"


@dataclass
class Casebook:
    cases: list[dict]  # validated case data, sorted by slug
    taxonomy: Taxonomy
    schema: dict  # the case schema with the vocabulary inserted
    cases_dir: Path
    files: dict[str, Path] = field(default_factory=dict)  # slug -> YAML file
    sources: dict[str, str] = field(default_factory=dict)  # source file (relative) -> text
    version: str | None = None  # set on a selection of cases, which keeps the whole dataset's version
    export: dict | None = None  # an offline copy: {"theme", "cases", "date"}, which its home page states

    def case(self, slug: str) -> dict:
        return next(c for c in self.cases if c["slug"] == slug)


UNTITLED = "无标题的原文"


def titled(source: dict) -> str:
    """How pages name a source: its headline in 《》, or a plain label when the source has none."""
    return f"《{source['title']}》" if source.get("title") else UNTITLED


def place(case: dict) -> str:
    """The stated place, most general first: '潍坊市 潍城区 南关街道 仓南街社区'."""
    loc = case["location"]
    return " ".join(loc[level] for level in LEVELS if loc.get(level)) or UNSTATED_REGION


def region(case: dict) -> str:
    """The region a reader filters by: the city, else the province, as far as the source states it."""
    loc = case["location"]
    if loc.get("city"):
        return f"{loc['province']} {loc['city']}" if loc.get("province") else loc["city"]
    if loc.get("province"):
        return f"{loc['province']}（城市未注明）"
    return UNSTATED_REGION


def year(case: dict) -> int | None:
    if case.get("year"):
        return case["year"]
    date = (case["source"].get("date") or "")[:4]
    return int(date) if date else None


def categories(case: dict, statuses: Collection[str] | None = None) -> list[str]:
    """Practice categories of a case, first use first, each once; only practices in `statuses` if given."""
    return list(dict.fromkeys(p["category"] for p in case["practices"] if statuses is None or p["status"] in statuses))


def done_statuses(taxonomy: Taxonomy) -> frozenset[str]:
    """Practice statuses that count as done (`done: true` in the vocabulary): what a community did."""
    return frozenset(taxonomy.having("practice_statuses", "done"))


def undone_categories(case: dict, done: Collection[str]) -> list[str]:
    """Categories where a case has only practices not (yet) done: plans, proposals, things seen elsewhere."""
    have = set(categories(case, done))
    return [term for term in categories(case) if term not in have]


def outcome_kinds(case: dict) -> list[str]:
    return list(dict.fromkeys(o["kind"] for o in case.get("outcomes", [])))


def model_names(case: dict) -> list[str]:
    return [m["name"] for m in case.get("models", [])]
