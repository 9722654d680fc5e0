"""Work on several cores gives the same results as on one: checks, pages, and a failure in a worker."""
from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

import pytest

from casebook.core.parallel import Stream, StreamError, fork_map
from casebook.core.validate import load_casebook

from conftest import CASES, build, make_project

needs_two_cores = pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="a one-core machine never streams")


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


@needs_two_cores
def test_a_build_rendering_on_two_cores_writes_the_same_site_as_one_on_one_core(site, tmp_path):
    project = make_project(tmp_path)
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("  - casebook\n", "  - casebook:\n      workers: 1\n"),
                      encoding="utf-8")
    serial = tmp_path / "serial"
    result = build(project, serial)
    assert result.returncode == 0, result.stderr
    streamed, one_core = _files(site), _files(serial)
    assert sorted(streamed) == sorted(one_core)
    differing = [path for path in streamed if streamed[path] != one_core[path] and path != "sitemap.xml.gz"]
    assert differing == []


@needs_two_cores
def test_a_build_leaves_nothing_beside_the_site_and_clears_what_a_killed_one_left(tmp_path):
    project = make_project(tmp_path)
    killed = tmp_path / ".site.spool-4194303-0a1b2c3d"  # no process has this id
    (killed / "cases").mkdir(parents=True)
    result = build(project, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@needs_two_cores
def test_a_failure_in_the_rendering_process_stops_the_build_with_its_message_and_keeps_the_old_site(tmp_path):
    project = make_project(tmp_path)
    site = tmp_path / "site"
    assert build(project, site).returncode == 0
    before = _files(site)
    manifest = project / "dist" / "materials" / "manifest.json"  # a trainer's materials, one file since deleted
    manifest.parent.mkdir(parents=True)
    entry = {"file": "gone.zip", "bytes": 1, "cases": 5, "date": "2026-11-24", "data_version": "1.0.0"}
    manifest.write_text(json.dumps({"date": "2026-11-24", "data_version": "1.0.0", "scopes": [
        {"kind": "all", "label": "全部案例", "slug": "", "cases": 5,
         "files": {"zip": entry, "pdf": entry, "html": entry}}]}), encoding="utf-8")
    result = build(project, site)
    assert result.returncode != 0
    assert "清单里的 gone.zip 不存在或已改变" in result.stderr
    assert "Traceback" not in result.stderr and "MaterialsError" not in result.stderr
    assert _files(site) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_where_processes_cannot_fork_a_build_runs_in_one_process(tmp_path, monkeypatch):
    from casebook.generator import mkdocs_build
    from casebook.doors import plugin
    from casebook.site import build

    def no_stream(*args, **kwargs):
        raise AssertionError("a process without fork started a rendering process")

    monkeypatch.setattr(plugin, "CAN_FORK", False)  # as on Windows
    monkeypatch.setattr(build, "Stream", no_stream)  # the build's renderer on another core
    project = make_project(tmp_path)
    mkdocs_build.run(project / "mkdocs.yml", tmp_path / "site")
    assert (tmp_path / "site" / "cases" / "fuyou" / "index.html").is_file()


def test_checking_on_two_cores_reports_what_one_core_reports(tmp_path):
    cases = tmp_path / "cases"
    import shutil
    shutil.copytree(CASES, cases)
    for i in range(450):  # enough files for workers to start; every third one broken
        text = (CASES / "fuyou.yaml").read_text(encoding="utf-8").replace("slug: fuyou", f"slug: fuyou-{i}")
        if i % 3 == 0:
            text = text.replace("status: in_place", "status: 已实施", 1)
        (cases / f"fuyou-{i}.yaml").write_text(text, encoding="utf-8")
    one = load_casebook(cases, cache_dir=None, workers=1)[1]
    two = load_casebook(cases, cache_dir=None, workers=2)[1]
    assert len(one) >= 150 and [str(p) for p in one] == [str(p) for p in two]


def test_fork_map_keeps_the_order_of_its_items():
    assert fork_map(lambda n: n * n, list(range(1000)), workers=2) == [n * n for n in range(1000)]


def _pages(fail_at: int | None = None):
    for i in range(200):
        if i == fail_at:
            raise ValueError("模板出错")
        yield f"page-{i}.md", "内容" * 1000 + str(i)


def test_a_stream_hands_out_pages_in_any_order_and_the_rest_at_the_end():
    stream = Stream(_pages)
    try:
        assert stream.get("page-150.md").endswith("150")
        assert stream.get("page-3.md").endswith("3")
        rest = stream.rest()
        assert len(rest) == 198 and "page-150.md" not in rest
    finally:
        stream.close()


def _endless():
    for i in itertools.count():
        yield f"page-{i}.md", "内容" * 1000


def test_a_stream_given_up_half_way_stops_its_producer():
    stream = Stream(_endless)
    assert stream.get("page-0.md")
    stream.close()  # as a failed build does, while the producer is still making pages
    assert not stream._process.is_alive() and not stream._pump.is_alive()


def test_a_failure_while_making_pages_reaches_the_reader_with_its_message():
    stream = Stream(lambda: _pages(fail_at=120))
    try:
        assert stream.get("page-5.md").endswith("5")
        with pytest.raises(StreamError, match="^ValueError: 模板出错$"):
            stream.get("page-150.md")
    finally:
        stream.close()


def test_an_expected_failure_reaches_the_reader_as_its_own_message():
    stream = Stream(lambda: _pages(fail_at=0), expected=(ValueError,))
    try:
        with pytest.raises(StreamError, match="^模板出错$"):
            stream.get("page-0.md")
    finally:
        stream.close()
