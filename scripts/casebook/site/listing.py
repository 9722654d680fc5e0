"""Listing pages that stay small: the first rows in the page, the rest in row scripts loaded on demand.

A phone lays out a table of a few hundred rows at once; at 50,000 cases the catalogue alone would be
tens of MB. So a listing page carries its first FIRST rows, and the others are rendered by the same
row template into scripts of PER_SCRIPT rows each (loaded by <script> tags, so file:// works) that
casebook.js fetches when the reader asks for more, filters or sorts. Row links are relative to the
page that shows them, as if the rows were in it. Rows are made one at a time, so the rows of cases
that did not change can come from the last build (render_cache.PageCache.rows).
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Callable, NamedTuple

from markupsafe import Markup

from . import routes
from .jobs import Job

if TYPE_CHECKING:
    from .render_cache import PageCache

OUTCOME_CASES = 50  # the outcomes page lists each case's outcomes (about 4 a case): about FIRST rows
FIRST = 200  # rows shown at once: a few hundred KB of HTML, laid out in well under a second on a phone
PER_SCRIPT = 1000  # rows per script: a few hundred KB each, few files even at 50,000 cases

Render = Callable[..., str]


class Rows(NamedTuple):
    """How a listing makes its rows, one item at a time: the HTML of one, and (if it can be kept) its key.

    A key is the digest of all the row shows (render_cache.py): an unchanged case's row in the catalogue,
    matrix or outcomes is then taken from the last build instead of rendered again."""

    render: Callable[[dict], str]
    key: Callable[[dict], str] | None = None


def pieces(items: list, first: int = FIRST) -> tuple[list, list[list]]:
    """The items the page shows, and the rest in groups of PER_SCRIPT."""
    return items[:first], [items[i:i + PER_SCRIPT] for i in range(first, len(items), PER_SCRIPT)]


def script(key: str, number: int, html: str) -> str:
    """A row script: its rows' HTML as a JavaScript string (the rows were escaped by their template)."""
    return f"casebookRows({json.dumps(key)},{number},{json.dumps(html, ensure_ascii=False)});\n"


def job(render: Render, template: str, src: str, key: str, rows: Rows, items: list, pages: PageCache,
        first: int = FIRST, keyed: Callable[[tuple[str, ...]], str] | None = None, **context) -> Job:
    """The page and its row scripts, as one Job (their paths are known before they are made).

    The page gets its first rows as `rows_html`; `keyed(paths)` keys the whole job (render_cache.py)."""
    shown, rest = pieces(items, first)
    paths = [routes.listing_rows(key, i) for i in range(len(rest))]

    def make() -> dict[str, str]:
        html = pages.rows(key, items, rows)
        files = {src: render(template, src, rows_html=Markup("".join(html[:len(shown)])), rest=paths, rest_key=key,
                             rest_count=len(items) - len(shown), **context)}
        for i, path in enumerate(paths):
            start = len(shown) + i * PER_SCRIPT
            files[path] = script(key, i, "".join(html[start:start + PER_SCRIPT]))
        return files

    names = (src, *paths)
    return Job(names, make, keyed(names) if keyed else None)
