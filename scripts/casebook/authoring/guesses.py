"""What a draft can only guess, never quote: a practice's category and status, and the article's lead as
a summary to shorten. Each guess comes from the vocabulary (its descriptions and status cues) and says
why, so the editor can judge it; like every drafted value it does not pass until confirmed.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache

from ..core.schema import Taxonomy

_NOT_HAN = re.compile(r"[^\u4e00-\u9fff]+")
# A category is guessed only when its words clearly outweigh the next one's (the rest is the editor's call).
_LEAST_SCORE, _LEAD_OVER_NEXT = 1.5, 1.2
# The dateline before the lead's first word: 本报济宁6月29日讯（记者 王博文）, 红网时刻长沙8月31日讯, 本报讯(记者 刘嘉怡).
_DATELINE = re.compile(r"^(?:[^，。]{0,20}?[0-9]{1,2}月[0-9]{1,2}日(?:电|讯)|本报讯|本网讯)\s*(?:[(（][^()（）]{0,40}[)）])?\s*")
# A cue followed by 等, 版块, 栏目 or 箱 is part of a name (a board of a website), not what was done.
_NAMING = "等|版块|板块|栏目|箱|信箱|专栏"
_LEAD_MOST = 150  # characters: two or three sentences, as the schema asks of a summary (a first sentence stays whole)


def _pairs(text: str) -> set[str]:
    """Every two Chinese characters standing side by side: words without a dictionary (调解室 -> 调解, 解室)."""
    return {run[i:i + 2] for run in _NOT_HAN.split(text) for i in range(len(run) - 1)}


@lru_cache(maxsize=8)
def _category_pairs(categories: tuple[tuple[str, str], ...]) -> dict[str, dict[str, float]]:
    """term -> its character pairs, each weighted by how few categories share it."""
    pairs = {term: _pairs(words) for term, words in categories}
    shared = Counter(pair for found in pairs.values() for pair in found)
    return {term: {pair: math.log(len(pairs) / shared[pair]) for pair in found} for term, found in pairs.items()}


def category(name: str, sentence: str, taxonomy: Taxonomy) -> tuple[str, str] | None:
    """(term, why) for the category whose name and description share most with the practice, the name counting
    three times; None when no category clearly leads."""
    words = tuple((c["term"], "|".join(str(c.get(k, "")) for k in ("term", "short", "description")))
                  for c in taxonomy.categories)
    in_name, in_text = _pairs(name), _pairs(name + "|" + sentence)
    scores = sorted(((sum(w * (3 if p in in_name else 1) for p, w in weights.items() if p in in_text), term)
                     for term, weights in _category_pairs(words).items()), reverse=True)
    best, term = scores[0]
    if best < _LEAST_SCORE or (len(scores) > 1 and best < _LEAD_OVER_NEXT * scores[1][0]):
        return None
    return term, f"类别“{term}”是按做法的名称和句子与词表对它的说明相近提出的"


def status(sentence: str, taxonomy: Taxonomy) -> tuple[str, str] | None:
    """(term, why) for the status whose cue the sentence holds; a status not counted as done wins over one that
    is (将成立 is a plan), and no cue means no guess."""
    done = set(taxonomy.having("practice_statuses", "done"))
    found = [(entry["term"] in done, entry["term"], cue) for entry in taxonomy.practice_statuses
             for cue in entry.get("cues", []) if re.search(f"{re.escape(cue)}(?!{_NAMING})", sentence)]
    if not found:
        return None
    _, term, cue = min(found, key=lambda f: (f[0], sentence.find(f[2])))
    return term, f"状态是按句中的“{cue}”提出的"


def without_dateline(text: str) -> str:
    return _DATELINE.sub("", text.strip())


def lead(body_line: str | None) -> str | None:
    """The article's first sentences (its lead) without the dateline, to shorten into the summary."""
    if not body_line:
        return None
    body = without_dateline(body_line)
    out = ""
    for sentence in re.findall(r"[^。！？]+[。！？]?", body):
        if out and len(out) + len(sentence) > _LEAD_MOST:
            break
        out += sentence
    return out or None
