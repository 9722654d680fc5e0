"""Issue 28: small things a reader notices on the built site (the fixture casebook, one real build)."""
from __future__ import annotations

import re
from pathlib import Path


def html(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def test_every_page_says_it_is_simplified_chinese(site: Path):
    wrong = [p.relative_to(site).as_posix() for p in site.rglob("*.html")
             if (m := re.search(r"<html[^>]*\blang=\"([^\"]*)\"", p.read_text(encoding="utf-8"))) and m[1] != "zh-CN"]
    assert not wrong, wrong[:5]


def test_the_site_has_its_own_icon_and_logo(site: Path):
    home = html(site, "")
    assert 'rel="icon" href="assets/casebook/icon.svg"' in home
    assert re.search(r'<img src="assets/casebook/logo.svg" alt="[^"]*"', home)
    for name in ["icon.svg", "logo.svg"]:
        assert (site / "assets/casebook" / name).read_text(encoding="utf-8").startswith("<svg")


def test_a_dark_scheme_follows_the_system(site: Path):
    home = html(site, "")
    assert 'data-md-color-media="(prefers-color-scheme: dark)"' in home
    assert "data-md-color-scheme=slate" in (site / "assets/casebook/casebook.css").read_text(encoding="utf-8")


def test_readers_see_no_code_paths_and_no_empty_chips(site: Path):
    assert "scripts/casebook" not in re.sub(r"<[^>]+>", "", html(site, "regions"))
    home = html(site, "")
    assert "（0）" not in home


def test_segmenting_chinese_prints_no_loading_messages():
    import subprocess
    import sys

    # What every build does to index Chinese text, in a fresh process (jieba loads its dictionary there).
    result = subprocess.run([sys.executable, "-c", "from casebook.site import search; print(search._marked('社区治理实践'))"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "社区" in result.stdout
    assert result.stderr == ""
