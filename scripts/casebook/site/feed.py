"""The Atom feed of new and changed cases: one entry per release, and one per case it added, renamed or changed.

Made from the changelog (cases/releases/changelog.yaml), which a pull request can change: every value
reaches the feed through an autoescaping template, with the characters XML cannot carry removed.
"""
from __future__ import annotations

import re
import uuid

import jinja2
from . import routes

# XML 1.0 has no way to write these, not even as character references.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
LEVELS = {"initial": "首次发布", "major": "主版本", "minor": "次版本", "patch": "修订版"}


def _finalize(value: object) -> object:
    return _NOT_XML.sub("", value) if isinstance(value, str) else value


def environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("casebook", "templates/feed"), autoescape=True,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, finalize=_finalize)


def _timestamp(date: object) -> str:
    return f"{date}T00:00:00Z"


class _Addresses:
    """Links and ids of the feed: absolute under the site's address, else relative to the feed itself."""

    def __init__(self, renderer):
        self.renderer, self.site_url = renderer, renderer.site_url
        self.site_name = renderer.common["site_name"]

    def link(self, src: str) -> str:
        if not self.site_url:
            return self.renderer.url_from(routes.FEED, src)
        target, _, anchor = src.partition("#")
        return self.renderer.absolute(target) + (f"#{anchor}" if anchor else "")

    def id(self, src: str, key: str) -> str:
        """Stable across builds: the address it names (with `key` as the fragment) when the site has one,
        else a name-based UUID."""
        if self.site_url:
            return self.link(src.partition("#")[0] + "#" + key)
        return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"casebook:{self.site_name}:{key}"))


def _case_entries(entry: dict, names: dict[str, str], at: _Addresses) -> list[dict]:
    version, out = str(entry["version"]), []
    renamed = {new: old for old, new in (entry.get("renamed") or {}).items()}
    touched = [("added", s) for s in entry.get("added") or []] + [("renamed", s) for s in renamed]
    touched += [("changed", s) for s in entry.get("changed") or {} if s not in renamed]
    for how, slug in touched:
        name = names.get(slug, slug)
        if how == "added":
            title, summary = f"新增案例：{name}", f"数据版本 {version} 新增的案例（{slug}）。"
        elif how == "renamed":
            title, summary = f"案例改标识：{name}", f"数据版本 {version} 把案例标识由 {renamed[slug]} 改为 {slug}。"
        else:
            fields = "、".join(map(str, entry["changed"][slug]))
            title, summary = f"更正案例：{name}", f"数据版本 {version} 更正的字段：{fields}。"
        if how == "renamed" and slug in entry.get("changed", {}):
            summary += f"更正的字段：{'、'.join(map(str, entry['changed'][slug]))}。"
        page = routes.case(slug) if slug in names else routes.release(version)
        out.append({"id": at.id(routes.case(slug), f"v{version}-{slug}"), "title": title, "summary": summary,
                    "link": at.link(page), "updated": _timestamp(entry["date"]),
                    "category": how, "category_label": {"added": "新增", "renamed": "改标识", "changed": "更正"}[how]})
    return out


def entries(history: list[dict], names: dict[str, str], at: _Addresses) -> list[dict]:
    """Newest release first, each followed by the cases it touched."""
    out = []
    for entry in history:
        version = str(entry["version"])
        level = LEVELS.get(entry.get("level"), str(entry.get("level", "")))
        out.append({"id": at.id(routes.release(version), routes.release(version).partition("#")[2]),
                    "title": f"数据版本 {version}（{level}，共 {entry.get('cases', '')} 个案例）",
                    "summary": "\n".join(map(str, entry.get("notes") or [])), "link": at.link(routes.release(version)),
                    "updated": _timestamp(entry["date"]), "category": "release", "category_label": "数据版本"})
        out += _case_entries(entry, names, at)
    return out


def render(renderer) -> str:
    book, common = renderer.book, renderer.common
    at = _Addresses(renderer)
    history = common["history"]
    names = {c["slug"]: c["name"] for c in book.cases}
    newest = str(history[0]["date"]) if history else max((str(c["added"]) for c in book.cases), default="1970-01-01")
    feed = {"id": at.id(routes.FEED, "feed"), "title": f"{common['site_name']}：新增和更新的案例",
            "subtitle": "每次发布数据版本一条，另有该版本新增、改标识和更正的每个案例各一条。",
            "updated": _timestamp(newest), "author": common["site_name"],
            "self": at.link(routes.FEED), "alternate": at.link(routes.VERSIONS)}
    return environment().get_template("atom.xml.j2").render(feed=feed, entries=entries(history, names, at))


def files(renderer) -> dict[str, str]:
    return {routes.FEED: render(renderer)}

