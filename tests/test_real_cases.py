"""The real casebook in cases/: only what must hold for every case, so a new case never turns this red."""
from __future__ import annotations

import math
from pathlib import Path

import pytest

from casebook import siteconfig
from casebook.numbers import scale, stated
from casebook.validate import case_files, load_casebook

from conftest import REAL_CASES, ROOT, build
from linkwalk import broken_links

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
    from casebook import regions

    for case in book.cases:
        loc = case["location"]
        if loc.get("city"):
            assert loc.get("province") or loc["city"] in regions.gazetteer(), (
                f"{case['slug']}: 把 {loc['city']} 加到 scripts/casebook/data/gazetteer.yaml 里它所属的省份下")


def test_citation_file_names_the_last_released_version():
    import yaml

    from casebook import releases

    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    last = releases.history(REAL_CASES)[0]
    assert (citation["version"], str(citation["date-released"])) == (last["version"], str(last["date"]))
    assert (REAL_CASES / "releases" / last["version"] / "cases.json").is_file()
