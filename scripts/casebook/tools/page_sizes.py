"""`python -m casebook.tools.page_sizes CASES_DIR`: the largest generated pages of a casebook, rendered in process.

Prints the ten largest page files (Markdown with the HTML it carries, as MkDocs receives it; the built
page adds the theme's few tens of KB) and the largest listing-row script. No site build is needed.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from ..site.tree import generated_files
from ..core.validate import load_casebook


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    book, problems = load_casebook(Path(args[0]))
    if problems:
        print(f"{problems[0]}", file=sys.stderr)
        return 1
    started = time.perf_counter()
    files = generated_files(book, search_index=False)
    print(f"{len(book.cases)} 个案例，生成 {len(files)} 个文件，用时 {time.perf_counter() - started:.0f} s")
    sizes = sorted(((len(c.encode() if isinstance(c, str) else c), p) for p, c in files.items()
                    if isinstance(c, (str, bytes)) and p.endswith(".md")), reverse=True)
    for size, path in sizes[:10]:
        print(f"{size / 1024:10.0f} KB  {path}")
    rows = [(len(c.encode()), p) for p, c in files.items() if "/rows/" in p and isinstance(c, str)]
    if rows:
        size, path = max(rows)
        print(f"行脚本 {len(rows)} 个，最大 {size / 1024:.0f} KB（{path}）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
