"""Hostile text in every text field of a case and of the vocabulary never runs, online or offline.

Free text may hold any markup (it is shown as text); names (places, terms, labels, tags, units)
refuse markup with a located message, and whatever they may hold (quotes, Markdown, javascript:)
is shown as written, in the page, its title, the header and the outline.
"""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from casebook.core.schema import case_schema, fields, paths_using, values_at
from casebook.core.validate import load_casebook

from conftest import ENV, build, make_project

H = "huangtun-jinse-jiayuan.yaml"
FREE = ("<script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\"> [点我](javascript:window.__pwned=3)"
        " </title></textarea><svg onload=window.__pwned=4> {{ 7*7 }} {#x} ${7*7} `code` **粗** '\"")
NAME = "O'Brien\"社区 onmouseover=window.__pwned=5 javascript:window.__pwned=6 [x](javascript:void) *强* {{x}} {#a} #井"
SHORT = "O'Brien\"名"  # where spaces or length are not allowed (tags, units, vocabulary terms)
MARKUP = "<img src=x onerror=window.__pwned=7>"
NAMING = ("short_text", "optional_name", "unit", "tag")


def _set(data, path: tuple, value) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


def hostile_project(tmp_path: Path) -> Path:
    """The fixture project with every text field of one case and of the vocabulary made hostile."""
    project = make_project(tmp_path)
    cases = project / "cases"
    schema = case_schema()
    case = yaml.safe_load((cases / H).read_text(encoding="utf-8"))
    case["profile"] = [{"label": "", "value": 1, "unit": "", "evidence": ""}]  # the one list this case lacks
    case.pop("unstated", None)  # every field is filled below: none is left as not stated
    for definition, value in [("text", FREE), ("optional_text", FREE), ("quote", "原文：" + FREE),
                              ("short_text", NAME), ("optional_name", NAME), ("unit", SHORT), ("tag", SHORT)]:
        for pattern in paths_using(schema, definition):
            for path, _ in list(values_at(case, pattern)):
                _set(case, path, value + (f"{len(path)}{path[-1]}" if definition == "tag" else ""))
    for pattern in paths_using(schema, "figure"):  # a figure must stand in its (now hostile) quote: 7 of "7*7"
        for path, _ in list(values_at(case, pattern)):
            _set(case, path, 7)
    case["tags"] = sorted(set(case["tags"]))
    loc = case["location"]
    loc.update({level: NAME for level in ("province", "city", "district", "street", "community")})
    loc["evidence"] = ["原文：" + FREE + NAME]
    case["source"]["url"] = "https://example.org/a?b=javascript:window.__pwned=8"
    # the vocabulary: a hostile category, hostile labels and descriptions everywhere
    taxonomy = yaml.safe_load((cases / "taxonomy.yaml").read_text(encoding="utf-8"))
    taxonomy["categories"].append({"term": SHORT + "类", "short": "'\"短", "slug": "hostile", "description": FREE})
    for vocabulary, entries in taxonomy.items():  # every vocabulary the taxonomy holds, present and future
        for entry in entries if vocabulary != "problems" else []:
            if "description" in entry:
                entry["description"] = FREE
            if "label" in entry:
                entry["label"] = f"'\"{entry['label']}"
    taxonomy["problems"].append({"problem": FREE, "categories": [SHORT + "类"]})
    for practice in case["practices"]:
        practice["category"] = SHORT + "类"
    for outcome in case["outcomes"]:
        if outcome.get("practice"):
            outcome["practice"] = NAME
    (cases / "taxonomy.yaml").write_text(yaml.safe_dump(taxonomy, allow_unicode=True, sort_keys=False), "utf-8")
    (cases / H).write_text(yaml.safe_dump(case, allow_unicode=True, sort_keys=False), encoding="utf-8")
    source = cases / case["source"]["file"]
    source.write_text(source.read_text(encoding="utf-8") + "\n原文：" + FREE + NAME + "\n" + FREE, encoding="utf-8")
    return project


def _no_script_ran(browser, pages: list[Path]) -> None:
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for path in pages:
        page.goto(path.as_uri(), wait_until="load")
        ran = page.evaluate("""() => {
            const found = [];
            if (window.__pwned !== undefined) found.push('ran: ' + window.__pwned);
            for (const el of document.querySelectorAll('*')) {
                for (const a of el.attributes) {
                    if (a.name.startsWith('on') && a.value.includes('__pwned')) found.push(el.tagName + ' ' + a.name);
                    if (/^\\s*javascript:/i.test(a.value)) found.push(el.tagName + ' ' + a.name + '=' + a.value);
                }
            }
            return found;
        }""")
        assert not ran and not dialogs, f"{path}: {ran} {dialogs}"
    context.close()


def test_hostile_text_in_every_field_never_runs_online_offline_or_in_the_handout(tmp_path: Path, browser):
    project = hostile_project(tmp_path)
    book, problems = load_casebook(project / "cases")
    assert not problems, "\n".join(map(str, problems))
    site = tmp_path / "site"
    result = build(project, site)
    assert result.returncode == 0, result.stderr
    # The offline zip, with the temporary folder on another filesystem (a tmpfs), as on many machines.
    out = tmp_path / "dist"
    env = {**ENV, "TMPDIR": "/dev/shm"} if os.path.isdir("/dev/shm") else ENV
    exported = subprocess.run([str(Path(sys.executable).with_name("casebook")), "export", "site", "--out", str(out)],
                              cwd=project, env=env, capture_output=True, text=True, timeout=600)
    assert exported.returncode == 0, exported.stderr
    (archive,) = out.glob("*.zip")
    zipfile.ZipFile(archive).extractall(tmp_path / "offline")
    handout = tmp_path / "handout.html"
    made = subprocess.run([str(Path(sys.executable).with_name("casebook")), "export", "handout", "--out",
                           str(handout)], cwd=project, env=env, capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr

    online = sorted(site.rglob("*.html"))
    offline = sorted((tmp_path / "offline").rglob("*.html"))
    assert len(online) > 30 and len(offline) == len(online)
    _no_script_ran(browser, online + offline + [handout])

    # Shown as written: in the page title, the header, the heading and the outline (no &#39; or &lt;).
    page = browser.new_page()
    page.goto((site / "cases/huangtun-jinse-jiayuan/index.html").as_uri())
    assert page.title().startswith(NAME)
    assert NAME in page.locator(".md-header__topic").last.inner_text()
    assert "<script>window.__pwned=1</script>" in page.locator("article").inner_text()
    outline = page.locator("nav.md-nav--secondary").inner_text()
    assert NAME.split(" ")[0] in outline and "&#39;" not in outline and "&amp;" not in outline
    category = next(p for p in online if "categories/hostile" in p.as_posix())
    page.goto(category.as_uri())
    assert page.title().startswith(SHORT + "类")
    page.close()


@pytest.mark.parametrize("pattern", [p for d in NAMING for p in paths_using(case_schema(), d)],
                         ids=lambda p: ".".join(map(str, p)))
def test_markup_in_a_name_field_is_refused_at_its_line(cases_dir: Path, pattern):
    key = pattern[-1] if pattern[-1] != "*" else 0
    for target in sorted(cases_dir.glob("*.yaml")):  # the first fixture case that has this field's list
        case = yaml.safe_load(target.read_text(encoding="utf-8"))
        parents = list(values_at(case, pattern[:-1])) if pattern[:-1] else [((), case)]
        parents = [(p, v) for p, v in parents if isinstance(v, dict) or (isinstance(v, list) and v)]
        if parents and isinstance(case, dict) and "slug" in case:
            break
    else:  # a list no fixture case has yet (practices[].tiers): the first case gets the schema's example of it
        target = sorted(cases_dir.glob("*.yaml"))[0]
        case = yaml.safe_load(target.read_text(encoding="utf-8"))
        listed = pattern[:pattern.index("*", len(pattern) - 2)]
        example = next(f for f in fields(case_schema()) if f.path == listed).node["examples"][0]
        next(v for _, v in values_at(case, listed[:-1]))[listed[-1]] = example
        parents = list(values_at(case, pattern[:-1]))
    path, parent = parents[0]
    parent[key] = MARKUP
    target.write_text(yaml.safe_dump(case, allow_unicode=True, sort_keys=False), encoding="utf-8")
    _, problems = load_casebook(cases_dir)
    where = ".".join(str(p) for p in path + (key,))
    hits = [p for p in problems if "< > &" in p.message and p.file.endswith(target.name)]
    assert hits, "\n".join(map(str, problems))
    assert any(p.path.replace("[", ".").replace("]", "") == where for p in hits), (where, hits)


@pytest.mark.parametrize("vocabulary, key", [("categories", "term"), ("categories", "short"),
                                              ("outcome_kinds", "label"), ("practice_statuses", "label")])
def test_markup_in_a_vocabulary_name_is_refused(cases_dir: Path, vocabulary, key):
    path = cases_dir / "taxonomy.yaml"
    taxonomy = yaml.safe_load(path.read_text(encoding="utf-8"))
    taxonomy[vocabulary][0][key] = MARKUP
    path.write_text(yaml.safe_dump(taxonomy, allow_unicode=True, sort_keys=False), encoding="utf-8")
    _, problems = load_casebook(cases_dir)
    assert any(p.path == f"{vocabulary}[0].{key}" and "< > &" in p.message for p in problems), problems
