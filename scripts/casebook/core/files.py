"""Which files in cases/ are read, and why some must not be: links out of cases/, pipes, folders, odd names."""
from __future__ import annotations

import functools
import os
import stat
from pathlib import Path

from .problems import Problem

TAXONOMY_FILE = "taxonomy.yaml"


def display_name(path: Path) -> str:
    """The path as the editor typed it: relative to where the command runs, when inside it."""
    folder, name = os.path.split(str(path))
    shown = _shown_folder(folder, os.getcwd())
    if shown is None:
        return str(path)
    return name if shown == "." else os.path.join(shown, name)


@functools.lru_cache(maxsize=256)
def _shown_folder(folder: str, cwd: str) -> str | None:
    """A folder relative to `cwd`, or None outside it: worked out once per folder (relpath is slow
    enough to matter at 5,000 files)."""
    relative = os.path.relpath(os.path.join(cwd, folder or "."), cwd)
    return None if relative.startswith("..") else relative


def case_files(cases_dir: Path) -> list[Path]:
    """The case files to read: regular files inside cases/ (file_problems() reports the others)."""
    with os.scandir(cases_dir) as entries:  # scandir knows file types without a stat per file
        names = sorted(e.name for e in entries if e.name.endswith((".yaml", ".yml")) and e.name != TAXONOMY_FILE
                       and (e.is_file(follow_symlinks=False) or unsafe_file(Path(e.path), cases_dir) is None))
    return [cases_dir / name for name in names]


def unsafe_file(path: Path, root: Path) -> str | None:
    """Why a file under cases/ must not be read or published, or None if it is an ordinary file inside.

    A symbolic link could publish any file of the build machine; a FIFO would block the build for ever.
    """
    try:
        if path.is_symlink() and not path.exists():
            return f"{path.name} 是一个指向不存在文件的符号链接：删除它，或把真正的文件放在这里"
        resolved = path.resolve()
        if not resolved.is_relative_to(root.resolve()):
            return f"{path.name} 是指向 cases/ 目录以外（{resolved}）的符号链接：案例和原文必须是 cases/ 里的文件"
        mode = resolved.stat().st_mode
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop
        return f"无法读取 {path.name}：{getattr(exc, 'strerror', None) or '符号链接循环'}"
    if stat.S_ISDIR(mode):
        return f"{path.name} 是一个文件夹，不是案例文件"
    if not stat.S_ISREG(mode):
        return f"{path.name} 不是普通文件（可能是管道或设备文件）：案例和原文必须是普通文本文件"
    return None


def file_problems(cases_dir: Path) -> list[Problem]:
    """Files in cases/ that look like cases but would be skipped: say so instead of staying silent."""
    out = []
    with os.scandir(cases_dir) as entries:  # file types without a stat each: an ordinary file needs no more
        odd = sorted(e.name for e in entries if e.name.lower().endswith((".yaml", ".yml"))
                     and not (e.is_file(follow_symlinks=False) and e.name.endswith((".yaml", ".yml"))))
    for name in odd:
        path = cases_dir / name
        suffix = path.suffix
        if suffix not in {".yaml", ".yml"}:
            out.append(Problem(display_name(path), 1, 1, "",
                               f"扩展名“{suffix}”应为小写：把文件改名为 {path.stem}.yaml，否则它不会被读取"))
        elif name != TAXONOMY_FILE:
            why = unsafe_file(path, cases_dir)
            if why:
                out.append(Problem(display_name(path), 1, 1, "", why))
    return out
