"""Safe-text rules shared by every reader and writer: characters no case needs, names that are taken,
and where a file really lies.

One place decides what text may reach a page, title, attribute, script, CSV or PDF; the loader
applies it to every value of every file, the validator to names, the exports to their cells.
"""
from __future__ import annotations

import os
import re

# Control characters (tab and line breaks excepted), lone surrogates, non-characters such as U+FFFF,
# and the bidirectional overrides that make text read differently from how it is stored.
_NONCHARACTERS = "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17))
_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\u202a-\u202e\u2066-\u2069"
                  + _NONCHARACTERS + "]")
_RAW_ALLOWED = "\t\n\r"
# The same rule for text without characters beyond U+FFFF (nearly all): a class of BMP ranges only
# is matched about ten times faster than one that also holds astral characters.
_BAD_BMP = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff\u202a-\u202e\u2066-\u2069]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")

# Page names the site itself uses in the folders where case and category pages live.
RESERVED_SLUGS = frozenset({"index"})


def find_bad_char(text: str, raw: bool = False) -> int | None:
    """Index of the first character no case text may hold (None if clean).

    `raw` is for a whole file, where carriage returns end lines; inside a value only tab and
    line feed are ordinary.
    """
    found = _BAD_BMP.search(text)
    if found is None and _ASTRAL.search(text):
        found = _BAD.search(text)
    if found is None and not raw and "\r" in text:
        return text.index("\r")
    return found.start() if found else None


def bad_char_message(char: str, escaped: bool = False) -> str:
    code = f"U+{ord(char):04X}"
    how = f"（可能写成了转义“\\x{ord(char):02x}”或“\\u{ord(char):04x}”）" if escaped else ""
    return f"文本里有不可见的控制字符 {code}{how}：请删去"


_SPELLED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _spell(ch: str) -> str:
    return _SPELLED.get(ch) or (f"\\u{ord(ch):04x}" if _BAD.match(ch) else ch)


def shown(value: object, limit: int = 20) -> str:
    """A value as a message quotes it: one line, short, control characters spelled out."""
    text = str(value)
    text = text if len(text) <= limit else text[:limit] + "…"
    return "".join(map(_spell, text))


def one_line(text: str) -> str:
    """Newlines and other control characters in a message spelled out, so a message stays one line."""
    return "".join(ch if ch == "\t" else _spell(ch) for ch in text)


# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(…), +cmd|…).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """Text a spreadsheet shows as text: a leading apostrophe turns a would-be formula into plain text."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class RealPaths:
    """Where files really lie, links followed: each folder is resolved once, and a file itself only if
    it is a link (resolving every one of thousands of files is slow enough to matter)."""

    def __init__(self):
        self._folders: dict[str, str] = {}

    def __call__(self, path: str | os.PathLike) -> str:
        folder, name = os.path.split(os.fspath(path))
        if folder not in self._folders:
            self._folders[folder] = os.path.realpath(folder)
        return os.path.realpath(path) if os.path.islink(path) else os.path.join(self._folders[folder], name)
