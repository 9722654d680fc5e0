"""Checking many case files at once: in parallel on several cores, reusing the cache of earlier runs.

The disk store (cache.py) keeps each file's result keyed by its bytes, its source's and the vocabulary's;
a dict kept by `mkdocs serve` keeps results in memory between rebuilds.
"""
from __future__ import annotations

import marshal
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from . import cache as cache_module
from . import gazetteer
from .files import TAXONOMY_FILE, display_name
from .load import MAX_BYTES, Document, LoadError, decode, parse, read_bounded, read_bytes
from .parallel import fork_map
from .problems import Problem
from .rules import CaseChecker, field_at
from .schema import Taxonomy

def stamp_of(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


@dataclass
class _Checked:
    """One file's result, reused by `mkdocs serve` until the file, its source or the vocabulary changes."""

    stamps: tuple
    doc: Document | None
    problems: list[Problem]
    source: str | None = None  # the source file it names, relative to cases/
    source_stamp: tuple | None = None  # None also when that file is missing, so adding it is noticed
    source_text: str | None = None


_WHEN_READ = b"?"  # stands for a digest not taken yet


def _fresh(run: Run, path: Path) -> tuple:
    """Parse and check one file: its document (None if unreadable), problems and source file, with the
    digests the store keeps (taken here, so that workers take them in parallel)."""
    name, case_digest = display_name(path), None  # no digest: a file refused unread is not stored
    try:
        raw = read_bytes(path, name)
        case_digest = cache_module.digest(raw)  # of the very bytes that are checked
        doc = parse(decode(raw, name), name)
    except LoadError as exc:
        doc, problems, relative = None, exc.problems, None
        if exc.partial is not None:  # the syntax mistakes repaired as their messages say: check the rest too
            # One message per mistake: what the repaired line itself might break is said by its syntax message.
            syntax_lines = {p.line for p in problems}
            problems = sorted(set(problems) | {p for p in run.checker.check(exc.partial, path) if p.line not in syntax_lines})
    else:
        problems = run.checker.check(doc, path)
        relative = field_at(doc.data, "source", "file")
        relative = relative if isinstance(relative, str) else None
    return doc, problems, relative, case_digest, run.source_state(relative) if relative is not None else (None, None)


class Run:
    """What one load_casebook call shares between files: the checker (made only if needed), sources, store."""

    def __init__(self, cases_dir: Path, taxonomy: Taxonomy, store: cache_module.Store, need_data: bool):
        self.cases_dir, self.taxonomy, self.store, self.need_data = cases_dir, taxonomy, store, need_data
        self._checker: CaseChecker | None = None
        self._sources: dict[str, tuple] = {}
        self.root = str(cases_dir)  # plain strings: pathlib's overhead shows at 5,000 files

    @property
    def checker(self) -> CaseChecker:
        if self._checker is None:  # compiling the schema is skipped when every file is cached
            cities, broken = gazetteer.read(gazetteer.default_file())
            self._checker = CaseChecker(self.cases_dir, self.taxonomy, None if broken else frozenset(cities))
        return self._checker

    def source_state(self, relative: str, known: tuple | None = None, known_digest: bytes | None = None) -> tuple:
        """(digest, stamp) of a source file, digest MISSING when it cannot be read; hashed only if its stamp moved."""
        if relative not in self._sources:
            path = os.path.join(self.root, relative)
            try:
                info = os.lstat(path)
                stamp = cache_module.stamp(info)
                if not stat.S_ISREG(info.st_mode):
                    # A link or a device is judged by the checks, never by what it points to.
                    stamp, digest = None, cache_module.NOT_REGULAR
                elif stamp is not None and stamp == known:
                    digest = known_digest
                elif stamp is not None and self._checker is not None and self._checker.read.get(relative, (None,))[0] == stamp:
                    digest = self._checker.read[relative][1]  # the bytes just checked: unchanged since
                else:
                    digest = digest_file(path)
            except OSError:
                stamp, digest = None, cache_module.MISSING
            self._sources[relative] = (digest, stamp)
        return self._sources[relative]

    def source_text(self, relative: str) -> str | None:
        try:
            raw = read_bytes(self.cases_dir / relative, relative)
        except LoadError:
            return None
        return raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")


def digest_file(path: str) -> bytes:
    """The digest of a file's bytes; of its size alone when it is over the limit, so it is never read whole
    (the check reports it, and any change of size is noticed)."""
    raw, size = read_bounded(path, MAX_BYTES)
    if size > MAX_BYTES:
        return b"+" + str(size).encode()
    return cache_module.digest(raw)


def _from_store(run: Run, path: str, name: str) -> tuple[cache_module.Entry | None, dict | None, tuple]:
    """The stored result for this file if nothing it depends on changed, its data, and the file's (digest, stamp)."""
    try:
        info = os.lstat(path)
        if info.st_size > MAX_BYTES or not stat.S_ISREG(info.st_mode):
            return None, None, (None, None)  # load_file reports these without reading them
        stamp = cache_module.stamp(info)
        entry = run.store.get(name)
        if entry is None:
            return None, None, (_WHEN_READ, stamp)  # a new file: its digest is taken where it is checked
        if stamp is not None and stamp == entry.case_stamp:
            case_digest = entry.case_digest
        else:
            case_digest = digest_file(path)
    except OSError:
        return None, None, (None, None)
    state = (case_digest, stamp)
    if entry.case_digest != case_digest:
        return None, None, state
    if entry.source is not None and run.source_state(entry.source, entry.source_stamp, entry.source_digest)[0] != entry.source_digest:
        return None, None, state
    data = None
    if entry.loaded and run.need_data:
        data = run.store.data(name)
        if data is None or data.get("slug") != entry.cross.get("slug"):
            return None, None, state  # the data file was deleted, damaged or does not match: check again
    return entry, data, state


def _checked_from(run: Run, path: Path, stamps: tuple, doc: Document | None, problems: list[Problem],
                  source: str | None, source_text: str | None) -> _Checked:
    result = _Checked(stamps, doc, problems)
    if source is not None:
        result.source, result.source_stamp = source, stamp_of(run.cases_dir / source) if stamps else None
        result.source_text = source_text
    return result


def load_all(run: Run, paths: list[Path], names: list[str], cache_: dict | None, taxonomy_stamp,
              workers: int) -> list[_Checked]:
    """Every file's result: from memory, else from the disk cache, else parsed and checked (in parallel if asked)."""
    results: list[_Checked | None] = []
    misses: list[tuple[int, Path, tuple, tuple]] = []
    for path, name in zip(paths, names):
        stamps = (stamp_of(path), taxonomy_stamp) if cache_ is not None else ()
        hit = cache_.get(path) if cache_ is not None else None
        if hit and hit.stamps == stamps and (hit.source is None or stamp_of(run.cases_dir / hit.source) == hit.source_stamp):
            results.append(hit)
            continue
        entry, data, state = _from_store(run, os.path.join(run.root, path.name), name)
        if entry is None:
            misses.append((len(results), path, stamps, state))
            results.append(None)
            continue
        doc = None
        if entry.loaded:
            # Without data (a check only), the slug stands in for it: that is all checks across files use.
            doc = Document(name, data if run.need_data else entry.cross, entry.marks, path=path)
        text = run.source_text(entry.source) if entry.source is not None and not entry.problems and run.need_data else None
        results.append(_checked_from(run, path, stamps, doc, entry.problems, entry.source, text))
    fresh = _check_files(run, [m[1] for m in misses], workers)
    for (i, path, stamps, (known_digest, case_stamp)), (doc, problems, source, read_digest, source_state, blob) \
            in zip(misses, fresh):
        text = run.source_text(source) if source is not None and not problems and run.need_data else None
        results[i] = _checked_from(run, path, stamps, doc, problems, source, text)
        case_digest = read_digest if known_digest is _WHEN_READ else known_digest
        if known_digest is None or case_digest is None:
            continue
        cross, marks = cross_fields(doc) if doc is not None else ({}, {})
        entry = cache_module.Entry(case_digest, case_stamp, source, *source_state, problems,
                                   cross, marks, doc is not None)
        run.store.put(names[i], entry, doc.data if doc is not None else None, blob)
    if cache_ is not None:
        for path, result in zip(paths, results):
            cache_[path] = result
    return results  # type: ignore[return-value]


def _check_files(run: Run, paths: list[Path], workers: int) -> list[tuple]:
    """Parse and check files, on several cores when there are enough of them to repay starting processes."""
    if workers > 1:
        run.checker  # made once, before forking: the workers share it instead of each compiling the schema
        checked = fork_map(lambda path: _check_in_worker(run, path), paths, workers, chunksize=100)
        return [_from_plain(path, r, run.need_data) for path, r in zip(paths, checked)]
    return [(*_fresh(run, path), None) for path in paths]


def _check_in_worker(run: Run, path: Path) -> tuple:
    # A document's positions stay in the worker (sending them back costs more than they are worth);
    # those of the fields checked across files are all that is needed afterwards.
    # The data travels as the store keeps it (marshal), so the parent need not encode it again.
    doc, problems, source, case_digest, source_state = _fresh(run, path)
    blob = marshal.dumps(doc.data) if doc is not None else None
    cross, marks = cross_fields(doc) if doc is not None else ({}, {})
    return blob, cross, marks, problems, source, case_digest, source_state


def _from_plain(path: Path, plain: tuple, need_data: bool) -> tuple:
    blob, cross, marks, problems, source, case_digest, source_state = plain
    # Checking only, the fields checked across files stand in for the data, as for a cached file.
    doc = None
    if blob is not None:
        doc = Document(display_name(path), marshal.loads(blob) if need_data else cross, marks, path=path)
    return doc, problems, source, case_digest, source_state, blob


# What the checks across files read (slugs, transfer.link_problems, _former_slug_problems); a cached
# check-only run brings back just these fields of each case, with their positions.
_CROSS_FIELDS = ("slug", "learned_from", "former_slugs", "location")  # location: region pages must not collide


def cross_fields(doc: Document) -> tuple[dict, dict]:
    data = doc.data if isinstance(doc.data, dict) else {}
    marks = None if doc.marks is None else {  # None: not worked out yet (no problem has needed them)
        path: mark for path, mark in doc.marks.items() if path and path[0] in _CROSS_FIELDS}
    return {k: data[k] for k in _CROSS_FIELDS if k in data}, marks


def cache_folder(cases_dir: Path, cache_dir: Path | None | bool) -> Path | None:
    if cache_dir is True:
        return cache_module.default_dir(cases_dir)
    return cache_dir or None


def open_store(folder: Path | None, schema: dict, cases_dir: Path) -> cache_module.Store:
    if folder is None:
        return cache_module.Store(None, b"")
    try:
        taxonomy_bytes = (cases_dir / TAXONOMY_FILE).read_bytes()
    except OSError:
        return cache_module.Store(None, b"")
    return cache_module.Store.open(folder, cache_module.context_key(schema, taxonomy_bytes), cases_dir.parent)
