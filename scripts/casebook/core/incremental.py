"""Incremental builds: a generated page whose inputs are unchanged keeps the HTML the last build wrote.

MkDocs converts every page on every build. Outside the navigation, a generated page's HTML depends only
on its own Markdown, where its "编辑此页" leads, and what every page shares (the site's settings, the
theme, the navigation, the installed packages and this package's code). A manifest kept in
.cache/casebook/ records, for each such page, the digest of those inputs, the anchors it holds, the
anchors it links to, and the stamp of the file written; the next build hands MkDocs only the pages
whose digest changed and links the others' HTML from the previous site. So the site is byte-for-byte
what a full build writes.

The manifest is signed with the machine's cache key (`cache.signed`), like the content cache: one
committed with a pull request, damaged or made for other settings is ignored, and a previous page
whose file no longer has its recorded stamp is converted again. Either way the result is a full
build of what is in doubt, never a page taken on trust. No MkDocs import here: the door (plugin.py)
passes its files, pages and navigation, and this module reads only their documented attributes.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import cache

FULL_ENV = "CASEBOOK_FULL_BUILD"  # set (e.g. CASEBOOK_FULL_BUILD=1 mkdocs build) to convert every page
FORMAT = 1
PACKAGE = Path(__file__).parent.parent  # the whole casebook package, all sub-packages
MAX_BYTES = 256 * 1024 * 1024  # a manifest larger than this was not written by us


class ReuseError(Exception):
    """The previous site changed while this build was taking pages over from it; the message is Chinese."""


def wanted(config_enabled: bool) -> bool:
    return config_enabled and not os.environ.get(FULL_ENV)


def manifest_path(cases_dir: Path, site_dir: Path) -> Path | None:
    """Where the manifest of the site built into `site_dir` lives (None: no cache, so always full builds)."""
    folder = cache.default_dir(cases_dir)
    if folder is None:
        return None
    name = hashlib.blake2b(os.fsencode(os.path.realpath(site_dir)), digest_size=8).hexdigest()
    return folder / f"site-{name}.manifest"


def fingerprint(config, files, nav, generated: set[str]) -> str | None:
    """Digest of what every page's HTML shares; None if a page's HTML may depend on other pages' content.

    With navigation titles left to MkDocs, they come from the pages themselves, so one page's change
    could change every page: then every build is full.
    """
    if not _titled(config.get("nav")):
        return None
    h = hashlib.blake2b(digest_size=16)
    for part in _shared(config, files, nav, generated):
        h.update(part)
        h.update(b"\0")
    return h.hexdigest()


def _titled(nav) -> bool:
    if not isinstance(nav, list):
        return False
    return all(isinstance(item, dict) and len(item) == 1 and
               (isinstance(value := next(iter(item.values())), str) or _titled(value)) for item in nav)


def _shared(config, files, nav, generated: set[str]):
    yield f"format {FORMAT} {sys.version}".encode()
    yield Path(config.config_file_path).read_bytes()
    settings = {key: config.get(key) for key in ("site_name", "site_url", "site_description", "site_author",
                                                  "repo_url", "repo_name", "edit_uri", "copyright",
                                                  "use_directory_urls", "extra_css", "extra_javascript",
                                                  "extra", "markdown_extensions", "mdx_configs", "nav",
                                                  "validation", "theme")}
    yield json.dumps(settings, sort_keys=True, ensure_ascii=False, default=_plain).encode()
    for folder in config.theme.dirs:  # templates and partials every page is rendered with
        for path in sorted(Path(folder).rglob("*.html")):
            yield path.as_posix().encode() + path.read_bytes()
    for path in sorted(PACKAGE.rglob("*.py")):  # the code that renders and hands over the pages
        yield path.relative_to(PACKAGE).as_posix().encode() + path.read_bytes()
    yield json.dumps(sorted((d.metadata["Name"] or "", d.version) for d in importlib.metadata.distributions()),
                     ensure_ascii=False).encode()
    # Generated pages link to each other and to the hand-written pages: a link resolves only if its
    # target exists, so the set of hand-written pages is shared input (generated targets follow from the data).
    yield "\n".join(sorted(f.src_uri for f in files if f.src_uri not in generated)).encode()
    yield json.dumps(list(_nav_entries(nav.items)), ensure_ascii=False).encode()


def _plain(value) -> object:
    if isinstance(value, dict) or hasattr(value, "items"):
        return {str(k): v for k, v in value.items()}
    return str(value)


def _nav_entries(items):
    for item in items:
        file = getattr(item, "file", None)
        yield [type(item).__name__, item.title, file.src_uri if file else getattr(item, "url", None)]
        yield from _nav_entries(getattr(item, "children", None) or [])


def page_digest(shared: str, src_uri: str, edit_uri: str | None, content: bytes) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in (shared.encode(), src_uri.encode(), (edit_uri or "").encode(), content):
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.hexdigest()


def _stamp(path: Path) -> list[int] | None:
    """(size, mtime, inode) of a regular file: a file rewritten, replaced or restored from elsewhere gets another."""
    try:
        found = os.lstat(path)
    except OSError:
        return None
    return [found.st_size, found.st_mtime_ns, found.st_ino] if stat.S_ISREG(found.st_mode) else None


@dataclass
class Entry:
    digest: str
    dest: str
    stamp: list[int]
    anchors: list[str]
    links: dict[str, dict[str, str]]  # target src_uri -> {anchor: link as written}


def _entry(value) -> Entry | None:
    if not (isinstance(value, list) and len(value) == 5):
        return None
    digest, dest, stamp, anchors, links = value
    shaped = (isinstance(digest, str) and isinstance(dest, str) and _safe_dest(dest)
              and isinstance(stamp, list) and len(stamp) == 3 and all(type(n) is int for n in stamp)
              and isinstance(anchors, list) and all(isinstance(a, str) for a in anchors)
              and isinstance(links, dict) and all(isinstance(t, str) and isinstance(m, dict) and
                                                  all(isinstance(k, str) and isinstance(v, str) for k, v in m.items())
                                                  for t, m in links.items()))
    return Entry(digest, dest, stamp, anchors, links) if shaped else None


def _safe_dest(dest: str) -> bool:
    parts = dest.split("/")
    return bool(dest) and not dest.startswith("/") and "\\" not in dest and all(p not in ("", ".", "..") for p in parts)


def read(path: Path | None, key: bytes | None, shared: str | None) -> dict[str, Entry]:
    """The previous build's pages, or nothing when the manifest is missing, foreign, damaged or for other settings."""
    if path is None or key is None or shared is None:
        return {}
    try:
        if path.stat().st_size > MAX_BYTES:
            return {}
        payload = cache.verified(key, path.read_bytes())
        data = json.loads(bytes(payload)) if payload is not None else None
    except (OSError, ValueError):
        return {}
    if not (isinstance(data, dict) and data.get("format") == FORMAT and data.get("shared") == shared
            and isinstance(data.get("pages"), dict)):
        return {}
    pages = {src: entry for src, value in data["pages"].items() if (entry := _entry(value)) is not None}
    return pages if len(pages) == len(data["pages"]) else {}  # one bad entry: the whole file is in doubt


@dataclass
class Reuse:
    """What one build takes over from the previous one, and what it records for the next."""

    manifest: Path | None
    key: bytes | None
    old_site: Path
    shared: str | None = None
    previous: dict[str, Entry] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)  # generated page outside the nav -> digest now
    kept: dict[str, Entry] = field(default_factory=dict)  # pages whose previous HTML is linked into the site

    def choose(self, config, files, nav, generated: dict, edit_uris: dict[str, str | None]) -> None:
        """Digest every generated page outside the navigation; mark the unchanged ones to be taken over."""
        in_nav = {page.file.src_uri for page in nav.pages}
        candidates = [f for f in files if f.src_uri in generated and f.src_uri.endswith(".md")
                      and f.src_uri not in in_nav]
        self.shared = fingerprint(config, files, nav, set(generated))
        if self.shared is None:
            return
        self.previous = read(self.manifest, self.key, self.shared)
        for file in candidates:
            digest = page_digest(self.shared, file.src_uri, edit_uris.get(file.src_uri), file.content_bytes)
            self.digests[file.src_uri] = digest
            entry = self.previous.get(file.src_uri)
            if (entry and entry.digest == digest and entry.dest == file.dest_uri
                    and all(files.get_file_from_path(target) for target in entry.links)
                    and _stamp(self.old_site / entry.dest) == entry.stamp):
                self.kept[file.src_uri] = entry

    def anchors(self, src_uri: str) -> tuple[set[str], dict[str, dict[str, str]]]:
        entry = self.kept[src_uri]
        return set(entry.anchors), entry.links

    def link(self, site: Path) -> None:
        """Put the previous HTML of every page taken over into the new site (a hard link where the disk allows)."""
        for entry in self.kept.values():
            target = site / entry.dest
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(self.old_site / entry.dest, target)
            except OSError:
                try:
                    shutil.copy2(self.old_site / entry.dest, target)
                except OSError:
                    raise ReuseError(f"上一次构建的网站 {self.old_site} 在这次构建期间被改动或删除了（{entry.dest}）："
                                     f"请重新构建，或设置 {FULL_ENV}=1 完整构建") from None

    def save(self, site: Path, pages: dict[str, tuple[str, set[str], dict[str, dict[str, str]]]]) -> None:
        """Record the pages of the site just committed at `site` ({src_uri: (dest, anchors, links)})."""
        if self.manifest is None or self.key is None or self.shared is None:
            return
        entries = {}
        for src, (dest, anchors, links) in pages.items():
            stamp = _stamp(site / dest)
            if src in self.digests and stamp is not None:
                entries[src] = [self.digests[src], dest, stamp, sorted(anchors), links]
        payload = json.dumps({"format": FORMAT, "shared": self.shared, "pages": entries},
                             ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        try:
            self.manifest.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.manifest.with_name(self.manifest.name + f".{os.getpid()}.tmp")
            temporary.write_bytes(cache.signed(self.key, payload))
            os.replace(temporary, self.manifest)
        except OSError:  # an unwritable cache only makes the next build a full one
            pass
