"""The casebook as a citable, versioned dataset built by a generator-neutral core.

Stands on the fixture casebook, whose first release (1.0.0, 2026-11-24) is
recorded in tests/fixtures/casebook/cases/releases/.
"""
from __future__ import annotations

import ast
import copy
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator

from casebook.core import completeness, releases, siteconfig
from casebook.site.render import SiteRenderer
from casebook.core.schema import case_schema
from casebook.core.validate import load_casebook

from conftest import CASES, ENV, ROOT, build, edit, make_project, run_cli, serving

DOORS = {"doors/plugin.py", "generator/mkdocs_build.py"}


def pages(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html")}


def test_render_writes_the_tree_without_mkdocs_and_plain_mkdocs_builds_the_same_pages(site: Path, tmp_path: Path):
    tree = tmp_path / "tree"
    # The core alone, in a fresh interpreter: writing the tree must not import MkDocs.
    script = ("import sys; from pathlib import Path; from casebook.core.validate import load_casebook; "
              "from casebook.site.tree import write_tree; "
              f"book, _ = load_casebook(Path({str(CASES)!r})); "
              f"write_tree(book, Path({str(ROOT / 'docs')!r}), Path({str(tree)!r})); "
              "assert not [m for m in sys.modules if m.split('.')[0] == 'mkdocs'], 'mkdocs imported'")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=ENV)
    assert result.returncode == 0, result.stderr
    assert (tree / "docs" / "cases" / "fuyou.md").is_file() and (tree / "docs" / "data" / "cases.json").is_file()

    # The CLI writes the same tree with a mkdocs.yml of its own; plain MkDocs (no casebook plugin) builds it.
    project = make_project(tmp_path)
    result = run_cli("render", "--out", str(tree), cwd=project)
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load((tree / "mkdocs.yml").read_text(encoding="utf-8"))
    assert "casebook" not in json.dumps(config["plugins"])
    plain = tmp_path / "plain"
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(tree / "mkdocs.yml"),
                             "-d", str(plain)], capture_output=True, text=True, env=ENV, timeout=600)
    assert result.returncode == 0, result.stderr
    assert pages(plain) == pages(site)
    assert "四汇共治" in (plain / "cases" / "cangnanjie" / "index.html").read_text(encoding="utf-8")


def test_only_the_doors_import_mkdocs():
    package = ROOT / "scripts" / "casebook"
    for path in package.rglob("*.py"):
        if path.relative_to(package).as_posix() in DOORS:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not any(n.split(".")[0] == "mkdocs" for n in names), f"{path.name} imports mkdocs"


def test_export_and_bench_switch_no_environment_and_edit_no_config_text():
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "!ENV" not in config
    for name in ("exports/export.py", "tools/bench.py", "doors/cli.py", "generator/mkdocs_build.py"):
        text = (ROOT / "scripts" / "casebook" / name).read_text(encoding="utf-8")
        assert "CASEBOOK_OFFLINE" not in text and "re.sub" not in text, name
        assert '"mkdocs", "build"' not in text, name


def _release(cases_dir: Path) -> subprocess.CompletedProcess:
    result = run_cli("release", "--cases-dir", str(cases_dir))
    assert result.returncode == 0, result.stderr
    return result


def test_a_corrected_fact_is_a_patch_and_a_new_case_a_minor_release(cases_dir: Path):
    # Release whatever the fixture holds beyond its recorded release (another change to the schema, say),
    # so that what follows starts from a released state.
    run_cli("release", "--cases-dir", str(cases_dir))
    again = run_cli("release", "--cases-dir", str(cases_dir))
    assert again.returncode == 1 and "没有变化" in again.stderr
    base = releases.history(cases_dir)[0]["version"]
    patch, minor = releases.bump(base, "patch"), releases.bump(releases.bump(base, "patch"), "minor")
    edit(cases_dir / "fuyou.yaml", "year: 2024", "year: 2023")
    assert patch in _release(cases_dir).stdout
    entry = releases.history(cases_dir)[0]
    assert (entry["version"], entry["level"], entry["changed"]) == (patch, "patch", {"fuyou": ["year"]})
    assert entry["notes"] == ["更正 新城街道府佑社区（fuyou）：year。"]

    # A new case: a copy of one under a new slug, with its own source text.
    shutil.copy(cases_dir / "sources" / "tianma.txt", cases_dir / "sources" / "tianma-two.txt")
    text = (cases_dir / "tianma.yaml").read_text(encoding="utf-8")
    text = text.replace("slug: tianma", "slug: tianma-two").replace("sources/tianma.txt", "sources/tianma-two.txt")
    (cases_dir / "tianma-two.yaml").write_text(text, encoding="utf-8")
    out = _release(cases_dir).stdout
    assert minor in out and "新增 1 个案例" in out
    entry = releases.history(cases_dir)[0]
    assert (entry["version"], entry["level"], entry["added"]) == (minor, "minor", ["tianma-two"])
    assert json.loads((cases_dir / "releases" / minor / "cases.json").read_text(encoding="utf-8"))[-1]["slug"] \
        == "tianma-two"
    # Every earlier release's data stays in place, and is published.
    book, _ = load_casebook(cases_dir)
    files = SiteRenderer(book).files()
    assert {f"data/releases/{v}/cases.json" for v in ("1.0.0", patch, minor)} | {f"data/casebook-{minor}-cases.csv"} \
        <= set(files)
    assert patch in files["versions.md"] and "更正 新城街道府佑社区（fuyou）：year。" in files["versions.md"]


def test_a_removed_field_is_a_major_release_and_a_new_optional_field_a_minor_one():
    schema = case_schema()
    without = copy.deepcopy(schema)
    del without["properties"]["tags"]
    changes = releases.compare([], [], schema, without)
    assert changes.level == "major" and changes.schema_breaking == ["删除字段 tags"]
    extended = copy.deepcopy(schema)
    extended["properties"]["website"] = {"type": ["string", "null"], "description": "社区网站"}
    changes = releases.compare([], [], schema, extended)
    assert changes.level == "minor" and changes.schema_added == ["website"]
    extended["required"] = [*schema["required"], "website"]
    assert releases.compare([], [], schema, extended).level == "major"


def test_a_broken_case_is_never_released(cases_dir: Path):
    before = releases.history(cases_dir)
    edit(cases_dir / "fuyou.yaml", "year: 2024", "year: 公元")
    result = run_cli("release", "--cases-dir", str(cases_dir))
    assert result.returncode == 1 and "fuyou.yaml" in result.stderr and "没有发布" in result.stderr
    assert releases.history(cases_dir) == before


def test_each_case_has_its_own_json_that_validates_against_the_schema(site: Path):
    schema = json.loads((site / "data/case.schema.json").read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema)
    files = sorted((site / "data" / "cases").glob("*.json"))
    assert [f.stem for f in files] == ["cangnanjie", "fuyou", "guhuai", "huangtun-jinse-jiayuan", "tianma"]
    for file in files:
        case = json.loads(file.read_text(encoding="utf-8"))
        assert case["slug"] == file.stem
        if case["$schema"].startswith("https://"):  # with a site_url, the published schema's address
            assert case["$schema"].endswith("/data/case.schema.json")
        else:
            assert (file.parent / case["$schema"]).resolve() == (site / "data/case.schema.json").resolve()
        assert not list(validator.iter_errors(case)), file.name


def fixture_version() -> str:
    """The version the fixture casebook's site shows (1.0.0, or 1.0.0+dev once its data or schema moved on)."""
    return releases.version(load_casebook(CASES)[0])


def test_downloads_carry_the_version_and_the_versions_page_lists_the_releases(site: Path):
    version = fixture_version()
    with open(site / f"data/casebook-{version}-cases.csv", encoding="utf-8-sig") as f:
        assert f.readline().rstrip().endswith("dataset_version") and f.readline().rstrip().endswith(version)
    versions = (site / "versions/index.html").read_text(encoding="utf-8")
    assert "1.0.0" in versions and "首次发布，共 5 个案例" in versions
    assert (site / "data/releases/1.0.0/cases.json").is_file()


def test_case_page_shows_last_update_and_how_to_cite(site: Path):
    page = (site / "cases/fuyou/index.html").read_text(encoding="utf-8")
    assert "最后更新" in page and "2026-11-24" in page
    version = fixture_version()
    # the published address (site_url in mkdocs.yml); a site without one shows its path, completed in the browser
    assert re.search(rf'\[DB/OL\]\. 版本 {re.escape(version)}\. \(2026-11-24\)\[引用日期\]\. '
                     r'<span data-cb-address="(\./|/casebook/cases/fuyou/)">(https://community-casebook\.github\.io/casebook)?/cases/fuyou/</span>\.', page)
    assert "@misc{casebook-fuyou," in page and f"version = {{{version}}}" in page


def test_a_renamed_case_keeps_its_old_address(tmp_path: Path, browser):
    cases = tmp_path / "cases"
    shutil.copytree(CASES, cases)
    (cases / "fuyou.yaml").rename(cases / "fuyou-shequ.yaml")
    edit(cases / "fuyou-shequ.yaml", "slug: fuyou\n", "slug: fuyou-shequ\nformer_slugs: [fuyou]\n")
    edit(cases / "guhuai.yaml", "case: fuyou\n", "case: fuyou-shequ\n")  # links between cases follow the rename
    # What changed since the last release before the rename stays changed; the rename adds only its own.
    before = releases.pending(load_casebook(CASES)[0])[1]
    last, changes = releases.pending(load_casebook(cases)[0])
    assert changes.renamed == {"fuyou": "fuyou-shequ"} and not changes.removed
    assert changes.level == ("major" if before.level == "major" else "minor")
    earlier = {("fuyou-shequ" if slug == "fuyou" else slug): set(f) for slug, f in before.changed.items()}
    added = {slug: [f for f in fields if f not in earlier.get(slug, set())] for slug, fields in changes.changed.items()}
    assert {slug: fields for slug, fields in added.items() if fields} == {"guhuai": ["learned_from[0].case"]}
    files = SiteRenderer(load_casebook(cases)[0]).files()
    assert json.loads(files["data/cases/fuyou.json"])["slug"] == "fuyou-shequ"
    project = make_project(tmp_path, cases)
    site = tmp_path / "site"
    result = build(project, site)
    assert result.returncode == 0, result.stderr
    # Served at site_url's path, as published: the redirect page's links start there.
    with serving(site, siteconfig.read(project / "mkdocs.yml").serve_path) as base:
        page = browser.new_page()
        page.goto(base + "cases/fuyou/")  # the address people cited
        page.wait_for_url("**/cases/fuyou-shequ/")
        assert page.locator("h1").first.inner_text().startswith("新城街道府佑社区")
        page.close()


def test_completeness_rises_when_a_field_is_filled(cases_dir: Path):
    edit(cases_dir / "guhuai.yaml", " source.page,", "")  # a field left empty, not recorded as unstated
    book, _ = load_casebook(cases_dir)
    before = completeness.score(book.case("guhuai"), book)
    assert any("source.page" in m for m in before.missing)
    edit(cases_dir / "guhuai.yaml", "  page: null", "  page: 第01版")
    book, _ = load_casebook(cases_dir)
    after = completeness.score(book.case("guhuai"), book)
    assert after.score > before.score and not any("source.page" in m for m in after.missing)
    page = SiteRenderer(book).files()["cases/guhuai.md"]
    assert f'value="{after.score}"' in page and "还缺少什么" in page


def test_a_field_recorded_as_unstated_by_the_source_costs_no_completeness(cases_dir: Path):
    book, _ = load_casebook(cases_dir)
    marked = completeness.score(book.case("huangtun-jinse-jiayuan"), book)
    edit(cases_dir / "huangtun-jinse-jiayuan.yaml", "unstated: [location.city, ", "unstated: [")
    book, problems = load_casebook(cases_dir)
    assert not problems, problems
    left_empty = completeness.score(book.case("huangtun-jinse-jiayuan"), book)
    assert marked.score > left_empty.score
    assert not any("location.city" in m for m in marked.missing) and any("location.city" in m for m in left_empty.missing)


def test_fixture_cases_lose_nothing_for_what_their_sources_do_not_state():
    book, _ = load_casebook(CASES)
    for case in book.cases:
        missing = completeness.score(case, book).missing
        assert not [m for m in missing for name in case.get("unstated", []) if f" {name}（" in m], case["slug"]
        assert not any("项成效没有数值" in m for m in missing), case["slug"]  # descriptions and plans have none
    page = SiteRenderer(book).files()["cases/huangtun-jinse-jiayuan.md"]
    assert "community_types" in page and "location.city" not in page.split("还缺少什么", 1)[1]


def test_completeness_is_defined_on_the_field_reference_and_in_the_open_data(site: Path):
    fields = (site / "reference/fields/index.html").read_text(encoding="utf-8")
    for _, label, weight, *_ in completeness.CRITERIA:
        assert label in fields
    assert "needs_value" in fields and "<code>source.url</code>" in fields
    with open(site / "data/cases.csv", encoding="utf-8-sig") as f:
        header = f.readline()
    assert "completeness" in header


def test_catalogue_sorts_by_completeness(browser, served):
    page = browser.new_page()
    page.goto(served + "cases/")
    header = page.locator("table.cb-catalogue th", has_text="完整度")
    header.click()
    header.click()  # descending: the most complete first
    scores = [int(s) for s in page.locator("table.cb-catalogue tbody tr td:last-child").all_inner_texts()]
    assert scores == sorted(scores, reverse=True) and len(scores) == 5
    page.close()


def test_on_a_web_server_the_citation_names_the_full_address(browser, served):
    page = browser.new_page()
    page.goto(served + "cases/fuyou/")
    addresses = page.locator(".cb-cite [data-cb-address]").all_inner_texts()
    # with site_url set (mkdocs.yml), the citation names the published address; without it, the served one
    assert addresses in ([served + "cases/fuyou/"] * 2, ["https://community-casebook.github.io/casebook/cases/fuyou/"] * 2)
    page.close()


def test_a_former_slug_that_another_case_uses_is_refused(cases_dir: Path):
    edit(cases_dir / "fuyou.yaml", "slug: fuyou\n", "slug: fuyou\nformer_slugs: [tianma]\n")
    result = run_cli("validate", "--cases-dir", str(cases_dir))
    assert result.returncode == 1
    assert "fuyou.yaml:3:" in result.stderr and "former_slugs[0]" in result.stderr and "tianma.yaml" in result.stderr


def test_render_never_overwrites_a_folder_it_did_not_write(tmp_path: Path):
    project = make_project(tmp_path)
    guides = sorted(p.name for p in (project / "docs").iterdir())
    result = run_cli("render", "--out", str(project), cwd=project)
    assert result.returncode == 1 and "换一个输出目录" in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in (project / "docs").iterdir()) == guides


def test_a_damaged_release_record_stops_the_build_with_a_message(tmp_path: Path):
    project = make_project(tmp_path)
    (project / "cases" / "releases" / "changelog.yaml").write_text("- version: [1.0\n", encoding="utf-8")
    result = build(project, tmp_path / "site")
    assert result.returncode != 0 and "changelog.yaml:2:1:" in result.stderr and "YAML 语法错误" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_paragraph_no_quote_comes_from_is_named_by_its_line_in_the_source(cases_dir: Path):
    """The editor opens the source file at that line: number and opening words, as the file has them."""
    book, _ = load_casebook(cases_dir)
    missing = completeness.evidence_coverage(book.case("tianma"), book).missing
    third_line = (cases_dir / "sources" / "tianma.txt").read_text(encoding="utf-8").splitlines()[2].strip()
    assert len(missing) == 1 and f"第 3 行“{third_line[:12]}" in missing[0]  # lines 1 and 2: quoted, and blank


def test_a_paragraph_quoted_as_a_persons_words_or_as_the_headline_counts_as_quoted(cases_dir: Path):
    """What the case copies from its source covers that paragraph, whichever field holds the copy."""
    def uncovered(slug: str) -> str:
        book, problems = load_casebook(cases_dir)
        assert not problems, problems
        return "".join(completeness.evidence_coverage(book.case(slug), book).missing)

    headline = (cases_dir / "sources" / "fuyou.txt").read_text(encoding="utf-8").splitlines()[0]
    assert "第 1 行" not in uncovered("fuyou") and headline.strip()  # the headline is source.title
    source = cases_dir / "sources" / "tianma.txt"
    said = "居民们说这里的服务越来越贴心了"  # a paragraph no evidence quote comes from
    source.write_text(source.read_text(encoding="utf-8") + f"\n{said}。\n", encoding="utf-8")
    before = int(re.search(r"有 (\d+) 段", uncovered("tianma")).group(1))
    edit(cases_dir / "tianma.yaml", "quotes:\n", f"quotes:\n  - speaker: 居民\n    role: 居民\n    text: {said}\n")
    assert int(re.search(r"有 (\d+) 段", uncovered("tianma")).group(1)) == before - 1
