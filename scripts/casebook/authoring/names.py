"""Names of models, practices and recognitions a source text gives, each with the clause that names it:
names in quotation marks (by the words beside them), things set up or held as a rule, rooms where
residents talk things over, and honours awarded.
"""
from __future__ import annotations

import itertools
import re

from .figures import clauses

_QUOTED = re.compile(r"“(?P<name>[^“”\n]{2,20})”")
_MODEL_AFTER = ("工作模式", "治理模式", "工作机制", "模式", "工作法", "机制", "体系", "理念")
_HONOUR = ("示范", "先进", "荣誉", "称号", "模范", "标兵", "优秀", "名片")
_AWARDED = ("荣获", "获得", "获评", "被评为", "评为", "授予", "命名", "入选", "收录", "转变为")
# Words that make a quoted name a practice (a shop, a canteen, a team…), not a slogan or an idea.
_PRACTICE_WORDS = ("服务", "超市", "食堂", "工作室", "活动", "项目", "调解室", "队", "平台", "中心", "站", "课", "馆",
                   "工程", "行动", "制度", "品牌", "管家", "托老", "托幼", "节", "书屋", "驿站", "议事", "网格", "物业",
                   "居委会", "助餐", "助餐点")
# A practice named where it was set up, without quotation marks: 成立了由……组成的东风快递小哥服务队.
_FOUNDED = re.compile(r"(?:成立|组建|建立|设立|打造|开设|开办|创办)了?(?:由[^，。；！？\n]{1,60}?组成的)?(?:一支|一个|一家|一处)?"
                      r"(?P<name>[^\W\d_]{2,12}?(?:服务队|志愿队|巡逻队|宣讲团|食堂|餐厅|工作室|驿站|书屋|超市|调解室|议事会|服务站"
                      r"|服务中心))")
# A meeting held as a rule (每月召开一次物业联动会, 定期召开联席会议) or a room where residents talk things over
# (到小区议事厅里): a practice. A meeting held once (召开了……座谈会) is an event, and is left out.
_HELD = re.compile(r"(?:每月|每周|每季度|每半月|每年|定期|常态化)都?(?:召开|举办|组织|开展)(?:一次|一场|一期)?"
                   r"(?P<name>[^\W\d_]{0,10}?(?:联席会议|联席会|联动会|议事会|恳谈会|协调会|例会|听证会))")
# Something set up and named right after a verb of doing with 了 or after 先后/持续/率先 (建立了“暖巢”志愿服务超市,
# 先后成立小区党支部和业主委员会, 持续开展在职党员进小区活动, 率先试点网格化管理).
_DONE = re.compile(r"(?:(?:先后|相继|陆续|持续|率先)(?=\S{2}[^了])|(?=\S{2}了))"
                   r"(?:建立|成立|组建|设立|开设|开通|开办|打造|推行|实行|开展|创建|搭建|健全|培育|孵化|试点)了?"
                   r"(?P<name>[^，,。；;！!？?：:\n0-9]{4,20})(?=[，,。；;！!？?\n]|$)")
_ROOM = re.compile(r"(?:在|到|走进|来到)(?P<name>[^\W\d_]{2,10}?(?:议事厅|议事室|议事亭|议事长廊|会客厅))")
_YEAR = re.compile(r"(?:19|20)[0-9]{2}(?=年)")


def clause_at(text: str, at: int) -> str:
    for clause in clauses(text):
        if clause.start <= at < clause.start + len(clause.text):
            return clause.text
    return text[at:at + 20]


def names(text: str, honours_kind: str | None) -> tuple[list[dict], list[dict], list[dict]]:
    """Models, practices and recognitions the text names, each with a clause that names it."""
    occurrences: dict[str, list[re.Match]] = {}
    for match in _QUOTED.finditer(text):
        if not re.search(r"[。！？，,]", match.group("name")):
            occurrences.setdefault(match.group("name"), []).append(match)
    models, practices, honours = _quoted(text, occurrences, honours_kind)
    for match in itertools.chain(*(pattern.finditer(text) for pattern in (_FOUNDED, _HELD, _ROOM, _DONE))):
        named = [p["name"] for p in practices]
        if match["name"] not in occurrences and not any(match["name"] in n or n in match["name"] for n in named):
            practices.append({"name": match["name"], "category": "", "status": "", "description": "",
                              "evidence": clause_at(text, match.start("name"))})
    if honours_kind:
        honours += [h for h in _awarded(text, honours_kind) if not any(o["evidence"] in h["evidence"] for o in honours)]
    return models, practices, honours


def _quoted(text: str, occurrences: dict[str, list[re.Match]], honours_kind: str | None) -> tuple[list, list, list]:
    """Names in quotation marks: a model by the word after it (“四汇共治”工作模式), an honour by the verb
    that awards it, a practice by what it is (a canteen, a team, a service)."""
    models, practices, honours = [], [], []
    for name, found in occurrences.items():
        said = [(m, clause_at(text, m.start()), text[m.end():m.end() + 6]) for m in found]
        said = [s for s in said if s[1] != f"“{name}”"] or said  # a heading of its own says least
        model = next((s for s in said if any(s[2].startswith(w) for w in _MODEL_AFTER)), None)
        if model:
            models.append({"name": name, "status": "", "description": "", "evidence": model[1]})
            continue
        awarded = [s for s in said if honours_kind and any(w in s[1] for w in _AWARDED)
                   and any(word in name or s[2].startswith(word) for word in _HONOUR)]
        if awarded and awarded[0][1] not in [h["evidence"] for h in honours]:  # 荣获“A”“B”“C”: one honour
            honours.append(_honour(honours_kind, awarded[0][1]))
        rest = [s for s in said if s not in awarded]  # 开展“红色物业”工作 as well as 被评为“红色物业”示范小区
        if any(word in name or s[2].startswith(word) for s in rest for word in _PRACTICE_WORDS):
            practices.append({"name": name, "category": "", "status": "", "description": "", "evidence": rest[0][1]})
        elif rest and (named := _named_with(name, rest[0][0], text)):  # “爱心车轮”老年助餐服务
            practices.append({"name": named, "category": "", "status": "", "description": "", "evidence": rest[0][1]})
    return models, practices, honours


def _named_with(name: str, match: re.Match, text: str) -> str | None:
    """The quoted name with the words after it, when they end in what a practice is (“爱心车轮”老年助餐服务)."""
    after = re.match(r"[^\W\d_]{1,8}", text[match.end():])
    if not after:
        return None
    ends = [after[0].rfind(word) + len(word) for word in _PRACTICE_WORDS if word in after[0]]
    return f"“{name}”{after[0][:max(ends)]}" if ends else None


def _awarded(text: str, honours_kind: str) -> list[dict]:
    """Sentences that award an honour (2020年……转变为天长市示范小区, 被收录《……蓝皮书》), with the year
    the sentence opens with."""
    out, seen = [], set()
    for sentence in clauses(text, "。；;！!？?\n"):
        verb = next((v for v in _AWARDED if v in sentence.text), None)
        after = sentence.text[sentence.text.find(verb):] if verb else ""
        book = re.search(r"《[^《》]+》", after) if verb == "收录" else None
        key = book[0] if book else sentence.text  # a headline and the body telling of the same book: one honour
        if (book or (verb and any(word in after for word in _HONOUR))) and key not in seen:
            seen.add(key)
            out.append(_honour(honours_kind, sentence.text))
    return out


def _honour(kind: str, quote: str) -> dict:
    year = _YEAR.match(quote)  # 2020年，……转变为示范小区; not 《2018年度……》
    return {"kind": kind, "statement": quote.rstrip("。；;！!？?"), "evidence": quote, **({"year": int(year[0])} if year else {})}
