"""An incremental build converts only the pages whose inputs changed, and writes the site a full build writes."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from casebook.core import cache, incremental

from conftest import ENV, build, edit, make_project


def _files(site: Path) -> dict[str, bytes]:
    # sitemap.xml.gz carries gzip's time stamp, in a full build as in any other
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*"))
            if p.is_file() and p.name != "sitemap.xml.gz"}


def _kept(result: subprocess.CompletedProcess) -> int:
    found = re.search(r"增量构建，沿用 (\d+) 个未变的页面", result.stderr)
    assert found, result.stderr
    return int(found.group(1))


def test_after_edits_additions_renames_and_deletions_an_incremental_build_writes_what_a_full_build_writes(tmp_path):
    project = make_project(tmp_path)
    cases, site = project / "cases", tmp_path / "site"
    first = build(project, site)
    assert first.returncode == 0, first.stderr

    # A vocabulary label every case page shows: nothing rendered before may be taken over.
    edit(cases / "taxonomy.yaml", "label: 已实施\n", "label: 已经实施\n")
    relabelled = build(project, site)
    assert relabelled.returncode == 0, relabelled.stderr
    assert _rendered(relabelled) == (_rendered(relabelled)[0], 0)

    edit(cases / "tianma.yaml", "slug: tianma\n", "slug: tianma\n")  # touched, same bytes: still unchanged
    edit(cases / "tianma.yaml", "name: 曹溪街道天马社区\n", "name: 曹溪街道天马村社区\n")  # named on related cases' pages
    edit(cases / "cangnanjie.yaml", "summary: ", "summary: 改写过的摘要。")  # an edit
    added = (cases / "guhuai.yaml").read_text(encoding="utf-8").replace("slug: guhuai\n", "slug: guhuai-er\n")
    (cases / "guhuai-er.yaml").write_text(added, encoding="utf-8")  # an addition
    (cases / "fuyou.yaml").rename(cases / "fuyou-shequ.yaml")  # a rename, its old address kept
    edit(cases / "fuyou-shequ.yaml", "slug: fuyou\n", "slug: fuyou-shequ\nformer_slugs: [fuyou]\n")
    for linking in ("guhuai.yaml", "guhuai-er.yaml"):
        edit(cases / linking, "case: fuyou\n", "case: fuyou-shequ\n")
    (cases / "huangtun-jinse-jiayuan.yaml").unlink()  # a deletion

    incremental_run = build(project, site)
    assert incremental_run.returncode == 0, incremental_run.stderr
    assert _kept(incremental_run) > 0  # pages of unchanged cases were taken over, not converted again

    # A line added to one source: its page and its case's completeness change, the rest is taken over.
    edit(cases / "sources" / "tianma.txt", "\n", "\n补记一行与摘录无关的文字。\n")
    last_run = build(project, site)
    assert last_run.returncode == 0, last_run.stderr
    jobs, reused = _rendered(last_run)
    assert 0 < reused < jobs  # pages not converted again were not rendered again either
    full = tmp_path / "full"
    full_run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(project / "mkdocs.yml"),
                               "-d", str(full)], capture_output=True, text=True,
                              env={**ENV, incremental.FULL_ENV: "1"}, timeout=600)
    assert full_run.returncode == 0, full_run.stderr
    assert "增量构建" not in full_run.stderr

    built, expected = _files(site), _files(full)
    assert sorted(built) == sorted(expected)
    assert [path for path in expected if built[path] != expected[path]] == []
    assert "cases/huangtun-jinse-jiayuan/index.html" not in built and "cases/guhuai-er/index.html" in built


def _rendered(result: subprocess.CompletedProcess) -> tuple[int, int]:
    found = re.search(r"生成页面 (\d+) 组，其中 (\d+) 组沿用上次构建生成的内容", result.stderr)
    assert found, result.stderr
    return int(found.group(1)), int(found.group(2))


def _manifest(tmp_path: Path, key: bytes) -> tuple[Path, str]:
    path, shared = tmp_path / "site.manifest", "shared-digest"
    reuse = incremental.Reuse(path, key, tmp_path / "site", shared=shared, digests={"cases/a.md": "d1"})
    (tmp_path / "site" / "cases" / "a").mkdir(parents=True)
    (tmp_path / "site" / "cases" / "a" / "index.html").write_text("<p>a</p>", encoding="utf-8")
    reuse.save(tmp_path / "site", {"cases/a.md": ("cases/a/index.html", {"x"}, {})})
    return path, shared


def test_a_damaged_foreign_or_outdated_manifest_takes_over_no_page(tmp_path):
    key = os.urandom(cache.MAC_BYTES)
    path, shared = _manifest(tmp_path, key)
    assert list(incremental.read(path, key, shared)) == ["cases/a.md"]
    assert incremental.read(path, os.urandom(cache.MAC_BYTES), shared) == {}  # signed elsewhere (a pull request)
    assert incremental.read(path, key, "other settings") == {}
    raw = bytearray(path.read_bytes())
    raw[-3] ^= 1
    path.write_bytes(bytes(raw))
    assert incremental.read(path, key, shared) == {}
    path.write_bytes(b"not a manifest")
    assert incremental.read(path, key, shared) == {}


def test_a_manifest_entry_naming_a_file_outside_the_site_is_refused(tmp_path):
    key = os.urandom(cache.MAC_BYTES)
    path, shared = _manifest(tmp_path, key)
    payload = bytes(cache.verified(key, path.read_bytes())).replace(b'"cases/a/index.html"', b'"../../etc/passwd"')
    path.write_bytes(cache.signed(key, payload))
    assert incremental.read(path, key, shared) == {}


def test_a_page_kept_by_its_inputs_cannot_read_other_cases_entries():
    """A case page's key covers its own entries of the book-wide lookups: reading another's must fail, not show nothing."""
    from casebook.site import render_cache

    scores = render_cache.Only({"tianma": 80, "fuyou": 60}, "tianma")
    assert scores["tianma"] == 80 and dict(scores) == {"tianma": 80}
    with pytest.raises(render_cache.NarrowedError):
        scores["fuyou"]
    book = render_cache.Named({"fuyou": {"name": "府佑社区"}})
    assert book.case("fuyou")["name"] == "府佑社区"
    with pytest.raises(render_cache.NarrowedError):
        book.cases


def test_a_rendered_page_is_taken_from_the_cache_only_as_this_machine_stored_it_for_the_same_inputs(tmp_path):
    """A cache committed with a pull request, damaged, or moved under another key is rendered again."""
    from casebook.site import listing, render_cache
    from casebook.site.jobs import Job

    made = []

    def job(key: str, text: str) -> Job:
        return Job(("cases/a.md",), lambda: made.append(key) or {"cases/a.md": text}, key)

    key = os.urandom(cache.MAC_BYTES)
    pages = render_cache.PageCache(tmp_path, key)
    assert pages.files(job("k1", "第一版")) == {"cases/a.md": "第一版"}
    assert pages.files(job("k1", "不会再生成")) == {"cases/a.md": "第一版"} and made == ["k1"]
    foreign = render_cache.PageCache(tmp_path, os.urandom(cache.MAC_BYTES))  # signed on another machine
    assert foreign.files(job("k1", "重新生成")) == {"cases/a.md": "重新生成"}
    stored = tmp_path / render_cache.FOLDER / "k1"
    raw = bytearray(stored.read_bytes())
    raw[-3] ^= 1  # damaged
    stored.write_bytes(bytes(raw))
    assert render_cache.PageCache(tmp_path, key).files(job("k1", "又生成")) == {"cases/a.md": "又生成"}
    (tmp_path / render_cache.FOLDER / "k1").rename(tmp_path / render_cache.FOLDER / "k2")  # another key's name
    assert render_cache.PageCache(tmp_path, key).files(job("k2", "k2 的内容")) == {"cases/a.md": "k2 的内容"}

    rows = listing.Rows(lambda item: made.append(item["slug"]) or f"<tr>{item['slug']}</tr>", lambda item: item["slug"])
    items = [{"slug": "a"}, {"slug": "b"}]
    assert pages.rows("catalogue", items, rows) == ["<tr>a</tr>", "<tr>b</tr>"]
    made.clear()
    assert pages.rows("catalogue", [*items, {"slug": "c"}], rows) == ["<tr>a</tr>", "<tr>b</tr>", "<tr>c</tr>"]
    assert made == ["c"]  # only the new case's row is rendered
    assert render_cache.PageCache(tmp_path, os.urandom(cache.MAC_BYTES)).rows("catalogue", items, rows) and \
        made == ["c", "a", "b"]


def test_after_one_case_changes_a_category_or_region_listing_renders_only_that_cases_rows(tmp_path, monkeypatch):
    """An edit to one of thousands of cases must not render every row of the listings it appears in."""
    from casebook.core.validate import load_casebook
    from casebook.site import render, tree
    from casebook.site.render_cache import PageCache

    from conftest import CASES

    rendered = []
    original = render.SiteRenderer.render_keyed

    def recording(self, template, src, **context):
        if template in ("_category_rows.html.j2", "_region_rows.html.j2"):
            rendered.extend(case["slug"] for case in context["rows"])
        return original(self, template, src, **context)

    monkeypatch.setattr(render.SiteRenderer, "render_keyed", recording)
    book, problems = load_casebook(CASES)
    assert not problems
    key = os.urandom(cache.MAC_BYTES)

    def produce() -> dict:
        return dict(tree.plan(book, pages=PageCache(tmp_path, key)).produce())

    first = produce()
    assert len(set(rendered)) == len(book.cases)
    edited = book.cases[0]
    edited["name"] += "（改）"
    rendered.clear()
    second = produce()
    assert rendered and set(rendered) == {edited["slug"]}
    assert second != first and any(edited["name"] in text for path, text in second.items()
                                   if path.startswith(("categories/", "regions/")) and isinstance(text, str))
