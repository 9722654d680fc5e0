"""`casebook new`: a case file with every field of the schema, explained, ready to fill.

The field list, comments and placeholders all come from the schema, so the
template never falls behind it.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .render import environment
from .schema import Taxonomy, case_schema, resolve, with_vocabulary
from .validate import load_taxonomy


@dataclass
class Entry:
    key: str
    comment: str
    value: str = ""  # YAML text of a scalar placeholder
    children: list["Entry"] = field(default_factory=list)  # fields of an object or of each list item
    example: bool = False  # an optional list: children are shown commented out as an example item
    item: bool = False  # a list of objects
    commented: bool = False  # optional and not nullable: shown as a comment with an example value


def _types(node: dict) -> list[str]:
    types = node.get("type")
    return [types] if isinstance(types, str) else (types or [])


def _nullable(node: dict) -> bool:
    return "null" in _types(node) or "array" in _types(node)


def _placeholder(node: dict, required: bool) -> str:
    """What an unfilled field holds: empty where validation should ask for it, null where it may stay."""
    types = _types(node)
    if "array" in types:
        return '[""]' if node.get("minItems") else "[]"
    if "null" in types or not required:
        return "null"
    return '""' if "string" in types else "null"


def entries(schema: dict, node: dict, preset: dict[str, str]) -> list[Entry]:
    out = []
    for key, child in node.get("properties", {}).items():
        resolved = resolve(schema, child)
        required = key in node.get("required", [])
        comment = f"{resolved.get('description', '')}（{'必填' if required else '可选'}）"
        if "x-choices" in resolved:  # name the codes to write, so an editor never guesses a Chinese label
            comment += f" 可选值：{resolved['x-choices']}"
        items = resolve(schema, resolved["items"]) if isinstance(resolved.get("items"), dict) else {}
        if "properties" in resolved:
            out.append(Entry(key, comment, children=entries(schema, resolved, preset)))
        elif "properties" in items:
            out.append(Entry(key, comment, children=entries(schema, items, preset),
                             item=True, example=not required))
        elif not required and not _nullable(resolved):
            example = resolved.get("examples", [""])[0]
            out.append(Entry(key, comment, json.dumps(example, ensure_ascii=False), commented=True))
        else:
            out.append(Entry(key, comment, preset.get(key, _placeholder(resolved, required))))
    return out


def render_case(slug: str, today: dt.date | None = None, taxonomy: Taxonomy | None = None) -> str:
    schema = with_vocabulary(taxonomy) if taxonomy else case_schema()
    preset = {"slug": slug, "added": (today or dt.date.today()).isoformat(), "file": f"sources/{slug}.txt"}
    return environment().get_template("new_case.yaml.j2").render(entries=entries(schema, schema, preset))


class ScaffoldError(Exception):
    pass


def create(cases_dir: Path, slug: str) -> tuple[Path, Path]:
    """Write cases/<slug>.yaml and an empty cases/sources/<slug>.txt; never overwrite."""
    pattern = case_schema()["properties"]["slug"]["pattern"]
    if not re.fullmatch(pattern, slug):
        raise ScaffoldError(f"案例标识“{slug}”不合规：应为小写拼音、数字和连字符，如 huangtun-jinse-jiayuan")
    case_file, source_file = cases_dir / f"{slug}.yaml", cases_dir / "sources" / f"{slug}.txt"
    for existing in (case_file, source_file):
        if existing.exists():
            raise ScaffoldError(f"{existing} 已经存在，没有覆盖：换一个案例标识，或直接修改这个文件")
    source_file.parent.mkdir(parents=True, exist_ok=True)
    taxonomy, _ = load_taxonomy(cases_dir)  # a broken vocabulary is reported by validate; the scaffold still helps
    case_file.write_text(render_case(slug, taxonomy=taxonomy), encoding="utf-8")
    source_file.write_text("", encoding="utf-8")
    return case_file, source_file
