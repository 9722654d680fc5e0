"""A unit of the site's work: files whose paths are known before they are made.

The renderer, the long listings and the share cards hand their pages to a generator as jobs, so a
generator can list every page first and make them later, in another process if it likes.
"""
from __future__ import annotations

from typing import Callable, NamedTuple


class Job(NamedTuple):
    """Files to make: their paths are known before they are made, so a site generator can list them first."""

    paths: tuple[str, ...]
    make: Callable[[], dict[str, str | bytes]]
    key: str | None = None  # digest of everything the files are made from (render_cache.py), if known

    def files(self) -> dict[str, str | bytes]:
        made = self.make()
        if made.keys() != set(self.paths):  # a generator was told of these paths before they were made
            raise RuntimeError(f"生成的文件与预先列出的不一致：{sorted(made.keys() ^ set(self.paths))[:5]}")
        return made
