"""The vocabulary drives everything: no term is written elsewhere, and a renamed or new term is followed."""
from __future__ import annotations

import ast
import csv
import re
import shutil
from pathlib import Path

import yaml

from casebook.site import search
from casebook.site.render import SiteRenderer
from casebook.core.validate import load_casebook

from conftest import CASES, REAL_CASES, ROOT, build, edit, make_project

PACKAGE = ROOT / "scripts" / "casebook"
CODE = [p for p in PACKAGE.rglob("*") if p.suffix in {".py", ".j2", ".css", ".js", ".json", ".html"}
        and "__pycache__" not in p.parts]


def vocabulary_words(cases: Path) -> set[str]:
    """Every term and Chinese label of a vocabulary: what code, schema, templates and CSS must not spell out."""
    taxonomy = yaml.safe_load((cases / "taxonomy.yaml").read_text(encoding="utf-8"))
    words = set()
    for name, entries in taxonomy.items():
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict):
                words.update(str(entry[key]) for key in ("term", "label") if key in entry)
    return words


def test_no_vocabulary_term_is_a_literal_in_code_schema_templates_or_css():
    words = vocabulary_words(REAL_CASES) | vocabulary_words(CASES)
    found = []
    for path in CODE:
        text = path.read_text(encoding="utf-8")
        for word in words:
            pattern = rf"(?<![A-Za-z_]){re.escape(word)}(?![A-Za-z_])" if word.isascii() else re.escape(word)
            if re.search(pattern, text):
                found.append(f"{path.relative_to(ROOT)}: {word}")
    assert not found, "\n".join(found)


def real_case_words() -> set[str]:
    """What a test on the real cases must not expect: a case's slug, title or name (a listed case)."""
    words = set()
    for path in REAL_CASES.glob("*.yaml"):
        if path.name != "taxonomy.yaml":
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            words.update(str(data[key]) for key in ("slug", "title", "name") if data.get(key))
    return words


def reads_real_cases(function: ast.FunctionDef, module: Path) -> bool:
    """A test that reads cases/: every test of test_real_cases.py, one naming REAL_CASES, or the CLI run
    in the repository without another casebook (neither --cases-dir nor cwd=)."""
    if module.name == "test_real_cases.py":
        return True
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and node.id == "REAL_CASES":
            return True
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "run_cli":
            given = [a.value for a in node.args if isinstance(a, ast.Constant)]
            if "--cases-dir" not in given and "cwd" not in {k.arg for k in node.keywords}:
                return True
    return False


def test_no_test_on_the_real_cases_counts_or_lists_them():
    # A contributor's valid new case (or a renamed one) must keep CI green: tests on cases/ may only
    # expect what holds for every case, never "5 个案例" or a particular case's slug or title.
    words, count = real_case_words(), len(list(REAL_CASES.glob("*.yaml"))) - 1
    found = []
    for module in sorted((ROOT / "tests").glob("test_*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for function in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]:
            if not reads_real_cases(function, module):
                continue
            for node in ast.walk(function):
                where = f"{module.name}:{getattr(node, 'lineno', function.lineno)} {function.name}"
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    if re.search(r"\d+\s*个案例", node.value):
                        found.append(f"{where}: counts the cases: {node.value!r}")
                    found += [f"{where}: names a case: {w}" for w in words
                              if re.search(rf"(?<![a-z0-9-]){re.escape(w)}(?![a-z0-9-])", node.value)]
                if isinstance(node, ast.Compare) and any(isinstance(c, ast.Constant) and c.value == count
                                                         and not isinstance(c.value, bool)
                                                         for c in [node.left, *node.comparators]) \
                        and any(isinstance(c, ast.Call) and getattr(c.func, "id", None) == "len"
                                for c in [node.left, *node.comparators]):
                    found.append(f"{where}: compares a length with {count}, the number of cases today")
    assert not found, "\n".join(found)


def renamed_vocabulary(cases: Path) -> None:
    """Rename the value-bearing outcome kind and the done status, add a new kind, in a copy of the data."""
    for path in cases.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"\bkind: measured\b", "kind: counted", text)
        text = re.sub(r"\bstatus: in_place\b", "status: running", text)
        text = text.replace("term: measured", "term: counted").replace("label: 实测", "label: 有统计")
        text = text.replace("term: in_place", "term: running").replace("label: 已实施", "label: 正在做")
        path.write_text(text, encoding="utf-8")
    edit(cases / "taxonomy.yaml", "\n# 实践的状态", "  - term: estimated\n    label: 估算\n    description: 原文给出的估计数。\n"
         "    needs_value: true\n\n# 实践的状态")


def test_a_renamed_and_a_new_term_are_followed_by_site_csv_and_reference(cases_dir: Path):
    renamed_vocabulary(cases_dir)
    book, problems = load_casebook(cases_dir)
    assert not problems, problems
    files = SiteRenderer(book).files()
    case = files["cases/huangtun-jinse-jiayuan.md"]
    assert "有统计" in case and "cb-kind--value" in case and "实测" not in case
    assert "正在做" in case and "cb-status--done" in case
    header = next(csv.reader(files["data/cases.csv"].decode("utf-8-sig").splitlines()))
    assert "outcomes_counted" in header and "outcomes_estimated" in header and "outcomes_measured" not in header
    reference = files["reference/fields.md"]
    assert "<code>counted</code>" in reference and "<code>estimated</code>" in reference
    assert "needs_value: true" in reference
    assert re.search(r"<strong>4</strong><span>项有数字的成效", files["index.md"])


def test_a_renamed_value_kind_still_requires_value_and_unit(cases_dir: Path):
    renamed_vocabulary(cases_dir)
    edit(cases_dir / "huangtun-jinse-jiayuan.yaml", "    value: 16\n    unit: 起\n", "")
    _, problems = load_casebook(cases_dir)
    assert {p.path for p in problems} >= {"outcomes[0].value", "outcomes[0].unit"}, problems


def test_the_scaffold_names_the_codes_to_write(tmp_path: Path):
    from casebook.authoring.scaffold import render_case
    from casebook.core.validate import load_taxonomy

    taxonomy, _ = load_taxonomy(CASES)
    text = render_case("xin-an", taxonomy=taxonomy)
    assert "in_place（已实施）" in text and "measured（实测）" in text


def test_the_real_casebook_grows_by_a_case_a_category_a_problem_and_an_outcome_kind(tmp_path: Path):
    """What an editor's pull request adds to the real data never turns a test red; it shows on the site."""
    cases = tmp_path / "cases"
    shutil.copytree(REAL_CASES, cases)
    first = sorted(p for p in cases.glob("*.yaml") if p.name != "taxonomy.yaml")[0]
    data = yaml.safe_load(first.read_text(encoding="utf-8"))
    shutil.copy(cases / data["source"]["file"], cases / "sources/zz-new-case.txt")
    text = first.read_text(encoding="utf-8").replace(f"slug: {data['slug']}", "slug: zz-new-case")
    text = text.replace(f"name: {data['name']}", "name: 新加的案例社区").replace(data["source"]["file"], "sources/zz-new-case.txt")
    text = re.sub(r"category: \S+", "category: 新类别", text, count=1)
    (cases / "zz-new-case.yaml").write_text(text, encoding="utf-8")
    taxonomy = (cases / "taxonomy.yaml").read_text(encoding="utf-8")
    taxonomy = taxonomy.replace("\n# 首页", "  - term: 新类别\n    short: 新类\n    slug: xinleibie\n    description: 测试用的新类别。\n\n# 首页", 1)
    taxonomy = taxonomy.replace("\nproblems:\n", "\nproblems:\n  - problem: 新问题\n    categories: [新类别]\n", 1)
    taxonomy = taxonomy.replace("\n# 实践的状态", "  - term: surveyed\n    label: 调查所得\n    description: 问卷调查得到的结果。\n\n# 实践的状态", 1)
    (cases / "taxonomy.yaml").write_text(taxonomy, encoding="utf-8")
    project = make_project(tmp_path, cases)
    site = tmp_path / "site"
    result = build(project, site)
    assert result.returncode == 0, result.stderr
    assert "新加的案例社区" in (site / "cases/index.html").read_text(encoding="utf-8")
    assert "新加的案例社区" in (site / "categories/xinleibie/index.html").read_text(encoding="utf-8")
    assert "新问题" in (site / "index.html").read_text(encoding="utf-8")
    assert any(e["title"] == "新加的案例社区" for e in search.read_index(site))
