"""Offline material for training rooms: the whole site as a zip, and a printable handout (HTML or PDF).

Both are written to a temporary file first and moved into place at the end,
so a failed export never leaves a half-written file or replaces a good one.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Callable

from ..core import atomic, releases
from . import handout, handout_pdf
from . import pdf as pdf_printer
from ..core.model import Casebook
from .selection import Chosen
from ..core.siteconfig import SiteSettings
from ..core.version import dataset_version

Progress = Callable[[str], None]
PDF_TIMEOUT = int(os.environ.get("CASEBOOK_PDF_TIMEOUT", "300"))  # seconds; the environment lets a test shorten it
# Builds the whole site of a casebook into a folder, for file:// (a generator door supplies it).
Build = Callable[[Casebook, Path], None]


class ExportError(Exception):
    """A problem the trainer can fix; the message says how, in Chinese."""


_CJK = re.compile(r"[\u4e00-\u9fff]")
_DISK_FULL = ("No space left on device", "File too large", "Disk quota exceeded")


def build_failure(lines: list[str]) -> str:
    """Why a site build stopped, in the trainer's language: our own Chinese lines, never MkDocs' English."""
    if any(words in line for line in lines for words in _DISK_FULL):
        return "生成网站失败：磁盘空间不足。请清理磁盘后重试，没有留下未完成的文件。"
    ours = [line.partition(": ")[2] if line.startswith(("ERROR", "WARNING")) else line
            for line in lines if _CJK.search(line)]
    return "生成网站失败：" + ("\n".join(ours) or "网站生成器报告了错误。请运行 mkdocs build --strict 查看详情后重试。")


# --- the offline site ---------------------------------------------------------------------------

def output_name(kind: str, slug: str, count: int, today: dt.date, suffix: str) -> str:
    """A file name that says what is inside: casebook-handout-tiaojie-2026-11-24-2cases.pdf."""
    scope = f"-{slug}" if slug else ""
    return f"casebook-{kind}{scope}-{today.isoformat()}-{count}cases.{suffix}"


def site_zip_name(count: int, today: dt.date, slug: str = "") -> str:
    return output_name("offline", slug, count, today, "zip")


def site_folder(slug: str, today: dt.date) -> str:
    """The folder a zip unpacks into, named for its topic and day (ASCII: every unzip tool keeps it)."""
    return f"casebook-{slug or 'all'}-{today.isoformat()}"


def export_site(book: Casebook, cases: list[dict], build: Build, out_dir: Path, progress: Progress,
                slug: str = "", theme: str = "全部案例") -> Path:
    """Build the site of the chosen cases for file:// (through the door's `build`) and zip it."""
    today = dt.date.today()
    folder = site_folder(slug, today)
    with tempfile.TemporaryDirectory(prefix="casebook-export-") as tmp:
        work = Path(tmp)
        progress(f"[1/3] 生成离线网站（{len(cases)} 个案例）…")
        site = work / "site"
        copy = {"theme": theme, "cases": len(cases), "date": today.isoformat()}
        build(dataclasses.replace(selection(book, cases), export=copy), site)
        (site / "使用说明.txt").write_text(_readme(len(cases), today), encoding="utf-8")
        files = sorted(p for p in site.rglob("*") if p.is_file() and not _unused_offline(p.relative_to(site)))
        progress(f"[2/3] 打包 {len(files)} 个文件…")
        out = out_dir / site_zip_name(len(cases), today, slug)
        # Written beside its target and renamed at the end: whole or not at all, on any filesystem layout.
        with atomic.replacing(out) as partial, zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for i, path in enumerate(files, 1):
                archive.write(path, f"{folder}/{path.relative_to(site).as_posix()}")
                if i % 500 == 0:
                    progress(f"      已打包 {i}/{len(files)}")
        progress("[3/3] 完成。解压后双击文件夹里的 index.html 即可打开，不需要联网。")
        return out


def _unused_offline(path: Path) -> bool:
    """Theme files no offline reader loads: source maps (only developer tools fetch them) and Material's
    lunr language files (the casebook has its own search, so Material's worker never asks for them).
    They were half of every zip's bytes."""
    return path.suffix == ".map" or path.parts[:3] == ("assets", "javascripts", "lunr")


def selection(book: Casebook, cases: list[dict]) -> Casebook:
    """The casebook holding only the chosen cases; it keeps the whole dataset's version."""
    if len(cases) == len(book.cases):
        return book
    slugs = {c["slug"] for c in cases}
    files = {c["source"]["file"] for c in cases}
    cases = [_within(c, slugs) for c in cases]
    return dataclasses.replace(book, cases=cases, files={s: p for s, p in book.files.items() if s in slugs},
                               sources={f: text for f, text in book.sources.items() if f in files},
                               version=releases.version(book))


def _within(case: dict, slugs: set[str]) -> dict:
    """A case whose learned-from links point only inside the selection: a case left out is named by its place."""
    entries = case.get("learned_from") or []
    if all(e.get("case") in (None, *slugs) for e in entries):
        return case
    kept = [e if e.get("case") in (None, *slugs) else {k: v for k, v in e.items() if k != "case"} for e in entries]
    return {**case, "learned_from": kept}


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

def handout_name(chosen: Chosen, today: dt.date, pdf: bool) -> str:
    return output_name("handout", chosen.slug, len(chosen.cases), today, "pdf" if pdf else "html")


def export_handout(book: Casebook, chosen: Chosen, settings: SiteSettings, out: Path, pdf: bool,
                   progress: Progress) -> Path:
    """Write the handout as HTML, or print it to PDF; `out` is a file, or a folder to name the file in."""
    today = dt.date.today()
    if out.suffix.lower() not in {".html", ".htm", ".pdf"}:
        out = out / handout_name(chosen, today, pdf)
    (written,) = export_handouts(book, [(chosen, out)], settings, pdf, progress)
    return written


def export_handouts(book: Casebook, jobs: list[tuple[Chosen, Path]], settings: SiteSettings, pdf: bool,
                    progress: Progress) -> list[Path]:
    """Several handouts at once (one browser prints all PDFs); each file appears whole or not at all."""
    version = dataset_version(book)
    with tempfile.TemporaryDirectory(prefix="casebook-handout-") as tmp:
        work = Path(tmp)
        if not pdf:
            staged = [(work / f"handout-{i}.html", out) for i, (_, out) in enumerate(jobs)]
            for (source, _), (chosen, _) in zip(staged, jobs):
                source.write_text(handout.render(book, chosen, settings, version), encoding="utf-8")
            return [_move(src, out) for src, out in staged]
        printed = [_printed_handout(book, chosen, settings, version, work / f"handout-{i}.pdf")
                   for i, (chosen, _) in enumerate(jobs)]
        progress(f"正在用 Chromium 生成 PDF（{len(printed)} 份讲义）…")
        try:
            handout_pdf.print_handouts(printed, work, PDF_TIMEOUT, _corpus(book))
        except pdf_printer.PdfError as exc:
            raise ExportError(str(exc)) from exc
        return [_move(h.pdf, out) for h, (_, out) in zip(printed, jobs)]


def _corpus(book: Casebook) -> str:
    """Every character the casebook's handouts can print, whichever cases are chosen."""
    return json.dumps([book.cases, dataclasses.asdict(book.taxonomy)], ensure_ascii=False, default=str)


def _printed_handout(book: Casebook, chosen: Chosen, settings: SiteSettings, version: str,
                     target: Path) -> handout_pdf.Handout:
    return handout_pdf.Handout(
        render=lambda pages, css: handout.render(book, chosen, settings, version, pages=pages or {}, print_css=css),
        furniture=lambda count, css: handout.furniture(chosen, version, count, css),
        contents=len(chosen.cases) >= handout.CONTENTS_FROM, pdf=target)


def _move(src: Path, out: Path) -> Path:
    """Copy next to the target, then rename: the temporary folder may be on another filesystem."""
    with atomic.replacing(out) as tmp:
        shutil.copyfile(src, tmp)
    return out
