"""Each validator rule, shown with a broken copy of a real case: the message names the file, line and field."""
from __future__ import annotations

from pathlib import Path

import pytest

from casebook.core.files import case_files
from casebook.core.quotes import normalise
from casebook.core.validate import load_casebook

from conftest import REAL_CASES, assert_reported, edit, line_of, run_cli

H = "huangtun-jinse-jiayuan.yaml"

# (case file, text to replace, replacement, field path, words the message must contain, text on the reported line)
BROKEN = [
    ("unknown field", H, "summary: >-", "summry: >-", "summry", "是否想写“summary”", "summry:"),
    ("missing required field", H, "title: 党建引领打通为民服务“最后一公里”\n", "", "title", "缺少必填字段“title”", None),
    ("wrong type", H, "    value: 16\n", "    value: 十六\n", "outcomes[0].value", "应为数字，实际是文本“十六”", "value: 十六"),
    ("misspelt category", H, "category: 矛盾纠纷调解", "category: 矛盾调解", "practices[0].category", "是否想写“矛盾纠纷调解”", "矛盾调解"),
    ("misspelt outcome kind", H, "kind: measured", "kind: measure", "outcomes[0].kind", "是否想写“measured”", "kind: measure"),
    ("impossible date", H, "added: 2026-11-23", "added: 2023-02-30", "added", "日期“2023-02-30”不存在", "added:"),
    ("malformed date", H, "added: 2026-11-23", "added: 2026/11/23", "added", "YYYY-MM-DD", "added:"),
    ("negative figure", H, "    value: 16\n", "    value: -16\n", "outcomes[0].value", "太小", "value: -16"),
    ("absurd figure", H, "    value: 16\n", "    value: 1000000000000000\n", "outcomes[0].value", "太大", "value: 1000000000000000"),
    ("measured without value", H, "    value: 16\n    unit: 起\n", "", "outcomes[0].value", "缺少必填字段“value”", "kind: measured"),
    ("slug differs from file name", H, "slug: huangtun-jinse-jiayuan", "slug: huangtun", "slug", "文件应命名为 huangtun.yaml", "slug:"),
    ("upper-case slug", H, "slug: huangtun-jinse-jiayuan", "slug: Huangtun", "slug", "小写拼音", "slug:"),
    ("slug with ..", H, "slug: huangtun-jinse-jiayuan", "slug: ../etc", "slug", "“..”", "slug:"),
    ("slug with a space", H, "slug: huangtun-jinse-jiayuan", "slug: huang tun", "slug", "不能有空格", "slug:"),
    ("quote not in source", H, "有效化解了16起矛盾纠纷\n", "有效化解了61起矛盾纠纷\n", "outcomes[0].evidence",
     "从“61起矛盾纠纷”起不一致", "有效化解了61起"),
    ("missing source file", H, "file: sources/huangtun-jinse-jiayuan.txt", "file: sources/nowhere.txt",
     "source.file", "找不到原文文件", "file: sources/nowhere.txt"),
    ("source path escaping cases/", H, "file: sources/huangtun-jinse-jiayuan.txt", "file: ../../etc/passwd",
     "source.file", "sources/<slug>.txt", "file: ../../etc/passwd"),
    ("city the source does not state", H, "  city: null", "  city: 济宁市", "location.city", "摘录中找不到", "city: 济宁市"),
    ("outcome naming no practice", H, "practice: 和为贵调解室", "practice: 和谐调解室", "outcomes[0].practice",
     "是否想写“和为贵调解室”", "practice: 和谐调解室"),
    ("javascript: link", H, "  url: null", "  url: javascript:alert(1)", "source.url", "http:// 或 https://", "url: javascript"),
    ("data: link", H, "  url: null", "  url: data:text/html,hi", "source.url", "http:// 或 https://", "url: data:"),
    ("HTML in a name", H, "name: 黄屯街道金色嘉苑社区", "name: <script>alert(1)</script>", "name", "< > &", "name: <script>"),
    ("empty text", H, "title: 党建引领打通为民服务“最后一公里”", "title: ' '", "title", "未填写", "title: ' '"),
    ("list where text belongs", H, "title: 党建引领打通为民服务“最后一公里”", "title: [a, b]", "title", "应为文本，实际是列表", "title: [a, b]"),
    ("no practices", H, "practices:\n", "practices: []\nold_practices:\n", "practices", "至少要有 1 项", "practices: []"),
]


@pytest.mark.parametrize("name, file, old, new, path, words, line_text", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_case_is_reported_at_its_field(cases_dir: Path, name, file, old, new, path, words, line_text):
    assert_reported(cases_dir, file, old, new, path, words, line_text)


def test_every_problem_is_reported_in_one_run(cases_dir: Path):
    edit(cases_dir / H, "category: 矛盾纠纷调解", "category: 矛盾调解")
    edit(cases_dir / "fuyou.yaml", "added: 2026-11-23", "added: 2023-02-30")
    edit(cases_dir / "tianma.yaml", "summary: >-", "sumary: >-")
    _, problems = load_casebook(cases_dir)
    assert {Path(p.file).name for p in problems} == {H, "fuyou.yaml", "tianma.yaml"}


def test_each_missing_field_is_named(cases_dir: Path):
    edit(cases_dir / H, "title: 党建引领打通为民服务“最后一公里”\n", "")
    edit(cases_dir / H, "name: 黄屯街道金色嘉苑社区\n", "")
    _, problems = load_casebook(cases_dir)
    assert {p.path for p in problems if "缺少必填字段" in p.message} == {"name", "title"}


def test_duplicate_slug_names_the_other_file(cases_dir: Path):
    copy = cases_dir / "fuyou-copy.yaml"
    copy.write_text((cases_dir / "fuyou.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    _, problems = load_casebook(cases_dir)
    duplicate = [p for p in problems if "已被" in p.message]
    assert len(duplicate) == 1
    assert duplicate[0].file.endswith("fuyou.yaml") and "fuyou-copy.yaml" in duplicate[0].message


def test_empty_source_file_is_reported(cases_dir: Path):
    (cases_dir / "sources" / "tianma.txt").write_text("  \n", encoding="utf-8")
    _, problems = load_casebook(cases_dir)
    assert any(p.path == "source.file" and "是空的" in p.message for p in problems)


def test_a_cached_result_notices_a_source_file_added_later(cases_dir: Path):
    """`mkdocs serve` keeps results between rebuilds; a source file saved afterwards must clear its problem."""
    source = cases_dir / "sources/tianma.txt"
    text = source.read_text(encoding="utf-8")
    source.unlink()
    cache: dict = {}
    _, problems = load_casebook(cases_dir, cache=cache)
    assert any(p.path == "source.file" and "找不到原文文件" in p.message for p in problems)
    source.write_text(text, encoding="utf-8")
    book, problems = load_casebook(cases_dir, cache=cache)
    assert not problems and len(book.cases) == 5


def test_quotes_compare_across_full_and_half_width_punctuation_and_whitespace():
    assert normalise("一个楼宇，一个阵地；\n 一名党员") == normalise("一个楼宇,一个阵地;一名党员")
    assert normalise("“和”") == normalise('"和"')


def test_cli_prints_file_line_field_and_exits_1(cases_dir: Path):
    target = cases_dir / H
    edit(target, "category: 矛盾纠纷调解", "category: 矛盾调解")
    result = run_cli("validate", "--cases-dir", str(cases_dir))
    assert result.returncode == 1
    assert f"{target}:{line_of(target, '矛盾调解')}:5: practices[0].category:" in result.stderr
    assert "Traceback" not in result.stderr
    assert "发现 1 个问题" in result.stderr


def test_cli_checks_only_the_named_files(cases_dir: Path):
    edit(cases_dir / "tianma.yaml", "summary: >-", "sumary: >-")
    assert run_cli("validate", "--cases-dir", str(cases_dir), str(cases_dir / "fuyou.yaml")).returncode == 0
    assert run_cli("validate", "--cases-dir", str(cases_dir), str(cases_dir / "tianma.yaml")).returncode == 1


def test_cli_exits_0_on_the_real_cases():
    result = run_cli("validate")
    assert result.returncode == 0, result.stderr
    assert f"{len(case_files(REAL_CASES))} 个案例全部符合要求" in result.stdout


def test_validator_never_modifies_a_case_file(cases_dir: Path):
    edit(cases_dir / H, "category: 矛盾纠纷调解", "category: 矛盾调解")
    before = {p: p.read_bytes() for p in cases_dir.rglob("*") if p.is_file()}
    run_cli("validate", "--cases-dir", str(cases_dir))
    assert before == {p: p.read_bytes() for p in cases_dir.rglob("*") if p.is_file()}


# Messages that point at the mistake (issue 26): the line the editor got wrong, and what it should be.
POINTING = [
    ("list item indented by 3", H, "  - name: 五级网格党建\n", "   - name: 五级网格党建\n", "",
     "缩进了 3 个空格，上面没有同样缩进的一层：这个列表项应缩进 2 个空格", "   - name: 五级网格党建"),
    ("field indented by 5", H, "    category: 党建引领\n", "     category: 党建引领\n", "",
     "缩进了 5 个空格，上面没有同样缩进的一层：这个字段应缩进 4 个空格", "     category: 党建引领"),
    *[(f"value starting with {c}", H, "    unit: 起\n", f"    unit: {c}起\n", "",
       f'以“{c}”开头的值要加引号（YAML 把它当成了特殊符号）：写成 unit: "{c}起"', f"unit: {c}起") for c in "%@`*&!|>"],
    ("bare %", H, "    unit: 起\n", "    unit: %\n", "", '要加引号（YAML 把它当成了特殊符号）：写成 unit: "%"', "unit: %"),
    ("value starting with #", H, "    unit: 起\n", "    unit: #起\n", "outcomes[0].unit",
     'YAML 把它当成了注释，这个字段成了空值：以 # 开头的值要加引号，写成 unit: "#起"', "unit: #起"),
    ("a category's short name", H, "category: 便民服务", "category: 便民", "practices[3].category",
     "“便民”是词表里“便民服务”的简称，不是词条本身：这里要写 便民服务", "category: 便民"),
    ("a status's Chinese name", H, "status: in_place\n    description: 街道党工委", "status: 已实施\n    description: 街道党工委",
     "practices[0].status", "“已实施”是词表里“in_place”的中文名称，不是词条本身：这里要写 in_place", "status: 已实施"),
    ("quote shown as typed", H, "有效化解了16起矛盾纠纷\n", "有效化解了１６起“矛盾”纠纷\n", "outcomes[0].evidence",
     "前 16 个字能找到，从““矛盾”纠纷”起不一致", "有效化解了１６起"),
    ("what the quote check compares", H, "有效化解了16起矛盾纠纷\n", "有效化解了61起矛盾纠纷\n", "outcomes[0].evidence",
     "只有全角和半角的同一字符（如“，”和“,”、“１”和“1”）、中文和英文引号看作相同，空格和换行不计；其余每个字、每个标点都要与原文一致",
     "有效化解了61起"),
    ("unstated names no counted field", H, "unstated: [location.city,", "unstated: [location.cty,", "unstated[0]",
     "“location.cty”不是可以标为原文未写明的字段（只有完整度计分的字段可以列出：", "unstated:"),
    ("unstated names a field not counted", H, "unstated: [location.city,", "unstated: [location.city, source.host,", "unstated[1]",
     "location.province、location.city、location.district", "unstated:"),
    ("unstated names a filled field", H, "unstated: [location.city,", "unstated: [location.city, location.street,",
     "unstated[1]", "location.street 已经填写，却列为原文未写明", "unstated:"),
    ("qualifier not in the list, exact figure", H, "    unit: 起\n", "    unit: 起\n    qualifier: 超\n", "outcomes[0].qualifier",
     "修饰词“超”不是可选的写法，而且摘录里的 16 是确数：删去 qualifier", "qualifier: 超"),
]


@pytest.mark.parametrize("name, file, old, new, path, words, line_text", POINTING, ids=[b[0] for b in POINTING])
def test_message_points_at_the_mistake(cases_dir: Path, name, file, old, new, path, words, line_text):
    assert_reported(cases_dir, file, old, new, path, words, line_text)


@pytest.mark.parametrize("old, new", [("  - name: 五级网格党建\n", "   - name: 五级网格党建\n"), ("    unit: 起\n", "    unit: &起\n"),
                                      ("    unit: 起\n", "    unit: 起\n    qualifier: 超\n"), ("    unit: 起\n", "    unit: #起\n")],
                         ids=["indentation", "anchor-like value", "qualifier", "comment-like value"])
def test_one_mistake_gives_one_message(cases_dir: Path, old: str, new: str):
    edit(cases_dir / H, old, new)
    _, problems = load_casebook(cases_dir)
    assert len(problems) == 1, "\n".join(map(str, problems))


def test_a_qualifier_message_quotes_the_article_as_written(cases_dir: Path):
    for path in (cases_dir / "sources" / "cangnanjie.txt", cases_dir / "cangnanjie.yaml"):
        edit(path, "内容80%以上得到了", "内容超80%得到了", count=2)
    edit(cases_dir / "cangnanjie.yaml", "    qualifier: 以上\n", "    qualifier: 超\n")
    _, problems = load_casebook(cases_dir)
    assert [p.path for p in problems] == ["outcomes[0].qualifier"], problems
    assert "摘录写作“超80%”" in problems[0].message and "qualifier: 超过" in problems[0].message
    assert "超过80%" not in problems[0].message


def test_after_a_syntax_mistake_the_rest_of_the_file_is_still_checked(cases_dir: Path):
    edit(cases_dir / H, "    unit: 起\n", "    unit: %\n")
    edit(cases_dir / H, "  - name: 五级网格党建\n", "   - name: 五级网格党建\n")
    edit(cases_dir / H, "category: 便民服务", "category: 便民")
    edit(cases_dir / H, "added: 2026-11-23", "added: 2023-02-30")
    _, problems = load_casebook(cases_dir)
    target = cases_dir / H
    assert [(p.line, p.path) for p in problems] == [
        (line_of(target, "added: 2023"), "added"), (line_of(target, "   - name: 五级"), ""),
        (line_of(target, "category: 便民"), "practices[3].category"), (line_of(target, "unit: %"), "")], problems


def test_a_syntax_mistake_with_no_sure_repair_says_checking_stopped_there(cases_dir: Path):
    edit(cases_dir / H, "tags: [农村社区, 街村合一, 供暖]", "tags: [农村社区, 街村合一, 供暖")
    edit(cases_dir / H, "added: 2026-11-23", "added: 2023-02-30")
    _, problems = load_casebook(cases_dir)
    assert len(problems) == 1 and "改好这一处之前，文件的其余部分无法检查" in problems[0].message, problems


def test_a_city_the_site_cannot_place_in_a_province_is_named_with_where_to_add_it(cases_dir: Path):
    """No province written and the city not in the gazetteer: the site would show it as a region of its own."""
    source = cases_dir / "sources" / "guhuai.txt"
    source.write_text(source.read_text(encoding="utf-8") + "\n本报运河市讯\n", encoding="utf-8")
    edit(cases_dir / "guhuai.yaml", "  city: 济宁市\n", "  city: 运河市\n")
    edit(cases_dir / "guhuai.yaml", "    - 本报济宁6月29日讯\n    - 古槐", "    - 本报运河市讯\n    - 古槐")
    book, problems = load_casebook(cases_dir, cache_dir=None)
    assert book is None and [p.path for p in problems] == ["location.city"], problems
    assert "不在地名表" in problems[0].message and "湖南省: [运河市]" not in problems[0].message
    assert "[运河市]" in problems[0].message and problems[0].line == line_of(cases_dir / "guhuai.yaml", "city: 运河市")
    edit(cases_dir / "guhuai.yaml", "  province: null\n", "  province: 运河省\n")  # a province written places it
    edit(cases_dir / "guhuai.yaml", "unstated: [year, location.province, ", "unstated: [year, ")
    assert load_casebook(cases_dir, cache_dir=None)[1] == []


def test_validating_one_case_tells_its_completeness_and_what_is_missing_as_the_page_does(cases_dir: Path):
    from casebook.core import completeness
    result = run_cli("validate", str(cases_dir / "tianma.yaml"), cwd=cases_dir.parent)
    assert result.returncode == 0, result.stderr
    book, _ = load_casebook(cases_dir, cache_dir=False)
    score = completeness.Scores(book)["tianma"]
    assert score.missing, "the fixture case should miss something, or this test shows nothing"
    assert f"tianma：完整度 {score.score}/100，还缺少什么（不影响通过）：" in result.stdout
    assert all(f"  - {missing}" in result.stdout for missing in score.missing)
    whole = run_cli("validate", cwd=cases_dir.parent)
    assert "完整度" not in whole.stdout  # the whole casebook (CI) is told pass or fail only
