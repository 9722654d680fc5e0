"""What articles state that a case could not hold before: dates without a year, written and published
dates, a newspaper seen through its host site, words credited to a person, price tiers ("free" is not
0 yuan), start dates, the level a figure belongs to, and figures written with their qualifier everywhere.

Each test edits a copy of the fixture casebook (source text and case together) and renders it in
process, as a reader would then see it.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from casebook.site import opendata, routes, search
from casebook.site.render import SiteRenderer
from casebook.authoring.scaffold import render_case
from casebook.core.schema import fields, vocabulary_flags
from casebook.core.validate import load_casebook

from conftest import edit, line_of

CANTEEN = "    evidence: 于2019年4月成立公益项目“站南爱老公益食堂”\n"
TIERS_TEXT = "食堂对60周岁以上老人每餐收费10元,90周岁以上老人免费就餐。"


def _book(cases_dir: Path):
    book, problems = load_casebook(cases_dir, cache_dir=False)
    assert not problems, "\n".join(map(str, problems))
    return book


def _page(book, slug: str) -> str:
    """The case page alone: rendering the whole site for one page would cost seconds per test."""
    return SiteRenderer(book).render("case.md.j2", routes.case(slug), case=book.case(slug), related=[])


def _rows(book, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(opendata.downloads(book)[routes.download(name)].decode("utf-8-sig"))))


def _problems(cases_dir: Path) -> list[str]:
    book, problems = load_casebook(cases_dir, cache_dir=False)
    assert book is None
    return [f"{Path(p.file).name}:{p.line}: {p.path}: {p.message}" for p in problems]


def _add_canteen_tiers(cases_dir: Path, free_tier: str) -> None:
    with (cases_dir / "sources" / "cangnanjie.txt").open("a", encoding="utf-8") as f:
        f.write("\n" + TIERS_TEXT + "\n")
    edit(cases_dir / "cangnanjie.yaml", CANTEEN, CANTEEN + (
        "    started: 2019-04\n"
        "    started_evidence: 于2019年4月成立公益项目“站南爱老公益食堂”\n"
        "    tiers:\n"
        "      - who: 60周岁以上老人\n"
        "        value: 10\n"
        "        unit: 元/餐\n"
        "        evidence: 食堂对60周岁以上老人每餐收费10元\n"
        "      - who: 90周岁以上老人\n" + free_tier +
        "        evidence: 90周岁以上老人免费就餐\n"))


def test_price_tiers_show_free_as_free_and_the_start_date_with_its_quote(cases_dir: Path):
    _add_canteen_tiers(cases_dir, "        free: true\n")
    page = _page(_book(cases_dir), "cangnanjie")
    assert "服务对象与价格" in page
    assert "60周岁以上老人 <strong class=\"cb-num\">10元/餐</strong>" in page
    assert "90周岁以上老人 <strong class=\"cb-num\">免费</strong>" in page
    assert "开始于 <time>2019-04</time>" in page


def test_a_free_tier_with_a_price_and_a_start_date_its_quote_lacks_are_refused_at_their_lines(cases_dir: Path):
    _add_canteen_tiers(cases_dir, "        free: true\n        value: 0\n        unit: 元\n")
    edit(cases_dir / "cangnanjie.yaml", "    started: 2019-04\n", "    started: 2019-05\n")
    problems = _problems(cases_dir)
    value_line = line_of(cases_dir / "cangnanjie.yaml", "value: 0")
    assert any(p.startswith(f"cangnanjie.yaml:{value_line}: ") and "free: true 又写了价格" in p for p in problems), problems
    started_line = line_of(cases_dir / "cangnanjie.yaml", "started: 2019-05")
    assert any(p.startswith(f"cangnanjie.yaml:{started_line}: ") and "“2019-05”在 started_evidence 摘录中找不到" in p
               for p in problems), problems


def test_a_start_date_needs_its_quote(cases_dir: Path):
    edit(cases_dir / "cangnanjie.yaml", CANTEEN, CANTEEN + "    started: 2019-04\n")
    assert any("缺少必填字段“started_evidence”" in p for p in _problems(cases_dir))


def test_a_date_without_a_year_and_a_written_date_show_in_the_citation_as_the_article_gives_them(cases_dir: Path):
    edit(cases_dir / "guhuai.yaml", "  date: null\n", '  date: null\n  month_day: "06-29"\n')
    edit(cases_dir / "guhuai.yaml", "    - 齐鲁晚报·今日运河 古槐街道办事处 联办\n",
         "    - 齐鲁晚报·今日运河 古槐街道办事处 联办\n    - 本报济宁6月29日讯\n")
    page = _page(_book(cases_dir), "guhuai")
    assert "，6月29日（原文未写年份）" in page and "发表日期未注明" not in page


def test_a_source_date_its_quotes_do_not_state_is_refused(cases_dir: Path):
    edit(cases_dir / "guhuai.yaml", "  date: null\n", '  date: null\n  month_day: "06-28"\n')
    edit(cases_dir / "guhuai.yaml", "    - 齐鲁晚报·今日运河 古槐街道办事处 联办\n",
         "    - 齐鲁晚报·今日运河 古槐街道办事处 联办\n    - 本报济宁6月29日讯\n")
    line = line_of(cases_dir / "guhuai.yaml", "month_day")
    assert any(p.startswith(f"guhuai.yaml:{line}: source.month_day: 日期“06-28”在 source.evidence 的摘录中找不到")
               for p in _problems(cases_dir))


def test_a_newspaper_seen_through_its_host_site_is_cited_as_such(cases_dir: Path):
    edit(cases_dir / "cangnanjie.yaml", "  publisher: 潍坊报业集团\n",
         "  publisher: null\n  host: 潍坊新闻网\n  medium: 报纸电子版，正文只称“本报”\n")
    book = _book(cases_dir)
    page = _page(book, "cangnanjie")
    assert "》（报纸电子版，正文只称“本报”），第04版:综合，2020-08-24" in page and "，载潍坊新闻网。" in page
    row = next(r for r in _rows(book, "cases.csv") if r["slug"] == "cangnanjie")
    assert (row["source_publisher"], row["source_host"]) == ("", "潍坊新闻网")


def test_words_are_credited_to_the_person_with_the_role_the_quotes_give(cases_dir: Path):
    edit(cases_dir / "huangtun-jinse-jiayuan.yaml", "    practice: 和为贵调解室\n    evidence: 从今年成立以来",
         "    practice: 和为贵调解室\n    level: 街道\n    said_by: 张艳国\n    evidence: 从今年成立以来")
    book = _book(cases_dir)
    page = _page(book, "huangtun-jinse-jiayuan")
    assert "张艳国（黄屯街道社会稳定办公室副主任）说" in page
    assert "16起</strong> <small class=\"cb-level\" data-search-exclude>（街道层面）</small>" in page
    sixteen = next(r for r in _rows(book, "outcomes.csv") if r["value"] == "16")
    assert (sixteen["level"], sixteen["said_by"]) == ("街道", "张艳国")


def test_words_credited_to_a_group_instead_of_a_quoted_person_are_refused(cases_dir: Path):
    edit(cases_dir / "huangtun-jinse-jiayuan.yaml", "    practice: 和为贵调解室\n    evidence: 从今年成立以来",
         "    practice: 和为贵调解室\n    said_by: 社区干部\n    evidence: 从今年成立以来")
    line = line_of(cases_dir / "huangtun-jinse-jiayuan.yaml", "said_by: 社区干部")
    assert any(p.startswith(f"huangtun-jinse-jiayuan.yaml:{line}: outcomes[0].said_by: “社区干部”不是 quotes 中的发言人")
               and "张艳国" in p for p in _problems(cases_dir))


def test_search_snippets_and_resources_csv_keep_the_qualifier(cases_dir: Path):
    edit(cases_dir / "cangnanjie.yaml", CANTEEN + "    resources:\n",
         CANTEEN + "    resources:\n      - kind: people\n"
         "        name: 志愿者提供的服务\n        value: 10\n        unit: 项\n        qualifier: 多\n"
         "        evidence: 寻医问药等10多项服务\n")
    book = _book(cases_dir)
    entries = list(search.case_entries(book.case("cangnanjie"), search.Labels(book)))
    bodies = " ".join(e[2] for e in entries)
    assert "80%以上" in bodies and "10多项" in bodies and "80 %" not in bodies
    ten = next(r for r in _rows(book, "resources.csv") if r["resource"] == "志愿者提供的服务")
    assert (ten["value"], ten["unit"], ten["qualifier"]) == ("10", "项", "多")


def test_the_new_fields_are_in_the_scaffold_and_the_field_reference(cases_dir: Path):
    scaffold = render_case("new-case")
    for name in ("month_day", "written", "host", "medium", "said_by", "level", "started", "tiers", "free",
                 "year_note", "reading_note"):
        assert f"{name}:" in scaffold, name
    book = _book(cases_dir)
    fields_page = SiteRenderer(book).render("fields.md.j2", routes.FIELDS, fields=list(fields(book.schema)),
                                           flags=vocabulary_flags())
    assert "原文只写了月日、没写年份的发表日期" in fields_page and "免费写 free: true" in fields_page


def test_a_publisher_its_quotes_do_not_name_is_refused(cases_dir: Path):
    """A paper's name comes from the page, not from the address or what everyone knows."""
    edit(cases_dir / "guhuai.yaml", "  publisher: 齐鲁晚报·今日运河\n", "  publisher: 济宁日报\n")
    line = line_of(cases_dir / "guhuai.yaml", "publisher")
    assert any(p.startswith(f"guhuai.yaml:{line}: source.publisher: “济宁日报”在 source.evidence 的摘录中找不到")
               for p in _problems(cases_dir))


def test_a_publisher_made_of_two_quotes_is_refused(cases_dir: Path):
    """Each quote stands on its own: a name the page never writes in one piece is not on the page."""
    edit(cases_dir / "guhuai.yaml", "    - 齐鲁晚报·今日运河 古槐街道办事处 联办\n", "    - 齐鲁晚报·\n    - 今日运河 古槐街道办事处 联办\n")
    line = line_of(cases_dir / "guhuai.yaml", "publisher")
    assert any(p.startswith(f"guhuai.yaml:{line}: source.publisher: “齐鲁晚报·今日运河”在 source.evidence 的摘录中找不到")
               for p in _problems(cases_dir))


def test_a_date_in_the_wrong_shape_gets_one_message_not_a_crash(cases_dir: Path):
    edit(cases_dir / "guhuai.yaml", "  date: null\n", '  date: null\n  month_day: "6"\n')
    problems = [p for p in _problems(cases_dir) if "month_day" in p]
    assert len(problems) == 1 and "找不到" not in problems[0]
