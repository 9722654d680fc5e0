"""Readers on phones and in WeChat: honest summaries, source pages, regions, sharing, folded text.

Page content is checked on the fixture casebook's real build (`site`) or, for variations
of the vocabulary, straight from the renderer; the browser checks are in test_readers_browser.py.
"""
from __future__ import annotations

import re
from pathlib import Path

from casebook.core import regions
from casebook.core.load import parse
from casebook.site import routes
from casebook.site.render import SiteRenderer
from casebook.site.source_pages import anchor, case_quotes, locate
from casebook.core.quotes import normalise, normalised_with_offsets
from casebook.core.validate import load_casebook
from conftest import CASES, edit


def html_of(site: Path, page: str) -> str:
    return (site / page).read_text(encoding="utf-8")


def matrix_row(html: str, name: str) -> str:
    return re.search(rf"<tr><th><a [^>]*>{name}</a></th>(.*?)</tr>", html)[1]


def test_matrix_marks_guhuai_proposals_as_not_done(site: Path):
    row = matrix_row(html_of(site, "compare/matrix/index.html"), "古槐街道")
    # 7 of Guhuai's 9 practices are proposals or plans; only 学习交流 was done
    assert row.count(">●<") == 1 and row.count(">○<") == 7
    assert 'aria-label="学习交流：已经在做"' in row and 'aria-label="网格化治理：尚未在做"' in row


def test_done_is_a_property_of_the_status_in_the_vocabulary(cases_dir: Path):
    """Marking 建议 as done in taxonomy.yaml turns Guhuai's proposals into done marks: no status is hard-coded."""
    def guhuai_row(cases: Path) -> str:
        book, problems = load_casebook(cases)
        assert not problems
        return matrix_row(SiteRenderer(book).files()["compare/matrix.md"], "古槐街道")

    assert guhuai_row(cases_dir).count(">●<") == 1
    edit(cases_dir / "taxonomy.yaml", "  - term: proposed\n    label: 建议\n", "  - term: proposed\n    label: 建议\n    done: true\n")
    row = guhuai_row(cases_dir)
    assert row.count(">●<") == 8 and ">○<" not in row  # every category of Guhuai has a proposal


def test_home_categories_and_catalogue_count_only_what_was_done(site: Path):
    home = re.sub(r"<[^>]+>", " ", html_of(site, "index.html"))
    assert re.search(r"29\s+项做法已经在做\s+另有 12 项计划实施、建议、考察所见", home)
    assert re.search(r"居民自治与议事协商（2）", home)  # 仓南街 and 府佑 did it; 古槐 and 天马 only proposed it
    assert re.search(r"尚未在做（计划实施、建议、考察所见）：\s*古槐街道", home)
    categories = re.sub(r"<[^>]+>", " ", html_of(site, "categories/index.html"))
    assert re.search(r"居民自治与议事协商\s+.*?\s+2\s+另有 2 个尚未在做", categories)
    zizhi = html_of(site, "categories/zizhi/index.html")
    done, undone = zizhi.split('id="undone"')
    assert "古槐街道" not in done and "古槐街道" in undone and "曹溪街道天马社区" in undone
    guhuai_row = re.search(r'<tr[^>]*>(?:(?!</tr>).)*古槐街道.*?</tr>', html_of(site, "cases/index.html"))[0]
    assert 'data-category="交流 "' in guhuai_row and "尚未在做：" in guhuai_row


def test_every_quote_is_highlighted_in_its_source_page_and_linked_from_the_case(site: Path):
    book, _ = load_casebook(CASES)
    for case in book.cases:
        slug = case["slug"]
        source = html_of(site, f"sources/{slug}/index.html")
        page = html_of(site, f"cases/{slug}/index.html")
        for quote in case_quotes(book, case):
            name = anchor(quote)
            assert re.search(rf'<mark id="{name}">|<span class="cb-anchor" id="{name}"></span>', source), (slug, quote)
        for link in set(re.findall(r'class="cb-evidence-link" href="([^"]+)"', page)):
            target, name = link.split("#")
            assert target == f"/casebook/sources/{slug}/" and f'id="{name}"' in source
        assert f'href="/casebook/cases/{slug}/"' in source and f'href="/casebook/sources/{slug}.txt" download' in source
        assert f"/edit/main/cases/sources/{slug}.txt" in source  # 编辑此页 opens the kept text


def test_quotes_are_found_with_the_validator_normalisation_and_marked_in_the_original_text():
    text = "第一行\n他说：“网格员 全覆盖”，ＡＢＣ…结束。"
    assert normalised_with_offsets(text)[0] == normalise(text)
    found = locate(text, ['"网格员全覆盖"', "ABC..."])
    assert [text[a:b] for a, b in found.values()] == ["“网格员 全覆盖”", "ＡＢＣ…"]
    assert normalised_with_offsets("e\u0301x") == ("éx", [(0, 2), (2, 3)])  # a composing mark stays with its letter
    for relative, source in load_casebook(CASES)[0].sources.items():
        assert normalised_with_offsets(source)[0] == normalise(source), relative


def test_each_page_has_its_own_description_and_open_graph_tags(site: Path):
    descriptions = {}
    for page in site.rglob("index.html"):
        html = page.read_text(encoding="utf-8")
        for prop in ("og:title", "og:description", "og:image"):
            assert f'<meta property="{prop}" content="' in html, (page, prop)
        descriptions[page.relative_to(site).as_posix()] = re.search(r'<meta name="description" content="([^"]*)"', html)[1]
    case_pages = [d for p, d in descriptions.items() if p.startswith("cases/") and p != "cases/index.html"]
    assert len(set(case_pages)) == len(case_pages) == 5
    assert len(set(descriptions.values())) == len(descriptions)  # no two pages share a description
    image = re.search(r'<meta property="og:image" content="([^"]+)"', html_of(site, "index.html"))[1]
    assert image.startswith("https://") and (site / "assets/casebook/og.png").stat().st_size > 10_000


def test_404_page_is_chinese_with_a_way_home(site: Path):
    html = html_of(site, "404.html")
    assert "找不到这个页面" in html and "404 - Not found" not in html
    assert re.search(r'<a class="md-button md-button--primary" href="/casebook/">回到首页</a>', html)


def test_folded_chinese_lines_join_without_a_space(site: Path):
    page = html_of(site, "cases/cangnanjie/index.html")
    assert "建立9大联勤联动微信群，开办“站南爱老公益食堂”" in page  # one line ends with "，", the next starts with "开办"
    data = parse("a: >-\n  第一行，\n  第二行 and\n  more 文字\n\n  下一段\nb: 不折行 的文字\n", "x.yaml").data
    assert data == {"a": "第一行，第二行 and more 文字\n下一段", "b": "不折行 的文字"}


def test_a_line_break_before_or_after_a_digit_in_chinese_text_leaves_no_space():
    data = parse("a: >-\n  10月28日正式开启运营：\n  60周岁以上老人\nb: >-\n  共有\n  60户 in\n  2018 and\n  more\n", "x.yaml").data
    assert data == {"a": "10月28日正式开启运营：60周岁以上老人", "b": "共有60户 in 2018 and more"}


def test_a_district_is_placed_only_under_a_stated_city_and_sibling_slugs_never_collide(site: Path):
    import csv

    rows = {r["slug"]: r["region"] for r in csv.DictReader(html_of(site, "data/cases.csv").lstrip("\ufeff").splitlines())}
    assert rows["cangnanjie"] == "山东省 潍坊市 潍城区" and rows["huangtun-jinse-jiayuan"] == "山东省"  # as the site files them
    book, _ = load_casebook(CASES)
    tree = regions.build(book)
    keys = {r.key: r for r in regions.walk(tree)}
    assert [c["slug"] for c in keys["shandong/weifang"].cases] == ["cangnanjie", "fuyou"]
    assert "huangtun-jinse-jiayuan" in [c["slug"] for c in keys["shandong"].own]  # its 高新区 has no stated city
    book.cases = [dict(c, location=dict(c["location"], province=p, city=None, district=None))
                  for c, p in zip(book.cases[:2], ["山西省", "陕西省"])]
    assert sorted(r.key for r in regions.build(book)) == ["shan1xi1", "shan3xi1"]


def test_a_source_without_headline_is_left_empty_and_named_as_such_never_given_an_invented_title(cases_dir: Path):
    """A saved page with no headline: the editor leaves source.title empty and lists it; pages say so."""
    from casebook.core.validate import load_casebook as load

    case = cases_dir / "huangtun-jinse-jiayuan.yaml"
    edit(case, "  title: 黄屯街道金色嘉苑社区治理案例被收录《2018年度中国社区治理蓝皮书》——打通为民服务“最后一公里”",
         "  title: null")
    _, problems = load(cases_dir)
    assert [p.path for p in problems] == ["source.title"] and "unstated 里列出 source.title" in problems[0].message
    edit(case, "unstated: [location.city,", "unstated: [source.title, location.city,")
    book, problems = load(cases_dir)
    assert not problems
    files = SiteRenderer(book).files()
    case_page = files[routes.case("huangtun-jinse-jiayuan")]
    assert "无标题的原文" in case_page and "《》" not in case_page
    assert "# 原文：无标题的原文" in files[routes.source_page(book.case("huangtun-jinse-jiayuan")["source"]["file"])]


def test_a_district_without_its_city_is_named_in_the_catalogue_row_though_not_placed(cases_dir: Path):
    case = cases_dir / "huangtun-jinse-jiayuan.yaml"
    edit(case, "  province: 山东省", "  province: null")
    edit(case, "unstated: [location.city,", "unstated: [location.province, location.city,")
    book, problems = load_casebook(cases_dir)
    assert not problems
    catalogue = SiteRenderer(book).files()[routes.CATALOGUE]
    row = next(line for line in catalogue.splitlines() if "金色嘉苑" in line and "<tr" in line)
    assert "<td>高新区（城市未注明）</td>" in row
    unstated = next(r for r in regions.build(book) if r.name == "地区未注明")
    assert f'data-region="{unstated.key}"' in row  # filtered with the cases it cannot be told apart from
