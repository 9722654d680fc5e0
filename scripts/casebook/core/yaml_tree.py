"""A composed YAML node tree turned into plain dicts, lists and scalars, with the line and column of
every field, and the rules every value of every file meets on the way.

load.py composes a file with PyYAML and hands the node tree to `Builder`; what the builder refuses
(aliases, merge keys, tags, repeated fields, control characters, NaN, trees too deep or too large)
becomes a Problem at the field where the editor looks.
"""
from __future__ import annotations

import math
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from . import safety
from .problems import Problem, format_path

MAX_NODES = 50_000
MAX_DEPTH = 50  # a case nests about 5 levels; deeper structures only exhaust the stack

_STR_TAG = "tag:yaml.org,2002:str"
_PLAIN_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq",
}


class Builder:
    """Turns a composed node tree into dicts, lists and scalars, recording positions in `marks`
    (field path -> (line, column)) and problems in `problems`."""

    def __init__(self, file: str, marks: dict[tuple, tuple[int, int]], problems: list[Problem]):
        self.file, self.marks, self.problems = file, marks, problems
        self.constructor = SafeConstructor()
        self.seen: set[int] = set()

    def fail(self, node: yaml.Node, path: tuple, message: str, at_key: bool = False) -> None:
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        if at_key:
            line, col = self.marks.get(path, (line, col))
        self.problems.append(Problem(self.file, line, col, format_path(path), message))

    def build(self, node: yaml.Node, path: tuple) -> Any:
        if len(path) > MAX_DEPTH:
            line, col = node.start_mark.line + 1, node.start_mark.column + 1
            self.problems.append(Problem(self.file, line, col, format_path(path[:4]) + "…",
                                         f"嵌套层次过深（超过 {MAX_DEPTH} 层）：案例文件只需要几层缩进"))
            return None
        # A node met twice is an alias; refusing it keeps expansion linear.
        if id(node) in self.seen:
            # An alias node carries its anchor's position; the key that uses it is where the editor looks.
            self.fail(node, path, "不支持 YAML 锚点和别名（& 和 *）：请把内容直接写出来", at_key=True)
            return None
        self.seen.add(id(node))
        if len(self.seen) > MAX_NODES:
            self.fail(node, path, f"文件结构过于庞大（超过 {MAX_NODES} 个节点）")
            return None
        self.marks.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if node.tag not in _PLAIN_TAGS:
            self.fail(node, path, f"不支持的 YAML 标签 {node.tag}：去掉“!”开头的标签")
            return None
        if node.tag == _STR_TAG and isinstance(node, yaml.ScalarNode):
            return self._checked(node, path, node.value)  # most values are text: skip SafeConstructor's dispatch
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        try:
            value = self.constructor.construct_object(node)
        except (yaml.YAMLError, ValueError, OverflowError):
            self.fail(node, path, f"无法识别的值：{safety.shown(node.value)}")
            return None
        return self._checked(node, path, value)

    def _checked(self, node: yaml.Node, path: tuple, value: Any) -> Any:
        """One rule for every value of every file: no control characters, no NaN or infinity."""
        if isinstance(value, float) and not math.isfinite(value):
            self.fail(node, path, f"“{node.value}”不是一个数：请写具体的数字")
            return None
        if isinstance(value, str):
            bad = safety.find_bad_char(value)
            if bad is not None:
                self.fail(node, path, safety.bad_char_message(value[bad], escaped=True))
                return None
        return value

    def _mapping(self, node: yaml.MappingNode, path: tuple) -> dict:
        out: dict = {}
        first_line: dict = {}
        segment: set = set()  # the fields since the last reported repeat: the item the editor meant
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.fail(key_node, path, "不支持 YAML 合并键（<<）：请把字段直接写出来")
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.fail(key_node, path, "字段名必须是普通文字")
                continue
            key = str(key_node.value)
            bad = safety.find_bad_char(key)
            if bad is not None:
                self.fail(key_node, path, safety.bad_char_message(key[bad], escaped=True))
                continue
            here = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if key in out:
                if key in segment:
                    starts = key == next(iter(out))  # the item's first field again: the next item begins here
                    self.fail(key_node, path + (key,), _repeated(key, first_line[key], path, starts))
                    segment = set()  # the rest is one more item (a lost "- "): one message for it, not one a field
                    first_line[key] = here[0]
                segment.add(key)
                continue
            segment.add(key)
            first_line[key] = here[0]
            self.marks[path + (key,)] = here
            out[key] = self.build(value_node, path + (key,))
        return out


def _repeated(key: str, first: int, path: tuple, starts: bool) -> str:
    if starts and path and isinstance(path[-1], int):  # in a list item: most likely the next item lost its "- "
        return (f"字段“{key}”在这一项里重复出现（第一次在第 {first} 行）：如果从这里起是下一项，"
                f"在这一行的 {key} 前加“- ”（与上一项的“- ”对齐）；否则只保留一个")
    return f"字段“{key}”重复出现（第一次在第 {first} 行）：只保留一个"
