"""One gate for the files around the cases: each checked against a schema of its own before it reaches
a page, a path or a download.

The changelog and release snapshots (cases/releases/), the gazetteer, the trainer-materials manifest and
the casebook's settings in mkdocs.yml can all change in a pull request, like the cases. load_casebook
calls `problems()`, so `casebook validate`, every build and preview report them as located Chinese lines
(file, line, column, field, what is expected) before anything is built. Their readers (release_files.history,
gazetteer.read, materials.read_manifest, siteconfig.read) use the same rules, so nothing reaches a
page unchecked even when a caller did not validate first.
"""
from __future__ import annotations

import marshal
import os
from collections import Counter
from pathlib import Path

from . import cache as cache_module
from . import gazetteer, regions, siteconfig
from .files import display_name, unsafe_file
from .load import Document, LoadError, load_file
from .model import UNSTATED_REGION
from .problems import Problem
from .release_files import changelog, snapshots
from .rules import schema_problems
from .schema import data_validator

MATERIALS_SCHEMA = "materials.schema.json"
CONFIG_FILE = "mkdocs.yml"  # beside cases/, where every command is run from
MANIFEST = "manifest.json"  # what `casebook export materials` writes beside the materials
MATERIALS_DIR = Path("dist") / "materials"  # where it writes them unless told otherwise


def problems(cases_dir: Path, store: cache_module.Store | None = None) -> tuple[list[Problem], set[str]]:
    """Every problem of the files around the cases, and the names of those the store remembers."""
    entries, out = changelog(cases_dir)
    remembered: set[str] = set()
    out += snapshots(cases_dir, entries, store, remembered)
    out += gazetteer.read(gazetteer.default_file())[1]
    config = cases_dir.resolve().parent / CONFIG_FILE
    found, options = siteconfig.check(config) if config.is_file() else ([], {})
    out += found
    if not found:
        out += manifest_problems(config.parent / str(options.get("materials") or MATERIALS_DIR))
    return out, remembered


# --- the changelog and release snapshots ------------------------------------------------------------


# --- region pages ------------------------------------------------------------------------------------

_REGIONS = "\0regions"  # the store's name for the result of the last set of region names


def region_problems(docs: list[Document], store: cache_module.Store | None, remembered: set[str]) -> list[Problem]:
    """Cases whose region would share a page with another region, or replace a page of the site's own.

    Worked out again only when the set of region names changed (finding addresses needs pinyin).
    """
    placed = [regions.placed(doc.data["location"]) for doc in docs]
    paths = [tuple(name for _, name in levels) or (UNSTATED_REGION,) for levels in placed]
    counted = sorted(Counter(paths).items())
    unique = [path for path, count in counted for _ in range(count)]
    key = cache_module.digest(marshal.dumps(counted))
    entry = store.get(_REGIONS) if store is not None else None
    if entry is not None and entry.case_digest == key:
        bad = {tuple(p.path.split("\x1f")): p.message for p in entry.problems}
    else:
        found = regions.clashes([list(path) for path in unique])
        bad = {unique[i][:level + 1]: why for i, (level, why) in found.items()}
        if store is not None and store.folder is not None:
            store.put(_REGIONS, cache_module.Entry(
                case_digest=key, case_stamp=None, source=None, source_digest=None, source_stamp=None,
                problems=[Problem("", 0, 0, "\x1f".join(path), why) for path, why in bad.items()],
                cross={}, marks={}, loaded=False), None)
    if store is not None:
        remembered.add(_REGIONS)
    out = []
    for doc, levels, path in zip(docs, placed, paths):
        for depth in range(1, len(path) + 1):
            if tuple(path[:depth]) in bad:
                field = levels[depth - 1][0] if levels else "province"
                out.append(doc.problem(("location", field), bad[tuple(path[:depth])]))
                break
    return out


# --- the gazetteer ------------------------------------------------------------------------------------


# --- the trainer-materials manifest -------------------------------------------------------------------

def manifest(folder: Path) -> tuple[dict | None, list[Problem]]:
    """The materials manifest in `folder` (None if there is none or it has problems) and its problems.

    Every file it lists must be a plain file name in that folder: the build copies them into the site.
    Whether each file is still there is the build's to say (materials.read_manifest).
    """
    path = folder / MANIFEST
    if not os.path.lexists(path):
        return None, []
    name = display_name(path)
    unsafe = unsafe_file(path, folder)
    if unsafe:
        return None, [Problem(name, 1, 1, "", unsafe)]
    try:
        doc = load_file(path, name)
    except LoadError as exc:
        return None, exc.problems
    found = schema_problems(doc, data_validator(MATERIALS_SCHEMA))
    if found:
        return None, found
    for i, scope in enumerate(doc.data["scopes"]):
        for fmt, entry in scope["files"].items():
            listed = folder / entry["file"]
            unsafe = unsafe_file(listed, folder) if os.path.lexists(listed) else None
            if unsafe:
                found.append(doc.problem(("scopes", i, "files", fmt, "file"), f"清单列出的文件不能发布：{unsafe}"))
    return (None if found else doc.data), found


def manifest_problems(folder: Path) -> list[Problem]:
    return manifest(folder)[1]
