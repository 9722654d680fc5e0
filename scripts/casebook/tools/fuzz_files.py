"""`casebook fuzz` over every file a pull request can change, not only the case files.

Each input breaks one file of a copy of the casebook (the changelog, a release snapshot, the vocabulary,
the gazetteer, the materials manifest, the settings in mkdocs.yml, a source text, the cache), runs the
check that `casebook validate` runs on it, and puts the file back. An input passes when it ends in
located one-line Chinese problems, or in none; then what a build reads from that file must also work
(the reader behind the pages, and now and then the whole in-process site). Anything else is a failure:
a traceback, a problem without a place, English, or the fast and the full YAML reader disagreeing.
"""
from __future__ import annotations

import dataclasses
import json
import marshal
import os
import random
import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable

import yaml

from ..core import cache as cache_module
from . import fuzz
from .fuzz_inputs import damaged, json_text, yaml_text
from ..core import gate, gazetteer, release_files, releases, siteconfig
from ..site import source_pages, training, tree
from ..core.load import LoadError
from ..core.model import Casebook
from ..core.files import TAXONOMY_FILE, case_files
from ..core.rules import CaseChecker
from ..core.validate import load_casebook, load_taxonomy

KINDS = {  # kind -> what the report calls it
    "case": "案例文件", "changelog": "更新记录", "snapshot": "数据快照", "snapshot_schema": "快照的字段规范",
    "taxonomy": "受控词表",
    "gazetteer": "地名表", "manifest": "培训资料清单", "settings": "网站设置", "source": "原文", "cache": "缓存",
}
VOCABULARIES = ("categories", "problems", "outcome_kinds", "practice_statuses", "community_types", "resource_kinds")
RENDER_SHARE = 0.03  # of accepted inputs, also render the whole site (about a second each)
CACHE_KEY = "casebook-fuzz"  # the key this run signs its own cache with


class Sandbox:
    """A copy of the casebook (cases/, mkdocs.yml, a materials manifest) in which one file at a time is broken."""

    def __init__(self, cases_dir: Path, root: Path):
        self.root = root
        self.cases = root / "cases"
        shutil.copytree(cases_dir, self.cases, symlinks=True, ignore=shutil.ignore_patterns(".cache"))
        config = cases_dir.resolve().parent / gate.CONFIG_FILE
        self.config = root / gate.CONFIG_FILE
        if config.is_file():
            shutil.copy(config, self.config)
        else:
            self.config.write_text("site_name: 案例库\nsite_url: https://example.org/casebook/\nplugins:\n  - casebook\n",
                                   encoding="utf-8")
        self.materials = root / gate.MATERIALS_DIR
        self._write_materials()
        self.gazetteer = root / "gazetteer.yaml"
        shutil.copy(gazetteer.default_file(), self.gazetteer)
        book, problems = load_casebook(self.cases, cache_dir=None)
        if problems:
            raise LoadError(problems)
        self.book: Casebook = book  # type: ignore[assignment]
        self.entries = releases.history(self.cases)

    def _write_materials(self) -> None:
        self.materials.mkdir(parents=True)
        files = {}
        for fmt in ("zip", "pdf", "html"):
            name = f"casebook-all.{fmt}"
            (self.materials / name).write_bytes(b"x" * 10)
            files[fmt] = {"file": name, "bytes": 10, "cases": 5, "date": "2026-11-24", "data_version": "1.0.0"}
        manifest = {"date": "2026-11-24", "data_version": "1.0.0", "site_url": "",
                    "scopes": [{"kind": "all", "label": "全部案例", "slug": "", "cases": 5, "files": files}]}
        (self.materials / gate.MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")

    def render(self, rng: random.Random, book: Casebook | None = None,
               settings: siteconfig.SiteSettings | None = None) -> None:
        """Now and then, the whole site from what passed (what a build would make of it)."""
        if rng.random() < RENDER_SHARE:
            tree.generated_files(book or self.book, settings, self.materials)


# --- how each kind of file is broken ----------------------------------------------------------------

class Kinds:
    """For each kind: make a broken file (`make_<kind>`), then check it as validate and a build do (`check_<kind>`)."""

    def __init__(self, box: Sandbox, rng: random.Random):
        self.box, self.rng = box, rng
        self.files = {
            "changelog": releases.folder(box.cases) / releases.CHANGELOG,
            "snapshot": releases.snapshot_path(box.cases, box.entries[0]["version"]),
            "snapshot_schema": releases.snapshot_path(box.cases, box.entries[0]["version"]).with_name(
                releases.SCHEMA_SNAPSHOT),
            "taxonomy": box.cases / TAXONOMY_FILE,
            "gazetteer": box.gazetteer,
            "manifest": box.materials / gate.MANIFEST,
            "settings": box.config,
        }
        self.original = {kind: path.read_bytes() for kind, path in self.files.items()}
        self.sources = sorted({c["source"]["file"] for c in box.book.cases})
        self.checker = CaseChecker(box.cases, box.book.taxonomy)
        self.case_docs = {path: fuzz.parse(path.read_text(encoding="utf-8"), path.name) for path in case_files(box.cases)}
        self.case_texts = [path.read_text(encoding="utf-8") for path in self.case_docs]
        self.vocabulary = {}  # which vocabulary each taxonomy input broke, for the report

    # Each make_ writes the broken file and returns what to show if it fails; check_ returns its problems.

    def make_file(self, kind: str) -> bytes:
        raw = self.original[kind]
        if kind in ("snapshot", "snapshot_schema", "manifest"):
            broken = json_text(self.rng, json.loads(raw), raw)
        else:
            under = ()
            if kind == "taxonomy":
                under = (self.rng.choice(VOCABULARIES),)
                self.vocabulary[under[0]] = self.vocabulary.get(under[0], 0) + 1
            broken = yaml_text(self.rng, yaml.safe_load(raw), raw.decode("utf-8"), under)
        self.files[kind].write_bytes(broken)
        return broken

    def restore(self, kind: str) -> None:
        self.files[kind].write_bytes(self.original[kind])

    def differs(self, broken: bytes, top: type) -> None:
        try:
            text = broken.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError:
            return
        why = fuzz.fast_reader_differs(text, top)
        if why:
            raise fuzz.Differs(why)

    def check_changelog(self, broken: bytes) -> list:
        self.differs(broken, list)
        entries, found = release_files.changelog(self.box.cases)
        found += release_files.snapshots(self.box.cases, entries, None, set())
        if not found:
            self._releases()
        return found

    def check_snapshot(self, broken: bytes) -> list:
        found = release_files.snapshots(self.box.cases, self.box.entries, None, set())
        if not found:
            self._releases()
        return found

    check_snapshot_schema = check_snapshot

    def _releases(self) -> None:
        """What a build reads of the releases: the changes since the last one, its data for download, the pages."""
        last, changes = releases.pending(self.box.book)
        if last is not None:
            releases.published_snapshot(self.box.cases, last["version"])
            releases.notes(changes, {c["slug"]: c["name"] for c in self.box.book.cases}, changes.level or "patch")
        self.box.render(self.rng)

    def check_taxonomy(self, broken: bytes) -> list:
        self.differs(broken, dict)
        taxonomy, found = load_taxonomy(self.box.cases)
        if taxonomy is None:
            return found
        checker = CaseChecker(self.box.cases, taxonomy)  # the cases, against the changed vocabulary
        found = [p for path, doc in self.case_docs.items() for p in checker.check(doc, path)]
        if not found:
            self.box.render(self.rng, dataclasses.replace(self.box.book, taxonomy=taxonomy, schema=checker.schema))
        return found

    def check_gazetteer(self, broken: bytes) -> list:
        self.differs(broken, dict)
        province_of, found = gazetteer.read(self.box.gazetteer)
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in province_of.items()):
            raise AssertionError("the gazetteer gave names that are not text")
        return found

    def check_manifest(self, broken: bytes) -> list:
        self.differs(broken, dict)
        found = gate.manifest_problems(self.box.materials)
        if not found:
            try:
                listed = training.read_manifest(self.box.materials)
            except training.MaterialsError:
                return found  # a file it lists is missing or changed: the build says so, in Chinese
            for path in training.site_files(listed).values():
                if not path.resolve().is_relative_to(self.box.materials.resolve()):
                    raise AssertionError(f"the manifest publishes {path}, outside its folder")
            self.box.render(self.rng)
        return found

    def check_settings(self, broken: bytes) -> list:
        found, _ = siteconfig.check(self.box.config)
        if not found:
            settings = siteconfig.read(self.box.config)
            self.box.render(self.rng, settings=settings)
        return found

    def make_source(self) -> bytes:
        relative = self.rng.choice(self.sources)
        path = self.box.cases / relative
        raw = (self.box.book.sources[relative]).encode("utf-8")
        roll = self.rng.random()
        if roll < 0.5:
            broken = fuzz._textual(self.rng, [raw.decode("utf-8")]).encode("utf-8", "surrogatepass")
        elif roll < 0.98:
            broken = damaged(self.rng, raw)
        else:
            broken = raw * (1 + 1_000_000 // max(len(raw), 1))  # over the size limit
        path.write_bytes(broken)
        self._source = relative
        return broken

    def check_source(self, broken: bytes) -> list:
        checker = self.checker
        checker.sources.clear(), checker.read.clear(), checker._normalised.clear()
        citing = [(path, doc) for path, doc in self.case_docs.items() if doc.data["source"]["file"] == self._source]
        found = [p for path, doc in citing for p in checker.check(doc, path)]
        if not found:
            text = checker.sources[self._source]
            for _, doc in citing:
                quotes = source_pages.case_quotes(self.box.book, doc.data)
                if len(source_pages.locate(text, quotes)) < len({source_pages.anchor(q) for q in quotes}):
                    raise AssertionError("a quote the check accepts is not found on the source page")
            self.box.render(self.rng, dataclasses.replace(self.box.book, sources={**self.box.book.sources,
                                                                                   self._source: text}))
        return found

    def restore_source(self) -> None:
        (self.box.cases / self._source).write_bytes(self.box.book.sources[self._source].encode("utf-8"))


class CacheKind:
    """The cache: files signed with this run's key, then tampered with, cut short, signed with another key,
    or signed correctly around contents of the wrong shape."""

    def __init__(self, box: Sandbox, rng: random.Random):
        self.box, self.rng = box, rng
        self.folder = box.root / cache_module.FOLDER
        load_casebook(box.cases, cache_dir=self.folder)
        self.names = [n for n in (cache_module.INDEX, cache_module.DATA) if (self.folder / n).is_file()]
        self.original = {n: (self.folder / n).read_bytes() for n in self.names}
        self.key = cache_module.machine_key(box.root)

    def make(self) -> tuple[str, bytes]:
        name = self.rng.choice(self.names)
        raw = self.original[name]
        head = len(cache_module.MAGIC) + cache_module.MAC_BYTES
        roll = self.rng.random()
        if roll < 0.2:
            how, broken = "tampered", damaged(self.rng, raw)
        elif roll < 0.35:
            how, broken = "truncated", raw[:self.rng.randrange(len(raw))]
        elif roll < 0.5:
            how, broken = "other key", cache_module.signed(os.urandom(cache_module.MAC_BYTES), raw[head:])
        else:
            context, content = marshal.loads(raw[head:])
            how, broken = "signed, wrong shape", cache_module.signed(self.key, marshal.dumps(self._reshaped(context, content)))
        (self.folder / name).write_bytes(broken)
        return how, broken

    def _reshaped(self, context: bytes, content: dict):
        roll = self.rng.random()
        if roll < 0.1:
            return fuzz._values(self.rng)
        if roll < 0.2:
            return (context, fuzz._values(self.rng))
        content = dict(content)
        name = self.rng.choice(sorted(content)) if content else "x.yaml"
        value = content.get(name)
        if isinstance(value, tuple) and value and self.rng.random() < 0.7:
            plain = list(value)
            plain[self.rng.randrange(len(plain))] = fuzz._values(self.rng)
            content[name] = tuple(plain)
        elif isinstance(value, bytes) and self.rng.random() < 0.7:
            # A case's data, broken as a store can break: cut, not a mapping, another case's. Its fields
            # are not re-checked (650 µs a case against the schema): a file signed with this machine's
            # key was written by this code, which stores only data that passed.
            other = marshal.loads(value) | {"slug": "other"} if isinstance(marshal.loads(value), dict) else {}
            content[name] = self.rng.choice([damaged(self.rng, value), marshal.dumps([1]), marshal.dumps(other)])
        else:
            content[name] = fuzz._values(self.rng)
        return (context, content)

    def check(self, given) -> list:
        how, _ = given
        book, found = load_casebook(self.box.cases, cache_dir=self.folder)
        if how != "signed, wrong shape":  # not this machine's: as if there were no cache
            if found or book is None or book.cases != self.box.book.cases:
                raise AssertionError(f"a cache file {how} changed the result: {found[:1]}")
        elif book is not None:
            self.box.render(self.rng, book)
        return found

    def restore(self) -> None:
        for name, raw in self.original.items():
            (self.folder / name).write_bytes(raw)


def _try_one(kind: str, report, rng: random.Random, box: Sandbox, kinds: Kinds, cached: CacheKind,
             case_path: Path) -> None:
    """One broken input of this kind, handed to the real readers and checks; the file it broke is restored."""
    if kind == "case":
        text = fuzz.case_input(rng, box.book.cases, kinds.case_texts)
        fuzz.tally(report, text, lambda t: fuzz.check_case(t, kinds.checker, case_path))
        return
    make, check, restore = {
        "source": (kinds.make_source, kinds.check_source, kinds.restore_source),
        "cache": (cached.make, cached.check, cached.restore),
    }.get(kind) or (lambda: kinds.make_file(kind), getattr(kinds, f"check_{kind}"), lambda: kinds.restore(kind))
    broken = make()
    try:
        fuzz.tally(report, broken, check)
    finally:
        restore()


def run(cases_dir: Path, examples: int, seed: int, progress: Callable[[str], None]) -> tuple[dict, float]:
    """kind -> fuzz.Report, and the seconds it took; the kinds take turns."""
    reports = {kind: fuzz.Report() for kind in KINDS}
    rng = random.Random(seed)
    key_before = os.environ.get(cache_module.KEY_ENV)
    os.environ[cache_module.KEY_ENV] = CACHE_KEY  # never this user's own key, never their cache
    start = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="casebook-fuzz-") as tmp:
            box = Sandbox(cases_dir, Path(tmp))
            kinds, cached = Kinds(box, rng), CacheKind(box, rng)
            case_path = case_files(box.cases)[0]
            for i in range(examples):
                kind = list(KINDS)[i % len(KINDS)]
                report = reports[kind]
                began = time.perf_counter()
                _try_one(kind, report, rng, box, kinds, cached, case_path)
                report.seconds = getattr(report, "seconds", 0.0) + time.perf_counter() - began  # type: ignore[attr-defined]
                if (i + 1) % 1000 == 0:
                    failed = sum(len(r.failures) for r in reports.values())
                    progress(f"已试 {i + 1}/{examples} 个输入，失败 {failed} 个")
    finally:
        if key_before is None:
            os.environ.pop(cache_module.KEY_ENV, None)
        else:
            os.environ[cache_module.KEY_ENV] = key_before
    reports["taxonomy"].parts = dict(sorted(kinds.vocabulary.items()))  # type: ignore[attr-defined]
    return reports, time.perf_counter() - start


def summary(reports: dict, seconds: float) -> str:
    """The figures: inputs per kind and in all, what became of them, how long it took."""
    lines = []
    for kind, report in reports.items():
        parts = getattr(report, "parts", None)
        detail = "（" + "、".join(f"{name} {n}" for name, n in parts.items()) + "）" if parts else ""
        spent = getattr(report, "seconds", 0.0)
        lines.append(f"  {KINDS[kind]}：{report.tried} 个{detail}（{spent:.1f} 秒），{report.problems_found} 个得到定位的问题提示，"
                     f"{report.accepted} 个通过检查，失败 {len(report.failures)} 个")
    tried = sum(r.tried for r in reports.values())
    failed = sum(len(r.failures) for r in reports.values())
    found = sum(r.problems_found for r in reports.values())
    accepted = sum(r.accepted for r in reports.values())
    return "\n".join([f"试了 {tried} 个输入（{seconds:.1f} 秒，{tried / max(seconds, 1e-9):.0f} 个/秒）：{found} 个得到定位的问题提示，"
                      f"{accepted} 个通过检查，失败（异常或不合格的提示）{failed} 个。", *lines])
