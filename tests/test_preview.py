"""`casebook preview` shows an edited case as the build does: same page, same data version, same related cases."""
from __future__ import annotations

import re
from pathlib import Path

from casebook.preview import Preview
from casebook.siteconfig import SiteSettings
from casebook.tree import generated_files
from casebook.validate import load_casebook

from conftest import make_project

SETTINGS = SiteSettings(site_url="https://example.org/casebook/", repo_url="", use_directory_urls=True, copyright="")


def more_cases(cases: Path, count: int = 6) -> None:
    """Copies of the fixture cases under new slugs, so the preview holds only part of the casebook."""
    originals = sorted(p for p in cases.glob("*.yaml") if p.name != "taxonomy.yaml")
    for i in range(count):
        original = originals[i % len(originals)]
        slug = f"{original.stem}-copy{i}"
        text = original.read_text(encoding="utf-8").replace(f"slug: {original.stem}", f"slug: {slug}")
        text = text.replace(f"sources/{original.stem}.txt", f"sources/{slug}.txt")
        (cases / f"{slug}.yaml").write_text(re.sub(r"(?m)^former_slugs:.*\n", "", text), encoding="utf-8")
        (cases / "sources" / f"{slug}.txt").write_bytes((cases / "sources" / f"{original.stem}.txt").read_bytes())


def test_a_preview_renders_the_edited_case_exactly_as_the_build(tmp_path: Path):
    project = make_project(tmp_path)
    more_cases(project / "cases")
    full, problems = load_casebook(project / "cases", cache_dir=None)
    assert not problems, problems
    workdir = tmp_path / "preview"
    workdir.mkdir()
    preview = Preview(project / "mkdocs.yml", project / "cases", [project / "cases" / "fuyou.yaml"], workdir)
    preview.create()
    part, problems = load_casebook(workdir / "cases", cache_dir=None)
    assert not problems, problems
    assert len(part.cases) < len(full.cases)  # the preview is a part of the casebook, not all of it
    built = generated_files(full, SETTINGS)["cases/fuyou.md"]
    previewed = generated_files(part, SETTINGS)["cases/fuyou.md"]
    assert "0.0.0" not in previewed and "相关案例" in previewed
    assert previewed == built


QUOTE_JS = Path(__file__).resolve().parent.parent / "scripts" / "casebook" / "assets" / "casebook" / "quote.js"


def test_selecting_source_text_offers_yaml_that_reads_back_as_exactly_the_selection(browser, served, site: Path):
    import yaml

    # The published site never carries the script: only a local preview adds it (see the preview test).
    assert "quote.js" not in (site / "sources/fuyou/index.html").read_text(encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(served + "sources/fuyou/")
        page.add_script_tag(path=str(QUOTE_JS))
        # Across a line break, with the article's quotation marks: what an editor would select.
        selected = page.evaluate("""() => {
            const box = document.querySelector('.cb-source-text');
            const text = box.textContent, start = text.indexOf('“'), end = text.indexOf('\\n', start) + 12;
            const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
            let node, seen = 0, range = document.createRange(), begun = false;
            while ((node = walker.nextNode())) {
                const len = node.textContent.length;
                if (!begun && seen + len > start) { range.setStart(node, start - seen); begun = true; }
                if (begun && seen + len >= end) { range.setEnd(node, end - seen); break; }
                seen += len;
            }
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            return selection.toString();
        }""")
        assert "\n" in selected and "“" in selected
        page.evaluate("() => document.dispatchEvent(new MouseEvent('mouseup'))")  # as when a drag ends
        for button, key in (("复制为 evidence", "evidence"), ("复制为 quote", "text")):
            page.get_by_role("button", name=button).click()
            offered = page.locator(".cb-quote-yaml").inner_text()
            assert yaml.safe_load(offered) == {key: selected}, offered
    finally:
        page.close()
