"""Damaged inputs for the file fuzzer (fuzz_files.py): bytes broken, YAML and JSON files rewritten wrong.

Each function takes the run's random generator, so a seed reproduces every input.
"""
from __future__ import annotations

import json
import random

import yaml

from . import fuzz

_HOSTILE_BYTES = [b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", "中".encode("gbk"), b"\xe4\xb8", b"\r\n", b"\x1b[2J",
                  "\u202e".encode(), b"&a ", b"*a ", b"!!binary ", b"{", b"]", b"'", b'"']
_HOSTILE_VALUES = ["../../../etc", "/etc/passwd", "1.0", "x", "1.0.0-rc1", "9.9.9", "0.0.0", "2026-02-30",
                   "1.0.0/../..", "javascript:alert(1)", "https://example.org/", "*x*{onclick=alert(1)}",
                   "[a](javascript:alert(1))", "index", "manifest.json", "a.zip"]


def damaged(rng: random.Random, raw: bytes) -> bytes:
    """Bytes as a bad save or a hostile hand leaves them: cut short, overwritten, other encodings spliced in."""
    roll, at = rng.random(), rng.randint(0, len(raw))
    if roll < 0.3:
        return raw[:at]
    if roll < 0.5:
        return raw[:at] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 8))) + raw[at + rng.randint(0, 8):]
    if roll < 0.8:
        return raw[:at] + rng.choice(_HOSTILE_BYTES) + raw[at:]
    try:
        return raw.decode("utf-8").encode("gb18030")
    except UnicodeDecodeError:
        return raw[::-1]


def yaml_text(rng: random.Random, data, text: str, under: tuple = ()) -> bytes:
    """A YAML file changed in its values, edited by hand, or damaged."""
    roll = rng.random()
    if roll < 0.45:
        value = fuzz.mutated(rng, data, under)
        if rng.random() < 0.2:
            _plant(rng, value, under)
        try:
            return yaml.safe_dump(value, allow_unicode=True, sort_keys=False).encode("utf-8", "surrogatepass")
        except yaml.YAMLError:
            return yaml.safe_dump(value, allow_unicode=False, sort_keys=False).encode()
    if roll < 0.85:
        return fuzz._textual(rng, [text]).encode("utf-8", "surrogatepass")
    return damaged(rng, text.encode("utf-8"))


def json_text(rng: random.Random, data, raw: bytes) -> bytes:
    roll = rng.random()
    if roll < 0.5:
        value = fuzz.mutated(rng, data)
        if rng.random() < 0.2:
            _plant(rng, value, ())
        as_lines = isinstance(value, list) and rng.random() < 0.5  # as casebook release writes a snapshot
        try:
            text = ("[\n" + ",\n".join(json.dumps(v, ensure_ascii=False) for v in value) + "\n]\n" if as_lines
                    else json.dumps(value, ensure_ascii=False, indent=1))
        except (TypeError, ValueError):
            text = json.dumps(value, ensure_ascii=True, default=str)
        return text.encode("utf-8", "surrogatepass")
    if roll < 0.8:
        return fuzz._textual(rng, [raw.decode("utf-8")]).encode("utf-8", "surrogatepass")
    return damaged(rng, raw)


def _plant(rng: random.Random, data, under: tuple) -> None:
    """Put a value chosen for this kind of file (a version as a path, a script address) somewhere in `data`."""
    paths = [p for p in fuzz._paths(data) if p and p[:len(under)] == under]
    if not paths:
        return
    *parent_path, key = rng.choice(paths)
    parent = data
    for part in parent_path:
        parent = parent[part]
    parent[key] = rng.choice(_HOSTILE_VALUES)


# --- what is checked, per kind ----------------------------------------------------------------------
