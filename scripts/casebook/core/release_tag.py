"""`casebook release --tag`: the annotated git tag vX.Y.Z of the newest recorded release.

An archive that mints a DOI per release (Zenodo) sees releases as tags. The tag goes on a commit
that holds the release's records: so the working tree must be clean, the tag new, and the data
the same as the release's snapshot.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

from . import releases
from .model import Casebook


class TagError(Exception):
    """No tag can be made; the message says why, in Chinese."""


def name(version: str) -> str:
    return f"v{version}"


def _git(root: Path, *args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        raise TagError("找不到 git 命令：请先安装 git，再运行 casebook release --tag") from None


def message(entry: dict) -> str:
    """The tag's message: the release as the changelog records it."""
    lines = [f"数据版本 {entry['version']}（{entry['date']}）", ""]
    return "\n".join(lines + [f"- {line}" for line in entry.get("notes") or []]) + "\n"


def tag(book: Casebook) -> str:
    """Create the annotated tag of the newest release at HEAD; return its name."""
    root = book.cases_dir.parent
    inside = _git(root, "rev-parse", "--is-inside-work-tree")
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        raise TagError(f"{root} 不在 git 仓库里：无法打标签")
    last, changes = releases.pending(book)
    if last is None:
        raise TagError("还没有发布过数据版本：先运行 casebook release，提交写入的文件，再运行 casebook release --tag")
    if changes.level is not None:
        raise TagError(f"数据在版本 {last['version']} 之后又有修改：先运行 casebook release 发布新版本并提交，"
                       "再运行 casebook release --tag")
    dirty = _git(root, "status", "--porcelain")
    if dirty.returncode != 0:
        raise TagError(f"无法读取 git 状态：{dirty.stderr.strip()}")
    if dirty.stdout.strip():
        first = dirty.stdout.splitlines()[0][3:]
        raise TagError(f"工作区有未提交的改动（如 {first}）：先提交或撤销，标签只打在已提交的版本上")
    wanted = name(str(last["version"]))
    if _git(root, "rev-parse", "-q", "--verify", f"refs/tags/{wanted}").returncode == 0:
        raise TagError(f"标签 {wanted} 已经存在：版本 {last['version']} 已打过标签，不会移动或覆盖它")
    made = _git(root, "tag", "-a", wanted, "-m", message(last))
    if made.returncode != 0:
        raise TagError(f"git 没能创建标签 {wanted}：{made.stderr.strip()}")
    return wanted
