"""Writing into a full disk or a read-only folder: one Chinese line naming the path and why, a non-zero
exit, and what was there before left whole (a build's site/, an export's dist/, the releases).

A full disk is a 1 MB tmpfs, a read-only folder a read-only bind mount or `chattr +i`: both need root,
as CI here has; elsewhere these tests are skipped with the reason.
"""
from __future__ import annotations

import contextlib
import io
import shutil
import subprocess
from pathlib import Path

import pytest

from casebook.doors import cli
from conftest import build, make_project


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The command's own entry point, in this process (its start-up is what costs in a subprocess)."""
    with contextlib.chdir(cwd), contextlib.redirect_stdout(io.StringIO()) as out, \
            contextlib.redirect_stderr(io.StringIO()) as err:
        code = cli.main(list(args))
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def _run(*command) -> None:
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True)
    if result.returncode:
        pytest.skip(f"{command[0]} is not permitted here: {result.stderr.strip()}")


@contextlib.contextmanager
def _mounted(where: Path, *how):
    where.mkdir(parents=True, exist_ok=True)
    _run("mount", *how, where)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


@contextlib.contextmanager
def full_disk(where: Path, leave: int = 20_000):
    """A 1 MB filesystem with about `leave` bytes free once `fill()` is called."""
    with _mounted(where, "-t", "tmpfs", "-o", "size=1m", "tmpfs") as disk:
        yield disk


def fill(disk: Path, leave: int = 20_000) -> None:
    free = shutil.disk_usage(disk).free
    (disk / "filler").write_bytes(b"\0" * max(free - leave, 0))


@contextlib.contextmanager
def read_only(where: Path):
    """`where` as a read-only view of a folder the test fills first (returned as the second value)."""
    source = where.with_name(where.name + "-source")
    source.mkdir(parents=True)
    with _mounted(where, "--bind", source):
        _run("mount", "-o", "remount,bind,ro", where)
        yield where, source


def _one_line(output: str, *words: str) -> str:
    assert "Traceback" not in output and "Error" not in output, output[-2000:]
    lines = [line for line in output.splitlines() if line.startswith("无法写入")]
    assert len(lines) == 1 and all(w in lines[0] for w in words), output[-2000:]
    return lines[0]


def test_a_build_into_a_full_disk_says_so_and_keeps_the_old_site(tmp_path: Path):
    project = make_project(tmp_path)
    with full_disk(tmp_path / "disk") as disk:
        (disk / "site").mkdir()
        (disk / "site" / "index.html").write_text("old", encoding="utf-8")
        fill(disk)
        result = build(project, disk / "site")
        assert result.returncode != 0
        line = _one_line(result.stdout + result.stderr, "磁盘空间不足", f"{disk}/site")
        assert ".building-" not in line  # the site's own name, not the staging folder's
        assert (disk / "site" / "index.html").read_text(encoding="utf-8") == "old"
        assert sorted(p.name for p in disk.iterdir()) == ["filler", "site"]


def test_a_build_into_a_read_only_folder_says_so_and_keeps_the_old_site(tmp_path: Path):
    project = make_project(tmp_path)
    with read_only(tmp_path / "ro") as (folder, source):
        (source / "site").mkdir()
        (source / "site" / "index.html").write_text("old", encoding="utf-8")
        result = build(project, folder / "site")
        assert result.returncode != 0
        _one_line(result.stdout + result.stderr, "只读", f"{folder}/site")
        assert (folder / "site" / "index.html").read_text(encoding="utf-8") == "old"


@pytest.mark.parametrize("where", ["full"])
def test_an_export_that_cannot_be_written_names_the_file_and_keeps_dist(tmp_path: Path, where: str):
    project = make_project(tmp_path)
    with contextlib.ExitStack() as stack:
        if where == "full":
            dist = stack.enter_context(full_disk(tmp_path / "disk")) / "dist"
            dist.mkdir()
            (dist / "old.html").write_text("old", encoding="utf-8")
            fill(dist.parent, leave=2_000)
        else:
            folder, source = stack.enter_context(read_only(tmp_path / "ro"))
            (source / "dist").mkdir()
            (source / "dist" / "old.html").write_text("old", encoding="utf-8")
            dist = folder / "dist"
        result = run_cli("export", "handout", "--out", str(dist / "handout.html"), cwd=project)
        assert result.returncode == 1
        _one_line(result.stderr, "磁盘空间不足" if where == "full" else "只读", f"{dist}/handout.html")
        assert sorted(p.name for p in dist.iterdir()) == ["old.html"]


def test_a_release_into_a_full_disk_writes_nothing_half(tmp_path: Path):
    with full_disk(tmp_path / "disk") as disk:
        project = make_project(disk)  # cases/, docs/ and mkdocs.yml on the small disk
        shutil.rmtree(project / "docs")
        before = {p: p.read_bytes() for p in (project / "cases" / "releases").rglob("*") if p.is_file()}
        fill(disk, leave=20_000)
        result = run_cli("release", cwd=project)
        assert result.returncode == 1
        _one_line(result.stderr, "磁盘空间不足", "cases/releases/")
        after = {p: p.read_bytes() for p in (project / "cases" / "releases").rglob("*") if p.is_file()}
        assert after == before
        assert [p.name for p in (project / "cases" / "releases").iterdir() if p.is_dir()] == ["1.0.0"]


def test_a_cache_that_cannot_be_written_changes_no_result(tmp_path: Path):
    """The cache only speeds checks up: a read-only .cache/ is skipped, validation still passes."""
    project = make_project(tmp_path)
    (project / ".cache" / "casebook").mkdir(parents=True)
    _run("chattr", "+i", project / ".cache" / "casebook")
    try:
        result = run_cli("validate", cwd=project)
    finally:
        subprocess.run(["chattr", "-i", str(project / ".cache" / "casebook")], capture_output=True)
    assert result.returncode == 0, result.stderr
    assert list((project / ".cache" / "casebook").iterdir()) == []
