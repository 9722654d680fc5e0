"""`casebook fuzz`: a long run of generated hostile cases through the real parser and checker.

The suite keeps a few hundred examples per property; this run is for CI or a release check
(10,000 and more). It shares one vocabulary, schema and checker across all inputs, so each
input costs a parse and a check, and counts every input that ends in anything but a case or
located one-line messages.
"""
from __future__ import annotations

import copy
import random
import re
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import yaml

from ..core import load
from ..core.load import LoadError, parse
from ..core.files import case_files
from ..core.rules import CaseChecker
from ..core.validate import load_casebook, load_taxonomy

_CJK = re.compile(r"[\u4e00-\u9fff]")
HOSTILE_TEXT = ["<script>alert(1)</script>", "\x7f", "\uffff", "\u202e", "=HYPERLINK(\"x\")", "index",
                "..", "../../etc/passwd", "１２３", "2018.0", ".nan", ".inf", "12345", "O'Brien", "\\x7f", "：", "\"",
                "'", "&", "[", "{", "- ", "*a", "&a", "!!python/object:os.system", "<<", "\t", "\r", "\n", "\x00", ""]


@dataclass
class Report:
    tried: int = 0
    problems_found: int = 0
    accepted: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)


def _values(rng: random.Random, depth: int = 0):
    """A random YAML-shaped value: scalars, hostile text, and small nested lists and mappings."""
    roll = rng.random()
    if depth < 3 and roll < 0.15:
        return [_values(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if depth < 3 and roll < 0.3:
        keys = ["slug", "name", "title", "kind", "value", "year", "file", "evidence", "status", "x", "remark"]
        return {rng.choice(keys): _values(rng, depth + 1) for _ in range(rng.randint(0, 3))}
    choices: list[Callable] = [
        lambda: None, lambda: rng.random() < 0.5, lambda: rng.randint(-10**15, 10**15),
        lambda: rng.uniform(-1e6, 1e6), lambda: float(rng.choice(["nan", "inf", "-inf"])), lambda: 2018.0,
        lambda: rng.choice(HOSTILE_TEXT) * rng.randint(1, 3),
        lambda: "".join(chr(rng.randint(0, 0x10FFFF)) for _ in range(rng.randint(0, 12))),
        lambda: "".join(rng.choice("abc:-[]{}'\"#&*!|>%@`，：") for _ in range(rng.randint(0, 12))),
    ]
    return rng.choice(choices)()


def _paths(data, prefix=()):
    yield prefix
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else []
    for key, value in items:
        yield from _paths(value, prefix + (key,))


def mutated(rng: random.Random, data, under: tuple = ()):
    """A copy of `data` with one to three values (below the path `under`) replaced by hostile values."""
    data = copy.deepcopy(data)
    for _ in range(rng.randint(1, 3)):
        paths = [p for p in _paths(data) if p and p[:len(under)] == under]
        if not paths:
            break
        *parent_path, key = rng.choice(paths)
        parent = data
        for part in parent_path:
            parent = parent[part]
        parent[key] = _values(rng)
    return data


def _structured(rng: random.Random, seeds: list[dict]) -> str:
    """A real case with one to three fields replaced by hostile values, written back as YAML."""
    case = mutated(rng, rng.choice(seeds))
    try:
        return yaml.safe_dump(case, allow_unicode=True, sort_keys=False)
    except yaml.YAMLError:
        return yaml.safe_dump(case, allow_unicode=False, sort_keys=False)


def _textual(rng: random.Random, texts: list[str]) -> str:
    """A real case file edited as an editor's slip would: characters inserted, deleted, lines moved."""
    lines = rng.choice(texts).splitlines(keepends=True)
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(lines))
        action = rng.random()
        if action < 0.4:
            at = rng.randint(0, len(lines[i]))
            lines[i] = lines[i][:at] + rng.choice(HOSTILE_TEXT) + lines[i][at:]
        elif action < 0.6:
            at = rng.randint(0, len(lines[i]))
            lines[i] = lines[i][:at] + lines[i][at + rng.randint(1, 5):]
        elif action < 0.8:
            lines.insert(rng.randrange(len(lines) + 1), lines[i])
        else:
            del lines[i]
            if not lines:
                lines = [""]
    return "".join(lines)


def _random_text(rng: random.Random) -> str:
    alphabet = "ab: -[]{}'\"#&*!|>\n\t  ，：中文123.\\"
    return "".join(rng.choice(alphabet) if rng.random() < 0.9 else chr(rng.randint(0, 0xFFFF))
                   for _ in range(rng.randint(0, 200)))


def fast_reader_differs(text: str, top: type = dict) -> str | None:
    """Why the fast reader's data for `text` is not the full reader's, or None (also when it leaves the text)."""
    try:
        load._precheck(text, "x")
    except LoadError:
        return None  # neither reader sees such a text
    fast = load._FAST.read(text)
    if fast is None or not isinstance(fast, top):
        return None  # parse() hands such a text to the full reader
    try:
        full = load._full_parse(text, "x", top).data
    except LoadError as exc:
        return f"fast reader accepted what the full reader refuses: {exc.problems[0]}"
    return None if _same(fast, full) else "fast reader's data differs from the full reader's"


def _same(a, b) -> bool:
    """Equal values of equal types all the way down (1, 1.0 and True are not the same field value)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(map(_same, a, b))
    return a == b or (a != a and b != b)


def run(cases_dir: Path, examples: int, seed: int, progress: Callable[[str], None]) -> tuple[Report, float]:
    book, problems = load_casebook(cases_dir)
    taxonomy, _ = load_taxonomy(cases_dir)
    if problems or taxonomy is None:
        raise LoadError(problems)
    checker = CaseChecker(cases_dir, taxonomy)
    texts = [p.read_text(encoding="utf-8") for p in case_files(cases_dir)]
    path = case_files(cases_dir)[0]
    rng = random.Random(seed)
    # Chinese labels where codes belong, as editors write them.
    HOSTILE_TEXT.extend(label for name in ("outcome_kinds", "practice_statuses", "categories")
                        for label in taxonomy.labels(name) if label not in HOSTILE_TEXT)
    report = Report()
    start = time.perf_counter()
    for i in range(examples):
        tally(report, case_input(rng, book.cases, texts), lambda text: check_case(text, checker, path))
        if (i + 1) % 2000 == 0:
            progress(f"已试 {i + 1}/{examples} 个输入，失败 {len(report.failures)} 个")
    return report, time.perf_counter() - start


def case_input(rng: random.Random, cases: list[dict], texts: list[str]) -> str:
    roll = rng.random()
    return _structured(rng, cases) if roll < 0.45 else _textual(rng, texts) if roll < 0.9 else _random_text(rng)


def check_case(text: str, checker: CaseChecker, path: Path) -> list:
    differs = fast_reader_differs(text)
    if differs:
        raise Differs(differs)
    try:
        return checker.check(parse(text, path.name), path)
    except LoadError as exc:
        return exc.problems


class Differs(Exception):
    """The fast and the full reader read one text differently."""


def tally(report: Report, given, check: Callable[[object], list]) -> None:
    """Count one input: its problems must each be located, one line and in Chinese; nothing else may come out."""
    report.tried += 1
    try:
        found = check(given)
    except Differs as exc:
        report.failures.append((given, str(exc)))
        return
    except Exception:  # noqa: BLE001 - any other outcome is what this run looks for
        report.failures.append((given, traceback.format_exc(limit=4)))
        return
    # A problem an editor can use: located, one line, in Chinese (no parser English passed through).
    bad = [p for p in found if not p.file or p.line < 1 or p.col < 1 or "\n" in str(p) or not _CJK.search(p.message)]
    if bad:
        report.failures.append((given, f"malformed problem: {bad[0]!r}"))
    elif found:
        report.problems_found += 1
    else:
        report.accepted += 1
