"""The fast reader gives exactly the full reader's data, or steps aside; problems keep their lines."""
from __future__ import annotations

import shutil

import pytest

from casebook.core import load
from casebook.tools.fuzz import _same, fast_reader_differs
from casebook.core.validate import load_casebook

from conftest import CASES

FIXTURE_FILES = sorted(p for p in CASES.glob("*.yaml") if p.name != "taxonomy.yaml")


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.name)
def test_every_fixture_case_is_read_fast_and_the_same(path):
    text = path.read_text(encoding="utf-8")
    fast = load._FAST.read(text)
    assert fast is not None, "an ordinary case file should not need the slow reader"
    assert _same(fast, load._full_parse(text, path.name).data)


# Texts where YAML 1.2 (rapidyaml) and YAML 1.1 (PyYAML) part ways, or where our own reader adds rules.
TRICKY = {
    "float without digit before the point": "a: -.5\n",
    "exponent without a point": "a: 1e3\n",
    "octal": "a: 012\n",
    "yes as bool": "a: yes\n",
    "tilde": "a: ~\n",
    "value starting with a closing bracket": "a: ]\n",
    "item starting with a closing bracket": "a:\n  - ]x\n",
    "value starting with a closing brace": "a: }\n",
    "large integer": "a: 12345678901234567890\n",
    "negative zero": "a: -0\n",
    "null and bools as JSON writes them": "a: null\nb: true\nc: false\nd:\n",
    "sexagesimal": "a: 1:30\n",
    "underscore number": "a: 1_000\n",
    "quoted number stays text": "a: '2020'\nb: \"1\"\n",
    "empty quoted": "a: ''\n",
    "empty value": "a:\n",
    "repeated key": "a: 1\nb: 2\na: 3\n",
    "empty key": "a: 1\n: 2\n",
    "flow mapping with empty key": "a: {: 1}\n",
    "flow list": "a: [x, 'y', 1]\n",
    "flow list with a pair": "a: [x: 1, y]\n",
    "flow list with an empty key": "a: [: 1]\n",
    "flow list with an empty entry": "a: [x, , y]\n",
    "flow list over two lines": "a: [x,\n  y]\n",
    "nested flow list": "a: [[x], y]\n",
    "unclosed flow list": "a: [x, y\n",
    "anchor and alias": "a: &x 1\nb: *x\n",
    "tag": "a: !!str 1\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "nan": "a: .nan\n",
    "folded Chinese": "a: >-\n  第一行，\n  第二行\n",
    "plain multi-line Chinese": "a: 第一行，\n  第二行\n",
    "quoted multi-line Chinese keeps its space": "a: \"第一行，\n  第二行\"\n",
    "single-quoted multi-line Chinese": "a: '第一行，\n  第二行'\n",
    "real space and folded break": "a: >-\n  甲 乙，\n  丙\nb: 甲 乙，丙\n",
    "trailing space before a fold": "a: >-\n  第一行， \n  第二行\n",
    "folded before and after a digit": "a: >-\n  开启运营：\n  60周岁\nb: 共有60\n  户 and\n  6 words\n",
    "literal block": "a: |\n  第一行\n  第二行\n",
    "more-indented folded line": "a: >\n  第一行\n    第二行\n  第三行\n",
    "top level list": "- a\n- b\n",
    "empty file": "",
    "bad indentation": "a:\n  - x: 1\n   y: 2\n",
    "two colons": "a: b: c\n",
    "deep nesting": "a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 60)) + "  " * 60 + "v: 1\n",
}


@pytest.mark.parametrize("text", TRICKY.values(), ids=TRICKY.keys())
def test_the_fast_reader_agrees_or_steps_aside(text):
    assert fast_reader_differs(text) is None


def test_values_the_fast_reader_keeps_are_typed_as_yaml_1_1_reads_them():
    data = load.parse("a: '2020'\nb: 2020\nc: 1.5\nd: true\ne:\nf: >-\n  第一行，\n  第二行\n", "x.yaml").data
    assert data == {"a": "2020", "b": 2020, "c": 1.5, "d": True, "e": None, "f": "第一行，第二行"}
    assert [type(data[k]) for k in "abcd"] == [str, int, float, bool]


def test_a_value_also_quoted_inside_a_longer_text_is_read_fast():
    # Guhuai's note quotes its evidence line, wrapped at another place: the note's copy is not the value.
    text = ("evidence:\n- 齐鲁晚报·今日运河 古槐街道办事处 联办\n"
            "note: 版面眉题是“齐鲁晚报·今日运河\n  古槐街道办事处 联办”：本版由报纸联合主办。\n")
    fast = load._FAST.read(text)
    assert fast is not None
    assert _same(fast, load._full_parse(text, "x.yaml").data)
    assert fast["note"] == "版面眉题是“齐鲁晚报·今日运河古槐街道办事处 联办”：本版由报纸联合主办。"


def test_a_problem_in_a_fast_read_file_is_located_on_its_line(tmp_path):
    cases = tmp_path / "cases"
    shutil.copytree(CASES, cases)
    path = cases / "fuyou.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines) if line.strip() == "status: in_place")
    lines[number] = lines[number].replace("in_place", "done_maybe")
    path.write_text("".join(lines), encoding="utf-8")
    assert load._FAST.read(path.read_text(encoding="utf-8")) is not None  # the fast reader took this file
    book, problems = load_casebook(cases, cache_dir=None)
    assert book is None
    [problem] = [p for p in problems if "status" in p.path]
    assert (problem.file.endswith("fuyou.yaml"), problem.line) == (True, number + 1)
