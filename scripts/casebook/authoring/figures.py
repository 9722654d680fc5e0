"""Figures a source text states, offered to a draft: the value, unit and qualifier `numbers` reads, what
the figure counts (the words before it), and the clause or sentence that quotes it.

A standing fact (居民总户数有3200户) goes to the profile; a count of work done (今年以来共受理居民诉求1360余件)
becomes an outcome when the vocabulary has a kind for figures.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..core import numbers

_CLAUSE_END = "，,。；;！!？?\n"
_SENTENCE_END = "。；;！!？?\n"
_CLOSING = ("”", "’", "」", "』")
# Characters that end a place name written before 区/街道/社区: words of the sentence, not of the name.
NOT_IN_NAME = "在于设到至从向对把被让给以及和与同跟为是有的了着过地得也都就还又将要会能可其该这那此各每本全等"
_FIGURE_AT_END = re.compile(r"[0-9][0-9.]*[多余]?[^\W\d_]{0,3}$")
# An age is a threshold (60岁以上老人) or a person's (现年84岁), a figure only as an average (平均年龄72岁).
_AGE = "岁"
_AGE_FIGURE = ("平均", "年龄")
# A price in a sentence about meals or fees is most likely a practice's price tier.
_PRICE = "元"
_PRICE_WORDS = ("餐", "饭", "价", "收费", "免费", "优惠", "折")
# How long something has stood (建成将近十年) is a standing fact, whatever verb the sentence has.
_SPANS = ("年", "个月")
_SINCE = ("来", "以来", "前", "后", "间")
_COMPOUND = ("制", "义务")
_TIER_HINT = "这是价格：如果是某项做法的收费标准，请移到那项做法的 tiers（价格档次），不要留在这里"
# A sentence with one of these, or a clause with one of the verbs, reports work done.
_WORK_SPAN = ("以来", "累计", "共计", "先后", "截至", "全年")
_WORK_VERBS = ("受理", "办结", "办理", "开展", "举办", "组织", "化解", "调解", "解决", "收集", "发放", "走访", "慰问",
               "完成", "帮助", "帮扶", "惠及", "吸引", "带动", "培训", "招募", "募集", "筹集", "整治", "改造", "新增", "建成")
# Words before a figure that say when or how (目前, 今年以来, 共有), not what is counted; a bare 共 or 已
# only before a verb (共受理), never the start of a word (共享).
_LEADING = re.compile(r"^(?:目前|现已|现在|当前|如今|截至目前|今年以来|近年来|近年|今年|去年|全年|其中|同时|此外|另外"
                      rf"|共有|现有|拥有|辖有|累计|先后|共计|(?:共|已)(?={'|'.join(_WORK_VERBS)})"
                      rf"|[^\W\d_{NOT_IN_NAME}]{{2,6}}(?:街道|社区|镇|乡))")


@dataclass
class Span:
    """A piece of the source: its text exactly as written and where it starts."""

    text: str
    start: int


def clauses(text: str, ends: str = _CLAUSE_END) -> list[Span]:
    """The text cut at `ends`; a stop keeps its closing quotation mark (……越来越和谐了！”), which does not open the next."""
    out, start = [], 0
    for i, char in enumerate(text + "\n"):
        if i < start:
            continue  # the closing mark taken with the stop before it
        if char in ends:
            stop = i + (char in "。！!？?" and i < len(text))
            stop += stop > i and text[stop:stop + 1] in _CLOSING
            piece = text[start:stop]
            stripped = piece.strip()
            if stripped:
                out.append(Span(stripped, start + piece.index(stripped[0])))
            start = max(i + 1, stop)
    return out


def _quote_of(text: str, clause: Span, sentences: list[Span]) -> str:
    """The clause, or its whole sentence when the clause alone is too short to be a quote (4 characters)."""
    return clause.text if len(clause.text) >= 6 else _sentence_at(sentences, clause)


def _as_written(reading: numbers.Reading, clause: str) -> tuple[int | float, str | None]:
    """Value and unit as the quote writes them: 35万元 stays 35 万元, 2.1万平方米 stays 2.1 万平方米."""
    unit = reading.unit
    if unit is None and clause[reading.stop:reading.stop + 1] == "大":
        unit = "个"  # 九大微信群: nine of them; the editor may prefer 项 or another word
    if unit is None or unit == "%":
        return reading.value, unit
    number = numbers.prepare(clause)[reading.start:reading.stop]
    for prefix, factor in (("亿", 10**8), ("万", 10**4)):
        head = number[:number.find(prefix)] if prefix in number else ""
        if head and re.fullmatch(r"[近约超逾不足过将接大]*[0-9.]+[多余]?", head):
            return numbers.magnitude({"value": reading.value / factor, "unit": ""}), prefix + unit
    return reading.value, unit


def _label(clause: str, reading: numbers.Reading, places: tuple[str, ...] = ()) -> str:
    """What the figure counts, from the words before it (居民总户数有 -> 居民总户数), else after it.

    Words that say when or where (目前中韩街道共有社区) are not what is counted: they are dropped."""
    text = numbers.prepare(clause)
    before = re.sub(r"(有|为|达|共|约|是|现有|共有|达到|累计|其中|包含|[:：])+$", "", text[:reading.start]).strip(" ，,、")
    before = re.sub(r"\([^()]*\)", "", before)  # 早餐(鸡蛋、馒头)5.5元 counts 早餐
    before = re.split(r"[、，,(（]", before)[-1][-20:].lstrip("“”\")）")
    before = _FIGURE_AT_END.sub("", before)  # 居民群众1324户3200余人: the second counts 居民群众 too
    while True:
        tidy = _LEADING.sub("", before)
        tidy = next((tidy[len(p):] for p in places if p and tidy.startswith(p)), tidy)
        if tidy == before:
            break
        before = tidy
    after = re.match(r"[^，,。；;、(（]{0,20}", text[reading.stop:]).group(0)
    if re.search(r"[0-9]", before) and after:
        before = ""  # 包含13个小区楼盘、6个驻地单位: the second counts what follows it, as the first does
    label = before or after or text
    return re.sub(r"[<>&\s]", "", label)[:60] or "数值"


def _reports_work(sentence: str, clause: str) -> bool:
    """今年以来共受理居民诉求1360余件: a count of what was done, an outcome rather than a standing fact."""
    return any(word in sentence for word in _WORK_SPAN) or any(verb in clause for verb in _WORK_VERBS)


def figures(text: str, places: tuple[str, ...] = (), figure_kind: str | None = None,
            unsaid: list[tuple[int, int]] = ()) -> tuple[list[dict], list[dict]]:
    """Standing figures for the profile and, when the vocabulary has a kind for them, counts of work done
    as outcomes of that kind; each with its quote. Figures inside `unsaid` spans (speech no one is said
    to have said) are left out."""
    sentences = clauses(text, _SENTENCE_END)
    profile, outcomes = [], []
    for clause in clauses(text):
        if any(start <= clause.start < end for start, end in unsaid):
            continue
        for reading in numbers.readings(clause.text):
            if reading.kind != "figure" or not 0 <= reading.value <= 10**12:
                continue
            if numbers.prepare(clause.text)[reading.start:reading.start + 1] == "一" and reading.value == 1:
                continue  # 一个小区, 一位传承人: the article "a", not a count
            value, unit = _as_written(reading, clause.text)
            if unit is None:
                continue  # 1+N, 1是社区居委会: a number that counts nothing
            if unit == _AGE and not any(word in clause.text for word in _AGE_FIGURE):
                continue
            after = numbers.prepare(clause.text)[reading.stop:reading.stop + 2]
            if unit in _SPANS and after.startswith(_SINCE + _COMPOUND):
                continue  # 近1年来, 3年前: when, not how much; 九年义务制: a name
            label = _label(clause.text, reading, places)
            figure = {"value": value, "unit": unit, **({"qualifier": reading.qualifier} if reading.qualifier else {}),
                      "evidence": _quote_of(text, clause, sentences)}
            if reading.range:
                figure["note"] = f"原文是范围 {numbers.plain(reading.range[0])}至{numbers.plain(reading.range[1])}"
            sentence = _sentence_at(sentences, clause)
            if unit.endswith(_PRICE) and any(word in sentence for word in _PRICE_WORDS):
                figure["hint"] = _TIER_HINT
            if figure_kind and unit not in _SPANS and _reports_work(sentence, clause.text):
                if any(word in sentence and word not in clause.text for word in _WORK_SPAN):
                    figure["evidence"] = sentence  # 今年以来 belongs to the figure: the quote keeps it
                statement = _quote_of(text, clause, sentences).rstrip(_SENTENCE_END)
                outcomes.append({"kind": figure_kind, "statement": statement, **figure})
            else:
                profile.append({"label": label, **figure})
    return profile, outcomes


def _sentence_at(sentences: list[Span], clause: Span) -> str:
    return next((s.text for s in sentences if s.start <= clause.start < s.start + len(s.text)), clause.text)
