"""Offline material for training rooms: the whole site as a zip, and a printable handout (HTML or PDF).

Both are written to a temporary file first and moved into place at the end,
so a failed export never leaves a half-written file or replaces a good one.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Callable

from . import atomic
from .model import Casebook
from .render import environment, vocabulary_context
from .validate import TAXONOMY_FILE

Progress = Callable[[str], None]
PDF_TIMEOUT = int(os.environ.get("CASEBOOK_PDF_TIMEOUT", "300"))  # seconds; the environment lets a test shorten it


class ExportError(Exception):
    """A problem the trainer can fix; the message says how, in Chinese."""


def select(book: Casebook, slugs: list[str], categories: list[str]) -> list[dict]:
    """The chosen cases (all when nothing is chosen), in the casebook's order."""
    known = {c["slug"] for c in book.cases}
    terms = book.taxonomy.terms("categories")
    for slug in slugs:
        if slug not in known:
            raise ExportError(f"没有案例“{slug}”。现有案例：{'、'.join(sorted(known))}")
    for term in categories:
        if term not in terms:
            raise ExportError(f"没有实践类别“{term}”。可选：{'、'.join(terms)}")
    if not slugs and not categories:
        return list(book.cases)
    return [c for c in book.cases if c["slug"] in slugs or any(p["category"] in categories for p in c["practices"])]


# --- the offline site ---------------------------------------------------------------------------

def site_zip_name(count: int, today: dt.date) -> str:
    return f"casebook-offline-{today.isoformat()}-{count}cases.zip"


def export_site(book: Casebook, cases: list[dict], config_file: Path, out_dir: Path, progress: Progress) -> Path:
    """Build the site for file:// (offline plugin, our search shim) and zip it."""
    today = dt.date.today()
    folder = f"casebook-{today.isoformat()}"
    with tempfile.TemporaryDirectory(prefix="casebook-export-") as tmp:
        work = Path(tmp)
        project = _project_with(book, cases, config_file, work / "project")
        progress(f"[1/3] 生成离线网站（{len(cases)} 个案例）…")
        site = work / "site"
        build_offline(project / config_file.name, site)
        (site / "使用说明.txt").write_text(_readme(len(cases), today), encoding="utf-8")
        files = sorted(p for p in site.rglob("*") if p.is_file())
        progress(f"[2/3] 打包 {len(files)} 个文件…")
        out = out_dir / site_zip_name(len(cases), today)
        with atomic.replacing(out) as partial, zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for i, path in enumerate(files, 1):
                archive.write(path, f"{folder}/{path.relative_to(site).as_posix()}")
                if i % 500 == 0:
                    progress(f"      已打包 {i}/{len(files)}")
        progress("[3/3] 完成。解压后双击文件夹里的 index.html 即可打开，不需要联网。")
        return out


def build_offline(config_file: Path, site: Path) -> None:
    """`mkdocs build` for file://: the offline plugin on, our search shim instead of the CDN one."""
    env = {**os.environ, "CASEBOOK_OFFLINE": "true", "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(config_file),
                             "-d", str(site)], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise ExportError("生成网站失败：" + _child_errors(result.stderr, result.returncode))


def _project_with(book: Casebook, cases: list[dict], config_file: Path, target: Path) -> Path:
    """A copy of the site's sources holding only the chosen cases (the whole book needs no copy)."""
    root = config_file.parent
    if len(cases) == len(book.cases):
        return root
    shutil.copytree(root / "docs", target / "docs")
    shutil.copy(config_file, target / config_file.name)
    cases_dir = target / "cases"
    (cases_dir / "sources").mkdir(parents=True)
    shutil.copy(book.cases_dir / TAXONOMY_FILE, cases_dir)
    for case in cases:
        shutil.copy(book.files[case["slug"]], cases_dir)
        shutil.copy(book.cases_dir / case["source"]["file"], cases_dir / "sources")
    return target


_CJK = re.compile(r"[\u4e00-\u9fff]")
_DISK_FULL = ("No space left on device", "File too large", "Disk quota exceeded")


def _child_errors(stderr: str, code: int) -> str:
    """What a child process said, in the reader's language: our own Chinese lines, never its English traceback."""
    if any(words in stderr for words in _DISK_FULL):
        return "磁盘空间不足：请清理磁盘后重试，没有留下未完成的文件"
    ours = [re.sub(r"^\s*(ERROR|WARNING)\s*-\s*", "", line) for line in stderr.splitlines() if _CJK.search(line)]
    return "\n".join(ours) or f"子进程意外退出（退出码 {code}）：请重试；再次出现时，请运行 mkdocs build --strict 查看详情"


def _readme(count: int, today: dt.date) -> str:
    return (
        f"社区治理实践案例库（离线版，{today.isoformat()} 导出，共 {count} 个案例）\n\n"
        "打开方法：\n"
        "1. 先把压缩包解压（Windows：右键 →“全部解压缩”），不要在压缩软件里直接打开。\n"
        "2. 打开解压后的文件夹，双击 index.html，用浏览器（Edge、Chrome、Firefox、Safari 均可）打开。\n"
        "3. 不需要联网。搜索、筛选、并排比较都可以使用。\n"
        "4. 网站里的“使用说明”页介绍了查找和比较案例的方法。\n"
    )


# --- the printable handout ----------------------------------------------------------------------

def handout_html(book: Casebook, cases: list[dict], today: dt.date | None = None) -> str:
    return environment().get_template("handout.html.j2").render(
        cases=cases, today=(today or dt.date.today()).isoformat(), **vocabulary_context(book.taxonomy))


def export_handout(book: Casebook, cases: list[dict], out: Path, pdf: bool, progress: Progress) -> Path:
    html = handout_html(book, cases)
    if not pdf:
        with atomic.replacing(out) as tmp:
            tmp.write_text(html, encoding="utf-8")
        return out
    browser = _pdf_renderer()
    with tempfile.TemporaryDirectory(prefix="casebook-handout-") as tmp, atomic.replacing(out) as target:
        source = Path(tmp) / "handout.html"
        source.write_text(html, encoding="utf-8")
        progress(f"正在用 {browser} 生成 PDF（{len(cases)} 个案例）…")
        try:
            result = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                     "--disable-background-networking", "--disable-component-update",
                                     f"--user-data-dir={tmp}/profile", "--no-pdf-header-footer",
                                     f"--print-to-pdf={target}", source.as_uri()],
                                    capture_output=True, text=True, timeout=PDF_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise ExportError(f"生成 PDF 超时（{PDF_TIMEOUT} 秒内没有完成）：可以少选几个案例（--case、--category），"
                              "或不加 --pdf，生成 HTML 后用浏览器“打印 → 另存为 PDF”") from None
        if not target.is_file() or target.stat().st_size == 0:
            raise ExportError("生成 PDF 失败：" + (
                "磁盘空间不足" if any(w in result.stderr for w in _DISK_FULL)
                else f"{browser} 没有生成文件（退出码 {result.returncode}）；可以不加 --pdf，生成 HTML 后用浏览器打印"))
    return out


def _pdf_renderer() -> str:
    """Headless Chromium (or Chrome/Edge), and a Chinese font for it: both must be there, or we say what to install."""
    browser = next((b for b in ("chromium", "chromium-browser", "google-chrome", "msedge") if shutil.which(b)), None)
    if browser is None:
        raise ExportError("生成 PDF 需要 Chromium 浏览器，但没有找到。请安装：apt-get install chromium"
                          "（或安装 Chrome/Edge）；也可以不加 --pdf，生成 HTML 后用浏览器“打印 → 另存为 PDF”。")
    if shutil.which("fc-list"):
        fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
        if not fonts.strip():
            raise ExportError("生成 PDF 需要中文字体，否则汉字会显示成方框。请安装：apt-get install fonts-noto-cjk")
    return browser
