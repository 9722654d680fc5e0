"""The 培训资料 page and the materials manifest it lists: what a site build needs from the materials
folder that `casebook export materials` wrote (exports/materials.py), read and checked here so the
site never imports the exporters.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from ..core import gate
from . import routes

MANIFEST = gate.MANIFEST
PAGE = routes.TRAINING


class MaterialsError(Exception):
    """The materials folder is unusable (a file the manifest lists is gone); says how to fix it."""


def read_manifest(folder: Path) -> dict | None:
    """The manifest, with each file's real path; None when no materials were built here.

    It is checked as `casebook validate` checks it (gate.manifest): only plain file names in this
    folder are ever copied into the site.
    """
    path = folder / MANIFEST
    if not os.path.lexists(path):
        return None
    manifest, problems = gate.manifest(folder)
    if problems:
        raise MaterialsError(f"{problems[0]}。请重新运行 casebook export materials，或删除 {folder} 后再构建。")
    try:
        for scope in manifest["scopes"]:
            for entry in scope["files"].values():
                entry["path"] = folder / entry["file"]
                entry["size"] = human_size(entry["bytes"])
                if not entry["path"].is_file() or entry["path"].stat().st_size != entry["bytes"]:
                    raise MaterialsError(f"{path}：清单里的 {entry['file']} 不存在或已改变")
    except MaterialsError as exc:
        raise MaterialsError(f"{exc}。请重新运行 casebook export materials，或删除 {folder} 后再构建。") from exc
    return manifest


def site_files(manifest: dict | None) -> dict[str, Path]:
    """Site path -> file, for the build to copy (each file once)."""
    if not manifest:
        return {}
    return {routes.material(e["file"]): e["path"] for s in manifest["scopes"] for e in s["files"].values()}


def page(render: Callable[..., str], manifest: dict | None, offline: bool, settings_url: str) -> str:
    """The 培训资料 page, through the site's renderer (`render(template, src, **context)`)."""
    groups = {"all": [], "category": [], "problem": []}
    for scope in (manifest or {}).get("scopes", []):
        groups[scope["kind"]].append(scope)
    return render("training.md.j2", PAGE, manifest=manifest, groups=groups, offline=offline, online=settings_url)


def human_size(size: int) -> str:
    for unit, step in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= step:
            return f"{size / step:.1f} {unit}"
    return f"{size} 字节"
