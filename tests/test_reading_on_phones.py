"""Issue 28, in a real browser: the menu on every page, a catalogue that does not jump, touch targets,
quotes that stay in view after a jump, and the small things readers notice."""
from __future__ import annotations

import re
import time

import pytest

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
TABLET = {"viewport": {"width": 1024, "height": 768}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


@pytest.fixture(scope="module")
def phone(browser):
    context = browser.new_context(**PHONE)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("context", [PHONE, TABLET], ids=["360", "1024"])
@pytest.mark.parametrize("path", ["", "cases/"], ids=["home", "catalogue"])
def test_the_menu_opens_on_every_page_and_leads_on(browser, served, context, path):
    page = browser.new_context(**context).new_page()
    page.goto(served + path)
    page.locator("label.md-header__button[for=__drawer]").tap()
    item = page.locator(".md-nav--primary .md-nav__link", has_text="培训资料").first
    item.wait_for(state="visible")
    # The drawer slides in: wait for its transition to end before measuring where the item lies.
    page.wait_for_function("() => !document.getAnimations().some(a => a.playState === 'running')")
    box = item.bounding_box()
    assert box and 0 <= box["x"] and box["x"] + box["width"] <= context["viewport"]["width"]
    item.tap()
    page.wait_for_url(re.compile(r"/training/$"))
    assert page.locator("h1").first.inner_text().startswith("培训资料")
    page.context.close()


def test_the_home_page_keeps_its_full_width_on_a_desktop(browser, served):
    page = browser.new_context(**DESKTOP).new_page()
    page.goto(served)
    assert not page.locator(".md-sidebar--primary").is_visible()
    page.context.close()


# The quote a jump lands on, and whatever covers the top of the window: the header and the back-to-top button.
QUOTE_IN_VIEW = """() => {
  const mark = document.querySelector('mark:target') || document.querySelector('.cb-anchor:target + mark');
  const q = mark.getBoundingClientRect();
  const covers = Array.from(document.querySelectorAll('.md-header, .md-top')).filter(el => {
    const s = getComputedStyle(el);
    return !el.hidden && s.visibility !== 'hidden' && +s.opacity > 0;
  }).map(el => el.getBoundingClientRect()).filter(r => r.bottom > q.top && r.top < q.bottom && r.right > q.left && r.left < q.right);
  return {top: q.top, bottom: q.bottom, height: innerHeight, covered: covers.length};
}"""


@pytest.mark.parametrize("context", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_quote_jumped_to_is_fully_visible(browser, served, context):
    page = browser.new_context(**context).new_page()
    page.goto(served + "cases/cangnanjie/")
    links = page.eval_on_selector_all("a.cb-evidence-link", "links => links.map(a => a.href)")
    assert len(links) > 10
    problems = []
    for href in links[:12:2]:  # six quotes from the top of the source down
        page.goto(served + "cases/cangnanjie/")
        page.goto(href)  # from the case page to the source, as a click on 原文 goes
        page.wait_for_timeout(400)  # Material fades its back-to-top button in after the jump
        where = page.evaluate(QUOTE_IN_VIEW)
        if where["covered"] or where["top"] < 0 or where["bottom"] > where["height"]:
            problems.append((href.rsplit("#", 1)[1], where))
    page.context.close()
    assert not problems, problems


LAYOUT_SHIFT = """new Promise(done => {
  let total = 0;
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) total += e.value;
  }).observe({type: 'layout-shift', buffered: true});
  setTimeout(() => done(total), 800);
})"""


@pytest.mark.parametrize("context", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_catalogue_does_not_jump_while_it_loads(browser, served, context):
    page = browser.new_context(**context).new_page()
    # A slow phone network: the page is painted well before the casebook's script arrives.
    page.route("**/assets/casebook/casebook.js", lambda route: (time.sleep(1), route.continue_()))
    page.goto(served + "cases/#region=shandong/weifang", wait_until="load")
    shift = page.evaluate(LAYOUT_SHIFT)
    page.context.close()
    assert shift <= 0.1, shift


def test_on_a_phone_the_first_case_is_on_the_first_screen_and_cases_sort(phone, served):
    phone.goto(served + "cases/")
    first = phone.locator("[data-cb-rows] tbody tr").first.locator("td:first-child a")
    box = first.bounding_box()
    assert box and box["y"] + box["height"] <= PHONE["viewport"]["height"], box
    sort = phone.locator("select[data-cb-sort]")
    assert sort.is_visible()
    names = lambda: phone.locator("[data-cb-rows] tbody tr:visible td:first-child a").all_inner_texts()  # noqa: E731
    before = names()
    sort.select_option(label="完整度（降序）")
    scores = [int(s) for s in phone.locator("[data-cb-rows] tbody tr:visible td:nth-child(6)").all_inner_texts()]
    assert scores == sorted(scores, reverse=True) and sorted(names()) == sorted(before)
    phone.select_option("select[name=region]", label="山东省 潍坊市")  # filters keep the chosen order
    assert len(names()) == 2
    sort.select_option(label="默认顺序")
    phone.get_by_role("button", name="清除筛选").tap()
    phone.wait_for_function("document.querySelectorAll('[data-cb-rows] tbody tr:not([hidden])').length === 5")
    assert names() == before


# What the casebook adds that a finger must hit, page by page.
TARGETS = {
    "": ".cb-problem .cb-chip, .cb-problem li > a, .cb-stats a",
    "cases/": ".cb-filters select, .cb-filters button, [data-cb-rows] td:first-child a",
    "cases/cangnanjie/": "a.cb-evidence-link, .cb-facts .cb-chip, .cb-actions .md-button",
    "compare/": ".cb-compare-form select",
}


def test_touch_targets_are_at_least_44_px_on_a_phone(phone, served):
    small = []
    for path, selector in TARGETS.items():
        phone.goto(served + path)
        sizes = phone.eval_on_selector_all(selector, """els => els.filter(e => e.offsetParent !== null).map(e => {
          const r = e.getBoundingClientRect(); return [e.textContent.trim().slice(0, 12), r.width, r.height]; })""")
        assert sizes, path
        small += [(path or "/", *size) for size in sizes if size[1] < 44 or size[2] < 44]
    assert not small, small


def test_the_copy_link_button_copies_the_case_address(browser, served):
    context = browser.new_context(**DESKTOP, permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(served + "cases/guhuai/#practices")
    button = page.get_by_role("button", name="复制链接")
    button.click()
    page.wait_for_function("document.querySelector('[data-cb-copy-link]').textContent === '已复制链接'")
    assert page.evaluate("navigator.clipboard.readText()") == served + "cases/guhuai/"
    context.close()
