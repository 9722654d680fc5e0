"""Dataset releases: a semantic version, a Chinese changelog, and a snapshot of every release's data.

Everything lives in the repository under cases/releases/ (changelog.yaml plus
<version>/cases.json), so a clean clone with no git tags knows every release
and can compute what changed since the last one from the data itself:
a changed schema or a removed case is a major release, a new (or renamed)
case a minor one, a corrected fact a patch.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import atomic, safety
from .load import LoadError, read_bytes
from .model import Casebook
from .release_files import (CHANGELOG, MAX_SNAPSHOT_BYTES, SCHEMA_SNAPSHOT, SNAPSHOT, VERSION, ReleaseError, shape,
                            folder, history, snapshot_path, snapshot_schema)
from .schema import case_schema

CITATION = "CITATION.cff"  # at the project root, next to cases/
FIRST = "1.0.0"
LEVEL_LABELS = {"initial": "首次发布", "major": "主版本（字段规范改变或删除案例）",
                "minor": "次版本（新增案例）", "patch": "修订版（更正事实）"}
_HEADER = ("# 数据版本与更新记录：由 casebook release 写入，最新的在最前。请勿手工修改版本号；\n"
           "# 每个版本的完整数据保存在同一目录下的 <版本>/cases.json，供比较和下载。\n")


@dataclass
class Changes:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)  # old slug -> new slug
    changed: dict[str, list[str]] = field(default_factory=dict)  # slug -> changed field paths
    schema_breaking: list[str] = field(default_factory=list)  # removed or changed fields, new required ones
    schema_added: list[str] = field(default_factory=list)  # new optional fields

    @property
    def level(self) -> str | None:
        if self.schema_breaking or self.removed:
            return "major"
        if self.added or self.renamed or self.schema_added:
            return "minor"
        if self.changed:
            return "patch"
        return None


def schema_fingerprint() -> str:
    """Identifies the case schema as written (the vocabulary is data, not schema)."""
    text = json.dumps(case_schema(), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def schema_changes(old: dict, new: dict) -> tuple[list[str], list[str]]:
    """(breaking changes, new optional fields) between two schemas, as Chinese phrases."""
    before, after = shape(old), shape(new)
    breaking = [f"删除字段 {name}" for name in before if name not in after]
    breaking += [f"字段 {name} 的类型或必填要求改变" for name in before if name in after and before[name] != after[name]]
    # A required field inside a new optional list or object binds no existing data: only the new parent is news.
    breaking += [f"新增必填字段 {name}" for name in after
                 if name not in before and after[name][1] and _parent(name) in (None, *before)]
    added = [name for name in after if name not in before and not (after[name][1] and _parent(name) not in before)]
    return breaking, added


def _parent(dotted: str) -> str | None:
    """The field holding a dotted field: practices[].tiers[].who -> practices[].tiers (None at the top)."""
    return dotted.rsplit(".", 1)[0].removesuffix("[]") if "." in dotted else None


def snapshot(cases_dir: Path, version: str) -> list[dict]:
    path = snapshot_path(cases_dir, version)
    if not path.is_file():
        raise ReleaseError(f"找不到版本 {version} 的数据快照 {path}：它应随更新记录一起提交")
    try:
        data = json.loads(read_bytes(path, str(path), MAX_SNAPSHOT_BYTES, "一个版本的数据快照"))
    except LoadError as exc:
        raise ReleaseError(str(exc.problems[0])) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ReleaseError(f"{path}: 版本 {version} 的数据快照已损坏（{exc}）：请从 git 恢复这个文件") from None
    if not isinstance(data, list) or not all(isinstance(c, dict) and isinstance(c.get("slug"), str) for c in data):
        raise ReleaseError(f"{path}: 版本 {version} 的数据快照应是案例的列表，每个案例有 slug：请从 git 恢复这个文件")
    return data


def published_snapshot(cases_dir: Path, version: str) -> bytes | None:
    """A release's data as the site offers it for download: only a regular file inside releases/, never a link."""
    path = snapshot_path(cases_dir, version)
    try:
        info = os.lstat(path)
        inside = os.path.realpath(path).startswith(os.path.realpath(folder(cases_dir)) + os.sep)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode) or not inside:
        return None
    try:
        return read_bytes(path, str(path), MAX_SNAPSHOT_BYTES)
    except LoadError as exc:
        raise ReleaseError(str(exc.problems[0])) from None


def snapshot_text(cases: list[dict]) -> str:
    """One case per line, so a release's diff in git shows which cases changed."""
    return "[\n" + ",\n".join(json.dumps(c, ensure_ascii=False, sort_keys=True) for c in cases) + "\n]\n"


def field_changes(old: object, new: object, path: str = "") -> list[str]:
    """Dotted paths (outcomes[2].value) where two versions of a case differ."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[str] = []
        for key in list(old) + [k for k in new if k not in old]:
            out += field_changes(old.get(key), new.get(key), f"{path}.{key}" if path else key)
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [p for i, (a, b) in enumerate(zip(old, new)) for p in field_changes(a, b, f"{path}[{i}]")]
    return [] if old == new else [path]


def compare(old_cases: list[dict], new_cases: list[dict], old_schema: dict | None = None,
            new_schema: dict | None = None) -> Changes:
    old = {c["slug"]: c for c in old_cases}
    new = {c["slug"]: c for c in new_cases}
    changes = Changes()
    if old_schema is not None and new_schema is not None:
        changes.schema_breaking, changes.schema_added = schema_changes(old_schema, new_schema)
    for slug, case in new.items():
        former = next((s for s in case.get("former_slugs", []) if s in old and s not in new), None)
        if former:
            changes.renamed[former] = slug
            before = {**old[former], "slug": slug}
        elif slug in old:
            before = old[slug]
        else:
            changes.added.append(slug)
            continue
        paths = [p for p in field_changes(before, case) if p != "former_slugs" or not former]
        if paths:
            changes.changed[slug] = paths
    changes.removed = [s for s in old if s not in new and s not in changes.renamed]
    return changes


def bump(version: str, level: str) -> str:
    found = VERSION.fullmatch(version.split("+")[0]) if isinstance(version, str) else None
    if found is None:
        raise ReleaseError(f"上一个版本号“{safety.shown(version)}”不是语义版本“主.次.修订”（如 1.2.0），"
                           f"无法算出下一个版本：请改正 {CHANGELOG} 里最新一项的 version")
    major, minor, patch = (int(x) for x in found.groups())
    if level == "major":
        return f"{major + 1}.0.0"
    if level == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def pending(book: Casebook) -> tuple[dict | None, Changes]:
    """The last release (None before the first) and what changed in the data since."""
    entries = history(book.cases_dir)
    if not entries:
        return None, Changes(added=[c["slug"] for c in book.cases])
    last = entries[0]
    old = snapshot(book.cases_dir, last["version"])
    old_schema = snapshot_schema(book.cases_dir, last["version"])
    return last, compare(old, book.cases, old_schema, case_schema())


def version(book: Casebook) -> str:
    """The dataset version the built site shows: the last release, marked +dev if the data moved on."""
    if book.version:
        return book.version
    last, changes = pending(book)
    if last is None:
        return "0.0.0+dev"
    return last["version"] + ("+dev" if changes.level else "")


def notes(changes: Changes, names: dict[str, str], level: str) -> list[str]:
    """The changelog entry in Chinese, one line per kind of change."""
    def label(slug: str) -> str:
        return f"{names[slug]}（{slug}）" if slug in names else slug

    lines = []
    if changes.schema_breaking:
        lines.append(f"字段规范有不兼容的改动：{'；'.join(changes.schema_breaking)}。请按新的字段说明读取数据。")
    if changes.schema_added:
        lines.append(f"字段规范新增可选字段：{'、'.join(changes.schema_added)}。")
    if level == "initial":
        lines.append(f"首次发布，共 {len(changes.added)} 个案例：{'、'.join(map(label, changes.added))}。")
    elif changes.added:
        lines.append(f"新增 {len(changes.added)} 个案例：{'、'.join(map(label, changes.added))}。")
    for old, new in changes.renamed.items():
        lines.append(f"案例标识由 {old} 改为 {label(new)}，旧网址自动转到新网址。")
    if changes.removed:
        lines.append(f"删除 {len(changes.removed)} 个案例：{'、'.join(changes.removed)}（仍可在以前版本的数据中找到）。")
    for slug, paths in changes.changed.items():
        lines.append(f"更正 {label(slug)}：{'、'.join(paths)}。")
    return lines


def make_release(book: Casebook, today: dt.date | None = None) -> dict:
    """Write the next release's changelog entry and data snapshot; return the entry.

    The caller validates the casebook first: a release records only checked data.
    """
    last, changes = pending(book)
    level = "initial" if last is None else changes.level
    if level is None:
        raise ReleaseError(f"自版本 {last['version']} 以来数据没有变化，不需要发布新版本。")
    new_version = FIRST if last is None else bump(last["version"], level)
    names = {c["slug"]: c["name"] for c in book.cases}
    entry = {
        "version": new_version,
        "date": (today or dt.date.today()).isoformat(),
        "level": level,
        "cases": len(book.cases),
        "schema": schema_fingerprint(),
        "added": changes.added,
        "removed": changes.removed,
        "renamed": changes.renamed,
        "changed": changes.changed,
        "notes": notes(changes, names, level),
    }
    target = folder(book.cases_dir)
    made = not (target / new_version).exists()
    try:
        (target / new_version).mkdir(parents=True, exist_ok=True)
        _write(target / new_version / SNAPSHOT, snapshot_text(book.cases))
        _write(target / new_version / SCHEMA_SNAPSHOT, json.dumps(case_schema(), ensure_ascii=False, indent=2) + "\n")
        entries = [entry, *history(book.cases_dir)]
        _write(target / CHANGELOG, _HEADER + yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=1000))
    except OSError:  # a full disk or read-only folder: no half release (the changelog, written after its data, makes one)
        if made:
            shutil.rmtree(target / new_version, ignore_errors=True)
        raise
    if update_citation(book.cases_dir.parent / CITATION, entry):
        _write_zenodo(book.cases_dir.parent)
    return entry


def _write_zenodo(project: Path) -> None:
    """An archive reads .zenodo.json for each release: it follows CITATION.cff's new version."""
    from . import citation

    try:
        citation.write_zenodo(project)
    except citation.CitationError as exc:
        raise ReleaseError(str(exc)) from None


def update_citation(citation: Path, entry: dict) -> bool:
    """Keep CITATION.cff's version and release date in step with the dataset (when the project has one)."""
    if not citation.is_file():
        return False
    lines = citation.read_text(encoding="utf-8").splitlines()
    values = {"version": entry["version"], "date-released": f"'{entry['date']}'"}
    out = [f"{line.split(':', 1)[0]}: {values[line.split(':', 1)[0]]}" if line.split(":", 1)[0] in values else line
           for line in lines]
    for key, value in values.items():
        if not any(line.startswith(key + ":") for line in out):
            out.append(f"{key}: {value}")
    _write(citation, "\n".join(out) + "\n")
    return True


def _write(path: Path, text: str) -> None:
    """Write next to the target, then move into place: a failed release leaves the old files whole."""
    with atomic.replacing(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def last_updated(book: Casebook) -> dict[str, str]:
    """Slug -> date of the newest release that added or changed the case (its `added` date before that)."""
    out = {c["slug"]: c["added"] for c in book.cases}
    for entry in reversed(history(book.cases_dir)):  # oldest first, so newer releases win
        touched = [*entry.get("added", []), *entry.get("changed", {}), *entry.get("renamed", {}).values()]
        for slug in touched:
            if slug in out:
                out[slug] = str(entry["date"])
    return out
