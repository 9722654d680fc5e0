"""`casebook preview` shows an edited case as the build does: same page, same data version, same related cases."""
from __future__ import annotations

import re
from pathlib import Path

from casebook.doors.preview import Preview
from casebook.core.siteconfig import SiteSettings
from casebook.site.tree import generated_files
from casebook.core.validate import load_casebook

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


def test_the_preview_watcher_reads_only_what_changed_and_notices_every_change(tmp_path: Path, monkeypatch):
    import os

    from casebook.doors import preview as preview_module

    project = make_project(tmp_path)
    cases = project / "cases"
    workdir = tmp_path / "preview"
    workdir.mkdir()
    watcher = Preview(project / "mkdocs.yml", cases, [cases / "fuyou.yaml"], workdir)
    watcher.create()
    parsed: list[Path] = []
    real_source_of = preview_module._source_of
    monkeypatch.setattr(preview_module, "_source_of", lambda path: parsed.append(path) or real_source_of(path))
    for _ in range(5):  # nothing changes: nothing is parsed (each look used to parse every case file)
        assert watcher.sync() is False
    assert parsed == []

    # An edit that keeps the size, its modification time even set back, is still seen and copied.
    source = cases / "sources" / "fuyou.txt"
    before = source.stat()
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("社区", "小区", 1), encoding="utf-8")
    os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert source.stat().st_size == before.st_size
    assert watcher.sync() is True
    assert (workdir / "cases" / "sources" / "fuyou.txt").read_text(encoding="utf-8") == text.replace("社区", "小区", 1)
    assert parsed == []  # a source text changed, not a case: no case file parsed

    # The case now names another source: the case alone is parsed again, and the new file is copied.
    case = cases / "fuyou.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace("sources/fuyou.txt", "sources/fuyou-2.txt"), encoding="utf-8")
    (cases / "sources" / "fuyou-2.txt").write_text(text, encoding="utf-8")
    assert watcher.sync() is True
    assert parsed == [case]
    assert (workdir / "cases" / "sources" / "fuyou-2.txt").read_text(encoding="utf-8") == text

    # A deleted file disappears from the preview; a new release record appears in it.
    (cases / "sources" / "fuyou-2.txt").unlink()
    (cases / "releases" / "9.9.9").mkdir()
    (cases / "releases" / "9.9.9" / "cases.json").write_text("[]\n", encoding="utf-8")
    assert watcher.sync() is True
    assert not (workdir / "cases" / "sources" / "fuyou-2.txt").exists()
    assert (workdir / "cases" / "releases" / "9.9.9" / "cases.json").read_text(encoding="utf-8") == "[]\n"
