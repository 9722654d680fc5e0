"""The case schema and the controlled vocabulary: the one definition of a case.

The vocabulary lives in cases/taxonomy.yaml so editors can extend it by pull
request; it is inserted into the schema as enums at load time, so a wrong term
is reported like any other schema error.
"""
from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Iterator

from jsonschema import Draft202012Validator

DATA = resources.files("casebook") / "data"
SCHEMA_FILE = "case.schema.json"


@cache
def _read(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def case_schema() -> dict:
    """The schema as written, without the vocabulary (a fresh copy)."""
    return copy.deepcopy(_read(SCHEMA_FILE))


def taxonomy_schema() -> dict:
    return copy.deepcopy(_read("taxonomy.schema.json"))


# A vocabulary property a term leaves out: only `achieved` is yes unless said otherwise.
FLAG_DEFAULTS = {"achieved": True}


@dataclass(frozen=True)
class Taxonomy:
    categories: list[dict]
    problems: list[dict]
    outcome_kinds: list[dict]
    practice_statuses: list[dict]
    synonyms: list[dict] = field(default_factory=list)  # everyday words -> the words cases use (search)
    # Optional vocabularies: a casebook without them simply has no community types or resource kinds.
    community_types: list[dict] = field(default_factory=list)
    resource_kinds: list[dict] = field(default_factory=list)

    def terms(self, vocabulary: str) -> list[str]:
        return [entry["term"] for entry in getattr(self, vocabulary)]

    def labels(self, vocabulary: str) -> dict[str, str]:
        """Chinese name -> term, for every name an editor might write instead of the term itself
        (the label of an outcome kind or status, the short name of a category)."""
        out: dict[str, str] = {}
        for entry in getattr(self, vocabulary):
            for key in ("label", "short", "term"):
                if isinstance(entry.get(key), str):
                    out.setdefault(entry[key], entry["term"])
        return out

    def label_kinds(self, vocabulary: str) -> dict[str, str]:
        """Chinese name -> what that name is of its term, in the vocabulary schema's own words (简称, 中文名称)."""
        described = _term_properties(vocabulary)
        out: dict[str, str] = {}
        for entry in getattr(self, vocabulary):
            for key in ("label", "short"):
                if isinstance(entry.get(key), str) and entry[key] != entry["term"]:
                    out.setdefault(entry[key], described.get(key, key))
        return out

    def lookup(self, vocabulary: str, key: str) -> dict[str, str]:
        """term -> one attribute of its entry, e.g. the Chinese label of every outcome kind."""
        return {entry["term"]: entry[key] for entry in getattr(self, vocabulary)}

    def having(self, vocabulary: str, flag: str) -> list[str]:
        """Terms whose entry sets a yes/no property, e.g. the practice statuses that count as done."""
        return [entry["term"] for entry in getattr(self, vocabulary) if entry.get(flag, FLAG_DEFAULTS.get(flag, False))]

    def choices(self, vocabulary: str) -> str:
        """The allowed codes with their Chinese names, as an editor reads them: 'code（名称）、…'."""
        entries = getattr(self, vocabulary)
        return "、".join(f"{e['term']}（{e['label']}）" if "label" in e else e["term"] for e in entries)


def _term_properties(vocabulary: str) -> dict[str, str]:
    """Property -> its name as the vocabulary schema describes it, up to the first bracket or comma."""
    schema = taxonomy_schema()
    props = resolve(schema, schema["properties"][vocabulary]).get("items", {}).get("properties", {})
    return {key: re.split(r"[（(，,。]", prop.get("description", key), maxsplit=1)[0] for key, prop in props.items()}


def vocabulary_flags() -> dict[str, list[tuple[str, str, bool]]]:
    """Vocabulary -> (property, what it means, default) for each yes/no property its terms may set."""
    schema = taxonomy_schema()
    out = {}
    for name, node in schema["properties"].items():
        props = resolve(schema, node).get("items", {}).get("properties", {})
        out[name] = [(key, prop["description"], FLAG_DEFAULTS.get(key, False))
                     for key, prop in props.items() if prop.get("type") == "boolean"]
    return out


def with_vocabulary(taxonomy: Taxonomy) -> dict:
    """The full schema with the vocabulary in it.

    Every `x-vocabulary` definition gets the allowed terms as `enum` (and the first as its example);
    every `x-required-when` object requires its fields when a term with that property is chosen.
    """
    schema = case_schema()
    for definition in schema["$defs"].values():
        if "x-vocabulary" in definition:
            terms = taxonomy.terms(definition["x-vocabulary"])
            definition.update(enum=terms, examples=terms[:1], **{"x-choices": taxonomy.choices(definition["x-vocabulary"]),
                                                               "x-labels": taxonomy.labels(definition["x-vocabulary"]),
                                                               "x-label-kinds": taxonomy.label_kinds(definition["x-vocabulary"])})
    for node in _nodes(schema):
        rule = node.get("x-required-when")
        if rule and (terms := taxonomy.having(rule["vocabulary"], rule["property"])):
            node["if"] = {"properties": {rule["field"]: {"enum": terms}}, "required": [rule["field"]]}
            node["then"] = {"required": rule["required"]}
    return schema


def _nodes(node: Any) -> Iterator[dict]:
    if isinstance(node, dict):
        yield node
        for child in node.values():
            yield from _nodes(child)
    elif isinstance(node, list):
        for child in node:
            yield from _nodes(child)


def resolve(schema: dict, node: dict) -> dict:
    """Follow a local `$ref` once, keeping the node's own description and examples."""
    if "$ref" not in node:
        return node
    target = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return {**target, **{k: v for k, v in node.items() if k != "$ref"}}


def ref_name(node: dict) -> str | None:
    ref = node.get("$ref")
    return ref.rsplit("/", 1)[-1] if ref else None


@dataclass(frozen=True)
class Field:
    """One field of the schema, as the reference page and the template show it."""

    path: tuple  # ('outcomes', '*', 'kind'); '*' stands for any list item
    node: dict  # resolved schema node
    required: bool
    definition: str | None  # name of the $defs entry it uses, e.g. 'quote'

    @property
    def dotted(self) -> str:
        return ".".join("[]" if p == "*" else p for p in self.path).replace(".[]", "[]")


def fields(schema: dict) -> Iterator[Field]:
    """Every field of the schema, depth first, in the order the schema lists them."""

    def walk(node: dict, path: tuple, required: bool) -> Iterator[Field]:
        resolved = resolve(schema, node)
        if path:
            yield Field(path, resolved, required, ref_name(node))
        if resolved.get("type") == "array" and isinstance(resolved.get("items"), dict):
            items = resolve(schema, resolved["items"])
            if "properties" in items:
                yield from _props(items, path + ("*",))
            return
        if "properties" in resolved:
            yield from _props(resolved, path)

    def _props(node: dict, path: tuple) -> Iterator[Field]:
        for name, child in node["properties"].items():
            yield from walk(child, path + (name,), name in node.get("required", []))

    yield from walk(schema, (), True)


def paths_using(schema: dict, definition: str) -> list[tuple]:
    """Field paths whose value (or list items) use a `$defs` entry, e.g. every evidence quote."""
    out = []
    for f in fields(schema):
        items = f.node.get("items") if f.node.get("type") == "array" else None
        if f.definition == definition:
            out.append(f.path)
        elif isinstance(items, dict) and ref_name(items) == definition:
            out.append(f.path + ("*",))
    return out


class Selector:
    """Several named groups of field patterns, matched in one walk over a case instead of one walk per pattern."""

    def __init__(self, groups: dict[str, list[tuple]]):
        self.groups = list(groups)
        self.trie: dict = {}
        for group, patterns in groups.items():
            for pattern in patterns:
                node = self.trie
                for part in pattern:
                    node = node.setdefault(part, {})
                node.setdefault(None, []).append(group)  # None: a pattern ends here

    def select(self, data: Any) -> dict[str, list[tuple[tuple, Any]]]:
        """(path, value) of every match, by group; the same pairs values_at gives for each pattern."""
        out: dict[str, list] = {group: [] for group in self.groups}
        _select(data, self.trie, (), out)
        return out


def _select(data: Any, node: dict, prefix: tuple, out: dict) -> None:
    for head, child in node.items():
        if head is None:
            for group in child:
                out[group].append((prefix, data))
        elif head == "*":
            if isinstance(data, list):
                for i, item in enumerate(data):
                    _select(item, child, prefix + (i,), out)
        elif isinstance(data, dict) and data.get(head) is not None:
            _select(data[head], child, prefix + (head,), out)


def values_at(data: Any, pattern: tuple, prefix: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """(path, value) for every value in `data` matching a field path with '*' wildcards."""
    if not pattern:
        yield prefix, data
        return
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        if isinstance(data, list):
            for i, item in enumerate(data):
                yield from values_at(item, rest, prefix + (i,))
    elif isinstance(data, dict) and data.get(head) is not None:
        yield from values_at(data[head], rest, prefix + (head,))


# --- the schemas of the files around the cases (changelog, snapshots, gazetteer, materials, settings) ---

@cache
def data_schema(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@cache
def data_validator(name: str, definition: str | None = None) -> Draft202012Validator:
    """A schema's validator; `definition` names one of its $defs (resolved against the whole schema)."""
    whole = data_schema(name)
    if definition is None:
        return Draft202012Validator(whole)
    return Draft202012Validator({**whole, "$ref": f"#/$defs/{definition}"})
