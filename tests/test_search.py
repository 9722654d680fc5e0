"""Search as a secretary types it, in a real browser: online (http) and from file:// (the offline build).

Each kind of query the casebook promises: a word that stands only in a description, a word inside a
longer word, an everyday word the vocabulary's synonyms map to the cases' words, a phrase of two
words written together, and a query with no match.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from casebook.site import search as search_index
from casebook.generator.mkdocs_build import build_book
from casebook.core.validate import load_casebook
from conftest import CASES, make_project, search

CANTEEN = "南关街道仓南街社区"  # the case with the 站南爱老公益食堂 canteen
FUYOU = "新城街道府佑社区"
HUANGTUN = "黄屯街道金色嘉苑社区"

QUERIES = [
    ("买菜", CANTEEN),      # only in a practice's description
    ("灶台", CANTEEN),      # only in a practice's description
    ("服务圈", FUYOU),      # inside 5分钟步行服务圈
    ("会客厅", FUYOU),      # inside 居民会客厅
    ("议事", FUYOU),        # inside 议事协商
    ("吃饭", CANTEEN),      # synonym: 食堂, 就餐
    ("楼长", CANTEEN),      # synonym: 楼栋长
    ("五老", HUANGTUN),     # inside 五老人员
    ("老人吃饭", CANTEEN),  # two words written together, one through a synonym
    ("老人 食堂", CANTEEN),  # two words apart
]


@pytest.fixture(scope="module")
def offline_site(tmp_path_factory) -> Path:
    """The fixture casebook built for file:// as the offline export builds it."""
    out = tmp_path_factory.mktemp("offline-site")
    project = make_project(tmp_path_factory.mktemp("offline-project"))
    book, problems = load_casebook(project / "cases")
    assert not problems, problems
    build_book(project / "mkdocs.yml", book, out, offline=True)
    return out


@pytest.fixture(scope="module", params=["online", "file"])
def start(request, browser, served, offline_site):
    """One page to search from, over http and from file://; fails on any script error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(served + "cases/" if request.param == "online" else (offline_site / "cases/index.html").as_uri())
    yield page
    context.close()
    assert not errors, errors


def titles(results: list[str]) -> list[str]:
    return [r.split("\n")[0].strip() for r in results]


def status_label(term: str) -> str:
    import yaml

    statuses = yaml.safe_load((CASES / "taxonomy.yaml").read_text(encoding="utf-8"))["practice_statuses"]
    return next(s["label"] for s in statuses if s["term"] == term)


def test_each_kind_of_query_finds_its_case(start):
    missed = {query: titles(results) for query, case in QUERIES if case not in titles(results := search(start, query))}
    assert not missed, missed
    assert titles(search(start, "老人吃饭"))[0] == CANTEEN  # the case with both words first


def test_a_query_with_no_match_says_so(start):
    assert search(start, "火星基地") == []
    assert "没有找到" in start.locator(".md-search-result__meta").inner_text()


def test_a_model_name_finds_only_its_case(start):
    cases = [t for t in titles(search(start, "四汇共治")) if t.endswith(("社区", "街道"))]
    assert cases == [CANTEEN]


def test_a_result_shows_section_snippet_and_the_practice_status_from_the_vocabulary(start):
    (first, *_) = search(start, "灶台")
    assert "具体做法 › 站南爱老公益食堂" in first and "为老服务" in first and status_label("in_place") in first
    assert start.locator(".md-search-result__item mark").first.inner_text() == "灶台"
    # A plan, a proposal and what was seen elsewhere read as such before the reader clicks.
    for query, name, status in [("一社区一品牌", "一街道一特色", "planned"), ("楼梯文化", "发展楼梯文化", "proposed"),
                                ("三里亭", "三里亭", "observed")]:
        result = next(r for r in search(start, query) if name in r)
        assert status_label(status) in result, (query, result)


def test_a_result_opens_the_case_at_its_section(start):
    search(start, "灶台")
    start.locator(".md-search-result__link").first.click()
    start.wait_for_url(re.compile(r"cases/cangnanjie(/|\.html)#practice-weilao$"))
    assert "站南爱老公益食堂" in start.locator("article").inner_text()
    start.go_back()


def test_searching_on_a_phone_opens_from_the_header(browser, served):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, device_scale_factor=2)
    page = context.new_page()
    page.goto(served)
    assert CANTEEN in titles(search(page, "买菜"))
    context.close()


def test_index_holds_every_section_a_reader_sees_with_vocabulary_labels(site: Path):
    entries = search_index.read_index(site)
    canteen = [e for e in entries if e["url"] == "cases/cangnanjie/"]
    text = " ".join(e["heading"] + " " + e["body"] for e in canteen)
    for seen in ["四汇共治", "汇管理", "买菜", "灶台", "楼栋长", "80%以上", "面塑非遗文化传承人", "家门口", "非遗", "潍坊市"]:
        assert seen in text, seen
    sections = {e["section"] for e in canteen}
    assert {"摘要", "治理模式", "具体做法", "成效", "人物说", "经验启示"} <= sections
    practice = next(e for e in canteen if e["heading"] == "站南爱老公益食堂" and e["anchor"].startswith("practice-"))
    assert practice["labels"] == ["为老服务", "已实施"]


def test_index_is_written_once_and_small(site: Path, offline_site: Path):
    # Five cases, the category pages, the guide and the references; the benchmark checks the growth per case.
    assert search_index.index_bytes(site) < 30 * 1024
    # No second index (Material's search plugin is off): the offline build carries ours only.
    assert not list(offline_site.glob("search/search_index.*"))
    assert search_index.index_bytes(offline_site) < 30 * 1024


def test_synonyms_are_part_of_the_vocabulary():
    import yaml

    synonyms = {s["word"]: s["means"] for s in yaml.safe_load((CASES / "taxonomy.yaml").read_text())["synonyms"]}
    assert "食堂" in synonyms["吃饭"] and "楼栋长" in synonyms["楼长"]


def test_the_guide_is_found_too(site: Path):
    guide = [e for e in search_index.read_index(site) if e["url"] == "guide/"]
    assert any("离线使用" in e["heading"] and "解压" in e["body"] for e in guide)


def test_practices_in_place_rank_above_proposals(start):
    # 古槐街道's 网格员全覆盖 and 开通微信平台 are proposals (status `proposed`, not `done` in the vocabulary).
    for query, in_place in [("网格", "黄屯街道金色嘉苑社区"), ("微信", CANTEEN)]:
        order = titles(search(start, query))
        assert order.index(in_place) < order.index("古槐街道"), (query, order)


def test_a_word_found_nowhere_is_named_and_the_rest_is_shown(start):
    # No fixture case mentions 积分; written together with 志愿者 or apart, the reader is told.
    for query in ["志愿者积分", "志愿者 积分"]:
        shown = titles(search(start, query))
        meta = start.locator(".md-search-result__meta").inner_text()
        assert "没有找到“积分”" in meta and "“志愿者”" in meta, (query, meta)
        assert CANTEEN in shown, (query, shown)
    search(start, "调解 积分")
    assert "没有找到“积分”" in start.locator(".md-search-result__meta").inner_text()


def test_words_that_name_object_properties_are_searched_like_any_other(start):
    # Looked up in a plain object, these found Object's own properties and the search stopped with a TypeError.
    for query in ["constructor", "__proto__", "hasOwnProperty"]:
        assert search(start, query) == []
        assert "没有找到" in start.locator(".md-search-result__meta").inner_text()
    assert FUYOU in titles(search(start, "toString 议事"))
    assert "没有找到“tostring”" in start.locator(".md-search-result__meta").inner_text()


def test_an_added_or_edited_case_changes_only_its_own_chunk_of_the_index_and_the_index_stays_the_same():
    import copy
    from casebook.core.model import Casebook
    fixture, _ = load_casebook(CASES, cache_dir=None)
    cases = []
    for i in range(300):
        case = copy.deepcopy(fixture.cases[i % len(fixture.cases)])
        case["slug"], case["name"] = f"case-{i:04d}", f"{case['name']}{i}"
        cases.append(case)
    book = Casebook(cases, fixture.taxonomy, fixture.schema, CASES)
    stored, hits = {}, []

    def kept(name, make, valid):
        if name in stored and valid(stored[name]):
            hits.append(name)
            return stored[name]
        stored[name] = make()
        return stored[name]

    search_index.index_files(book, True, kept=kept)
    cases[150]["summary"] += "这是改过的一句话。"
    cases.insert(100, {**copy.deepcopy(cases[0]), "slug": "case-0099a", "name": "新加的案例"})  # a case added
    hits.clear()
    again = search_index.index_files(book, True, kept=kept)
    assert again == search_index.index_files(book, True)  # kept chunks give the index a fresh build gives
    chunks = [path for path in again if re.search(r"/[0-9]+-[0-9a-f]{8}\.js$", path)]
    assert len(chunks) > 10 and len(chunks) - 4 <= len(hits) < len(chunks)
