"""`casebook draft SOURCE.txt`: a case file drafted from a cleaned source text, every value quoted from it.

Each proposal is taken from the text by construction: a figure with the clause that states it (read by
`numbers`), places named in the gazetteer or written as 某区某街道某社区, speakers of quotations, names in
quotation marks (names.py), the headline and byline. What cannot be quoted is guessed and says why
(guesses.py): the lead as a summary to shorten, a practice's category and status. Every drafted item carries a `draft` field, which the schema
does not know: an unconfirmed proposal can never pass validation, and the editor confirms an item by
deleting that line (or deletes the item). The file has the fields, order and comments of `casebook new`.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..core import atomic, numbers, regions
from ..core.messages import DRAFT_FIELD
from ..site.render import environment
from . import guesses
from .figures import NOT_IN_NAME, clauses, figures
from .names import clause_at, names
from .scaffold import Entry, ScaffoldError, entries, slug_problem
from ..core.schema import Taxonomy, case_schema, with_vocabulary

MARK = "草稿：请核对后删除这一行"
_HAN = r"\u4e00-\u9fff"
# 长沙市雨花区东山街道黎郡社区: a city written before its district is the city, not the district's first word.
# A district is never a 社区 or 小区, and a street never holds a province (江苏省镇江市: no 镇 of 江苏省).
_PLACE = re.compile(rf"(?P<city>[^\W\d_{NOT_IN_NAME}]{{2,4}}?市)?"
                    rf"(?P<district>(?![市省])[^\W\d_{NOT_IN_NAME}]{{2,3}}(?<![社小])[区县])?"
                    rf"(?P<street>[^\W\d_{NOT_IN_NAME}省]{{2,4}}?(?:街道|镇|乡))"
                    rf"、?(?P<community>[^\W\d_{NOT_IN_NAME}]{{2,5}}?(?:社区|村))?")  # 在龙山街道、龙山社区的指导下
_COUNTY = re.compile(rf"(?<=[在于到])[^\W\d_{NOT_IN_NAME}]{{2,3}}县")
_COMMUNITY = re.compile(rf"[^\W\d_{NOT_IN_NAME}]{{2,5}}?(?:社区|村)")
_DISTRICT = re.compile(rf"[^\W\d_{NOT_IN_NAME}]{{1,3}}?(?<![社小])[区县]")
# “……”提起网格化服务，江一社区的居民张国珍赞不绝口: a short clause may stand between the words and who said them.
_SAID_AFTER = re.compile(r"“(?P<text>(?:[^“”]|“[^“”]{1,40}”){4,2000})”(?:[^，,。！？“”\n]{2,16}[，,])?[，,]?(?P<who>[^，,。！？“”\n]{2,40}?)"
                         r"(?:感慨地|激动地|高兴地|笑着|动情地|告诉记者)?(?:说|表示|介绍|坦言|感慨|赞不绝口)")
_SAID_BEFORE = re.compile(r"(?P<who>[^，,。！？“”\n]{2,40}?)(?:说|表示|介绍)[:：，,]?“(?P<text>(?:[^“”]|“[^“”]{1,40}”){4,2000})”")
# Words in quotation marks that are speech (a comma or a stop inside), not a name.
_SPEECH = re.compile(r"“[^“”\n]{2,2000}?[，。？！,?!][^“”\n]*”")
# 记者 王博文, 通讯员 陈雪峰, 作者:赵磊 (an empty 作者: before 来源: names no one).
_BYLINE = re.compile(rf"(?P<role>记者|通讯员|作者)[\s　:：]*(?!来源|发布|日期|时间|编辑|阅读|本报|记者|通讯员)"
                     rf"(?P<names>[{_HAN}]{{2,3}}(?:、[{_HAN}]{{2,3}})*)")
_BRACKETED = re.compile(r"[(（][^()（）\n]{0,80}[)）]")
# A line of its own that is only a byline, wherever it stands (e-papers put 本报记者 尹婷婷 at the end).
_BYLINE_LINE = re.compile(rf"^[□■\s　]*(?:文/图|图/文)?[\s　]*(?:本报)?(?:记者|通讯员)[\s　]*[{_HAN}]{{1,3}}[\s　]?[{_HAN}]?$")
# A line of names only (徐凌燕 叶诗蕾) below the headline: a byline that does not say who is the reporter.
_NAMES = re.compile(rf"^[{_HAN}]{{2,3}}(?:[ 　]+[{_HAN}]{{2,3}})+$")
# A name right after what the person is, when jieba does not see the name.
_AFTER_ROLE = re.compile(rf"(?:居民|书记|主任|老人|志愿者|工作人员|党员|负责人|阿姨|大爷|网格员|社工|村民|队长|站长|经理|老师)"
                         rf"(?P<name>[{_HAN}]{{2,3}})$")
_SURNAME_ONLY = re.compile(rf"[{_HAN}]姓(?P<what>居民|老人|业主|阿姨|大爷|大妈|志愿者|党员|租户)$")
# Words between a name and 说 that are not the rest of the name (王明也说).
_NOT_A_NAME_END = "也还都就又便则却再亦更"
_DATE = re.compile(r"(?P<y>(?:19|20)[0-9]{2})(?:年|-|/|\.)(?P<m>[0-9]{1,2})(?:月|-|/|\.)(?P<d>[0-9]{1,2})日?")
# 本报济宁6月29日讯, 红网时刻长沙8月31日讯: the day without its year.
_DATELINE = re.compile(r"(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})日(?:电|讯)")
# 第04版:综合, 《安徽日报》(2023年1月5日11版), 《光明日报》( 2016年10月08日 03版)
_PAGE = re.compile(r"第?[0-9]+版[:：]\S+|(?<=日)\s?[0-9]{1,2}版(?=\s?[)）])")  # and 00022版:今日湖州
_CAPTION = re.compile(r"(?:摄|供图|图片来源[:：]\S*)\s*$")  # 居民们在爱心助餐点吃午饭。记者 刘嘉怡 摄
_HEADER_LINES = 12  # the lines before the body where an article's headline, date and byline stand


@dataclass
class Draft:
    """What the text proposes, field by field: plain values and lists of items (dicts of plain values)."""

    values: dict = field(default_factory=dict)
    lists: dict[str, list[dict]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def places(text: str) -> tuple[dict, list[str]]:
    """Location levels the text writes (the first such mention), with the clauses that write them."""
    found, evidence = _written_together(text)
    mentions = []
    for city, province in regions.gazetteer().items():
        short = city[:-1] if city.endswith("市") and len(city) > 2 else city
        at = text.find(short)
        if at >= 0:
            mentions.append((at, city))
        if province in text:
            mentions.append((text.find(province), province))
    for at, name in sorted(mentions):
        level = "province" if name.endswith("省") and name not in regions.gazetteer() else "city"
        if level in found:
            continue
        found[level] = name
        clause = clause_at(text, at)
        if clause not in evidence:
            evidence.append(clause)
        short = name[:-1] if name.endswith("市") else name
        district = _DISTRICT.match(text, at + len(short) + (text.startswith(name, at) and name != short))
        if level == "city" and district and "district" not in found:
            found["district"] = district.group(0)  # 潍坊高新区: the district written right after its city
        after = at + len(name if text.startswith(name, at) else short) + (len(district.group(0)) if district else 0)
        community = _COMMUNITY.match(text, after)
        if level == "city" and community and "community" not in found:
            found["community"] = community.group(0)  # 江苏省镇江市江一社区: no street between them
    return found, evidence


def _written_together(text: str) -> tuple[dict, list[str]]:
    """Levels written as one name (长沙市雨花区东山街道黎郡社区, the fullest such mention), and a county
    written before a 小区 (在长兴县龙山雅苑小区内)."""
    found: dict = {}
    evidence: list[str] = []
    matches = [m for m in _PLACE.finditer(text) if not _in_city_name(text, m.end("street") - 1)]
    match = max(matches, key=lambda m: sum(bool(m.group(k)) for k in ("district", "street", "community")), default=None)
    if match:
        for level in ("city", "district", "street", "community") if match.group("district") else ("street", "community"):
            if match.group(level):
                found[level] = match.group(level)
        if match.group("city") and not match.group("district"):
            found.update(_city_before_street(match.group("city")))
        evidence.append(clause_at(text, match.start()))
    county = _COUNTY.search(text)
    if county and "district" not in found:
        found["district"] = county.group(0)
        evidence.append(clause_at(text, county.start()))
    return found, evidence


def _in_city_name(text: str, at: int) -> bool:
    """走进镇江市: the 镇 that seemed to end a street begins a city the gazetteer knows."""
    return text[at] in "镇乡" and any(text.startswith(city, at) for city in regions.gazetteer())


def _city_before_street(written: str) -> dict:
    """走进天长市千秋街道: the city is the longest ending of the words before 市 the gazetteer knows; one it does
    not know (it holds prefecture-level cities only) is most likely a county-level city (天长市), a district."""
    known = next((written[i:] for i in range(len(written) - 2) if written[i:] in regions.gazetteer()), None)
    return {"city": known} if known else {"district": written[-3:]}


def _speaker(who: str) -> tuple[str, str] | None:
    """(name, role) from 仓南街社区党委书记张霞: the person's name by jieba's part-of-speech tags."""
    import jieba  # loaded only when drafting: a second to build its dictionary
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)  # its "Building prefix dict" lines are not for the editor

    unnamed = _SURNAME_ONLY.search(who)  # 小区内一位吴姓居民: no name, the surname and what the person is
    if unnamed:
        return unnamed.group(0), unnamed["what"]
    words = list(jieba.posseg.cut(who))
    names = [i for i, w in enumerate(words) if w.flag == "nr" and 2 <= len(w.word) <= 4]
    if not names:
        after_role = _AFTER_ROLE.search(who)  # 社区居民王国兴: jieba reads 王国 as a place
        return (after_role["name"], who[:after_role.start("name")].strip(" ，,、")) if after_role else None
    last = names[-1]
    name = words[last].word
    if last > 0 and words[last - 1].flag == "nr" and len(words[last - 1].word) == 1:
        name = words[last - 1].word + name  # a surname jieba split off
    rest = who[who.rfind(name) + len(name):]
    if len(name) == 2 and re.fullmatch(rf"[{_HAN}]", rest) and rest not in _NOT_A_NAME_END:
        name += rest  # 赵国兴: jieba reads 赵国 as the name and 兴 as a word of its own
    role = who[:who.rfind(name)].strip(" ，,、")
    return name, role


def unattributed_speech(text: str) -> list[tuple[int, int]]:
    """Where words in quotation marks stand that no one is said to have said (居民代表们的提问): what the
    case says as fact does not come from them."""
    said = {m.start("text") - 1 for pattern in (_SAID_AFTER, _SAID_BEFORE) for m in pattern.finditer(text)}
    return [(m.start(), m.end()) for m in _SPEECH.finditer(text) if m.start() not in said]


def speakers(text: str) -> list[dict]:
    out, seen = [], set()
    for pattern in (_SAID_AFTER, _SAID_BEFORE):
        for match in pattern.finditer(text):
            found = _speaker(match.group("who"))
            if found is None or match.group("text") in seen:
                continue
            seen.add(match.group("text"))
            out.append({"speaker": found[0], "role": found[1], "text": match.group("text")})
    return out


def header(text: str) -> dict:
    """Headline, date, byline, page and publisher from the lines before the body."""
    lines = [line.strip() for line in text.splitlines() if line.strip()][:_HEADER_LINES]
    out: dict = {}
    body = next((i for i, line in enumerate(lines) if (len(line) > 60 or "。" in line) and not _CAPTION.search(line)),
                len(lines))  # its first sentence, not a photo's caption
    headline = [line for i, line in enumerate(lines[:body])
                if not (_DATE.search(line) or _PAGE.search(line) or _BYLINE.search(line) or (i and _NAMES.match(line))
                        or line.startswith(("返回", "当前位置", "来源", "发布时间")) or re.match(r"^[(（□]", line))]
    if headline:
        out["headline"] = headline[:2]
    if body < len(lines):
        out["lead_line"] = lines[body]
    for line in lines:
        date = _DATE.search(line)
        if date and "date" not in out:
            out["date"] = f"{int(date['y']):04d}-{int(date['m']):02d}-{int(date['d']):02d}"
            out["date_line"] = line
        page = _PAGE.search(line)
        if page and "page" not in out:
            out["page"] = page.group(0).strip()
        published = re.search(r"来源[:：]\s*(?P<p>[^\s]+)|^返回(?P<q>\S+网)$|《(?P<r>[^《》]{2,12}报)》[\s(（]"
                              r"|^(?P<r2>[^\s《》]{2,12}报)\s.*(?:19|20)[0-9]{2}[-年]", line)  # 浙江日报 今日湖州 … 2021-04-30
        if published and "publisher" not in out:
            out["publisher"] = published["p"] or published["q"] or published["r"] or published["r2"]
            out["evidence"] = [line]
    dateline = next((m for line in lines[:body + 1] for m in [_DATELINE.search(line)] if m), None)
    if dateline and "date" not in out:
        out["month_day"] = f"{int(dateline['m']):02d}-{int(dateline['d']):02d}"  # the year is not written
        out["date_line"] = clause_at(text, text.find(dateline.group(0)))
    authors, bylines = _authors(text, lines, body)
    if authors:
        out["authors"] = authors
    out["evidence"] = list(dict.fromkeys([*([out["date_line"]] if "date_line" in out else []),
                                          *out.get("evidence", []), *bylines]))
    return out


def _authors(text: str, lines: list[str], body: int) -> tuple[list[str], list[str]]:
    """Names of the byline (王博文（记者）, or the name alone after 作者), and the lines of their own that hold them."""
    authors, bylines = [], []
    everywhere = [line.strip() for line in text.splitlines() if _BYLINE_LINE.match(line.strip())]
    for i, line in enumerate([*lines, *everywhere]):
        # In the body only a bracketed byline counts: 记者走进东风社区 names no reporter.
        if 0 < i < body and _NAMES.match(line) and not _BYLINE.search(line):  # 徐凌燕 叶诗蕾 under the headline: authors, their roles unwritten
            authors += line.split()
            bylines.append(line)
        for spot in [line] if i < body or i >= len(lines) else _BRACKETED.findall(line):
            for byline in _BYLINE.finditer(re.sub(rf"(?<=[{_HAN}]) (?=[{_HAN}]$)", "", spot)):
                role = "" if byline["role"] == "作者" else f"（{byline['role']}）"
                authors += [name + role for name in byline["names"].split("、")]
                bylines += [line if spot is line else line[:line.find(spot) + len(spot)][-60:]]  # 本报讯(记者 刘嘉怡)
    return list(dict.fromkeys(authors)), list(dict.fromkeys(bylines))


def propose(text: str, slug: str, taxonomy: Taxonomy | None) -> Draft:
    draft = Draft()
    top = header(text)
    honours_kind = next(iter(taxonomy.having("outcome_kinds", "honours")), None) if taxonomy else None
    headline = top.get("headline", [])
    source = {"title": "".join(headline)} if headline else {}
    for key in ("publisher", "date", "month_day", "page", "authors", "evidence"):
        if top.get(key):
            source[key] = top[key]
    draft.values["source"] = source
    if headline:
        # 江苏省镇江市江一社区: above the main title is its kicker (引题), not the title
        main = [line for line in headline if not line.endswith((":", "："))] or headline
        source["title"] = "".join(main)
        draft.values["title"] = max(main, key=len).lstrip("—-— ")
    if "date" in top:
        draft.values["year"] = int(top["date"][:4])
        draft.notes.append(f"year 和 source.date 取自“{top['date_line']}”")
    location, evidence = places(text)
    if location:
        draft.values["location"] = {**location, "evidence": evidence}
        if location.get("district", "").endswith("市"):
            draft.notes.append(f"{location['district']}不在地名表里（只收地级市），草稿把它当作县级市填在 location.district；"
                               "它若是地级市，移到 location.city，并在同一个 pull request 里加进地名表")
        draft.values["name"] = "".join(location.get(k, "") for k in ("street", "community")) or None
    figure_kind = next(iter(taxonomy.having("outcome_kinds", "needs_value")), None) if taxonomy else None
    named = tuple(sorted(location.values(), key=len, reverse=True))
    draft.lists["profile"], counted = figures(text, named, figure_kind, unattributed_speech(text))
    models, practices, honours = names(text, honours_kind)
    if taxonomy:
        practices = [_guessed(practice, text, taxonomy) for practice in practices]
    summary = guesses.lead(top.get("lead_line"))
    if summary:
        draft.values["summary"] = summary
        draft.notes.append("summary 是照抄的原文导语：请改写成两三句概括案例的话，只写原文有的内容")
    draft.lists["models"], draft.lists["practices"], draft.lists["outcomes"] = models, practices, counted + honours
    draft.lists["quotes"] = speakers(text)
    return draft


def _guessed(practice: dict, text: str, taxonomy: Taxonomy) -> dict:
    """A practice with its sentence as description, and the category and status the vocabulary suggests."""
    sentences = clauses(text, "。；;！!？?\n")
    at = text.find(practice["evidence"])
    sentence = next((s.text for s in sentences if s.start <= at < s.start + len(s.text)), practice["evidence"])
    out, why = {**practice, "description": guesses.without_dateline(sentence)}, []
    for key, guess in (("category", guesses.category(practice["name"], sentence, taxonomy)),
                       ("status", guesses.status(sentence, taxonomy))):
        if guess:
            out[key] = guess[0]
            why.append(guess[1])
    if why:
        out["hint"] = "；".join(why)
    return out


def _yaml(value) -> str:
    """A value as YAML text: strings double-quoted (JSON's escapes are YAML's), numbers plain."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return numbers.plain(value)
    if isinstance(value, list):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _marker(comment: str) -> Entry:
    return Entry(DRAFT_FIELD, comment, _yaml(MARK))


def _filled(children: list[Entry], values: dict, first: bool) -> list[Entry]:
    """The scaffold's fields of one item, holding the drafted values; comments only on the first item."""
    # Every item starts with a comment line after its "- ", so deleting the draft line never deletes the "- ".
    out = [_marker("草稿：核对这一项与原文一致后删除下面这一行；不要的项整项删除" if first else "草稿：核对后删除下面这一行")]
    for child in children:
        entry = Entry(child.key, child.comment if first else "", child.value, children=child.children,
                      example=child.example, item=child.item, commented=child.commented)
        if not first and child.item and child.example:
            entry = Entry(child.key, "", "[]")  # the first item shows the example of a nested list
        if child.key in values:
            entry.value, entry.commented = _yaml(values[child.key]), False
        out.append(entry)
    fields = {c.key for c in children}
    for said in [values[k] for k in ("note", "hint") if k in values and k not in fields]:
        out[0].comment = (out[0].comment + "；" if out[0].comment else "") + said
    return out


def _fill(tree: list[Entry], draft: Draft) -> list[Entry]:
    for entry in tree:
        drafted = draft.values.get(entry.key)
        if entry.key in draft.lists and draft.lists[entry.key]:
            entry.drafted = [_filled(entry.children, item, i == 0) for i, item in enumerate(draft.lists[entry.key])]
        elif isinstance(drafted, dict) and entry.children and drafted:
            for child in entry.children:
                if child.key in drafted:
                    child.value, child.commented = _yaml(drafted[child.key]), False
            entry.children.insert(0, _marker("草稿：下面填好的值由程序从原文提出，核对后删除这一行"))
        elif drafted is not None and not entry.children:
            entry.value, entry.commented = _yaml(drafted), False
    offered = [k for k in ("name", "title", "summary", "year") if draft.values.get(k)]
    if offered:
        tree.insert(0, _marker(f"草稿：{'、'.join(offered)} 由程序从原文提出，核对后删除这一行"))
    return tree


def render(draft: Draft, slug: str, taxonomy: Taxonomy | None = None, today: dt.date | None = None) -> str:
    schema = with_vocabulary(taxonomy) if taxonomy else case_schema()
    preset = {"slug": slug, "added": (today or dt.date.today()).isoformat(), "file": f"sources/{slug}.txt"}
    tree = _fill(entries(schema, schema, preset), draft)
    counts = {key: len(items) for key, items in draft.lists.items()}
    return environment().get_template("new_case.yaml.j2").render(entries=tree, draft=True, counts=counts,
                                                                 notes=draft.notes)


def target_for(source: Path, out: Path | None) -> tuple[str, Path]:
    """The slug (the source's file name) and where the case file goes: --out, else cases/<slug>.yaml."""
    slug = source.stem
    problem = slug_problem(slug)
    if problem:
        raise ScaffoldError(f"原文文件名 {source.name} 不能作为案例标识：{problem}（文件名就是案例标识）")
    if out is not None:
        return slug, out
    cases_dir = source.parent.parent if source.parent.name == "sources" else source.parent
    return slug, cases_dir / f"{slug}.yaml"


def write(source: Path, out: Path | None, taxonomy: Taxonomy | None) -> tuple[Path, Draft]:
    """Write the draft case for `source`; never overwrite an existing file."""
    from ..core.load import LoadError, decode, read_bytes

    slug, target = target_for(source, out)
    if target.exists() or target.is_symlink():
        raise ScaffoldError(f"{target} 已经存在，没有覆盖：删除或改名后重试，或用 --out 写到别处")
    try:
        text = decode(read_bytes(source, str(source)), str(source))
    except LoadError as exc:
        raise ScaffoldError(exc.problems[0].message) from None
    if not text.strip():
        raise ScaffoldError(f"原文文件 {source} 是空的：请先把清理后的原文粘贴进去")
    draft = propose(text, slug, taxonomy)
    try:
        atomic.write_new(target, render(draft, slug, taxonomy))
    except FileExistsError:
        raise ScaffoldError(f"{target} 已经存在，没有覆盖：删除或改名后重试，或用 --out 写到别处") from None
    return target, draft
