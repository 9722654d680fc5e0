"""The editor's path: scaffold, fill, check; the generated field reference; the PR checks."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from casebook.core.schema import case_schema, fields
from casebook.core.files import case_files
from casebook.core.validate import load_casebook

from conftest import CASES, REAL_CASES, ROOT, run_cli


def new_project(tmp_path: Path) -> Path:
    cases = tmp_path / "cases"
    (cases / "sources").mkdir(parents=True)
    shutil.copy(CASES / "taxonomy.yaml", cases)
    return cases


def test_untouched_scaffold_is_rejected_naming_each_unfilled_field(tmp_path: Path):
    cases = new_project(tmp_path)
    result = run_cli("new", "xin-an", "--cases-dir", str(cases))
    assert result.returncode == 0, result.stderr
    _, problems = load_casebook(cases)
    named = {p.path for p in problems}
    assert {"name", "title", "summary", "location.evidence[0]", "source.title", "source.file",
            "practices[0].name", "practices[0].category", "practices[0].status", "practices[0].description",
            "practices[0].evidence", "outcomes[0].kind", "outcomes[0].statement", "outcomes[0].evidence"} <= named
    assert all("未填写" in p.message or "是空的" in p.message for p in problems), problems


def test_scaffold_filled_in_is_accepted(tmp_path: Path):
    cases = new_project(tmp_path)
    run_cli("new", "xin-an", "--cases-dir", str(cases))
    (cases / "sources/xin-an.txt").write_text("新安社区成立了调解室，今年化解纠纷12起。", encoding="utf-8")
    path = cases / "xin-an.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(name="新安社区", title="成立调解室化解纠纷", summary="新安社区成立了调解室。")
    data["location"].update(community="新安社区", evidence=["新安社区成立了调解室"])
    data["source"]["title"] = "新安社区调解室"
    data["practices"][0].update(name="调解室", category="矛盾纠纷调解", status="in_place",
                                description="成立调解室。", evidence="新安社区成立了调解室")
    data["outcomes"][0].update(kind="measured", statement="今年化解纠纷12起。", value=12, unit="起",
                               evidence="今年化解纠纷12起")
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    book, problems = load_casebook(cases)
    assert not problems, "\n".join(map(str, problems))
    assert book.cases[0]["added"] == str(data["added"])


def test_scaffold_lists_every_schema_field_with_its_description(tmp_path: Path):
    cases = new_project(tmp_path)
    run_cli("new", "xin-an", "--cases-dir", str(cases))
    text = (cases / "xin-an.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../scripts/casebook/data/case.schema.json")
    for f in fields(case_schema()):
        assert re.search(rf"^[#\s-]*{re.escape(f.path[-1])}:", text, re.M), f.dotted
        assert f.node["description"] in text, f.dotted


def test_scaffold_refuses_to_overwrite_and_rejects_bad_slugs(tmp_path: Path):
    cases = new_project(tmp_path)
    assert run_cli("new", "xin-an", "--cases-dir", str(cases)).returncode == 0
    (cases / "sources/xin-an.txt").write_text("原文", encoding="utf-8")
    again = run_cli("new", "xin-an", "--cases-dir", str(cases))
    assert again.returncode == 1 and "已经存在，没有覆盖" in again.stderr
    assert (cases / "sources/xin-an.txt").read_text(encoding="utf-8") == "原文"
    for bad in ["Xin-An", "../xin", "xin an", "xin/an", "新安"]:
        result = run_cli("new", bad, "--cases-dir", str(cases))
        assert result.returncode == 1 and "不合规" in result.stderr and "Traceback" not in result.stderr, bad
    assert sorted(p.name for p in cases.glob("*.yaml")) == ["taxonomy.yaml", "xin-an.yaml"]


def test_reference_page_lists_every_field_and_every_term(site: Path):
    page = (site / "reference/fields/index.html").read_text(encoding="utf-8")
    for f in fields(case_schema()):
        assert f"<code>{f.dotted}</code>" in page, f.dotted
    taxonomy = yaml.safe_load((CASES / "taxonomy.yaml").read_text(encoding="utf-8"))
    for vocabulary in ("categories", "outcome_kinds", "practice_statuses"):
        for entry in taxonomy[vocabulary]:
            assert entry["term"] in page and entry["description"] in page, entry


def test_workflow_runs_the_ci_script_and_the_strict_build():
    workflow = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text(encoding="utf-8"))
    steps = [s.get("run", "") for s in workflow["jobs"]["check"]["steps"]]
    assert any(re.fullmatch(r"(sudo )?bash \.ci/run", run) for run in steps)
    assert any("mkdocs build --strict" in run for run in steps)
    assert any("casebook validate" in run for run in steps)
    assert "pull_request" in workflow[True]  # PyYAML reads the key `on` as True


def test_ci_script_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    test_command = re.findall(r"```bash\n(.+?)\n```", readme)[1]
    assert "pytest" in test_command
    assert test_command in (ROOT / ".ci/run").read_text().splitlines()


def test_pre_commit_hook_validates_changed_case_files():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hook = config["repos"][0]["hooks"][0]
    assert hook["entry"] == "casebook validate" and re.match(hook["files"], "cases/fuyou.yaml")


def test_validating_a_source_or_the_vocabulary_checks_every_case():
    # Any source will do; the count comes from cases/ itself, so a contributor's new case keeps this green.
    source = sorted((REAL_CASES / "sources").glob("*.txt"))[0].relative_to(ROOT)
    result = run_cli("validate", "cases/taxonomy.yaml", str(source))
    assert result.returncode == 0, result.stderr
    assert f"{len(case_files(REAL_CASES))} 个案例" in result.stdout, result.stdout


def test_in_github_actions_each_problem_is_an_annotation_on_its_line_and_in_the_summary(cases_dir: Path, tmp_path: Path):
    import os
    import subprocess
    import sys

    from conftest import ENV, edit, line_of

    case = cases_dir / "fuyou.yaml"
    edit(case, "category: 党建引领", "category: 党建")
    summary = tmp_path / "summary.md"
    exe = Path(sys.executable).with_name("casebook")
    env = {**ENV, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    result = subprocess.run([str(exe), "validate", "--cases-dir", str(cases_dir)], capture_output=True, text=True,
                            env=env, cwd=tmp_path)
    assert result.returncode == 1
    line = line_of(case, "category: 党建")
    (annotation,) = [a for a in result.stdout.splitlines() if a.startswith("::error ")]
    assert f"file=cases/fuyou.yaml,line={line}," in annotation and "title=practices[0].category::" in annotation
    assert "“党建”是词表里“党建引领”的简称" in annotation
    assert "cases/fuyou.yaml" in summary.read_text(encoding="utf-8") and "1 个问题" in summary.read_text(encoding="utf-8")
    local = subprocess.run([str(exe), "validate", "--cases-dir", str(cases_dir)], capture_output=True, text=True,
                           env={k: v for k, v in ENV.items() if k != "GITHUB_ACTIONS"}, cwd=tmp_path)
    assert "::error" not in local.stdout + local.stderr and os.path.basename(str(case)) in local.stderr


def test_the_editors_guide_is_in_the_site_navigation_and_linked_from_contributing(site: Path):
    assert "docs/editing.md" in (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    home = (site / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<a href="editing/"[^>]*>(?:(?!</a>).)*编辑指南', home, re.S), "no 编辑指南 in the navigation"
    guide = (site / "editing/index.html").read_text(encoding="utf-8")
    for question in ("引题", "本报", "电子报", "全街道的数字", "出版日期", "role", "换行", "unstated", "没有标题",
                     "没写城市", "没有具体社区", "网址里", "阅读 打印 收藏", "转载在政府网站", "原文不完整", "价格和优惠",
                     "案例标识", "地名表", "只写了姓"):
        assert question in guide, question


def test_the_guide_names_the_list_fields_an_editor_may_mark_unstated_as_the_checker_allows_them():
    """Every list field the guide's answer names can be listed; every optional one the checker allows is named."""
    from casebook.core.completeness import counted_fields
    from casebook.core.schema import case_schema

    guide = (ROOT / "docs" / "editing.md").read_text(encoding="utf-8")
    answer = guide.split("### 哪些字段可以列进 `unstated`？", 1)[1].split("###", 1)[0]
    named = set(re.findall(r"`([a-z_.]+)`", answer.split("包括这些列表字段", 1)[1].split("——", 1)[0]))
    fields = counted_fields(case_schema())
    lists = {f.dotted for f in fields if f.node.get("type") == "array"}
    assert named and named <= lists
    assert lists - named == {f.dotted for f in fields if f.node.get("type") == "array" and f.required}


def test_the_guides_worked_example_quotes_its_fixture_article_verbatim():
    from casebook.core.quotes import verbatim_at

    guide = (ROOT / "docs" / "editing.md").read_text(encoding="utf-8")
    source = (CASES / "sources" / "huangtun-jinse-jiayuan.txt").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", guide, re.S)
    quotes = [q for block in blocks for q in re.findall(r"evidence: \"?(.+?)\"?$", block, re.M)]
    assert len(quotes) >= 3
    assert all(verbatim_at(q, source) >= 0 for q in quotes), quotes
    assert yaml.safe_load(blocks[1]) == {"description": "10月28日正式开启运营： 60周岁以上老人每餐10元。"}  # YAML's own fold
    from casebook.core.load import parse

    assert parse(blocks[1], "x.yaml").data == {"description": "10月28日正式开启运营：60周岁以上老人每餐10元。"}
