"""The built site, read as a reader would: pages, listings, links, search index, no outside requests."""
from __future__ import annotations

import re
from pathlib import Path

from casebook.site import search
from conftest import serve_root, build, edit, make_project, run_cli


def text_of(site: Path, page: str) -> str:
    html = (site / page).read_text(encoding="utf-8")
    return re.sub(r"<[^>]+>", " ", html)


def test_each_case_page_shows_models_outcomes_and_source(site: Path):
    page = text_of(site, "cases/cangnanjie/index.html")
    for expected in ["南关街道仓南街社区", "四汇共治", "红色管家", "汇管理", "站南爱老公益食堂", "实测",
                     "道德门诊工作日志上记载的内容80%以上得到圆满解决", "马林峰", "2020-08-24"]:
        assert expected in page, expected
    html = (site / "cases/cangnanjie/index.html").read_text(encoding="utf-8")
    assert 'href="/casebook/sources/cangnanjie/"' in html  # the source as a page of the site, from site_url's path
    assert "四汇共治" in (site / "sources/cangnanjie.txt").read_text(encoding="utf-8")  # still downloadable


def test_every_case_has_a_page_with_kinds_and_evidence(site: Path):
    for slug in ["cangnanjie", "fuyou", "guhuai", "huangtun-jinse-jiayuan", "tianma"]:
        page = text_of(site, f"cases/{slug}/index.html")
        assert "原文：" in page and "出处" in page
    assert "计划" in text_of(site, "cases/guhuai/index.html")
    assert "荣誉认定" in text_of(site, "cases/huangtun-jinse-jiayuan/index.html")


def test_edit_link_opens_the_case_yaml(site: Path):
    html = (site / "cases/fuyou/index.html").read_text(encoding="utf-8")
    assert "https://github.com/community-casebook/casebook/edit/main/cases/fuyou.yaml" in html


def test_category_page_lists_the_cases_that_mediate(site: Path):
    page = text_of(site, "categories/tiaojie/index.html")
    assert "黄屯街道金色嘉苑社区" in page and "和为贵调解室" in page
    assert "南关街道仓南街社区" in page and "道德门诊" in page
    assert "新城街道府佑社区" not in page


def test_regions_are_one_tree_of_real_places_at_pinyin_addresses(site: Path):
    regions = text_of(site, "regions/index.html")
    assert "山东省" in regions and "潍坊市" in regions and "地区未注明" in regions
    # 山东省 潍坊市 (fuyou) and 潍坊市 alone (cangnanjie, placed through the gazetteer) are one region
    weifang = text_of(site, "regions/shandong/weifang/index.html")
    assert "南关街道仓南街社区" in weifang and "新城街道府佑社区" in weifang and "古槐街道" not in weifang
    assert "南关街道仓南街社区" in text_of(site, "regions/shandong/weifang/weicheng/index.html")
    province = text_of(site, "regions/shandong/index.html")
    assert "黄屯街道金色嘉苑社区" in province and "古槐街道" in province
    # 黄屯's 高新区 has no stated city: it is never guessed into 潍坊市's 高新区
    assert "黄屯街道金色嘉苑社区" not in text_of(site, "regions/shandong/weifang/gaoxin/index.html")
    assert not list((site / "regions").rglob("r-*"))


def test_home_shows_live_counts_and_problems(site: Path):
    page = text_of(site, "index.html")
    assert re.search(r"5\s+个案例", page)
    assert re.search(r"4\s+项有数字的成效", page)
    assert "矛盾纠纷多，邻里不和" in page


def pages_matching(site: Path, word: str) -> set[str]:
    """Pages whose search index entries hold `word` (the browser finds any run of characters in them)."""
    return {e["url"] for e in search.read_index(site) if word in e["heading"] + "\n" + e["body"]}


def test_search_index_finds_chinese_words_in_the_right_cases(site: Path):
    assert "cases/huangtun-jinse-jiayuan/" in pages_matching(site, "调解")
    assert "cases/cangnanjie/" in pages_matching(site, "红色管家")
    assert "cases/tianma/" in pages_matching(site, "养老")
    assert "cases/cangnanjie/" in pages_matching(site, "物业")
    assert "cases/tianma/" in pages_matching(site, "志愿")
    assert "cases/huangtun-jinse-jiayuan/" in pages_matching(site, "网格")
    assert pages_matching(site, "灶台") == {"cases/cangnanjie/"}  # a word only in a practice's description


def test_model_names_are_single_words_so_they_rank_as_whole_words(site: Path):
    marked = " ".join(e["marked"] for e in search.read_index(site) if e["url"] == "cases/cangnanjie/")
    assert "四汇共治" in marked and "红色管家" in marked  # no word boundary inside


def test_no_page_loads_anything_from_another_host(site: Path):
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not re.search(r'<script[^>]+src="(https?:)?//', html), page
        assert not re.search(r'<link[^>]+href="(https?:)?//[^"]+"[^>]*rel="(stylesheet|preload|preconnect)', html), page
        assert not re.search(r'rel="(stylesheet|preconnect)"[^>]+href="(https?:)?//', html), page
        assert "fonts.googleapis" not in html and "fonts.gstatic" not in html


def test_a_bad_case_fails_the_build_with_the_validator_message_and_keeps_the_old_site(tmp_path: Path):
    project = make_project(tmp_path)
    out = tmp_path / "out"
    assert build(project, out).returncode == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    edit(project / "cases/fuyou.yaml", "category: 党建引领", "category: 党建")
    result = build(project, out)
    validator = run_cli("validate", "--cases-dir", str(project / "cases"))
    assert result.returncode != 0
    assert validator.stderr.splitlines()[0] in result.stderr
    assert "Traceback" not in result.stderr
    assert before == {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}


def test_serve_rebuilds_when_a_case_file_changes(tmp_path: Path):
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    project = make_project(tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-f", str(project / "mkdocs.yml"),
                               "--dev-addr", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)

    def page_has(text: str, timeout: float = 60) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(serve_root(project, port) + "cases/fuyou/", timeout=5) as response:
                    if text in response.read().decode("utf-8"):
                        return True
            except OSError:
                pass
            time.sleep(0.3)
        return False

    try:
        assert page_has("思享荟")
        edit(project / "cases/fuyou.yaml", "title: 党群服务中心打造", "title: 改过的标题：党群服务中心打造")
        assert page_has("改过的标题")
    finally:
        server.terminate()
        server.wait(timeout=30)
