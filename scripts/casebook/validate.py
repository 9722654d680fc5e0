"""Every check a case must pass, reported all at once as located Problems.

Schema errors come from jsonschema; the checks a schema cannot express
(file name, real dates, the source file, verbatim quotes, unique slugs)
follow, driven by which `$defs` each field uses.
"""
from __future__ import annotations

import datetime as dt
import functools
import gc
import marshal
import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import fastjsonschema
from jsonschema import Draft202012Validator

from . import cache as cache_module
from . import articles, messages, numbers, syntax_hints, transfer
from .parallel import fork_map
from .load import MAX_BYTES, Document, LoadError, decode, load_file, parse, read_bounded, read_bytes
from .model import LEVELS, Casebook
from .problems import Problem
from .safety import RESERVED_SLUGS, RealPaths, bad_char_message, find_bad_char, shown
from .schema import Selector, Taxonomy, fields, paths_using, taxonomy_schema, with_vocabulary
from .suggest import Suggestions

TAXONOMY_FILE = "taxonomy.yaml"
_PUNCT = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"',
                        "—": "-", "–": "-", "…": "...", "·": "·", "•": "·"})
_PUNCT_PAIRS = [(chr(k), v) for k, v in _PUNCT.items()]
# What normalise() treats as equal, said as the editor compares: every other character must match.
QUOTE_RULE = ("摘录必须逐字来自原文：只有全角和半角的同一字符（如“，”和“,”、“１”和“1”）、中文和英文引号看作相同，"
              "空格和换行不计；其余每个字、每个标点都要与原文一致")
_PLACE_SUFFIX = re.compile(r"(省|市|区|县|街道|镇|乡|社区|村)$")


def normalise(text: str) -> str:
    """Fold full/half-width forms and quote styles, drop whitespace: how quotes are compared."""
    # Same result as re.sub(r"\s+", "", NFKC(text).translate(_PUNCT)), several times faster on long
    # Chinese text: most of it is already NFKC (the quick check answers without rebuilding it),
    # str.replace runs in C where translate looks up every character, and split() drops the same whitespace.
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    for old, new in _PUNCT_PAIRS:
        if old in text:
            text = text.replace(old, new)
    return "".join(text.split())


def stated(name: str, quotes: list) -> bool:
    """Whether a place name (its suffix such as 市 or 社区 aside) is written in one of the quotes."""
    evidence = _normalised("".join(q for q in quotes if isinstance(q, str)))
    return _normalised(_PLACE_SUFFIX.sub("", name) or name) in evidence


# A case's place names are each looked for in the same quotes, and the same names recur across cases.
_normalised = functools.lru_cache(maxsize=4096)(normalise)


def display_name(path: Path) -> str:
    """The path as the editor typed it: relative to where the command runs, when inside it."""
    folder, name = os.path.split(str(path))
    shown = _shown_folder(folder, os.getcwd())
    if shown is None:
        return str(path)
    return name if shown == "." else os.path.join(shown, name)


@functools.lru_cache(maxsize=256)
def _shown_folder(folder: str, cwd: str) -> str | None:
    """A folder relative to `cwd`, or None outside it: worked out once per folder (relpath is slow
    enough to matter at 5,000 files)."""
    relative = os.path.relpath(os.path.join(cwd, folder or "."), cwd)
    return None if relative.startswith("..") else relative


def case_files(cases_dir: Path) -> list[Path]:
    """The case files to read: regular files inside cases/ (file_problems() reports the others)."""
    with os.scandir(cases_dir) as entries:  # scandir knows file types without a stat per file
        names = sorted(e.name for e in entries if e.name.endswith((".yaml", ".yml")) and e.name != TAXONOMY_FILE
                       and (e.is_file(follow_symlinks=False) or _unsafe_file(Path(e.path), cases_dir) is None))
    return [cases_dir / name for name in names]


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
    with os.scandir(cases_dir) as entries:  # file types without a stat each: an ordinary file needs no more
        odd = sorted(e.name for e in entries if e.name.lower().endswith((".yaml", ".yml"))
                     and not (e.is_file(follow_symlinks=False) and e.name.endswith((".yaml", ".yml"))))
    for name in odd:
        path = cases_dir / name
        suffix = path.suffix
        if suffix not in {".yaml", ".yml"}:
            out.append(Problem(display_name(path), 1, 1, "",
                               f"扩展名“{suffix}”应为小写：把文件改名为 {path.stem}.yaml，否则它不会被读取"))
        elif name != TAXONOMY_FILE:
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
            out.append(doc.problem(path, _commented_out(doc, path, error) or messages.message(error)))
    return out


def _commented_out(doc: Document, path: tuple, error) -> str | None:
    """When a value starting with # became a comment and left the field empty: say so, with the fix."""
    if error.instance is not None or error.validator in {"required", "additionalProperties"}:
        return None
    line = doc.line_text(doc.where(path)[0])
    value = syntax_hints.commented_value(line)
    if value is None:
        return None
    key = line.strip().split(":", 1)[0].lstrip("- ")
    return (f"“{value}”以“#”开头，YAML 把它当成了注释，这个字段成了空值：以 # 开头的值要加引号，"
            f"写成 {key}: {syntax_hints.quoted(value)}")


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
        self.is_valid = _compile_yes_no(self.schema)
        self.source_file = re.compile(self.schema["properties"]["source"]["properties"]["file"]["pattern"])
        # The fields each check reads, found in one walk over a case.
        self.fields = Selector({
            "quote": paths_using(self.schema, "quote"),
            "figure_item": [p[:-1] for p in paths_using(self.schema, "figure")],  # the item holding the value
            "date": paths_using(self.schema, "full_date") + paths_using(self.schema, "partial_date"),
            "name": [p for name in ("short_text", "optional_name", "unit", "tag") for p in paths_using(self.schema, name)],
            "integer": [f.path for f in fields(self.schema) if "integer" in _types(f.node)],
        })
        self.sources: dict[str, str] = {}
        self.read: dict[str, tuple] = {}  # source file -> (stamp taken before reading it, digest of what was read)
        self._normalised: dict[str, str] = {}  # filled only for sources a quote does not match verbatim
        self._root = os.path.realpath(cases_dir) + os.sep
        self._real = RealPaths()

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
        formers = data.get("former_slugs")
        for i, old in enumerate(formers if isinstance(formers, list) else []):
            if isinstance(old, str) and old in RESERVED_SLUGS:
                problems.append(doc.problem(("former_slugs", i), f"“{old}”是网站自己使用的页面名（案例目录页），"
                                                                 "不能作为以前的标识：旧网址会顶替这个页面；删去这一项"))
        found = self.fields.select(data)
        problems += self._plain_values(doc, found)
        problems += self._dates(doc, found["date"])
        source, source_problems = self._source(doc)
        problems += source_problems
        if source is not None:
            problems += self._quotes(doc, source, found["quote"])
        problems += self._practice_refs(doc)
        problems += self._unstated(doc)
        problems = _one_per_field(problems, *self._figures(doc, found["figure_item"]))
        problems += transfer.case_problems(doc, stated)
        problems += articles.case_problems(doc)
        return problems

    def _plain_values(self, doc: Document, found: dict) -> list[Problem]:
        """What the schema's types let through: 2018.0 as a year, a name ending in a line break."""
        out = []
        for path, value in found["integer"]:
            if isinstance(value, float):
                out.append(doc.problem(path, f"应为整数，实际是 {value}：写成 {value:.0f}，不要带小数点"
                                       if value.is_integer() else f"应为整数，实际是 {value}"))
        for path, value in found["name"]:
            if isinstance(value, str) and value.endswith("\n"):  # the schema's pattern lets a final one pass
                out.append(doc.problem(path, "名称要写在一行里，不能换行"))
        return out

    def _dates(self, doc: Document, found: list) -> list[Problem]:
        out = []
        for path, value in found:
            if isinstance(value, str) and re.fullmatch(r"\d{4}(-\d{2}){0,2}", value) and not _real_date(value):
                out.append(doc.problem(path, f"日期“{value}”不存在：检查月份（1–12）和这个月的天数"))
        return out

    def _source(self, doc: Document) -> tuple[str | None, list[Problem]]:
        relative = _get(doc.data, "source", "file")
        if not isinstance(relative, str) or not self.source_file.match(relative):
            return None, []  # the schema has reported it
        path = self.cases_dir / relative
        where = ("source", "file")
        if relative not in self.sources:
            info = self._ordinary(path)
            if info is None:
                if not path.is_file() and not path.is_symlink():
                    return None, [doc.problem(where, f"找不到原文文件 {display_name(path)}：清理后的原文应保存在 cases/{relative}")]
                unsafe = _unsafe_file(path, self.cases_dir)
                if unsafe:
                    return None, [doc.problem(where, f"原文文件不能使用：{unsafe}")]
            try:
                raw = read_bytes(path, display_name(path), what="一个原文文件")
                self.sources[relative] = decode(raw, display_name(path))
            except LoadError as exc:
                return None, [doc.problem(where, f"原文文件无法读取：{exc.problems[0].message}")]
            if info is not None:
                self.read[relative] = (cache_module.stamp(info), cache_module.digest(raw))
        text = self.sources[relative]
        bad = find_bad_char(text, raw=True)
        if bad is not None:  # published as it stands, so held to the rule for case files (line breaks, tabs pass)
            line = text.count("\n", 0, bad) + 1
            col = bad - (text.rfind("\n", 0, bad) + 1) + 1
            return None, [Problem(display_name(path), line, col, "", bad_char_message(text[bad]))]
        if text.isspace() or not text:  # normalising leaves nothing of a text that is all whitespace
            return None, [doc.problem(where, f"原文文件 {relative} 是空的：请把清理后的原文粘贴进去")]
        return text, []

    def _ordinary(self, path: Path) -> os.stat_result | None:
        """The file's status if it is a regular file (not a link) inside cases/, as nearly every source is."""
        try:
            info = os.lstat(path)
        except OSError:
            return None
        return info if stat.S_ISREG(info.st_mode) and self._real(path).startswith(self._root) else None

    def _normalised_source(self, relative: str) -> str:
        if relative not in self._normalised:
            self._normalised[relative] = normalise(self.sources[relative])
        return self._normalised[relative]

    def _quotes(self, doc: Document, text: str, found: list) -> list[Problem]:
        out = []
        relative = doc.data["source"]["file"]
        for path, quote in found:
            if isinstance(quote, str) and verbatim_at(quote, text) >= 0:
                continue  # copied as it stands: found without normalising the whole source
            wanted = normalise(quote) if isinstance(quote, str) else ""
            source = self._normalised_source(relative)
            if not wanted or wanted in source:
                continue
            at = _typed_index(quote, _longest_prefix(wanted, source))
            hint = f"前 {at} 个字能找到，从“{quote[at:at + 8].strip()}”起不一致" if at else "一个字也对不上"
            out.append(doc.problem(path, f"摘录在原文 {relative} 中找不到（{hint}）：{QUOTE_RULE}"))
        loc = doc.data.get("location")
        if not isinstance(loc, dict) or not isinstance(loc.get("evidence"), list):
            return out
        for level in LEVELS:
            name = loc.get(level)
            if isinstance(name, str) and name and not stated(name, loc["evidence"]):
                out.append(doc.problem(("location", level),
                                       f"“{name}”在 location.evidence 的摘录中找不到：只填原文写明的地点，并摘录写明它的句子"))
        return out

    def _figures(self, doc: Document, items: list) -> tuple[list[Problem], list[Problem]]:
        """Each figure's value (and qualifier) must be a number its own evidence quote states.

        Returns problems the schema's own message says better, and those that replace the schema's
        (a qualifier not in the list: the quote tells which one was meant)."""
        out, replacing = [], []
        allowed = self.schema["$defs"]["qualifier"]["enum"]
        for path, item in items:
            if not isinstance(item, dict):
                continue
            typed = item.get("qualifier")
            if isinstance(typed, str) and typed not in allowed:
                replacing.append(doc.problem(path + ("qualifier",), _qualifier_message(typed, item, allowed)))
                continue
            found = numbers.mismatch(item)
            if found:
                field, message = found
                out.append(doc.problem(path + (field,), message))
        return out, replacing

    def _unstated(self, doc: Document) -> list[Problem]:
        """Fields marked as not stated by the source: each one completeness counts, and left empty."""
        listed = doc.data.get("unstated")
        if not isinstance(listed, list):
            return []
        from .completeness import counted_fields, is_filled  # completeness reads quotes through this module

        known = {f.dotted: f.path for f in counted_fields(self.schema)}
        out = []
        for i, name in enumerate(listed):
            if not isinstance(name, str) or not name:
                continue  # the schema has reported it
            if name not in known:
                guess = messages.nearest(name, list(known))
                hint = f"是否想写“{guess}”？" if guess else f"可以列出的字段：{'、'.join(known)}"
                out.append(doc.problem(("unstated", i), f"“{shown(name)}”不是可以标为原文未写明的字段。{hint}"))
            elif is_filled(_get(doc.data, *known[name])):
                out.append(doc.problem(("unstated", i), f"{name} 已经填写，却列为原文未写明：原文写了就从这里删去，"
                                                        "没写就把这个字段清空"))
        return out

    def _practice_refs(self, doc: Document) -> list[Problem]:
        practices, outcomes = doc.data.get("practices"), doc.data.get("outcomes")
        if not isinstance(practices, list) or not isinstance(outcomes, list):
            return []
        names = [p.get("name") for p in practices if isinstance(p, dict)]
        known = {n for n in names if isinstance(n, str)}
        suggestions: Suggestions | None = None  # indexed only if some reference is dangling
        out = []
        for i, outcome in enumerate(outcomes):
            ref = outcome.get("practice") if isinstance(outcome, dict) else None
            if isinstance(ref, str) and ref and ref not in known:
                suggestions = suggestions or Suggestions(names)
                guess = suggestions.nearest(ref)
                hint = f"是否想写“{guess}”？" if guess else f"可选：{suggestions.listed()}"
                out.append(doc.problem(("outcomes", i, "practice"), f"本案例没有名为“{shown(ref, 40)}”的做法；{hint}"))
        return out


def _one_per_field(problems: list[Problem], figures: list[Problem], replacing: list[Problem]) -> list[Problem]:
    """One message per mistake: the figure check speaks only of fields the schema has not already
    reported, except where its message replaces the schema's."""
    replaced = {p.path for p in replacing}
    kept = [p for p in problems if p.path not in replaced]
    said = {p.path for p in kept}
    return kept + replacing + [p for p in figures if p.path not in said]


def _qualifier_message(typed: str, item: dict, allowed: list) -> str:
    """A qualifier written as the article words it (超, 将近) rather than as one of the allowed ones."""
    listed = "、".join(allowed)
    value, quote = item.get("value"), item.get("evidence")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not isinstance(quote, str):
        return f"修饰词“{shown(typed)}”不是可选的写法。可选值：{listed}"
    said = [s.qualifier for s in numbers.stated(quote) if s.value == value * numbers.scale(item.get("unit") or "")]
    number = numbers.plain(value)
    written = numbers.written_as(quote, value * numbers.scale(item.get("unit") or ""))
    excerpt = f"（摘录写作“{written}”）" if written else ""
    if said and said[0]:
        return f"修饰词“{shown(typed)}”不是可选的写法{excerpt}：原文的这种说法写 qualifier: {said[0]}。可选值：{listed}"
    if said:
        return f"修饰词“{shown(typed)}”不是可选的写法，而且摘录里的 {number} 是确数：删去 qualifier"
    return f"修饰词“{shown(typed)}”不是可选的写法。可选值：{listed}"


def _compile_yes_no(schema: dict):
    """fastjsonschema's validator for `schema`, minus the error-path formatting it does on every list item.

    The generated code builds each item's path with str.format(**locals()) before
    knowing whether anything is wrong (a fifth of the checking time at 5,000 cases).
    Only "valid or not" is used here; jsonschema explains the invalid ones, so the
    paths inside the compiled code's own messages need not be filled in.
    """
    code = fastjsonschema.compile_to_code(schema).replace(".format(**locals())", "")
    namespace: dict = {}
    exec(compile(code, "<case schema>", "exec"), namespace)  # noqa: S102 - code generated from our own schema
    return namespace[re.findall(r"^def (\w+)", code, re.M)[0]]


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


# Characters after which, and before which, normalising a text never joins two characters into one
# (no combining marks, Hangul jamo, or half-width kana sound marks): a quote found verbatim between
# such characters is found in the normalised source too.
_STABLE = re.compile(r"[\x00-\u02ff\u2000-\u20cf\u3000-\u3029\u3030-\u303f\u4e00-\u9fff\uff00-\uff9d\uffa0-\uffef]")


def verbatim_at(quote: str, text: str) -> int:
    """Where the quote occurs in the source exactly as written, in a way normalise() keeps intact (else -1):
    then normalise(quote) is in normalise(text) too, without normalising the whole text."""
    at = text.find(quote)
    if at < 0 or not quote or not _STABLE.match(quote[0]):
        return -1
    end = at + len(quote)
    return at if end == len(text) or _STABLE.match(text[end]) else -1


def _typed_index(quote: str, matched: int) -> int:
    """Where, in the quote as typed, the first `matched` characters of its normalised form end."""
    for i in range(len(quote)):
        if len(normalise(quote[: i + 1])) > matched:
            return i
    return len(quote)


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


def _fresh(run: _Run, path: Path) -> tuple:
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
        relative = _get(doc.data, "source", "file")
        relative = relative if isinstance(relative, str) else None
    return doc, problems, relative, case_digest, run.source_state(relative) if relative is not None else (None, None)


class _Run:
    """What one load_casebook call shares between files: the checker (made only if needed), sources, store."""

    def __init__(self, cases_dir: Path, taxonomy: Taxonomy, store: cache_module.Store, need_data: bool):
        self.cases_dir, self.taxonomy, self.store, self.need_data = cases_dir, taxonomy, store, need_data
        self._checker: CaseChecker | None = None
        self._sources: dict[str, tuple] = {}
        self.root = str(cases_dir)  # plain strings: pathlib's overhead shows at 5,000 files

    @property
    def checker(self) -> CaseChecker:
        if self._checker is None:  # compiling the schema is skipped when every file is cached
            self._checker = CaseChecker(self.cases_dir, self.taxonomy)
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
                    digest = _digest_file(path)
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


def _digest_file(path: str) -> bytes:
    """The digest of a file's bytes; of its size alone when it is over the limit, so it is never read whole
    (the check reports it, and any change of size is noticed)."""
    raw, size = read_bounded(path, MAX_BYTES)
    if size > MAX_BYTES:
        return b"+" + str(size).encode()
    return cache_module.digest(raw)


def _from_store(run: _Run, path: str, name: str) -> tuple[cache_module.Entry | None, dict | None, tuple]:
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
            case_digest = _digest_file(path)
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


def _checked_from(run: _Run, path: Path, stamps: tuple, doc: Document | None, problems: list[Problem],
                  source: str | None, source_text: str | None) -> _Checked:
    result = _Checked(stamps, doc, problems)
    if source is not None:
        result.source, result.source_stamp = source, _stamp(run.cases_dir / source) if stamps else None
        result.source_text = source_text
    return result


def _load_all(run: _Run, paths: list[Path], names: list[str], cache_: dict | None, taxonomy_stamp,
              workers: int) -> list[_Checked]:
    """Every file's result: from memory, else from the disk cache, else parsed and checked (in parallel if asked)."""
    results: list[_Checked | None] = []
    misses: list[tuple[int, Path, tuple, tuple]] = []
    for path, name in zip(paths, names):
        stamps = (_stamp(path), taxonomy_stamp) if cache_ is not None else ()
        hit = cache_.get(path) if cache_ is not None else None
        if hit and hit.stamps == stamps and (hit.source is None or _stamp(run.cases_dir / hit.source) == hit.source_stamp):
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
        cross, marks = _cross(doc) if doc is not None else ({}, {})
        entry = cache_module.Entry(case_digest, case_stamp, source, *source_state, problems,
                                   cross, marks, doc is not None)
        run.store.put(names[i], entry, doc.data if doc is not None else None, blob)
    if cache_ is not None:
        for path, result in zip(paths, results):
            cache_[path] = result
    return results  # type: ignore[return-value]


def _check_files(run: _Run, paths: list[Path], workers: int) -> list[tuple]:
    """Parse and check files, on several cores when there are enough of them to repay starting processes."""
    if workers > 1:
        run.checker  # made once, before forking: the workers share it instead of each compiling the schema
        checked = fork_map(lambda path: _check_in_worker(run, path), paths, workers, chunksize=100)
        return [_from_plain(path, r, run.need_data) for path, r in zip(paths, checked)]
    return [(*_fresh(run, path), None) for path in paths]


def _check_in_worker(run: _Run, path: Path) -> tuple:
    # A document's positions stay in the worker (sending them back costs more than they are worth);
    # those of the fields checked across files are all that is needed afterwards.
    # The data travels as the store keeps it (marshal), so the parent need not encode it again.
    doc, problems, source, case_digest, source_state = _fresh(run, path)
    blob = marshal.dumps(doc.data) if doc is not None else None
    cross, marks = _cross(doc) if doc is not None else ({}, {})
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


def _cross(doc: Document) -> tuple[dict, dict]:
    data = doc.data if isinstance(doc.data, dict) else {}
    marks = None if doc.marks is None else {  # None: not worked out yet (no problem has needed them)
        path: mark for path, mark in doc.marks.items() if path and path[0] in _CROSS_FIELDS}
    return {k: data[k] for k in _CROSS_FIELDS if k in data}, marks


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
    folder = _cache_folder(cases_dir, cache_dir)
    store = _open_store(folder, schema, cases_dir)
    run = _Run(cases_dir, taxonomy, store, need_data)
    selected = {p.resolve() for p in only} if only is not None else None
    paths = case_files(cases_dir)
    problems += [p for p in file_problems(cases_dir)
                 if selected is None or (cases_dir / Path(p.file).name).resolve() in selected
                 or (cases_dir / Path(p.file).name).absolute() in {q.absolute() for q in only or []}]
    cases, files, slug_file = [], {}, {}
    names = [display_name(path) for path in paths]
    results = _load_all(run, paths, names, cache, _stamp(cases_dir / TAXONOMY_FILE), workers)
    from . import gate  # here: the gate's modules import this one

    around, remembered = gate.problems(cases_dir, store) if only is None else ([], set())
    problems += around
    placed = [r.doc for r in results if r.doc is not None and not r.problems]
    # Last, once all else passes: finding region addresses needs pinyin (seconds to load) unless remembered.
    if not problems and not any(p.problems for p in results):
        problems += [p for p in gate.region_problems(placed, store, remembered)
                     if selected is None or (cases_dir / Path(p.file).name).resolve() in selected]
    if only is not None:  # the files around the cases were not looked at: keep what is known of them
        remembered |= {name for name in store.entries if not name.endswith((".yaml", ".yml"))}
    store.keep_only(set(names) | remembered)
    store.save()
    sources: dict[str, str] = {}
    formers: list[tuple[Document, int, str]] = []  # (case, position, old slug) for every former_slugs entry
    reported: list[Document] = []
    for path, checked in zip(paths, results):
        report = selected is None or path.resolve() in selected  # resolve() only when some files are chosen
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
            if checked.source is not None and checked.source_text is not None:
                sources[checked.source] = checked.source_text
            formers += [(doc, i, old) for i, old in enumerate(doc.data.get("former_slugs") or [])]
    problems += _former_slug_problems(formers, slug_file)
    problems += transfer.link_problems(reported, list(slug_file))
    for path in (selected - {p.resolve() for p in paths}) if selected else ():
        problems.append(Problem(display_name(path), 1, 1, "", "不是 cases/ 目录下的案例文件（.yaml）"))
    if problems:
        return None, sorted(problems)
    cases.sort(key=lambda c: c["slug"])
    if need_data:
        sources = {c["source"]["file"]: sources[c["source"]["file"]] for c in cases}
    return Casebook(cases, taxonomy, schema, cases_dir, files, sources), []


def _cache_folder(cases_dir: Path, cache_dir: Path | None | bool) -> Path | None:
    if cache_dir is True:
        return cache_module.default_dir(cases_dir)
    return cache_dir or None


def _open_store(folder: Path | None, schema: dict, cases_dir: Path) -> cache_module.Store:
    if folder is None:
        return cache_module.Store(None, b"")
    try:
        taxonomy_bytes = (cases_dir / TAXONOMY_FILE).read_bytes()
    except OSError:
        return cache_module.Store(None, b"")
    return cache_module.Store.open(folder, cache_module.context_key(schema, taxonomy_bytes), cases_dir.parent)
