"""HTML to PDF with headless Chromium (header and footer templates optional).

Chromium's `--print-to-pdf` switch cannot take header or footer templates, and Chromium
ignores CSS `@page` margin boxes, so we speak the DevTools protocol over the pipe Chromium
offers (`--remote-debugging-pipe`: commands in on fd 3, answers out on fd 4, each a JSON text
ended by a NUL byte) and call `Page.printToPDF`, as Playwright and Puppeteer do. One browser
prints any number of documents, which keeps a batch of handouts quick.
"""
from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


class PdfError(Exception):
    """Chromium is missing, or failed; the message says what to do, in Chinese."""


@dataclass
class PrintJob:
    html: Path
    pdf: Path
    header: str = ""  # HTML of the running header (Chromium fills class="pageNumber" / "totalPages")
    footer: str = ""  # with neither, the page is printed as it is, margins and all


def find_browser() -> str:
    """Headless Chromium (or Chrome/Edge), and a Chinese font for it: both must be there, or we say what to install."""
    browser = next((b for b in ("chromium", "chromium-browser", "google-chrome", "msedge") if shutil.which(b)), None)
    if browser is None:
        raise PdfError("生成 PDF 需要 Chromium 浏览器，但没有找到。请安装：apt-get install chromium"
                       "（或安装 Chrome/Edge）；也可以不加 --pdf，生成 HTML 后用浏览器“打印 → 另存为 PDF”。")
    if shutil.which("fc-list"):
        fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
        if not fonts.strip():
            raise PdfError("生成 PDF 需要中文字体，否则汉字会显示成方框。请安装：apt-get install fonts-noto-cjk")
    return browser


def print_pdfs(jobs: list[PrintJob], timeout: float = 300) -> None:
    """Print each job's HTML file to its PDF file (A4 and margins come from the page's CSS)."""
    if not jobs:
        return
    with printer(timeout) as print_all:
        print_all(jobs)


@contextlib.contextmanager
def printer(timeout: float = 300):
    """One browser for several rounds of printing (a handout is printed, its pages read, and printed again)."""
    browser = find_browser()
    with tempfile.TemporaryDirectory(prefix="casebook-pdf-") as profile, _Chromium(browser, profile, timeout) as cdp:
        yield lambda jobs: [_print(cdp, job) for job in jobs]


def _print(cdp: _Chromium, job: PrintJob) -> None:
    target = cdp.call("Target.createTarget", url="about:blank")["targetId"]
    session = cdp.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    cdp.call("Page.enable", session=session)
    cdp.call("Page.navigate", session=session, url=job.html.resolve().as_uri())
    cdp.wait_event("Page.loadEventFired", session)
    furniture = bool(job.header or job.footer)
    options = {"headerTemplate": job.header, "footerTemplate": job.footer} if furniture else {}
    result = cdp.call("Page.printToPDF", session=session, printBackground=True, preferCSSPageSize=True,
                      displayHeaderFooter=furniture, **options)
    job.pdf.write_bytes(base64.b64decode(result["data"]))
    cdp.call("Target.closeTarget", targetId=target)


class _Chromium:
    """A headless Chromium driven over its DevTools pipe."""

    def __init__(self, browser: str, profile: str, timeout: float):
        self.browser, self.profile, self.timeout = browser, profile, timeout
        self.next_id = 0
        self.buffer = b""
        self.events: list[dict] = []

    def __enter__(self) -> _Chromium:
        self.log = open(Path(self.profile) / "chromium.log", "w+b")
        to_browser_r, self.to_browser = os.pipe()
        self.from_browser, from_browser_w = os.pipe()

        def child_fds() -> None:  # the browser expects the pipe on fds 3 and 4
            os.dup2(to_browser_r, 3)
            os.dup2(from_browser_w, 4)

        self.process = subprocess.Popen(
            [self.browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
             "--disable-background-networking", "--disable-component-update", "--disable-extensions",
             f"--user-data-dir={self.profile}", "--remote-debugging-pipe", "about:blank"],
            # stderr to a file: a pipe nobody reads could fill up and stall the browser
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.log,
            pass_fds=(3, 4), preexec_fn=child_fds)
        os.close(to_browser_r)
        os.close(from_browser_w)
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self.process.poll() is None:
                self._send({"id": -1, "method": "Browser.close"})
                self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        finally:
            os.close(self.to_browser)
            os.close(self.from_browser)
            self.log.close()

    def call(self, method: str, session: str | None = None, **params) -> dict:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        self._send(message)
        while True:
            answer = self._receive()
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise PdfError(f"Chromium 无法完成 {method}：{answer['error'].get('message', '')}")
                return answer.get("result", {})
            if "method" in answer:
                self.events.append(answer)

    def wait_event(self, method: str, session: str) -> dict:
        while True:
            for event in self.events:
                if event["method"] == method and event.get("sessionId") == session:
                    self.events.remove(event)
                    return event
            self.events.append(self._receive())

    def _send(self, message: dict) -> None:
        os.write(self.to_browser, json.dumps(message).encode("utf-8") + b"\0")

    def _receive(self) -> dict:
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self.from_browser], [], [], max(left, 0))
            chunk = os.read(self.from_browser, 1 << 20) if ready else b""
            if not chunk:
                raise PdfError(self._failure("超时" if not ready else "意外退出"))
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(raw)

    def _failure(self, what: str) -> str:
        if self.process.poll() is None:
            self.process.kill()
        self.log.seek(0)
        detail = self.log.read().decode("utf-8", "replace")
        # Chromium's own log is English for developers; the trainer gets what to do.
        if any(words in detail for words in ("No space left on device", "Disk quota exceeded")):
            return "生成 PDF 失败：磁盘空间不足，请清理磁盘后重试"
        return (f"生成 PDF 失败：Chromium {what}。可以少选几个案例后重试，"
                "或不加 --pdf，生成 HTML 后用浏览器“打印 → 另存为 PDF”")
