"""Read one YAML file into plain data, keeping the line and column of every field.

Files come from many editors (Notepad, WPS, phones), so the reader is strict
about encoding and refuses YAML features a case never needs (aliases, tags),
which also defeats alias bombs. This module owns reading a file: its bytes and
encoding, what no reader should see (control characters, tabs in indentation,
deep nesting), the fast reader for plain files and PyYAML for the rest, and the
Document with its positions. Turning PyYAML's node tree into data is
yaml_tree.py's; saying what a syntax error means is syntax_errors.py's.
"""
from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import fastload, safety
from .folding import join_chinese_lines
from .problems import Problem, format_path
from .syntax_errors import syntax_problems
from .yaml_tree import MAX_DEPTH, Builder

MAX_BYTES = 1_000_000
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
        problems, repaired = syntax_problems(exc, display, text, _Loader)
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
    doc.data = Builder(display, doc.marks, problems).build(root, ())
    doc.data = join_chinese_lines(root, doc.data, text)
    if problems:
        raise LoadError(problems)
    if not isinstance(doc.data, top):
        kind = "列表" if isinstance(doc.data, list) else "字段映射" if isinstance(doc.data, dict) else "一段文本或数值"
        wanted = "列表（每项以“- ”开头）" if top is list else "“字段名: 值”的映射（如 slug: …）"
        raise LoadError([Problem(display, 1, 1, "", f"文件顶层应是{wanted}，实际是{kind}")])
    return doc


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
