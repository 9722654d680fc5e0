"""Drafting inside `casebook preview`: a source without a case offers "起草案例", which writes the draft
(never over an existing file) and opens its page with every item still to confirm."""
from __future__ import annotations

import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from conftest import ENV, ROOT, free_port, make_project, page_with, serve_root

ARTICLE = ROOT / "tests" / "fixtures" / "articles" / "xinghe-shitang.txt"  # fictional, written for tests




def _refused(desk: str) -> None:
    for form in ({"source": ARTICLE.name}, {"source": ARTICLE.name, "token": "guessed"}):
        request = urllib.request.Request(desk, data=urllib.parse.urlencode(form).encode(), method="POST")
        try:
            urllib.request.urlopen(request, timeout=10)
        except urllib.error.HTTPError as exc:
            assert exc.code == 403 and "没有起草" in exc.read().decode("utf-8")
        else:
            raise AssertionError("the desk accepted a request without the page's token")


def test_a_source_without_a_case_is_drafted_from_the_preview_and_opens_with_its_problems(tmp_path: Path, browser):
    project = make_project(tmp_path)
    shutil.copy(ARTICLE, project / "cases" / "sources" / ARTICLE.name)
    port = free_port()
    preview = subprocess.Popen([str(Path(sys.executable).with_name("casebook")), "preview",
                                f"cases/sources/{ARTICLE.name}", "--dev-addr", f"127.0.0.1:{port}"], cwd=project,
                               env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    drafts = serve_root(project, port) + "drafts/"
    target = project / "cases" / "xinghe-shitang.yaml"
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    stale = browser.new_page()
    try:
        page_with(drafts, "xinghe-shitang.txt")
        page.goto(drafts)
        # Only sources no case cites are offered: the fixture cases' own sources are not.
        assert "fuyou.txt" not in page.content()
        item = page.locator("li", has_text="xinghe-shitang.txt")
        assert "杏林社区老年食堂" in item.inner_text()  # the headline, to recognise the article
        # A copy of the form, as a tab left open would still offer it (the preview reloads open tabs itself).
        form = item.locator("form").evaluate("form => form.outerHTML")
        stale.set_content(form)
        # Another web page, which cannot read the preview's pages, has no token: the desk writes nothing.
        _refused(stale.locator("form").get_attribute("action"))
        assert not target.exists()
        item.get_by_role("button", name="起草案例").click()
        page.wait_for_url("**/cases/xinghe-shitang/", timeout=120_000)
        problems = page.locator(".cb-problems").inner_text()
        assert "cases/xinghe-shitang.yaml:" in problems and "草稿：请核对后删除标记" in problems
        drafted = target.read_text(encoding="utf-8")
        assert "两荤一素10元" in drafted and "draft:" in drafted  # the draft of `casebook draft`, every mark in it

        # The editor has begun confirming; a click from the stale tab must not undo that.
        target.write_text(drafted.replace('label: "两荤一素"', 'label: "午餐价格"'), encoding="utf-8")
        stale.get_by_role("button", name="起草案例").click()
        assert "已经存在，没有覆盖" in stale.locator("body").inner_text()
        assert 'label: "午餐价格"' in target.read_text(encoding="utf-8")
        # The drafts page no longer offers the drafted source.
        page_with(drafts, "每篇原文都已有案例")
    finally:
        page.close()
        stale.close()
        preview.terminate()
        preview.wait(timeout=30)
    assert "起草案例" in preview.stdout.read()
