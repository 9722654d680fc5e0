"""Large casebooks: the check cache gives the same answers as a fresh check, related cases reach the whole alphabet."""
from __future__ import annotations

import copy
import os
import random
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from casebook.site import catalog
from casebook.doors import cli
from casebook.core import check_run, rules, validate
from casebook.core.model import Casebook
from casebook.core.validate import load_casebook

from conftest import serve_root, CASES, ENV, edit, free_port, line_of, make_project, page_with


@pytest.fixture
def counted(monkeypatch) -> list[Path]:
    """Files parsed and checked afresh (not taken from the cache) since the test began."""
    fresh: list[Path] = []
    real = check_run._fresh

    def spy(checker, path):
        fresh.append(path)
        return real(checker, path)

    monkeypatch.setattr(check_run, "_fresh", spy)
    return fresh


def test_an_unchanged_casebook_is_not_parsed_again(cases_dir: Path, counted: list[Path]):
    first, problems = load_casebook(cases_dir)
    assert not problems and len(counted) == 5
    assert (cases_dir.parent / ".cache" / "casebook" / "index.marshal").is_file()
    counted.clear()
    again, problems = load_casebook(cases_dir)
    assert not problems and counted == []
    assert again.cases == first.cases and again.sources == first.sources


def test_a_changed_source_text_is_checked_again(cases_dir: Path, counted: list[Path]):
    assert load_casebook(cases_dir)[1] == []
    counted.clear()
    edit(cases_dir / "sources" / "tianma.txt", "善治目标", "治理目标")
    book, problems = load_casebook(cases_dir)
    assert [p.name for p in counted] == ["tianma.yaml"]
    assert book is None and any("摘录在原文" in p.message and p.file.endswith("tianma.yaml") for p in problems)


def test_a_changed_case_file_of_the_same_size_is_checked_again(cases_dir: Path):
    assert load_casebook(cases_dir)[1] == []
    target = cases_dir / "tianma.yaml"
    stat = target.stat()
    edit(target, "kind: planned", "kind: plannex")
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size and modification time as before
    _, problems = load_casebook(cases_dir)
    assert any(p.path.endswith(".kind") and "plannex" in p.message for p in problems)


def test_a_changed_vocabulary_checks_every_case_again(cases_dir: Path, counted: list[Path]):
    assert load_casebook(cases_dir)[1] == []
    counted.clear()
    edit(cases_dir / "taxonomy.yaml", "  - term: planned", "  - term: intended")
    _, problems = load_casebook(cases_dir)
    assert len(counted) == 5
    assert any(p.path.endswith(".kind") and "planned" in p.message for p in problems)


def test_a_changed_schema_checks_every_case_again(cases_dir: Path, counted: list[Path], monkeypatch):
    assert load_casebook(cases_dir)[1] == []
    counted.clear()
    real = validate.with_vocabulary

    def more_practices(taxonomy):
        schema = real(taxonomy)
        schema["properties"]["practices"]["minItems"] = 50
        return schema

    monkeypatch.setattr(validate, "with_vocabulary", more_practices)  # the cache key
    monkeypatch.setattr(rules, "with_vocabulary", more_practices)  # the checks
    _, problems = load_casebook(cases_dir)
    assert len(counted) == 5
    assert {Path(p.file).name for p in problems if p.path == "practices"} == {p.name for p in CASES.glob("*.yaml")} - {"taxonomy.yaml"}


def test_the_cache_is_safe_to_delete_or_damage(cases_dir: Path):
    first, _ = load_casebook(cases_dir)
    folder = cases_dir.parent / ".cache" / "casebook"
    for name in ("index.marshal", "data.marshal"):
        (folder / name).write_bytes(b"\x00not marshal")
    damaged, problems = load_casebook(cases_dir)
    assert not problems and damaged.cases == first.cases
    (folder / "data.marshal").unlink()
    again, problems = load_casebook(cases_dir)
    assert not problems and again.cases == first.cases


def test_problems_come_back_from_the_cache_unchanged(cases_dir: Path):
    edit(cases_dir / "tianma.yaml", "kind: planned", "kind: plannex")
    _, fresh = load_casebook(cases_dir, cache_dir=None)
    _, first = load_casebook(cases_dir)
    _, cached = load_casebook(cases_dir)
    assert fresh == first == cached and fresh


def _synthetic(n: int) -> Casebook:
    """n cases shaped like the fixture ones, with features spread at random over the whole alphabet."""
    book, _ = load_casebook(CASES, cache_dir=None)
    rng = random.Random(3)
    terms = book.taxonomy.terms("categories")
    tags = [f"标签{i}" for i in range(40)]
    cases = []
    for i in range(n):
        case = copy.deepcopy(book.cases[i % len(book.cases)])
        case["slug"] = f"case-{i:04d}"
        case["tags"] = rng.sample(tags, 2)
        case["models"] = [{**case["models"][0], "name": f"模式{rng.randrange(300)}"}] if case.get("models") else []
        for practice in case["practices"]:
            practice["category"] = rng.choice(terms)
        cases.append(case)
    return Casebook(cases, book.taxonomy, book.schema, CASES)


def test_related_cases_come_from_the_whole_alphabet():
    book = _synthetic(1000)
    related = catalog.Related(book)
    suggested = Counter(other["slug"] for pairs in related.values() for other, _ in pairs)
    late = sum(count for slug, count in suggested.items() if int(slug[5:]) >= 500)
    assert 0.4 < late / sum(suggested.values()) < 0.6
    assert any(int(slug[5:]) >= 900 for slug in suggested)


def test_a_rare_shared_feature_outranks_a_common_one():
    book = _synthetic(1000)
    first, last = book.cases[0], book.cases[-1]
    first["tags"] = last["tags"] = ["只有两个案例有的标签"]
    related = catalog.Related(book)
    # Counted one each, the tag would lose to the several categories hundreds of cases share.
    assert "case-0999" in [other["slug"] for other, _ in related["case-0000"]]
    assert "case-0000" in [other["slug"] for other, _ in related["case-0999"]]
    shared = dict((other["slug"], shared) for other, shared in related["case-0000"])["case-0999"]
    assert "只有两个案例有的标签" in shared




def test_preview_shows_an_edit_then_its_problems_on_thepage_with(tmp_path: Path):
    project = make_project(tmp_path)
    port = free_port()
    preview = subprocess.Popen([str(Path(sys.executable).with_name("casebook")), "preview", "cases/fuyou.yaml",
                                "--dev-addr", f"127.0.0.1:{port}"], cwd=project, env=ENV,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = serve_root(project, port)
    try:
        page_with(base + "cases/fuyou/", "思享荟")
        # What the case links to is there: its category pages and the cases related to it.
        page = page_with(base + "cases/fuyou/", "相关案例")
        related = re.findall(r'class="cb-related".*?</ul>', page, re.S)[0]
        first_related = re.findall(r'href="(?:\.\./|/[^"]*/cases/)([a-z0-9-]+)/"', related)[0]
        page_with(base + f"cases/{first_related}/", "</h1>")
        page_with(base + "cases/", "府佑")
        assert "0.0.0" not in page_with(base + "cases/fuyou/", "+dev")  # the data version of the build, not none
        assert "assets/casebook/quote.js" in page_with(base + "sources/fuyou/", "</h1>")  # quoting by selection
        edit(project / "cases/fuyou.yaml", "title: 党群服务中心打造", "title: 预览里改过的标题：党群服务中心打造")
        page_with(base + "cases/fuyou/", "预览里改过的标题")
        edit(project / "cases/fuyou.yaml", "kind: recognition", "kind: recognitio")
        page = page_with(base + "cases/fuyou/", "案例检查发现")
        line = line_of(project / "cases/fuyou.yaml", "kind: recognitio")
        assert f"cases/fuyou.yaml:{line}:" in page and "是否想写“recognition”" in page
        # The problem page is a page: its front matter is its title, not text in it.
        assert "search:" not in page and "<title>案例检查发现问题" in page, page[:3000]
        menu = page.split("md-nav--primary", 1)[1]  # every page keeps its own name in the menu
        assert "案例检查发现问题" not in menu and re.search(r">\s*培训资料\s*<", menu), menu[:3000]
        edit(project / "cases/fuyou.yaml", "kind: recognitio", "kind: recognition")
        page_with(base + "cases/fuyou/", "预览里改过的标题")
    finally:
        preview.terminate()
        preview.wait(timeout=30)
    said = preview.stdout.read()
    assert "预览网站" in said and "问题已全部改好" in said.split("是否想写“recognition”")[-1]


def test_bench_sizes_are_accepted_with_spaces_or_commas():
    assert cli.bench_sizes(["1000", "5000"]) == cli.bench_sizes(["1000,5000"]) == [1000, 5000]


def test_a_link_to_a_removed_case_is_reported_at_its_line_from_the_cache(cases_dir: Path):
    linking = [p for p in cases_dir.glob("*.yaml") if "learned_from:" in p.read_text(encoding="utf-8")
               and "  case: " in p.read_text(encoding="utf-8")]
    if not linking:
        pytest.skip("the fixture casebook has no learned-from link to another case")
    source = linking[0]
    target = next(line.split("case:")[1].strip() for line in source.read_text(encoding="utf-8").splitlines()
                  if line.strip().startswith("case:"))
    assert load_casebook(cases_dir, need_data=False)[1] == []
    (cases_dir / f"{target}.yaml").unlink()
    _, problems = load_casebook(cases_dir, need_data=False)
    broken = [p for p in problems if p.path.endswith(".case") and target in p.message]
    assert broken and broken[0].line == line_of(source, f"case: {target}")
