"""Messages quote the article and the editor as typed, and one mistake gives one message."""
from __future__ import annotations

from pathlib import Path

import yaml

from casebook.authoring import draft
from casebook.core.figure_check import mismatch
from casebook.core.validate import load_casebook, load_taxonomy

from conftest import CASES, ROOT, edit, line_of

ARTICLE = ROOT / "tests" / "fixtures" / "articles" / "xinghe-shitang.txt"  # fictional, written for tests
OUTCOME = "    value: 80\n    unit: \"%\"\n    qualifier: 以上\n"
FULL_WIDTH = "道德门诊工作日志上记载的内容８０％以上得到了圆满解决"


def test_a_figure_message_quotes_the_article_not_the_normalised_reading():
    quote = "社区里超30%的老人在这里吃过饭"
    wrong = mismatch({"value": 30, "unit": "%", "qualifier": "以上", "evidence": quote})[1]
    assert "“超30%”" in wrong and "超过30%" not in wrong
    missing = mismatch({"value": 30, "unit": "%", "evidence": quote})[1]
    assert "“超30%”" in missing and "qualifier: 超过" in missing
    # Full-width digits stay full-width in the message: the editor searches the article for what it shows.
    unit = mismatch({"value": 26, "unit": "个", "evidence": "目前有志愿者２６名。"})[1]
    assert "（２６名）" in unit and "unit 应写 名" in unit
    other = mismatch({"value": 8, "unit": "元", "evidence": "两荤一素10元，60岁以上的老人每餐再减2元"})[1]
    assert "“10元”、“60岁以上”、“2元”" in other


def _problems(cases: Path, old: str, new: str) -> list:
    edit(cases / "cangnanjie.yaml", old, new)
    book, problems = load_casebook(cases, cache_dir=None)
    assert book is None
    return [p for p in problems if p.file.endswith("cangnanjie.yaml")]


def test_a_wrong_qualifier_gives_one_message_quoting_the_full_width_article(cases_dir: Path):
    edit(cases_dir / "cangnanjie.yaml", "道德门诊工作日志上记载的内容80%以上得到了圆满解决", FULL_WIDTH, count=2)
    for typed in ("左右", "超"):  # a qualifier of the list, and the article's own word for one
        problems = _problems(cases_dir, OUTCOME, OUTCOME.replace("以上", typed))
        assert len(problems) == 1, problems
        assert problems[0].path.endswith(".qualifier") and "８０％以上" in problems[0].message, problems[0]
        edit(cases_dir / "cangnanjie.yaml", OUTCOME.replace("以上", typed), OUTCOME)


def test_a_deleted_dash_gives_one_message_that_says_to_put_it_back(cases_dir: Path):
    problems = _problems(cases_dir, "  - label: “暖巢”志愿服务超市的服务", "    label: “暖巢”志愿服务超市的服务")
    assert len(problems) == 1, problems
    assert problems[0].line == line_of(cases_dir / "cangnanjie.yaml", "label: “暖巢”")
    assert "加“- ”" in problems[0].message


def test_deleting_every_draft_line_as_told_keeps_every_drafted_item(tmp_path: Path):
    taxonomy, _ = load_taxonomy(CASES)
    proposed = draft.propose(ARTICLE.read_text(encoding="utf-8"), ARTICLE.stem, taxonomy)
    text = draft.render(proposed, ARTICLE.stem, taxonomy)
    confirmed = "".join(line for line in text.splitlines(keepends=True) if not line.lstrip().startswith("draft:"))
    assert "\ndraft:" not in confirmed and "- draft:" not in confirmed
    read = yaml.safe_load(confirmed)
    assert len(proposed.lists["profile"]) > 1
    assert [item["evidence"] for item in read["profile"]] == [item["evidence"] for item in proposed.lists["profile"]]


def test_a_colon_inside_a_value_is_told_to_be_quoted_and_the_rest_is_still_checked(cases_dir: Path):
    """The parser gives up at 说明: 一是…; the message says to quote the value, and the rest is read on."""
    target = cases_dir / "cangnanjie.yaml"
    edit(target, "  - label: “暖巢”志愿服务超市的服务", "  - label: 服务: 暖巢超市\n    label: 重复")
    book, problems = load_casebook(cases_dir, cache_dir=None)
    mine = [p for p in problems if p.file.endswith("cangnanjie.yaml")]
    assert len(mine) == 2, mine
    assert "用引号括起来" in mine[0].message and '- label: "服务: 暖巢超市"' in mine[0].message
    assert "无法检查" not in mine[0].message
    assert mine[1].line == mine[0].line + 1 and "重复出现" in mine[1].message


def test_a_quote_with_a_colon_and_a_space_inside_is_told_to_be_put_in_quotation_marks(cases_dir: Path):
    """A web page's line 日期:2024-06-28 作者: 来源:… pasted as it is: YAML reads it as a field, not a text."""
    line = "日期:2024-06-28 作者: 来源:高新区报"
    edit(cases_dir / "fuyou.yaml", '    - "日期:2024-06-28 作者: 来源:高新区报"\n', f"    - {line}\n")
    book, problems = load_casebook(cases_dir, cache_dir=None)
    said = [p for p in problems if p.file.endswith("fuyou.yaml")]
    assert book is None and len(said) == 1 and said[0].path == "source.evidence[0]", problems  # one mistake, one message
    assert "加上英文双引号" in said[0].message and f'"{line}"' in said[0].message
    assert said[0].line == line_of(cases_dir / "fuyou.yaml", line)
