"""The real casebook in cases/: only what must hold for every case, so a new case never turns this red."""
from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from casebook.core import siteconfig
from casebook.core.figure_check import base_unit
from casebook.core.numbers import magnitude, scale, stated
from casebook.core.files import case_files
from casebook.core.validate import load_casebook

from conftest import REAL_CASES, ROOT, build
from casebook.tools.linkwalk import broken_links

# Web-page furniture a cleaned source must not keep (navigation, download links, copyright lines).
BOILERPLATE = ["点击下载", "责任编辑", "分享到", "扫一扫", "上一篇", "下一篇", "打印本页", "关闭窗口"]


@pytest.fixture(scope="module")
def book():
    book, problems = load_casebook(REAL_CASES)
    assert not problems, "\n".join(map(str, problems))
    return book


def test_every_case_validates(book):
    assert len(book.cases) == len(case_files(REAL_CASES)) > 0


@pytest.mark.parametrize("source", sorted((REAL_CASES / "sources").glob("*.txt")), ids=lambda p: p.name)
def test_sources_are_cleaned_of_page_furniture_and_repeats(source: Path):
    text = source.read_text(encoding="utf-8")
    assert not [word for word in BOILERPLATE if word in text]
    paragraphs = [p.strip() for p in text.splitlines() if len(p.strip()) > 20]
    assert len(paragraphs) == len(set(paragraphs)), "a paragraph is kept twice"


def test_every_case_file_points_editors_at_the_schema():
    for path in case_files(REAL_CASES):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../scripts/casebook/data/case.schema.json", path.name


def test_the_real_site_builds_and_every_link_resolves(tmp_path_factory):
    site = tmp_path_factory.mktemp("real-site")
    result = build(ROOT, site)
    assert result.returncode == 0, result.stderr
    broken, _ = broken_links(site, siteconfig.read(ROOT / "mkdocs.yml").serve_path)
    assert not broken, "\n".join(broken[:30])


def test_every_figure_stands_in_its_evidence_quote(book):
    """Read the way Chinese writes numbers (2.1万平方米, 80%以上), with the qualifier the quote gives."""
    for case in book.cases:
        resources = [r for p in case["practices"] for r in p.get("resources", [])]
        for item in [i for i in case.get("profile", []) + case["outcomes"] + resources if i.get("value") is not None]:
            wanted = item["value"] * scale(item["unit"])
            said = stated(item["evidence"])
            assert any(math.isclose(value, wanted) and qualifier == item.get("qualifier") for value, qualifier in said), \
                (case["slug"], item, said)


def test_every_stated_city_is_placed_in_its_province(book):
    """A city without its province in the source is placed through the gazetteer; a missing entry would split a region."""
    from casebook.core import regions

    for case in book.cases:
        loc = case["location"]
        if loc.get("city"):
            assert loc.get("province") or loc["city"] in regions.gazetteer(), (
                f"{case['slug']}: 把 {loc['city']} 加到 scripts/casebook/data/gazetteer.yaml 里它所属的省份下")


def test_citation_file_names_the_last_released_version():
    import yaml

    from casebook.core import releases

    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    last = releases.history(REAL_CASES)[0]
    assert (citation["version"], str(citation["date-released"])) == (last["version"], str(last["date"]))
    assert (REAL_CASES / "releases" / last["version"] / "cases.json").is_file()


def test_completeness_never_counts_what_a_source_cannot_give(book):
    from casebook.core import completeness

    for case in book.cases:
        missing = completeness.score(case, book).missing
        assert not [m for m in missing for name in case.get("unstated", []) if f" {name}（" in m], case["slug"]
        assert not any("项成效没有数值" in m for m in missing), case["slug"]


def test_a_figure_is_a_resource_or_an_outcome_not_both(book):
    """What a practice put in (staff, money, floor space) is not also what it achieved."""
    for case in book.cases:
        put_in = {(magnitude(r), base_unit(r["unit"]))
                  for p in case["practices"] for r in p.get("resources", []) if r.get("value") is not None}
        achieved = {(magnitude(o), base_unit(o["unit"])) for o in case["outcomes"] if o.get("value") is not None}
        assert not put_in & achieved, (case["slug"], put_in & achieved)


# Words that make a sentence a possibility or an intention (可…参加, 将, 计划, 拟, 应该, 建议),
# and words that say something was done (成立了, 已, 先后, 开展, 建立…).
# 将 as "will" (将要, 将继续, 将在…), not as 把 (将…建设成为, 将矛盾化解在).
_MAYBE = re.compile(r"可(?!以说)|将(?:要|会|继续|进一步|在|于|通过)|即将|下一步|今后|计划|拟|应该|建议")
_DONE = re.compile(r"了|已|先后|坚持|成立|建立|建成|开展|实施|配备|采取|组织|打造|划分|设立|构建|依托")


def only_possible(quote: str) -> bool:
    """A quote that only says something can or will be done, never that it was."""
    return bool(_MAYBE.search(quote)) and not _DONE.search(quote)


@pytest.mark.parametrize("quote, flagged", [
    ("每位居民可根据自己的实际情况,参加诸如舞蹈队、志愿者服务队、社区教育讲师队、“编外党支部”等", True),
    ("下一步将建设社区食堂", True),
    ("先后成立了“夕阳红”老年舞蹈队、书法兴趣小组", False),
    ("于2019年4月成立公益项目", False),
])
def test_the_wording_rule_tells_a_possibility_from_a_deed(quote, flagged):
    assert only_possible(quote) is flagged


def test_what_is_marked_done_is_not_quoted_as_only_possible(book):
    """A practice or model in place (a status the vocabulary counts as done), or an achieved outcome,
    must not rest on a quote that only says 可/将/计划."""
    done = set(book.taxonomy.having("practice_statuses", "done"))
    achieved = set(book.taxonomy.having("outcome_kinds", "achieved"))
    for case in book.cases:
        items = [i for i in case["practices"] + case.get("models", []) if i["status"] in done]
        items += [o for o in case["outcomes"] if o["kind"] in achieved]
        flagged = [i["evidence"] for i in items if only_possible(i["evidence"])]
        assert not flagged, (case["slug"], flagged)


def test_words_credited_to_a_person_are_that_persons_quoted_words_or_near_their_name(book):
    """said_by names someone the case quotes, and the source names them within the same passage."""
    for case in book.cases:
        text = book.sources[case["source"]["file"]]
        speakers = {q["speaker"] for q in case.get("quotes", [])}
        for item in case["practices"] + case["outcomes"] + case.get("models", []) + case.get("lessons", []):
            name = item.get("said_by")
            if name:
                assert name in speakers and name in text, (case["slug"], item["evidence"])
