"""Every check a case must pass, reported all at once as located Problems.

Schema errors come from jsonschema; the checks a schema cannot express
(file name, real dates, the source file, verbatim quotes, unique slugs)
follow, driven by which `$defs` each field uses.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import fastjsonschema
from jsonschema import Draft202012Validator

from . import messages, transfer
from .load import Document, LoadError, load_file, read_text
from .model import LEVELS, Casebook
from .problems import Problem
from .safety import RESERVED_SLUGS
from .schema import Taxonomy, fields, paths_using, taxonomy_schema, values_at, with_vocabulary

TAXONOMY_FILE = "taxonomy.yaml"
_PUNCT = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"',
                        "—": "-", "–": "-", "…": "...", "·": "·", "•": "·"})
_PLACE_SUFFIX = re.compile(r"(省|市|区|县|街道|镇|乡|社区|村)$")


def normalise(text: str) -> str:
    """Fold full/half-width forms and quote styles, drop whitespace: how quotes are compared."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).translate(_PUNCT))


def stated(name: str, quotes: list) -> bool:
    """Whether a place name (its suffix such as 市 or 社区 aside) is written in one of the quotes."""
    evidence = normalise("".join(q for q in quotes if isinstance(q, str)))
    return normalise(_PLACE_SUFFIX.sub("", name) or name) in evidence


def display_name(path: Path) -> str:
    """The path as the editor typed it: relative to where the command runs, when inside it."""
    relative = os.path.relpath(os.path.abspath(path))
    return str(path) if relative.startswith("..") else relative


def case_files(cases_dir: Path) -> list[Path]:
    """The case files to read: regular files inside cases/ (file_problems() reports the others)."""
    return sorted(p for p in cases_dir.iterdir()
                  if p.suffix in {".yaml", ".yml"} and p.name != TAXONOMY_FILE and _unsafe_file(p, cases_dir) is None)


def _unsafe_file(path: Path, root: Path) -> str | None:
    """Why a file under cases/ must not be read or published, or None if it is an ordinary file inside.

    A symbolic link could publish any file of the build machine; a FIFO would block the build for ever.
    """
    try:
        if path.is_symlink() and not path.exists():
            return f"{path.name} 是一个指向不存在文件的符号链接：删除它，或把真正的文件放在这里"
        resolved = path.resolve()
        if not resolved.is_relative_to(root.resolve()):
            return f"{path.name} 是指向 cases/ 目录以外（{resolved}）的符号链接：案例和原文必须是 cases/ 里的文件"
        mode = resolved.stat().st_mode
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop
        return f"无法读取 {path.name}：{getattr(exc, 'strerror', None) or '符号链接循环'}"
    if stat.S_ISDIR(mode):
        return f"{path.name} 是一个文件夹，不是案例文件"
    if not stat.S_ISREG(mode):
        return f"{path.name} 不是普通文件（可能是管道或设备文件）：案例和原文必须是普通文本文件"
    return None


def file_problems(cases_dir: Path) -> list[Problem]:
    """Files in cases/ that look like cases but would be skipped: say so instead of staying silent."""
    out = []
    for path in sorted(cases_dir.iterdir()):
        suffix = path.suffix
        if suffix.lower() in {".yaml", ".yml"} and suffix not in {".yaml", ".yml"}:
            out.append(Problem(display_name(path), 1, 1, "",
                               f"扩展名“{suffix}”应为小写：把文件改名为 {path.stem}.yaml，否则它不会被读取"))
        elif suffix in {".yaml", ".yml"} and path.name != TAXONOMY_FILE:
            why = _unsafe_file(path, cases_dir)
            if why:
                out.append(Problem(display_name(path), 1, 1, "", why))
    return out


def schema_problems(doc: Document, validator: Draft202012Validator) -> list[Problem]:
    out: list[Problem] = []
    seen: set[tuple] = set()
    for error in validator.iter_errors(doc.data):
        path = tuple(error.absolute_path)
        if error.validator == "required":
            # Name the missing field itself; its position falls back to the mapping that lacks it.
            path += (messages.missing_property(error),)
        if path in seen and error.validator != "additionalProperties":
            continue  # one message per field: an empty title need not also be "too short" and "wrong format"
        seen.add(path)
        if error.validator == "additionalProperties":
            out += [doc.problem(path + (name,), text) for name, text in messages.unknown_field_messages(error)]
        elif error.validator in {"if", "then", "allOf"}:
            continue  # the nested errors that matter are reported on their own
        else:
            out.append(doc.problem(path, messages.message(error)))
    return out


def load_taxonomy(cases_dir: Path) -> tuple[Taxonomy | None, list[Problem]]:
    path = cases_dir / TAXONOMY_FILE
    if not path.is_file() and not path.is_symlink():
        return None, [Problem(display_name(path), 1, 1, "", "找不到受控词表文件 taxonomy.yaml")]
    unsafe = _unsafe_file(path, cases_dir)
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


class CaseChecker:
    """Checks one case after another against the same schema, vocabulary and sources."""

    def __init__(self, cases_dir: Path, taxonomy: Taxonomy):
        self.cases_dir = cases_dir
        self.schema = with_vocabulary(taxonomy)
        self.validator = Draft202012Validator(self.schema)
        # A compiled validator answers "valid?" several times faster; jsonschema then explains the invalid ones.
        self.is_valid = fastjsonschema.compile(self.schema)
        self.source_file = re.compile(self.schema["properties"]["source"]["properties"]["file"]["pattern"])
        self.quote_paths = paths_using(self.schema, "quote")
        self.date_paths = {name: paths_using(self.schema, name) for name in ("full_date", "partial_date")}
        self.name_paths = [p for name in ("short_text", "optional_name", "unit", "tag")
                           for p in paths_using(self.schema, name)]
        self.integer_paths = [f.path for f in fields(self.schema) if "integer" in _types(f.node)]
        self.sources: dict[str, str] = {}
        self._normalised: dict[str, str] = {}

    def check(self, doc: Document, path: Path) -> list[Problem]:
        try:
            self.is_valid(doc.data)
            problems = []
        except fastjsonschema.JsonSchemaException:
            problems = schema_problems(doc, self.validator)
        data = doc.data
        slug = data.get("slug")
        if isinstance(slug, str) and slug != path.stem:
            problems.append(doc.problem(("slug",), f"slug“{slug}”与文件名“{path.name}”不一致：文件应命名为 {slug}.yaml"))
        if isinstance(slug, str) and slug in RESERVED_SLUGS:
            problems.append(doc.problem(("slug",), f"“{slug}”是网站自己使用的页面名（案例目录页），不能作为案例的 slug：换一个"))
        problems += self._plain_values(doc)
        problems += self._dates(doc)
        source, source_problems = self._source(doc)
        problems += source_problems
        if source is not None:
            problems += self._quotes(doc, source)
        problems += self._practice_refs(doc)
        problems += transfer.case_problems(doc, stated)
        return problems

    def _plain_values(self, doc: Document) -> list[Problem]:
        """What the schema's types let through: 2018.0 as a year, a name ending in a line break."""
        out = []
        for pattern in self.integer_paths:
            for path, value in values_at(doc.data, pattern):
                if isinstance(value, float):
                    out.append(doc.problem(path, f"应为整数，实际是 {value}：写成 {value:.0f}，不要带小数点"
                                           if value.is_integer() else f"应为整数，实际是 {value}"))
        for pattern in self.name_paths:
            for path, value in values_at(doc.data, pattern):
                if isinstance(value, str) and value.endswith("\n"):  # the schema's pattern lets a final one pass
                    out.append(doc.problem(path, "名称要写在一行里，不能换行"))
        return out

    def _dates(self, doc: Document) -> list[Problem]:
        out = []
        for pattern in self.date_paths["full_date"] + self.date_paths["partial_date"]:
            for path, value in values_at(doc.data, pattern):
                if isinstance(value, str) and re.fullmatch(r"\d{4}(-\d{2}){0,2}", value) and not _real_date(value):
                    out.append(doc.problem(path, f"日期“{value}”不存在：检查月份（1–12）和这个月的天数"))
        return out

    def _source(self, doc: Document) -> tuple[str | None, list[Problem]]:
        relative = _get(doc.data, "source", "file")
        if not isinstance(relative, str) or not self.source_file.match(relative):
            return None, []  # the schema has reported it
        path = self.cases_dir / relative
        where = ("source", "file")
        if not path.is_file() and not path.is_symlink():
            return None, [doc.problem(where, f"找不到原文文件 {display_name(path)}：清理后的原文应保存在 cases/{relative}")]
        unsafe = _unsafe_file(path, self.cases_dir)
        if unsafe:
            return None, [doc.problem(where, f"原文文件不能使用：{unsafe}")]
        if relative not in self.sources:
            try:
                text = read_text(path, display_name(path))
            except LoadError as exc:
                return None, [doc.problem(where, f"原文文件无法读取：{exc.problems[0].message}")]
            self.sources[relative] = text
            self._normalised[relative] = normalise(text)
        if not self._normalised[relative]:
            return None, [doc.problem(where, f"原文文件 {relative} 是空的：请把清理后的原文粘贴进去")]
        return self._normalised[relative], []

    def _quotes(self, doc: Document, source: str) -> list[Problem]:
        out = []
        relative = doc.data["source"]["file"]
        for pattern in self.quote_paths:
            for path, quote in values_at(doc.data, pattern):
                wanted = normalise(quote) if isinstance(quote, str) else ""
                if not wanted or wanted in source:
                    continue
                found = _longest_prefix(wanted, source)
                hint = f"前 {found} 个字能找到，从“{wanted[found:found + 8]}”起不一致" if found else "一个字也对不上"
                out.append(doc.problem(path, f"摘录在原文 {relative} 中找不到（{hint}）：摘录必须逐字来自原文，空白和全角/半角标点不计"))
        loc = doc.data.get("location")
        if not isinstance(loc, dict) or not isinstance(loc.get("evidence"), list):
            return out
        for level in LEVELS:
            name = loc.get(level)
            if isinstance(name, str) and name and not stated(name, loc["evidence"]):
                out.append(doc.problem(("location", level),
                                       f"“{name}”在 location.evidence 的摘录中找不到：只填原文写明的地点，并摘录写明它的句子"))
        return out

    def _practice_refs(self, doc: Document) -> list[Problem]:
        practices, outcomes = doc.data.get("practices"), doc.data.get("outcomes")
        if not isinstance(practices, list) or not isinstance(outcomes, list):
            return []
        names = [p.get("name") for p in practices if isinstance(p, dict)]
        out = []
        for i, outcome in enumerate(outcomes):
            ref = outcome.get("practice") if isinstance(outcome, dict) else None
            if isinstance(ref, str) and ref and ref not in names:
                guess = messages.nearest(ref, names)
                hint = f"是否想写“{guess}”？" if guess else f"可选：{'、'.join(map(str, names))}"
                out.append(doc.problem(("outcomes", i, "practice"), f"本案例没有名为“{ref}”的做法；{hint}"))
        return out


def _types(node: dict) -> list:
    types = node.get("type")
    return [types] if isinstance(types, str) else (types or [])


def _get(data, *keys):
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _real_date(value: str) -> bool:
    parts = [int(p) for p in value.split("-")] + [1, 1]
    try:
        dt.date(*parts[:3])
    except ValueError:
        return False
    return True


def _longest_prefix(needle: str, haystack: str) -> int:
    low, high = 0, len(needle)
    while low < high:  # presence of a prefix is monotone in its length
        mid = (low + high + 1) // 2
        if needle[:mid] in haystack:
            low = mid
        else:
            high = mid - 1
    return low


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


@dataclass
class _Checked:
    """One file's result, reused by `mkdocs serve` until the file, its source or the vocabulary changes."""

    stamps: tuple
    doc: Document | None
    problems: list[Problem]
    source: str | None = None  # the source file it names, relative to cases/
    source_stamp: tuple | None = None  # None also when that file is missing, so adding it is noticed
    source_text: str | None = None


def _load_and_check(checker: CaseChecker, path: Path, cache: dict | None, taxonomy_stamp) -> _Checked:
    stamps = (_stamp(path), taxonomy_stamp)
    hit = cache.get(path) if cache is not None else None
    if hit and hit.stamps == stamps and (hit.source is None or _stamp(checker.cases_dir / hit.source) == hit.source_stamp):
        if hit.source_text is not None:
            checker.sources[hit.source] = hit.source_text
        return hit
    try:
        doc = load_file(path, display_name(path))
    except LoadError as exc:
        result = _Checked(stamps, None, exc.problems)
    else:
        problems = checker.check(doc, path)
        relative = _get(doc.data, "source", "file")
        result = _Checked(stamps, doc, problems)
        if isinstance(relative, str):
            result.source, result.source_stamp = relative, _stamp(checker.cases_dir / relative)
            result.source_text = checker.sources.get(relative)
    if cache is not None:
        cache[path] = result
    return result


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
                  cache: dict | None = None) -> tuple[Casebook | None, list[Problem]]:
    """Load and check every case; report problems for all (or `only` these files).

    The casebook is None if any problem is reported. `cache` (a dict kept by the
    caller) lets repeated builds skip files that have not changed.
    """
    taxonomy, problems = load_taxonomy(cases_dir)
    if taxonomy is None:
        return None, problems
    checker = CaseChecker(cases_dir, taxonomy)
    taxonomy_stamp = _stamp(cases_dir / TAXONOMY_FILE)
    selected = {p.resolve() for p in only} if only is not None else None
    paths = case_files(cases_dir)
    problems += [p for p in file_problems(cases_dir)
                 if selected is None or (cases_dir / Path(p.file).name).resolve() in selected
                 or (cases_dir / Path(p.file).name).absolute() in {q.absolute() for q in only or []}]
    cases, files, slug_file = [], {}, {}
    formers: list[tuple[Document, int, str]] = []  # (case, position, old slug) for every former_slugs entry
    reported: list[Document] = []
    for path in paths:
        report = selected is None or path.resolve() in selected
        checked = _load_and_check(checker, path, cache, taxonomy_stamp)
        problems += checked.problems if report else []
        if checked.doc is None:
            continue
        doc = checked.doc
        slug = doc.data.get("slug")
        if isinstance(slug, str) and slug in slug_file and report:
            problems.append(doc.problem(("slug",), f"slug“{slug}”已被 {display_name(slug_file[slug])} 使用：每个案例的 slug 必须唯一"))
        elif isinstance(slug, str):
            slug_file.setdefault(slug, path)
        if report:
            reported.append(doc)
        if report and not checked.problems:
            cases.append(doc.data)
            files[doc.data["slug"]] = path
            formers += [(doc, i, old) for i, old in enumerate(doc.data.get("former_slugs") or [])]
    problems += _former_slug_problems(formers, slug_file)
    problems += transfer.link_problems(reported, list(slug_file))
    for path in (selected or set()) - {p.resolve() for p in paths}:
        problems.append(Problem(display_name(path), 1, 1, "", "不是 cases/ 目录下的案例文件（.yaml）"))
    if problems:
        return None, sorted(problems)
    cases.sort(key=lambda c: c["slug"])
    sources = {c["source"]["file"]: checker.sources[c["source"]["file"]] for c in cases}
    return Casebook(cases, taxonomy, checker.schema, cases_dir, files, sources), []
