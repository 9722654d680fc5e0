"""One build of the site, whatever generator converts its pages: what a door does around the generator.

A door (the MkDocs plugin) maps its generator's events to this plain API:

- `stage(site_dir)`: build into a folder beside the site, which replaces it only once the build succeeded;
- `start(settings, root, site_dir)`: load and check the cases, then the generated files (path -> content,
  `STREAMED` for a page another process is still making, a Path for a large file to copy) and where each
  page's "编辑此页" leads; with problems while serving, every page says what to fix instead;
- `streamed(path)`: where a streamed page is on disk, once it has been made;
- `finish(site_dir)`: write what the renderer made last (the search index) into the site;
- `commit(keep)` / `abort()`: swap the staged folder in, or drop it and whatever was spooled.

Failures are `Stopped` (one located line: the door stops without its own traceback) or `Failed`
(a Chinese message the door reports as a build error). No generator is imported here.
"""
from __future__ import annotations

import atexit
import functools
import shutil
from pathlib import Path

from . import routes, training
from ..core import write_failure
from ..core.atomic import SPOOL, StagedFolder, beside, interrupt_on_sigterm
from ..core.parallel import Stream, StreamError
from ..core.releases import ReleaseError
from ..core.siteconfig import SiteSettings
from ..core.validate import load_casebook
from .render import problems_page
from .source_pages import MissingQuote
from .tree import ASSETS, LAYOUT, PACKAGE, RENDERED, TreeError, edit_paths, generated_files, streamed, write_file

QUOTE_JS = "assets/casebook/quote.js"  # quoting by selection on source pages: local previews only
STREAMED = object()  # stands for a file the rendering process makes (see `start`)


class Failed(Exception):
    """The build cannot go on; the message is for the user."""


class Stopped(Failed):
    """A file could not be written: the message is one located line, and nothing else need be said."""


class Build:
    def __init__(self, cases_dir: Path, materials_dir: Path, workers: int, serving: bool, cache: dict):
        self.cases_dir, self.materials_dir, self.workers, self.serving = cases_dir, materials_dir, workers, serving
        self.cache = cache  # parsed and checked case files, reused while they do not change (serve)
        self.staged: StagedFolder | None = None
        self.stream: Stream | None = None
        self.problems: list = []
        self.generated: dict = {}
        self.edit_uris: dict[str, str | None] = {}
        self.reuse_pages = False  # an incremental build: pages an earlier build rendered are taken over
        self.rendered: dict | None = None  # after a streamed build: jobs rendered and reused (tree.RENDERED)

    # --- atomic builds: a failed, interrupted or concurrent build never leaves a broken site ----------------

    def stage(self, site_dir: Path) -> Path:
        """The folder to build into instead of `site_dir`."""
        self.restore_sigterm = interrupt_on_sigterm()  # a terminated build cleans up as an interrupted one does
        try:
            self.staged = StagedFolder(site_dir)
        except OSError as exc:
            self.restore_sigterm()
            raise Stopped(write_failure.line(exc, kept=f"原有的 {site_dir} 保持不变")) from None
        self.site_dir = site_dir
        return self.staged.path

    def commit(self, keep: bool) -> bool:
        """Swap the staged folder in if `keep` (else drop it); True if a site was committed."""
        if self.staged is None:
            return False
        self.restore_sigterm()
        if keep:
            self.staged.commit()
        else:
            self.staged.discard()
        self.staged = None
        return keep

    def abort(self, error: Exception | None = None) -> None:
        """After a failed build: stop the renderer and drop the staged folder; a write failure becomes Stopped."""
        self._drop_stream()
        if self.staged is not None:
            self.restore_sigterm()
            self.staged.discard()
            self.staged = None
            if error is not None and write_failure.is_write_failure(error):
                raise Stopped(write_failure.line(error, kept=f"原有的 {self.site_dir} 保持不变")) from None

    # --- the generated files ----------------------------------------------------------------------------------

    def start(self, settings: SiteSettings, root: Path, site_dir: Path) -> int:
        """Check the cases and lay out the generated files; the number of cases (problems: see self.problems).

        `site_dir` is the site being replaced (not the staged folder): the renderer spools beside it.
        While serving, a build with problems shows them on every page the last good build made."""
        # On several cores the cases are only checked here; another process renders the pages (_start_stream).
        streaming = self.workers > 1
        book, self.problems = load_casebook(self.cases_dir, cache=self.cache if self.serving else None,
                                            workers=self.workers, need_data=not streaming)
        if self.problems:
            if not self.serving:
                raise Failed(f"案例检查发现 {len(self.problems)} 个问题，站点没有生成。请按上面的提示修改，"
                             "或运行 casebook validate 查看。")
            # Serving: show the problems on every page instead of failing the build, which would
            # leave the editor's browser waiting for a site that never comes.
            self._problem_pages()
            return 0
        if streaming:
            edit = self._start_stream(settings, root, site_dir)
        else:
            try:
                self.generated = generated_files(book, settings, materials_dir=self.materials_dir)
            except (ReleaseError, training.MaterialsError, MissingQuote) as exc:
                raise Failed(str(exc)) from None
            edit = edit_paths(book, root)
        if self.serving:
            self.generated[QUOTE_JS] = (PACKAGE / QUOTE_JS).read_bytes()
        self.edit_uris = {page: "../" + path for page, path in edit.items()}
        return len(book.cases)

    def page_markdown(self, src_uri: str) -> str | None:
        """What a page shows instead of its own text: the problems while a case is broken (serving)."""
        # The preview's drafts page stays usable while a case is broken: drafting is how a new case begins.
        if self.problems and src_uri != routes.DRAFTS:
            return problems_page(self.problems)
        return None

    def _start_stream(self, settings: SiteSettings, root: Path, site: Path) -> dict[str, str]:
        """A one-off build: a process of its own reads the cases and renders the pages while the generator
        converts the ones already made; this process learns only their paths (and where "编辑此页" leads).

        Each file waits on disk until the generator reads it, as in a plain build. The search index comes
        last and is written into the site at the end (no page links to its files), so the generator need not
        wait for it.
        """
        # Beside the site, on its disk: a temporary folder may be memory (tmpfs), and a killed build's
        # spool is removed by the next build (atomic._remove_stale).
        self.spool = beside(site, SPOOL)
        self.spool.mkdir(parents=True)
        atexit.register(self._drop_stream)  # Ctrl-C skips the door's error handling, not the interpreter's exit
        produce = functools.partial(streamed, self.cases_dir, settings, self.materials_dir, root, self.spool,
                                    self.reuse_pages)
        self.stream = Stream(produce, expected=(ReleaseError, training.MaterialsError, TreeError, MissingQuote))
        try:
            layout = self.stream.get(LAYOUT)
        except StreamError as exc:
            self._drop_stream()
            raise (Stopped if write_failure.is_line(str(exc)) else Failed)(str(exc)) from None
        self.generated = {path: STREAMED for path in layout["paths"]}
        return layout["edit"]

    def streamed(self, src_uri: str) -> Path:
        """Where the renderer wrote a streamed file (waiting for it if need be)."""
        try:
            return self.stream.get(src_uri)  # type: ignore[union-attr]
        except StreamError as exc:
            if write_failure.is_line(str(exc)):
                raise Stopped(str(exc)) from None
            raise Failed(f"生成 {src_uri} 时出错：{exc}") from None

    def finish(self, site_dir: Path) -> None:
        """Write what the renderer made besides the files laid out (the search index) into the site."""
        if self.stream is None:
            return
        try:
            for path, spooled in self.stream.rest().items():
                if path == RENDERED:
                    self.rendered = spooled
                elif path not in self.generated:  # the search index
                    write_file(site_dir / path, spooled)  # type: ignore[arg-type]
        except StreamError as exc:
            raise Failed(f"生成搜索索引时出错：{exc}") from None
        finally:
            self._drop_stream()

    def _drop_stream(self) -> None:
        """Stop the renderer (if it still runs) and remove the files spooled for this build."""
        if self.stream is not None:
            self.stream.close()
            self.stream = None
            shutil.rmtree(self.spool, ignore_errors=True)

    def _problem_pages(self) -> None:
        """While a case is broken in `mkdocs serve`: the pages the editor may be looking at, all saying what to fix."""
        pages = [src for src in self.generated if src.endswith(".md")] or [
            routes.HOME, routes.CATALOGUE, routes.CATEGORIES, routes.REGIONS, routes.COMPARE, routes.MATRIX,
            routes.OUTCOMES, routes.DATA, routes.FIELDS, routes.GUIDE, training.PAGE]
        # A case file added while serving (a new draft) has no page yet: it gets the problem page too.
        pages += [routes.case(p.stem) for p in sorted(self.cases_dir.glob("*.yaml")) if p.name != "taxonomy.yaml"]
        text = problems_page(self.problems)
        self.generated = {src: text for src in pages}
        for asset in (*ASSETS, QUOTE_JS):
            self.generated[asset] = (PACKAGE / asset).read_bytes()
        self.edit_uris = {}
