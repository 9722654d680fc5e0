"""jsonschema's errors, said in plain Chinese with what is expected."""
from __future__ import annotations

import difflib
import re
from typing import Any

from jsonschema.exceptions import ValidationError

from .safety import shown

_TYPES = {
    "string": "文本", "integer": "整数", "number": "数字", "boolean": "是/否",
    "array": "列表（每项以“- ”开头）", "object": "字段映射（“字段名: 值”）", "null": "空值",
}


def describe_value(value: Any) -> str:
    if value is None:
        return "空值"
    if isinstance(value, bool):
        return f"是/否（{'true' if value else 'false'}）"
    if isinstance(value, (int, float)):
        return f"数字 {value}"
    if isinstance(value, str):
        return f"文本“{shown(value)}”"
    return "列表" if isinstance(value, list) else "字段映射"


def nearest(word: object, choices: list) -> str | None:
    """The choice an editor most likely meant: only a really close one (a typo), never a far-fetched one.

    Choices may come from case data, where a name can be a number (name: 12345).
    """
    texts = [str(c) for c in choices if isinstance(c, (str, int, float)) and not isinstance(c, bool)]
    found = difflib.get_close_matches(str(word), texts, n=1, cutoff=0.7)
    return found[0] if found else None


def expected_type(types: str | list[str]) -> str:
    names = [types] if isinstance(types, str) else types
    return "或".join(_TYPES[t] for t in names if t != "null") or "空值"


def missing_property(error: ValidationError) -> str:
    """The field a `required` error is about (jsonschema reports each missing field separately)."""
    found = re.match(r"^'(.+)' is a required property", error.message)
    return found.group(1) if found else next(n for n in error.validator_value if n not in error.instance)


def _missing(error: ValidationError) -> str:
    """A required field left out, with the schema's description of it."""
    name = missing_property(error)
    described = error.schema.get("properties", {}).get(name, {}).get("description", "")
    return f"缺少必填字段“{name}”" + (f"：{described}" if described else "")


def _not_a_choice(error: ValidationError) -> str:
    """A value outside a vocabulary or list of choices: a label written for its code, a near miss, the choices."""
    schema, value = error.schema, error.instance
    allowed = [str(v) for v in error.validator_value]
    # Chinese name -> code for this vocabulary, put there by schema.with_vocabulary.
    labels: dict = schema.get("x-labels", {}) if isinstance(schema, dict) else {}
    listed = schema.get("x-choices") or "、".join(allowed)
    if value in ("", None):
        return f"未填写。可选值：{listed}"
    kinds: dict = schema.get("x-label-kinds", {}) if isinstance(schema, dict) else {}
    if isinstance(value, str) and value.strip() in kinds:
        term = labels[value.strip()]
        return f"“{shown(value)}”是词表里“{term}”的{kinds[value.strip()]}，不是词条本身：这里要写 {term}"
    guess = nearest(value, allowed) or (labels.get(nearest(value, list(labels))) if labels else None)
    hint = f"是否想写“{guess}”？" if guess else ""
    return f"“{shown(value)}”不在受控词表中。{hint}可选值：{listed}"


def _wrong_type(error: ValidationError) -> str:
    """A text that YAML read as a field (日期:2024-06-28 作者: 来源:…, a colon and a space inside) says so."""
    value, wanted = error.instance, error.validator_value
    said = f"应为{expected_type(wanted)}，实际是{describe_value(value)}"
    if "string" not in (wanted if isinstance(wanted, list) else [wanted]) or not isinstance(value, dict) or len(value) != 1:
        return said
    key, rest = next(iter(value.items()))
    if not isinstance(key, str) or isinstance(rest, (dict, list)):
        return said
    typed = f"{key}: {'' if rest is None else rest}".rstrip()
    before = (key.split() or [key])[-1][-8:]  # the word the colon follows: 作者
    example = f"，如 \"{shown(typed, 200)}\"" if '"' not in typed else ""
    return (f"{said}：文字里的“{shown(before)}: ”（冒号加空格）让 YAML 把它读成了字段名和值。"
            f"整段文字加上英文双引号即可{example}")


def message(error: ValidationError) -> str:
    """One sentence: what is wrong, then what is expected."""
    schema, value = error.schema, error.instance
    kind = error.validator
    expected = schema.get("x-expected") if isinstance(schema, dict) else None
    if kind == "required":
        return _missing(error)
    if kind == "type":
        return _wrong_type(error)
    if kind == "enum":
        return _not_a_choice(error)
    if kind in {"pattern", "format"}:
        if isinstance(value, str) and not value.strip():
            return "未填写（不能为空）"
        return f"{describe_value(value)}格式不对，应为{expected or '符合格式 ' + str(error.validator_value) + ' 的文本'}"
    if kind == "minLength":
        return "未填写（不能为空）" if not value.strip() else f"太短，应为{expected or f'至少 {error.validator_value} 个字'}"
    if kind == "maxLength":
        return f"太长（{len(value)} 字），应为{expected or f'不超过 {error.validator_value} 字'}"
    if kind in {"minimum", "exclusiveMinimum"}:
        return f"{describe_value(value)}太小，应为{expected or f'不小于 {error.validator_value} 的数'}"
    if kind in {"maximum", "exclusiveMaximum"}:
        return f"{describe_value(value)}太大，应为{expected or f'不大于 {error.validator_value} 的数'}"
    if kind == "minItems":
        return f"至少要有 {error.validator_value} 项"
    if kind == "uniqueItems":
        return "列表里有重复的项"
    if kind == "const":
        return f"应为“{error.validator_value}”"
    return f"不符合要求：{error.message}"


# `casebook draft` marks every value it proposes with this field, which no schema object allows:
# an unconfirmed proposal can never pass validation.
DRAFT_FIELD = "draft"
DRAFT_MESSAGE = "草稿：请核对后删除标记（这一项与原文一致就删除“draft: …”这一行，不要的项整项删除）"


def unknown_field_messages(error: ValidationError) -> list[tuple[str, str]]:
    """For additionalProperties: (field, message) per unknown field, suggesting the nearest known one."""
    known = list(error.schema.get("properties", {}))
    out = []
    for name in error.instance:
        if name in known:
            continue
        if name == DRAFT_FIELD:
            out.append((name, DRAFT_MESSAGE))
            continue
        guess = nearest(name, known)
        hint = f"是否想写“{guess}”？" if guess else ""
        out.append((name, f"未知字段“{shown(name)}”。{hint}这里允许的字段：{'、'.join(known)}"))
    return out
