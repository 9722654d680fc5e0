"""Text from any input file is shown as written: never Markdown, attributes, links or HTML, on any page.

The payload goes into every free-text field a pull request can change (case texts, vocabulary terms,
labels and descriptions, changelog notes); fields that validation constrains (changelog dates and
versions) are checked where the template writes them. Quotes the validator accepts are highlighted on
their source page, and source texts are held to the same characters as case files.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from casebook.site import routes
from casebook.site.render import SiteRenderer, inert
from casebook.core.validate import load_casebook

from conftest import build, make_project, run_cli

# attr_list with autofocus (runs without a click), emphasis both ways, a link, raw HTML, a table cell, a heading.
PAYLOAD = ("*x*{tabindex=1 autofocus onfocus=window.__pwned=1} _y_ [z](javascript:window.__pwned=2) "
           "<img src=x onerror=window.__pwned=3><script>window.__pwned=4</script> a|b # c")
SHORT = "*a*{onclick=alert()}"  # a name (term, label): the vocabulary allows 20 characters, no spaces
CATEGORY = "党建引领"


def _poison(cases: Path) -> None:
    """The payload in every free-text field of every case, of the vocabulary and of the changelog."""
    for path in cases.glob("*.yaml"):
        if path.name == "taxonomy.yaml":
            continue
        text = path.read_text(encoding="utf-8").replace(f"category: {CATEGORY}\n", f"category: '{SHORT}'\n")
        data = yaml.safe_load(text)
        data["summary"] = PAYLOAD
        data["location"]["note"] = PAYLOAD
        data["source"]["note"] = PAYLOAD
        for key in ("practices", "models"):
            for item in data.get(key, []):
                item["description"] = PAYLOAD
        for o in data.get("outcomes", []):
            o["statement"] = PAYLOAD
        for lesson in data.get("lessons", []):
            lesson["text"] = PAYLOAD
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    tax_file = cases / "taxonomy.yaml"
    tax = yaml.safe_load(tax_file.read_text(encoding="utf-8"))
    for section, entries in tax.items():
        for i, entry in enumerate(entries):
            if section == "categories" and entry["term"] == CATEGORY:
                entry["term"] = SHORT
            if isinstance(entry.get("categories"), list):
                entry["categories"] = [SHORT if c == CATEGORY else c for c in entry["categories"]]
            for key in ("description", "problem"):
                if key in entry:
                    entry[key] = PAYLOAD
            if "label" in entry:  # labels are shorter still, and each its own
                entry["label"] = f"*{i}*{{b}}"
    tax_file.write_text(yaml.safe_dump(tax, allow_unicode=True, sort_keys=False), encoding="utf-8")
    log = cases / "releases" / "changelog.yaml"
    entries = yaml.safe_load(log.read_text(encoding="utf-8"))
    entries[0]["notes"] = [PAYLOAD]
    log.write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module")
def poisoned(tmp_path_factory) -> Path:
    project = make_project(tmp_path_factory.mktemp("markup"))
    _poison(project / "cases")
    return project


def _raw_markup(page: str) -> list[str]:
    """Pieces of the payload that reached a page's Markdown as syntax rather than as references (front
    matter is no Markdown: its values are HTML-escaped for the theme, see render.page_title)."""
    page = re.sub(r"\A---\n.*?\n---\n", "", page, flags=re.S)
    return [bit for bit in ("*x*", "{tabindex", "{onclick", "*{b}", "_y_", "[z]", "<img", "<script", "a|b # c")
            if bit in page]


def test_payload_reaches_every_page_only_as_character_references(poisoned: Path):
    book, problems = load_casebook(poisoned / "cases", cache_dir=False)
    assert not problems, problems
    files = SiteRenderer(book).files()
    pages = {path: text for path, text in files.items() if path.endswith(".md")}
    shown = [path for path, text in pages.items() if str(inert(PAYLOAD)) in text or str(inert(SHORT)) in text]
    assert routes.category("dangjian") in shown and routes.VERSIONS in shown and routes.GUIDE in shown
    assert {path: bits for path, text in pages.items() if (bits := _raw_markup(text))} == {}


def test_changelog_version_and_date_are_inert_where_the_template_writes_them(poisoned: Path):
    book, _ = load_casebook(poisoned / "cases", cache_dir=False)
    renderer = SiteRenderer(book)
    entry = {**renderer.common["history"][0], "date": "*x*{tabindex=1 autofocus onfocus=alert(1)}",
             "version": "1.0.0 _y_ <b>"}
    page = renderer.env.get_template("versions.md.j2").render(
        **{**renderer.common, "history": [entry]}, url=lambda to: to, root="", absolute=lambda to: to)
    heading = next(line for line in page.splitlines() if line.startswith("## "))
    assert "{tabindex" not in heading and "*x*" not in heading and "<b>" not in heading and "_y_" not in heading
    assert "&#42;x&#42;&#123;tabindex=1" in heading


def test_no_script_runs_and_no_attribute_is_added_online_or_offline(poisoned: Path, tmp_path: Path, browser):
    site = tmp_path / "site"
    result = build(poisoned, site)
    assert result.returncode == 0, result.stderr
    exported = run_cli("export", "site", "--out", str(tmp_path / "dist"), cwd=poisoned)
    assert exported.returncode == 0, exported.stderr
    import zipfile

    offline = tmp_path / "offline"
    zipfile.ZipFile(next((tmp_path / "dist").glob("*.zip"))).extractall(offline)
    offline_root = next(p.parent for p in offline.rglob("index.html") if (p.parent / "versions").exists()
                        or (p.parent / "versions.html").exists())
    pages = [routes.VERSIONS, routes.case("fuyou"), routes.category("dangjian"), routes.HOME, routes.GUIDE,
             routes.CATEGORIES, routes.FIELDS, routes.source_page("sources/fuyou.txt")]
    context = browser.new_context()
    dialogs: list[str] = []
    context.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page = context.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    checked = 0
    for root, directory_urls in ((site, True), (offline_root, False)):
        for src in pages:
            target = root / routes.page_url(src, directory_urls)
            if target.is_dir() or not target.suffix:
                target = target / "index.html"
            page.goto(target.as_uri())
            page.wait_for_timeout(100)
            assert page.evaluate("window.__pwned") is None and not dialogs, (target, dialogs)
            added = page.locator("[onfocus], [onclick], [onerror], [autofocus], article [tabindex], "
                                 "article img, article script, a[href^='javascript']").count()
            assert added == 0, target
            checked += 1
    # Readers see the text as written, in headings and their outline too.
    page.goto((site / "categories/dangjian/index.html").as_uri())
    assert page.locator("h1").inner_text().startswith(SHORT)
    page.goto((site / "versions/index.html").as_uri())
    assert "*x*{tabindex=1 autofocus" in page.locator("article").inner_text()
    context.close()
    assert checked == 2 * len(pages)


# --- quotes that validate also highlight --------------------------------------------------------------

KANA = "ﾎﾞﾗﾝﾃｨｱ"  # half-width katakana with sound marks: NFKC makes ボランティア, one character shorter
JAMO = "\u1112\u1161\u11ab\u1100\u1173\u11af"  # 한글 as conjoining jamo: NFKC makes two syllables of six


def test_a_quote_normalising_changes_is_highlighted_and_its_link_lands(cases_dir: Path):
    source = cases_dir / "sources/tianma.txt"
    source.write_text(source.read_text(encoding="utf-8") + f"\n参加{KANA}活动，学习{JAMO}文字。\n", encoding="utf-8")
    case = cases_dir / "tianma.yaml"
    data = yaml.safe_load(case.read_text(encoding="utf-8"))
    data["lessons"] = [{"text": "志愿活动。", "evidence": "参加ボランティア活动"},
                       {"text": "学习文字。", "evidence": "学习한글文字"}]
    case.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    book, problems = load_casebook(cases_dir, cache_dir=False)
    assert not problems, problems
    page = SiteRenderer(book).files()[routes.source_page("sources/tianma.txt")]
    marked = re.findall(r"<mark[^>]*>([^<]*)</mark>", page)
    assert f"参加{KANA}活动" in marked and f"学习{JAMO}文字" in marked


# --- control characters in source texts ----------------------------------------------------------------

@pytest.mark.parametrize("char", ["\u202e", "\x1b", "\x07", "\x85", "\u2066"])
def test_a_control_or_bidi_character_in_a_source_text_is_refused_where_it_stands(cases_dir: Path, char):
    source = cases_dir / "sources/tianma.txt"
    lines = source.read_text(encoding="utf-8").splitlines()
    source.write_text("\n".join(lines) + f"\n\t第一句。\r\n第二{char}句。\n", encoding="utf-8")
    result = run_cli("validate", "--cases-dir", str(cases_dir))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{source}:{len(lines) + 2}:3:"), first
    assert f"U+{ord(char):04X}" in first, first
