"""Line joins in folded YAML text that Chinese does not want.

YAML folds a line break inside a `>-` block (or a plain multi-line value) into
a space. Between two Chinese characters, or a Chinese character and a digit, that
space is a stray gap on every page, search result and handout ("微信群， 开办",
"开启运营： 60周岁"). This refolds such values from the file's own lines, joining
with nothing there, and only when the result is otherwise exactly what YAML produced.
"""
from __future__ import annotations

import re
from typing import Any

import yaml

# Han characters, CJK and full-width punctuation, and the quotes and dashes Chinese text uses.
WIDE = r"[\u2014\u2018-\u201f\u2026\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]"
_WIDE = re.compile(WIDE)
_DIGITS = "0123456789"
# Where YAML may have folded a line break that joins() removes: what a fast reader must refold or leave.
FOLDED = re.compile(f"{WIDE} (?:{WIDE}|[0-9])|[0-9] {WIDE}")


def _wide(char: str) -> bool:
    return bool(_WIDE.match(char))


def joins(before: str, after: str) -> bool:
    """Whether a line break between these two characters is no space in Chinese: between two Chinese
    characters, and between a Chinese character and a digit (开启运营：60周岁, 共有60户). Between
    Latin letters, or a letter and a Chinese character, the break stays a space."""
    wide_before, wide_after = _wide(before), _wide(after)
    return (wide_before and (wide_after or after in _DIGITS)) or (before in _DIGITS and wide_after)


def _refold(lines: list[str]) -> tuple[str, str]:
    """The lines folded as YAML does (space-joined), and folded the Chinese way."""
    yaml_text, chinese = "", ""
    previous = ""
    for line in lines:
        if not line:
            yaml_text += "\n"
            chinese += "\n"
            previous = ""
            continue
        if previous:
            yaml_text += " "
            if not joins(previous[-1], line[0]):
                chinese += " "
        yaml_text += line
        chinese += line
        previous = line
    return yaml_text, chinese


def _unfold(node: yaml.ScalarNode, value: str, text: str) -> str:
    if node.style not in (">", "", None) or node.start_mark.line == node.end_mark.line:  # "": plain, as libyaml says it
        return value
    raw = text[node.start_mark.index:node.end_mark.index].split("\n")
    if node.style == ">":
        raw = raw[1:]  # the header line holding ">-"
    lines = [line.strip() for line in raw]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    folded, chinese = _refold(lines)
    body = value.rstrip("\n")
    if folded != body or folded == chinese:
        return value  # a layout this simple refold does not model: keep YAML's own result
    return chinese + value[len(body):]


def join_chinese_lines(node: yaml.Node, data: Any, text: str) -> Any:
    """`data` built from `node`, with folded line joins between Chinese characters removed."""
    if isinstance(node, yaml.ScalarNode):
        return _unfold(node, data, text) if isinstance(data, str) else data
    if isinstance(node, yaml.SequenceNode) and isinstance(data, list):
        return [join_chinese_lines(n, d, text) for n, d in zip(node.value, data)]
    if isinstance(node, yaml.MappingNode) and isinstance(data, dict):
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in data:
                data[key] = join_chinese_lines(value_node, data[key], text)
    return data
