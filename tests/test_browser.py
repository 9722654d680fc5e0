"""The site in a real browser (Debian's Chromium): search, filters, comparison, sorting, phone width."""
from __future__ import annotations

import pytest

from conftest import search


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert not errors, errors


def test_searching_tiaojie_finds_the_huangtun_case(page, served):
    page.goto(served)
    results = search(page, "调解")
    assert any("黄屯街道金色嘉苑社区" in r for r in results), results


def test_searching_a_model_name_finds_its_case(page, served):
    page.goto(served)
    results = search(page, "红色管家")
    assert any("南关街道仓南街社区" in r for r in results), results


def visible_cases(page) -> list[str]:
    return page.locator("[data-cb-rows] tbody tr:visible td:first-child a").all_inner_texts()


def test_category_and_region_filters_narrow_the_list_and_survive_a_reload(page, served):
    page.goto(served + "cases/")
    assert len(visible_cases(page)) == 5
    page.select_option("select[name=category]", label="矛盾纠纷调解")
    assert sorted(visible_cases(page)) == ["南关街道仓南街社区", "黄屯街道金色嘉苑社区"]
    page.select_option("select[name=region]", label="山东省 潍坊市")
    assert visible_cases(page) == ["南关街道仓南街社区"]
    assert "category=tiaojie" in page.url and "region=" in page.url
    page.reload()
    assert visible_cases(page) == ["南关街道仓南街社区"]
    assert page.locator("select[name=category]").input_value() == "tiaojie"
    page.get_by_role("button", name="清除筛选").click()
    page.wait_for_function("document.querySelectorAll('[data-cb-rows] tbody tr:not([hidden])').length === 5")


def test_outcome_kind_filter_keeps_only_cases_with_measured_results(page, served):
    page.goto(served + "cases/#kind=measured")
    assert sorted(visible_cases(page)) == ["南关街道仓南街社区", "曹溪街道天马社区", "黄屯街道金色嘉苑社区"]


def test_comparison_shows_the_chosen_cases_side_by_side(page, served):
    page.goto(served + "cases/fuyou/")
    page.get_by_text("与其他案例并排比较").click()
    page.select_option("select[name=c1]", label="南关街道仓南街社区")
    table = page.locator("[data-cb-compare-table]")
    table.locator("thead th").nth(2).wait_for()
    heads = table.locator("thead th").all_inner_texts()
    assert heads[1:] == ["新城街道府佑社区", "南关街道仓南街社区"]
    assert "四汇共治" in table.inner_text() and "思享荟" in table.inner_text()
    page.reload()
    table.locator("thead th").nth(2).wait_for()
    assert "c=fuyou,cangnanjie" in page.url


def test_a_case_chosen_before_the_script_has_run_is_compared(page, served):
    page.route("**/casebook.js*", lambda route: route.abort())  # a slow phone: the script has not arrived yet
    page.goto(served + "compare/#c=fuyou")
    page.select_option("select[name=c1]", label="南关街道仓南街社区")
    page.unroute("**/casebook.js*")
    page.add_script_tag(url=served + "assets/casebook/casebook.js")
    table = page.locator("[data-cb-compare-table]")
    table.locator("thead th").nth(2).wait_for(timeout=5000)
    assert table.locator("thead th").all_inner_texts()[1:] == ["新城街道府佑社区", "南关街道仓南街社区"]


def test_outcomes_table_sorts_by_value(page, served):
    page.goto(served + "compare/outcomes/")
    page.locator("th", has_text="数值").click()
    cells = page.locator("tbody td:nth-child(4)[data-sort]")
    values = [float(v) for v in cells.evaluate_all("cells => cells.map(c => c.dataset.sort)")]
    assert values == sorted(values)
    assert "80%以上" in cells.all_inner_texts()  # the figure as written, its qualifier kept


@pytest.mark.parametrize("path", ["", "cases/", "cases/huangtun-jinse-jiayuan/", "compare/matrix/"])
def test_pages_fit_a_phone_screen(browser, served, path):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.goto(served + path)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    context.close()
    assert overflow <= 0, f"{path} is {overflow}px wider than a 360px phone"


def test_without_javascript_the_full_list_still_shows(browser, served):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served + "cases/")
    assert len(page.locator("[data-cb-rows] tbody tr:visible").all()) == 5
    assert page.locator("form[data-cb-filters]").is_hidden()  # no dead controls
    context.close()
