"""Failures that must not happen: a cache that vouches for what it did not check, quadratic checks,
a renderer outliving its build, a preview busy while nothing changes, a full or read-only disk."""
from __future__ import annotations

import marshal
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from casebook.core import cache
from casebook.core.load import decode, parse
from casebook.core.files import TAXONOMY_FILE, display_name
from casebook.core.schema import with_vocabulary
from casebook.core.validate import load_casebook, load_taxonomy

from conftest import CASES, ENV, edit, make_project

needs_streaming = pytest.mark.skipif((os.cpu_count() or 1) < 2 or not sys.platform.startswith("linux"),
                                     reason="a build streams its pages from a renderer only on several cores")


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


# --- checks that stay linear ----------------------------------------------------------------------

def test_five_thousand_dangling_practice_references_are_reported_in_seconds_one_short_line_each(cases_dir: Path):
    case = yaml.safe_load((cases_dir / "fuyou.yaml").read_text(encoding="utf-8"))
    first = case["practices"][0]
    quote = first["evidence"][:6]
    case["practices"] += [{"name": f"做法{i}", "category": first["category"], "status": first["status"],
                           "description": "做法。", "evidence": quote} for i in range(2400)]
    case["outcomes"] += [{"kind": "qualitative", "statement": "有成效。", "practice": f"没有这个做法{i}",
                          "evidence": quote} for i in range(5000)]
    (cases_dir / "fuyou.yaml").write_text(yaml.safe_dump(case, allow_unicode=True, sort_keys=False, width=1000),
                                          encoding="utf-8")
    # Compared with every name, this took 99 s (and each hint listed 2,409 names in one 30 KB line).
    result = subprocess.run([str(Path(sys.executable).with_name("casebook")), "validate", "--cases-dir", str(cases_dir)],
                            capture_output=True, text=True, env={**ENV, "CASEBOOK_NO_CACHE": "1"}, timeout=60)
    dangling = [line for line in result.stderr.splitlines() if "的做法；" in line]
    assert result.returncode == 1 and len(dangling) == 5000
    assert max(map(len, dangling)) < 300
    assert "等 2409 个" in dangling[0]


def test_a_misspelt_practice_among_thousands_still_gets_its_suggestion():
    from casebook.core.suggest import Suggestions

    names = [f"做法{i}" for i in range(2400)] + ["党群服务中心共享空间", "集体经济建设商业综合体"]
    suggestions = Suggestions(names)
    assert suggestions.nearest("党群服务中心共亨空间") == "党群服务中心共享空间"
    assert suggestions.nearest("集体经济建设商业综合") == "集体经济建设商业综合体"
    assert suggestions.nearest("完全无关的名字") is None


# --- the renderer ends with its build ------------------------------------------------------------

@pytest.fixture(scope="module")
def large_project(tmp_path_factory) -> Path:
    """300 cases: enough pages that the renderer is still at work (and its pipe fills) when the build is stopped."""
    project = make_project(tmp_path_factory.mktemp("large"))
    text = (CASES / "fuyou.yaml").read_text(encoding="utf-8")
    for i in range(300):
        (project / "cases" / f"fuyou-{i}.yaml").write_text(text.replace("slug: fuyou", f"slug: fuyou-{i}"),
                                                           encoding="utf-8")
    return project


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text() if entry.isdigit() else ""
        except OSError:
            continue
        if stat and int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry))
    return found


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _stop_mid_build(project: Path, signum: int) -> tuple[int, str, list[int]]:
    """Start `mkdocs build`, send `signum` once the renderer has spooled pages; its exit code, stderr, renderer ids."""
    err = project / "build.err"
    with err.open("w") as stderr:
        build = subprocess.Popen([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(project / "mkdocs.yml"),
                                  "-d", str(project / "site")], env=ENV, stderr=stderr)
        while build.poll() is None and not any(any(p.rglob("*.md")) for p in project.glob(f".site.spool-{build.pid}-*")):
            time.sleep(0.05)
        renderers = _children(build.pid)
        assert build.poll() is None and renderers, "the build ended before it could be stopped"
        build.send_signal(signum)
        build.wait(timeout=60)
    deadline = time.monotonic() + 5
    while any(map(_running, renderers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    survivors = [pid for pid in renderers if _running(pid)]
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    return build.returncode, err.read_text(encoding="utf-8"), survivors


@needs_streaming
def test_a_build_killed_with_sigkill_leaves_no_renderer_behind(large_project: Path):
    code, _, survivors = _stop_mid_build(large_project, signal.SIGKILL)
    assert code == -signal.SIGKILL and survivors == []  # before: alive for good, blocked on its pipe


@needs_streaming
def test_a_build_stopped_with_sigterm_cleans_up_as_ctrl_c_does(large_project: Path):
    code, stderr, survivors = _stop_mid_build(large_project, signal.SIGTERM)
    assert code not in (0, -signal.SIGTERM) and survivors == [] and "Traceback" not in stderr
    assert [p.name for p in large_project.iterdir() if p.name.startswith(".site")] == []


def test_cached_results_are_checked_again_when_any_checking_module_changes():
    """The checks live in core/ (and move between folders) and read the gazetteer: a result cached by older
    checks, or against another gazetteer, is not believed."""
    from casebook.core import articles, rules, validate

    hashed = set(cache.checking_code())
    assert {Path(m.__file__) for m in (articles, rules, validate)} <= {p.resolve() for p in hashed}
    from casebook.core import gazetteer

    assert gazetteer.default_file().resolve() in {p.resolve() for p in hashed}  # the city check reads it
