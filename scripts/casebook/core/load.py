"""Read one YAML file into plain data, keeping the line and column of every field.

Files come from many editors (Notepad, WPS, phones), so the reader is strict
about encoding and refuses YAML features a case never needs (aliases, tags),
which also defeats alias bombs.
"""
from __future__ import annotations

import math
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from . import fastload, safety, syntax_hints
from .folding import join_chinese_lines
from .problems import Problem, format_path
from .syntax_hints import Hint

MAX_BYTES = 1_000_000
MAX_NODES = 50_000
MAX_DEPTH = 50  # a case nests about 5 levels; deeper structures only exhaust the stack
MAX_REPAIRS = 20  # syntax mistakes repaired in turn to read the rest of a file; beyond, the editor has enough to do
STOPPED = "；改好这一处之前，文件的其余部分无法检查：YAML 从这里起读不下去，猜不出后面的结构"
_SCAN_DEPTH = 2_000  # above this, even composing could crash the interpreter: refuse before parsing

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """Safe loader that keeps dates as text, so 2023-02-30 becomes our message, not a crash."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}

_FAST = fastload.Reader(_Loader)
_TAB_INDENT = re.compile(r"(?:^|[\r\u2028\u2029])[ \t]*\t", re.M)  # where splitlines() starts a line

_STR_TAG = "tag:yaml.org,2002:str"
_PLAIN_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq",
}

# PyYAML's English problems, in the words an editor understands.
_YAML_MESSAGES = [
    ("found character '\\t'", "这里有制表符（Tab）：YAML 的缩进只能用空格"),
    ("mapping values are not allowed", "这里不能出现冒号“:”：检查上一行的缩进；文本里有冒号时请把整段文本用引号括起来"),
    ("could not find expected ':'", "缺少冒号“:”：每个字段都写成“字段名: 值”"),
    ("found unexpected end of stream", "引号没有闭合：检查这一段文本前后的引号是否成对"),
    ("expected <block end>", "缩进不一致：同一层的字段要对齐，下一层多缩进两个空格"),
    ("did not find expected key", "缩进不一致或缺少“- ”：检查这一行和上一行的缩进"),
    ("did not find expected '-'", "列表项缺少“- ”：检查这一行的缩进"),
    ("found undefined alias", "用了没有定义的别名（*）：案例文件不需要锚点和别名，请删去"),
    ("expected a single document", "文件里有多个 YAML 文档（“---”）：一个文件只写一个案例"),
    ("found unknown escape character", "双引号里有无法识别的反斜杠转义：改用单引号，或写成两个反斜杠"),
    ("unacceptable character", "文件里有不允许的控制字符：请删去"),
]


@dataclass
class Document:
    """Plain data from one file, with (line, column) of each field path.

    The fast reader gives no positions: they are worked out from the file's text
    (or the file) the first time a problem needs one.
    """

    file: str
    data: Any
    marks: dict[tuple, tuple[int, int]] | None = None
    text: str | None = field(default=None, repr=False)
    path: Path | None = None
    top: type = dict  # what the file holds at its top level: a case is a mapping, a changelog a list

    def positions(self) -> dict[tuple, tuple[int, int]]:
        if self.marks is None:
            self.marks = {}  # if the file cannot be read again, problems point at its first line
            try:
                if self.text is not None:
                    self.marks = _full_parse(self.text, self.file, self.top).marks
                elif self.path is not None:
                    self.marks = _full_parse(read_text(self.path, self.file), self.file, self.top).marks
            except LoadError:
                pass
        return self.marks

    def where(self, path: tuple) -> tuple[int, int]:
        """Position of the deepest part of `path` that exists in the file."""
        marks = self.positions()
        for end in range(len(path), -1, -1):
            if path[:end] in marks:
                return marks[path[:end]]
        return (1, 1)

    def line_text(self, number: int) -> str:
        """The file's line `number` (1-based) as the editor wrote it, or "" if it cannot be read again."""
        text = self.text
        if text is None and self.path is not None:
            try:
                text = read_text(self.path, self.file)
            except LoadError:
                return ""
        lines = (text or "").split("\n")
        return lines[number - 1].rstrip("\r") if 0 < number <= len(lines) else ""

    def problem(self, path: tuple, message: str, display: str | None = None) -> Problem:
        line, col = self.where(path)
        return Problem(self.file, line, col, display if display is not None else format_path(path), message)


class LoadError(Exception):
    """The file's problems; `partial` is the file read with its syntax mistakes repaired as the messages
    say, so that the checks can still report the rest of it (None when the mistakes could not be repaired)."""

    def __init__(self, problems: list[Problem], partial: Document | None = None):
        self.problems = problems
        self.partial = partial
        super().__init__("; ".join(map(str, problems)))


def read_text(path: Path, display: str, limit: int = MAX_BYTES, what: str = "一个案例文件") -> str:
    """Bytes to text, refusing what no text editor should produce."""
    return decode(read_bytes(path, display, limit, what), display)


def read_bounded(path, limit: int) -> tuple[bytes, int]:
    """A file's bytes, never more than limit + 1 of them, and its size (as read, if it grew).

    Over the limit, the bytes are empty or cut short: the caller reports the size, not the text."""
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        # read(n) reserves n bytes at once: ask for what the file holds, then for any growth up to the limit
        raw = file.read(size + 1) if size <= limit else b""
        if len(raw) > size:
            raw += file.read(limit + 1 - len(raw))
    return raw, max(size, len(raw))


def read_bytes(path: Path, display: str, limit: int = MAX_BYTES, what: str = "一个案例文件") -> bytes:
    """A file's bytes, refusing to read what is not a small regular file.

    Never more than `limit` bytes are read, whatever the file claims: a sparse or growing file
    costs no more memory than the limit.
    """
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # reading a FIFO or a device would block or never end
            raise _fail(display, "不是普通文件（可能是文件夹、管道或设备文件）：请换成普通文本文件")
        raw, size = read_bounded(path, limit)
        if size > limit:
            raise _fail(display, f"文件过大（{_megabytes(size)}）：{what}不应超过 {_megabytes(limit)}")
        return raw
    except OSError as exc:
        raise _fail(display, f"无法读取文件：{exc.strerror or exc}") from None


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size % 1_000_000 else f"{size // 1_000_000} MB"


def decode(raw: bytes, display: str) -> str:
    """UTF-8 bytes to text, naming the line where a NUL byte or another encoding shows."""
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise _fail(display, "文件里有 NUL 空字节：它可能不是文本文件，或已经损坏", line)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        try:
            raw.decode("gb18030")
        except UnicodeDecodeError:
            raise _fail(display, "文件不是 UTF-8 编码：请用 UTF-8 重新保存", line) from None
        raise _fail(
            display,
            "文件是 GBK/GB18030 编码，不是 UTF-8：请用“另存为”重新保存，"
            "编码选择“UTF-8”（记事本、WPS 和 VS Code 都有这个选项）",
            line,
        ) from None


def _fail(display: str, message: str, line: int = 1) -> LoadError:
    return LoadError([Problem(display, line, 1, "", message)])


def parse(text: str, display: str, top: type = dict) -> Document:
    """YAML text to a Document; every problem found becomes a LoadError.

    `top` is what the file must hold at its top level (a mapping for a case, a list for a changelog).
    """
    _precheck(text, display)
    data = _FAST.read(text)
    if data is not None and isinstance(data, top):
        return Document(display, data, text=text, top=top)
    return _compose(text, display, top)


def _precheck(text: str, display: str) -> None:
    """What no reader should see: control characters, tabs in indentation, nesting deep enough to crash one."""
    bad = safety.find_bad_char(text, raw=True)
    if bad is not None:
        line, col = _line_col(text, bad)
        raise LoadError([Problem(display, line, col, "", safety.bad_char_message(text[bad]))])
    if "\t" in text and _TAB_INDENT.search(text):  # rare: then find the line as the editor counts lines
        for number, line in enumerate(text.splitlines(), 1):
            indent = line[: len(line) - len(line.lstrip(" \t"))]
            if "\t" in indent:
                raise LoadError([Problem(display, number, indent.index("\t") + 1, "",
                                         "缩进里有制表符（Tab）：YAML 的缩进只能用空格")])
    deep = _too_deep_line(text)
    if deep:
        raise LoadError([Problem(display, deep, 1, "", f"嵌套层次过深（超过 {MAX_DEPTH} 层）：案例文件只需要几层缩进")])


def _full_parse(text: str, display: str, top: type = dict) -> Document:
    _precheck(text, display)
    return _compose(text, display, top)


def _compose(text: str, display: str, top: type = dict) -> Document:
    """PyYAML with a position for every field: for files the fast reader leaves, and for locating problems."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        problems, repaired = _syntax_problems(exc, display, text)
        partial, more = _partial(repaired, display) if repaired is not None else (None, [])
        raise LoadError(problems + more, partial) from None
    except yaml.YAMLError:
        raise LoadError([Problem(display, 1, 1, "", "YAML 语法错误：文件无法解析，请检查引号、冒号和缩进")]) from None
    except RecursionError:
        raise LoadError([Problem(display, 1, 1, "", f"嵌套层次过深（超过 {MAX_DEPTH} 层）：案例文件只需要几层缩进")]) from None
    if root is None:
        raise LoadError([Problem(display, 1, 1, "", "文件是空的：请从模板复制（见 CONTRIBUTING.md）")])
    doc = Document(display, None, {}, top=top)
    problems: list[Problem] = []
    doc.data = _Builder(doc, problems).build(root, ())
    doc.data = join_chinese_lines(root, doc.data, text)
    if problems:
        raise LoadError(problems)
    if not isinstance(doc.data, top):
        kind = "列表" if isinstance(doc.data, list) else "字段映射" if isinstance(doc.data, dict) else "一段文本或数值"
        wanted = "列表（每项以“- ”开头）" if top is list else "“字段名: 值”的映射（如 slug: …）"
        raise LoadError([Problem(display, 1, 1, "", f"文件顶层应是{wanted}，实际是{kind}")])
    return doc


def _syntax_problems(exc: yaml.MarkedYAMLError, display: str, text: str) -> tuple[list[Problem], str | None]:
    """Every syntax mistake found by repairing one after another as its message says, and the repaired
    text (None when a mistake has no sure repair: then the message says checking stopped there)."""
    problems: list[Problem] = []
    lines = text.split("\n")
    for _ in range(MAX_REPAIRS):
        problem, hint = _yaml_problem(exc, display, "\n".join(lines))
        if hint is None or lines[hint.line - 1] == hint.repaired:
            problems.append(Problem(problem.file, problem.line, problem.col, "", problem.message + STOPPED))
            return problems, None
        problems.append(problem)
        lines[hint.line - 1] = hint.repaired
        try:
            yaml.compose("\n".join(lines), Loader=_Loader)
        except yaml.MarkedYAMLError as again:
            exc = again
        except (yaml.YAMLError, RecursionError):
            return problems, None
        else:
            return problems, "\n".join(lines)
    return problems, None


def _partial(text: str, display: str) -> tuple[Document | None, list[Problem]]:
    """The repaired file, and its own problems (a repeated field, a bad number): all reported in one run."""
    try:
        return _compose(text, display), []
    except LoadError as exc:
        return exc.partial, exc.problems


def load_file(path: Path, display: str, top: type = dict, limit: int = MAX_BYTES) -> Document:
    return parse(read_text(path, display, limit, "这个文件"), display, top)


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _too_deep_line(text: str) -> int | None:
    """First line whose nesting could exceed what the parser survives (an over-estimate, so cheap and safe).

    PyYAML's C composer recurses per level and crashes the interpreter on about 100,000 levels.
    """
    if len(text) <= _SCAN_DEPTH or max(map(len, text.split("\n"))) + text.count("[") + text.count("{") <= _SCAN_DEPTH:
        return None  # no line can reach the limit: skip the line-by-line count
    flow = 0
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.lstrip(" ")
        block = len(line) - len(stripped) + len(re.match(r"(?:[-?]\s+)*", stripped).group())
        opens = line.count("[") + line.count("{")
        if block + flow + opens > _SCAN_DEPTH:  # brackets opened on a line may all be open at once
            return number
        flow = max(0, flow + opens - line.count("]") - line.count("}"))
    return None


# Where a mistake is rather than where the parser gave up: an unclosed quote runs on until the next
# quote far below, and a full-width colon makes the next line the odd one out.
_OPEN_QUOTE = re.compile(r"""^\s*(?:-\s+)*(?:[^\s'"#:][^:#]*:\s+)?(["'])(.*)$""")
_WIDE_COLON = re.compile(r"^\s*(?:-\s+)*[A-Za-z_][A-Za-z0-9_]*\s*：")


def _unclosed_quote(line: str) -> int | None:
    """Column of a quote that opens a value on this line and does not close on it."""
    found = _OPEN_QUOTE.match(line)
    if not found:
        return None
    quote, rest = found.group(1), found.group(2)
    closed = re.search(r'(?<!\\)"', rest) if quote == '"' else "'" in rest.replace("''", "")
    return None if closed else found.start(1) + 1


def _misplaced(text: str, before: int) -> Hint | None:
    lines = text.split("\n")
    for number, line in enumerate(lines[:before], 1):
        if _WIDE_COLON.match(line):
            at = line.index("：")
            return Hint(number, at + 1, "用了全角冒号“：”：字段名后面应是半角冒号“:”加一个空格",
                        line[:at] + ": " + line[at + 1:].lstrip())
        col = _unclosed_quote(line)
        if col:
            return Hint(number, col, "引号没有闭合：这一行的文本以引号开头，但没有在行内结束；补上结尾的引号",
                        line.rstrip() + line[col - 1])
    return (syntax_hints.indentation(lines, before) or syntax_hints.indicator(lines, before)
            or syntax_hints.colon_in_value(lines, before))


def _yaml_problem(exc: yaml.MarkedYAMLError, display: str, text: str = "") -> tuple[Problem, Hint | None]:
    """The problem to report, and how to repair its line when that is sure."""
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    guess = _misplaced(text, line)
    if guess:
        return Problem(display, guess.line, guess.col, "", guess.message), guess
    english = f"{exc.context or ''} {exc.problem or ''}"
    for needle, chinese in _YAML_MESSAGES:
        if needle in english:
            return Problem(display, line, col, "", chinese), None
    return Problem(display, line, col, "", "YAML 语法错误：请检查这一行的引号、冒号和缩进"), None


class _Builder:
    """Turns a composed node tree into dicts, lists and scalars, recording positions."""

    def __init__(self, doc: Document, problems: list[Problem]):
        self.doc, self.problems = doc, problems
        self.constructor = SafeConstructor()
        self.seen: set[int] = set()

    def fail(self, node: yaml.Node, path: tuple, message: str, at_key: bool = False) -> None:
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        if at_key:
            line, col = self.doc.marks.get(path, (line, col))
        self.problems.append(Problem(self.doc.file, line, col, format_path(path), message))

    def build(self, node: yaml.Node, path: tuple) -> Any:
        if len(path) > MAX_DEPTH:
            line, col = node.start_mark.line + 1, node.start_mark.column + 1
            self.problems.append(Problem(self.doc.file, line, col, format_path(path[:4]) + "…",
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
        self.doc.marks.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
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
            self.doc.marks[path + (key,)] = here
            out[key] = self.build(value_node, path + (key,))
        return out


def _repeated(key: str, first: int, path: tuple, starts: bool) -> str:
    if starts and path and isinstance(path[-1], int):  # in a list item: most likely the next item lost its "- "
        return (f"字段“{key}”在这一项里重复出现（第一次在第 {first} 行）：如果从这里起是下一项，"
                f"在这一行的 {key} 前加“- ”（与上一项的“- ”对齐）；否则只保留一个")
    return f"字段“{key}”重复出现（第一次在第 {first} 行）：只保留一个"
