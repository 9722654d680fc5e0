"""A figure of a case checked against its evidence quote, in the words an editor understands.

`mismatch(item)` says in plain Chinese when a figure's value, unit or qualifier
disagrees with the numbers its evidence quote states (numbers.py reads them):
the value is not in the quote, is part of a date or a rank, counts something
else, or the quote makes it approximate. `agrees(unit, counted)` says whether an
item's unit counts what a number of the quote counts; `written_as(quote, value)`
gives the figure of a value as the quote writes it, for other messages.
"""
from __future__ import annotations

import math

from .numbers import MAX_VALUE, SCALES, Reading, as_typed, magnitude, plain, prepare, readings, scale, typed

# Units that count the same thing: an item's unit agrees with the quote's word if both are in one group.
_SAME_UNIT = [{"人", "名", "位"}, {"平方米", "平米", "m2", "㎡"}, {"元", "块"}, {"天", "日"}, {"公里", "千米"},
              {"平方公里", "平方千米"}, {"公斤", "千克"}, {"岁", "周岁"}]


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _figures(quote: str) -> list[Reading]:
    """The figures the quote states, in order (dates and ranks left out)."""
    return [r for r in readings(quote) if r.kind == "figure"]


def _excerpt(quote: str, found: list[Reading], width: int = 8) -> str:
    """The quote as written around its first number, so a long quote stays readable in a one-line message."""
    text = prepare(quote)
    if len(text) <= 2 * width + 6 or not found:
        return f"“{quote}”"
    start, end = max(0, found[0].start - width), min(len(text), found[0].stop + width)
    return f"“{'…' if start else ''}{typed(quote, start, end)}{'…' if end < len(text) else ''}”"


def written_as(quote: str, wanted: int | float) -> str | None:
    """How the quote writes the figure of this value (超30％, 1200多人次), or None if it states none."""
    found = [f for f in _figures(quote) if _same(f.value, wanted)]
    return as_typed(quote, found[0]) if found else None


def _said(found: Reading, quote: str) -> str:
    return f"“{as_typed(quote, found)}”"


def _scale_hint(value: float, unit: str, found: list[Reading]) -> str:
    """When the quote writes the number with 万 or 亿 and the unit lacks it: say both ways to write it."""
    if scale(unit) != 1:
        return ""
    for prefix, factor in SCALES:
        if any(_same(f.value, value * factor) for f in found):
            whole = plain(round(value * factor, 6))
            return f"（原文写的是 {plain(value)}{prefix}：单位写“{prefix}{unit}”，或数值写 {whole}）"
    return ""


def base_unit(unit: str) -> str:
    """The unit without its 万/亿, as the quote's number already includes them: 万元 -> 元."""
    for prefix, _ in SCALES:
        if unit.startswith(prefix) and len(unit) > len(prefix):
            return prepare(unit[len(prefix):])
    return prepare(unit)


def agrees(unit: str | None, counted: str | None) -> bool:
    """Whether an item's unit counts what the quote's number counts (个 and 家 do not; 人 and 名 do)."""
    if not unit or counted is None:
        return True
    base = base_unit(unit)
    words = next((group for group in _SAME_UNIT if counted in group), {counted})
    return any(base.startswith(word) for word in words)


def _finite(value: int | float) -> bool:
    """A value the reader can compare: not inf, NaN or an integer beyond any figure (the schema reports those)."""
    if isinstance(value, int):
        return abs(value) <= MAX_VALUE
    return math.isfinite(value) and abs(value) <= MAX_VALUE


def _not_a_figure(value: float, shown: str, quote: str, found: list[Reading]) -> str | None:
    """The message when the value is a date or a rank of the quote (10月28日, 2019年, 第二期), else None."""
    for reading in found:
        if reading.kind != "figure" and _same(reading.value, value):
            start = reading.start
            for other in found:  # the whole date: 2019年4月, 10月28日
                if other.kind == "date" and other.stop in (start, start - 1) and reading.kind == "date":
                    start = other.start
            written = typed(quote, start - (reading.kind == "ordinal"), reading.stop)
            what = "日期" if reading.kind == "date" else "序号"
            return (f"数值 {shown}在摘录{_excerpt(quote, [reading])}里是{what}“{written}”的一部分，不是数量："
                    f"{what}不填作数值，请摘录原文写明数量的句子")
    return None


def _shown(value: int | float, unit: str) -> str:
    """The value as a message names it: “16 ” or “2.1万平方米（即 21000）” (no space after a closing bracket)."""
    if scale(unit) == 1:
        return f"{plain(value)} "
    return f"{plain(value)}{unit}（即 {plain(magnitude({'value': value, 'unit': unit}))}）"


def _value_not_stated(value: int | float, unit: str, quote: str, every: list[Reading]) -> str:
    """The message when no figure of the quote has the item's value (`every`: all its numbers, dates too)."""
    shown = _shown(value, unit)
    found = [f for f in every if f.kind == "figure"]
    excerpt = _excerpt(quote, found)
    dated = _not_a_figure(value * scale(unit), shown, quote, every)
    if dated:
        return dated
    if not found:
        return f"数值 {shown}在摘录{excerpt}里找不到：摘录里没有数，请摘录原文写明这个数的句子"
    said = "、".join(dict.fromkeys(_said(f, quote) for f in found))
    return f"数值 {shown}与摘录{excerpt}不一致：摘录里的数是{said}{_scale_hint(value, unit, found)}"


def _unit_not_counted(value: int | float, unit: str, quote: str, same: list[Reading]) -> str:
    """The message when the quote's number of this value counts something other than the item's unit."""
    stated_as = same[0]
    written = as_typed(quote, stated_as)
    return (f"单位“{unit}”与摘录{_excerpt(quote, same)}不一致：摘录里的 {plain(value)} "
            f"数的是“{stated_as.unit}”（{written}），unit 应写 {stated_as.unit}")


def _qualifier_differs(value: int | float, unit: str, qualifier: str | None, quote: str,
                       counted: list[Reading]) -> tuple[str, str]:
    """(field, message) when the quote states the figure with another qualifier than the item's (or none)."""
    shown = _shown(value, unit)
    stated_as = counted[0]
    excerpt = _excerpt(quote, counted)
    written = as_typed(quote, stated_as)
    if stated_as.qualifier and not qualifier:
        return "value", (f"数值 {shown}在摘录{excerpt}里是约数“{written}”："
                         f"请加一行 qualifier: {stated_as.qualifier}")
    if not stated_as.qualifier:
        return "qualifier", (f"数值 {shown}的修饰词“{qualifier}”与摘录{excerpt}不一致："
                             f"摘录写的是确数 {plain(value)}，请删去 qualifier")
    return "qualifier", (f"数值 {shown}的修饰词“{qualifier}”与摘录{excerpt}不一致："
                         f"摘录写的是“{written}”，应为 qualifier: {stated_as.qualifier}")


def mismatch(item: dict) -> tuple[str, str] | None:
    """(field, message) when the item's value, unit or qualifier disagrees with its evidence quote, else None."""
    value, quote, qualifier = item.get("value"), item.get("evidence"), item.get("qualifier")
    if value is None and qualifier is not None:
        return "qualifier", f"写了修饰词“{qualifier}”却没有数值：删去 qualifier，或按原文填上 value 和 unit"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not isinstance(quote, str):
        return None  # the schema reports a missing or mistyped value or quote
    if not _finite(value):
        return None  # the schema reports a value beyond any figure
    unit = item.get("unit") if isinstance(item.get("unit"), str) else ""
    every = readings(quote)
    same = [f for f in every if f.kind == "figure" and _same(f.value, value * scale(unit))]
    if not same:
        return "value", _value_not_stated(value, unit, quote, every)
    counted = [f for f in same if agrees(unit, f.unit)]
    if not counted:
        return "unit", _unit_not_counted(value, unit, quote, same)
    if any(f.qualifier == qualifier for f in counted):
        return None
    return _qualifier_differs(value, unit, qualifier, quote, counted)
