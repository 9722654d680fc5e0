"""The case schema and the controlled vocabulary: the one definition of a case.

The vocabulary lives in cases/taxonomy.yaml so editors can extend it by pull
request; it is inserted into the schema as enums at load time, so a wrong term
is reported like any other schema error.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Iterator

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


@dataclass(frozen=True)
class Taxonomy:
    categories: list[dict]
    problems: list[dict]
    outcome_kinds: list[dict]
    practice_statuses: list[dict]

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

    def lookup(self, vocabulary: str, key: str) -> dict[str, str]:
        """term -> one attribute of its entry, e.g. lookup("outcome_kinds", "label")["measured"] == "实测"."""
        return {entry["term"]: entry[key] for entry in getattr(self, vocabulary)}


def with_vocabulary(taxonomy: Taxonomy) -> dict:
    """The full schema: every `x-vocabulary` definition gets the allowed terms as `enum`."""
    schema = case_schema()
    for definition in schema["$defs"].values():
        if "x-vocabulary" in definition:
            definition["enum"] = taxonomy.terms(definition["x-vocabulary"])
            definition["x-labels"] = taxonomy.labels(definition["x-vocabulary"])
    return schema


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
