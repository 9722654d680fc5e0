"""Chinese search: teach jieba our own words so a model name like 四汇共治 stays one token."""
from __future__ import annotations

import json
from pathlib import Path

from .model import Casebook


def user_words(book: Casebook) -> list[str]:
    """Model names and their parts, and tags: the names readers type whole.

    Category terms and practice names are left out on purpose: as single tokens
    they would hide the everyday words inside them (调解 inside a longer category name or
    a practice name such as 和为贵调解室) from search, which matches whole words and word starts only.
    """
    words: set[str] = set()
    for case in book.cases:
        words.update(case.get("tags", []))
        for m in case.get("models", []):
            words.add(m["name"])
            words.update(part["name"] for part in m.get("parts", []))
    # Only Chinese words of two or more characters help the segmenter; punctuation would split them anyway.
    return sorted(w for w in words if len(w) >= 2 and all("\u4e00" <= ch <= "\u9fff" for ch in w))


def add_user_words(book: Casebook) -> None:
    import jieba

    for word in user_words(book):
        jieba.add_word(word, freq=200_000)


def compact_index(site_dir: Path) -> None:
    """Rewrite Material's search index as UTF-8: it escapes every Chinese character as \\uXXXX, doubling the size."""
    path = site_dir / "search" / "search_index.json"
    if path.is_file():
        data = json.loads(path.read_text(encoding="utf-8"))
        path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
