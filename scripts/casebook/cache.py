"""A content-hash cache of checked case files, kept in .cache/casebook/ next to cases/.

A case file whose bytes, source text, schema, vocabulary and checking code are
unchanged since the last run gives the same data and the same problems, so
they are reused instead of parsed and checked again. The cache is only an
accelerator: deleting .cache/ (or setting CASEBOOK_NO_CACHE=1) changes no
result, and a cache that cannot be read or written is ignored.
"""
from __future__ import annotations

import hashlib
import json
import marshal
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .problems import Problem

FOLDER = Path(".cache") / "casebook"
INDEX = "index.marshal"
DATA = "data.marshal"
PACKAGE = Path(__file__).parent
MISSING = b""  # the digest recorded for a source file that did not exist or could not be read
NOT_REGULAR = b"-"  # ... and for one that is a link, folder or device


def default_dir(cases_dir: Path) -> Path | None:
    """Where a project's cache lives: beside cases/, in the folder .gitignore already leaves out."""
    if os.environ.get("CASEBOOK_NO_CACHE"):
        return None
    return cases_dir.resolve().parent / FOLDER


def digest(raw: bytes) -> bytes:
    return hashlib.blake2b(raw, digest_size=16).digest()


def context_key(schema: dict, taxonomy_bytes: bytes) -> bytes:
    """What every cached result depends on besides its own files: schema, vocabulary and the checking code."""
    h = hashlib.blake2b(digest_size=16)
    h.update(sys.version.encode())  # marshal's format is per Python version
    h.update(json.dumps(schema, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    h.update(taxonomy_bytes)
    for path in sorted(PACKAGE.glob("*.py")):  # any change to the checks may change a result
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.digest()


def stamp(stat: os.stat_result) -> tuple[int, ...] | None:
    """A file's (ctime, mtime, size, inode) if it is old enough to trust: then an equal stamp means equal content.

    Any write or touch moves ctime (which no program can set back), so an equal
    stamp is an unchanged file; a file changed within the clock's resolution
    of being read could still keep its stamp, so young files are always hashed.
    """
    if stat.st_ctime_ns > time.time_ns() - 2_000_000_000:
        return None
    return stat.st_ctime_ns, stat.st_mtime_ns, stat.st_size, stat.st_ino


@dataclass
class Entry:
    """One case file's checked result, as stored (its data separately, loaded only by builds)."""

    case_digest: bytes
    case_stamp: tuple | None
    source: str | None  # the source file the case names, relative to cases/
    source_digest: bytes | None  # digest of that file when checked (MISSING if absent)
    source_stamp: tuple | None
    problems: list[Problem]
    cross: dict  # the fields the checks across files read (slug, links to other cases) ...
    marks: dict | None  # ... and where they are, so those problems keep their line and column (None: not known yet)
    loaded: bool  # False when the file could not be loaded (it has no data)

    def to_plain(self) -> tuple:
        return (self.case_digest, self.case_stamp, self.source, self.source_digest, self.source_stamp,
                [(p.file, p.line, p.col, p.path, p.message) for p in self.problems], self.cross, self.marks,
                self.loaded)

    @classmethod
    def from_plain(cls, plain: tuple) -> Entry:
        *head, problems, cross, marks, loaded = plain
        return cls(*head, [Problem(*p) for p in problems], cross, marks, loaded)


@dataclass
class Store:
    """Entries by the file's display name, for one context; saved only when something changed."""

    folder: Path | None
    context: bytes
    entries: dict[str, tuple] = field(default_factory=dict)
    changed: bool = False
    _data: dict[str, bytes] | None = None  # name -> marshalled case data, read on first use

    @classmethod
    def open(cls, folder: Path | None, context: bytes) -> Store:
        store = cls(folder, context)
        if folder is None:
            return store
        try:
            saved_context, entries = marshal.loads((folder / INDEX).read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            return store  # absent, unreadable or from another Python: start afresh
        if saved_context == context and isinstance(entries, dict):
            store.entries = entries
        else:
            store.changed = True  # schema, vocabulary or code changed: every entry is stale
        return store

    def get(self, name: str) -> Entry | None:
        plain = self.entries.get(name)
        return Entry.from_plain(plain) if plain is not None else None

    def data(self, name: str) -> dict | None:
        """The case data stored with an entry, or None if the data file is missing or damaged."""
        if self._data is None:
            self._data = {}
            if self.folder is not None:
                try:
                    saved_context, blobs = marshal.loads((self.folder / DATA).read_bytes())
                    if saved_context == self.context and isinstance(blobs, dict):
                        self._data = blobs
                except (OSError, ValueError, EOFError, TypeError):
                    pass
        blob = self._data.get(name)
        try:
            return marshal.loads(blob) if blob is not None else None
        except (ValueError, EOFError, TypeError):
            return None

    def put(self, name: str, entry: Entry, data: dict | None, blob: bytes | None = None) -> None:
        """Keep an entry and its data (`blob`: the data already marshalled, as workers send it)."""
        if self._data is None:
            self.data(name)  # read the stored data first, so saving keeps the other files' data
        self.entries[name] = entry.to_plain()
        if data is not None:
            self._data[name] = blob or marshal.dumps(data)  # type: ignore[index]
        else:
            self._data.pop(name, None)  # type: ignore[union-attr]
        self.changed = True

    def keep_only(self, names: set[str]) -> None:
        """Forget files that no longer exist, so the cache does not grow without bound."""
        stale = self.entries.keys() - names
        for name in stale:
            del self.entries[name]
            if self._data is not None:
                self._data.pop(name, None)
        self.changed = self.changed or bool(stale)

    def save(self) -> None:
        if self.folder is None or not self.changed:
            return
        files = {INDEX: self.entries}
        if self._data is not None:
            files[DATA] = self._data
        for name, content in files.items():
            if not _write(self.folder / name, marshal.dumps((self.context, content))):
                return
        self.changed = False


def _write(target: Path, content: bytes) -> bool:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written beside its target and renamed, so a reader never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    except OSError:
        return False  # a read-only checkout: the next run checks again, with the same results
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
        os.replace(tmp, target)
        return True
    except OSError:
        Path(tmp).unlink(missing_ok=True)  # a full disk: leave no half-written file behind
        return False
