"""Regions as a hierarchy of real places: province > city > district, one region per place.

A case is placed by what its source states. A city whose province the source
does not name is placed in its province through the gazetteer (data/gazetteer.yaml,
prefecture-level names only, which are unique); a district is placed only under
a stated city, because district names such as 高新区 repeat across the country.
The case's own location fields are never changed.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import yaml
from pypinyin import Style, lazy_pinyin

from .model import UNSTATED_REGION, Casebook

_SUFFIX = re.compile(r"(省|市|区|县)$")
UNSTATED_CITY = "城市未注明"


@dataclass
class Region:
    key: str  # readable address under regions/, e.g. "shandong/weifang"
    name: str  # "潍坊市"
    full: str  # "山东省 潍坊市"
    parent: "Region | None" = None
    children: list["Region"] = field(default_factory=list)
    cases: list[dict] = field(default_factory=list)  # cases here or anywhere below
    own: list[dict] = field(default_factory=list)  # cases placed here and no deeper

    @property
    def ancestors(self) -> list["Region"]:
        out, node = [], self.parent
        while node is not None:
            out.insert(0, node)
            node = node.parent
        return out

    @property
    def depth(self) -> int:
        return len(self.ancestors)


@cache
def gazetteer() -> dict[str, str]:
    """City -> province, from the gazetteer kept as data."""
    data = yaml.safe_load((resources.files("casebook") / "data" / "gazetteer.yaml").read_text(encoding="utf-8"))
    return {city: province for province, cities in data.items() for city in cities}


def path_of(case: dict) -> list[str]:
    """The names from province down to the deepest level that can be placed without guessing."""
    loc = case["location"]
    city = loc.get("city")
    province = loc.get("province") or (gazetteer().get(city) if city else None)
    path = [name for name in (province, city) if name]
    if city and loc.get("district"):
        path.append(loc["district"])
    return path


def label(case: dict) -> str:
    """The case's deepest region as one line, e.g. '山东省 潍坊市 潍城区' (for CSV columns)."""
    return " ".join(path_of(case)) or UNSTATED_REGION


def slug(name: str, tones: bool = False) -> str:
    """Pinyin of a place name without its 省/市/区/县 suffix: 潍坊市 -> weifang."""
    stem = _SUFFIX.sub("", name) if len(name) > 2 else name
    text = "".join(lazy_pinyin(stem, style=Style.TONE3 if tones else Style.NORMAL)).lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text or "r-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]


def build(book: Casebook) -> list[Region]:
    """The region tree: top-level regions in name order, the unstated one last."""
    roots: dict[str, Region] = {}
    for case in book.cases:
        path = path_of(case) or [UNSTATED_REGION]
        level, parent = roots, None
        for name in path:
            if name not in level:
                full = f"{parent.full} {name}" if parent else name
                level[name] = Region("", name, full, parent)
                if parent:
                    parent.children.append(level[name])
            node = level[name]
            node.cases.append(case)
            level = {child.name: child for child in node.children}
            parent = node
        parent.own.append(case)
    ordered = sorted(roots.values(), key=lambda r: (r.name == UNSTATED_REGION, r.name))
    _assign_keys(ordered, "")
    return ordered


def _assign_keys(siblings: list[Region], prefix: str) -> None:
    """Pinyin keys; siblings whose pinyin collide (山西/陕西) keep tone numbers to stay apart."""
    plain = [slug(r.name) for r in siblings]
    for region, key in zip(siblings, plain):
        if plain.count(key) > 1:
            key = slug(region.name, tones=True)
        region.key = prefix + key
        region.children.sort(key=lambda r: r.name)
        _assign_keys(region.children, region.key + "/")


def walk(regions: list[Region]) -> list[Region]:
    """Every region, depth first, parents before children."""
    out = []
    for region in regions:
        out.append(region)
        out += walk(region.children)
    return out


def deepest(regions: list[Region]) -> dict[str, Region]:
    """Case slug -> the deepest region it is placed in."""
    return {case["slug"]: region for region in walk(regions) for case in region.own}
