"""The few site settings exports need (online address, repository), read from mkdocs.yml without MkDocs,
and the check of every setting the casebook reads there (`check`, called by the gate).

mkdocs.yml uses tags such as `!ENV`; a plain YAML reader would refuse them, so unknown tags read as null.
Anchors and aliases are refused before anything is built from the file (an alias bomb never expands).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from . import safety
from .load import Document, LoadError, read_text
from .problems import Problem

SETTINGS_SCHEMA = "settings.schema.json"

MAX_BYTES = 1_000_000
PLUGIN = "casebook"
_URL_FIELDS = ("site_url", "repo_url")  # both become links on every page


class SettingsError(Exception):
    """mkdocs.yml cannot be read safely; carries the located Chinese line."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


class _Tolerant(yaml.SafeLoader):
    pass


_Tolerant.add_multi_constructor("!", lambda loader, suffix, node: None)
_Tolerant.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


@dataclass(frozen=True)
class SiteSettings:
    site_url: str  # "https://example.org/casebook/" or "" when the site has no address yet
    repo_url: str
    use_directory_urls: bool
    copyright: str
    site_name: str = "社区治理实践案例库"

    @property
    def serve_path(self) -> str:
        """Where `mkdocs serve` puts the site: the path of site_url, e.g. '/casebook/' (else '/')."""
        return urlsplit(self.site_url).path.rstrip("/") + "/"

    def online(self, path: str) -> str | None:
        """The full online address of a site path (from routes), or None without a site address."""
        return self.site_url + path if self.site_url else None


def read(config_file: Path | None, site_url: str | None = None) -> SiteSettings:
    """Settings from mkdocs.yml (missing file: none); `site_url` given on the command line wins."""
    data = {}
    if config_file and config_file.is_file():
        data, _ = _load(config_file)
    url = (site_url if site_url is not None else data.get("site_url")) or ""
    return SiteSettings(
        site_url=url.rstrip("/") + "/" if url else "",
        repo_url=data.get("repo_url") or "",
        use_directory_urls=data.get("use_directory_urls", True) is not False,
        copyright=data.get("copyright") or "",
        site_name=data.get("site_name") or "社区治理实践案例库",
    )


def url_problem(url: object) -> str | None:
    """Why an address cannot be the site's (or the repository's), or None: only complete http(s) addresses.

    MkDocs itself accepts any scheme with a host (`javascript://…`), and such a value becomes the link of
    every page, the QR codes of the handouts and the sitemap.
    """
    if url in (None, ""):
        return None
    if not isinstance(url, str):
        return "应为网址文本，如 https://example.org/casebook/"
    if safety.find_bad_char(url) is not None or any(ch.isspace() or ch in "\"'<>`\\{}|^" for ch in url):
        return f"网址“{safety.shown(url, 60)}”里有空格、引号、尖括号、反斜杠或控制字符：请写完整的 http(s) 网址"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return f"网址“{safety.shown(url, 60)}”无法解析：请写完整的 http(s) 网址，如 https://example.org/casebook/"
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return (f"网址“{safety.shown(url, 60)}”应以 http:// 或 https:// 开头并写明域名，"
                "如 https://example.org/casebook/")
    if parts.query or parts.fragment or "?" in url or "#" in url:
        return f"网址“{safety.shown(url, 60)}”不能带“?”或“#”：网站地址只写到网站所在的文件夹"
    return None


def check(config_file: Path) -> tuple[list[Problem], dict]:
    """Problems of the settings the casebook reads in mkdocs.yml, and the casebook plugin's options."""
    from .schema import data_validator
    from .files import display_name
    from .rules import schema_problems

    name = display_name(config_file)
    try:
        data, doc = _load(config_file, name)
    except SettingsError as exc:
        return [exc.problem], {}
    if not isinstance(data, dict):
        return [Problem(name, 1, 1, "", "网站设置应是“设置名: 值”的映射")], {}
    found = schema_problems(doc, data_validator(SETTINGS_SCHEMA))
    for key in _URL_FIELDS:
        why = url_problem(data.get(key))
        if why and not any(p.path == key for p in found):
            found.append(doc.problem((key,), why))
    options: dict = {}
    plugins = data.get("plugins")
    for i, entry in enumerate(plugins if isinstance(plugins, list) else []):
        if isinstance(entry, dict) and PLUGIN in entry:
            options = entry[PLUGIN] if isinstance(entry[PLUGIN], dict) else {}
            plugin_doc = Document(name, entry[PLUGIN], {path[3:]: mark for path, mark in doc.positions().items()
                                                         if path[:3] == ("plugins", i, PLUGIN)})
            found += [Problem(p.file, p.line, p.col, f"plugins[{i}].{PLUGIN}" + (f".{p.path}" if p.path else ""),
                              p.message) for p in schema_problems(plugin_doc, data_validator(SETTINGS_SCHEMA, "plugin"))]
    return found, options


def _load(config_file: Path, name: str | None = None) -> tuple[object, Document]:
    """mkdocs.yml as data (MkDocs' own tags read as null) and a Document that locates its fields."""
    name = name or str(config_file)
    try:
        text = read_text(config_file, name, MAX_BYTES, "网站设置文件")
    except LoadError as exc:
        raise SettingsError(exc.problems[0]) from None
    try:
        for event in yaml.parse(text, Loader=_Tolerant):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                mark = event.start_mark
                raise SettingsError(Problem(name, mark.line + 1, mark.column + 1, "",
                                            "不支持 YAML 锚点和别名（& 和 *）：请把内容直接写出来"))
        root = yaml.compose(text, Loader=_Tolerant)
        data = yaml.load(text, Loader=_Tolerant) or {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise SettingsError(Problem(name, line, col, "", "YAML 语法错误：请检查这一行的引号、冒号和缩进")) from None
    except (yaml.YAMLError, RecursionError):
        raise SettingsError(Problem(name, 1, 1, "", "YAML 语法错误：文件无法解析，请检查引号、冒号和缩进")) from None
    marks: dict[tuple, tuple[int, int]] = {}
    _mark(root, (), marks)
    return data, Document(name, data, marks)


def _mark(node: yaml.Node | None, path: tuple, marks: dict) -> None:
    if node is None or len(path) > 20:
        return
    marks.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                marks[path + (key.value,)] = (key.start_mark.line + 1, key.start_mark.column + 1)
                _mark(value, path + (key.value,), marks)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _mark(item, path + (i,), marks)
