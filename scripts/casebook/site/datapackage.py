"""The open data as a Frictionless Data Package: data/datapackage.json beside the CSV files it describes.

Every field's type comes from the case schema (its JSON type, its vocabulary `enum`), list columns
say their delimiter, and each table names how its rows point to the cases (`slug`). Only the columns
opendata.py derives itself (counts, labels, joined lists) carry their type here.
"""
from __future__ import annotations

import json
from pathlib import Path

import yaml

from . import opendata, routes
from ..core import releases
from .opendata import SEP, Column, case_columns, dataset_columns
from ..core.schema import fields

FILE = "datapackage.json"
TABLES = ("cases", "outcomes", "resources", "learning")
FULL_DATE = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"  # the schema's pattern of a whole date (partial dates stay text)
_LIST = {"type": "list", "delimiter": SEP, "itemType": "string"}

# Columns opendata.py makes from several fields: what each holds. A new derived column without an entry
# here is no silent string: the package refuses to build (see field()).
DERIVED = {
    "region": {"type": "string"},
    "year": {"type": "integer"},
    "categories": _LIST,
    "models": _LIST,
    "community_types": _LIST,
    "learned_from": _LIST,
    "kind_label": {"type": "string"},
    "practice": {"type": "string"},
    "practices": _LIST,
    "evidence": _LIST,
    "completeness": {"type": "integer"},
    "completeness_missing": _LIST,
    "dataset_version": {"type": "string"},
}
COUNT_PREFIX = "outcomes_"  # one count column per outcome kind of the vocabulary


def path() -> str:
    return routes.download(FILE)


def _json_type(node: dict) -> str:
    kinds = node.get("type")
    kinds = [kinds] if isinstance(kinds, str) else [k for k in kinds or [] if k != "null"]
    return kinds[0] if kinds else "string"


def field(column: Column, nodes: dict[str, dict], descriptions: dict[str, str]) -> dict:
    """One column as a Table Schema field: type, list delimiter and vocabulary from the case schema."""
    name, dotted, _, _ = column
    if dotted is None:
        if name.startswith(COUNT_PREFIX):
            spec = {"type": "integer"}
        elif name in DERIVED:
            spec = dict(DERIVED[name])
        else:
            raise KeyError(f"datapackage.DERIVED has no type for the derived column {name}")
    else:
        spec = _schema_type(nodes[dotted])
    out = {"name": name, **spec}
    if descriptions.get(name):
        out["description"] = descriptions[name]
    return out


def _schema_type(node: dict) -> dict:
    kind = _json_type(node)
    if kind == "array":
        return dict(_LIST)
    if kind == "string" and node.get("pattern") == FULL_DATE:
        return {"type": "date"}
    spec: dict = {"type": kind if kind in ("integer", "number", "boolean") else "string"}
    if isinstance(node.get("enum"), list):
        spec["constraints"] = {"enum": [v for v in node["enum"] if v is not None]}
    return spec


def _to_cases(column: str) -> dict:
    return {"fields": column, "reference": {"resource": "cases", "fields": "slug"}}


def _resource(name: str, columns: list[Column], nodes: dict, docs: list[tuple[str, str]]) -> dict:
    schema: dict = {"fields": [field(c, nodes, dict(docs)) for c in columns], "missingValues": [""]}
    if name == "cases":
        schema["primaryKey"] = "slug"
    else:
        schema["foreignKeys"] = [_to_cases("slug")]
        if name == "learning":  # the case learned from, where it is in the casebook
            schema["foreignKeys"].append(_to_cases("case"))
    return {
        "name": name, "path": f"{name}.csv", "profile": "tabular-data-resource", "format": "csv",
        "mediatype": "text/csv", "encoding": "utf-8-sig",
        "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"', "header": True},
        "schema": schema,
    }


def licenses(project: Path) -> list[dict]:
    """The licence CITATION.cff names (an SPDX identifier); none when the project has no citation file."""
    try:
        data = yaml.safe_load((project / releases.CITATION).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return []
    licence = data.get("license") if isinstance(data, dict) else None
    return [{"name": licence, "title": licence}] if isinstance(licence, str) and licence else []


def descriptor(book, version: str, history: list[dict], site_url: str, site_name: str) -> dict:
    """The package: its tables, their fields and keys, licence and dataset version."""
    nodes = {f.dotted: f.node for f in fields(book.schema)}
    docs = opendata.column_docs(book)
    tables = {"cases": case_columns(book.taxonomy) + dataset_columns("", {}),
              "outcomes": opendata.OUTCOME_COLUMNS, "resources": opendata.RESOURCE_COLUMNS,
              "learning": opendata.LEARNING_COLUMNS}
    package: dict = {"profile": "tabular-data-package", "name": "casebook", "title": site_name,
                     "version": version}
    if site_url:
        package["id"] = site_url.rstrip("/") + "/" + path()
        package["homepage"] = site_url
    if history:
        package["created"] = f"{history[0]['date']}T00:00:00Z"
    found = licenses(book.cases_dir.parent)
    if found:
        package["licenses"] = found
    package["resources"] = [_resource(name, tables[name], nodes, docs[f"{name}.csv"]) for name in TABLES]
    return package


def files(renderer) -> dict[str, str]:
    """data/datapackage.json, for the site's downloads."""
    common = renderer.common
    made = descriptor(renderer.book, common["version"], common["history"], renderer.site_url, common["site_name"])
    return {path(): json.dumps(made, ensure_ascii=False, indent=2)}
