"""The MkDocs door: load and validate the cases, then add the generated files in memory.

Thin on purpose: `tree.generated_files` makes every file (the same function
`casebook render` writes to disk); this door only hands them to MkDocs.
"""
from __future__ import annotations

import atexit
import functools
import logging
import os
import shutil
from pathlib import Path

import jinja2
import jinja2.bccache
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.utils.meta import get_data

from ..exports import materials
from ..site import routes, training
from ..core import write_failure
from ..site.source_pages import MissingQuote
from ..core.atomic import SPOOL, StagedFolder, beside, interrupt_on_sigterm
from ..core.parallel import CAN_FORK, Stream, StreamError
from ..core.releases import ReleaseError
from ..site.render import problems_page
from ..core.siteconfig import SiteSettings
from ..site.tree import (ASSETS, CSS, JS, LAYOUT, PACKAGE, SEARCH_CSS, SEARCH_JS, THEME, TreeError, edit_paths,
                   generated_files, streamed, write_file)
from ..core.validate import load_casebook

log = logging.getLogger("mkdocs.plugins.casebook")
QUOTE_JS = "assets/casebook/quote.js"  # quoting by selection on source pages: local previews only


class _Counter(logging.Handler):
    """Counts warnings and errors, as MkDocs' strict mode does, to know whether the build will be kept."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


_STREAMED = object()  # stands for a file the rendering process makes (_start_stream)


class _StreamedFile(File):
    """A generated file made on another core: MkDocs reads it from disk once it has been made there."""

    stream: Stream | None = None

    @property  # type: ignore[override]
    def _content(self) -> None:
        if self.stream is not None:
            try:
                self.abs_src_path = str(self.stream.get(self.src_uri))
            except StreamError as exc:
                if write_failure.is_line(str(exc)):
                    raise write_failure.Stop(str(exc)) from None
                raise PluginError(f"生成 {self.src_uri} 时出错：{exc}") from None
            self.stream = None
        return None  # read from abs_src_path, as a plain build reads its files

    @_content.setter
    def _content(self, value: str | bytes | None) -> None:
        pass  # set by File.generated, before the stream is given


class CasebookConfig(Config):
    enabled = c.Type(bool, default=True)
    cases_dir = c.Type(str, default="cases")
    # Trainer materials made by `casebook export materials` (relative to mkdocs.yml); absent in a local preview.
    materials = c.Type(str, default=str(materials.DEFAULT_DIR))
    # Cores a one-off build uses to check cases and render pages (0: all of them; 1: none besides MkDocs' own).
    workers = c.Type(int, default=0)


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
        """Also makes MkDocs keep this instance (and its cache) across `mkdocs serve` rebuilds."""
        self.command, self.dirty = command, dirty
        # A one-off build checks cases and renders pages on every core; serve's threads rule out forking.
        self.workers = (os.cpu_count() or 1) if command == "build" and CAN_FORK else 1

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return None
        if self.config.workers and self.workers > 1:
            self.workers = self.config.workers
        self.cases_dir = (Path(config.config_file_path).parent / self.config.cases_dir).resolve()
        # Our theme overrides come before Material's so they win.
        config.theme.dirs.insert(0, str(THEME))
        config.extra_css = [CSS, SEARCH_CSS, *config.extra_css]
        config.extra_javascript = [JS, SEARCH_JS, *config.extra_javascript]
        config.extra["casebook_feed"] = routes.FEED  # the theme links every page to the feed
        if getattr(self, "command", None) == "serve":  # local previews only: never in a built or exported site
            config.extra_javascript.append(QUOTE_JS)
        self._stage(config)
        return config

    # --- atomic builds: a failed, interrupted or concurrent build never leaves a broken site/ ------------

    def _stage(self, config: MkDocsConfig) -> None:
        """Build into a folder beside site/; it replaces site/ only once the whole build succeeded."""
        self.staged = None
        if getattr(self, "command", "build") == "serve" or getattr(self, "dirty", False):
            return  # serve builds into its own temporary folder; a dirty build means to reuse site/
        self.restore_sigterm = interrupt_on_sigterm()  # a terminated build cleans up as an interrupted one does
        try:
            self.staged = StagedFolder(Path(config.site_dir))
        except OSError as exc:
            self.restore_sigterm()
            raise Abort(write_failure.line(exc, kept=f"原有的 {config.site_dir} 保持不变")) from None
        self.site_dir = config.site_dir
        config.site_dir = str(self.staged.path)
        self.warnings = _Counter()
        if config.strict:  # MkDocs aborts a strict build with warnings only after on_post_build
            logging.getLogger("mkdocs").addHandler(self.warnings)

    def _commit(self, config: MkDocsConfig) -> None:
        if not getattr(self, "staged", None):
            return
        logging.getLogger("mkdocs").removeHandler(self.warnings)
        self.restore_sigterm()
        if not self.warnings.count:
            self.staged.commit()
        else:
            self.staged.discard()
        config.site_dir = self.site_dir  # gh-deploy reads it after the build
        self.staged = None

    def on_build_error(self, *, error: Exception) -> None:
        self._drop_stream()
        if getattr(self, "staged", None):
            logging.getLogger("mkdocs").removeHandler(self.warnings)
            self.restore_sigterm()
            self.staged.discard()
            self.staged = None
            if write_failure.is_write_failure(error):  # one line instead of MkDocs' English traceback
                raise Abort(write_failure.line(error, kept=f"原有的 {self.site_dir} 保持不变")) from None

    def on_pre_build(self, config: MkDocsConfig) -> None:
        # Load, check and render before MkDocs empties the site folder, so a bad case
        # stops the build with the previous site still in place.
        if not self.config.enabled:
            return
        # Only `mkdocs serve` builds again: a one-off build keeps no case in memory once its pages are laid out.
        serving = getattr(self, "command", None) == "serve"
        # On several cores the cases are only checked here; another process renders the pages (_start_stream).
        streaming = self.workers > 1
        book, problems = load_casebook(self.cases_dir, cache=self.cache if serving else None, workers=self.workers,
                                       need_data=not streaming)
        self.problems = problems
        if problems:
            for problem in problems:
                log.error(str(problem))
            if serving:
                # Serving: show the problems on every page instead of failing the build, which would
                # leave the editor's browser waiting for a site that never comes.
                self._problem_pages()
                return
            raise PluginError(f"案例检查发现 {len(problems)} 个问题，站点没有生成。请按上面的提示修改，或运行 casebook validate 查看。")
        settings = SiteSettings(site_url=config.site_url or "", repo_url=config.repo_url or "",
                                use_directory_urls=config.use_directory_urls, copyright=config.copyright or "",
                                site_name=config.site_name)
        root = Path(config.config_file_path).parent
        if streaming:
            edit = self._start_stream(settings, root, Path(getattr(self, "site_dir", None) or config.site_dir))
        else:
            try:
                self.generated = generated_files(book, settings, materials_dir=root / self.config.materials)
            except (ReleaseError, training.MaterialsError, MissingQuote) as exc:
                raise PluginError(str(exc)) from None
            edit = edit_paths(book, root)
        if serving:
            self.generated[QUOTE_JS] = (PACKAGE / QUOTE_JS).read_bytes()
        self.edit_uris = {page: "../" + path for page, path in edit.items()}
        log.info(f"casebook: 已加入 {len(book.cases)} 个案例，共 {len(self.generated)} 个生成文件")

    def _start_stream(self, settings: SiteSettings, root: Path, site: Path) -> dict[str, str]:
        """A one-off build: a process of its own reads the cases and renders the pages while MkDocs
        converts the ones already made; this process learns only their paths (and where "编辑此页" leads).

        Each file waits on disk until MkDocs reads it, as in a plain MkDocs build. The search index comes
        last and is written into the site at the end (no page links to its files), so MkDocs need not wait for it.
        """
        # Beside the site, on its disk: a temporary folder may be memory (tmpfs), and a killed build's
        # spool is removed by the next build (atomic._remove_stale).
        self.spool = beside(site, SPOOL)
        self.spool.mkdir(parents=True)
        atexit.register(self._drop_stream)  # Ctrl-C skips on_build_error, not the interpreter's exit
        produce = functools.partial(streamed, self.cases_dir, settings, root / self.config.materials, root, self.spool)
        self.stream = Stream(produce, expected=(ReleaseError, training.MaterialsError, TreeError,
                                                    MissingQuote))
        try:
            layout = self.stream.get(LAYOUT)
        except StreamError as exc:
            self._drop_stream()
            raise (Abort if write_failure.is_line(str(exc)) else PluginError)(str(exc)) from None
        self.generated = {path: _STREAMED for path in layout["paths"]}
        return layout["edit"]

    def _finish_stream(self, config: MkDocsConfig) -> None:
        if getattr(self, "stream", None) is None:
            return
        try:
            for path, spooled in self.stream.rest().items():
                if path not in self.generated:  # the search index
                    write_file(Path(config.site_dir) / path, spooled)  # type: ignore[arg-type]
        except StreamError as exc:
            raise PluginError(f"生成搜索索引时出错：{exc}") from None
        finally:
            self._drop_stream()

    def _drop_stream(self) -> None:
        """Stop the renderer (if it still runs) and remove the files spooled for this build."""
        if getattr(self, "stream", None) is not None:
            self.stream.close()
            self.stream = None
            shutil.rmtree(self.spool, ignore_errors=True)

    def _problem_pages(self) -> None:
        """While a case is broken in `mkdocs serve`: the pages the editor may be looking at, all saying what to fix."""
        pages = [src for src in getattr(self, "generated", {}) if src.endswith(".md")] or [
            routes.HOME, routes.CATALOGUE, routes.CATEGORIES, routes.REGIONS, routes.COMPARE, routes.MATRIX,
            routes.OUTCOMES, routes.DATA, routes.FIELDS, routes.GUIDE, training.PAGE]
        # A case file added while serving (a new draft) has no page yet: it gets the problem page too.
        pages += [routes.case(p.stem) for p in sorted(self.cases_dir.glob("*.yaml")) if p.name != "taxonomy.yaml"]
        text = problems_page(self.problems)
        self.generated = {src: text for src in pages}
        for asset in (*ASSETS, QUOTE_JS):
            self.generated[asset] = (PACKAGE / asset).read_bytes()
        self.edit_uris = {}

    def on_page_markdown(self, markdown: str, *, page, config: MkDocsConfig, files: Files) -> str | None:
        # The preview's drafts page stays usable while a case is broken: drafting is how a new case begins.
        if self.config.enabled and getattr(self, "problems", None) and page.file.src_uri != routes.DRAFTS:
            # Hand-written pages too: the problems are what to see now. MkDocs has read this page's front
            # matter already, so the problem page's own goes into the page's metadata, not its text.
            body, meta = get_data(problems_page(self.problems))
            page.meta = meta
            page.title = meta.get("title", page.title)
            return body
        return markdown

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        if not self.config.enabled:
            return files
        for src_uri, content in self.generated.items():
            if src_uri in files:
                files.remove(files.get_file_from_path(src_uri))
            if content is _STREAMED:
                file = _StreamedFile.generated(config, src_uri, content="")
                file.stream = self.stream
            elif isinstance(content, Path):  # a large file (a trainer's zip) is copied as it is, not read
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

    @event_priority(-100)  # last: every plugin has written its files into the staged folder
    def on_post_build(self, config: MkDocsConfig) -> None:
        self._finish_stream(config)
        self._commit(config)

    def on_serve(self, server, config: MkDocsConfig, builder):
        if self.config.enabled:
            server.watch(str(self.cases_dir))
        return server
