"""The Atom feed of new and changed cases: valid Atom, every release in it, found from every page."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import yaml

from casebook.site import feed
from casebook.core import siteconfig
from casebook.site.render import SiteRenderer
from casebook.core.validate import load_casebook

from conftest import CASES, ROOT

ATOM = "{http://www.w3.org/2005/Atom}"
SERVE_PATH = siteconfig.read(ROOT / "mkdocs.yml").serve_path


def _releases(cases: Path) -> list[dict]:
    return yaml.safe_load((cases / "releases" / "changelog.yaml").read_text(encoding="utf-8"))


def test_the_feed_is_valid_atom_listing_every_release_and_each_case_it_touched(site: Path):
    raw = (site / "feed.xml").read_bytes()
    root = ET.fromstring(raw)  # strict XML: one bad character and this raises
    assert root.tag == f"{ATOM}feed"
    for element in ("id", "title", "updated", "author"):  # RFC 4287 4.1.1
        assert root.find(ATOM + element) is not None, element
    entries = root.findall(ATOM + "entry")
    for entry in entries:
        for element in ("id", "title", "updated"):  # RFC 4287 4.1.2
            assert (entry.findtext(ATOM + element) or "").strip(), element
    parsed = feedparser.parse(raw)
    assert not parsed.bozo and parsed.version == "atom10"
    titles = [e.title for e in parsed.entries]
    assert len({e.id for e in parsed.entries}) == len(parsed.entries)
    for release in _releases(CASES):
        assert any(release["version"] in t for t in titles), release["version"]
    assert "新增案例：新城街道府佑社区" in titles
    assert all(e.link.startswith("https://") for e in parsed.entries)


def test_every_page_links_to_the_feed_and_the_versions_page_names_it(site: Path):
    pages = list(site.rglob("*.html"))
    for page in pages:
        html = page.read_text(encoding="utf-8")
        if "http-equiv=\"refresh\"" in html:
            continue  # a renamed case's forwarding page
        found = re.search(r'<link rel="alternate" type="application/atom\+xml" [^>]*href="([^"]+)"', html)
        assert found, page
        href = found.group(1)
        if href.startswith("/"):  # the 404 page, shown at any depth, links from the site's root path
            assert href == SERVE_PATH + "feed.xml", page
        else:
            assert (page.parent / href).resolve() == (site / "feed.xml").resolve(), page
    versions = (site / "versions" / "index.html").read_text(encoding="utf-8")
    assert 'href="../feed.xml"' in versions


def test_changelog_text_stays_text_in_the_feed(cases_dir: Path):
    changelog = cases_dir / "releases" / "changelog.yaml"
    entries = _releases(cases_dir)
    hostile = "</summary><script>alert(1)</script>&amp; ]]> <![CDATA[x &#0;"
    entries[0]["notes"] = [hostile]
    changelog.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    book, problems = load_casebook(cases_dir)
    assert not problems, problems
    text = feed.render(SiteRenderer(book, True, "https://example.org/casebook/"))
    parsed = feedparser.parse(text.encode("utf-8"))
    assert not parsed.bozo
    assert parsed.entries[0].summary == hostile
    assert "<script>" not in text
