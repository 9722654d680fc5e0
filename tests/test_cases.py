"""The five founding cases: valid, and every figure traceable to the kept source text."""
from __future__ import annotations

import pytest

from casebook.render import number
from casebook.validate import load_casebook

from conftest import CASES


@pytest.fixture(scope="module")
def book():
    book, problems = load_casebook(CASES)
    assert not problems, "\n".join(map(str, problems))
    return book


def test_the_five_founding_cases_validate(book):
    assert [c["slug"] for c in book.cases] == ["cangnanjie", "fuyou", "guhuai", "huangtun-jinse-jiayuan", "tianma"]


def test_every_figure_stands_in_its_evidence_quote(book):
    for case in book.cases:
        for item in case.get("profile", []) + [o for o in case["outcomes"] if o["kind"] == "measured"]:
            assert number(item["value"]) in item["evidence"], (case["slug"], item)


def test_unknown_places_stay_unknown(book):
    assert book.case("tianma")["location"]["city"] is None
    assert book.case("tianma")["location"]["province"] is None
    assert book.case("huangtun-jinse-jiayuan")["location"]["city"] is None


def test_guhuai_seminar_is_recorded_as_plans_not_results(book):
    guhuai = book.case("guhuai")
    assert not [o for o in guhuai["outcomes"] if o["kind"] in {"measured", "recognition"}]
    statuses = [p["status"] for p in guhuai["practices"]]
    assert statuses.count("proposed") > len(statuses) / 2


def test_the_mediation_figure_and_national_honours_are_kept(book):
    huangtun = book.case("huangtun-jinse-jiayuan")
    measured = [o for o in huangtun["outcomes"] if o["kind"] == "measured"]
    assert (measured[0]["value"], measured[0]["unit"]) == (16, "起")
    assert any("全国幸福示范社区" in o["statement"] for o in huangtun["outcomes"] if o["kind"] == "recognition")


@pytest.mark.parametrize("source, noise", [
    ("guhuai.txt", "取取经经"),  # OCR doubling
    ("huangtun-jinse-jiayuan.txt", "财税"),  # unrelated trailing article
    ("cangnanjie.txt", "无偿献血让爱洋溢"),  # other headlines on the page
    ("tianma.txt", "点击下载"),  # site boilerplate
    ("fuyou.txt", "今日高新版权所有"),
])
def test_sources_are_cleaned_of_noise(source, noise):
    assert noise not in (CASES / "sources" / source).read_text(encoding="utf-8")


def test_duplicated_article_is_kept_once():
    text = (CASES / "sources" / "fuyou.txt").read_text(encoding="utf-8")
    assert text.count("一花独放不是春") == 1


def test_every_case_file_points_editors_at_the_schema():
    for path in CASES.glob("*.yaml"):
        if path.name != "taxonomy.yaml":
            first = path.read_text(encoding="utf-8").splitlines()[0]
            assert first == "# yaml-language-server: $schema=../scripts/casebook/data/case.schema.json"
