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

from ..core import atomic
from ..site.render import environment
from ..core.safety import RESERVED_SLUGS
from ..core.schema import Taxonomy, case_schema, resolve, with_vocabulary
from ..core.validate import load_taxonomy


@dataclass
class Entry:
    key: str
    comment: str
    value: str = ""  # YAML text of a scalar placeholder
    children: list["Entry"] = field(default_factory=list)  # fields of an object or of each list item
    example: bool = False  # an optional list: children are shown commented out as an example item
    item: bool = False  # a list of objects
    commented: bool = False  # optional and not nullable: shown as a comment with an example value
    drafted: list[list["Entry"]] = field(default_factory=list)  # items `casebook draft` proposes for a list


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
    """Write cases/<slug>.yaml and an empty cases/sources/<slug>.txt; never overwrite, never half-write."""
    problem = slug_problem(slug)
    if problem:
        raise ScaffoldError(problem)
    case_file, source_file = cases_dir / f"{slug}.yaml", cases_dir / "sources" / f"{slug}.txt"
    for existing in (case_file, source_file):
        if existing.exists() or existing.is_symlink():
            raise ScaffoldError(f"{existing} 已经存在，没有覆盖：换一个案例标识，或直接修改这个文件")
    taxonomy, _ = load_taxonomy(cases_dir)  # a broken vocabulary is reported by validate; the scaffold still helps
    text = render_case(slug, taxonomy=taxonomy)
    try:
        atomic.write_new(case_file, text)
        try:
            atomic.write_new(source_file, "")
        except BaseException:
            case_file.unlink()  # both files or neither
            raise
    except FileExistsError as exc:
        raise ScaffoldError(f"{exc.filename} 已经存在，没有覆盖：换一个案例标识，或直接修改这个文件") from None
    except OSError as exc:
        reason = "磁盘空间不足" if atomic.disk_full(exc) else (exc.strerror or str(exc))
        raise ScaffoldError(f"无法新建案例文件（{reason}）：没有留下任何文件，请处理后重试") from None
    return case_file, source_file


def slug_problem(slug: str) -> str | None:
    """Why a new case may not take this slug: the schema's own rule for slugs, and the reserved names."""
    node = case_schema()["properties"]["slug"]
    if len(slug) > node["maxLength"]:
        return f"案例标识太长（{len(slug)} 个字符），不能超过 {node['maxLength']} 个：用更短的拼音缩写"
    if not re.fullmatch(node["pattern"], slug):
        return f"案例标识“{slug}”不合规：应为{node['x-expected']}"
    if slug in RESERVED_SLUGS:
        return f"“{slug}”是网站自己使用的页面名（案例目录页），不能作为案例标识：换一个"
    return None
