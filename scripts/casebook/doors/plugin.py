"""The MkDocs door: maps MkDocs' events to one build of the site (site/build.py) and hands MkDocs its files.

Thin on purpose: `site.build` stages the output folder, checks the cases, lays out the generated files
(streamed from another core on a one-off build) and shows the problems while serving; this door adds
those files in memory, takes unchanged pages over for an incremental build (core/incremental.py), and
turns failures into MkDocs' Abort (one located line) or PluginError.
"""
from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import jinja2
import jinja2.bccache
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils.meta import get_data

from ..exports import materials
from ..site import build, routes
from ..core import cache, incremental, write_failure
from ..core.parallel import CAN_FORK
from ..core.siteconfig import SiteSettings
from ..site.tree import CSS, JS, SEARCH_CSS, SEARCH_JS, THEME

log = logging.getLogger("mkdocs.plugins.casebook")


class _Counter(logging.Handler):
    """Counts warnings and errors, as MkDocs' strict mode does, to know whether the build will be kept."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def _not_a_page() -> bool:
    return False


class _NotSkipped(logging.Filter):
    """Drops MkDocs' "Page skipped" line for the pages an incremental build takes over."""

    def __init__(self, kept: dict):
        super().__init__()
        self.kept = kept

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        return not (message.startswith("Page skipped: '") and message.split("'")[1] in self.kept)


class _StreamedFile(File):
    """A generated file made on another core: MkDocs reads it from disk once it has been made there."""

    build: build.Build | None = None

    @property  # type: ignore[override]
    def _content(self) -> None:
        if self.build is not None:
            try:
                self.abs_src_path = str(self.build.streamed(self.src_uri))
            except build.Stopped as exc:
                raise write_failure.Stop(str(exc)) from None
            except build.Failed as exc:
                raise PluginError(str(exc)) from None
            self.build = None
        return None  # read from abs_src_path, as a plain build reads its files

    @_content.setter
    def _content(self, value: str | bytes | None) -> None:
        pass  # set by File.generated, before the stream is given

    def copy_file(self, dirty: bool = False) -> None:
        """A download or script is linked from the spool beside the site (same disk), not copied byte by byte."""
        self._content  # waits until the renderer has made the file and points abs_src_path at it
        try:
            os.makedirs(os.path.dirname(self.abs_dest_path), exist_ok=True)
            os.link(self.abs_src_path, self.abs_dest_path)
        except OSError:
            super().copy_file(dirty)


def _mkdocs_errors(work, *args):
    """work(*args), its failures as MkDocs reports them: a located line stops the build, others are errors."""
    try:
        return work(*args)
    except build.Stopped as exc:
        raise Abort(str(exc)) from None
    except build.Failed as exc:
        raise PluginError(str(exc)) from None


class CasebookConfig(Config):
    enabled = c.Type(bool, default=True)
    cases_dir = c.Type(str, default="cases")
    # Trainer materials made by `casebook export materials` (relative to mkdocs.yml); absent in a local preview.
    materials = c.Type(str, default=str(materials.DEFAULT_DIR))
    # Cores a one-off build uses to check cases and render pages (0: all of them; 1: none besides MkDocs' own).
    workers = c.Type(int, default=0)
    # Convert only the generated pages whose inputs changed since the last build (false: always all of them).
    incremental = c.Type(bool, default=True)


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
        self.reuse: incremental.Reuse | None = None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Also makes MkDocs keep this instance (and its cache) across `mkdocs serve` rebuilds."""
        self.command, self.dirty = command, dirty
        # A one-off build checks cases and renders pages on every core; serve's threads rule out forking.
        self.workers = (os.cpu_count() or 1) if command == "build" and CAN_FORK else 1

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return None
        if self.config.workers and self.workers > 1:
            self.workers = self.config.workers
        root = Path(config.config_file_path).parent
        self.cases_dir = (root / self.config.cases_dir).resolve()
        serving = getattr(self, "command", None) == "serve"
        if getattr(self, "build", None) is None:  # one for the plugin's life: serve's rebuilds keep what it knows
            self.build = build.Build(self.cases_dir, root / self.config.materials, self.workers, serving, self.cache)
        # Our theme overrides come before Material's so they win.
        config.theme.dirs.insert(0, str(THEME))
        config.extra_css = [CSS, SEARCH_CSS, *config.extra_css]
        config.extra_javascript = [JS, SEARCH_JS, *config.extra_javascript]
        config.extra["casebook_feed"] = routes.FEED  # the theme links every page to the feed
        if serving:  # local previews only: never in a built or exported site
            config.extra_javascript.append(build.QUOTE_JS)
        self._stage(config)
        return config

    # --- atomic builds: a failed, interrupted or concurrent build never leaves a broken site/ ------------

    def _stage(self, config: MkDocsConfig) -> None:
        """Build into a folder beside site/; it replaces site/ only once the whole build succeeded."""
        self.staged = False
        if getattr(self, "command", "build") == "serve" or getattr(self, "dirty", False):
            return  # serve builds into its own temporary folder; a dirty build means to reuse site/
        self.site_dir = config.site_dir
        config.site_dir = str(_mkdocs_errors(self.build.stage, Path(config.site_dir)))
        self.staged = True
        self.warnings = _Counter()
        if config.strict:  # MkDocs aborts a strict build with warnings only after on_post_build
            logging.getLogger("mkdocs").addHandler(self.warnings)

    def _commit(self, config: MkDocsConfig) -> bool:
        if not getattr(self, "staged", False):
            return False
        logging.getLogger("mkdocs").removeHandler(self.warnings)
        kept = self.build.commit(not self.warnings.count)
        config.site_dir = self.site_dir  # gh-deploy reads it after the build
        self.staged = False
        return kept

    def on_build_error(self, *, error: Exception) -> None:
        self._quiet(False)
        if getattr(self, "staged", False):
            logging.getLogger("mkdocs").removeHandler(self.warnings)
            self.staged = False
        if hasattr(self, "build"):
            _mkdocs_errors(self.build.abort, error)

    def on_pre_build(self, config: MkDocsConfig) -> None:
        # Load, check and render before MkDocs empties the site folder, so a bad case
        # stops the build with the previous site still in place.
        if not self.config.enabled:
            return
        settings = SiteSettings(site_url=config.site_url or "", repo_url=config.repo_url or "",
                                use_directory_urls=config.use_directory_urls, copyright=config.copyright or "",
                                site_name=config.site_name)
        root = Path(config.config_file_path).parent
        site = Path(getattr(self, "site_dir", None) or config.site_dir)
        had_problems = bool(self.build.problems)
        self.build.reuse_pages = getattr(self, "staged", False) and incremental.wanted(self.config.incremental)
        try:
            cases = _mkdocs_errors(self.build.start, settings, root, site)
        finally:
            for problem in self.build.problems:
                log.error(str(problem))
        if self.build.problems:
            return
        if had_problems:
            # Serving, where `casebook preview` shows only errors: say it to the editor directly, or the
            # terminal's last word stays the error already fixed.
            print("casebook: 问题已全部改好，检查通过，页面恢复显示案例内容", file=sys.stderr, flush=True)
        if self.build.reuse_pages:
            self.reuse = incremental.Reuse(incremental.manifest_path(self.cases_dir, Path(self.site_dir)),
                                           cache.machine_key(root), Path(self.site_dir))
        log.info(f"casebook: 已加入 {cases} 个案例，共 {len(self.build.generated)} 个生成文件")

    def on_page_markdown(self, markdown: str, *, page, config: MkDocsConfig, files: Files) -> str | None:
        shown = self.build.page_markdown(page.file.src_uri) if self.config.enabled else None
        if shown is not None:
            # Hand-written pages too: the problems are what to see now. MkDocs has read this page's front
            # matter already, so the problem page's own goes into the page's metadata, not its text. The
            # window title says 案例检查发现问题; page.title, which the menu shows, stays the page's own.
            body, meta = get_data(shown)
            page.meta = meta
            return body
        return markdown

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        if not self.config.enabled:
            return files
        for src_uri, content in self.build.generated.items():
            if src_uri in files:
                files.remove(files.get_file_from_path(src_uri))
            if content is build.STREAMED:
                file = _StreamedFile.generated(config, src_uri, content="")
                file.build = self.build
            elif isinstance(content, Path):  # a large file (a trainer's zip) is copied as it is, not read
                file = File.generated(config, src_uri, abs_src_path=str(content))
            else:
                file = File.generated(config, src_uri, content=content)
            # "编辑此页" on a case page opens its YAML file, not a page that is not in the repository.
            file.edit_uri = self.build.edit_uris.get(src_uri)
            files.append(file)
        return files

    def on_env(self, env, config: MkDocsConfig, files: Files):
        # `mkdocs serve` makes a new template environment for every rebuild; keeping the compiled
        # theme templates saves recompiling them each time (about a second a save).
        env.bytecode_cache = self.bytecode_cache
        if self.reuse is not None:
            self._restore_kept(files, config)
        return env

    # --- incremental builds: unchanged generated pages keep their previous HTML (incremental.py) ---------

    @event_priority(-100)  # last: the navigation is final
    def on_nav(self, nav, config: MkDocsConfig, files: Files):
        if self.reuse is not None:
            self.reuse.choose(config, files, nav, self.build.generated, self.build.edit_uris)
            for file in files:
                if file.src_uri in self.reuse.kept:  # MkDocs neither reads nor converts it
                    file.is_documentation_page = _not_a_page  # type: ignore[method-assign]
            self.files = files
            log.info(f"casebook: 增量构建，沿用 {len(self.reuse.kept)} 个未变的页面"
                     f"（完整构建：{incremental.FULL_ENV}=1）")
            self._quiet(True)
        return nav

    def _restore_kept(self, files: Files, config: MkDocsConfig) -> None:
        """Pages again (for the sitemap and anchor checks), rendered by an empty template: nothing is written."""
        for file in files:
            if file.src_uri in self.reuse.kept:
                del file.is_documentation_page
                page = file.page or Page(None, file, config)
                page.meta = {"template": "casebook-unchanged.html"}
                anchors, links = self.reuse.anchors(file.src_uri)
                page.present_anchor_ids = anchors
                page.links_to_anchors = {files.get_file_from_path(t): dict(m) for t, m in links.items()}

    def _page_records(self) -> dict:
        pages = {}
        for src in self.reuse.digests:
            file = self.files.get_file_from_path(src)
            if file is not None and file.page is not None:
                links = {t.src_uri: dict(m) for t, m in (file.page.links_to_anchors or {}).items()}
                pages[src] = (file.dest_uri, file.page.present_anchor_ids or set(), links)
        return pages

    def _quiet(self, on: bool) -> None:
        """MkDocs logs each page it writes nothing for; the pages taken over are counted once instead."""
        logger = logging.getLogger("mkdocs.commands.build")
        for found in [f for f in logger.filters if isinstance(f, _NotSkipped)]:
            logger.removeFilter(found)
        if on and self.reuse is not None:
            logger.addFilter(_NotSkipped(self.reuse.kept))

    @event_priority(-100)  # last: every plugin has written its files into the staged folder
    def on_post_build(self, config: MkDocsConfig) -> None:
        if self.reuse is not None:
            self._quiet(False)
            try:
                self.reuse.link(Path(config.site_dir))
            except incremental.ReuseError as exc:
                raise PluginError(str(exc)) from None
        _mkdocs_errors(self.build.finish, Path(config.site_dir))
        if self.build.reuse_pages and self.build.rendered:
            counts = self.build.rendered
            log.info(f"casebook: 生成页面 {counts['jobs']} 组，其中 {counts['reused']} 组沿用上次构建生成的内容")
        if self._commit(config) and self.reuse is not None:
            self.reuse.save(Path(self.site_dir), self._page_records())

    def on_serve(self, server, config: MkDocsConfig, builder):
        if self.config.enabled:
            server.watch(str(self.cases_dir))
        return server
