"""A casebook large enough to page: listings carry their first rows and load the rest on demand;
search loads only the index chunks a query can match. Synthetic cases made from the fixture cases
(the bench's generator), built once for file:// as the offline export builds it.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from casebook.site import listing, routes, search as search_index
from casebook.tools.bench import write_project
from casebook.generator.mkdocs_build import build_book
from casebook.site.tree import generated_files
from casebook.core.validate import load_casebook
from conftest import CASES, ROOT, search

N = listing.FIRST + 30  # thirty rows past the first page


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    project = write_project(tmp_path_factory.mktemp("big"), N, ROOT, sample=CASES)
    book, problems = load_casebook(project / "cases")
    assert not problems, problems
    return project, book


@pytest.fixture(scope="module")
def big_site(big, tmp_path_factory) -> Path:
    project, book = big
    out = tmp_path_factory.mktemp("big-site")
    build_book(project / "mkdocs.yml", book, out, offline=True)
    return out


@pytest.fixture(scope="module", params=[(360, 740), (1280, 900)], ids=["phone", "desktop"])
def page(request, browser):
    width, height = request.param
    context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=width < 600)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.requested = []
    context.on("request", lambda r: tab.requested.append(r.url))
    yield tab
    context.close()
    assert not errors, errors


def test_listing_pages_carry_their_first_rows_and_name_the_rest(big):
    _, book = big
    files = generated_files(book, search_index=False)
    catalogue = files[routes.CATALOGUE]
    assert catalogue.count("<tr data-kind") == listing.FIRST
    rest = files[routes.listing_rows("catalogue", 0)]
    assert rest.count("<tr data-kind") == N - listing.FIRST
    # A row loaded later links to its case as a row of the page itself does.
    last = book.cases[-1]["slug"]
    assert f'href=\\"{last}/\\"' in rest and f'href="{book.cases[0]["slug"]}/"' in catalogue
    assert files[routes.MATRIX].count("<tr><th><a") == listing.FIRST
    rows_url = routes.relative_url(routes.MATRIX, routes.listing_rows("matrix", 0), True)
    assert f'data-cb-rest="{rows_url}"' in files[routes.MATRIX]


def _done_in(book, term: str) -> int:
    done = {s["term"] for s in book.taxonomy.practice_statuses if s.get("done")}
    return sum(any(p["category"] == term and p["status"] in done for p in c["practices"]) for c in book.cases)


def test_catalogue_pages_filters_and_sorts_over_every_case(big, big_site, page):
    _, book = big
    page.goto((big_site / "cases" / "index.html").as_uri())
    assert page.locator(".cb-catalogue tbody tr:not([hidden])").count() == listing.FIRST
    more = page.locator(".cb-more")
    assert more.inner_text() == f"显示更多（还有 {N - listing.FIRST} 个）"
    assert not [u for u in page.requested if "/assets/rows/" in u]  # nothing more until the reader asks
    more.click()
    page.wait_for_function("n => document.querySelectorAll('.cb-catalogue tbody tr:not([hidden])').length === n",
                           arg=N)
    assert more.is_hidden()
    page.select_option("select[name=region]", label="山东省 潍坊市")
    shown = page.locator(".cb-catalogue tbody tr:visible td:nth-child(2)").all_inner_texts()
    assert shown and all(place.startswith("山东省 潍坊市") for place in shown)  # the city and its districts
    assert (big_site / "cases" / "index.html").stat().st_size < 300 * N + 100_000
    # A filter chosen in the address counts every case, not only those of the first page.
    category = book.taxonomy.categories[0]
    page.goto((big_site / "cases" / "index.html").as_uri() + f"#category={category['slug']}")
    count = page.locator(".cb-count")
    page.wait_for_function("() => document.querySelector('.cb-count').textContent !== ''")
    assert count.inner_text() == f"符合条件：{_done_in(book, category['term'])} / {N} 个案例"
    page.screenshot(path=str(big_site.parent / f"catalogue-{page.viewport_size['width']}.png"), full_page=False)


def test_sorting_a_long_listing_sorts_every_row(big, big_site, page):
    _, book = big
    page.goto((big_site / "compare" / "outcomes.html").as_uri())
    rows = page.locator(".cb-outcome-table tbody tr")
    first_rows = rows.count()
    button = page.locator("[data-cb-rest-more]")
    assert button.is_visible()
    page.locator(".cb-outcome-table th", has_text="案例").click()
    total = sum(len(c.get("outcomes", [])) for c in book.cases)
    page.wait_for_function("n => document.querySelectorAll('.cb-outcome-table tbody tr').length === n", arg=total)
    assert first_rows < total
    page.goto((big_site / "compare" / "matrix.html").as_uri())
    page.locator("[data-cb-rest-more]").click()
    page.wait_for_function("n => document.querySelectorAll('.cb-matrix tbody tr').length === n", arg=N)
    assert page.locator("[data-cb-rest-more]").is_hidden()


def test_search_loads_only_the_chunks_a_query_can_match(big, big_site, page):
    _, book = big
    manifest = (big_site / search_index.MANIFEST).read_text(encoding="utf-8")
    chunks = len(re.search(r'"chunks":"(\w+)"', manifest).group(1)) // 8
    assert '"grams"' in manifest and chunks >= 5
    last = book.cases[-1]["name"]  # e.g. 东风街道幸福社区229: its number is in few chunks
    page.goto((big_site / "cases" / "index.html").as_uri())
    page.requested.clear()
    # Pasted, as a name copied from a message: typed letter by letter, each prefix on the way (东, 东风…) is
    # searched too, and a slow machine lets those searches load the chunks holding 东.
    assert any(r.startswith(last) for r in search(page, last, paste=True))
    loaded = {u for u in page.requested if re.search(r"/search/casebook/\d+-\w+\.js$", u)}
    assert 0 < len(loaded) < chunks
    # Recall and the reader's note as on the small casebook.
    page.goto((big_site / "cases" / "index.html").as_uri())
    shown = search(page, "志愿者积分")
    assert shown and "没有找到“积分”" in page.locator(".md-search-result__meta").inner_text()
