"""The checks one case must pass, each a named rule, reported as located Problems.

Schema errors come from jsonschema; the rules a schema cannot express (file name, real dates, the source
file, verbatim quotes, figures against their quotes, references between fields) follow, driven by which
`$defs` each field uses.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import stat
from pathlib import Path

import fastjsonschema
from jsonschema import Draft202012Validator

from . import cache as cache_module
from . import articles, figure_check, messages, numbers, syntax_hints, transfer
from .completeness import counted_fields, is_filled
from .files import display_name, unsafe_file
from .load import Document, LoadError, decode, read_bytes
from .model import LEVELS
from .problems import Problem
from .quotes import QUOTE_RULE, longest_prefix, normalise, stated, typed_index, verbatim_at
from .safety import RESERVED_SLUGS, RealPaths, bad_char_message, find_bad_char, shown
from .schema import Selector, Taxonomy, fields, paths_using, with_vocabulary
from .suggest import Suggestions

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


class CaseChecker:
    """Checks one case after another against the same schema, vocabulary and sources."""

    def __init__(self, cases_dir: Path, taxonomy: Taxonomy, cities: frozenset[str] | None = None):
        self.cases_dir = cases_dir
        self.cities = cities  # the gazetteer's cities (None: it could not be read, and says so itself)
        self.schema = with_vocabulary(taxonomy)
        self.validator = Draft202012Validator(self.schema)
        # A compiled validator answers "valid?" several times faster; jsonschema then explains the invalid ones.
        self.is_valid = _compile_yes_no(self.schema)
        self.source_file = re.compile(self.schema["properties"]["source"]["properties"]["file"]["pattern"])
        # Walked once here, not once per case: at thousands of cases the walk was a fifth of cold checking.
        self.unstatable = {f.dotted: f.path for f in counted_fields(self.schema)}
        # Required fields a source may lack (a page saved without its headline): empty only when listed as unstated.
        self.if_empty = [(f.path, f.dotted, f.node["x-if-empty"]) for f in fields(self.schema) if "x-if-empty" in f.node]
        # The fields each check reads, found in one walk over a case.
        self.fields = Selector({
            "quote": paths_using(self.schema, "quote"),
            "figure_item": [p[:-1] for p in paths_using(self.schema, "figure")],  # the item holding the value
            "date": paths_using(self.schema, "full_date") + paths_using(self.schema, "partial_date"),
            "name": [p for name in ("short_text", "optional_short_text", "optional_name", "unit", "tag") for p in paths_using(self.schema, name)],
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
        problems += self._unplaced_city(doc)
        problems += self._unstated(doc)
        problems += self._empty_unless_unstated(doc)
        problems = _one_per_field(problems, *self._figures(doc, found["figure_item"]))
        problems += transfer.case_problems(doc, stated)
        problems += articles.case_problems(doc)
        return problems

    def _unplaced_city(self, doc: Document) -> list[Problem]:
        """A city the site cannot put in a province: no province written, and not in the gazetteer."""
        loc = doc.data.get("location")
        city = loc.get("city") if isinstance(loc, dict) else None
        if self.cities is None or not isinstance(city, str) or not city.strip() or loc.get("province") or city in self.cities:
            return []
        return [doc.problem(("location", "city"), f"“{shown(city)}”不在地名表 scripts/casebook/data/gazetteer.yaml 里，网站无法把它"
                                                  f"归入省份：请在同一个 pull request 里把它加到所属省份下（写作 省份名: [{shown(city)}]）；"
                                                  "原文写了省份的，也可以填 location.province；"
                                                  "县级市（如天长市、寿光市）不是这一级，填在 location.district")]

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
        relative = field_at(doc.data, "source", "file")
        if not isinstance(relative, str) or not self.source_file.match(relative):
            return None, []  # the schema has reported it
        path = self.cases_dir / relative
        where = ("source", "file")
        if relative not in self.sources:
            info = self._ordinary(path)
            if info is None:
                if not path.is_file() and not path.is_symlink():
                    return None, [doc.problem(where, f"找不到原文文件 {display_name(path)}：清理后的原文应保存在 cases/{relative}")]
                unsafe = unsafe_file(path, self.cases_dir)
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
            at = typed_index(quote, longest_prefix(wanted, source))
            hint = f"前 {at} 个字能找到，从“{quote[at:at + 8].strip()}”起不一致" if at else "一个字也对不上"
            out.append(doc.problem(path, f"摘录在原文 {relative} 中找不到（{hint}）：{QUOTE_RULE}"))
        loc = doc.data.get("location")
        if (not isinstance(loc, dict) or not isinstance(loc.get("evidence"), list)
                or not all(isinstance(q, str) for q in loc["evidence"])):
            return out  # a broken quote has its own message; the levels it cannot show would only follow from it
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
            found = figure_check.mismatch(item)
            if found:
                field, message = found
                out.append(doc.problem(path + (field,), message))
        return out, replacing

    def _unstated(self, doc: Document) -> list[Problem]:
        """Fields marked as not stated by the source: each one completeness counts, and left empty."""
        listed = doc.data.get("unstated")
        if not isinstance(listed, list):
            return []
        known = self.unstatable
        out = []
        for i, name in enumerate(listed):
            if not isinstance(name, str) or not name:
                continue  # the schema has reported it
            if name not in known:
                guess = messages.nearest(name, list(known))
                hint = f"是否想写“{guess}”？" if guess else ""
                out.append(doc.problem(("unstated", i), f"“{shown(name)}”不是可以标为原文未写明的字段（只有完整度计分的字段"
                                                        f"可以列出：{'、'.join(known)}）。{hint}"))
            elif is_filled(field_at(doc.data, *known[name])):
                out.append(doc.problem(("unstated", i), f"{name} 已经填写，却列为原文未写明：原文写了就从这里删去，"
                                                        "没写就把这个字段清空"))
        return out

    def _empty_unless_unstated(self, doc: Document) -> list[Problem]:
        listed = doc.data.get("unstated")
        listed = listed if isinstance(listed, list) else []
        return [doc.problem(path, f"未填写：{hint}") for path, dotted, hint in self.if_empty
                if _present_and_null(doc.data, path) and dotted not in listed]

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
    written = figure_check.written_as(quote, value * numbers.scale(item.get("unit") or ""))
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


def _present_and_null(data, path: tuple) -> bool:
    """The field is written and empty (a missing one is the schema's 缺少必填字段)."""
    parent = field_at(data, *path[:-1])
    return isinstance(parent, dict) and path[-1] in parent and parent[path[-1]] is None


def field_at(data, *keys):
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
