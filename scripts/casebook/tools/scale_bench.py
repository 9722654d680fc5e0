"""What `casebook bench` measures about cost that should follow the change, not the casebook.

An incremental build after adding one case and after editing one, the search bytes a reader's browser
loads before the first results appear (read from the built site as it is, whatever its search loads),
and the largest page.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

FLOOR_LIMIT = 20_000  # above this many cases the plain-MkDocs floor would not finish on a small machine
QUERY = "调解"  # a word most synthetic cases hold, so the first results need the index, not luck


def add_case(cases_dir: Path, model: str = "case-00000", slug: str = "case-added") -> None:
    """One more case, copied from `model` with its own slug and source, as a pull request adds one."""
    text = (cases_dir / f"{model}.yaml").read_text(encoding="utf-8")
    text = text.replace(f"slug: {model}\n", f"slug: {slug}\n").replace(f"sources/{model}.txt", f"sources/{slug}.txt")
    shutil.copy(cases_dir / "sources" / f"{model}.txt", cases_dir / "sources" / f"{slug}.txt")
    (cases_dir / f"{slug}.yaml").write_text(text, encoding="utf-8")


def edit_case(cases_dir: Path, slug: str = "case-00001") -> None:
    """A one-sentence change to one case's summary (free text, so every quote stays valid)."""
    path = cases_dir / f"{slug}.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("summary: ", "summary: 本案例摘要经过修订。", 1), encoding="utf-8")


def largest_page(site: Path) -> tuple[str, int]:
    """The largest HTML page of a built site: its path and size in bytes."""
    size, path = max((p.stat().st_size, p) for p in site.rglob("*.html"))
    return path.relative_to(site).as_posix(), size


def headless_chromium():
    """(sync_playwright, Debian's chromium) for the browser figures, or None when either is missing."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    executable = shutil.which("chromium")
    return (sync_playwright, executable) if executable else None


def search_first_bytes(site: Path, query: str = QUERY) -> int | None:
    """Bytes of search files (under any `search/` folder) the home page from file:// has loaded when the
    first result for `query` shows (None without Playwright and Chromium)."""
    found = headless_chromium()
    if found is None:
        return None
    sync_playwright, executable = found
    loaded: set[Path] = set()

    def seen(request) -> None:
        if request.url.startswith("file://"):
            path = Path(unquote(urlsplit(request.url).path))
            if path.is_relative_to(site) and "search" in path.relative_to(site).parts[:-1]:
                loaded.add(path)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.on("request", seen)  # at the context, so requests from workers and frames count too
        page = context.new_page()
        page.goto((site / "index.html").as_uri())
        page.locator("input.md-search__input").click()
        page.keyboard.type(query)
        page.keyboard.press("End")  # typing Chinese sends no key-up, which the search listens for
        page.wait_for_selector(".md-search-result__item", timeout=120_000)
        total = sum(path.stat().st_size for path in loaded if path.is_file())
        browser.close()
    return total


def incremental_figures(project: Path, site: Path, timed_build) -> dict:
    """Seconds and peak memory of an incremental build after adding one case, then after editing one."""
    figures = {}
    for name, change in (("add", add_case), ("edit", edit_case)):
        change(project / "cases")
        seconds, mb, _ = timed_build(project, site)
        figures[f"incremental_{name}_s"], figures[f"incremental_{name}_peak_mb"] = round(seconds, 2), round(mb)
    return figures


def site_figures(site: Path) -> dict:
    page, size = largest_page(site)
    first = search_first_bytes(site)
    return {"largest_page": page, "largest_page_mb": round(size / 1e6, 3),
            "search_first_kb": None if first is None else round(first / 1024, 1)}
