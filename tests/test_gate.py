"""One gate for every input file: the changelog, release snapshots, gazetteer, materials manifest and
mkdocs.yml settings get located Chinese lines from `casebook validate`, as the cases do (issue #25)."""
from __future__ import annotations

import json
import os
import tracemalloc
from pathlib import Path

import pytest

from conftest import edit, line_of, make_project, run_cli

CHANGELOG = Path("releases") / "changelog.yaml"
H = "huangtun-jinse-jiayuan.yaml"


def _problems(cases_dir: Path):
    from casebook.core.validate import load_casebook

    book, problems = load_casebook(cases_dir, cache_dir=None)
    assert book is None
    return problems


def _about(problems, file: str, path: str, words: str):
    found = [p for p in problems if p.file.endswith(file) and p.path == path and words in p.message]
    assert found, "\n".join(map(str, problems))
    return found[0]


# --- the changelog ------------------------------------------------------------------------------------

def test_markup_in_a_changelog_date_is_refused_by_validate(cases_dir: Path):
    log = cases_dir / CHANGELOG
    edit(log, "date: '2026-11-24'", "date: '*x*{tabindex=1 autofocus onfocus=alert(document.domain)}'")
    problem = _about(_problems(cases_dir), "changelog.yaml", "[0].date", "YYYY-MM-DD")
    assert problem.line == line_of(log, "date:")


def test_an_impossible_changelog_date_is_refused(cases_dir: Path):
    edit(cases_dir / CHANGELOG, "date: '2026-11-24'", "date: '2026-02-30'")
    _about(_problems(cases_dir), "changelog.yaml", "[0].date", "不存在")


def test_an_alias_bomb_in_the_changelog_is_refused_before_it_expands(cases_dir: Path):
    lines = ['- version: 1.0.0', '  date: "2026-11-24"', '  level: initial', '  cases: 5',
             '  notes: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"  n{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    (cases_dir / CHANGELOG).write_text("\n".join(lines) + "\n", encoding="utf-8")
    tracemalloc.start()
    problems = _problems(cases_dir)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 60_000_000  # expanded, it would be 9^10 strings
    _about(problems, "changelog.yaml", "[0].n1[0]", "锚点和别名")


@pytest.mark.parametrize("version", ["/etc", "../../outside", "1.0.0/../../x", "1.0.0-rc1", "1.0", "x"])
def test_a_version_that_is_not_a_semantic_version_never_becomes_a_path(cases_dir: Path, version: str):
    from casebook.core import releases

    log = cases_dir / CHANGELOG
    text = log.read_text(encoding="utf-8")
    older = text.split("\n", 2)[2].replace("version: 1.0.0", f"version: '{version}'")
    log.write_text(text + older, encoding="utf-8")  # an older entry after the real one
    problem = _about(_problems(cases_dir), "changelog.yaml", "[1].version", "语义版本")
    assert problem.line == line_of(log, f"version: '{version}'")
    with pytest.raises(releases.ReleaseError):
        releases.snapshot_path(cases_dir, version)
    with pytest.raises(releases.ReleaseError):
        releases.history(cases_dir)


def test_versions_are_newest_first_and_each_once(cases_dir: Path):
    log = cases_dir / CHANGELOG
    text = log.read_text(encoding="utf-8")
    log.write_text(text + text.split("\n", 2)[2], encoding="utf-8")
    _about(_problems(cases_dir), "changelog.yaml", "[1].version", "最新的在最前")


def test_a_malformed_changelog_gives_located_chinese_lines_from_validate(cases_dir: Path):
    log = cases_dir / CHANGELOG
    edit(log, "version: 1.0.0", "version: 1")
    edit(log, "  date: '2026-11-24'\n", "")
    text = log.read_text(encoding="utf-8")
    notes = text.index("  notes:")
    log.write_text(text[:notes] + "  notes: 5\n", encoding="utf-8")
    result = run_cli("validate", "--cases-dir", str(cases_dir))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert any(f"changelog.yaml:{line_of(log, 'version: 1')}:" in line and "[0].version: 应为文本" in line for line in lines)
    assert any("[0].date: 缺少必填字段“date”" in line for line in lines)
    assert any(f"changelog.yaml:{line_of(log, 'notes: 5')}:" in line and "[0].notes: 应为列表" in line for line in lines)


def test_a_changelog_in_gbk_is_named_as_such(cases_dir: Path):
    log = cases_dir / CHANGELOG
    log.write_bytes(log.read_text(encoding="utf-8").encode("gb18030"))
    _about(_problems(cases_dir), "changelog.yaml", "", "GBK")


@pytest.mark.parametrize("version", ["x", "1.0", "1.0.0-rc1"])
def test_release_after_a_last_version_that_is_not_semantic_says_so_in_chinese(cases_dir: Path, version: str):
    from casebook.core import releases

    edit(cases_dir / CHANGELOG, "version: 1.0.0", f"version: '{version}'")
    result = run_cli("release", "--dry-run", "--cases-dir", str(cases_dir))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "ValueError" not in result.stderr
    assert "语义版本" in result.stderr and "没有发布新版本" in result.stderr
    with pytest.raises(releases.ReleaseError, match="语义版本"):
        releases.bump(version, "minor")


def test_a_release_snapshot_that_is_a_link_out_of_the_casebook_is_refused(cases_dir: Path, tmp_path: Path):
    snapshot = cases_dir / "releases" / "1.0.0" / "cases.json"
    outside = tmp_path / "secret.json"
    outside.write_text("[]", encoding="utf-8")
    snapshot.unlink()
    snapshot.symlink_to(outside)
    _about(_problems(cases_dir), "cases.json", "", "符号链接")


def test_a_broken_release_snapshot_is_located(cases_dir: Path):
    snapshot = cases_dir / "releases" / "1.0.0" / "cases.json"
    lines = snapshot.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace('"slug": "guhuai"', '"slug": 5')
    snapshot.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problem = _about(_problems(cases_dir), "cases.json", "[2].slug", "应为文本")
    assert problem.line == 4
    snapshot.write_text("[{", encoding="utf-8")
    _about(_problems(cases_dir), "cases.json", "", "不是有效的 JSON")


# --- sizes before reading -----------------------------------------------------------------------------

def test_a_huge_sparse_source_is_refused_without_being_read(cases_dir: Path):
    source = cases_dir / "sources" / "huangtun-jinse-jiayuan.txt"
    with open(source, "r+b") as file:
        file.truncate(1_500_000_000)  # sparse: costs no disk, but read whole it is 1.5 GB of memory
    tracemalloc.start()
    problems = _problems(cases_dir)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 60_000_000
    _about(problems, H, "source.file", "文件过大（1500 MB）：一个原文文件不应超过 1 MB")


# --- region pages -------------------------------------------------------------------------------------

def test_two_names_of_one_region_page_get_a_located_message(cases_dir: Path):
    case = cases_dir / H
    edit(case, "province: 山东省", "province: 山东")  # fuyou and the gazetteer say 山东省
    problem = _about(_problems(cases_dir), H, "location.province", "“山东省”的网页地址相同")
    assert problem.line == line_of(case, "province: 山东")


def test_a_region_named_like_a_page_of_the_site_is_refused(cases_dir: Path):
    case = cases_dir / "tianma.yaml"
    edit(case, "unstated: [location.province, ", "unstated: [")
    edit(case, "  province: null", "  province: Index")
    edit(case, "    - 曹溪街道天马社区成立于2015年6月", "    - 曹溪街道天马社区成立于2015年6月\n    - Index")
    with open(cases_dir / "sources" / "tianma.txt", "a", encoding="utf-8") as source:
        source.write("\nIndex\n")
    _about(_problems(cases_dir), "tianma.yaml", "location.province", "“按地区”页面冲突")


@pytest.mark.parametrize("names", [["ABC", "abc"], ["市中", "市中区"], ["山东", "山东省"]])
def test_region_names_that_share_an_address_are_found(names):
    from casebook.core import regions

    found = regions.clashes([["山东省", "济南市", names[0]], ["山东省", "济南市", names[1]], ["山西省"], ["陕西省"]])
    assert list(found) == [1] and found[1][0] == 2


# --- former slugs -------------------------------------------------------------------------------------

def test_a_former_slug_that_is_a_page_of_the_site_is_refused_by_validate(cases_dir: Path):
    case = cases_dir / "tianma.yaml"
    case.write_text(case.read_text(encoding="utf-8") + "former_slugs:\n  - index\n", encoding="utf-8")
    problem = _about(_problems(cases_dir), "tianma.yaml", "former_slugs[0]", "网站自己使用的页面名")
    assert problem.line == line_of(case, "  - index")


# --- the gazetteer ------------------------------------------------------------------------------------

def test_the_gazetteer_is_checked(tmp_path: Path):
    from casebook.core import gazetteer

    assert gazetteer.read(gazetteer.default_file())[1] == []
    bad = tmp_path / "gazetteer.yaml"
    bad.write_text("山东省: &p [济南市, 青岛市]\n浙江省: *p\n", encoding="utf-8")
    assert "锚点和别名" in gazetteer.read(bad)[1][0].message
    bad.write_text("山东省: [济南市, 青岛市]\n浙江省: [杭州市, 青岛市]\n江苏省: ['*x*{onclick=alert()}']\n", encoding="utf-8")
    problems = gazetteer.read(bad)[1]
    assert [p.path for p in problems] == ["江苏省[0]"] and problems[0].line == 3
    bad.write_text("山东省: [济南市, 青岛市]\n浙江省: [杭州市, 青岛市]\n", encoding="utf-8")
    problems = gazetteer.read(bad)[1]
    assert problems[0].path == "浙江省[1]" and "已列在山东省下" in problems[0].message


# --- the materials manifest and the settings in mkdocs.yml ---------------------------------------------

def _manifest(project: Path, file: str) -> Path:
    folder = project / "dist" / "materials"
    folder.mkdir(parents=True)
    entry = {"file": file, "bytes": 3, "cases": 5, "date": "2026-11-24", "data_version": "1.0.0"}
    manifest = {"date": "2026-11-24", "data_version": "1.0.0", "site_url": "", "scopes": [
        {"kind": "all", "label": "全部案例", "slug": "", "cases": 5,
         "files": {"zip": entry, "pdf": {**entry, "file": "a.pdf"}, "html": {**entry, "file": "a.html"}}}]}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return folder


@pytest.mark.parametrize("file", ["/etc/hostname", "../../mkdocs.yml", ".hidden.zip"])
def test_a_materials_manifest_naming_a_file_outside_its_folder_is_refused(tmp_path: Path, file: str):
    from casebook.site import training

    project = make_project(tmp_path)
    folder = _manifest(project, file)
    problem = _about(_problems(project / "cases"), "manifest.json", "scopes[0].files.zip.file", "不能含路径")
    assert problem.line == line_of(folder / "manifest.json", f'"file": "{file}"')
    with pytest.raises(training.MaterialsError):
        training.read_manifest(folder)


def test_a_materials_manifest_listing_a_link_out_of_its_folder_is_refused(tmp_path: Path):
    project = make_project(tmp_path)
    folder = _manifest(project, "a.zip")
    (folder / "a.zip").symlink_to(project / "mkdocs.yml")
    _about(_problems(project / "cases"), "manifest.json", "scopes[0].files.zip.file", "符号链接")


@pytest.mark.parametrize("url", ["javascript://%0aalert(document.domain)", "data://x/y", "http://[::1", "https://"])
def test_a_site_url_that_is_not_an_http_address_is_refused_by_validate(tmp_path: Path, url: str):
    project = make_project(tmp_path)
    config = project / "mkdocs.yml"
    edit(config, "site_url: https://community-casebook.github.io/casebook/", f"site_url: '{url}'")
    problem = _about(_problems(project / "cases"), "mkdocs.yml", "site_url", "http")
    assert problem.line == line_of(config, "site_url: '")


def test_casebook_plugin_options_are_checked(tmp_path: Path):
    project = make_project(tmp_path)
    config = project / "mkdocs.yml"
    edit(config, "  - casebook\n", "  - casebook:\n      cases_dir: /etc\n      workers: many\n")
    problems = _problems(project / "cases")
    assert _about(problems, "mkdocs.yml", "plugins[0].casebook.cases_dir", "相对路径").line == line_of(config, "cases_dir:")
    _about(problems, "mkdocs.yml", "plugins[0].casebook.workers", "应为整数")


def test_anchors_in_mkdocs_yml_are_refused(tmp_path: Path):
    project = make_project(tmp_path)
    config = project / "mkdocs.yml"
    edit(config, "  palette:\n", "  palette: &p\n")
    edit(config, "markdown_extensions:", "x: *p\nmarkdown_extensions:")
    problem = _about(_problems(project / "cases"), "mkdocs.yml", "", "锚点和别名")
    assert problem.line == line_of(config, "palette: &p")


def test_export_handout_refuses_a_script_address(tmp_path: Path):
    out = tmp_path / "dist"
    result = run_cli("export", "handout", "--cases-dir", str(Path(__file__).parent / "fixtures/casebook/cases"),
                     "--site-url", "javascript:alert(document.domain)//", "--out", str(out))
    assert result.returncode == 2
    assert "--site-url" in result.stderr and "http://" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


def test_the_real_project_passes_the_gate():
    from casebook.core import gate

    root = Path(__file__).resolve().parent.parent
    found, _ = gate.problems(root / "cases")
    assert found == []
    assert os.path.isfile(root / "mkdocs.yml")
