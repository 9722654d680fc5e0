"""What a case says an article states that the schema alone cannot check: who said it, free tiers, dates.

- `said_by` names a person whose words the case quotes (so a reader can see the role), never a group;
- a tier is free or has a price, not both ("free" is not 0 yuan);
- a practice's start date, and the source's dates, publisher and host, are written in the quotes beside them.
"""
from __future__ import annotations

import re
import unicodedata
from functools import cache

from .load import Document
from .problems import Problem
from .schema import case_schema, fields, values_at


@cache
def _said_by_paths() -> list[tuple]:
    return [f.path for f in fields(case_schema()) if f.path[-1] == "said_by"]


def case_problems(doc: Document) -> list[Problem]:
    data = doc.data
    if not isinstance(data, dict):
        return []
    return _speakers(doc, data) + _tiers(doc, data) + _started(doc, data) + _source_facts(doc, data)


def _speakers(doc: Document, data: dict) -> list[Problem]:
    quotes = data.get("quotes") if isinstance(data.get("quotes"), list) else []
    speakers = list(dict.fromkeys(q.get("speaker") for q in quotes if isinstance(q, dict) and q.get("speaker")))
    out = []
    for pattern in _said_by_paths():
        for path, name in values_at(data, pattern):
            if isinstance(name, str) and name.strip() and name not in speakers:
                known = f"本案例 quotes 中的发言人：{'、'.join(map(str, speakers))}" if speakers else "本案例还没有 quotes"
                out.append(doc.problem(path, f"“{name}”不是 quotes 中的发言人（{known}）：先在 quotes 里摘录此人的话，"
                                             "写明 speaker 和 role，这里再写同一个姓名"))
    return out


def _tiers(doc: Document, data: dict) -> list[Problem]:
    out = []
    for path, tier in values_at(data, ("practices", "*", "tiers", "*")):
        if isinstance(tier, dict) and tier.get("free") is True and tier.get("value") is not None:
            out.append(doc.problem(path + ("value",), "这一档写了 free: true 又写了价格：免费就删去 value 和 unit，"
                                                      "有价格就删去 free"))
    return out


def _started(doc: Document, data: dict) -> list[Problem]:
    out = []
    for path, practice in values_at(data, ("practices", "*")):
        if not isinstance(practice, dict):
            continue
        date, quote = practice.get("started"), practice.get("started_evidence")
        if _dated(date) and isinstance(quote, str) and not date_stated(date, [quote]):
            out.append(doc.problem(path + ("started",), f"开始日期“{date}”在 started_evidence 摘录中找不到：日期要照原文写，"
                                                        "摘录写明这个日期的句子"))
    return out


# What the source's own lines must show when a case says it (the schema: "都应能在这里找到").
_NAMED_IN_EVIDENCE = {"publisher": "报名或网站名", "host": "网站名"}


def _source_facts(doc: Document, data: dict) -> list[Problem]:
    """A date, publisher or host the case gives for its source is written in source.evidence (none given: nothing is)."""
    source = data.get("source")
    if not isinstance(source, dict):
        return []
    evidence = source.get("evidence") if isinstance(source.get("evidence"), list) else []
    if not all(isinstance(q, str) for q in evidence):
        return []  # the schema's message for the broken quote is the one to read; these would follow from it
    out = []
    for key in ("date", "month_day", "written"):
        value = source.get(key)
        if _dated(value) and not date_stated(value, evidence):
            out.append(doc.problem(("source", key), f"日期“{value}”在 source.evidence 的摘录中找不到：摘录原文写明这个日期的文字"))
    quoted = [_plain(q) for q in evidence]
    for key, what in _NAMED_IN_EVIDENCE.items():
        value = source.get(key)
        if isinstance(value, str) and value.strip() and not any(_plain(value) in q for q in quoted):
            out.append(doc.problem(("source", key), f"“{value}”在 source.evidence 的摘录中找不到：把原文写明{what}的那一行"
                                                    "摘进 source.evidence（照原文写，不要根据网址或常识填写）"))
    return out


_DATE = re.compile(r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?|[0-9]{2}-[0-9]{2}")


def _dated(value) -> bool:
    """A date written as the schema asks; any other value gets the schema's own message, not a second one."""
    return isinstance(value, str) and _DATE.fullmatch(value) is not None


def _plain(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def date_stated(date: str, quotes: list) -> bool:
    """Whether YYYY, YYYY-MM, YYYY-MM-DD or MM-DD is written in one of the quotes, as digits with 年月日 or dashes.

    Each quote on its own: "2024年" ending one and "6月" opening the next are no date."""
    return any(_date_in(date, _plain(q)) for q in quotes if isinstance(q, str))


def _date_in(date: str, text: str) -> bool:
    parts = date.split("-")
    if len(parts[0]) != 4:  # a month and day without a year
        month, day = parts
        return any(f"{m}月{d}日" in text for m in {month, month.lstrip("0")} for d in {day, day.lstrip("0")})
    if date in text:
        return True
    year, rest = parts[0], parts[1:]
    variants = [f"{year}年"]
    for unit, part in zip("月日", rest):
        variants = [v + p + unit for v in variants for p in {part, part.lstrip("0")}]
    return any(v in text for v in variants)
