"""Trainer materials for the published site: for the whole casebook, each practice category and each
everyday problem, the handout (PDF and HTML) and the offline zip, listed in a manifest that the
培训资料 page reads.

Every zip is a whole site, so by default only the whole casebook has one (its catalogue filters by
category); every topic gets its own when asked (`--zips`).

`casebook export materials` writes the files and `manifest.json` into one folder (dist/materials by
default); the site build that follows copies them into the site and lists them. A build without
that folder (a local preview) says so on the page instead of linking to missing files.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from ..core import atomic, gate
from .export import Build, ExportError, Progress, export_handouts, export_site, output_name
from ..core.model import Casebook
from .selection import Chosen, Selection, choose
from ..core.siteconfig import SiteSettings
from ..core.version import dataset_version

MANIFEST = gate.MANIFEST
DEFAULT_DIR = gate.MATERIALS_DIR
FORMATS = ("zip", "pdf", "html")


@dataclass
class Scope:
    kind: str  # "all", "category", "problem"
    label: str
    chosen: Chosen
    offline: bool = False  # gets its own offline zip


def scopes(book: Casebook, only: list[str] | None = None, problems: bool = False, zips: bool = False) -> list[Scope]:
    """The whole casebook and each category that has cases, each everyday problem too when asked
    (`problems`), or those named in `only`. Problems are left out by default: each overlaps
    categories, and every topic's zip is a whole site (all topics made the site ten times larger)."""
    out = [Scope("all", "全部案例", choose(book, Selection()))]
    for term in book.taxonomy.terms("categories"):
        out.append(Scope("category", term, choose(book, Selection(categories=[term]))))
    for entry in book.taxonomy.problems:
        out.append(Scope("problem", entry["problem"], choose(book, Selection(problems=[entry["problem"]]))))
    out = [s for s in out if s.chosen.cases]
    if not only and not problems:
        out = [s for s in out if s.kind != "problem"]
    if only:
        known = out
        out = [s for s in out if s.chosen.slug in only or s.label in only or (s.kind == "all" and "all" in only)]
        if not out:
            names = "、".join(["all", *(f"{s.chosen.slug}（{s.label}）" for s in known[1:])])
            raise ExportError(f"--only 没有对上任何主题。可选：{names}")
    for scope in out:
        scope.offline = zips or scope.kind == "all"
    return out


def build(book: Casebook, build_site: Build, out_dir: Path, settings: SiteSettings, progress: Progress,
          only: list[str] | None = None, problems: bool = False, zips: bool = False) -> Path:
    """Every material and the manifest listing them; returns the manifest's path."""
    today = dt.date.today()
    version = dataset_version(book)
    chosen_scopes = scopes(book, only, problems, zips)
    out_dir.mkdir(parents=True, exist_ok=True)
    offline: dict[int, Path] = {}  # one per topic that has one, even of the same cases: each unpacks into its own folder
    for i, scope in enumerate(chosen_scopes):
        if scope.offline:
            progress(f"[{i + 1}/{len(chosen_scopes)}] {scope.label}：离线网站（{len(scope.chosen.cases)} 个案例）")
            offline[i] = export_site(book, scope.chosen.cases, build_site, out_dir, _quiet(progress),
                                     scope.chosen.slug, scope.label)
    progress(f"讲义：{len(chosen_scopes)} 份 HTML 和 {len(chosen_scopes)} 份 PDF")
    names = {fmt: [out_dir / output_name("handout", s.chosen.slug, len(s.chosen.cases), today, fmt)
                   for s in chosen_scopes] for fmt in ("pdf", "html")}
    for fmt in ("pdf", "html"):
        export_handouts(book, [(s.chosen, path) for s, path in zip(chosen_scopes, names[fmt])], settings,
                        fmt == "pdf", progress)
    entries = []
    for i, scope in enumerate(chosen_scopes):
        files = {**({"zip": offline[i]} if i in offline else {}), "pdf": names["pdf"][i], "html": names["html"][i]}
        entries.append({
            "kind": scope.kind, "label": scope.label, "slug": scope.chosen.slug, "cases": len(scope.chosen.cases),
            "files": {fmt: {"file": path.name, "bytes": path.stat().st_size, "cases": len(scope.chosen.cases),
                            "date": today.isoformat(), "data_version": version} for fmt, path in files.items()},
        })
    manifest = {"date": today.isoformat(), "data_version": version, "site_url": settings.site_url, "scopes": entries}
    _remove_stale(out_dir, {f["file"] for e in entries for f in e["files"].values()})
    target = out_dir / MANIFEST
    with atomic.replacing(target) as tmp:
        tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return target


def _quiet(progress: Progress) -> Progress:
    """Each zip's own three steps would drown the overall count; keep only its packing figures."""
    return lambda message: progress(message) if message.startswith("      ") else None


def _remove_stale(out_dir: Path, keep: set[str]) -> None:
    """Materials of an earlier day or casebook would otherwise pile up and be published."""
    for path in out_dir.glob("casebook-*"):
        if path.name not in keep and path.suffix in {".zip", ".pdf", ".html"}:
            path.unlink()
