"""Failures that must not happen: a cache that vouches for what it did not check, quadratic checks,
a renderer outliving its build, a preview busy while nothing changes, a full or read-only disk."""
from __future__ import annotations

import marshal
import os
from pathlib import Path

from casebook import cache
from casebook.load import decode, parse
from casebook.validate import TAXONOMY_FILE, display_name, load_casebook, load_taxonomy, with_vocabulary

from conftest import edit


def _break_tianma(cases_dir: Path) -> list:
    edit(cases_dir / "tianma.yaml", "kind: planned", "kind: plannex")
    _, problems = load_casebook(cases_dir, cache_dir=None)
    assert any("plannex" in p.message for p in problems)
    return problems


def _forged_entry(cases_dir: Path) -> tuple[bytes, str, tuple, dict]:
    """What an attacker computes from the repository alone: the context key and an entry saying "no problems"."""
    taxonomy, _ = load_taxonomy(cases_dir)
    context = cache.context_key(with_vocabulary(taxonomy), (cases_dir / TAXONOMY_FILE).read_bytes())
    path = cases_dir / "tianma.yaml"
    raw = path.read_bytes()
    data = parse(decode(raw, "x"), "x").data
    source = data["source"]["file"]
    entry = (cache.digest(raw), None, source, cache.digest((cases_dir / source).read_bytes()), None, [],
             {"slug": data["slug"]}, None, True)
    return context, display_name(path), entry, data


def test_a_forged_cache_committed_with_a_pull_request_does_not_pass_a_broken_case(cases_dir: Path):
    expected = _break_tianma(cases_dir)
    context, name, entry, data = _forged_entry(cases_dir)
    folder = cases_dir.parent / ".cache" / "casebook"
    folder.mkdir(parents=True)
    # The files as the cache wrote them before it signed them: the attack reproduced from the issue.
    (folder / "index.marshal").write_bytes(marshal.dumps((context, {name: entry})))
    (folder / "data.marshal").write_bytes(marshal.dumps((context, {name: marshal.dumps(data)})))
    book, problems = load_casebook(cases_dir)
    assert book is None and problems == expected


def test_a_cache_written_on_another_machine_is_not_believed(cases_dir: Path, monkeypatch):
    expected = _break_tianma(cases_dir)
    context, name, entry, data = _forged_entry(cases_dir)
    folder = cases_dir.parent / ".cache" / "casebook"
    monkeypatch.setenv(cache.KEY_ENV, "the attacker's own key")
    forged = cache.Store.open(folder, context, cases_dir.parent)
    forged.put(name, cache.Entry.from_plain(entry), data)
    forged.save()
    monkeypatch.delenv(cache.KEY_ENV)
    book, problems = load_casebook(cases_dir)
    assert book is None and problems == expected
    assert load_casebook(cases_dir)[1] == expected  # the next run, from this machine's own cache


def test_the_cache_key_lives_outside_the_project_readable_by_its_owner_only(cases_dir: Path, tmp_path_factory,
                                                                           monkeypatch):
    home = tmp_path_factory.mktemp("home-cache")
    monkeypatch.delenv(cache.KEY_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    assert load_casebook(cases_dir)[1] == []
    key = home / "casebook" / "key"
    assert key.stat().st_mode & 0o777 == 0o600 and len(key.read_bytes()) == cache.MAC_BYTES
    # A key inside the project could have come with the pull request: then nothing is cached.
    monkeypatch.setenv("XDG_CACHE_HOME", str(cases_dir.parent / ".cache"))
    assert cache.machine_key(cases_dir.parent) is None


_WRONG_SHAPES = [
    ("junk",),
    None,
    "text",
    (b"d", None, 5, b"", None, [], {}, None, True),  # a source that is not a file name
    (b"d", (1, 2), None, None, None, [], {}, None, True),  # a stamp too short
    (b"d", None, None, None, None, [("f", "1", 1, "", "m")], {}, None, True),  # a problem's line as text
    (b"d", None, None, None, None, [], {"slug": 5}, None, True),  # a passing case without a slug
    (b"d", None, None, None, None, [], {"slug": "tianma"}, {("slug",): "1:1"}, True),  # a position as text
]


def test_a_signed_entry_of_the_wrong_shape_is_checked_again_without_a_traceback(cases_dir: Path):
    expected = _break_tianma(cases_dir)
    context, name, entry, data = _forged_entry(cases_dir)
    assert cache.Entry.from_plain(entry) is not None
    assert [cache.Entry.from_plain(shape) for shape in _WRONG_SHAPES] == [None] * len(_WRONG_SHAPES)
    store = cache.Store.open(cases_dir.parent / ".cache" / "casebook", context, cases_dir.parent)
    store.put(name, cache.Entry.from_plain(entry), data)
    store.entries[name] = (entry[0], *_WRONG_SHAPES[-1][1:])  # the right digest: only its shape is wrong
    store.save()
    for need_data in (True, False):
        book, problems = load_casebook(cases_dir, need_data=need_data)
        assert book is None and problems == expected


def test_signed_case_data_that_does_not_match_its_entry_is_checked_again(cases_dir: Path):
    expected = _break_tianma(cases_dir)
    context, name, entry, data = _forged_entry(cases_dir)
    store = cache.Store.open(cases_dir.parent / ".cache" / "casebook", context, cases_dir.parent)
    store.put(name, cache.Entry.from_plain(entry), {"no": "slug"})
    store.save()
    assert load_casebook(cases_dir)[1] == expected
