"""A content-hash cache of checked case files, kept in .cache/casebook/ next to cases/.

A case file whose bytes, source text, schema, vocabulary and checking code are
unchanged since the last run gives the same data and the same problems, so
they are reused instead of parsed and checked again. The cache is only an
accelerator: deleting .cache/ (or setting CASEBOOK_NO_CACHE=1) changes no
result, and a cache that cannot be read or written is ignored.

A pull request can commit a .cache/ of its own, so a stored result is believed only if this
machine wrote it: every file is signed with a key kept outside the repository (CASEBOOK_CACHE_KEY,
else a random key made on first use in ~/.cache/casebook/, readable by its owner only). A file
signed with another key, unsigned or damaged is ignored, and an entry of the wrong shape is
checked again: the cache can make a check faster, never make it pass.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import marshal
import os
import secrets
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .problems import Problem

FOLDER = Path(".cache") / "casebook"
INDEX = "index.marshal"
DATA = "data.marshal"
PACKAGE = Path(__file__).parent.parent  # templates/, assets/ and data/ sit at the package's top
KEY_ENV = "CASEBOOK_CACHE_KEY"  # CI runners without a lasting home folder may set the key here
MAGIC = b"casebook-cache-signed-1\n"
MAC_BYTES = 32
MISSING = b""  # the digest recorded for a source file that did not exist or could not be read
NOT_REGULAR = b"-"  # ... and for one that is a link, folder or device


def default_dir(cases_dir: Path) -> Path | None:
    """Where a project's cache lives: beside cases/, in the folder .gitignore already leaves out."""
    if os.environ.get("CASEBOOK_NO_CACHE"):
        return None
    return cases_dir.resolve().parent / FOLDER


def machine_key(project: Path) -> bytes | None:
    """The secret that signs this machine's cache files, or None (then no cache is used).

    Never a file inside the project: one there could have come with the pull request.
    """
    value = os.environ.get(KEY_ENV)
    if value:
        return hashlib.blake2b(value.encode("utf-8", "surrogateescape"), digest_size=MAC_BYTES).digest()
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    path = home / "casebook" / "key"
    try:
        if path.resolve().is_relative_to(project.resolve()):
            return None
        return _read_key(path) or _new_key(path)
    except (OSError, RuntimeError):  # no home folder, a read-only one, a link loop: check without a cache
        return None


def _read_key(path: Path) -> bytes | None:
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        return None
    if len(key) != MAC_BYTES:
        raise OSError(f"{path} is not a cache key")
    return key


def _new_key(path: Path) -> bytes:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_bytes(MAC_BYTES)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another run made it meanwhile: use theirs
        return _read_key(path) or key
    with os.fdopen(fd, "wb") as out:
        out.write(key)
    return key


def _mac(key: bytes, payload: bytes | memoryview) -> bytes:
    return hashlib.blake2b(payload, key=key, digest_size=MAC_BYTES).digest()


def signed(key: bytes, payload: bytes) -> bytes:
    return MAGIC + _mac(key, payload) + payload


def verified(key: bytes, content: bytes) -> memoryview | None:
    """The payload of a file this machine signed, else None."""
    head = len(MAGIC) + MAC_BYTES
    if not content.startswith(MAGIC) or len(content) < head:
        return None
    payload = memoryview(content)[head:]  # not copied: the data file is tens of MB at thousands of cases
    return payload if hmac.compare_digest(content[len(MAGIC):head], _mac(key, payload)) else None


def digest(raw: bytes) -> bytes:
    return hashlib.blake2b(raw, digest_size=16).digest()


def context_key(schema: dict, taxonomy_bytes: bytes) -> bytes:
    """What every cached result depends on besides its own files: schema, vocabulary and the checking code."""
    h = hashlib.blake2b(digest_size=16)
    h.update(sys.version.encode())  # marshal's format is per Python version
    h.update(json.dumps(schema, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    h.update(taxonomy_bytes)
    for path in checking_code():  # any change to the checks may change a result
        h.update(path.relative_to(PACKAGE).as_posix().encode())
        h.update(path.read_bytes())
    return h.digest()


def checking_code() -> list[Path]:
    """Every module of the package (the checks live in core/, and what they import may move between folders)
    and the data they read besides the case, such as the gazetteer."""
    modules = [p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts]
    return sorted(modules + list((PACKAGE / "data").glob("*.yaml")))


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
    def from_plain(cls, plain: object) -> Entry | None:
        """The entry, or None if `plain` is not shaped as to_plain() makes one (then the file is checked again)."""
        if not (isinstance(plain, tuple) and len(plain) == 9):
            return None
        case_digest, case_stamp, source, source_digest, source_stamp, problems, cross, marks, loaded = plain
        if not (isinstance(case_digest, bytes) and _stamp_shaped(case_stamp) and _stamp_shaped(source_stamp)
                and (source is None or isinstance(source, str) and "\0" not in source)
                and (source_digest is None or isinstance(source_digest, bytes)) and isinstance(loaded, bool)
                and isinstance(problems, list) and all(map(_problem_shaped, problems))
                and isinstance(cross, dict) and all(isinstance(k, str) for k in cross)
                and (marks is None or isinstance(marks, dict) and all(map(_mark_shaped, marks.items())))
                and (not loaded or problems or _cross_shaped(cross))):
            return None
        return cls(case_digest, case_stamp, source, source_digest, source_stamp,
                   [Problem(*p) for p in problems], cross, marks, loaded)


def _stamp_shaped(value: object) -> bool:
    return value is None or isinstance(value, tuple) and len(value) == 4 and all(type(v) is int for v in value)


def _problem_shaped(value: object) -> bool:
    return (isinstance(value, tuple) and len(value) == 5 and [type(v) for v in value] == [str, int, int, str, str])


def _cross_shaped(cross: dict) -> bool:
    """What the checks across files take for granted in a case that passed: a slug, former slugs as text."""
    formers = cross.get("former_slugs", [])
    return isinstance(cross.get("slug"), str) and isinstance(formers, list) and all(isinstance(f, str) for f in formers)


def _mark_shaped(item: tuple) -> bool:
    path, mark = item
    return (isinstance(path, tuple) and all(type(p) in (str, int) for p in path)
            and isinstance(mark, tuple) and len(mark) == 2 and all(type(v) is int for v in mark))


@dataclass
class Store:
    """Entries by the file's display name, for one context; saved only when something changed."""

    folder: Path | None
    context: bytes
    key: bytes = b""  # signs what is saved; files signed otherwise are not read
    entries: dict[str, tuple] = field(default_factory=dict)
    changed: bool = False
    _data: dict[str, bytes] | None = None  # name -> marshalled case data, read on first use

    @classmethod
    def open(cls, folder: Path | None, context: bytes, project: Path | None = None) -> Store:
        """The store in `folder`; none (nothing read or saved) without a key to sign it with."""
        key = machine_key(project or folder.parent) if folder is not None else None
        if folder is None or key is None:
            return cls(None, context)
        store = cls(folder, context, key)
        saved = store._read(INDEX)
        if saved is None:
            store.changed = (folder / INDEX).exists()  # unsigned, another machine's or damaged: replace it
        elif saved[0] == context and isinstance(saved[1], dict):
            store.entries = saved[1]
        else:
            store.changed = True  # schema, vocabulary or code changed: every entry is stale
        return store

    def _read(self, name: str) -> tuple | None:
        """(context, content) of a file this machine signed, else None."""
        try:
            payload = verified(self.key, (self.folder / name).read_bytes())  # type: ignore[operator]
            saved = marshal.loads(payload) if payload is not None else None
        except (OSError, ValueError, EOFError, TypeError):
            return None  # absent, unreadable or from another Python
        return saved if isinstance(saved, tuple) and len(saved) == 2 else None

    def get(self, name: str) -> Entry | None:
        plain = self.entries.get(name)
        return Entry.from_plain(plain) if plain is not None else None

    def data(self, name: str) -> dict | None:
        """The case data stored with an entry, or None if the data file is missing or damaged."""
        if self._data is None:
            self._data = {}
            saved = self._read(DATA) if self.folder is not None else None
            if saved is not None and saved[0] == self.context and isinstance(saved[1], dict):
                self._data = saved[1]
        blob = self._data.get(name)
        try:
            data = marshal.loads(blob) if isinstance(blob, bytes) else None
        except (ValueError, EOFError, TypeError):
            return None
        return data if isinstance(data, dict) else None

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
            if not _write(self.folder / name, signed(self.key, marshal.dumps((self.context, content)))):
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
