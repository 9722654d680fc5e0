""".zenodo.json from CITATION.cff: the metadata an archive (Zenodo) reads when it mints a DOI for a release.

The fields and their mapping are those of cffconvert 2.0's Zenodo output (creators, description,
keywords, license, publication_date, title, version), plus the upload type CITATION.cff's `type`
names. CITATION.cff stays the one file editors change; `casebook release` rewrites .zenodo.json after it.
"""
from __future__ import annotations

import json
from pathlib import Path

import yaml

CITATION = "CITATION.cff"
ZENODO = ".zenodo.json"
UPLOAD_TYPES = {"dataset": "dataset", "software": "software"}


class CitationError(Exception):
    """CITATION.cff cannot be read; the message says where and why, in Chinese."""


def read(project: Path) -> dict:
    path = project / CITATION
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CitationError(f"{path}: 无法读取（{exc.strerror}）") from None
    except UnicodeDecodeError:
        raise CitationError(f"{path}:1:1: 文件: 不是 UTF-8 编码：请另存为 UTF-8") from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        place = f"{where.line + 1}:{where.column + 1}" if where else "1:1"
        raise CitationError(f"{path}:{place}: 文件: 不是有效的 YAML：请检查这里附近的括号、引号和缩进"
                            "（应是 CFF 1.2.0 的字段表）") from None
    if not isinstance(data, dict):
        raise CitationError(f"{path}:1:1: 文件: 应是字段表（cff-version、title、authors……）")
    return data


def _creator(author: object) -> dict | None:
    if not isinstance(author, dict):
        return None
    if author.get("name"):  # an entity (a group of contributors, an institution)
        creator = {"name": str(author["name"])}
    elif author.get("family-names"):
        given = author.get("given-names")
        creator = {"name": f"{author['family-names']}, {given}" if given else str(author["family-names"])}
    else:
        return None
    if author.get("affiliation"):
        creator["affiliation"] = str(author["affiliation"])
    if str(author.get("orcid", "")).startswith("https://orcid.org/"):
        creator["orcid"] = str(author["orcid"]).removeprefix("https://orcid.org/")
    return creator


def zenodo(cff: dict) -> dict:
    """Zenodo's deposit metadata for what CITATION.cff says; nothing it does not say."""
    out: dict = {}
    creators = [c for c in map(_creator, cff.get("authors") or []) if c]
    if creators:
        out["creators"] = creators
    if cff.get("abstract"):
        out["description"] = str(cff["abstract"])
    if cff.get("keywords"):
        out["keywords"] = [str(k) for k in cff["keywords"]]
    if cff.get("license"):
        out["license"] = {"id": str(cff["license"])}
    if cff.get("date-released"):
        out["publication_date"] = str(cff["date-released"])
    if cff.get("title"):
        out["title"] = str(cff["title"])
    if cff.get("type") in UPLOAD_TYPES:
        out["upload_type"] = UPLOAD_TYPES[cff["type"]]
    if cff.get("version"):
        out["version"] = str(cff["version"])
    return out


def zenodo_text(project: Path) -> str:
    return json.dumps(zenodo(read(project)), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_zenodo(project: Path) -> Path | None:
    """Rewrite .zenodo.json from CITATION.cff (None when the project has no citation file)."""
    if not (project / CITATION).is_file():
        return None
    target = project / ZENODO
    tmp = target.with_name(target.name + ".partial")  # next to it: a failed write leaves the old file whole
    tmp.write_text(zenodo_text(project), encoding="utf-8")
    tmp.replace(target)
    return target
