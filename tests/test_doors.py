"""Three doors build the same fixture casebook: the MkDocs plugin (default), Zensical on the rendered tree,
and ProperDocs (a maintained MkDocs 1.6 fork) running the plugin. Each site's links all resolve, and the
casebook's own search answers in each."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from casebook.core import siteconfig
from casebook.core.validate import load_casebook
from casebook.exports import materials
from casebook.generator import mkdocs_build, zensical_build
from casebook.site import tree

from conftest import ENV, ROOT, make_project, search, serving
from casebook.tools.linkwalk import broken_links

MOUNT = siteconfig.read(ROOT / "mkdocs.yml").serve_path


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    """`casebook render` of the fixture project: the tree another generator builds."""
    project = make_project(tmp_path_factory.mktemp("doors"))
    config = project / "mkdocs.yml"
    book, problems = load_casebook(project / "cases")
    assert not problems
    out = project / "tree"
    tree.write_tree(book, mkdocs_build.docs_dir(config), out, mkdocs_build.settings(config), root=project,
                    materials_dir=project / materials.DEFAULT_DIR)
    mkdocs_build.write_config(config, out)
    return out


@pytest.fixture(scope="module")
def zensical_site(rendered: Path) -> Path:
    site = rendered.parent / "site-zensical"
    zensical_build.build_tree(rendered, site)
    return site


@pytest.fixture(scope="module")
def properdocs_site(tmp_path_factory) -> Path:
    project = make_project(tmp_path_factory.mktemp("properdocs"))
    site = project.parent / "site-properdocs"
    done = subprocess.run([sys.executable, "-m", "properdocs", "build", "--strict", "-f", str(project / "mkdocs.yml"),
                           "-d", str(site)], capture_output=True, text=True, env=ENV, timeout=600)
    assert done.returncode == 0, done.stderr
    return site


@pytest.fixture(params=["mkdocs", "zensical", "properdocs"])
def door_site(request) -> tuple[str, Path]:
    fixture = {"mkdocs": "site", "zensical": "zensical_site", "properdocs": "properdocs_site"}[request.param]
    return request.param, request.getfixturevalue(fixture)


def test_every_internal_link_resolves_in_each_door(door_site):
    name, site = door_site
    broken, checked = broken_links(site, MOUNT)
    assert checked > 1000, (name, checked)  # the walk really followed the site's links
    assert not broken, f"{name}: {len(broken)} of {checked} broken\n" + "\n".join(broken[:20])


# What a reader sees of the search once it answers: the box's height, and the first result's colours.
LOOK = """() => {
  const form = document.querySelector('.md-search__form'), item = document.querySelector('.md-search-result__item h1');
  const wrap = document.querySelector('.md-search__scrollwrap');
  return {form: Math.round(form.getBoundingClientRect().height), text: getComputedStyle(item).color,
          under: getComputedStyle(wrap).backgroundColor, shown: item.getBoundingClientRect().height > 0};
}"""


@pytest.mark.parametrize("width", [360, 1280])
def test_searching_tiaojie_finds_the_huangtun_case_in_each_door(browser, door_site, width):
    name, site = door_site
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    with serving(site, MOUNT) as url:
        page.goto(url + "cases/fuyou/")
        results = search(page, "调解")
        assert any("黄屯街道金色嘉苑社区" in r for r in results), (name, results)
        # Styled as Material styles it: a box of Material's height, results in dark text on the page's colour.
        look = page.evaluate(LOOK)
        assert look["form"] == (48 if width < 960 else 36) and look["shown"], (name, look)
        assert look["text"] != look["under"] and look["text"] != "rgb(255, 255, 255)", (name, look)
        page.locator(".md-search-result__item a").first.click()  # a result opens its page at the site's path
        page.wait_for_load_state()
        assert page.url.startswith(url) and "找不到" not in page.title(), (name, page.url)
    context.close()
    assert not errors, (name, errors)


def _main_text(site: Path, page: str) -> str:
    html = (site / page).read_text(encoding="utf-8")
    article = re.search(r'<article class="md-content__inner[^"]*">(.*?)</article>', html, re.S).group(1)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", article)).strip()


def test_a_case_page_reads_the_same_in_every_door(site: Path, zensical_site: Path, properdocs_site: Path):
    # The edit link is left out: Zensical cannot point a generated page at its YAML file (no plugin).
    plugin = _main_text(site, "cases/fuyou/index.html")
    for other in (zensical_site, properdocs_site):
        text = _main_text(other, "cases/fuyou/index.html")
        assert re.sub(r"^.*?(?=新城街道府佑社区)", "", text) == re.sub(r"^.*?(?=新城街道府佑社区)", "", plugin)


def test_every_door_links_each_page_to_the_feed(door_site):
    # The plugin adds the feed to the settings' extra; the rendered tree carries it to a door without the plugin.
    name, site = door_site
    for page in ("index.html", "cases/fuyou/index.html", "data/index.html"):
        head = (site / page).read_text(encoding="utf-8").split("</head>")[0]
        assert 'type="application/atom+xml"' in head and "feed.xml" in head, (name, page)


def test_a_link_to_the_home_page_shares_as_the_casebook_in_every_door(door_site):
    # WeChat shows og:title: the home page is the casebook, not its menu label 首页.
    name, site = door_site
    head = (site / "index.html").read_text(encoding="utf-8").split("</head>")[0]
    site_name = re.search(r'<meta property="og:site_name" content="([^"]+)"', head).group(1)
    assert f'<meta property="og:title" content="{site_name}">' in head, name
    case_head = (site / "cases/fuyou/index.html").read_text(encoding="utf-8").split("</head>")[0]
    assert f'<meta property="og:title" content="{site_name}">' not in case_head, name


def test_each_generator_the_readme_names_is_built_by_the_tests():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## 三个生成器入口", 1)[1].split("\n## ", 1)[0]
    named = {re.sub(r"\W.*", "", name).lower() for name in re.findall(r"^- \*\*([^*]+)\*\*", section, re.M)}
    built = {"mkdocs", "zensical", "properdocs"}  # door_site's params: each is built and walked above
    assert named and named <= built, named - built
    assert re.search(r"实测", section.split("\n", 1)[0]), "the section says when its figures were measured"
