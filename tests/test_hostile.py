"""Broken and hostile input: a clear located message and exit 1, never a traceback, never a script."""
from __future__ import annotations

import functools
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from casebook.core.load import LoadError, parse
from casebook.core.validate import load_casebook

from conftest import CASES, build, make_project, run_cli

H = "huangtun-jinse-jiayuan.yaml"
GOOD = (Path(__file__).parent.parent / "cases" / H).read_text(encoding="utf-8")

# (name, file content as bytes, words the message must contain, line it must name)
BAD_FILES = [
    ("syntax error", "slug: a\ntitle: [unclosed\nname: b\n".encode(), "", 3),
    ("colon in plain text", "slug: a\ntitle: 标题: 副标题\n".encode(), "冒号", 2),
    ("unclosed quote", 'slug: a\ntitle: "没有结束\n'.encode(), "引号没有闭合", 2),  # where the quote is
    ("tab indentation", "slug: a\nlocation:\n\tcity: 济宁市\n".encode(), "制表符", 3),
    ("duplicate key", "slug: a\nname: 甲\nname: 乙\n".encode(), "字段“name”重复出现（第一次在第 2 行）", 3),
    ("empty file", b"", "文件是空的", 1),
    ("only comments", "# 只有注释\n".encode(), "文件是空的", 1),
    ("list at top", b"- a\n- b\n", "实际是列表", 1),
    ("string at top", "只是一句话\n".encode(), "实际是一段文本", 1),
    ("GBK file", "slug: a\nname: 古槐街道\n".encode("gbk"), "GBK/GB18030", 2),
    ("NUL byte", b"slug: a\nname: \x00\n", "NUL", 2),
    ("alias", b"slug: &x a\nname: *x\n", "锚点和别名", 2),
    ("python tag", b"slug: !!python/object/apply:os.system ['ls']\n", "不支持的 YAML 标签", 1),
    ("merge key", b"base: &b {a: 1}\nother:\n  <<: *b\n", "", 3),
    ("two documents", b"slug: a\n---\nslug: b\n", "多个 YAML 文档", 2),
]


@pytest.mark.parametrize("name, content, words, line", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_gets_a_located_message_and_exit_1(cases_dir: Path, name, content, words, line):
    target = cases_dir / H
    target.write_bytes(content)
    result = run_cli("validate", "--cases-dir", str(cases_dir))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    # A repaired syntax mistake lets the rest of the file be checked too: its message is one of the lines.
    first = next((text for text in result.stderr.splitlines() if words in text), result.stderr)
    assert first.startswith(f"{target}:{line}:"), first
    assert words in first, first


def test_a_utf8_bom_is_accepted(cases_dir: Path):
    target = cases_dir / H
    target.write_bytes(b"\xef\xbb\xbf" + target.read_bytes())
    book, problems = load_casebook(cases_dir)
    assert not problems and len(book.cases) == 5


def test_a_gbk_source_text_is_reported_on_the_case(cases_dir: Path):
    source = cases_dir / "sources/tianma.txt"
    source.write_bytes(source.read_text(encoding="utf-8").encode("gb18030"))
    _, problems = load_casebook(cases_dir)
    assert any(p.path == "source.file" and "GBK" in p.message for p in problems)


def test_a_very_large_file_is_refused_before_it_is_read(cases_dir: Path):
    target = cases_dir / H
    target.write_bytes(GOOD.encode() + b"#" * 50_000_000)
    tracemalloc.start()
    _, problems = load_casebook(cases_dir)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # Well under the 50 MB file, so it was never loaded; compiling the schema alone peaks at about 12 MB.
    assert peak < 25_000_000
    assert any("文件过大（50.0 MB）" in p.message for p in problems)


def test_an_alias_bomb_is_refused_with_bounded_memory(cases_dir: Path):
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    (cases_dir / H).write_text("\n".join(lines) + "\n", encoding="utf-8")
    tracemalloc.start()
    _, problems = load_casebook(cases_dir)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 50_000_000  # expanded, it would be 10^9 strings
    assert any("锚点和别名" in p.message for p in problems)


HOSTILE = {
    "summary": "<script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\"> [点我](javascript:window.__pwned=3) **粗体**",
    "description": "<a href=\"javascript:window.__pwned=4\">链接</a> <svg onload=\"window.__pwned=5\"></svg>",
    "note": "</div><script>window.__pwned=6</script>\n\n<iframe src=\"javascript:window.__pwned=7\"></iframe>",
}


def test_html_and_markdown_in_text_fields_are_shown_as_text_and_never_run(tmp_path: Path, browser):
    import yaml

    project = make_project(tmp_path)
    case = project / "cases" / H
    data = yaml.safe_load(case.read_text(encoding="utf-8"))
    data["summary"] = HOSTILE["summary"]
    data["practices"][0]["description"] = HOSTILE["description"]
    data["location"]["note"] = HOSTILE["note"]
    case.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    site = tmp_path / "site"
    result = build(project, site)
    assert result.returncode == 0, result.stderr
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto((site / "cases/huangtun-jinse-jiayuan/index.html").as_uri())
    page.wait_for_timeout(500)
    body = page.locator("article").inner_text()
    assert page.evaluate("window.__pwned") is None and not dialogs
    assert "<script>window.__pwned=1</script>" in body  # shown, as text
    assert "[点我](javascript:window.__pwned=3)" in body and "**粗体**" in body
    assert page.locator("article script, article img, article iframe, article [onerror], article [onload]").count() == 0
    assert page.locator("article a[href^='javascript']").count() == 0
    page.close()


def test_building_over_an_old_site_with_a_broken_case_keeps_the_old_site(tmp_path: Path):
    project = make_project(tmp_path)
    site = tmp_path / "site"
    assert build(project, site).returncode == 0
    (project / "cases" / H).write_bytes(b"\x00")
    result = build(project, site)
    assert result.returncode != 0 and "NUL" in result.stderr and "Traceback" not in result.stderr
    assert (site / "cases/huangtun-jinse-jiayuan/index.html").is_file()


yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                         st.text(max_size=30), st.sampled_from(["矛盾纠纷调解", "measured", "2023-02-30", "sources/x.txt"]))
yaml_values = st.recursive(yaml_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.sampled_from(["slug", "name", "title", "location", "source", "practices", "outcomes",
                                     "evidence", "kind", "value", "file", "x"]), inner, max_size=5)), max_leaves=20)


def _assert_result_or_messages(cases_dir: Path) -> None:
    book, problems = load_casebook(cases_dir)
    assert (book is None) == bool(problems)
    assert all(p.file and p.line >= 1 and p.message for p in problems)


# Each example checks a whole casebook: a hundred in every run, thousands with `casebook fuzz --examples N`.
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes_give_a_case_or_messages(cases_dir: Path, data: bytes):
    (cases_dir / H).write_bytes(data)
    _assert_result_or_messages(cases_dir)


# Each example checks a whole casebook: a hundred in every run, thousands with `casebook fuzz --examples N`.
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=yaml_values)
def test_arbitrary_yaml_shaped_data_gives_a_case_or_messages(cases_dir: Path, data):
    import yaml

    (cases_dir / H).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    _assert_result_or_messages(cases_dir)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=300))
def test_arbitrary_text_parses_or_raises_load_error(text: str):
    try:
        parse(text, "x.yaml")
    except LoadError as exc:
        assert exc.problems


@functools.cache
def _validators():
    import fastjsonschema
    from jsonschema import Draft202012Validator

    from casebook.core.schema import with_vocabulary
    from casebook.core.validate import load_taxonomy

    taxonomy, _ = load_taxonomy(CASES)
    schema = with_vocabulary(taxonomy)
    return fastjsonschema.compile(schema), Draft202012Validator(schema), load_casebook(CASES)[0].cases


def _paths(data, prefix=()):
    yield prefix
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else []
    for key, value in items:
        yield from _paths(value, prefix + (key,))


@settings(max_examples=300, deadline=None)
@given(choice=st.integers(min_value=0), pick=st.integers(min_value=0), value=yaml_values)
def test_fast_and_full_schema_validators_agree(choice, pick, value):
    """The compiled fast path may skip jsonschema only when jsonschema would find nothing either."""
    import copy

    import fastjsonschema

    fast, full, cases = _validators()
    case = copy.deepcopy(cases[choice % len(cases)])
    paths = [p for p in _paths(case) if p]
    *parent_path, key = paths[pick % len(paths)]
    parent = case
    for part in parent_path:
        parent = parent[part]
    parent[key] = value
    try:
        fast(case)
        fast_ok = True
    except fastjsonschema.JsonSchemaException:
        fast_ok = False
    assert fast_ok == full.is_valid(case)
