"""A fast reader for plain, well-formed case files, with the full reader as its fallback.

PyYAML with a position for every field costs about 1.7 ms a case; rapidyaml reads the
same file in about 0.1 ms but follows YAML 1.2 where PyYAML follows 1.1, and says
nothing of positions. So this reader answers only when its data is certainly what
`load.parse` would build, and returns None otherwise (anything unusual in the text, a
value YAML 1.1 could read otherwise, a parse error): then the full reader runs.
Positions are worked out later, only for the files that have a problem to report.
"""
from __future__ import annotations

import functools
import json
import os
import re
from typing import Any

import ryml
import yaml
from yaml.constructor import SafeConstructor

from .folding import FOLDED, joins

# Text the full reader treats in ways this one may not: escapes, anchors, aliases, tags, merge keys,
# reserved indicators, carriage returns, tabs, YAML 1.1 line breaks, flow mappings, stray braces; then directives,
# complex or empty keys, documents, and flow lists that nest, hold a pair or run past their line.
_UNUSUAL_CHARS = ("\\", "&", "*", "!", "@", "`", "\r", "\t", "\x85", "\u2028", "\u2029", "\ufeff", "<<", "{", "}")
# A value starting with "]" is an error to the full reader and text to this one.
_UNUSUAL_LINES = re.compile(r"\n[ ]*(?:-[ ]+)*[?%:]|\n(?:---|\.\.\.)|[:\n-][ ]*\]")  # searched in "\n" + text
_UNUSUAL_FLOW = re.compile(r"\[[^\]\n]*(?::[ ,\]\n]|\[|\n|$)")  # apart: a literal first character is found fast
_MAX_CHARS = 100_000  # far above a real case (~12 KB); larger files get the full reader's size limits
_MAX_DEPTH = 50
_FOLDED = FOLDED  # where YAML may have folded a line break that Chinese text does not want


# JSON's integers (-?(0|[1-9][0-9]*)), null and true/false are what rapidyaml writes for plain
# scalars alone (quoted and block scalars become JSON strings), and YAML 1.1 reads that same text
# as the same value. Its floats are not (1e3 is text in YAML 1.1), nor other forms (0x10, +5, ~).
_SAME_IN_BOTH = (int, bool, type(None))


class _Fallback(Exception):
    """The full reader must decide."""


def _loader_resolvers(loader: type) -> re.Pattern:
    patterns = {rx.pattern for resolvers in loader.yaml_implicit_resolvers.values() for _, rx in resolvers}
    return re.compile("|".join(f"(?:{p})" for p in sorted(patterns)), re.X)


class Reader:
    """Reads with rapidyaml; `loader` is the PyYAML loader class whose results it must reproduce."""

    def __init__(self, loader: type):
        self.loader = loader
        self.resolved = _loader_resolvers(loader)  # plain text YAML 1.1 reads as a number, bool, null...
        self.resolver = type("Resolver", (yaml.resolver.Resolver,),
                             {"yaml_implicit_resolvers": loader.yaml_implicit_resolvers})()
        self.constructor = SafeConstructor()
        self._read: dict[str, Any] = {}

    def read(self, text: str) -> dict | None:
        """The file's data as the full reader builds it, or None when only the full reader can tell."""
        if (len(text) > _MAX_CHARS or any(c in text for c in _UNUSUAL_CHARS) or _UNUSUAL_LINES.search("\n" + text)
                or _UNUSUAL_FLOW.search(text)):
            return None
        try:
            tree, emitted = _parse(text.encode("utf-8"))
            data = json.loads(emitted, parse_constant=_refuse)
            if not isinstance(data, dict):
                return None
            nodes, suspects = self._scan(data, _FOLDED.search(emitted) is not None)
            if nodes != tree.size():
                raise _Fallback  # a field written twice: JSON keeps one, the full reader names both lines
            for path, value in suspects:
                self._settle(tree, data, path, value, text)
        except (_Fallback, ValueError, RecursionError, ryml.ExceptionBasic, RuntimeError):
            return None
        return data

    def _scan(self, data: dict, folds: bool) -> tuple[int, list[tuple[tuple, Any]]]:
        """How many nodes the data has, and the values that need a closer look: every float, and
        text that YAML 1.1 reads otherwise or that refolding may change."""
        first_chars, resolved = self.loader.yaml_implicit_resolvers, self.resolved
        nodes, suspects, stack = 0, [], [((), data)]
        while stack:
            path, container = stack.pop()
            nodes += 1
            if len(path) >= _MAX_DEPTH:
                raise _Fallback
            for key, item in container.items() if type(container) is dict else enumerate(container):
                kind = type(item)
                if kind is dict or kind is list:
                    stack.append((path + (key,), item))
                    continue
                nodes += 1
                if kind in _SAME_IN_BOTH:
                    continue
                # The resolvers are keyed by first character, so most text is cleared by one look-up.
                if kind is not str or ((item[:1] in first_chars and resolved.fullmatch(item))
                                       or (folds and " " in item and _FOLDED.search(item))):
                    suspects.append((path + (key,), item))
        return nodes, suspects

    def _settle(self, tree, data: dict, path: tuple, value: Any, text: str) -> None:
        """Make one suspect value what the full reader would give, or give up."""
        node = _node(tree, path)
        if isinstance(value, str):
            if tree.is_val_squo(node) or tree.is_val_dquo(node) or tree.is_val_literal(node):
                return  # quoted text is text in both readers, and neither refolds it
            if self.resolved.fullmatch(value):
                raise _Fallback  # plain text that YAML 1.1 reads as a number, bool or null
            _put(data, path, _unfold(value, text))
            return
        # A number, bool or null: read its own text as YAML 1.1 does (YAML 1.2 differs, e.g. on "-.5" or "1e3").
        if tree.is_val_squo(node) or tree.is_val_dquo(node):
            raise _Fallback
        raw = bytes(tree.val(node)).decode("utf-8") if tree.has_val(node) and not tree.val_is_null(node) else ""
        wanted = self._yaml_1_1(raw)
        if type(wanted) is not type(value) or wanted != value:
            raise _Fallback

    def _yaml_1_1(self, raw: str) -> Any:
        """What PyYAML makes of a plain scalar; remembered, as the same few (years, counts, null) recur."""
        if raw not in self._read:
            if len(self._read) > 10_000:
                self._read.clear()
            tag = self.resolver.resolve(yaml.ScalarNode, raw, (True, False))
            construct = SafeConstructor.yaml_constructors.get(tag)
            try:
                self._read[raw] = construct(self.constructor, yaml.ScalarNode(tag, raw)) if construct else raw
            except (yaml.YAMLError, ValueError, OverflowError, TypeError):
                self._read[raw] = _Fallback
        if self._read[raw] is _Fallback:
            raise _Fallback
        return self._read[raw]


def _parse(raw: bytes) -> tuple[Any, str]:
    """rapidyaml's tree of `raw` and the tree as JSON, its error reports kept off the terminal
    (the full reader explains errors)."""
    saved = os.dup(2)
    try:
        os.dup2(_null(), 2)
        tree = ryml.parse_in_arena(raw)
        emitted = ryml.emit_json_malloc(tree, tree.root_id())
        if not isinstance(emitted, str):
            raise _Fallback  # nothing to emit: an empty file
        return tree, emitted
    finally:
        os.dup2(saved, 2)
        os.close(saved)


@functools.cache
def _null() -> int:
    return os.open(os.devnull, os.O_WRONLY)


def _refuse(name: str):
    raise _Fallback


def _node(tree, path: tuple) -> int:
    node = tree.root_id()
    for part in path:
        node = tree.child(node, part) if isinstance(part, int) else tree.find_child(node, part.encode("utf-8"))
        if node == ryml.NONE:
            raise _Fallback
    return node


def _put(data: dict, path: tuple, value: str) -> None:
    parent: Any = data
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value


def _unfold(value: str, text: str) -> str:
    """A plain or folded value with the line breaks YAML turned into spaces between Chinese characters removed.

    The file's own lines tell a folded break from a real space; the value must occur in
    them one way only, and be exactly its trimmed lines joined by spaces, as folding.py requires.
    """
    parts = value.split(" ")
    if "\n" in value or "" in parts:
        raise _Fallback
    layouts = _layouts(parts, text)
    if len(layouts) != 1:
        raise _Fallback
    out = parts[0]
    for separator, part in zip(layouts.pop(), parts[1:]):
        if separator != " " and not separator.startswith("\n"):
            raise _Fallback  # trailing spaces before a break: folding.py keeps YAML's own result
        joined = separator != " " and joins(out[-1], part[0])
        out += part if joined else " " + part
    return out


def _layouts(parts: list[str], text: str) -> set[tuple[str, ...]]:
    """How the text writes each space between `parts` (a space, or a line break with its indentation), per occurrence."""
    layouts = set()
    start = text.find(parts[0])
    while start != -1:
        pos, separators = start + len(parts[0]), []
        for part in parts[1:]:
            if text.startswith(" " + part, pos):
                end = pos + 1
            else:
                end = pos + len(text[pos:pos + 200]) - len(text[pos:pos + 200].lstrip(" "))
                if not text.startswith("\n", end):
                    break
                end += 1 + len(text[end + 1:end + 201]) - len(text[end + 1:end + 201].lstrip(" "))
                if not text.startswith(part, end):
                    break
            separators.append(text[pos:end])
            pos = end + len(part)
        else:
            if _stands_alone(text, start, pos):
                layouts.add(tuple(separators))
        start = text.find(parts[0], start + 1)
    return layouts


def _stands_alone(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] can be a whole value: it begins after a key, a dash or indentation and
    ends its line. The same words quoted inside a longer text (a note citing an evidence line) are not
    the value, and would otherwise make its layout look ambiguous."""
    while start and text[start - 1] == " ":
        start -= 1
    after = end
    while after < len(text) and text[after] == " ":
        after += 1
    ends = text[after:after + 1] in ("", "\n") or (text[after] == "#" and after > end)
    return text[start - 1:start] in ("", ":", "-", "\n") and ends
