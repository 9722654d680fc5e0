"""Issue 28, in a real browser: the menu on every page, a catalogue that does not jump, touch targets,
quotes that stay in view after a jump, and the small things readers notice."""
from __future__ import annotations

import re

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
