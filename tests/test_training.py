"""Trainer materials: the 培训资料 page of a site built with them, the printed handout, choosing cases."""
from __future__ import annotations

import copy
import datetime as dt
import json
import re
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin

import pytest

from casebook.core import siteconfig

from conftest import CASES, ROOT, build, make_project, run_cli

SITE_URL = "https://example.org/casebook/"
TODAY = dt.date.today().isoformat()
DEVELOPER_WORDING = ("必须填写", "value 和 unit", "。）；", "YAML")  # what the cover used to show


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> tuple[Path, Path]:
    """As CI's deploy job does it: make the materials (whole casebook and one category), then build the site."""
    project = make_project(tmp_path_factory.mktemp("published"))
    result = run_cli("export", "materials", "--site-url", SITE_URL, "--only", "all", "--only", "tiaojie", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "[1/2] 全部案例" in result.stderr and "培训资料" in result.stdout
    site = tmp_path_factory.mktemp("published-site")
    built = build(project, site)
    assert built.returncode == 0, built.stderr
    return project, site


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(dict(attrs))


def links_of(page: Path) -> list[dict]:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.links


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def link_targets(pdf: Path) -> set[str]:
    """The web addresses a PDF links to (the QR codes' targets), as a PDF reader sees them."""
    import pypdf

    return {str(a.get_object()["/A"]["/URI"]) for page in pypdf.PdfReader(pdf).pages for a in page.get("/Annots", [])
            if "/URI" in a.get_object().get("/A", {})}


def cases_in(path: Path) -> int:
    """How many cases a material really holds: case pages in a zip, case sections in a handout."""
    if path.suffix == ".zip":
        names = zipfile.ZipFile(path).namelist()
        return sum(bool(re.search(r"/cases/(?!index)[^/]+\.html$", n)) for n in names)
    if path.suffix == ".html":
        return path.read_text(encoding="utf-8").count('<section class="case"')
    return len(re.findall(r"在线版：", pdf_text(path)))


def test_training_page_links_resolve_to_files_of_the_stated_size_and_case_count(published):
    _, site = published
    page = site / "training/index.html"
    materials = [a for a in links_of(page) if "materials/" in a.get("href", "")]
    # Two groups, each a PDF and an HTML handout; only the whole casebook has an offline zip (a whole site each).
    assert sorted(Path(a["href"]).suffix for a in materials) == [".html", ".html", ".pdf", ".pdf", ".zip"]
    for link in materials:
        # Links start at site_url's path (as published): the file sits at the rest of it.
        href = unquote(link["href"]).removeprefix(siteconfig.read(ROOT / "mkdocs.yml").serve_path)
        target = site / href if not href.startswith(("/", ".")) else Path(unquote(urljoin(page.as_uri(), href)).removeprefix("file://"))
        assert target.is_file(), link["href"]
        assert target.stat().st_size == int(link["data-bytes"]), link["href"]
        assert cases_in(target) == int(link["data-cases"]), link["href"]
    text = page.read_text(encoding="utf-8")
    assert text.count("5 个案例") >= 3 and "矛盾纠纷调解" in text and "数据版本" in text and TODAY in text
    assert "电脑" in text and "手机" in text  # says what each is for, and that the zip needs a PC
    assert "下载“全部案例”的离线网站，打开后在案例目录里按实践类别" in text  # where a category's offline copy is


def test_training_page_without_materials_says_so_instead_of_linking(site: Path):
    page = site / "training/index.html"
    text = page.read_text(encoding="utf-8")
    assert "还没有生成培训资料" in text
    article = text[text.index("<article"):text.index("</article>")]
    assert "casebook export" not in article and "mkdocs" not in article  # readers get no developer commands
    assert not [a for a in links_of(page) if "materials/" in a.get("href", "")]


def test_offline_zip_holds_no_materials(published):
    project, _ = published
    (archive,) = (project / "dist/materials").glob(f"casebook-offline-{TODAY}-5cases.zip")
    names = zipfile.ZipFile(archive).namelist()
    assert not [n for n in names if "/materials/" in n]
    page = next(n for n in names if n.endswith("training/index.html"))
    assert "离线版" in zipfile.ZipFile(archive).read(page).decode("utf-8")


def test_handout_pdf_has_page_numbers_contents_links_and_no_developer_wording(published):
    project, _ = published
    (pdf,) = (project / "dist/materials").glob(f"casebook-handout-{TODAY}-5cases.pdf")
    text = pdf_text(pdf)
    pages = text.count("\f")
    assert f"第 2 页 / 共 {pages} 页" in text and f"第 {pages} 页 / 共 {pages} 页" in text
    assert "目录" in text and "全部案例" in text and TODAY in text and "数据版本" in text
    for word in DEVELOPER_WORDING:
        assert word not in text, word
    assert not re.search(r"\b(value|unit|slug|evidence|kind)\b", text)
    assert {f"{SITE_URL}cases/{p.stem}/" for p in CASES.glob("*.yaml") if p.stem != "taxonomy"} <= link_targets(pdf)
    assert "参与案例库" in text.split("\f")[-2]  # the closing page says how to contribute


def test_handout_pdf_contents_give_each_cases_page_and_the_cover_stays_bare(published):
    project, _ = published
    (pdf,) = (project / "dist/materials").glob(f"casebook-handout-{TODAY}-5cases.pdf")
    pages = pdf_text(pdf).split("\f")
    assert "第" not in pages[0] and "培训讲义 ·" not in pages[0]  # no running header or page number on the cover
    assert "第 2 页" in pages[1] and "社区治理实践案例 · 全部案例" in pages[1]
    contents = pages[1]
    names = re.findall(r"^\d+\. (\S+?)：", contents, re.M)
    assert len(names) == 5
    numbers = [int(n) for n in re.findall(r"^(\d+)$", contents, re.M)]
    assert numbers[:5] == sorted(numbers[:5]) and len(numbers) >= 5
    for i, (name, number) in enumerate(zip(names, numbers), 1):
        starts = [n for n, page in enumerate(pages, 1) if f"{i}. {name}\n" in page and n > 2]
        assert starts and starts[0] == number, (name, number, starts)


def test_handout_pdf_fonts_are_searchable_outlines_not_type3(published):
    project, _ = published
    (pdf,) = (project / "dist/materials").glob(f"casebook-handout-{TODAY}-5cases.pdf")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    listed = fonts.splitlines()[2:]
    assert listed and not [line for line in listed if "Type 3" in line], fonts
    assert "全部案例" in pdf_text(pdf)


def test_handout_prints_cases_in_the_order_asked_each_on_its_own_page(tmp_path: Path):
    project = make_project(tmp_path)
    result = run_cli("export", "handout", "--case", "fuyou", "--case", "cangnanjie", "--pdf",
                     "--site-url", SITE_URL, cwd=project)
    assert result.returncode == 0, result.stderr
    assert "1. 新城街道府佑社区（fuyou）" in result.stdout and "2. 南关街道仓南街社区（cangnanjie）" in result.stdout
    (pdf,) = (project / "dist").glob("casebook-handout-*-2cases.pdf")  # written to dist/, named for its content
    assert str(pdf.relative_to(project)) in result.stdout and "A4" in result.stdout
    pages = pdf_text(pdf).split("\f")
    assert "目录" in pages[1]  # from two cases on, a contents page (issue 28)
    firsts = [i for i, p in enumerate(pages[2:], 2) if "1. 新城街道府佑社区" in p], [
        i for i, p in enumerate(pages[2:], 2) if "2. 南关街道仓南街社区" in p]
    assert firsts[0] and firsts[1] and firsts[0][0] < firsts[1][0]
    for page in pages:  # no date or figure split across lines
        for line in page.splitlines():
            assert not re.search(r"\d{4}-\d{0,2}$|\d{4}年\d{0,2}$", line.strip()), line


def test_handout_without_a_site_address_has_no_qr_and_says_why(tmp_path: Path):
    project = make_project(tmp_path)
    config = project / "mkdocs.yml"  # a project that has not set its published address
    config.write_text(re.sub(r"(?m)^site_url: .*$", 'site_url: ""', config.read_text(encoding="utf-8")), encoding="utf-8")
    result = run_cli("export", "handout", "--category", "矛盾纠纷调解", "--title", "调解工作培训班", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "site_url" in result.stderr and "二维码" in result.stderr
    (html,) = (project / "dist").glob(f"casebook-handout-tiaojie-{TODAY}-2cases.html")
    text = html.read_text(encoding="utf-8")
    assert "<svg" not in text and "扫码" not in text
    assert '<p class="theme">调解工作培训班</p>' in text


def test_cases_chosen_by_problem_and_region_narrow_each_other(tmp_path: Path):
    project = make_project(tmp_path)
    wide = run_cli("export", "handout", "--problem", "养老", "--out", str(tmp_path / "a.html"), cwd=project)
    narrow = run_cli("export", "handout", "--problem", "养老", "--region", "潍坊", "--out", str(tmp_path / "b.html"),
                     cwd=project)
    assert wide.returncode == 0 and narrow.returncode == 0, wide.stderr + narrow.stderr
    assert "常见问题“老人没人管，养老难”：3 个案例" in wide.stdout
    assert "且地区“潍坊”：1 个案例" in narrow.stdout and "南关街道仓南街社区" in narrow.stdout
    refused = run_cli("export", "handout", "--region", "火星", cwd=project)
    assert refused.returncode == 1 and "现有地区：" in refused.stderr and "潍坊市" in refused.stderr
    vague = run_cli("export", "handout", "--problem", "矛盾", cwd=project)
    assert vague.returncode == 1 and "对应多个问题" in vague.stderr and "3. 物业矛盾多" in vague.stderr
    # The fixture casebook's vocabulary lists community types (issue 17): an unknown one is refused with the list.
    no_type = run_cli("export", "handout", "--community-type", "火星型社区", cwd=project)
    assert no_type.returncode == 1 and "可选：" in no_type.stderr and "城乡结合部" in no_type.stderr
    typed = run_cli("export", "handout", "--community-type", "城乡结合部", "--out", str(tmp_path / "c.html"),
                    cwd=project)
    assert typed.returncode == 0 and "社区类型“城乡结合部”：1 个案例" in typed.stdout, typed.stderr


def test_community_type_is_chosen_when_the_data_has_it(cases_dir: Path):
    from casebook.exports.selection import Selection, SelectionError, choose
    from casebook.core.validate import load_casebook

    book, problems = load_casebook(cases_dir)
    assert not problems
    book = copy.deepcopy(book)
    book.case("tianma")["community_types"] = [{"term": "老旧小区", "evidence": "处于城乡结合部"}]
    book.case("fuyou")["community_types"] = [{"term": "商品房小区", "evidence": "地点设在新城街道府佑社区"}]
    chosen = choose(book, Selection(community_types=["老旧小区"]))
    assert [c["slug"] for c in chosen.cases] == ["tianma"] and chosen.theme == "老旧小区"
    with pytest.raises(SelectionError, match="可选：老旧小区、商品房小区"):  # the vocabulary's order
        choose(book, Selection(community_types=["火星型社区"]))


def test_quoted_figures_keep_their_qualifier_and_stay_on_one_line(cases_dir: Path):
    from casebook.exports import handout
    from casebook.exports.selection import Selection, choose
    from casebook.core.siteconfig import SiteSettings
    from casebook.core.validate import load_casebook

    book, _ = load_casebook(cases_dir)
    book = copy.deepcopy(book)
    outcome = next(o for o in book.case("huangtun-jinse-jiayuan")["outcomes"] if o.get("value") == 16)
    outcome["qualifier"] = "余"
    html = handout.render(book, choose(book, Selection(cases=["huangtun-jinse-jiayuan"])),
                          SiteSettings("", "", True, ""), "0.1.0")
    assert f'<span class="nw">16余{outcome["unit"]}</span>' in html
    assert '<span class="nw">16起</span>矛盾纠纷' in html  # the quote
    assert '矛盾纠纷<span class="nw">16起</span>' in html  # the statement


def test_materials_manifest_describes_every_file(published):
    project, _ = published
    manifest = json.loads((project / "dist/materials/manifest.json").read_text(encoding="utf-8"))
    assert [s["label"] for s in manifest["scopes"]] == ["全部案例", "矛盾纠纷调解"]
    assert [set(s["files"]) for s in manifest["scopes"]] == [{"zip", "pdf", "html"}, {"pdf", "html"}]
    for scope in manifest["scopes"]:
        for entry in scope["files"].values():
            assert entry["date"] == TODAY and entry["data_version"] == manifest["data_version"]


def test_every_topic_gets_its_own_offline_zip_only_when_asked(cases_dir: Path):
    from casebook.core.validate import load_casebook
    from casebook.exports import materials

    book, _ = load_casebook(cases_dir)
    default = materials.scopes(book)
    assert [s.kind for s in default if s.offline] == ["all"] and len(default) > 2
    assert all(s.offline for s in materials.scopes(book, zips=True))
