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

from . import gazetteer as gazetteer_file
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
    """City -> province, from the gazetteer kept as data (checked as `casebook validate` checks it)."""
    found, problems = gazetteer_file.read(gazetteer_file.default_file())
    if problems:
        raise ValueError(f"{problems[0]}（运行 casebook validate 查看全部问题）")
    return found


def path_of(case: dict) -> list[str]:
    """The names from province down to the deepest level that can be placed without guessing."""
    return [name for _, name in placed(case["location"])]


def placed(loc: dict) -> list[tuple[str, str]]:
    """(location field, name) from province down; a province found through the gazetteer is the city's doing."""
    city = loc.get("city")
    province = ("province", loc["province"]) if loc.get("province") else ("city", gazetteer().get(city) if city else None)
    path = [(key, name) for key, name in (province, ("city", city)) if name]
    if city and loc.get("district"):
        path.append(("district", loc["district"]))
    return path


def label(case: dict) -> str:
    """The case's deepest region as one line, e.g. '山东省 潍坊市 潍城区' (for CSV columns)."""
    return " ".join(path_of(case)) or UNSTATED_REGION


def slug(name: str, tones: bool = False) -> str:
    """Pinyin of a place name without its 省/市/区/县 suffix: 潍坊市 -> weifang."""
    # Imported here: its dictionaries take a second or more to load, and a warm `casebook validate`
    # needs no pinyin unless region names changed.
    from pypinyin import Style, lazy_pinyin

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
    for region, key in zip(siblings, sibling_keys([r.name for r in siblings])):
        region.key = prefix + key
        region.children.sort(key=lambda r: r.name)
        _assign_keys(region.children, region.key + "/")


def sibling_keys(names: list[str]) -> list[str]:
    """The address part of each of a region's children (or of the top-level regions), in their order."""
    plain = [slug(name) for name in names]
    return [slug(name, tones=True) if plain.count(key) > 1 else key for name, key in zip(names, plain)]


# Names of pages the region folder has besides the regions (regions/index.md is the 按地区 page).
RESERVED_KEYS = frozenset({"index"})


def clashes(paths: list[list[str]]) -> dict[int, tuple[int, str]]:
    """Which region paths would not get a page of their own: path index -> (level, why).

    Two different names that give the same address (山东 and 山东省, ABC and abc, 市中 and 市中区)
    would share one page, and a name whose address is a page of the site's own (Index) would replace it.
    Of two names for one address, the one more cases use keeps it; a path is told at its first such level.
    """
    tree: dict = {}
    for path in paths:
        level = tree
        for name in path:
            node = level.setdefault(name, [0, {}])
            node[0] += 1
            level = node[1]
    bad: dict[tuple[str, ...], str] = {}
    _find_clashes(tree, (), "", bad)
    out = {}
    for i, path in enumerate(paths):
        for depth in range(1, len(path) + 1):
            if tuple(path[:depth]) in bad:
                out[i] = (depth - 1, bad[tuple(path[:depth])])
                break
    return out


def _find_clashes(level: dict, above: tuple[str, ...], prefix: str, bad: dict) -> None:
    names = sorted(level, key=lambda name: (-level[name][0], name))  # the most used name first
    first: dict[str, str] = {}
    for name, key in zip(names, sibling_keys(names)):
        address = f"regions/{prefix}{key}/"
        if key in RESERVED_KEYS:
            bad[above + (name,)] = (f"地区名“{name}”的网页地址会是 {address}，与网站自己的“按地区”页面冲突："
                                    "请写地名的中文全称")
        elif key in first:
            bad[above + (name,)] = (f"地区名“{name}”与“{first[key]}”的网页地址相同（{address}），两个地区会合成一页："
                                    f"同一个地方请写成同一个名称（如都写“{first[key]}”），不同的地方请写全称")
        else:
            first[key] = name
            _find_clashes(level[name][1], above + (name,), f"{prefix}{key}/", bad)


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
