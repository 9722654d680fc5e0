"""Offline material for training rooms: the whole site as a zip, and a printable handout (HTML or PDF).

Both are written to a temporary file first and moved into place at the end,
so a failed export never leaves a half-written file or replaces a good one.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Callable

from . import releases
from .model import Casebook
from .render import environment, vocabulary_context

Progress = Callable[[str], None]
# Builds the whole site of a casebook into a folder, for file:// (a generator door supplies it).
Build = Callable[[Casebook, Path], None]


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


def _replace(tmp: Path, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    os.replace(tmp, out)
    return out


# --- the offline site ---------------------------------------------------------------------------

def site_zip_name(count: int, today: dt.date) -> str:
    return f"casebook-offline-{today.isoformat()}-{count}cases.zip"


def export_site(book: Casebook, cases: list[dict], build: Build, out_dir: Path, progress: Progress) -> Path:
    """Build the site of the chosen cases for file:// (through the door's `build`) and zip it."""
    today = dt.date.today()
    folder = f"casebook-{today.isoformat()}"
    with tempfile.TemporaryDirectory(prefix="casebook-export-") as tmp:
        work = Path(tmp)
        progress(f"[1/3] 生成离线网站（{len(cases)} 个案例）…")
        site = work / "site"
        build(selection(book, cases), site)
        (site / "使用说明.txt").write_text(_readme(len(cases), today), encoding="utf-8")
        files = sorted(p for p in site.rglob("*") if p.is_file())
        progress(f"[2/3] 打包 {len(files)} 个文件…")
        partial = work / "partial.zip"
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for i, path in enumerate(files, 1):
                archive.write(path, f"{folder}/{path.relative_to(site).as_posix()}")
                if i % 500 == 0:
                    progress(f"      已打包 {i}/{len(files)}")
        progress("[3/3] 完成。解压后双击文件夹里的 index.html 即可打开，不需要联网。")
        return _replace(partial, out_dir / site_zip_name(len(cases), today))


def selection(book: Casebook, cases: list[dict]) -> Casebook:
    """The casebook holding only the chosen cases; it keeps the whole dataset's version."""
    if len(cases) == len(book.cases):
        return book
    slugs = {c["slug"] for c in cases}
    files = {c["source"]["file"] for c in cases}
    return dataclasses.replace(book, cases=cases, files={s: p for s, p in book.files.items() if s in slugs},
                               sources={f: text for f, text in book.sources.items() if f in files},
                               version=releases.version(book))


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
        tmp = out.with_name(out.name + ".partial")
        tmp.write_text(html, encoding="utf-8")
        return _replace(tmp, out)
    browser = _pdf_renderer()
    with tempfile.TemporaryDirectory(prefix="casebook-handout-") as tmp:
        source = Path(tmp) / "handout.html"
        source.write_text(html, encoding="utf-8")
        target = Path(tmp) / "handout.pdf"
        progress(f"正在用 {browser} 生成 PDF（{len(cases)} 个案例）…")
        result = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                 "--disable-background-networking", "--disable-component-update",
                                 f"--user-data-dir={tmp}/profile", "--no-pdf-header-footer",
                                 f"--print-to-pdf={target}", source.as_uri()],
                                capture_output=True, text=True, timeout=300)
        if not target.is_file() or target.stat().st_size == 0:
            raise ExportError(f"生成 PDF 失败：{(result.stderr or '').strip()[-500:]}")
        return _replace(target, out)


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
