"""How complete a case is, computed from its data: filled fields, figures with values, evidence coverage.

The definition shown on the field reference page is built from CRITERIA and
`counted_fields` below, so the page and the score cannot drift apart.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Callable

from .model import Casebook
from .schema import Field, case_schema, fields, paths_using, values_at
from .quotes import normalise

# Fields whose value says nothing about the case itself (editor's notes, old addresses).
SKIP_MARK = "x-completeness"


@dataclass
class Part:
    """One criterion's result for one case: a share in [0, 1] and what is missing.

    A criterion that cannot apply (no figure the case could give a number for) does not count."""

    share: float
    missing: list[str] = field(default_factory=list)
    applies: bool = True


@dataclass
class Score:
    score: int  # 0-100
    parts: dict[str, Part]

    @property
    def missing(self) -> list[str]:
        return [text for part in self.parts.values() for text in part.missing]


def counted_fields(schema: dict) -> list[Field]:
    """Schema fields outside list items that count towards 'filled' (evidence lists and notes do not)."""
    out = []
    for f in fields(schema):
        if "*" in f.path or f.node.get(SKIP_MARK) is False or f.path[-1] == "evidence":
            continue
        if "properties" in f.node:  # an object counts through its own fields
            continue
        out.append(f)
    return out


def is_filled(value: object) -> bool:
    return value not in (None, "", [], {})


def _value(case: dict, path: tuple) -> object:
    for key in path:
        if not isinstance(case, dict):
            return None
        case = case.get(key)
    return case


def filled_fields(case: dict, book: Casebook, counted: list[Field] | None = None) -> Part:
    counted = counted if counted is not None else counted_fields(book.schema)
    # A field the case records as not stated by its source is done, not missing: guessing scores nothing.
    unstated = set(case.get("unstated") or [])
    empty = [f for f in counted if not is_filled(_value(case, f.path)) and f.dotted not in unstated]
    missing = [f"未填写 {f.dotted}（{_short(f.node.get('description', ''))}）" for f in empty]
    return Part(1 - len(empty) / len(counted) if counted else 1.0, missing)


def figures_with_values(case: dict, book: Casebook, counted: list[Field] | None = None) -> Part:
    """Profile figures and outcomes that carry a value, among those whose kind can have one.

    An outcome of a kind that needs a value (the vocabulary's needs_value) counts, and so does any
    outcome that gives one; a description or a plan never has a number and is not counted against
    the case. With no figure at all, the criterion does not apply."""
    needs_value = set(book.taxonomy.having("outcome_kinds", "needs_value"))
    profile = case.get("profile") or []
    outcomes = [o for o in case.get("outcomes") or [] if o["kind"] in needs_value or o.get("value") is not None]
    valued = len(profile) + sum(o.get("value") is not None for o in outcomes)
    total = len(profile) + len(outcomes)
    missing = [f"{total - valued} 项成效没有数值"] if total > valued else []
    return Part(valued / total if total else 1.0, missing, applies=bool(total))


def evidence_coverage(case: dict, book: Casebook, counted: list[Field] | None = None) -> Part:
    """Paragraphs of the kept source text that at least one evidence quote comes from."""
    text = book.sources.get(case["source"]["file"], "")
    # (line number in the source file, its text, normalised): the editor finds a paragraph by its line.
    paragraphs = [(n, line.strip(), normalise(line)) for n, line in enumerate(text.splitlines(), 1) if normalise(line)]
    quotes = [normalise(q) for q in _quotes(case)]
    uncovered = [(n, line) for n, line, plain in paragraphs if not any(q and q in plain for q in quotes)]
    missing = [f"原文 {len(paragraphs)} 段中有 {len(uncovered)} 段没有任何摘录：" + _which(uncovered)] if uncovered else []
    return Part(1 - len(uncovered) / len(paragraphs) if paragraphs else 0.0, missing)


def _which(paragraphs: list[tuple[int, str]], shown: int = 5) -> str:
    """第 3 行“曹溪街道天马社区成立…”: the line and opening words of each paragraph, the first few of them."""
    named = [f"第 {n} 行“{line[:12]}{'…' if len(line) > 12 else ''}”" for n, line in paragraphs[:shown]]
    return "、".join(named) + (f" 等 {len(paragraphs)} 段" if len(paragraphs) > shown else "")


@cache
def _quote_paths() -> list[tuple]:
    # The vocabulary adds choices, not fields: the case schema's quote fields are the book's.
    return paths_using(case_schema(), "quote")


def _quotes(case: dict) -> list[str]:
    """Everything the case copies from its source: each quote the validator checks (the schema's quote
    fields: evidence, speakers' words, a start date's sentence) and the headline."""
    quoted = [value for path in _quote_paths() for _, value in values_at(case, path)]
    title = (case.get("source") or {}).get("title")
    return [q for q in (*quoted, title) if isinstance(q, str)]


def _short(description: str) -> str:
    """The description up to its first full stop or comma, for a compact list of what is missing."""
    for stop in ("。", "，", "：", "（"):
        description = description.split(stop, 1)[0]
    return description


# (key, label, weight, explanation, function): the whole definition of the score.
Criterion = tuple[str, str, int, str, Callable[[dict, Casebook, list[Field] | None], Part]]
CRITERIA: list[Criterion] = [
    ("fields", "字段填写", 40,
     "下面所列字段中已填写或已列入 unstated（原文未写明）的比例（列表项内的字段、原文摘录和整理说明不计）。"
     "原文没写的字段列入 unstated 就不算缺少，不必为了分数去猜。", filled_fields),
    ("values", "数值依据", 30,
     "社区概况数字和可以有数值的成效中带数值的比例：成效的类型在受控词表中标为 needs_value（须填数值和单位）、"
     "或这项成效填了数值，才计入；只有文字描述、尚未实现的成效不计。没有任何可计的数字时，这一项不参与计算，其余两项按权重折算。",
     figures_with_values),
    ("evidence", "原文覆盖", 30,
     "清理后的原文中，至少有一处原文摘录出自其中的段落所占比例。", evidence_coverage),
]


def score(case: dict, book: Casebook, counted: list[Field] | None = None) -> Score:
    parts = {key: fn(case, book, counted) for key, _, _, _, fn in CRITERIA}
    total = sum(weight for key, _, weight, _, _ in CRITERIA if parts[key].applies)
    value = sum(parts[key].share * weight for key, _, weight, _, _ in CRITERIA if parts[key].applies) / total
    return Score(round(value * 100), parts)


class Scores(Mapping):
    """Slug -> Score, each worked out when first asked for (a page renders one case at a time)."""

    def __init__(self, book: Casebook):
        self.book = book
        self.cases = {case["slug"]: case for case in book.cases}
        self.counted = counted_fields(book.schema)  # walk the schema once, not once per case
        self.found: dict[str, Score] = {}

    def __getitem__(self, slug: str) -> Score:
        if slug not in self.found:
            self.found[slug] = score(self.cases[slug], self.book, self.counted)
        return self.found[slug]

    def __iter__(self) -> Iterator[str]:
        return iter(self.cases)

    def __len__(self) -> int:
        return len(self.cases)


def definition(book: Casebook) -> dict:
    """What the field reference page says about the score: criteria, weights and counted fields."""
    return {
        "criteria": [(label, weight, text) for _, label, weight, text, _ in CRITERIA],
        "fields": [f.dotted for f in counted_fields(book.schema)],
    }
