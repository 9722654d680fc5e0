"""Readers in a real browser at phone (360 px) and desktop (1280 px) width: layout, honest marks,
source links, region filter, and axe-core's accessibility rules."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}

# Page types, each with what a reader would have chosen on it.
PAGE_TYPES = ["", "cases/", "cases/#region=shandong/weifang", "cases/guhuai/", "categories/", "categories/zizhi/",
              "regions/", "regions/shandong/weifang/", "compare/#c=fuyou,guhuai,tianma", "compare/matrix/",
              "compare/outcomes/", "compare/learning/", "sources/cangnanjie/", "reference/fields/", "data/", "guide/",
              "training/"]

# Cells whose text wraps into lines of fewer than three characters: Chinese read one character a line.
SQUEEZED_CELLS = """() => Array.from(document.querySelectorAll('.md-content td, .md-content th')).filter(c => {
  const text = c.innerText.trim();
  if (c.offsetParent === null || text.length < 4) return false;
  const tops = [], walker = document.createTreeWalker(c, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(walker.currentNode);
    for (const r of range.getClientRects()) if (r.width) tops.push(r.top);
  }
  tops.sort((a, b) => a - b);
  const lines = tops.filter((t, i) => i === 0 || t - tops[i - 1] > 8).length;
  return lines > 1 && text.length / lines < 3;
}).map(c => c.innerText.trim().slice(0, 20))"""


@pytest.fixture(scope="module")
def phone(browser):
    context = browser.new_context(**PHONE)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def desktop(browser):
    context = browser.new_context(**DESKTOP)
    yield context.new_page()
    context.close()


def every_page(site: Path) -> list[str]:
    return sorted(p.relative_to(site).parent.as_posix().removeprefix(".") + "/"
                  for p in site.rglob("index.html"))


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_no_page_is_wider_than_a_phone_or_squeezes_table_text(phone, site, served):
    problems = []
    for path in every_page(site):
        phone.goto(served + path.lstrip("/"), wait_until="domcontentloaded")  # styles block rendering; layout is final
        if overflow(phone) > 0:
            problems.append(f"{path}: {overflow(phone)}px wider than 360px")
        if narrow := phone.evaluate(SQUEEZED_CELLS):
            problems.append(f"{path}: cells squeezed to a character or two a line: {narrow[:3]}")
    assert len(every_page(site)) > 30 and not problems, problems


def test_no_page_overflows_a_desktop(desktop, site, served):
    wide = [path for path in every_page(site)
            if desktop.goto(served + path.lstrip("/"), wait_until="domcontentloaded") and overflow(desktop) > 0]
    assert not wide


def test_three_compared_cases_all_show_on_a_phone(phone, served):
    phone.goto(served + "compare/#c=fuyou,guhuai,tianma")
    phone.locator("[data-cb-compare-table] tbody td").first.wait_for()
    for name in ["新城街道府佑社区", "古槐街道", "曹溪街道天马社区"]:
        cell = phone.locator(f'[data-cb-compare-table] tbody tr:first-child td[data-case="{name}"]')
        box = cell.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360, name
    assert overflow(phone) <= 0


@pytest.mark.parametrize("context", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_matrix_shows_guhuai_proposals_as_proposals(browser, served, context):
    page = browser.new_context(**context).new_page()
    page.goto(served + "compare/matrix/")
    row = page.locator("tbody tr", has=page.get_by_role("link", name="古槐街道", exact=True))
    assert row.locator("a[aria-label$='：尚未在做']").count() == 7
    assert row.get_by_role("link", name="学习交流：已经在做").count() == 1
    hollow, filled = row.locator(".cb-mark-undone").first, row.locator(".cb-mark-done").first
    assert hollow.inner_text() == "○" and filled.inner_text() == "●"
    assert hollow.evaluate("e => getComputedStyle(e).color") != filled.evaluate("e => getComputedStyle(e).color")
    page.context.close()


@pytest.mark.parametrize("context", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_yuanwen_quote_lands_on_its_highlighted_place_in_the_source(browser, served, context):
    page = browser.new_context(**context).new_page()
    page.goto(served + "cases/cangnanjie/")
    quote = page.locator("#practices ~ ul .cb-evidence-link").nth(3)
    text = quote.inner_text().rstrip(" ↗")
    quote.focus()  # a quote wrapping over lines has no single point to click in its box's middle
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/sources/cangnanjie/#q-[0-9a-f]+$"))
    target = page.locator("mark:target")
    assert target.count() == 1 and text in target.inner_text()
    assert target.evaluate("e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; }")
    assert target.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"
    assert page.get_by_role("link", name="返回案例：南关街道仓南街社区").is_visible()
    assert overflow(page) <= 0
    page.context.close()


def test_a_quote_that_opens_with_quotation_marks_is_not_given_a_second_pair(desktop, served):
    """“红色管家”划分… reads 「“红色管家”划分…」, not ““红色管家”划分…”; other quotes keep “…”."""
    desktop.goto(served + "cases/cangnanjie/")
    marks = desktop.evaluate("""() => Array.from(document.querySelectorAll('q.cb-evidence')).map(q =>
      [q.textContent.slice(0, 1), getComputedStyle(q).quotes])""")
    opening = [m for m in marks if m[0] == "“"]
    assert opening and all(m[1] == '"「" "」"' for m in opening), opening
    assert all("「" not in m[1] for m in marks if m[0] != "“") and len(marks) > len(opening), marks


@pytest.mark.parametrize("context", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_choosing_weifang_lists_both_weifang_cases(browser, served, context):
    page = browser.new_context(**context).new_page()
    page.goto(served + "cases/")
    page.select_option("select[name=region]", label="山东省 潍坊市")
    shown = page.locator("[data-cb-rows] tbody tr:visible td:first-child a").all_inner_texts()
    assert sorted(shown) == ["南关街道仓南街社区", "新城街道府佑社区"]  # one states 山东省, the other does not
    assert "region=shandong/weifang" in page.url
    page.select_option("select[name=region]", label="山东省")
    assert len(page.locator("[data-cb-rows] tbody tr:visible").all()) == 4
    page.select_option("select[name=region]", label="山东省 潍坊市 高新区")
    assert page.locator("[data-cb-rows] tbody tr:visible td:first-child a").all_inner_texts() == ["新城街道府佑社区"]
    page.context.close()


@pytest.mark.parametrize("context", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_axe_finds_no_serious_or_critical_violation_on_any_page_type(browser, served, context):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = browser.new_context(**context).new_page()
    found = []
    for path in PAGE_TYPES:
        page.goto(served + path)
        page.wait_for_load_state("load")
        for violation in axe.run(page).response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                found.append(f"{path or '/'}: {violation['id']} {[n['target'] for n in violation['nodes'][:3]]}")
    page.context.close()
    assert not found, "\n".join(found)
