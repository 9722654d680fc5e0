"""The MkDocs door: load and validate the cases, then add the generated files in memory.

Thin on purpose: `tree.generated_files` makes every file (the same function
`casebook render` writes to disk); this door only hands them to MkDocs.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

import jinja2
import jinja2.bccache
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files

from . import materials, preview, search
from .releases import ReleaseError
from .siteconfig import SiteSettings
from .tree import ASSETS, CSS, JS, PACKAGE, SEARCH_CSS, SEARCH_JS, THEME, edit_paths, generated_files
from .validate import load_casebook

log = logging.getLogger("mkdocs.plugins.casebook")


class CasebookConfig(Config):
    enabled = c.Type(bool, default=True)
    cases_dir = c.Type(str, default="cases")
    # Trainer materials made by `casebook export materials` (relative to mkdocs.yml); absent in a local preview.
    materials = c.Type(str, default=str(materials.DEFAULT_DIR))
    # Cases with problems show them as the page instead of stopping the build (`casebook preview`
    # turns this on through the environment, so mkdocs.yml stays as it is).
    problems_page = c.Type(bool, default=False)


class _MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept in memory for the life of the plugin (across serve rebuilds)."""

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


class CasebookPlugin(BasePlugin[CasebookConfig]):
    def __init__(self):
        super().__init__()
        self.cache: dict = {}  # parsed and checked case files, reused while they do not change
        self.workers = 1
        self.bytecode_cache = _MemoryBytecodeCache()

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Defined so that MkDocs keeps this instance (and its cache) across `mkdocs serve` rebuilds."""
        # A one-off build checks uncached cases on every core; serve's threads rule out forking workers.
        self.workers = (os.cpu_count() or 1) if command == "build" else 1

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return None
        self.cases_dir = (Path(config.config_file_path).parent / self.config.cases_dir).resolve()
        # Our theme overrides come before Material's so they win.
        config.theme.dirs.insert(0, str(THEME))
        config.extra_css = [CSS, SEARCH_CSS, *config.extra_css]
        config.extra_javascript = [JS, SEARCH_JS, *config.extra_javascript]
        return config

    def on_pre_build(self, config: MkDocsConfig) -> None:
        # Load, check and render before MkDocs empties the site folder, so a bad case
        # stops the build with the previous site still in place.
        if not self.config.enabled:
            return
        book, problems = load_casebook(self.cases_dir, cache=self.cache, workers=self.workers)
        if problems and (self.config.problems_page or os.environ.get(preview.ENV_FLAG) == "true"):
            self.generated, self.edit_uris = preview.problem_pages(problems), {}
            self.generated.update({asset: (PACKAGE / asset).read_bytes() for asset in ASSETS})
            log.warning(f"casebook: 案例检查发现 {len(problems)} 个问题，预览页面列出了它们")
            return
        if problems:
            for problem in problems:
                log.error(str(problem))
            raise PluginError(f"案例检查发现 {len(problems)} 个问题，站点没有生成。请按上面的提示修改，或运行 casebook validate 查看。")
        search.add_user_words(book)
        settings = SiteSettings(site_url=config.site_url or "", repo_url=config.repo_url or "",
                                use_directory_urls=config.use_directory_urls, copyright=config.copyright or "",
                                site_name=config.site_name)
        root = Path(config.config_file_path).parent
        try:
            self.generated = generated_files(book, settings, materials_dir=root / self.config.materials)
        except (ReleaseError, materials.MaterialsError) as exc:
            raise PluginError(str(exc)) from None
        self.edit_uris = {page: "../" + path for page, path in edit_paths(book, root).items()}
        log.info(f"casebook: 已加入 {len(book.cases)} 个案例，共 {len(self.generated)} 个生成文件")

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        if not self.config.enabled:
            return files
        for src_uri, content in self.generated.items():
            if src_uri in files:
                files.remove(files.get_file_from_path(src_uri))
            if isinstance(content, Path):  # a large file (a trainer's zip) is copied as it is, not read
                file = File.generated(config, src_uri, abs_src_path=str(content))
            else:
                file = File.generated(config, src_uri, content=content)
            # "编辑此页" on a case page opens its YAML file, not a page that is not in the repository.
            file.edit_uri = self.edit_uris.get(src_uri)
            files.append(file)
        return files

    def on_env(self, env, config: MkDocsConfig, files: Files):
        # `mkdocs serve` makes a new template environment for every rebuild; keeping the compiled
        # theme templates saves recompiling them each time (about a second a save).
        env.bytecode_cache = self.bytecode_cache
        return env

    @event_priority(-50)  # after the search plugin writes its index, before the offline plugin inlines it
    def on_post_build(self, config: MkDocsConfig) -> None:
        if self.config.enabled:
            search.compact_index(Path(config.site_dir))

    def on_serve(self, server, config: MkDocsConfig, builder):
        if self.config.enabled:
            server.watch(str(self.cases_dir))
        return server
