"""Transferability (issue 17): community types, what a practice needed, where an idea came from.

Stands on the fixture casebook: tianma and cangnanjie carry community types, cangnanjie's canteen its
resources, fuyou a learned-from entry (湖州 清滨社区) and guhuai a learned-from link to the case fuyou.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from casebook.site.render import SiteRenderer
from casebook.authoring.scaffold import render_case
from casebook.core.validate import load_casebook
from casebook.core import transfer

from conftest import assert_reported, CASES, edit

C, F, G = "cangnanjie.yaml", "fuyou.yaml", "guhuai.yaml"

# (name, case file, text to replace, replacement, field path, words the message must contain, text on the reported line)
BROKEN = [
    ("community type quote not in source", C, "evidence: 仓南街辖区小区多而分散,老干部居住不集中",
     "evidence: 仓南街辖区小区少而集中", "community_types[0].evidence", "找不到", "小区少而集中"),
    ("community type missing its quote", C, "    evidence: 仓南街辖区小区多而分散,老干部居住不集中\n", "",
     "community_types[0].evidence", "缺少必填字段“evidence”", "term: 小区分散型社区"),
    ("unknown community type", C, "term: 小区分散型社区", "term: 小区分散社区", "community_types[0].term",
     "是否想写“小区分散型社区”", "term: 小区分散社区"),
    ("resource quote not in source", C, "        evidence: 社区投资35万元", "        evidence: 社区投资53万元",
     "practices[4].resources[0].evidence", "从“53万元”起不一致", "社区投资53万元"),
    ("resource missing its quote", C, "        evidence: 社区投资35万元\n", "",
     "practices[4].resources[0].evidence", "缺少必填字段“evidence”", "kind: money"),
    ("unknown resource kind", C, "kind: money", "kind: moneys", "practices[4].resources[0].kind",
     "是否想写“money”", "kind: moneys"),
    ("resource figure without unit", C, "        unit: 万元\n", "", "practices[4].resources[0].unit",
     "缺少必填字段“unit”", "kind: money"),
    ("learned-from link to a missing case", G, "case: fuyou", "case: fuyu", "learned_from[0].case",
     "没有标识为“fuyu”的案例；是否想写“fuyou”", "case: fuyu"),
    ("learned-from link to itself", G, "case: fuyou", "case: guhuai", "learned_from[0].case", "本案例自己",
     "case: guhuai"),
    ("learned-from place the quotes do not state", F, "place: 浙江湖州", "place: 浙江杭州", "learned_from[0].place",
     "摘录中找不到", "place: 浙江杭州"),
    ("learned-from quote not in source", F, "      - 清滨社区依托“五邻贤聚”项目打破普遍存在的“陌邻感”“生疏感”",
     "      - 清滨社区依托“六邻贤聚”项目", "learned_from[0].evidence[1]", "找不到", "六邻贤聚"),
    ("learned-from without a quote", F, "    evidence:\n      - 府佑社区党委书记李欣到浙江湖州",
     "    old_evidence:\n      - 府佑社区党委书记李欣到浙江湖州", "learned_from[0].evidence", "缺少必填字段“evidence”", None),
    ("learned-from naming no practice of the case", F, "practices: [湖州清滨社区“五邻贤聚”项目]",
     "practices: [清滨社区“五邻贤聚”]", "learned_from[0].practices[0]", "是否想写“湖州清滨社区“五邻贤聚”项目”",
     "practices: [清滨社区"),
]


@pytest.mark.parametrize("name, file, old, new, path, words, line_text", BROKEN, ids=[b[0] for b in BROKEN])
def test_each_new_fact_needs_its_evidence_and_is_reported_at_its_field(cases_dir: Path, name, file, old, new, path,
                                                                      words, line_text):
    assert_reported(cases_dir, file, old, new, path, words, line_text)


def test_a_broken_link_is_reported_when_only_the_linking_case_is_checked(cases_dir: Path):
    edit(cases_dir / G, "case: fuyou", "case: nowhere")
    book, problems = load_casebook(cases_dir, only=[cases_dir / G])
    assert [p.path for p in problems] == ["learned_from[0].case"], problems


def test_removing_a_case_that_another_learned_from_breaks_the_link(cases_dir: Path):
    (cases_dir / F).unlink()
    book, problems = load_casebook(cases_dir)
    assert any(p.path == "learned_from[0].case" and "“fuyou”" in p.message for p in problems), problems


def test_a_casebook_without_the_new_vocabularies_still_loads(cases_dir: Path):
    taxonomy = cases_dir / "taxonomy.yaml"
    text = taxonomy.read_text(encoding="utf-8")
    taxonomy.write_text(text[:text.index("# 社区类型：")], encoding="utf-8")
    for name in (C, F, G, "tianma.yaml"):
        path = cases_dir / name
        data = path.read_text(encoding="utf-8")
        for field in ("community_types:", "learned_from:"):
            if field in data:  # drop the block up to the next top-level field
                start = data.index(field)
                end = next(i for i in range(start + 1, len(data)) if data[i - 1] == "\n" and data[i].isalpha())
                data = data[:start] + data[end:]
        data = data.replace(data[data.index("    resources:"):data.index("  - name: “暖巢”")], "") if name == C else data
        path.write_text(data, encoding="utf-8")
    book, problems = load_casebook(cases_dir)
    assert not problems, problems
    assert "compare/learning.md" in SiteRenderer(book).files()


@pytest.fixture(scope="module")
def files() -> dict:
    book, problems = load_casebook(CASES)
    assert not problems
    return SiteRenderer(book).files()


def test_case_page_shows_community_type_with_its_quote(files):
    page = files["cases/tianma.md"]
    assert "<dt>社区类型</dt>" in page
    assert "#ctype=chengxiang\">城乡结合部</a>" in page
    assert "处于城乡结合部" in page
    assert "<dt>社区类型</dt>" not in files["cases/huangtun-jinse-jiayuan.md"]  # unknown stays unknown


def test_each_practice_shows_what_it_needed(files):
    page = files["cases/cangnanjie.md"]
    canteen = page[page.index("<strong>站南爱老公益食堂</strong>"):]
    canteen = canteen[:canteen.index("</li>\n")]
    assert "所需资源与合作方" in canteen
    assert "资金</span> 社区投资 <strong class=\"cb-num\">35万元</strong>" in canteen
    assert "合作单位</span> 潍坊经贸学院" in canteen
    assert "真正发挥了社区和潍坊经贸学院党建资源的有效整合" in canteen


def test_learned_from_section_names_places_and_links_cases_both_ways(files):
    fuyou = files["cases/fuyou.md"]
    assert "## 学习借鉴" in fuyou
    assert "<strong>浙江湖州 清滨社区</strong>" in fuyou
    assert "相关做法：湖州清滨社区“五邻贤聚”项目" in fuyou
    assert "向本案例学习的案例：<a href=\"../guhuai/\">古槐街道</a>" in fuyou
    guhuai = files["cases/guhuai.md"]
    assert "（案例：<a href=\"../fuyou/\">新城街道府佑社区</a>）" in guhuai
    assert "## 学习借鉴" not in files["cases/tianma.md"]


def test_learning_page_draws_every_link_as_svg(files):
    page = files["compare/learning.md"]
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert svg.count('class="cb-edge"') == 2
    assert "浙江湖州 清滨社区" in svg
    assert '<a href="../../cases/fuyou/">' in svg  # a case is a node that opens its page, as origin and as learner
    assert "<script" not in page
    html_block = page[page.index('<div class="cb-learning">'):page.index("</svg>")]
    assert "\n\n" not in html_block  # a blank line would end Markdown's HTML block and break the drawing


def test_a_casebook_with_more_links_than_a_drawing_can_hold_lists_them_without_one(monkeypatch, files):
    """A diagram of thousands of links is megabytes no one can read: past the limit, the page says so and lists them."""
    monkeypatch.setattr(transfer, "DIAGRAM_MOST", 1)
    book, _ = load_casebook(CASES)
    page = SiteRenderer(book).files()["compare/learning.md"]
    assert "<svg" not in page and "共 2 条学习借鉴关系，太多了画不成一张图" in page
    listed = page[page.index('<ul class="cb-learned"'):page.index("</ul>")]
    assert listed.count("<li>") == 2 and "浙江湖州 清滨社区" in listed
    assert listed == files["compare/learning.md"][files["compare/learning.md"].index('<ul class="cb-learned"'):
                                                  files["compare/learning.md"].index("</ul>")]


def test_field_reference_and_scaffold_carry_the_new_fields(files):
    reference = files["reference/fields.md"]
    for field in ("community_types[].term", "practices[].resources[].kind", "learned_from[].case",
                  "learned_from[].evidence"):
        assert f"<code>{field}</code>" in reference
    assert "社区类型（community_types）" in reference and "城乡结合部" in reference
    assert "资源类型（resource_kinds）" in reference
    scaffold = render_case("xin-an")
    assert "community_types: []" in scaffold
    assert "learned_from: []" in scaffold
    assert "    resources: []" in scaffold


def _rows(content: str | bytes) -> list[dict]:
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
    return list(csv.DictReader(text.splitlines()))


def test_open_data_carries_the_new_fields(files):
    cases = {row["slug"]: row for row in _rows(files["data/cases.csv"])}
    assert cases["tianma"]["community_types"] == "城乡结合部"
    assert cases["huangtun-jinse-jiayuan"]["community_types"] == ""
    assert cases["fuyou"]["learned_from"] == "浙江湖州 清滨社区"
    resources = _rows(files["data/resources.csv"])
    assert {(r["slug"], r["practice"], r["kind_label"], r["resource"], r["value"], r["unit"]) for r in resources} == {
        ("cangnanjie", "站南爱老公益食堂", "资金", "社区投资", "35", "万元"),
        ("cangnanjie", "站南爱老公益食堂", "合作单位", "潍坊经贸学院", "", ""),
    }
    learning = _rows(files["data/learning.csv"])
    assert [(r["slug"], r["place"], r["community"], r["case"]) for r in learning] == [
        ("fuyou", "浙江湖州", "清滨社区", ""), ("guhuai", "潍坊", "", "fuyou")]
    data = {c["slug"]: c for c in json.loads(files["data/cases.json"])["cases"]}
    assert data["guhuai"]["learned_from"][0]["case"] == "fuyou"
    assert data["cangnanjie"]["practices"][4]["resources"][0]["evidence"] == "社区投资35万元"
    docs = files["data/index.md"]
    assert "resources.csv" in docs and "learning.csv" in docs and "<code>community_types</code>" in docs


def test_catalogue_filters_by_community_type_and_keeps_it_in_the_address(browser, served):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(served + "cases/")
    options = page.locator("select[name=ctype] option").all_inner_texts()
    assert options == ["全部", "小区分散型社区", "城乡结合部"]  # vocabulary order, only types some case has
    page.select_option("select[name=ctype]", label="城乡结合部")
    rows = page.locator("[data-cb-rows] tbody tr:visible td:first-child a")
    assert rows.all_inner_texts() == ["曹溪街道天马社区"]
    assert "ctype=chengxiang" in page.url
    page.goto(served + "cases/tianma/")  # the chip on a case page opens the filtered catalogue
    page.locator(".cb-facts a.cb-chip", has_text="城乡结合部").click()
    page.wait_for_url("**/cases/#ctype=chengxiang")
    assert rows.all_inner_texts() == ["曹溪街道天马社区"]
    context.close()


def test_learning_diagram_is_readable_on_a_phone(browser, served):
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    page.goto(served + "compare/learning/")
    svg = page.locator(".cb-learning svg")
    box = svg.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360
    heights = [t.bounding_box()["height"] for t in page.locator(".cb-learning svg tspan").all()]
    assert heights and min(heights) >= 11, heights  # CSS pixels: no smaller than the site's small print
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.locator(".cb-learning svg a").first.click()  # a case node opens the case
    page.wait_for_url("**/cases/**")
    context.close()
