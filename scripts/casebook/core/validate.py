"""Load and check the whole casebook: the vocabulary, every case, the files around them, and what
holds across cases (unique slugs, old addresses, links between cases).

The rules for one case are in rules.py, quotes in quotes.py, the parallel and cached run in check_run.py.
"""
from __future__ import annotations

import gc
from pathlib import Path
from typing import Iterable

from jsonschema import Draft202012Validator

from . import gate, messages, transfer
from .check_run import Run, cache_folder, load_all, open_store, stamp_of
from .files import TAXONOMY_FILE, case_files, display_name, file_problems, unsafe_file
from .load import Document, LoadError, load_file
from .model import Casebook
from .problems import Problem
from .rules import schema_problems
from .safety import RESERVED_SLUGS
from .schema import Taxonomy, taxonomy_schema, with_vocabulary


def load_taxonomy(cases_dir: Path) -> tuple[Taxonomy | None, list[Problem]]:
    path = cases_dir / TAXONOMY_FILE
    if not path.is_file() and not path.is_symlink():
        return None, [Problem(display_name(path), 1, 1, "", "找不到受控词表文件 taxonomy.yaml")]
    unsafe = unsafe_file(path, cases_dir)
    if unsafe:
        return None, [Problem(display_name(path), 1, 1, "", unsafe)]
    try:
        doc = load_file(path, display_name(path))
    except LoadError as exc:
        return None, exc.problems
    problems = schema_problems(doc, Draft202012Validator(taxonomy_schema()))
    if problems:
        return None, problems
    taxonomy = Taxonomy(**doc.data)
    terms = taxonomy.terms("categories")
    for i, problem in enumerate(taxonomy.problems):
        for j, term in enumerate(problem["categories"]):
            if term not in terms:
                guess = messages.nearest(term, terms)
                problems.append(doc.problem(("problems", i, "categories", j),
                                            f"“{term}”不是已有的实践类别" + (f"；是否想写“{guess}”？" if guess else "")))
    for i, entry in enumerate(taxonomy.categories):
        if entry["slug"] in RESERVED_SLUGS:
            problems.append(doc.problem(("categories", i, "slug"),
                                        f"“{entry['slug']}”是网站自己使用的页面名（类别总览页），不能作为类别的 slug：换一个"))
    for vocabulary in ("categories", "outcome_kinds", "practice_statuses", "community_types", "resource_kinds"):
        seen: set = set()
        for i, entry in enumerate(getattr(taxonomy, vocabulary)):
            for key in ("term", "short", "slug"):
                if key in entry and (key, entry[key]) in seen:
                    problems.append(doc.problem((vocabulary, i, key), f"“{entry[key]}”重复"))
                seen.add((key, entry.get(key)))
    return (None if problems else taxonomy), problems


def _former_slug_problems(formers: list[tuple[Document, int, str]], slug_file: dict[str, Path]) -> list[Problem]:
    """An old address can lead to one case only, and never to where another case lives now."""
    out, owner = [], {}
    for doc, i, old in formers:
        if old in slug_file:
            out.append(doc.problem(("former_slugs", i), f"以前的标识“{old}”正被 {display_name(slug_file[old])} "
                                                        "使用：旧网址会与现在的案例冲突"))
        elif old in owner:
            out.append(doc.problem(("former_slugs", i), f"以前的标识“{old}”也写在案例 {owner[old]} 的 "
                                                        "former_slugs 里：旧网址只能转到一个案例"))
        owner.setdefault(old, doc.data["slug"])
    return out


def load_casebook(cases_dir: Path, only: Iterable[Path] | None = None,
                  cache: dict | None = None, cache_dir: Path | None | bool = True,
                  workers: int = 1, need_data: bool = True) -> tuple[Casebook | None, list[Problem]]:
    """Load and check every case; report problems for all (or `only` these files).

    The casebook is None if any problem is reported. `cache` (a dict kept by the
    caller) lets repeated builds skip files that have not changed; `cache_dir`
    (default .cache/casebook beside cases/, None or False for none) keeps results
    between runs, keyed by content. `workers` > 1 checks uncached files on that many cores.
    need_data=False is for checking only: the casebook then holds each case's slug, not its data.
    """
    # Many long-lived small objects (and, in a build, the last casebook still in memory): pausing the
    # cyclic collector saves it re-scanning them all, file after file.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _load_casebook(cases_dir, only, cache, cache_dir, workers, need_data)
    finally:
        if gc_was_enabled:
            gc.enable()


def _load_casebook(cases_dir: Path, only: Iterable[Path] | None, cache: dict | None, cache_dir: Path | None | bool,
                   workers: int, need_data: bool) -> tuple[Casebook | None, list[Problem]]:
    taxonomy, problems = load_taxonomy(cases_dir)
    if taxonomy is None:
        return None, problems
    schema = with_vocabulary(taxonomy)
    store = open_store(cache_folder(cases_dir, cache_dir), schema, cases_dir)
    run = Run(cases_dir, taxonomy, store, need_data)
    selected = {p.resolve() for p in only} if only is not None else None
    paths = case_files(cases_dir)
    problems += _chosen_file_problems(cases_dir, only, selected)
    names = [display_name(path) for path in paths]
    results = load_all(run, paths, names, cache, stamp_of(cases_dir / TAXONOMY_FILE), workers)
    problems += _around_problems(cases_dir, store, results, names, selected, clean=not problems)
    book = _Assembly(selected)
    for path, checked in zip(paths, results):
        book.add(path, checked)
    problems += book.problems + book.across_cases()
    for path in (selected - {p.resolve() for p in paths}) if selected else ():
        problems.append(Problem(display_name(path), 1, 1, "", "不是 cases/ 目录下的案例文件（.yaml）"))
    if problems:
        return None, sorted(problems)
    return book.casebook(taxonomy, schema, cases_dir, need_data), []


def _chosen_file_problems(cases_dir: Path, only: Iterable[Path] | None, selected: set[Path] | None) -> list[Problem]:
    """The problems of unsafe or misplaced files in cases/, of the chosen files only when some are chosen."""
    return [p for p in file_problems(cases_dir)
            if selected is None or (cases_dir / Path(p.file).name).resolve() in selected
            or (cases_dir / Path(p.file).name).absolute() in {q.absolute() for q in only or []}]


def _around_problems(cases_dir: Path, store, results: list, names: list[str], selected: set[Path] | None,
                     clean: bool) -> list[Problem]:
    """The problems of the files around the cases (all cases checked) and, once nothing else is wrong,
    of the region addresses; then the store keeps only what this run and the files around still name."""
    around, remembered = gate.problems(cases_dir, store) if selected is None else ([], set())
    problems = list(around)
    placed = [r.doc for r in results if r.doc is not None and not r.problems]
    # Last, once all else passes: finding region addresses needs pinyin (seconds to load) unless remembered.
    if clean and not around and not any(p.problems for p in results):
        problems += [p for p in gate.region_problems(placed, store, remembered)
                     if selected is None or (cases_dir / Path(p.file).name).resolve() in selected]
    if selected is not None:  # the files around the cases were not looked at: keep what is known of them
        remembered |= {name for name in store.entries if not name.endswith((".yaml", ".yml"))}
    store.keep_only(set(names) | remembered)
    store.save()
    return problems


class _Assembly:
    """The casebook put together from checked cases, in file order: the cases that pass (of the chosen
    files, when some are chosen), their files and sources, and what only the whole casebook shows
    (a slug used twice, an old address taken, a link to no case)."""

    def __init__(self, selected: set[Path] | None):
        self.selected = selected
        self.cases: list[dict] = []
        self.files: dict[str, Path] = {}
        self.slug_file: dict[str, Path] = {}
        self.sources: dict[str, str] = {}
        self.formers: list[tuple[Document, int, str]] = []  # (case, position, old slug) for every former_slugs entry
        self.reported: list[Document] = []
        self.problems: list[Problem] = []

    def add(self, path: Path, checked) -> None:
        report = self.selected is None or path.resolve() in self.selected  # resolve() only when some files are chosen
        self.problems += checked.problems if report else []
        if checked.doc is None:
            return
        doc = checked.doc
        self._claim_slug(doc, path, report)
        if report:
            self.reported.append(doc)
        if report and not checked.problems:
            self.cases.append(doc.data)
            self.files[doc.data["slug"]] = path
            if checked.source is not None and checked.source_text is not None:
                self.sources[checked.source] = checked.source_text
            self.formers += [(doc, i, old) for i, old in enumerate(doc.data.get("former_slugs") or [])]

    def _claim_slug(self, doc: Document, path: Path, report: bool) -> None:
        slug = doc.data.get("slug")
        if isinstance(slug, str) and slug in self.slug_file and report:
            self.problems.append(doc.problem(("slug",), f"slug“{slug}”已被 {display_name(self.slug_file[slug])} "
                                                        "使用：每个案例的 slug 必须唯一"))
        elif isinstance(slug, str):
            self.slug_file.setdefault(slug, path)

    def across_cases(self) -> list[Problem]:
        return (_former_slug_problems(self.formers, self.slug_file)
                + transfer.link_problems(self.reported, list(self.slug_file)))

    def casebook(self, taxonomy: Taxonomy, schema: dict, cases_dir: Path, need_data: bool) -> Casebook:
        cases = sorted(self.cases, key=lambda c: c["slug"])
        sources = self.sources
        if need_data:
            sources = {c["source"]["file"]: sources[c["source"]["file"]] for c in cases}
        return Casebook(cases, taxonomy, schema, cases_dir, self.files, sources)
