"""Where a YAML syntax mistake really is, what the line should be, and the repaired line.

PyYAML names the place where it gave up, which is often not the line the editor
got wrong: an item indented by 3 spaces is "missing a dash", a key indented by 5
is "a colon not allowed here" on the line above. These rules look at the lines
themselves. Each hint carries the line repaired, so the rest of the file can
still be read and checked.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# A value YAML reads as syntax, not text, when it starts with one of these characters.
INDICATORS = "%@`*&!|>"
_KEY = re.compile(r"^(?P<dashes>(?:-[ ]+)*)(?P<key>[^\s'\"#:\-][^:#]*?|\"[^\"]*\"|'[^']*'):(?:[ ]+(?P<value>.*))?$")
_DASHES = re.compile(r"^(?:-(?:[ ]+|$))+")
_BLOCK_HEADER = re.compile(r"^[|>][-+0-9]*\s*(?:#.*)?$")


@dataclass
class Hint:
    line: int  # 1-based
    col: int
    message: str
    repaired: str  # the whole line as it should be


def quoted(value: str) -> str:
    """A YAML scalar that reads back as exactly `value`: double quotes unless the text needs escaping."""
    if '"' not in value and "\\" not in value:
        return f'"{value}"'
    return "'" + value.replace("'", "''") + "'"


def indicator(lines: list[str], last: int) -> Hint | None:
    """A value on lines up to `last` that starts with a character YAML reserves (% @ ` * & ! | >)."""
    for number in range(min(last, len(lines)), 0, -1):  # the nearest to where the parser stopped
        line = lines[number - 1]
        found = _KEY.match(line.strip())
        value = (found.group("value") or "").strip() if found else ""
        if not value or value[0] not in INDICATORS or _BLOCK_HEADER.match(value):
            continue
        text = _without_comment(value)
        key = line[: len(line) - len(line.lstrip())] + found.group("dashes") + found.group("key")
        fix = f"{key.strip()}: {quoted(text)}"
        return Hint(number, line.index(value) + 1,
                    f"以“{value[0]}”开头的值要加引号（YAML 把它当成了特殊符号）：写成 {fix}",
                    f"{key}: {quoted(text)}")
    return None


def colon_in_value(lines: list[str], number: int) -> Hint | None:
    """A plain value holding ": " on the line where the parser stopped (说明: 一是…): YAML reads a second field."""
    if not 0 < number <= len(lines):
        return None
    line = lines[number - 1]
    found = _KEY.match(line.strip())
    value = (found.group("value") or "").strip() if found else ""
    if not value or value[0] in "\"'[{|>#" or ": " not in _without_comment(value):
        return None
    text = _without_comment(value)
    key = line[: len(line) - len(line.lstrip())] + found.group("dashes") + found.group("key")
    return Hint(number, line.index(value) + text.index(": ") + 1,
                f"这一行的值里有冒号加空格“: ”，YAML 把它后面读成了又一个字段：把整个值用引号括起来，"
                f"写成 {key.strip()}: {quoted(text)}", f"{key}: {quoted(text)}")


def commented_value(line: str) -> str | None:
    """The text after `key: #` when a value starting with # made the field empty, else None."""
    found = _KEY.match(line.strip())
    value = found.group("value") if found else None
    if value and value.startswith("#") and len(value) > 1 and not value[1].isspace():  # "# note" is a comment
        return value
    return None


def _without_comment(value: str) -> str:
    at = value.find(" #")
    return value[:at].rstrip() if at > 0 else value


@dataclass
class _Level:
    col: int
    line: int
    dash: bool  # a list item's "- " stands here (else a field name)


def indentation(lines: list[str], last: int) -> Hint | None:
    """The first line up to `last` whose indentation matches no open level of the file."""
    stack: list[_Level] = [_Level(0, 0, False)]
    child = False  # the line before opened a block: the next may go one level deeper
    text_col, block = None, False  # lines deeper than text_col continue a text (folded if block)
    for number, line in enumerate(lines[: min(last, len(lines))], 1):
        content = line.strip()
        if not content or content.startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        if text_col is not None and indent > text_col:
            if block or not _KEY.match(content):
                continue
            return _misindented(lines, number, indent, content, stack)  # a field can never go on a text
        deeper = child and (indent > stack[-1].col or (content.startswith("-") and indent == stack[-1].col))
        if not deeper and not _close_levels(stack, indent):
            return _misindented(lines, number, indent, content, stack)
        child, text_col, block = _open_levels(stack, number, indent, content)
    return None


def _close_levels(stack: list[_Level], indent: int) -> bool:
    """Close the levels deeper than a line at `indent` that opens none; False if no open level has its indentation."""
    while len(stack) > 1 and stack[-1].col > indent:
        stack.pop()
    if stack[-1].col != indent:
        return False
    if len(stack) > 1:
        stack.pop()  # a sibling takes the place of the line above
    return True


def _open_levels(stack: list[_Level], number: int, indent: int, content: str) -> tuple[bool, int | None, bool]:
    """Open the levels the line's dashes and field name start; (whether the next line may go one level
    deeper, the column deeper than which lines continue a text or None, whether that text is a block)."""
    dashes = _DASHES.match(content)
    col = indent
    for _ in range(dashes.group().count("-") if dashes else 0):
        stack.append(_Level(col, number, True))
        col += 2
    col = indent + (dashes.end() if dashes else 0)
    found = _KEY.match(content[col - indent:])
    if found:
        stack.append(_Level(col, number, False))
        value = (found.group("value") or "").strip()
        child = not value or value.startswith("#")
        if value and not child:
            return False, col, bool(_BLOCK_HEADER.match(value))
        return child, None, False
    return False, (indent if dashes else None), False


def _misindented(lines: list[str], number: int, indent: int, content: str, stack: list[_Level]) -> Hint:
    dash = content.startswith("-")
    same_kind = [level for level in stack if level.dash == dash and level.line] or stack
    target = min(same_kind, key=lambda level: (abs(level.col - indent), -level.col))
    above = lines[target.line - 1][target.col:].strip() if target.line else ""
    what = "列表项" if dash else "字段"
    message = f"这一行缩进了 {indent} 个空格，上面没有同样缩进的一层：这个{what}应缩进 {target.col} 个空格"
    if above:
        message += f"，与第 {target.line} 行“{_short(above)}”对齐"
    return Hint(number, indent + 1, message, " " * target.col + content)


def _short(text: str, width: int = 16) -> str:
    return text if len(text) <= width else text[:width] + "…"


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


def misplaced(text: str, before: int) -> Hint | None:
    """The line up to `before` that really holds the mistake, and its repair: a full-width colon, an
    unclosed quote, then the indentation, indicator and colon rules above."""
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
    return indentation(lines, before) or indicator(lines, before) or colon_in_value(lines, before)
