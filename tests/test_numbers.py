"""Numbers as Chinese writes them: read from quotes, checked against figures, shown with their qualifier."""
from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from casebook.exports import handout
from casebook.core.figure_check import agrees, mismatch
from casebook.core.numbers import figure, magnitude, readings, scale, stated
from casebook.site.render import SiteRenderer
from casebook.exports.selection import Selection, choose
from casebook.core.siteconfig import SiteSettings
from casebook.core.validate import load_casebook

from conftest import CASES, ROOT, edit, line_of, run_cli

# (quote, the (value, qualifier) pairs it states, in order)
STATED = [
    ("常住人口1.5万人", [(15000, None)]),
    ("以及2.1万平方米的商业金街", [(21000, None)]),
    ("投资15亿元建设", [(1500000000, None)]),
    ("内容80%以上得到了圆满解决", [(80, "以上")]),
    ("内容80％以上得到了圆满解决", [(80, "以上")]),
    ("今年参加活动的居民有1200多人", [(1200, "多")]),
    ("辖区有近百家商户", [(100, "近")]),
    ("成立了十余个志愿服务队", [(10, "余")]),
    ("先后荣获三个国家级称号", [(3, None)]),
    ("二〇二〇年八月", []),  # a date, no figure (it read as 2020 and 8 before issue 26)
    ("服务两千户居民", [(2000, None)]),
    ("共有1,200人参加", [(1200, None)]),
    ("满意率达到百分之八十", [(80, None)]),
    ("满意率达到百分之八十以上", [(80, "以上")]),
    ("常住人口１００３０人", [(10030, None)]),
    ("覆盖一万五千人", [(15000, None)]),
    ("覆盖一万五", [(15000, None)]),
    ("三百六十五天不打烊", [(365, None)]),
    ("筹集资金10余万元", [(100000, "余")]),
    ("社区居民1万多人", [(10000, "多")]),
    ("约50人参加", [(50, "约")]),
    ("将近100户", [(100, "近")]),
    ("超过1000人次", [(1000, "超过")]),
    ("逾千人", [(1000, "超过")]),
    ("不足100人", [(100, "不足")]),
    ("参加人数1200人以上", [(1200, "以上")]),
    ("每天50人左右", [(50, "左右")]),
    # Words that only look like numbers or qualifiers
    ("近3年来共举办活动15期", [(3, None), (15, None)]),  # 近3年: the last three years
    ("附近3个小区", [(3, None)]),
    ("签约5个项目", [(5, None)]),
    ("统一思想，一是抓党建", []),
    ("自2018年开启面塑公益课程,现已举办15期公益课", [(15, None)]),  # 2018年 is a year (read as a figure before issue 26)
    # Vague amounts are approximate, dates and ranks are no figures, a figure inside a compound is found (issue 26)
    ("几十个品类", [(10, "多")]),
    ("数百户", [(100, "多")]),
    ("上千人", [(1000, "以上")]),
    ("近万人", [(10000, "近")]),
    ("十几个社团", [(10, "多")]),
    ("十几万元", [(100000, "多")]),
    ("两荤一素10元", [(10, None)]),
    ("10月28日正式开启运营", []),
    ("6月10日至14日", []),
    ("日期:2024-06-28 07:19:20", []),
    ("举办第二期社区书记", []),
    ("每组3至5人", [(3, None), (5, None)]),
    ("人数百余人", [(100, "余")]),  # 数 of 人数, not 数百
]


@pytest.mark.parametrize("quote, expected", STATED, ids=[q for q, _ in STATED])
def test_numbers_stated_in_a_quote(quote, expected):
    assert stated(quote) == expected


CORPUS = yaml.safe_load((ROOT / "tests" / "data" / "figures.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("entry", CORPUS, ids=[e["quote"][:24] for e in CORPUS])
def test_the_figures_of_real_articles_are_read_as_a_case_takes_them(entry):
    """Every figure of the real and fixture cases and of the real sources, with its reading (tests/data/figures.yaml)."""
    quote = entry["quote"]
    for item in entry.get("figures") or []:
        assert mismatch({**item, "evidence": quote}) is None, (quote, item)
        wanted = item["value"] * scale(item["unit"])
        assert any(math.isclose(r.value, wanted) and agrees(item["unit"], r.unit) and r.qualifier == item.get("qualifier")
                   for r in readings(quote) if r.kind == "figure"), (quote, item, readings(quote))
    for item in entry.get("not") or []:
        assert mismatch({**item, "evidence": quote}) is not None, (quote, item)
    if entry.get("figures") == []:
        assert stated(quote) == [], quote


@pytest.mark.parametrize("quote", [
    "1" * 400, "一" + "亿" * 40, "一" * 2000, "１" * 400, "\u0663" * 400, "\u06f5" * 400, "九" * 30 + "万亿" * 30,
    "1" * 30 + "万", "一千" * 500, "百分之" + "九" * 300, "1." + "9" * 500, "1,000" * 200, "近" + "亿" * 100 + "多",
])
def test_no_quote_makes_the_reader_raise(quote):
    """Runs no article writes are not taken as figures: no OverflowError, and the message still says what it read."""
    assert stated(quote) == [] or all(v <= 10**15 for v, _ in stated(quote))
    for value in (1, 10**12, 10**400, 1e308, float("inf"), float("nan"), 1.5):
        mismatch({"value": value, "unit": "元", "qualifier": "多", "evidence": quote})
    assert "摘录里没有数" in mismatch({"value": 7, "unit": "元", "evidence": quote + "。"})[1] or stated(quote)


_NUMERALS = "0123456789０１２３４５６７８９\u0660\u0663\u06f5〇零一二两三四五六七八九十百千万亿几数上近约超逾多余"
_AROUND = "%％.,，-至到~年月日号第个家人名户元万平方米以上下左右内不足过将接大概周岁：: \n"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(_NUMERALS + _AROUND), max_size=300),
       st.one_of(st.integers(min_value=-10**30, max_value=10**30), st.floats(allow_nan=True, allow_infinity=True)),
       st.sampled_from(["元", "万元", "亿元", "%", "个", "", "万亿", "人次"]),
       st.sampled_from([None, "多", "余", "以上", "近", "约", "不足"]))
def test_no_text_makes_the_number_reader_raise(quote, value, unit, qualifier):
    found = readings(quote)
    assert all(r.start <= r.stop and 0 <= r.value <= 10**15 for r in found)
    stated(quote)
    result = mismatch({"value": value, "unit": unit, "qualifier": qualifier, "evidence": quote})
    assert result is None or (result[0] in {"value", "unit", "qualifier"} and result[1])


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_no_text_at_all_makes_the_number_reader_raise(quote):
    stated(quote)
    readings(quote)
    mismatch({"value": 3, "unit": "个", "evidence": quote})


@pytest.mark.parametrize("item, shown", [
    ({"value": 1200, "unit": "人", "qualifier": "多"}, "1200多人"),
    ({"value": 80, "unit": "%", "qualifier": "以上"}, "80%以上"),
    ({"value": 100, "unit": "户", "qualifier": "近"}, "近100户"),
    ({"value": 50, "unit": "人", "qualifier": "约"}, "约50人"),
    ({"value": 2.1, "unit": "万平方米"}, "2.1万平方米"),
    ({"value": 1500000.0, "unit": "元"}, "1500000元"),
])
def test_a_figure_is_written_with_its_qualifier_where_chinese_puts_it(item, shown):
    assert figure(item) == shown


# The fixture's cangnanjie states 10多项服务 (profile) and 80%以上 (outcomes[0]).
C = "cangnanjie.yaml"
FIGURE_MISMATCHES = [
    ("wrong value", "    value: 80\n", "    value: 90\n", "outcomes[0].value", "value: 90",
     ["数值 90 与摘录", "80%以上得到", "摘录里的数是“80%以上”"]),
    ("missing qualifier", "    qualifier: 以上\n", "", "outcomes[0].value", "value: 80",
     ["数值 80 在摘录", "约数“80%以上”", "qualifier: 以上"]),
    ("wrong qualifier", "    qualifier: 以上\n", "    qualifier: 左右\n", "outcomes[0].qualifier", "qualifier: 左右",
     ["数值 80 的修饰词“左右”", "80%以上得到", "应为 qualifier: 以上"]),
    ("qualifier on an exact number", "    unit: 平方米\n", "    unit: 平方米\n    qualifier: 约\n",
     "profile[0].qualifier", "qualifier: 约", ["数值 120 的修饰词“约”", "面积120平方米", "请删去 qualifier"]),
    ("wrong profile value", "    value: 10\n", "    value: 11\n", "profile[4].value", "value: 11",
     ["数值 11 与摘录", "10多项服务", "摘录里的数是“10多项”"]),
    ("unit without 万", "    value: 35\n    unit: 万元\n", "    value: 35\n    unit: 元\n", "profile[1].value", "value: 35",
     ["数值 35 与摘录", "原文写的是 35万：单位写“万元”，或数值写 350000"]),
    ("wrong resource amount", "        value: 35\n", "        value: 36\n", "practices[4].resources[0].value", "value: 36",
     ["数值 36万元（即 360000）与摘录“社区投资35万元”不一致"]),
    ("resource amount said approximately", "        unit: 万元\n", "        unit: 万元\n        qualifier: 约\n",
     "practices[4].resources[0].qualifier", "qualifier: 约", ["请删去 qualifier"]),
    ("wrong scale", "    unit: 万元\n", "    unit: 亿元\n", "profile[1].value", "value: 35",
     ["数值 35亿元（即 3500000000）与摘录", "社区投资35万元", "350000"]),
    ("unit counting something else", "    value: 120\n    unit: 平方米\n", "    value: 120\n    unit: 个\n",
     "profile[0].unit", "unit: 个", ["单位“个”与摘录“面积120平方米”不一致", "数的是“平方米”", "unit 应写 平方米"]),
    ("a year taken as a figure", "    value: 15\n    unit: 期\n", "    value: 2018\n    unit: 年\n",
     "outcomes[1].value", "value: 2018", ["数值 2018 在摘录", "是日期“2018年”", "不是数量"]),
]


@pytest.mark.parametrize("name, old, new, path, line_text, words", FIGURE_MISMATCHES,
                         ids=[m[0] for m in FIGURE_MISMATCHES])
def test_a_figure_disagreeing_with_its_quote_is_reported_at_its_line(cases_dir: Path, name, old, new, path,
                                                                    line_text, words):
    target = cases_dir / C
    edit(target, old, new)
    book, problems = load_casebook(cases_dir)
    assert book is None
    matching = [p for p in problems if p.path == path]
    assert len(matching) == 1, "\n".join(map(str, problems))
    for word in words:
        assert word in matching[0].message, matching[0].message
    assert matching[0].line == line_of(target, line_text)


def test_figures_that_agree_with_their_quotes_pass(cases_dir: Path):
    edit(cases_dir / C, "    value: 10\n", "    value: 10.0\n")  # 10.0 is the same number
    edit(cases_dir / "fuyou.yaml", "    value: 2.1\n    unit: 万平方米\n", "    value: 21000\n    unit: 平方米\n")
    book, problems = load_casebook(cases_dir)
    assert not problems and book is not None


def test_changing_1200_to_1300_next_to_1200_duo_ren_fails_the_cli(cases_dir: Path):
    """The issue's own example, as an editor meets it: a located line, a non-zero exit."""
    source = cases_dir / "sources" / "tianma.txt"
    source.write_text(source.read_text(encoding="utf-8") + "\n今年参加活动的居民有1200多人。\n", encoding="utf-8")
    edit(cases_dir / "tianma.yaml", "  - label: 居民党员\n",
         "  - label: 参加活动的居民\n    value: 1200\n    unit: 人\n    qualifier: 多\n"
         "    evidence: 今年参加活动的居民有1200多人\n  - label: 居民党员\n")
    assert run_cli("validate", "--cases-dir", str(cases_dir)).returncode == 0
    edit(cases_dir / "tianma.yaml", "    value: 1200\n", "    value: 1300\n")
    result = run_cli("validate", "--cases-dir", str(cases_dir))
    assert result.returncode == 1
    line = line_of(cases_dir / "tianma.yaml", "value: 1300")
    assert (f"tianma.yaml:{line}:5: profile[7].value: 数值 1300 与摘录“今年参加活动的居民有1200多人”不一致："
            "摘录里的数是“1200多人”") in result.stdout + result.stderr


@pytest.fixture(scope="module")
def book():
    book, problems = load_casebook(CASES)
    assert not problems
    return book


@pytest.fixture(scope="module")
def files(book):
    return SiteRenderer(book).files()


def test_case_page_shows_approximate_figures_as_written(files):
    page = files["cases/cangnanjie.md"]
    assert "10多项" in page and "80%以上" in page
    assert "10 项" not in page and "80 %" not in page and "%以上以上" not in page


def test_outcomes_page_shows_the_qualifier_and_sorts_by_the_number(files):
    page = files["compare/outcomes.md"]
    assert 'data-sort="80">80%以上</td>' in page


def test_figures_sort_by_their_size_in_plain_units():
    assert magnitude({"value": 2.1, "unit": "万平方米"}) == 21000
    assert magnitude({"value": 15, "unit": "亿元"}) == 1500000000 and magnitude({"value": 80, "unit": "%"}) == 80


def test_compare_data_and_handout_keep_the_qualifier(book, files):
    assert "“暖巢”志愿服务超市的服务：10多项" in files["compare/data/cangnanjie.js"]
    html = handout.render(book, choose(book, Selection(cases=["cangnanjie"])), SiteSettings("", "", True, ""), "0.1.0")
    assert '<span class="nw">10多项</span>' in html and '<span class="nw">80%以上</span>' in html


def test_outcomes_csv_has_a_qualifier_column_explained_by_the_schema(book, files):
    text = files["data/outcomes.csv"].decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    eighty = next(r for r in rows if r["slug"] == "cangnanjie" and r["value"] == "80")
    assert (eighty["unit"], eighty["qualifier"]) == ("%", "以上")
    assert "约数的修饰词" in files["data/index.md"]
