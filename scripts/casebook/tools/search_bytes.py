"""`python -m casebook.tools.search_bytes SITE [QUERY…]`: how much of the search index a query loads, in a real browser.

For each query it opens the built site's catalogue from file:// (as the offline zip is opened) in
Debian's Chromium, types the query and prints the index bytes requested and the seconds until the
first results, and until the whole answer (every chunk the query needs) is in. The index is on disk,
so bytes are file sizes; the machine's load changes the seconds, not the bytes.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

QUERIES = ["调解", "为老 助餐", "志愿者积分"]


# Installed before the page's scripts: the index scripts asked for when the first result appears.
_PROBE = """
document.addEventListener("DOMContentLoaded", () => {
  const list = document.querySelector(".md-search-result");
  new MutationObserver(() => {
    if (window.__first || !document.querySelector(".md-search-result__item")) return;
    window.__first = {at: performance.now(), scripts: Array.from(document.scripts, s => s.src)
      .filter(src => src.includes("/search/casebook/"))};
  }).observe(list, {childList: true, subtree: true});
});
"""


def measure(page, site: Path, query: str, requested: list) -> dict:
    page.add_init_script(_PROBE)
    page.goto((site / "cases" / "index.html").as_uri())
    requested.clear()
    box = page.locator("input.md-search__input")
    box.click()
    page.wait_for_function("Array.from(document.scripts).some(s => s.src.includes('manifest.js'))")
    started = page.evaluate("performance.now()")
    box.fill(query)  # one input event, as an input method commits a whole word (no query of its first character)
    page.wait_for_function("window.__first", timeout=120_000)
    first = page.evaluate("window.__first")
    first_s = (first["at"] - started) / 1000
    page.wait_for_function("q => document.querySelector('.md-search-result').dataset.cbDone === q",
                           arg=query, timeout=600_000)
    done_s = (page.evaluate("performance.now()") - started) / 1000
    return {"query": query, "first_kb": round(_bytes(first["scripts"]) / 1024, 1), "first_s": round(first_s, 2),
            "done_kb": round(_bytes(requested) / 1024, 1), "done_s": round(done_s, 2),
            "files": len(requested)}


def _bytes(requested: list) -> int:
    return sum(Path(unquote(urlparse(u).path)).stat().st_size for u in list(requested) if "/search/casebook/" in u)


def main(argv: list[str] | None = None) -> int:
    from playwright.sync_api import sync_playwright

    args = argv if argv is not None else sys.argv[1:]
    site, queries = Path(args[0]).resolve(), args[1:] or QUERIES
    total = sum(p.stat().st_size for p in (site / "search" / "casebook").iterdir())
    print(f"索引共 {total / 1024:.0f} KB（{site}）")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"))
        for query in queries:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            requested: list[str] = []
            context.on("request", lambda r: requested.append(r.url))
            row = measure(context.new_page(), site, query, requested)
            print(f"{row['query']}: 首批结果 {row['first_kb']} KB / {row['first_s']} s；"
                  f"全部 {row['done_kb']} KB / {row['done_s']} s（{row['files']} 个文件）")
            context.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
