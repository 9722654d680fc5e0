"""Transferability: community types, what a practice needed, and where an idea came from.

The schema checks each field's shape and vocabulary; the checks here are the
ones it cannot express: a learned-from entry names practices of its own case,
the places it names stand in its evidence, and a link to another case names a
case that exists.
"""
from __future__ import annotations

from typing import Callable, Iterable

from .load import Document
from .model import Casebook
from .problems import Problem
from .suggest import Suggestions

def case_problems(doc: Document, stated: Callable[[str, list], bool]) -> list[Problem]:
    """Checks within one case: practice names and places of each learned-from entry.

    `stated(name, quotes)` is the validator's rule for "this place is written in these quotes",
    the same one location.evidence follows.
    """
    entries = doc.data.get("learned_from")
    practices = doc.data.get("practices")
    if not isinstance(entries, list):
        return []
    names = [p.get("name") for p in practices if isinstance(p, dict)] if isinstance(practices, list) else []
    known, suggestions = {n for n in names if isinstance(n, str)}, None
    out = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        refs = entry.get("practices")
        for j, ref in enumerate(refs if isinstance(refs, list) else []):  # any other shape: the schema reports it
            if isinstance(ref, str) and ref not in known:
                suggestions = suggestions or Suggestions([n for n in names if isinstance(n, str)])
                guess = suggestions.nearest(ref)
                hint = f"是否想写“{guess}”？" if guess else "这里写本案例 practices 中某项的 name"
                out.append(doc.problem(("learned_from", i, "practices", j), f"本案例没有名为“{ref}”的做法；{hint}"))
        quotes = entry.get("evidence")
        if not isinstance(quotes, list):
            continue
        for key in ("place", "community"):
            name = entry.get(key)
            if isinstance(name, str) and name.strip() and not stated(name, quotes):
                out.append(doc.problem(("learned_from", i, key),
                                       f"“{name}”在这一项的 evidence 摘录中找不到：只填原文写明的地方，并摘录写明它的句子"))
    return out


def link_problems(docs: Iterable[Document], slugs: list[str]) -> list[Problem]:
    """A learned-from link to another case must name a case of the casebook (and not the case itself)."""
    out, known, suggestions = [], set(slugs), None
    for doc in docs:
        entries = doc.data.get("learned_from")
        own = doc.data.get("slug")
        for i, entry in enumerate(entries if isinstance(entries, list) else []):
            target = entry.get("case") if isinstance(entry, dict) else None
            if not isinstance(target, str) or not target:
                continue
            where = ("learned_from", i, "case")
            if target == own:
                out.append(doc.problem(where, f"“{target}”是本案例自己：这里填学习对象所在的另一个案例"))
            elif target not in known:
                suggestions = suggestions or Suggestions(slugs)  # indexed once, only if some link is dangling
                guess = suggestions.nearest(target)
                hint = f"是否想写“{guess}”？" if guess else "先把那个案例加入案例库，或删去 case 只写 place"
                out.append(doc.problem(where, f"案例库中没有标识为“{target}”的案例；{hint}"))
    return out


# --- what pages, diagram and open data show ---

def community_types(case: dict) -> list[str]:
    """The community type terms of a case, each once, in the order the case lists them."""
    return list(dict.fromkeys(t["term"] for t in case.get("community_types", [])))


def origin(entry: dict) -> str:
    """How a learned-from entry names its origin: '浙江湖州 清滨社区'."""
    return " ".join(part for part in (entry["place"], entry.get("community")) if part)


def learning_links(book: Casebook) -> list[dict]:
    """Every learned-from entry of the casebook, with the case that learned."""
    return [{"case": case, "entry": entry} for case in book.cases for entry in case.get("learned_from", [])]


def learned_by(book: Casebook) -> dict[str, list[dict]]:
    """Case slug -> the cases whose learned-from entries link to it."""
    out: dict[str, list[dict]] = {}
    for link in learning_links(book):
        target = link["entry"].get("case")
        if target and link["case"] not in out.setdefault(target, []):
            out[target].append(link["case"])
    return out


DIAGRAM_MOST = 120  # more links than this make a drawing no one can follow (and a page of megabytes)

# The diagram is drawn in a 340-unit wide box: on a 360 px phone that is about one unit per pixel,
# so 13-unit text stays readable; wider screens cap it with CSS instead of enlarging it.
WIDTH, BOX, FONT, LINE, PAD, GAP = 340, 148, 13, 17, 7, 10
CHARS_PER_LINE = int((BOX - 2 * PAD) / FONT)


def _wrap(text: str, width: int = CHARS_PER_LINE) -> list[str]:
    """Split a label into lines of at most `width` character cells (a Latin letter counts as half)."""
    lines, line, used = [], "", 0.0
    for char in text:
        cost = 0.55 if ord(char) < 0x2E80 else 1.0
        if used + cost > width and line:
            lines.append(line.rstrip())
            line, used = "", 0.0
        if line or not char.isspace():
            line += char
            used += cost
    return lines + [line] if line else lines


def _node(label: str, top: float, left: float, link: str | None = None) -> dict:
    lines = _wrap(label)
    height = 2 * PAD + LINE * len(lines)
    return {"lines": lines, "x": left, "y": top, "w": BOX, "h": height, "mid": top + height / 2, "link": link}


def diagram(book: Casebook) -> dict:
    """Positions of the learning-links diagram: origins on the left, learning cases on the right.

    Origins are listed in the order their learners first name them and each learner sits level with
    its origins, so arrows rarely cross.
    """
    links = learning_links(book)
    origins_of: dict[str, dict[tuple, None]] = {}  # learner -> its origins, in order (dicts: ordered sets)
    for link in links:
        entry = link["entry"]
        key = ("case", entry["case"]) if entry.get("case") else ("place", origin(entry))
        origins_of.setdefault(link["case"]["slug"], {})[key] = None
    origin_keys = list(dict.fromkeys(key for keys in origins_of.values() for key in keys))
    edges_by_key = [(key, slug) for slug, keys in origins_of.items() for key in keys]
    names = {case["slug"]: case["name"] for case in book.cases}
    left, top = {}, 0.0
    for key in origin_keys:
        label = names[key[1]] if key[0] == "case" else key[1]
        left[key] = _node(label, top, 0, key[1] if key[0] == "case" else None)
        top = left[key]["y"] + left[key]["h"] + GAP
    right, floor = {}, 0.0
    for slug, keys in origins_of.items():
        mids = [left[key]["mid"] for key in keys]
        node = _node(names[slug], 0, WIDTH - BOX, slug)
        node["y"] = max(floor, sum(mids) / len(mids) - node["h"] / 2)
        node["mid"] = node["y"] + node["h"] / 2
        right[slug] = node
        floor = node["y"] + node["h"] + GAP
    edges = [{"x1": BOX, "y1": left[key]["mid"], "x2": WIDTH - BOX - 4, "y2": right[slug]["mid"]}
             for key, slug in edges_by_key]
    bottom = max([n["y"] + n["h"] for n in [*left.values(), *right.values()]], default=0)
    return {"origins": list(left.values()), "learners": list(right.values()), "edges": edges,
            "width": WIDTH, "height": bottom + 2, "font": FONT, "line": LINE, "pad": PAD}
