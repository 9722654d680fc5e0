"""Numbers as Chinese text writes them, and figures written back as a reader reads them.

`readings(text)` finds every number a text states — 1.5万, 2.1万平方米, 15亿元,
80%以上, 1200多人, 近百, 十余个, 三个, 二〇二〇, 两千, 1,200, 百分之八十,
full-width digits — with its qualifier, unit and kind (figure, date or rank);
`stated(quote)` gives a quote's figures as (value, qualifier) pairs, and
`typed`/`as_typed` give a number back as the text wrote it. `figure(item)` writes
a figure back with its qualifier: 1200多人, 80%以上, 近100户. Checking a figure
against its evidence quote is figure_check.py's.

The qualifiers and where each goes around the number are defined once, in the
schema's `$defs.qualifier` (`enum` and `x-position`).
"""
from __future__ import annotations

import math
import re
import unicodedata
from functools import cache
from typing import Iterator, NamedTuple

from .schema import case_schema


class Stated(NamedTuple):
    """A number a quote states: its value and its qualifier (多, 以上, 近…) or None when exact."""

    value: int | float
    qualifier: str | None


class Reading(NamedTuple):
    """A number as it stands in a text: what it counts (`unit`: 家, 人, 平方米, %…, None when nothing
    follows it) and whether it is a figure, part of a date (2019年4月, 10月28日) or a rank (第二期).
    `start`/`stop` delimit the number with its qualifier and unit, in the NFKC form of the text."""

    value: int | float
    qualifier: str | None
    unit: str | None
    kind: str  # "figure", "date" or "ordinal"
    start: int
    stop: int
    range: tuple | None = None  # (low, high) when the number is one end of 3至5人


_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
# ASCII digits only: after NFKC full-width digits are ASCII, and other scripts' digits
# (Arabic-Indic…) are not how a Chinese quote writes a figure.
_ARABIC = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?"
_RUN = re.compile(rf"(?P<pct>百分之)?(?P<num>(?:{_ARABIC}|[〇零一二两三四五六七八九十百千万亿])+)")
_TOKEN = re.compile(rf"{_ARABIC}|.")
# A run longer than this is no figure an article writes (the largest figure a case may hold, 1万亿,
# takes 13 digits); reading it would only cost time and overflow floats.
_MAX_RUN = 24
MAX_VALUE = 10**15  # larger is no figure: read as none here, left to the schema by figure_check.py

# Words a quote puts around a number to make it approximate, and the qualifier each stands for.
_BEFORE = [("将近", "近"), ("接近", "近"), ("近", "近"), ("大约", "约"), ("约", "约"),
           ("超过", "超过"), ("超", "超过"), ("逾", "超过"), ("不足", "不足"), ("不到", "不足")]
_AFTER_NUMBER = {"多": "多", "余": "余", "几": "多"}  # 十几 is 10-something, as 10多
_AFTER_UNIT = [("以上", "以上"), ("以下", "以下"), ("以内", "以下"), ("左右", "左右")]
# A character before 近/约 that makes a word, not a qualifier: 附近, 最近, 签约, 节约…
_NOT_BEFORE = {"近": set("附靠最就邻亲"), "约": set("签合节制公契条预邀相履违")}
# Vague amounts: 几十/数百 (several tens, hundreds), 上千 (reaching a thousand).
_VAGUE_BEFORE = {"几": "多", "数": "多", "上": "以上"}
_VAGUE_HEAD = {"几": set("十百千万亿"), "数": set("十百千万亿"), "上": set("百千万亿")}
_NOT_BEFORE_VAGUE = {"数": set("人户次总岁分指函系倍件票位字步参"), "上": set("以向往")}
# What may follow a lone Chinese numeral for it to count: measure words and units (三个, 五级, 六化).
_MEASURE = set("个名人户家次项件条位期起处支座栋幢间所年月天日届批类种级层组队场轮本份张台辆元岁米平公里部套片块股笔篇首门"
               "大化室群堂站点网格万千百亿倍成分")
# 一多元, 三多样: 多 starting a word after a numeral character, not "more than".
_NOT_AFTER = set("元样功种方彩")
_UNIT_BREAK = set("，,。.、；;：:！!？?“”\"'‘’（）()《》【】[] \t\n")
_UNIT_WINDOW = 4  # at most this many characters of unit between a number and 以上/左右: 2.1万平方米以上
SCALES = (("万亿", 10**12), ("亿", 10**8), ("万", 10**4))
# What a number counts, longest first: the word right after it (and after 多/余/%).
_UNITS = sorted("""平方公里 平方千米 平方米 立方米 平米 公里 千米 公顷 公斤 千克 厘米 毫米 米 亩 吨 斤
    人次 户次 个月 课时 小时 分钟 人 名 位 户 家 个 项 件 条 次 期 场 起 处 支 座 栋 幢 间 所 批 类 种 级 层 组 队
    轮 本 份 张 台 辆 部 套 片 块 笔 篇 首 门 元 角 天 周 年 月 日 届 倍 床 把 棵 株 盆 册 枚 顶 盏 节 堂 班 岁 %
    ‰ 周岁 季度 季 场次 餐 顿 杯 箱 袋 包 斤 桌 座 所 栋 单元 楼 网格 m2 ㎡""".split(), key=len, reverse=True)
_RANGE = set("至到-~—")
_SPANS = re.compile(r"[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}|[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?")  # 2024-06-28, 07:19


def _plain_float(value: float) -> int | float:
    return int(value) if value == int(value) else value


def _chinese_value(tokens: list[str]) -> int | float:
    """The value of a run of Arabic numbers and Chinese numerals: 一万五千, 1.5万, 二〇二〇, 两千五."""
    if len(tokens) > 1 and all(t in _DIGITS for t in tokens):
        return int("".join(str(_DIGITS[t]) for t in tokens))  # read digit by digit: 二〇二〇
    total = wan = section = 0.0
    current: float | None = None
    unit_before: int | None = None  # the unit just before the current digit, for 一万五 = 15000
    chinese_digit = False
    for token in tokens:
        if token in _DIGITS or token[0].isdigit():
            if token == "〇" or token == "零":
                current, unit_before = None, None
                continue
            value = _DIGITS[token] if token in _DIGITS else float(token.replace(",", ""))
            current = value if current is None else current * 10 + value
            chinese_digit = token in _DIGITS
        elif token in _SMALL_UNITS:
            section += (1 if current is None else current) * _SMALL_UNITS[token]
            current, unit_before = None, _SMALL_UNITS[token]
            continue
        elif token == "万":
            group = section + (current or 0)
            wan += (group or (0 if wan or total else 1)) * 10**4
            section, current, unit_before = 0, None, 10**4
            continue
        elif token == "亿":
            group = wan + section + (current or 0)
            total = (total + (group or (0 if total else 1))) * 10**8
            wan = section = 0
            current, unit_before = None, 10**8
            continue
        # A digit keeps the unit it follows only while it is the last token (一万五, 两千五).
        unit_before = unit_before if token in _DIGITS else None
    if current is not None and chinese_digit and unit_before and unit_before >= 100:
        current *= unit_before // 10
    value = total + wan + section + (current or 0)
    return _plain_float(value) if value <= MAX_VALUE else math.inf


def _before(text: str, start: int, end: int) -> str | None:
    for word, qualifier in _BEFORE:
        if text.endswith(word, 0, start):
            at = start - len(word)
            if at > 0 and text[at - 1] in _NOT_BEFORE.get(word, ()):
                return None
            if word == "近" and text.startswith("年", end):
                return None  # 近3年来: the last three years, not nearly three
            return qualifier
    return None


def _vague(text: str, start: int, tokens: list[str]) -> str | None:
    """几十, 数百, 上千: the qualifier the word before the number gives, or None."""
    word = text[start - 1:start]
    if not word or tokens[0] not in _VAGUE_HEAD.get(word, ()):
        return None
    if start > 1 and text[start - 2] in _NOT_BEFORE_VAGUE.get(word, ()):
        return None  # 人数百分之, 以上百姓: 数 and 上 belong to the word before
    return _VAGUE_BEFORE[word]


def _after_unit(text: str, end: int) -> str | None:
    for skip in range(_UNIT_WINDOW + 1):
        unit = text[end:end + skip]
        if any(c in _UNIT_BREAK or c.isdigit() or c in _DIGITS for c in unit):
            return None
        for word, qualifier in _AFTER_UNIT:
            if text.startswith(word, end + skip):
                return qualifier
    return None


def _unit_at(text: str, end: int) -> str | None:
    at = end + 1 if text[end:end + 1] == " " else end  # 10 元
    return next((u for u in _UNITS if text.startswith(u, at)), None)


def _kind(text: str, start: int, value: float, unit: str | None, previous: Reading | None) -> str:
    """Dates and ranks are not figures: 2019年, 4月 after a year or before a day, 28日 after a month, 第二期."""
    if text[start - 1:start] == "第":
        return "ordinal"
    whole = value == int(value)
    if unit == "年" and whole and 1900 <= value <= 2100:
        return "date"
    if unit == "月" and whole and 1 <= value <= 12:
        return "date"
    after_date = previous is not None and previous.kind == "date" and (
        previous.stop == start or (previous.stop + 1 == start and text[previous.stop] in _RANGE))
    if unit in ("日", "号") and whole and 1 <= value <= 31 and (after_date or unit == "日"):
        return "date"
    return "figure"


def _run_at(text: str, match: re.Match) -> tuple[int | float, str | None, int, int]:
    """(value, qualifier, start, end) of one run of numerals, its qualifier words included."""
    start, end = match.start(), match.end()
    tokens = _TOKEN.findall(match.group("num"))
    value = _chinese_value(tokens)
    lone = len(tokens) == 1 and not tokens[0][0].isdigit()  # one numeral character: 三, 十, 百
    qualifier = _before(text, start, end)
    vague = None if match.group("pct") or qualifier else _vague(text, start, tokens)
    if vague:
        qualifier, start = vague, start - 1
    following = text[end:end + 1]
    if following in _AFTER_NUMBER and not (lone and text[end + 1:end + 2] in _NOT_AFTER):
        qualifier = qualifier or _AFTER_NUMBER[following]
        end += 1
        if text[end:end + 1] in ("万", "亿"):  # 10余万 = more than 100,000
            value = value * (10**4 if text[end] == "万" else 10**8)
            value = _plain_float(value) if value <= MAX_VALUE else math.inf
            end += 1
    if text[end:end + 1] == "%":
        end += 1
    qualifier = qualifier or _after_unit(text, end)
    if lone and not (qualifier or match.group("pct") or text[match.end():match.end() + 1] in _MEASURE):
        value = math.nan  # 一是, 统一, 十甲: a numeral character inside a word, not a number
    return value, qualifier, start, end


def _scan_all(text: str) -> Iterator[Reading]:
    spans = [m.span() for m in _SPANS.finditer(text)]
    pos, previous = 0, None
    while match := _RUN.search(text, pos):
        pos = match.end()
        if len(match.group("num")) > _MAX_RUN:
            continue  # no figure: a run of digits or numerals longer than any figure an article writes
        value, qualifier, start, end = _run_at(text, match)
        pos = max(pos, end)  # 10余万: the 万 belongs to this number
        if math.isnan(value) or math.isinf(value):
            continue
        unit = "%" if match.group("pct") or text[end - 1:end] == "%" else _unit_at(text, end)
        stop = end if unit == "%" else end + (len(unit) + (text[end:end + 1] == " ") if unit else 0)
        in_span = any(a <= match.start() < b for a, b in spans)
        kind = "date" if in_span else _kind(text, match.start(), value, unit, previous)
        reading = Reading(value, qualifier, unit, kind, start, stop)
        previous = reading
        yield reading


def _ranges(found: list[Reading], text: str) -> list[Reading]:
    """3至5人, 3-5人: both ends count what the second counts."""
    out = list(found)
    for i in range(len(out) - 1):
        low, high = out[i], out[i + 1]
        if (low.kind == high.kind == "figure" and low.unit is None and high.start == low.stop + 1
                and text[low.stop] in _RANGE and low.value < high.value):
            span = (low.value, high.value)
            out[i] = low._replace(unit=high.unit, range=span)
            out[i + 1] = high._replace(range=span)
    return out


def readings(text: str) -> list[Reading]:
    """Every number in the text (NFKC-normalised first, as `prepare` does), in order, dates and ranks included."""
    text = _prepare(text)
    return _ranges(list(_scan_all(text)), text)


def _scan(text: str) -> list[Reading]:
    """The figures of an already prepared text (dates and ranks left out)."""
    return [r for r in _ranges(list(_scan_all(text)), text) if r.kind == "figure"]


def _prepare(quote: str) -> str:
    """Full-width digits, ％ and ，become their ASCII forms, as the quote check compares them."""
    return unicodedata.normalize("NFKC", quote)


prepare = _prepare


def stated(quote: str) -> list[Stated]:
    """Every figure the quote states, first first, each (value, qualifier) once (dates and ranks are no figures)."""
    found = [Stated(f.value, f.qualifier) for f in _scan(_prepare(quote))]
    return list(dict.fromkeys(found))


def plain(value: int | float) -> str:
    """A number as an editor writes it: 1200, 2.1, 1500000 (no exponent, no trailing zeros)."""
    if isinstance(value, float) and value != int(value):
        return f"{value:f}".rstrip("0").rstrip(".")
    return str(int(value))


def scale(unit: str | None) -> int:
    """How many of the plain unit one of this unit is: 万元 -> 10000, 亿元 -> 10^8, 平方米 -> 1."""
    for prefix, factor in SCALES:
        if unit and unit.startswith(prefix):
            return factor
    return 1


def magnitude(item: dict) -> int | float:
    """The figure in plain units, for sorting: 2.1 万平方米 -> 21000."""
    return _plain_float(round(item["value"] * scale(item.get("unit")), 6))


@cache
def positions() -> dict[str, str]:
    """Qualifier -> where it goes: before (近100), number (1200多人) or unit (80%以上)."""
    return case_schema()["$defs"]["qualifier"]["x-position"]


def figure(item: dict) -> str:
    """A figure with its unit and qualifier as a reader reads it: 1200多人, 80%以上, 近100户, 15亿元."""
    value, unit, qualifier = item.get("value"), item.get("unit") or "", item.get("qualifier")
    if value is None:
        return ""
    number = plain(value)
    place = positions().get(qualifier or "")
    if place == "before":
        return f"{qualifier}{number}{unit}"
    if place == "number":
        return f"{number}{qualifier}{unit}"
    return f"{number}{unit}{qualifier or ''}"


def typed(quote: str, start: int, stop: int) -> str:
    """The part of the quote as written whose normalised form (`prepare`) spans start:stop: messages
    quote the article (超30％), never the form the reader compares (超过30%)."""
    ends = [0]
    for char in quote:
        ends.append(ends[-1] + len(_prepare(char)))
    if ends[-1] != len(_prepare(quote)):
        return _prepare(quote)[start:stop]  # a sequence normalised as a whole: no character map
    first = next(i for i, end in enumerate(ends) if end >= start)
    last = next((i for i, end in enumerate(ends) if end >= stop), len(quote))
    return quote[first:last]


def as_typed(quote: str, found: Reading) -> str:
    """A number of the quote as the quote writes it, its qualifier words and unit included: 超30％, 80%以上."""
    text, start, stop = _prepare(quote), found.start, found.stop
    if found.qualifier:
        start -= next((len(w) for w, _ in _BEFORE if text.endswith(w, 0, start)), 0)
        for skip in range(_UNIT_WINDOW + 1):
            word = next((w for w, _ in _AFTER_UNIT if text.startswith(w, stop + skip)), None)
            if word:
                stop += skip + len(word)
                break
    return typed(quote, start, stop)
