"""The generator-neutral core of the site: every file the casebook adds, and the whole documentation tree.

`generated_files` is what the MkDocs plugin adds in memory; `write_tree` writes
the same files, the hand-written pages, the theme overrides and a manifest to a
folder, so any generator that reads a Markdown tree (MkDocs without our plugin,
Zensical) can build the site. No MkDocs import here.
"""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from . import training
from . import routes, search, sharecard
from ..core import cache
from ..core.model import Casebook
from ..core.parallel import fork_map
from .jobs import Job
from .render import SiteRenderer
from .render_cache import PageCache
from ..core.safety import RealPaths
from ..core.siteconfig import SiteSettings
from ..core.validate import load_casebook

PACKAGE = Path(__file__).parent.parent  # templates/, assets/ and data/ sit at the package's top
THEME = PACKAGE / "templates" / "theme"
CSS = "assets/casebook/casebook.css"
JS = "assets/casebook/casebook.js"
SHIM = "assets/casebook/iframe-worker-shim.js"  # Material's offline plugin adds a CDN copy without it
SEARCH_CSS = "assets/casebook/search.css"
SEARCH_JS = "assets/casebook/search.js"  # the site's search (search.py writes its index)
OG_IMAGE = "assets/casebook/og.png"  # the picture a shared link shows (Open Graph)
ICON = "assets/casebook/icon.svg"  # the casebook's own site icon and header logo (mkdocs.yml names them)
LOGO = "assets/casebook/logo.svg"
ASSETS = (CSS, JS, SHIM, SEARCH_CSS, SEARCH_JS, OG_IMAGE, ICON, LOGO)
MANIFEST = "casebook-tree.json"
JIEBA_WORDS = "jieba-words.txt"


class TreeError(Exception):
    """The tree cannot be written where asked; the message says why, in Chinese."""


DEFAULT_SETTINGS = SiteSettings(site_url="", repo_url="", use_directory_urls=True, copyright="")

# A generated file's content, or (for large files such as a trainer's zip) the file to copy as it is.
Content = str | bytes | Path


@dataclass
class Plan:
    """Every file the casebook adds, laid out: those made at once, and those still to make.

    The search index comes last: it reads the guide pages, and its chunks are named by their content.
    """

    book: Casebook
    use_directory_urls: bool
    ready: dict[str, Content]
    jobs: list[Job]
    pages: PageCache  # files of keyed jobs and rows an earlier build rendered (no folder: render all)

    def paths(self) -> list[str]:
        """Every path produce() gives, in its order, but those of the search index (named by their content)."""
        made = [path for job in self.jobs for path in job.paths]
        return ([path for path in made if _page(path)] + [path for path in self.ready if _page(path)]
                + [path for path in made if not _page(path)] + [path for path in self.ready if not _page(path)])

    def produce(self, spool: Path | None = None) -> Iterator[tuple[str, Content]]:
        """(path, content) of each page as it is made, then of the other files, then of the search index.

        A generator reads pages first and copies other files after, so those wait. With a `spool`
        folder every file is written there as soon as it is made and given as the Path of that copy:
        then neither this process nor the generator's holds what waits to be read.
        """
        def kept(path: str, content: Content) -> Content:
            if spool is None or isinstance(content, Path):
                return content
            write_file(spool / path, content)
            return spool / path

        guides: dict[str, Content] = {src: self.ready[src] for src in search.TEXT_PAGES if src in self.ready}
        later: list[tuple[str, Content]] = []
        for job in self.jobs:
            for path, content in self.pages.files(job).items():
                if path in search.TEXT_PAGES:
                    guides[path] = content
                if _page(path):
                    yield path, kept(path, content)
                else:
                    later.append((path, kept(path, content)))
        for path, content in self.ready.items():
            if _page(path):
                yield path, kept(path, content)
        yield from later
        for path, content in self.ready.items():
            if not _page(path):
                yield path, kept(path, content)
        for path, content in self.index(guides).items():
            yield path, kept(path, content)
        self.pages.prune()

    def index(self, files: dict[str, Content]) -> dict[str, str]:
        return search.index_files(self.book, self.use_directory_urls, search.text_pages(files, self.use_directory_urls),
                                  self.pages.kept)


def _page(path: str) -> bool:
    return path.endswith(".md")


def plan(book: Casebook, settings: SiteSettings | None = None, materials_dir: Path | None = None,
         offline: bool = False, pages: PageCache | None = None) -> Plan:
    """What generated_files makes, before the pages are rendered.

    `materials_dir` holds the trainer materials `casebook export materials` made (listed on the
    培训资料 page); an offline site never carries them (no zip inside the zip).
    """
    settings = settings or DEFAULT_SETTINGS
    renderer = SiteRenderer(book, settings.use_directory_urls, settings.site_url, settings.site_name, pages)
    ready, jobs = renderer.plan()
    manifest = None if offline or materials_dir is None else training.read_manifest(materials_dir)
    ready.update(training.site_files(manifest))
    ready[training.PAGE] = training.page(renderer.render, manifest, offline, settings.site_url)
    for asset in ASSETS:
        ready[asset] = (PACKAGE / asset).read_bytes()
    jobs += sharecard.jobs(book, settings.site_name)
    return Plan(book, settings.use_directory_urls, ready, jobs, renderer.pages)


def generated_files(book: Casebook, settings: SiteSettings | None = None, materials_dir: Path | None = None,
                    offline: bool = False, workers: int = 1, search_index: bool = True) -> dict[str, Content]:
    """Site-relative path -> content for every page, download and asset the casebook adds.

    `workers` > 1 renders the pages on that many cores (never from a process with threads).
    """
    work = plan(book, settings, materials_dir, offline)
    files: dict[str, Content] = {}
    for made in fork_map(Job.files, work.jobs, workers):
        files.update(made)
    files.update(work.ready)
    if search_index:  # page sizes alone (page_sizes.py) need no index
        files.update(work.index(files))
    return files


LAYOUT = "\0layout"  # the first item streamed() gives
RENDERED = "\0rendered"  # the last: how many jobs were rendered and how many taken from the render cache


def streamed(cases_dir: Path, settings: SiteSettings, materials_dir: Path | None, root: Path,
             spool: Path, reuse: bool = False) -> Iterator[tuple[str, object]]:
    """A one-off build's files, for a process of their own: the layout first (every path but the
    search index's, and where "编辑此页" leads), then each file as Plan.produce gives it.

    It reads the casebook itself (from the content cache the build's check has just filled),
    so the process that runs the site generator never holds the cases. With `reuse` (an incremental
    build), pages whose inputs an earlier build rendered are taken from the render cache.
    """
    book, problems = load_casebook(cases_dir)
    if problems:
        raise TreeError("案例在检查之后又被修改，出现了问题：" + "；".join(map(str, problems[:3])))
    pages = PageCache(cache.default_dir(cases_dir), cache.machine_key(root)) if reuse else None
    work = plan(book, settings, materials_dir, pages=pages)
    yield LAYOUT, {"paths": work.paths(), "edit": edit_paths(book, root)}
    yield from work.produce(spool)
    yield RENDERED, {"jobs": work.pages.jobs, "reused": work.pages.hits}


def write_file(target: Path, content: Content) -> None:
    """A generated file on disk, with the folders it needs."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            shutil.copyfile(content, target)
        elif isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    except OSError as exc:
        exc.filename = exc.filename or str(target)  # a full disk's write() names no file: say which
        raise


def edit_paths(book: Casebook, root: Path) -> dict[str, str]:
    """Generated case page -> its YAML file relative to the project root (where "编辑此页" should lead)."""
    pages = {routes.case(slug): path for slug, path in book.files.items()}
    # A source page's "编辑此页" opens the kept text it shows.
    pages.update({routes.source_page(file): book.cases_dir / file for file in book.sources})
    base, real = os.path.realpath(root) + os.sep, RealPaths()
    return {page: Path(found[len(base):]).as_posix() for page, path in pages.items()
            if (found := real(path)).startswith(base)}


def _replace_docs(docs: Path | None, files: dict, partial: Path, target: Path) -> None:
    """The hand-written pages and the generated files written beside `target`, then put in its place."""
    if partial.exists():
        shutil.rmtree(partial)
    if docs is not None and docs.is_dir():
        shutil.copytree(docs, partial)
    for path, content in files.items():
        write_file(partial / path, content)
    if target.exists():
        shutil.rmtree(target)
    partial.rename(target)


def _manifest(book: Casebook, settings: SiteSettings, root: Path | None) -> dict:
    """What a generator's configuration must name to build the tree (casebook-tree.json)."""
    return {
        "docs_dir": "docs",
        "theme_dir": "theme",
        "extra_css": [CSS, SEARCH_CSS],
        "extra_javascript": [JS, SEARCH_JS],
        "offline_polyfills": [SHIM],
        "extra": {"casebook_feed": routes.FEED},  # what the theme overrides read from the configuration's extra
        "jieba_dict_user": JIEBA_WORDS,
        "use_directory_urls": settings.use_directory_urls,
        "edit_paths": edit_paths(book, root) if root else {},
        "cases": len(book.cases),
    }


def write_tree(book: Casebook, docs: Path | None, out: Path, settings: SiteSettings | None = None,
               root: Path | None = None, materials_dir: Path | None = None, offline: bool = False) -> dict:
    """Write the complete documentation tree into `out` and return its manifest.

    out/docs/   the hand-written pages (copied from `docs`) and every generated file
    out/theme/  theme overrides (a generator's custom templates folder)
    out/jieba-words.txt   words the Chinese search segmenter must keep whole
    out/casebook-tree.json  the manifest: what a generator's configuration must name
    """
    target = out / "docs"
    if target.exists() and not (out / MANIFEST).is_file():
        raise TreeError(f"{out} 里已有 docs 目录，但不是 casebook render 写的：为免覆盖，请换一个输出目录")
    settings = settings or DEFAULT_SETTINGS
    # Render before touching the folder: a failure leaves the old tree whole.
    files = generated_files(book, settings, materials_dir, offline)
    _replace_docs(docs, files, out / ".docs-partial", target)
    shutil.copytree(THEME, out / "theme", dirs_exist_ok=True)
    (out / JIEBA_WORDS).write_text("".join(f"{w} 200000\n" for w in search.user_words(book)), encoding="utf-8")
    manifest = _manifest(book, settings, root)
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest
