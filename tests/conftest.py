"""Shared fixtures: a writable copy of the fixture casebook, the real CLI, a real build, a real browser.

Behaviour tests stand on the fixture casebook under tests/fixtures/casebook/ (its own cases,
sources and vocabulary, which no editor touches), so adding a real case never changes what a
test expects. Only test_real_cases.py reads cases/, and only for what holds for every case.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REAL_CASES = ROOT / "cases"
CASES = ROOT / "tests" / "fixtures" / "casebook" / "cases"
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


@pytest.fixture
def cases_dir(tmp_path: Path) -> Path:
    """A copy of the fixture cases that a test may break."""
    target = tmp_path / "cases"
    shutil.copytree(CASES, target)
    return target


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace text in a case file, insisting the text is there (a typo in a test must not pass)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def assert_reported(cases_dir: Path, file: str, old: str, new: str, path: str, words: str, line_text: str | None):
    """Break one case file; the validator must name that file, the field and, when given, the edited line."""
    from casebook.core.validate import load_casebook

    target = cases_dir / file
    edit(target, old, new)
    book, problems = load_casebook(cases_dir)
    assert book is None
    matching = [p for p in problems if p.path == path and words in p.message]
    assert matching, "\n".join(map(str, problems))
    assert matching[0].file.endswith(file)
    if line_text is not None:
        assert matching[0].line == line_of(target, line_text)


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The real `casebook` entry point, as an editor runs it."""
    exe = Path(sys.executable).with_name("casebook")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=cwd or ROOT, env=ENV, timeout=300)


def serve_root(project: Path, port: int) -> str:
    """The address `mkdocs serve` gives the project's site: under the path of its site_url."""
    from casebook.core import siteconfig

    return f"http://127.0.0.1:{port}{siteconfig.read(project / 'mkdocs.yml').serve_path}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def page_with(url: str, wanted: str, timeout: float = 90) -> str:
    """The page's HTML once it contains `wanted` (a preview rebuilds it in the background)."""
    deadline, body = time.monotonic() + timeout, ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                body = response.read().decode("utf-8")
            if wanted in body:
                return body
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{wanted!r} not on {url} after {timeout} s:\n{body[-2000:]}")


def make_project(tmp_path: Path, cases: Path | None = None) -> Path:
    """The project's site sources (mkdocs.yml, docs/) with the fixture cases (or `cases`), to build elsewhere."""
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", project / "docs")
    shutil.copytree(cases or CASES, project / "cases")
    return project


def build(project: Path, site: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(project / "mkdocs.yml"),
                           "-d", str(site)], capture_output=True, text=True, env=ENV, timeout=600)


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The fixture casebook built once with `mkdocs build --strict`."""
    out = tmp_path_factory.mktemp("site")
    result = build(make_project(tmp_path_factory.mktemp("fixture")), out)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (Playwright cannot download its own browser here)."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if not executable:
        pytest.fail("找不到 chromium：请运行 apt-get install -y chromium（.ci/run 会自动安装）")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--disable-sync"])
        yield browser
        browser.close()


@contextlib.contextmanager
def serving(site: Path, mount: str = "/"):
    """A built site on a loopback HTTP server under `mount` (site_url's path), as its web server shows it."""
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def translate_path(self, path):
            # Outside the mount nothing exists, as on the published host.
            return super().translate_path("/" + path[len(mount):] if path.startswith(mount) else "/.outside-the-mount/")

    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{mount}"
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def served(site: Path):
    """The built site on a loopback HTTP server, under the path of the project's site_url as when published."""
    from casebook.core import siteconfig

    with serving(site, siteconfig.read(ROOT / "mkdocs.yml").serve_path) as url:
        yield url


def search(page, query: str, paste: bool = False) -> list[str]:
    """Type (or paste) into the search box in the header as a person does; return the results' text (none: [])."""
    box = page.locator("input.md-search__input")
    opener = page.locator("label.md-header__button[for=__search]")
    if opener.is_visible():  # on a phone the box opens (and takes the focus) from the header's search button
        opener.click()
        page.wait_for_function("document.activeElement.matches('input.md-search__input')")
    else:
        box.click()
    box.fill("")
    if paste:
        box.fill(query)
    else:
        page.keyboard.type(query)
    # The result list names the query it answers once the whole index is searched.
    page.wait_for_function("q => document.querySelector('.md-search-result').dataset.cbDone === q",
                           arg=query.strip(), timeout=15000)
    return [t.replace("\u200b", "") for t in page.locator(".md-search-result__item").all_inner_texts()]
