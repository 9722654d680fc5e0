"""`casebook preview`: a small site of the cases being edited, rebuilt in seconds however large cases/ is.

The preview is a temporary project holding only the edited cases, the cases
related to them, the vocabulary and their source texts, built by `mkdocs serve`
with the project's own configuration. A loop copies each saved file into it;
MkDocs notices the copy and rebuilds a site of a few pages instead of thousands.
Under `mkdocs serve` the plugin shows validation problems as the page itself
instead of stopping the build.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

import yaml

from ..site import catalog, routes
from ..authoring import drafting_desk
from ..core import siteconfig
from ..core.files import TAXONOMY_FILE
from ..core.validate import load_casebook

POLL_SECONDS = 0.2


def _source_of(case_file: Path) -> str | None:
    """The source file a case names (relative to cases/), read leniently: the file may be half written."""
    try:
        data = yaml.safe_load(case_file.read_text(encoding="utf-8"))
        relative = data["source"]["file"]
    except Exception:  # noqa: BLE001 - any broken file: fall back to the usual name; the build reports it
        return f"sources/{case_file.stem}.txt"
    return relative if isinstance(relative, str) and ".." not in relative else f"sources/{case_file.stem}.txt"


class Preview:
    """The temporary project and the files it mirrors from the real one."""

    def __init__(self, config_file: Path, cases_dir: Path, edited: list[Path], workdir: Path):
        self.config_file, self.cases_dir, self.edited, self.workdir = config_file, cases_dir, edited, workdir
        self.mirror = workdir / "cases"
        self.related = self._related_files()
        self._seen: dict[Path, tuple | None] = {}
        self._sources: dict[Path, tuple[tuple | None, str | None]] = {}  # case file -> (its stamp, source named)
        self.lock = threading.Lock()  # the drafting desk syncs a new draft at once, beside the polling loop

    @property
    def releases(self) -> list[Path]:
        """The release records (they give the data version and "最后更新" of every page, as in the build);
        listed at each look, so a new release is noticed (a listing reads no file)."""
        releases = self.cases_dir / "releases"
        return sorted(p for p in releases.rglob("*") if p.is_file()) if releases.is_dir() else []

    def _source(self, case_file: Path) -> str | None:
        """The source a case names, parsed again only when the case file's stamp moved."""
        stamp = _stamp(case_file)
        known = self._sources.get(case_file)
        if known is None or known[0] != stamp:
            known = self._sources[case_file] = (stamp, _source_of(case_file))
        return known[1]

    def _related_files(self) -> list[Path]:
        """Case files related to the edited ones in the whole casebook, so their links lead somewhere."""
        if not self.edited:
            return []  # only a source to draft from (casebook preview cases/sources/x.txt): nothing to relate
        book, _ = load_casebook(self.cases_dir)  # warm after the first run: the content cache answers
        if book is None:
            return []  # the edited cases have problems: the preview shows those first
        related = catalog.Related(book)
        slugs = {other["slug"] for path in self.edited for other, _ in related.get(path.stem, [])}
        return [book.files[slug] for slug in sorted(slugs - {p.stem for p in self.edited})]

    def create(self) -> None:
        shutil.copy(self.config_file, self.workdir / self.config_file.name)
        docs = self.config_file.parent / "docs"
        if docs.is_dir():
            shutil.copytree(docs, self.workdir / "docs")
        (self.mirror / "sources").mkdir(parents=True)
        self.sync()

    def watched(self) -> list[tuple[Path, Path]]:
        """(file in the project, its copy in the preview) for everything the preview shows."""
        pairs = [(self.cases_dir / TAXONOMY_FILE, self.mirror / TAXONOMY_FILE)]
        pairs += [(path, self.mirror / path.relative_to(self.cases_dir)) for path in self.releases]
        for case_file in [*self.edited, *self.related]:
            pairs.append((case_file, self.mirror / case_file.name))
            relative = self._source(case_file)
            if relative is not None:
                pairs.append((self.cases_dir / relative, self.mirror / relative))
        return pairs

    def sync(self) -> bool:
        """Copy what changed since the last look; True if anything did."""
        with self.lock:
            return self._sync()

    def _sync(self) -> bool:
        changed = False
        for original, copy in self.watched():
            stamp = _stamp(original)
            if self._seen.get(original, ()) == stamp:
                continue
            self._seen[original] = stamp
            changed = True
            if stamp is None:
                copy.unlink(missing_ok=True)  # deleted in the project: the preview reports it missing
                continue
            copy.parent.mkdir(parents=True, exist_ok=True)
            # Copied beside its target and renamed, so MkDocs never reads half a file.
            tmp = copy.with_name(f".{copy.name}.tmp")
            shutil.copyfile(original, tmp)
            os.replace(tmp, copy)
        return changed


def _stamp(path: Path) -> tuple | None:
    """What tells a changed file from an unchanged one without reading it (None: it is not there).

    An edit moves mtime and ctime even when it keeps the size (and ctime even when mtime is set back);
    an editor that saves by renaming a new file changes the inode.
    """
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def serve(config_file: Path, cases_dir: Path, edited: list[Path], address: str,
          say: Callable[[str], None], stop: Callable[[], bool] = lambda: False) -> int:
    """Run the preview until interrupted (or `stop()` is true); the exit code of the command."""
    # Stopped by a signal as by Ctrl+C: stop MkDocs and remove the temporary project either way.
    signal.signal(signal.SIGTERM, _interrupt)
    with tempfile.TemporaryDirectory(prefix="casebook-preview-") as tmp:
        preview = Preview(config_file.resolve(), cases_dir.resolve(), [p.resolve() for p in edited], Path(tmp))
        preview.create()
        settings = siteconfig.read(config_file)
        site = f"http://{address}{settings.serve_path}"
        desk = drafting_desk.Desk(preview, site, settings.use_directory_urls)
        desk.write_page()
        desk.start()
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        # Run from the preview project, so problems name files as cases/x.yaml, as in the real project.
        server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-q", "-f", config_file.name,
                                   "--dev-addr", address], env=env, cwd=tmp)
        first = desk.address(routes.case(edited[0].stem) if edited else routes.DRAFTS)
        say(f"预览网站：{first}（包含 {len(edited)} 个正在编辑的案例和 "
            f"{len(preview.related)} 个相关案例）。保存文件后页面会在几秒内自动刷新；按 Ctrl+C 结束。")
        desk.announce(say)
        try:
            while server.poll() is None and not stop():
                preview.sync()
                time.sleep(POLL_SECONDS)
        except KeyboardInterrupt:
            pass
        finally:
            desk.stop()
            if server.poll() is None:
                server.terminate()
                try:
                    server.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    server.kill()
        return 0 if stop() or server.returncode in (0, -15) else 1
