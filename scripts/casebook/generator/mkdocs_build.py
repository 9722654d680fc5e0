"""The MkDocs door for written trees: configure and build what `tree.write_tree` wrote, in-process.

Only this module and plugin.py import MkDocs. The project's own mkdocs.yml is
read with MkDocs' loader; the tree gets a configuration of its own (the
project's settings without our plugin, plus what the tree's manifest names), so
`mkdocs build -f TREE/mkdocs.yml` builds the same pages as the plugin does.
"""
from __future__ import annotations

import dataclasses
import json
import logging
import tempfile
from pathlib import Path

import yaml
from mkdocs import utils
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException

from ..exports import materials
from ..core import siteconfig
from ..core.model import Casebook
from ..core.siteconfig import SiteSettings
from ..site.tree import MANIFEST, write_tree

PLUGIN = "casebook"
OFFLINE = ("offline", "material/offline")


class BuildFailed(Exception):
    """The build stopped; `lines` are MkDocs' own warnings and errors."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


def read_project(config_file: Path) -> dict:
    """The project's mkdocs.yml as data, with MkDocs' own YAML tags resolved."""
    with open(config_file, "rb") as handle:
        return utils.yaml_load(handle) or {}


def settings(config_file: Path, offline: bool = False) -> SiteSettings:
    """What the core needs of the site's configuration (a site for file:// has no directory URLs)."""
    found = siteconfig.read(config_file)
    return dataclasses.replace(found, use_directory_urls=False) if offline else found


def docs_dir(config_file: Path) -> Path:
    return (config_file.parent / read_project(config_file).get("docs_dir", "docs")).resolve()


def _plugin_name(entry: object) -> str:
    return next(iter(entry)) if isinstance(entry, dict) else str(entry)


def _tree_plugins(config: dict, manifest: dict, tree: Path, offline: bool) -> list[dict]:
    """The project's plugins without this one: offline on or off as asked, search given the tree's dictionary."""
    plugins = []
    for entry in config.get("plugins", ["search"]):
        name = _plugin_name(entry)
        options = dict(entry[name] or {}) if isinstance(entry, dict) else {}
        if name == PLUGIN:
            continue
        if name in OFFLINE:
            options["enabled"] = offline
        if name in ("search", "material/search"):
            # Absolute: MkDocs resolves this option from the folder it is started in.
            options["jieba_dict_user"] = str((tree / manifest["jieba_dict_user"]).resolve())
        plugins.append({name: options})
    if offline and not any(_plugin_name(p) in OFFLINE for p in plugins):
        plugins.append({"offline": {"enabled": True}})
    return plugins


def tree_config(config_file: Path, tree: Path, offline: bool = False) -> dict:
    """The configuration that builds a written tree with MkDocs and Material alone."""
    config = read_project(config_file)
    manifest = json.loads((tree / MANIFEST).read_text(encoding="utf-8"))
    plugins = _tree_plugins(config, manifest, tree, offline)
    theme = config.get("theme", {"name": "material"})
    theme = {"name": theme} if isinstance(theme, str) else dict(theme)
    theme["custom_dir"] = manifest["theme_dir"]
    extra = {**(config.get("extra") or {}), **manifest.get("extra", {})}
    if offline:
        extra["polyfills"] = [*manifest["offline_polyfills"], *extra.get("polyfills", [])]
    edit_uri = config.get("edit_uri")
    return {
        **config,
        "docs_dir": manifest["docs_dir"],
        "site_dir": "site",
        "theme": theme,
        "plugins": plugins,
        "extra": extra,
        "extra_css": [*manifest["extra_css"], *config.get("extra_css", [])],
        "extra_javascript": [*manifest["extra_javascript"], *config.get("extra_javascript", [])],
        "use_directory_urls": manifest["use_directory_urls"],
        **({"edit_uri": edit_uri} if edit_uri else {}),
        # Without the plugin an edit link would name a generated page that is in no repository:
        # an offline copy carries none (its readers are offline anyway).
        **({"edit_uri": ""} if offline else {}),
        # The offline copy lives on a disk: no canonical links or image addresses on the published host.
        **({"site_url": ""} if offline else {}),
    }


def write_config(config_file: Path, tree: Path, offline: bool = False) -> Path:
    """tree/mkdocs.yml, so that `mkdocs build -f tree/mkdocs.yml` (or Zensical) builds the tree."""
    target = tree / "mkdocs.yml"
    text = "# Written by `casebook render`: the project's mkdocs.yml for this tree, without the casebook plugin.\n"
    text += yaml.safe_dump(tree_config(config_file, tree, offline), allow_unicode=True, sort_keys=False)
    target.write_text(text, encoding="utf-8")
    return target


def build_tree(config_file: Path, tree: Path, site: Path, offline: bool = False, strict: bool = True) -> None:
    """Build a written tree into `site` in this process; raise BuildFailed with MkDocs' messages."""
    config_path = write_config(config_file, tree, offline)
    run(config_path, site, strict)


def build_book(config_file: Path, book: Casebook, site: Path, offline: bool = False) -> None:
    """The whole site of `book`, built from a written tree without the plugin (the export and bench use it)."""
    with tempfile.TemporaryDirectory(prefix="casebook-tree-") as tmp:
        tree = Path(tmp)
        write_tree(book, docs_dir(config_file), tree, settings(config_file, offline), root=config_file.parent,
                   materials_dir=config_file.parent / materials.DEFAULT_DIR, offline=offline)
        build_tree(config_file, tree, site, offline)


def run(config_path: Path, site: Path, strict: bool = True) -> None:
    """`mkdocs build` in-process, collecting its warnings instead of scraping a child's output."""
    messages: list[str] = []
    handler = _Collect(messages)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        config = load_config(str(config_path), site_dir=str(site), strict=strict)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    except (MkDocsException, SystemExit, OSError) as exc:
        raise BuildFailed(messages or [str(exc)]) from None
    finally:
        logger.removeHandler(handler)


class _Collect(logging.Handler):
    def __init__(self, into: list[str]):
        super().__init__(logging.WARNING)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(f"{record.levelname}: {record.getMessage()}")
