"""Offline exports as a trainer uses them: unzip and double-click; print a handout."""
from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import edit, make_project, run_cli, search


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """The site sources with the fixture casebook, where a trainer runs the export commands."""
    return make_project(tmp_path_factory.mktemp("trainer"))


@pytest.fixture(scope="module")
def unzipped(tmp_path_factory, project: Path) -> Path:
    out = tmp_path_factory.mktemp("export")
    result = run_cli("export", "site", "--out", str(out), cwd=project)
    assert result.returncode == 0, result.stderr
    assert "[1/3]" in result.stderr and "[3/3]" in result.stderr  # progress is shown
    archive = out / f"casebook-offline-{dt.date.today().isoformat()}-5cases.zip"
    assert archive.is_file(), list(out.iterdir())
    target = out / "unzipped"
    zipfile.ZipFile(archive).extractall(target)
    (folder,) = target.iterdir()
    return folder


def test_offline_site_searches_and_navigates_from_file_urls_without_network(unzipped: Path, browser):
    context = browser.new_context()
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))  # context level: the search worker's too
    page = context.new_page()
    page.goto((unzipped / "index.html").as_uri())
    results = search(page, "调解")
    assert any("黄屯街道金色嘉苑社区" in r for r in results), results
    page.locator(".md-search-result__link[href*='cases/huangtun-jinse-jiayuan.html']").first.click()
    page.wait_for_url(re.compile(r"cases/huangtun-jinse-jiayuan\.html"))
    assert "和为贵调解室" in page.locator("article").inner_text()
    page.locator("article a.cb-chip", has_text="矛盾纠纷调解").click()
    page.wait_for_url(re.compile(r"categories/tiaojie\.html"))
    assert "南关街道仓南街社区" in page.locator("article").inner_text()
    page.locator("article a", has_text="在案例目录中按这一类别筛选").click()
    page.wait_for_url(re.compile(r"cases/index\.html#category=tiaojie"))
    assert len(page.locator("[data-cb-rows] tbody tr:visible").all()) == 2
    page.goto((unzipped / "compare/index.html").as_uri() + "#c=fuyou,tianma")
    page.locator("[data-cb-compare-table] thead th").nth(2).wait_for()
    assert "六善" in page.locator("[data-cb-compare-table]").inner_text()
    context.close()
    assert requests and all(url.startswith("file://") for url in requests), [
        u for u in requests if not u.startswith("file://")]


def test_offline_site_has_instructions_and_loads_only_its_own_files(unzipped: Path):
    assert "双击 index.html" in (unzipped / "使用说明.txt").read_text(encoding="utf-8")
    # The search index is carried once: ours, in pieces; Material's own index holds no pages.
    assert (unzipped / "search/casebook/manifest.js").is_file()
    assert not list(unzipped.glob("search/search_index.*"))
    assert list(unzipped.glob("data/releases/*/cases.json"))  # the whole book keeps every release's data
    for page in unzipped.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not re.search(r'src="(https?:)?//|<link[^>]+href="(https?:)?//', html), page


def test_export_of_chosen_cases_holds_only_those(tmp_path: Path, project: Path):
    result = run_cli("export", "site", "--case", "fuyou", "--category", "为老服务", "--out", str(tmp_path), cwd=project)
    assert result.returncode == 0, result.stderr
    (archive,) = tmp_path.glob("*.zip")
    assert archive.name.endswith("-3cases.zip")  # fuyou, plus the two with elderly care
    names = zipfile.ZipFile(archive).namelist()
    assert {n.split("/")[-1] for n in names if "/cases/" in n and n.endswith(".html") and "index" not in n} == {
        "fuyou.html", "cangnanjie.html", "tianma.html"}
    # Nothing about the other cases: a release's full data holds every case of the book, so it stays online.
    assert not [n for n in names if "/data/releases/" in n]
    assert {n.split("/")[-1] for n in names if "/data/cases/" in n} == {"fuyou.json", "cangnanjie.json", "tianma.json"}


def test_handout_pdf_has_both_cases_and_a_quoted_figure(tmp_path: Path, project: Path):
    out = tmp_path / "handout.pdf"
    result = run_cli("export", "handout", "--case", "huangtun-jinse-jiayuan", "--case", "tianma", "--pdf",
                     "--out", str(out), cwd=project)
    assert result.returncode == 0, result.stderr
    # Poppler's pdftotext reads the text as PDF viewers do (pypdf maps some CJK glyphs to radicals: ⻩ for 黄).
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    text = text.replace(" ", "").replace("\n", "")
    assert "黄屯街道金色嘉苑社区" in text and "曹溪街道天马社区" in text
    assert "从今年成立以来,有效化解了16起矛盾纠纷" in text
    assert "10030" in text


def test_handout_html_is_self_contained_and_paged_for_a4(tmp_path: Path, project: Path):
    out = tmp_path / "h.html"
    assert run_cli("export", "handout", "--category", "矛盾纠纷调解", "--out", str(out), cwd=project).returncode == 0
    html = out.read_text(encoding="utf-8")
    assert "size: A4" in html and "page-break-before: always" in html
    # nothing is loaded from elsewhere; links a reader may follow (the online version at site_url) are fine
    assert not re.search(r'(src|href)\s*=|url\(|@import', re.sub(r'<a [^>]*href="(#case-|https://)', "", html))
    assert html.count('class="case"') == 2 and "黄屯街道金色嘉苑社区" in html and "南关街道仓南街社区" in html
    assert "实测" in html and "出处" in html


def test_pdf_without_a_renderer_says_what_to_install(tmp_path: Path, project: Path):
    exe = Path(sys.executable).with_name("casebook")
    result = subprocess.run([str(exe), "export", "handout", "--pdf", "--out", str(tmp_path / "h.pdf")],
                            capture_output=True, text=True, cwd=project, env={"PATH": "/nonexistent"})
    assert result.returncode == 1
    assert "apt-get install chromium" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "h.pdf").exists()


def test_unknown_case_or_category_is_refused(tmp_path: Path, project: Path):
    result = run_cli("export", "handout", "--case", "nowhere", "--out", str(tmp_path / "h.html"), cwd=project)
    assert result.returncode == 1 and "没有案例“nowhere”" in result.stderr
    # 调解 is the short name of 矛盾纠纷调解 (accepted since issue 28); 调节 names nothing.
    result = run_cli("export", "handout", "--category", "调节", "--out", str(tmp_path / "h.html"), cwd=project)
    assert result.returncode == 1 and "是否" not in result.stderr and "可选：" in result.stderr


def test_a_failed_export_keeps_the_previous_zip(tmp_path: Path):
    project = make_project(tmp_path)
    out = tmp_path / "dist"
    assert run_cli("export", "site", "--out", str(out), cwd=project).returncode == 0
    (archive,) = out.glob("*.zip")
    before = archive.read_bytes()
    edit(project / "cases/fuyou.yaml", "category: 党建引领", "category: 党建")
    result = run_cli("export", "site", "--out", str(out), cwd=project)
    assert result.returncode == 1 and "党建" in result.stderr
    assert [p.name for p in out.iterdir()] == [archive.name] and archive.read_bytes() == before


# --- issue 28: what a zip says it holds ------------------------------------------------------------

def test_zip_unpacks_into_a_folder_named_for_its_topic_and_day_and_says_what_it_holds(unzipped: Path):
    today = dt.date.today().isoformat()
    assert unzipped.name == f"casebook-all-{today}"
    home = (unzipped / "index.html").read_text(encoding="utf-8")
    statement = re.search(r'<p class="cb-offline-copy"[^>]*>(.*?)</p>', home, re.S)
    assert statement, "the home page of an offline copy says what it holds"
    text = re.sub(r"<[^>]+>", "", statement.group(1))
    assert "离线版" in text and "全部案例" in text and "共 5 个案例" in text and today in text


def test_offline_copy_has_no_edit_links_to_files_that_do_not_exist(unzipped: Path):
    for page in unzipped.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "编辑此页" not in html and "/edit/" not in html, page


def test_problem_zip_and_folder_follow_the_problems_own_name(tmp_path: Path, project: Path):
    result = run_cli("export", "site", "--problem", "养老", "--out", str(tmp_path), cwd=project)
    assert result.returncode == 0, result.stderr
    today = dt.date.today().isoformat()
    (archive,) = tmp_path.glob("*.zip")
    assert archive.name == f"casebook-offline-laorenmeirenguan-{today}-3cases.zip"
    names = zipfile.ZipFile(archive).namelist()
    assert {n.split("/")[0] for n in names} == {f"casebook-laorenmeirenguan-{today}"}
    home = zipfile.ZipFile(archive).read(f"casebook-laorenmeirenguan-{today}/index.html").decode("utf-8")
    assert "老人没人管，养老难" in home and "共 3 个案例" in home


def test_materials_by_default_are_the_whole_book_and_each_category_problems_on_request(cases_dir: Path):
    from casebook.exports import materials
    from casebook.core.validate import load_casebook

    book, _ = load_casebook(cases_dir)
    default = materials.scopes(book)
    assert {s.kind for s in default} == {"all", "category"}
    everything = materials.scopes(book, problems=True)
    problems = [s for s in everything if s.kind == "problem"]
    assert problems and len(everything) == len(default) + len(problems)
    slugs = [s.chosen.slug for s in problems]
    assert "laorenmeirenguan" in slugs and not [s for s in slugs if s.startswith("wenti-")]
    assert len(set(s.chosen.slug for s in everything)) == len(everything)  # no two materials share a name
    (asked,) = materials.scopes(book, only=["老人没人管，养老难"])
    assert asked.kind == "problem"


@pytest.mark.parametrize("width", [360, 1280])
def test_offline_home_says_what_it_holds_within_the_first_screen(unzipped: Path, browser, width: int):
    page = browser.new_page(viewport={"width": width, "height": 740})
    page.goto((unzipped / "index.html").as_uri())
    note = page.locator(".cb-offline-copy")
    assert note.is_visible() and "共 5 个案例" in note.inner_text()
    box = note.bounding_box()
    assert box["y"] + box["height"] <= 740 and box["x"] >= 0 and box["x"] + box["width"] <= width
    page.close()
