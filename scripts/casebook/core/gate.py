"""One gate for the files around the cases: each checked against a schema of its own before it reaches
a page, a path or a download.

The changelog and release snapshots (cases/releases/), the gazetteer, the trainer-materials manifest and
the casebook's settings in mkdocs.yml can all change in a pull request, like the cases. load_casebook
calls `problems()`, so `casebook validate`, every build and preview report them as located Chinese lines
(file, line, column, field, what is expected) before anything is built. Their readers (releases.history,
regions.gazetteer, materials.read_manifest, siteconfig.read) use the same rules, so nothing reaches a
page unchecked even when a caller did not validate first.
"""
from __future__ import annotations

import datetime as dt
import json
import marshal
import os
from collections import Counter
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator

from . import cache as cache_module
from . import messages, releases
from .load import Document, LoadError, decode, load_file, read_bytes
from .problems import Problem, format_path
from .schema import DATA
from .check_run import digest_file
from .files import unsafe_file, display_name
from .rules import schema_problems

CHANGELOG_SCHEMA = "changelog.schema.json"
SNAPSHOT_SCHEMA = "release-snapshot.schema.json"
GAZETTEER_SCHEMA = "gazetteer.schema.json"
MATERIALS_SCHEMA = "materials.schema.json"
SETTINGS_SCHEMA = "settings.schema.json"
CONFIG_FILE = "mkdocs.yml"  # beside cases/, where every command is run from
MANIFEST = "manifest.json"  # what `casebook export materials` writes beside the materials
MATERIALS_DIR = Path("dist") / "materials"  # where it writes them unless told otherwise
MAX_CHANGELOG_BYTES = 5_000_000  # a release adds about a line per changed case
_MAX_LISTED = 20  # a snapshot broken throughout is said once per kind, not 5,000 times


@cache
def schema(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@cache
def validator(name: str, definition: str | None = None) -> Draft202012Validator:
    """A schema's validator; `definition` names one of its $defs (resolved against the whole schema)."""
    whole = schema(name)
    if definition is None:
        return Draft202012Validator(whole)
    return Draft202012Validator({**whole, "$ref": f"#/$defs/{definition}"})


def problems(cases_dir: Path, store: cache_module.Store | None = None) -> tuple[list[Problem], set[str]]:
    """Every problem of the files around the cases, and the names of those the store remembers."""
    entries, out = changelog(cases_dir)
    remembered: set[str] = set()
    out += snapshots(cases_dir, entries, store, remembered)
    out += gazetteer(gazetteer_file())[1]
    from . import siteconfig  # import here: siteconfig is also read by modules this one should not load

    config = cases_dir.resolve().parent / CONFIG_FILE
    found, options = siteconfig.check(config) if config.is_file() else ([], {})
    out += found
    if not found:
        out += manifest_problems(config.parent / str(options.get("materials") or MATERIALS_DIR))
    return out, remembered


# --- the changelog and release snapshots ------------------------------------------------------------

def changelog(cases_dir: Path) -> tuple[list[dict], list[Problem]]:
    """The changelog's entries (newest first, [] if there is none or it has problems) and its problems."""
    path = releases.folder(cases_dir) / releases.CHANGELOG
    if not os.path.lexists(path):
        return [], []
    name = display_name(path)
    unsafe = unsafe_file(path, cases_dir)
    if unsafe:
        return [], [Problem(name, 1, 1, "", unsafe)]
    try:
        doc = load_file(path, name, top=list, limit=MAX_CHANGELOG_BYTES)
    except LoadError as exc:
        return [], exc.problems
    found = schema_problems(doc, validator(CHANGELOG_SCHEMA))
    found += _order_problems(doc)
    return ([] if found else doc.data), found


def _order_problems(doc: Document) -> list[Problem]:
    """Real dates, and each version once, newest first (a version names the folder of its data)."""
    out, before = [], None
    for i, entry in enumerate(doc.data):
        if not isinstance(entry, dict):
            continue
        date = entry.get("date")
        if isinstance(date, str) and releases.DATE.fullmatch(date):
            try:
                dt.date.fromisoformat(date)
            except ValueError:
                out.append(doc.problem((i, "date"), f"日期“{date}”不存在：检查月份（1–12）和这个月的天数"))
        version = entry.get("version")
        found = releases.VERSION.fullmatch(version) if isinstance(version, str) else None
        if found is None:
            continue
        number = tuple(int(x) for x in found.groups())
        if before is not None and number >= before[0]:
            out.append(doc.problem((i, "version"), f"版本号 {version} 应小于它上面一项的 {before[1]}："
                                                   "更新记录最新的在最前，每个版本只出现一次"))
        before = (number, version)
    return out


def snapshots(cases_dir: Path, entries: list[dict], store: cache_module.Store | None,
              remembered: set[str]) -> list[Problem]:
    """Each release's data file: a regular file inside releases/, JSON the site can compare and publish."""
    out = []
    root = releases.folder(cases_dir)
    for i, entry in enumerate(entries):
        path = releases.snapshot_path(cases_dir, entry["version"])
        name = display_name(path)
        if not os.path.lexists(path):
            if i == 0:  # the newest release's data is what every build compares with
                out.append(Problem(display_name(root / releases.CHANGELOG), 1, 1, "[0].version",
                                   f"找不到版本 {entry['version']} 的数据快照 {name}：它应随更新记录一起提交"))
            continue
        unsafe = unsafe_file(path, root)
        if unsafe:
            out.append(Problem(name, 1, 1, "", unsafe))
            continue
        out += _remembered(store, path, name, lambda: _snapshot_problems(path, name), remembered)
        if i == 0:
            out += _schema_snapshot_problems(cases_dir, entry["version"], root)
    return out


def _snapshot_problems(path: Path, name: str) -> list[Problem]:
    try:
        text = decode(read_bytes(path, name, releases.MAX_SNAPSHOT_BYTES, "一个版本的数据快照"), name)
    except LoadError as exc:
        return exc.problems
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return [Problem(name, exc.lineno, exc.colno, "", "数据快照不是有效的 JSON（这里有语法错误）："
                                                     "它由 casebook release 写入，请从 git 恢复这个文件")]
    except RecursionError:
        return [Problem(name, 1, 1, "", "数据快照嵌套层次过深：请从 git 恢复这个文件")]
    one_per_line = isinstance(data, list) and text.count("\n") == len(data) + 2  # as releases.snapshot_text writes
    out, said = [], set()
    for error in validator(SNAPSHOT_SCHEMA).iter_errors(data):
        where = tuple(error.absolute_path)
        line = where[0] + 2 if one_per_line and where and isinstance(where[0], int) else 1
        kind = (where[1:], error.validator)
        if kind in said or len(out) >= _MAX_LISTED:
            continue
        said.add(kind)
        out.append(Problem(name, line, 1, format_path(where), messages.message(error)))
    return out


def _schema_snapshot_problems(cases_dir: Path, version: str, root: Path) -> list[Problem]:
    path = releases.snapshot_path(cases_dir, version).with_name(releases.SCHEMA_SNAPSHOT)
    if not os.path.lexists(path):
        return []
    unsafe = unsafe_file(path, root)
    if unsafe:
        return [Problem(display_name(path), 1, 1, "", unsafe)]
    try:
        releases.snapshot_schema(cases_dir, version)
    except releases.ReleaseError:
        return [Problem(display_name(path), 1, 1, "", f"版本 {version} 保存的字段规范无法读取（应是发布时的 "
                                                      "case.schema.json）：请从 git 恢复这个文件")]
    return []


def _remembered(store: cache_module.Store | None, path: Path, name: str, check, remembered: set[str]) -> list[Problem]:
    """A large file's problems, checked again only when its bytes changed (a release's data can be tens of MB)."""
    if store is None or store.folder is None:
        return check()
    remembered.add(name)
    try:
        stamp = cache_module.stamp(os.lstat(path))
        entry = store.get(name)
        if entry is not None and not entry.loaded and stamp is not None and stamp == entry.case_stamp:
            return entry.problems
        digest = digest_file(str(path))
    except OSError:
        return check()
    if entry is not None and not entry.loaded and entry.case_digest == digest:
        return entry.problems
    found = check()
    store.put(name, cache_module.Entry(case_digest=digest, case_stamp=stamp, source=None, source_digest=None,
                                       source_stamp=None, problems=found, cross={}, marks={}, loaded=False), None)
    return found


# --- region pages ------------------------------------------------------------------------------------

_REGIONS = "\0regions"  # the store's name for the result of the last set of region names


def region_problems(docs: list[Document], store: cache_module.Store | None, remembered: set[str]) -> list[Problem]:
    """Cases whose region would share a page with another region, or replace a page of the site's own.

    Worked out again only when the set of region names changed (finding addresses needs pinyin).
    """
    from . import regions
    from .model import UNSTATED_REGION

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

def gazetteer_file() -> Path:
    return Path(str(DATA / "gazetteer.yaml"))


def gazetteer(path: Path) -> tuple[dict[str, str], list[Problem]]:
    """City -> province from the gazetteer (empty if it has problems), and its problems."""
    name = display_name(path)
    try:
        doc = load_file(path, name)
    except LoadError as exc:
        return {}, exc.problems
    found = schema_problems(doc, validator(GAZETTEER_SCHEMA))
    if found:
        return {}, found
    province_of: dict[str, str] = {}
    for province, cities in doc.data.items():
        for i, city in enumerate(cities):
            if city in province_of:
                found.append(doc.problem((province, i), f"“{city}”已列在{province_of[city]}下：一个城市只能属于一个省份"))
            province_of.setdefault(city, province)
    return ({} if found else province_of), found


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
    found = schema_problems(doc, validator(MATERIALS_SCHEMA))
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
