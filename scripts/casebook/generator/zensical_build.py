"""The Zensical door: build a tree written by `tree.write_tree` (or `casebook render`) with Zensical.

Only this module knows Zensical. It starts from the tree's own mkdocs.yml (written by
mkdocs_build.write_config: the project's settings without the casebook plugin, plus the
tree's styles, scripts and theme overrides), which Zensical reads as it is, and runs
Zensical in a child process: its Rust runtime keeps state between builds in one process.
Pinned in the `zensical` extra (0.1.x needs `zensical-ui`, which the package registry
used here does not serve; 0.0.74 has the same need; 0.0.73 is the newest that installs).
"""
from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

CONFIG = "zensical.yml"
BUILT = "site"
# Zensical's classic look has no styles for the header search box the casebook's theme keeps.
SEARCH_BOX = Path(__file__).resolve().parent.parent / "templates" / "zensical" / "search-box.css"
SEARCH_BOX_ASSET = "assets/zensical/search-box.css"


class BuildFailed(Exception):
    """Zensical stopped; `lines` are its own messages."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


def available() -> bool:
    return importlib.util.find_spec("zensical") is not None


def write_config(tree: Path) -> Path:
    """tree/zensical.yml: the tree's mkdocs.yml, with Material's classic look, built into tree/site."""
    config = yaml.safe_load((tree / "mkdocs.yml").read_text(encoding="utf-8")) or {}
    theme = dict(config.get("theme") or {"name": "material"})
    # Zensical's default is its own "modern" look; classic is Material's, which the casebook's styles are made for.
    theme.setdefault("variant", "classic")
    config.update(theme=theme, site_dir=BUILT)  # Zensical refuses a site folder outside the tree
    asset = tree / "docs" / SEARCH_BOX_ASSET  # the tree's layout (tree.write_tree), not a setting
    asset.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SEARCH_BOX, asset)
    config["extra_css"] = [*(config.get("extra_css") or []), SEARCH_BOX_ASSET]
    target = tree / CONFIG
    text = "# Written by casebook.generator.zensical_build: the tree's mkdocs.yml as Zensical builds it.\n"
    target.write_text(text + yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def build_tree(tree: Path, site: Path, strict: bool = True) -> None:
    """Build a written tree into `site`; raise BuildFailed with Zensical's messages."""
    if not available():
        raise BuildFailed(["没有安装 Zensical：请运行 pip install -e '.[zensical]'（测试依赖 .[test] 已包含）"])
    config = write_config(tree)
    built = tree / BUILT
    shutil.rmtree(built, ignore_errors=True)
    command = [sys.executable, "-m", "zensical", "build", "-f", str(config.resolve()), *(["--strict"] if strict else [])]
    done = subprocess.run(command, cwd=tree, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
        raise BuildFailed(lines or [f"zensical 退出码 {done.returncode}"])
    if built.resolve() != site.resolve():
        # The old site stays until the new one is complete.
        shutil.rmtree(site, ignore_errors=True)
        shutil.move(built, site)
