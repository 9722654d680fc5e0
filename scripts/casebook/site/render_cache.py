"""Pages rendered by an earlier build, kept by the digest of everything they were rendered from.

A job whose inputs are known (a case's page with what it shows of other cases, a source page, a
category's or region's listing) carries a key: the digest of those inputs, of what every page shares
(vocabulary, settings, templates, this package's code) and of its paths. An incremental build renders
only the jobs whose key is new and takes the others' files from .cache/casebook/pages/; the catalogue,
matrix and outcomes, which list every case, keep each case's row by its own key the same way.

A keyed page is rendered from what every page shares and its own context only: book-wide lookups
(NARROWED) are narrowed to its case's entry, and reading any other entry fails loudly, so a key
covers all its page can show. Entries are signed with the machine's cache key (`cache.signed`) and
name themselves, so one that came with a pull request, was damaged or was renamed is rendered again,
never taken on trust.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Callable

from ..core import cache, completeness, regions
from ..core.model import Casebook
from .jobs import Job
from .listing import Rows

FOLDER = "pages"
SCORES = "scores"  # the file of kept completeness scores (job keys are hex digests: no clash)
FORMAT = 2
PACKAGE = Path(__file__).parent.parent
READ = ("templates", "data")  # besides the modules: the templates, and the schemas and lists they show
MAX_BYTES = 64 * 1024 * 1024  # no entry of ours is this large


# Book-wide lookups in the pages' common context: a keyed page sees only its own case's entry.
NARROWED = ("book", "updated", "completeness", "learned_by")


class NarrowedError(RuntimeError):
    """A keyed page read what its key does not cover: a mistake in the code, never in the data."""


class Named:
    """The cases a case page names (those it learned from), as `book.case(slug)` gives them; nothing else of the book."""

    def __init__(self, cases: dict[str, dict]):
        self.named = cases

    def case(self, slug: str) -> dict:
        return self.named[slug]

    def __getattr__(self, name: str):  # loud: Jinja would show an attribute it cannot find as nothing
        if name.startswith("__"):  # Python's own protocols (copying, pickling) ask for these
            raise AttributeError(name)
        raise NarrowedError(f"a case page reads book.{name}: add it to SiteRenderer._case_context and its key")


class Only(Mapping):
    """One entry of a book-wide mapping, looked up only when a page asks for it."""

    def __init__(self, mapping: Mapping, key: str):
        self.mapping, self.key = mapping, key

    def __getitem__(self, key: str):
        if key != self.key:  # loud: Jinja would show a missing entry as nothing
            raise NarrowedError(f"a case page reads the entry of {key!r}, not of its own case {self.key!r}")
        return self.mapping[key]

    def __iter__(self):
        return iter((self.key,))

    def __len__(self) -> int:
        return 1


class Keys:
    """The digests that key a build's jobs and rows: of what every page shares, of each case and each source."""

    def __init__(self, book: Casebook, shared: dict, use_directory_urls: bool, site_url: str):
        self.book, self.shared, self.use_directory_urls, self.site_url = book, shared, use_directory_urls, site_url

    @functools.cached_property
    def _shared(self) -> str:
        return digest(code_digest(), self.use_directory_urls, self.book.schema, self.shared)

    @functools.cached_property
    def _cases(self) -> dict[str, str]:
        """Slug -> digest of the case: a key names the cases it shows by these, not by their whole text."""
        return {case["slug"]: digest(case) for case in self.book.cases}

    @functools.cached_property
    def _sources(self) -> dict[str, str]:
        return {file: digest(text) for file, text in self.book.sources.items()}

    def job(self, paths: tuple[str, ...], *inputs: object) -> str:
        return digest(self._shared, self.site_url, paths, inputs)

    def cases(self, cases: list[dict]) -> list[str]:
        return [self._cases[case["slug"]] for case in cases]

    def source(self, file: str) -> str | None:
        return self._sources.get(file)

    def of_case(self, case: dict) -> tuple:
        """A case and its source text: with the schema (shared), all its completeness score follows from."""
        return self._cases[case["slug"]], self.source(case["source"]["file"])

    def score(self, case: dict) -> str:
        return self.job(("completeness",), self.of_case(case))


class KeptScores(Mapping):
    """Completeness scores (core.completeness.Scores) taken from the last build while their inputs are the same.

    A score follows from the case, its source text and the schema: `key(slug)` digests them."""

    def __init__(self, scores: completeness.Scores, pages: "PageCache", key: Callable[[str], str]):
        self.scores, self.pages, self.key = scores, pages, key

    def __getitem__(self, slug: str) -> completeness.Score:
        key = self.key(slug)
        kept = self.pages.score(key)
        if kept is not None:
            return kept
        found = self.scores[slug]
        self.pages.keep_score(key, found)
        return found

    def __iter__(self):
        return iter(self.scores)

    def __len__(self) -> int:
        return len(self.scores)


def region_shown(region: regions.Region) -> tuple:
    """What a region's page shows of it besides its cases: its name, the way up, the regions below."""
    return (region.key, region.name, region.full, [(up.key, up.name, up.full) for up in region.ancestors],
            [(child.key, child.name, child.full, [c["slug"] for c in child.cases]) for child in region.children])


def _plain(value: object) -> object:
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"no digest for {type(value).__name__}")


def digest(*parts: object) -> str:
    """One digest of JSON-able parts (sets, dataclasses and mappings as their plain values)."""
    text = json.dumps(parts, ensure_ascii=False, sort_keys=True, default=_plain, separators=(",", ":"))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def code_digest() -> str:
    """The templates and modules that turn inputs into files: any change to them renders everything again."""
    h = hashlib.blake2b(f"format {FORMAT}".encode(), digest_size=16)
    read = [path for folder in READ for path in (PACKAGE / folder).rglob("*")]
    for path in sorted({*cache.checking_code(), *read}):
        if path.is_file():
            h.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


class PageCache:
    """The files of keyed jobs, as the last builds rendered them (None folder or key: render everything)."""

    def __init__(self, folder: Path | None, key: bytes | None):
        self.folder = folder / FOLDER if folder is not None and key is not None else None
        self.key = key
        self.used: set[str] = set()
        self.jobs = self.hits = 0
        self._scores: dict | None = None  # completeness scores by the digest of their inputs (KeptScores)
        self._scores_changed = False

    def files(self, job: Job) -> dict[str, str | bytes]:
        self.jobs += 1
        if self.folder is None or job.key is None:
            return job.files()
        self.used.add(job.key)
        found = self._files(job)
        if found is not None:
            self.hits += 1
            return found
        made = job.files()
        if all(isinstance(content, str) for content in made.values()):
            self._write(job.key, made)
        return made

    def rows(self, listing: str, items: list[dict], rows: Rows) -> list[str]:
        """The HTML of each item's row in a listing: kept rows as the last build made them, the others rendered."""
        if self.folder is None or rows.key is None:
            return [rows.render(item) for item in items]
        name = "rows-" + digest(listing)
        self.used.add(name)
        keys = [rows.key(item) for item in items]
        stored = self._read(name)
        kept = stored if isinstance(stored, dict) and all(isinstance(v, str) for v in stored.values()) else {}
        html = [kept[k] if k in kept else rows.render(item) for k, item in zip(keys, items)]
        if kept.keys() != set(keys):  # a row made, or one of a case no longer listed
            self._write(name, dict(zip(keys, html)))
        return html

    def kept(self, name: str, make: Callable[[], object], valid: Callable[[object], bool]) -> object:
        """What make() gives, as an earlier build stored it under `name` when `valid` takes it (search chunks)."""
        if self.folder is None:
            return make()
        self.used.add(name)
        stored = self._read(name)
        if stored is not None and valid(stored):
            return stored
        made = make()
        self._write(name, made)
        return made

    def score(self, key: str) -> completeness.Score | None:
        if self.folder is None:
            return None
        if self._scores is None:
            self.used.add(SCORES)
            stored = self._read(SCORES)
            self._scores = stored if isinstance(stored, dict) else {}
        found = self._scores.get(key)
        try:
            return completeness.Score(found["score"], {name: completeness.Part(**part)
                                                       for name, part in found["parts"].items()})
        except (TypeError, KeyError, AttributeError):  # not stored, or not as we store it
            return None

    def keep_score(self, key: str, score: completeness.Score) -> None:
        if self._scores is not None:
            self._scores[key] = dataclasses.asdict(score)
            self._scores_changed = True

    def _read(self, name: str) -> object:
        """What this machine stored under `name`, or None."""
        try:
            path = self.folder / name
            if path.stat().st_size > MAX_BYTES:
                return None
            payload = cache.verified(self.key, path.read_bytes())
            data = json.loads(bytes(payload)) if payload is not None else None
        except (OSError, ValueError):
            return None
        # Each entry names itself: one renamed to another's name is not taken for it.
        return data["value"] if isinstance(data, dict) and data.get("name") == name else None

    def _files(self, job: Job) -> dict[str, str] | None:
        files = self._read(job.key)
        if not (isinstance(files, dict) and set(files) == set(job.paths)
                and all(isinstance(v, str) for v in files.values())):
            return None
        return files

    def _write(self, name: str, value: object) -> None:
        payload = json.dumps({"name": name, "value": value}, ensure_ascii=False).encode("utf-8")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            partial = self.folder / f".{name}.{os.getpid()}.part"
            partial.write_bytes(cache.signed(self.key, payload))
            os.replace(partial, self.folder / name)
        except OSError:  # an unwritable cache only means rendering again next time
            pass

    def prune(self) -> None:
        """Store the scores worked out, and forget entries no build needs: those this build did not use, once
        they outnumber the ones it did."""
        if self.folder is None:
            return
        if self._scores_changed:
            self._write(SCORES, self._scores)
        try:
            names = [entry.name for entry in os.scandir(self.folder)]
            if len(names) <= 2 * len(self.used):  # room for a second site of other settings (an offline copy)
                return
            for name in names:
                if name not in self.used:
                    os.unlink(self.folder / name)
        except OSError:
            pass
