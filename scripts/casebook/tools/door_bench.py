"""Build times of the three doors: `python -m casebook.tools.door_bench [--sizes 5 1000]`, run at the project root.

5 means the real cases as they are; any other size is a synthetic casebook made by the bench's generator
from the real cases. Each door builds in its own process, as a user runs it:
MkDocs with the plugin, ProperDocs with the plugin, and Zensical on the tree `casebook render` writes
(the render is timed with it: Zensical alone cannot build the casebook).
Wall seconds depend on what else the machine runs; the figures say so beside them.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import bench

REAL = 5


def _project(root: Path, n: int, repo: Path) -> Path:
    if n != REAL:
        return bench.write_project(root, n, repo)
    project = root / "real"
    shutil.copytree(repo / "cases", project / "cases")
    shutil.copytree(repo / "docs", project / "docs")
    shutil.copy(repo / "mkdocs.yml", project / "mkdocs.yml")
    return project


def _commands(project: Path, site: Path) -> dict[str, list[str]]:
    config = str(project / "mkdocs.yml")
    casebook = str(Path(sys.executable).with_name("casebook"))
    return {
        "mkdocs": [sys.executable, "-m", "mkdocs", "build", "-q", "-f", config, "-d", str(site / "mkdocs")],
        "properdocs": [sys.executable, "-m", "properdocs", "build", "-q", "-f", config, "-d", str(site / "properdocs")],
        "zensical": [casebook, "render", "--config", config, "--out", str(site / "zensical-tree"), "--build", "zensical"],
    }


def time_doors(project: Path, site: Path) -> dict[str, float]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    seconds: dict[str, float] = {}
    for door, command in _commands(project, site).items():
        started = time.perf_counter()
        done = subprocess.run(command, cwd=project, capture_output=True, text=True, env=env)
        if done.returncode != 0:
            raise SystemExit(f"{door} 生成失败（{project}）：\n{(done.stdout + done.stderr)[-2000:]}")
        seconds[door] = time.perf_counter() - started
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="三个生成器入口的构建耗时（真实案例和合成案例）")
    parser.add_argument("--sizes", nargs="+", type=int, default=[REAL, 1000], metavar="案例数")
    args = parser.parse_args(argv)
    repo = Path.cwd()
    print(f"处理器核数 {os.cpu_count()}；耗时为墙钟秒数，与同时运行的其他程序有关")
    print("案例数\tmkdocs\tproperdocs\tzensical（含 casebook render）")
    with tempfile.TemporaryDirectory(prefix="casebook-doors-") as tmp:
        for n in args.sizes:
            root = Path(tmp) / str(n)
            root.mkdir()
            seconds = time_doors(_project(root, n, repo), root / "site")
            print(f"{n}\t{seconds['mkdocs']:.1f}\t{seconds['properdocs']:.1f}\t{seconds['zensical']:.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
