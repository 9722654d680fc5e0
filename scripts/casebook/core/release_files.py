"""The files under cases/releases/: where they lie, how they are read, and their checks.

The changelog and each release's data snapshot can change in a pull request like the cases: every
reader here applies the checks `casebook validate` reports, so nothing reaches a page unchecked.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

from . import cache as cache_module
from . import messages, safety
from .check_run import digest_file
from .files import display_name, unsafe_file
from .load import Document, LoadError, decode, load_file, read_bytes
from .problems import Problem, format_path
from .rules import schema_problems
from .schema import data_validator, fields

RELEASES_DIR = "releases"
CHANGELOG = "changelog.yaml"
SNAPSHOT = "cases.json"
SCHEMA_SNAPSHOT = "case.schema.json"  # the schema as written at that release, to tell its changes apart
# Semantic versions as the casebook makes them (no pre-releases): the only text that becomes a folder name.
VERSION = re.compile(r"(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})")


DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MAX_SNAPSHOT_BYTES = 200_000_000  # about 50,000 cases; read whole to compare and publish
class ReleaseError(Exception):
    """A release that cannot be made; the message says why, in Chinese."""


CHANGELOG_SCHEMA = "changelog.schema.json"
SNAPSHOT_SCHEMA = "release-snapshot.schema.json"
MAX_CHANGELOG_BYTES = 5_000_000  # a release adds about a line per changed case
_MAX_LISTED = 20  # a snapshot broken throughout is said once per kind, not 5,000 times


def shape(schema: dict) -> dict[str, tuple]:
    """What a data user relies on: each field's type and whether it is required (descriptions may change)."""
    return {f.dotted: (json.dumps(f.node.get("type"), sort_keys=True), f.required) for f in fields(schema)}


def folder(cases_dir: Path) -> Path:
    return cases_dir / RELEASES_DIR


def history(cases_dir: Path) -> list[dict]:
    """The changelog entries, newest first ([] before the first release).

    `casebook validate` (and so every build) reports each problem of the changelog first; this is the
    last guard, for callers that did not validate.
    """
    entries, problems = changelog(cases_dir)
    if problems:
        raise ReleaseError(f"{problems[0]}（运行 casebook validate 查看全部问题）")
    return entries


def snapshot_path(cases_dir: Path, version: str) -> Path:
    """Where a release's data lies; only a semantic version ever becomes part of a path."""
    if not isinstance(version, str) or not VERSION.fullmatch(version):
        raise ReleaseError(f"版本号“{safety.shown(version)}”不是语义版本“主.次.修订”（如 1.2.0）：请改正 {CHANGELOG}")
    return folder(cases_dir) / version / SNAPSHOT


def snapshot_schema(cases_dir: Path, version: str) -> dict | None:
    """The case schema as it was at a release (None if that release kept none)."""
    path = snapshot_path(cases_dir, version).with_name(SCHEMA_SNAPSHOT)
    if not path.is_file():
        return None
    try:
        schema = json.loads(read_bytes(path, str(path)))
        shape(schema)
    except LoadError as exc:
        raise ReleaseError(str(exc.problems[0])) from None
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise ReleaseError(f"{path}: 版本 {version} 保存的字段规范已损坏：请从 git 恢复这个文件") from None
    if not isinstance(schema, dict):
        raise ReleaseError(f"{path}: 版本 {version} 保存的字段规范已损坏：请从 git 恢复这个文件")
    return schema


def changelog(cases_dir: Path) -> tuple[list[dict], list[Problem]]:
    """The changelog's entries (newest first, [] if there is none or it has problems) and its problems."""
    path = folder(cases_dir) / CHANGELOG
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
    found = schema_problems(doc, data_validator(CHANGELOG_SCHEMA))
    found += _order_problems(doc)
    return ([] if found else doc.data), found


def _order_problems(doc: Document) -> list[Problem]:
    """Real dates, and each version once, newest first (a version names the folder of its data)."""
    out, before = [], None
    for i, entry in enumerate(doc.data):
        if not isinstance(entry, dict):
            continue
        date = entry.get("date")
        if isinstance(date, str) and DATE.fullmatch(date):
            try:
                dt.date.fromisoformat(date)
            except ValueError:
                out.append(doc.problem((i, "date"), f"日期“{date}”不存在：检查月份（1–12）和这个月的天数"))
        version = entry.get("version")
        found = VERSION.fullmatch(version) if isinstance(version, str) else None
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
    root = folder(cases_dir)
    for i, entry in enumerate(entries):
        path = snapshot_path(cases_dir, entry["version"])
        name = display_name(path)
        if not os.path.lexists(path):
            if i == 0:  # the newest release's data is what every build compares with
                out.append(Problem(display_name(root / CHANGELOG), 1, 1, "[0].version",
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
        text = decode(read_bytes(path, name, MAX_SNAPSHOT_BYTES, "一个版本的数据快照"), name)
    except LoadError as exc:
        return exc.problems
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return [Problem(name, exc.lineno, exc.colno, "", "数据快照不是有效的 JSON（这里有语法错误）："
                                                     "它由 casebook release 写入，请从 git 恢复这个文件")]
    except RecursionError:
        return [Problem(name, 1, 1, "", "数据快照嵌套层次过深：请从 git 恢复这个文件")]
    one_per_line = isinstance(data, list) and text.count("\n") == len(data) + 2  # as snapshot_text writes
    out, said = [], set()
    for error in data_validator(SNAPSHOT_SCHEMA).iter_errors(data):
        where = tuple(error.absolute_path)
        line = where[0] + 2 if one_per_line and where and isinstance(where[0], int) else 1
        kind = (where[1:], error.validator)
        if kind in said or len(out) >= _MAX_LISTED:
            continue
        said.add(kind)
        out.append(Problem(name, line, 1, format_path(where), messages.message(error)))
    return out


def _schema_snapshot_problems(cases_dir: Path, version: str, root: Path) -> list[Problem]:
    path = snapshot_path(cases_dir, version).with_name(SCHEMA_SNAPSHOT)
    if not os.path.lexists(path):
        return []
    unsafe = unsafe_file(path, root)
    if unsafe:
        return [Problem(display_name(path), 1, 1, "", unsafe)]
    try:
        snapshot_schema(cases_dir, version)
    except ReleaseError:
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
