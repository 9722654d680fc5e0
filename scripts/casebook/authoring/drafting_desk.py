"""Drafting inside `casebook preview`: source texts that no case cites yet, offered on a page of the preview.

Each offered source has a "起草案例" button: a plain form posted to a small server of the preview process
(loopback only, with a token only the page carries, so no other web page can make it write). The server
writes the draft with `draft.write` (never over an existing file), adds the new case to the preview, and
sends the browser to the case's page once the preview has built it: there the editor sees every item
still to confirm. No JavaScript is needed.
"""
from __future__ import annotations

import html
import http.server
import re
import secrets
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Callable

from ..core import atomic
from . import draft
from ..site import routes
from ..site.render import environment
from .scaffold import ScaffoldError
from ..core.validate import load_taxonomy

SOURCES = "sources"
_FILE_LINE = re.compile(r"(?m)^\s+file:\s*[\"']?(?P<file>[^\"'#\s]+)")
_MAX_FORM = 4096  # a token and a file name; anything longer is not our form
_HEAD_CHARS = 8192  # enough for an article's header lines, however long the article
_WAIT_SECONDS = 120  # how long the desk waits for the preview to show the drafted case


def uncited(cases_dir: Path) -> list[Path]:
    """Source texts in cases/sources/ that no case file names and whose case file does not exist yet.

    Read leniently as text (a case being edited may be half written): any `file:` line naming the source counts.
    """
    folder = cases_dir / SOURCES
    if not folder.is_dir():
        return []
    cited: set[str] = set()
    for case_file in cases_dir.glob("*.y*ml"):
        try:
            cited.update(m["file"] for m in _FILE_LINE.finditer(case_file.read_text(encoding="utf-8", errors="replace")))
        except OSError:
            continue
    return [path for path in sorted(folder.glob("*.txt"))
            if f"{SOURCES}/{path.name}" not in cited and not (cases_dir / f"{path.stem}.yaml").exists()]


def _headline(path: Path) -> str:
    """The article's headline as the draft reads it, so the editor recognises the article (the template escapes it)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            text = handle.read(_HEAD_CHARS)
    except OSError:
        return ""
    headline = draft.header(text).get("headline") or [""]
    return max(headline, key=len)[:60]


def page(sources: list[Path], desk: str, token: str) -> str:
    items = [{"file": f"{SOURCES}/{p.name}", "name": p.name, "slug": p.stem, "headline": _headline(p)}
             for p in sources]
    return environment().get_template("drafts.md.j2").render(sources=items, desk=desk, token=token)


def _reply(status: int, title: str, body: str, back: str) -> bytes:
    return (f'<!doctype html><html lang="zh"><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<h1>{html.escape(title)}</h1><p>{html.escape(body)}</p>'
            f'<p><a href="{html.escape(back)}">返回“起草案例”页</a></p></html>').encode("utf-8")


class Desk:
    """The preview's drafting server: `start()` it, `stop()` it; it keeps the preview's drafts page current."""

    def __init__(self, preview, site: str, use_directory_urls: bool):
        self.preview, self.site, self.use_directory_urls = preview, site, use_directory_urls
        self.cases_dir: Path = preview.cases_dir
        self.token = secrets.token_urlsafe(24)
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/draft"
        self.lock = threading.Lock()  # two clicks at once must not both draft the same source

    def address(self, src: str) -> str:
        return self.site + routes.page_url(src, self.use_directory_urls)

    def write_page(self) -> None:
        """The drafts page in the preview's docs/: MkDocs notices it and rebuilds."""
        target = self.preview.workdir / "docs" / routes.DRAFTS
        with atomic.replacing(target) as tmp:
            tmp.write_text(page(uncited(self.cases_dir), self.url, self.token), encoding="utf-8")

    def announce(self, say: Callable[[str], None]) -> None:
        waiting = uncited(self.cases_dir)
        if waiting:
            names = "、".join(p.name for p in waiting[:5]) + (" 等" if len(waiting) > 5 else "")
            say(f"还没有案例的原文 {len(waiting)} 篇（{names}）：打开 {self.address(routes.DRAFTS)} 点“起草案例”。")

    def start(self) -> None:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def draft(self, form: dict[str, list[str]]) -> tuple[int, bytes, str | None]:
        """(status, reply, address to send the browser to) for one posted form."""
        back = self.address(routes.DRAFTS)
        token = (form.get("token") or [""])[0]
        if not secrets.compare_digest(token.encode(), self.token.encode()):
            return 403, _reply(403, "没有起草", "这个请求不是从本次预览的“起草案例”页发出的：请在预览网站上重新打开该页再试。",
                               back), None
        name = (form.get("source") or [""])[0]
        with self.lock:
            return self._draft_one(name, back)

    def _draft_one(self, name: str, back: str) -> tuple[int, bytes, str | None]:
        offered = {p.name: p for p in uncited(self.cases_dir)}
        if name not in offered:
            existing = self.cases_dir / f"{Path(name).stem}.yaml"
            reason = (f"cases/{existing.name} 已经存在，没有覆盖：在编辑器里打开它继续修改" if existing.exists()
                      else f"cases/{SOURCES}/{name} 不是一篇还没有案例的原文")
            return 409, _reply(409, "没有起草", reason, back), None
        try:
            target, _ = draft.write(offered[name], None, load_taxonomy(self.cases_dir)[0])
        except ScaffoldError as exc:
            return 409, _reply(409, "没有起草", str(exc), back), None
        self.preview.edited.append(target.resolve())
        self.preview.sync()  # now, so that one rebuild shows both the new case and the shorter drafts page
        self.write_page()
        return 303, b"", self.address(routes.case(target.stem))

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        desk = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass  # the preview's terminal is for the editor's messages

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0) if (self.headers.get(
                    "Content-Length") or "0").isdigit() else 0
                if self.path != "/draft" or not 0 < length <= _MAX_FORM:
                    self._send(400, _reply(400, "没有起草", "请求不完整。", desk.address(routes.DRAFTS)))
                    return
                form = urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8", "replace"))
                status, body, location = desk.draft(form)
                if location:
                    _wait_for(location)
                self._send(status, body, location)

            def _send(self, status: int, body: bytes, location: str | None = None) -> None:
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


def _wait_for(address: str) -> None:
    """Until the preview serves the drafted case's page (it rebuilds in the background), or a while has passed."""
    deadline = time.monotonic() + _WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(address, timeout=5):
                return
        except OSError:
            time.sleep(0.3)
