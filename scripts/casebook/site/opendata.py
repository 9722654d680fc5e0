"""Open-data downloads: cases.json, cases.csv, outcomes.csv and the schema, with column docs.

Column meanings come from the schema's descriptions wherever a column is a
schema field; only derived columns carry their own description here.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from typing import Callable

from ..core import model, regions, transfer
from . import routes
from ..core.model import Casebook
from ..core.safety import csv_cell
from ..core.schema import Taxonomy, fields

SEP = "；"

# (column, schema field path or None, getter, description for derived columns)
Column = tuple[str, str | None, Callable[[dict], object], str]

CASE_COLUMNS: list[Column] = [
    ("slug", "slug", lambda c: c["slug"], ""),
    ("name", "name", lambda c: c["name"], ""),
    ("title", "title", lambda c: c["title"], ""),
    ("summary", "summary", lambda c: c["summary"], ""),
    *[(level, f"location.{level}", (lambda lv: lambda c: c["location"].get(lv) or "")(level), "")
      for level in model.LEVELS],
    ("region", None, regions.label, "网站按地区浏览和筛选用的地区（省 市 区县）：原文写明的；只写明城市时按地名表补上省份；"
     "区县只在写明城市时列出；都没有写明则为“地区未注明”。"),
    ("year", None, lambda c: model.year(c) or "", "年份：案例的 year，没有则取原文发表年份；都没有则为空。"),
    ("year_note", "year_note", lambda c: c.get("year_note") or "", ""),
    ("categories", None, lambda c: SEP.join(model.categories(c)), "案例涉及的实践类别，用“；”分隔。"),
    ("models", None, lambda c: SEP.join(model.model_names(c)), "治理模式名称，用“；”分隔。"),
    ("tags", "tags", lambda c: SEP.join(c.get("tags", [])), ""),
    ("unstated", "unstated", lambda c: SEP.join(c.get("unstated", [])), ""),
    ("community_types", None, lambda c: SEP.join(transfer.community_types(c)),
     "社区类型（受控词表 community_types 的名称），用“；”分隔；原文看不出则为空。"),
    ("learned_from", None, lambda c: SEP.join(transfer.origin(e) for e in c.get("learned_from", [])),
     "原文写明的学习对象（地方和社区），用“；”分隔；明细见 learning.csv。"),
    ("source_title", "source.title", lambda c: c["source"]["title"] or "", ""),
    ("source_publisher", "source.publisher", lambda c: c["source"].get("publisher") or "", ""),
    ("source_date", "source.date", lambda c: c["source"].get("date") or "", ""),
    ("source_month_day", "source.month_day", lambda c: c["source"].get("month_day") or "", ""),
    ("source_written", "source.written", lambda c: c["source"].get("written") or "", ""),
    ("source_host", "source.host", lambda c: c["source"].get("host") or "", ""),
    ("source_medium", "source.medium", lambda c: c["source"].get("medium") or "", ""),
    ("source_url", "source.url", lambda c: c["source"].get("url") or "", ""),
    ("source_file", "source.file", lambda c: c["source"]["file"], ""),
    ("added", "added", lambda c: c["added"], ""),
]

OUTCOME_COLUMNS: list[Column] = [
    ("slug", "slug", lambda r: r["case"]["slug"], ""),
    ("name", "name", lambda r: r["case"]["name"], ""),
    ("kind", "outcomes[].kind", lambda r: r["outcome"]["kind"], ""),
    ("kind_label", None, lambda r: r["label"], "成效类型的中文名称。"),
    ("statement", "outcomes[].statement", lambda r: r["outcome"]["statement"], ""),
    ("value", "outcomes[].value", lambda r: r["outcome"].get("value", ""), ""),
    ("unit", "outcomes[].unit", lambda r: r["outcome"].get("unit", ""), ""),
    ("qualifier", "outcomes[].qualifier", lambda r: r["outcome"].get("qualifier", ""), ""),
    ("year", "outcomes[].year", lambda r: r["outcome"].get("year") or "", ""),
    ("practice", "outcomes[].practice", lambda r: r["outcome"].get("practice") or "", ""),
    ("level", "outcomes[].level", lambda r: r["outcome"].get("level") or "", ""),
    ("said_by", "outcomes[].said_by", lambda r: r["outcome"].get("said_by") or "", ""),
    ("evidence", "outcomes[].evidence", lambda r: r["outcome"]["evidence"], ""),
]


RESOURCE_COLUMNS: list[Column] = [
    ("slug", "slug", lambda r: r["case"]["slug"], ""),
    ("name", "name", lambda r: r["case"]["name"], ""),
    ("practice", None, lambda r: r["practice"]["name"], "用到这项资源的做法（practices[].name）。"),
    ("category", "practices[].category", lambda r: r["practice"]["category"], ""),
    ("kind", "practices[].resources[].kind", lambda r: r["resource"]["kind"], ""),
    ("kind_label", None, lambda r: r["label"], "资源类型的中文名称。"),
    ("resource", "practices[].resources[].name", lambda r: r["resource"]["name"], ""),
    ("value", "practices[].resources[].value", lambda r: r["resource"].get("value", ""), ""),
    ("unit", "practices[].resources[].unit", lambda r: r["resource"].get("unit", ""), ""),
    ("qualifier", "practices[].resources[].qualifier", lambda r: r["resource"].get("qualifier", ""), ""),
    ("level", "practices[].resources[].level", lambda r: r["resource"].get("level") or "", ""),
    ("evidence", "practices[].resources[].evidence", lambda r: r["resource"]["evidence"], ""),
]

LEARNING_COLUMNS: list[Column] = [
    ("slug", "slug", lambda r: r["case"]["slug"], ""),
    ("name", "name", lambda r: r["case"]["name"], ""),
    ("place", "learned_from[].place", lambda r: r["entry"]["place"], ""),
    ("community", "learned_from[].community", lambda r: r["entry"].get("community") or "", ""),
    ("case", "learned_from[].case", lambda r: r["entry"].get("case") or "", ""),
    ("how", "learned_from[].how", lambda r: r["entry"].get("how") or "", ""),
    ("practices", None, lambda r: SEP.join(r["entry"].get("practices", [])), "相关做法的名称，用“；”分隔。"),
    ("evidence", None, lambda r: SEP.join(r["entry"]["evidence"]), "原文摘录，用“；”分隔。"),
]


def resource_rows(book: Casebook) -> list[dict]:
    labels = book.taxonomy.lookup("resource_kinds", "label")
    return [{"case": c, "practice": p, "resource": r, "label": labels[r["kind"]]}
            for c in book.cases for p in c["practices"] for r in p.get("resources", [])]


def case_columns(tax: Taxonomy) -> list[Column]:
    """The case columns, with one count column per outcome kind of the vocabulary after the tags."""
    at = [name for name, *_ in CASE_COLUMNS].index("tags") + 1
    counts: list[Column] = [
        (f"outcomes_{k['term']}", None, _kind_counter(k["term"]), f"成效类型为“{k['label']}”（{k['term']}）的条数。")
        for k in tax.outcome_kinds]
    return CASE_COLUMNS[:at] + counts + CASE_COLUMNS[at:]


def _kind_counter(kind: str) -> Callable[[dict], int]:
    return lambda case: sum(o["kind"] == kind for o in case.get("outcomes", []))


def outcome_rows(book: Casebook) -> list[dict]:
    labels = book.taxonomy.lookup("outcome_kinds", "label")
    return [{"case": c, "outcome": o, "label": labels[o["kind"]]} for c in book.cases for o in c.get("outcomes", [])]


def _csv(columns: list[Column], rows: list) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([name for name, *_ in columns])
    for row in rows:
        # A cell starting with = + - @ would run as a formula in Excel or WPS (=HYPERLINK(…)): keep it text.
        writer.writerow([csv_cell(getter(row)) for _, _, getter, _ in columns])
    # The BOM makes Excel read the file as UTF-8 instead of the local code page.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# The data files that carry the dataset version (in their content, and in a versioned copy's name).
DOWNLOADS = ("cases.json", "cases.csv", "outcomes.csv", "resources.csv", "learning.csv")


def dataset_columns(version: str, scores: dict) -> list[Column]:
    """Columns every case row carries that come from the dataset, not from the case file."""
    return [
        ("completeness", None, lambda c: scores[c["slug"]].score,
         "完整度（0–100），按字段说明页“完整度”一节的定义计算。"),
        ("completeness_missing", None, lambda c: SEP.join(scores[c["slug"]].missing), "完整度中缺少的部分，用“；”分隔。"),
        ("dataset_version", None, lambda c: version, "这份数据的版本号（见“版本与更新”页）。"),
    ]


def download_paths() -> tuple[str, ...]:
    """Where downloads() puts its files, known before they are made."""
    return (*map(routes.download, DOWNLOADS), routes.SCHEMA_DOWNLOAD)


def downloads(book: Casebook, version: str = "", scores: Mapping | None = None,
              site_url: str = "") -> dict[str, str | bytes]:
    from ..core import completeness

    scores = scores if scores is not None else completeness.Scores(book)
    document = {"version": version, "cases": book.cases,
                "completeness": {slug: {"score": s.score, "missing": s.missing} for slug, s in scores.items()}}
    return {
        routes.download("cases.json"): json.dumps(document, ensure_ascii=False, separators=(",", ":")),
        routes.download("cases.csv"): _csv(case_columns(book.taxonomy) + dataset_columns(version, scores), book.cases),
        routes.download("outcomes.csv"): _csv(OUTCOME_COLUMNS, outcome_rows(book)),
        routes.download("resources.csv"): _csv(RESOURCE_COLUMNS, resource_rows(book)),
        routes.download("learning.csv"): _csv(LEARNING_COLUMNS, transfer.learning_links(book)),
        routes.SCHEMA_DOWNLOAD: json.dumps(published_schema(book.schema, site_url), ensure_ascii=False, indent=2),
    }


def published_schema(schema: dict, site_url: str) -> dict:
    """The schema with the address it is published at as its `$id` (kept relative when the site has none),
    so that tools resolving the `$schema` of a case's file find the same document."""
    if not site_url:
        return schema
    return {**schema, "$id": site_url.rstrip("/") + "/" + routes.SCHEMA_DOWNLOAD}


def column_docs(book: Casebook) -> dict[str, list[tuple[str, str]]]:
    """File -> (column, meaning) rows for the open-data page."""
    described = {f.dotted: f.node.get("description", "") for f in fields(book.schema)}

    def docs(columns: list[Column]) -> list[tuple[str, str]]:
        return [(name, described[path] if path else text) for name, path, _, text in columns]

    return {"cases.csv": docs(case_columns(book.taxonomy) + dataset_columns("", {})), "outcomes.csv": docs(OUTCOME_COLUMNS),
            "resources.csv": docs(RESOURCE_COLUMNS), "learning.csv": docs(LEARNING_COLUMNS)}
