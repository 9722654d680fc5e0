"""Site search: every word a reader sees on a case page, in a compact index built once at build time.

The browser (assets/casebook/search.js) finds any run of two or more characters
by scanning the index text, so recall does not depend on one segmentation; jieba
(rjieba, the binding to the Rust jieba-rs: the same dictionary and cuts as Python's jieba
without the HMM, loaded in a tenth of the time) only marks word boundaries so that whole
words rank first. The index is split
into chunks of deflated JSON inside small scripts: <script> tags load from
file:// where fetch() cannot, the first results come from the first chunks, and
no single chunk blocks the page for long.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import itertools
import json
import re
import zlib
from html import unescape
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..core import model, numbers
from . import routes, search_grams
from ..core.model import Casebook
from .render import vocabulary_context

INDEX_DIR = "search/casebook"
MANIFEST = f"{INDEX_DIR}/manifest.js"
CHUNK_CHARS = 30_000  # text per chunk: about 20 cases, a few milliseconds to unpack in a browser
BOUNDARY = "\x7f"  # marks a jieba word boundary between Chinese words (DEL: one byte, never escaped in JSON)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

# Section headings as the case page shows them (templates/pages/case.md.j2), by anchor.
SECTIONS = {"summary": "摘要", "profile": "社区概况", "models": "治理模式", "practices": "具体做法",
            "outcomes": "成效", "honours": "荣誉与认定", "quotes": "人物说", "lessons": "经验启示"}


# --- jieba: our own words, and word boundaries -----------------------------------------------------------

def user_words(book: Casebook) -> list[str]:
    """Model names and their parts, and tags: the names readers type whole."""
    words: set[str] = set()
    for case in book.cases:
        words.update(case.get("tags", []))
        for m in case.get("models", []):
            words.add(m["name"])
            words.update(part["name"] for part in m.get("parts", []))
    # Only Chinese words of two or more characters help the segmenter; punctuation would split them anyway.
    return sorted(w for w in words if len(w) >= 2 and all("\u4e00" <= ch <= "\u9fff" for ch in w))


_segmenter = None


def add_user_words(book: Casebook) -> None:
    """A fresh segmenter with this casebook's words (0.2 s): words of an earlier build in the same process
    (mkdocs serve, the bench) would otherwise pile up and shift the cuts."""
    import rjieba

    global _segmenter
    _segmenter = rjieba.Jieba()
    for word in user_words(book):
        _segmenter.add_word(word, 200_000, None)
    _marked.cache_clear()  # boundaries may change with the new words


@functools.lru_cache(maxsize=20_000)  # texts repeat (labels, a case's own sentences); all of them would fill memory
def _marked(text: str) -> str:
    """The text with BOUNDARY between two Chinese words (other boundaries are visible without marks)."""
    import rjieba

    out: list[str] = []
    prev = ""
    for word in (_segmenter or rjieba).cut(text, hmm=False):
        if prev and _CJK.match(prev[-1]) and _CJK.match(word[0]):
            out.append(BOUNDARY)
        out.append(word)
        prev = word
    return "".join(out)


def marked(text: str) -> str:
    return _marked(text.replace(BOUNDARY, "")) if _CJK.search(text) else text


# --- what a reader sees, as index entries ----------------------------------------------------------------

class Labels:
    """Chip labels (category, status, outcome kind) as numbers into one shared list, read from the vocabulary."""

    def __init__(self, book: Casebook):
        tax = book.taxonomy
        self.items: list[list] = []
        self.index: dict[tuple, int] = {}
        self.status = tax.lookup("practice_statuses", "label")
        self.kind = tax.lookup("outcome_kinds", "label")
        self.category_slug = tax.lookup("categories", "slug")
        context = vocabulary_context(tax)  # the same badge classes the case page uses
        self.status_class, self.kind_class = context["status_class"], context["kind_class"]
        self.done_statuses = set(tax.having("practice_statuses", "done"))
        self.achieved_kinds = set(tax.having("outcome_kinds", "achieved"))
        self.honour_kinds = set(tax.having("outcome_kinds", "honours"))

    def add(self, text: str, css: str) -> int:
        key = (text, css)
        if key not in self.index:
            self.index[key] = len(self.items)
            self.items.append([text, css])
        return self.index[key]

    def category(self, term: str) -> int:
        return self.add(term, "cb-chip")

    def practice_status(self, term: str) -> int:
        return self.add(self.status[term], f"cb-status cb-status--{self.status_class[term]}")

    def outcome_kind(self, term: str) -> int:
        return self.add(self.kind[term], f"cb-kind cb-kind--{self.kind_class[term]}")

    def done(self, status: str) -> int:
        """1 when the vocabulary says the status counts as in place, else 0 (ranking prefers 1)."""
        return 1 if status in self.done_statuses else 0

    def achieved(self, kind: str) -> int:
        """0 for an outcome kind the vocabulary marks as not achieved (a plan), else -1 (no preference)."""
        return -1 if kind in self.achieved_kinds else 0


def _join(*parts: object) -> str:
    return " ".join(str(p) for p in parts if p not in (None, ""))


def case_entries(case: dict, labels: Labels) -> Iterator[list]:
    """[anchor, heading, body, label numbers, done] for every section item of a case page."""
    loc = case["location"]
    source = case["source"]
    yield ["", case["name"], _join(case["title"], model.place(case), "、".join(case.get("tags", [])), loc.get("note"),
                                   source.get("title"), source.get("publisher"), model.year(case)), [], -1]
    yield ["summary", "摘要", case["summary"], [], -1]
    if case.get("profile"):
        yield ["profile", "社区概况", "；".join(f"{f['label']} {numbers.figure(f)}" for f in case["profile"]),
               [], -1]
    for m in case.get("models", []):
        parts = "；".join(_join(p["name"], p.get("description")) for p in m.get("parts", []))
        yield ["models", m["name"], _join(m.get("description"), parts), [labels.practice_status(m["status"])],
               labels.done(m["status"])]
    for p in case["practices"]:
        yield [routes.practice_anchor(labels.category_slug[p["category"]]), p["name"], p.get("description", ""),
               [labels.category(p["category"]), labels.practice_status(p["status"])], labels.done(p["status"])]
    for o in case.get("outcomes", []):
        anchor = "honours" if o["kind"] in labels.honour_kinds else "outcomes"
        practice = f"相关做法：{o['practice']}" if o.get("practice") else None
        # The figure as the page writes it, qualifier included: 80%以上, not "80 %".
        yield [anchor, SECTIONS[anchor], _join(o["statement"], numbers.figure(o), practice),
               [labels.outcome_kind(o["kind"])], labels.achieved(o["kind"])]
    for q in case.get("quotes", []):
        yield ["quotes", _join(q.get("speaker"), q.get("role")), q["text"], [], -1]
    for lesson in case.get("lessons", []):
        yield ["lessons", "经验启示", lesson["text"], [], -1]


Page = tuple[str, str, str, list[list]]  # address, title, subtitle, entries


def pages(book: Casebook, use_directory_urls: bool, labels: Labels) -> Iterator[Page]:
    """(address, title, subtitle, entries) for each page in the index: every case, then every category."""
    for case in book.cases:
        yield (routes.page_url(routes.case(case["slug"]), use_directory_urls), case["name"], model.place(case),
               list(case_entries(case, labels)))
    for category in book.taxonomy.categories:
        yield (routes.page_url(routes.category(category["slug"]), use_directory_urls), category["term"], "实践类别",
               [["", category["term"], category["description"], [], -1]])


# Pages other than cases and categories whose text is in the index: the guides, whose size does not grow
# with the number of cases (listings such as the catalogue do). The field reference and the data page are
# left out: their examples, taken from cases, would answer nearly every query.
TEXT_PAGES = (routes.GUIDE, routes.TRAINING)

_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"<[^>]+>")
_MARKUP = re.compile(r"[*`#>|]+|\{[^}]*\}")


def _plain(markdown: str) -> str:
    text = _MARKUP.sub(" ", _TAG.sub(" ", _MD_LINK.sub(r"\1", markdown)))
    return re.sub(r"\s+", " ", unescape(text)).strip()


def text_pages(files: dict, use_directory_urls: bool) -> list[Page]:
    """The guide pages among the generated files, as index entries: one per second-level section."""
    out = []
    for src in TEXT_PAGES:
        markdown = files.get(src)
        if not isinstance(markdown, str):
            continue
        body = re.sub(r"\A---\n.*?\n---\n", "", markdown, flags=re.S)
        title = (re.search(r"^# (.+)$", body, re.M) or re.search(r"^title: (.+)$", markdown, re.M))
        title_text = _plain(title.group(1)).strip('"') if title else src
        parts = re.split(r"^## (.+)$", re.sub(r"^# .+$", "", body, count=1, flags=re.M), flags=re.M)
        entries = [["", title_text, _plain(parts[0]), [], -1, ""]]
        entries += [["", _plain(h), _plain(b), [], -1, _plain(h)] for h, b in zip(parts[1::2], parts[2::2])]
        out.append((routes.page_url(src, use_directory_urls), title_text, "", [e for e in entries if e[2]]))
    return out


def _section(anchor: str) -> str:
    """The section a result names (none for a page's opening entry)."""
    return SECTIONS["practices"] if anchor.startswith(routes.practice_anchor("")) else SECTIONS.get(anchor, "")


# --- the index files -------------------------------------------------------------------------------------

def _script(call: str, payload: object) -> str:
    return f"{call}({json.dumps(payload, ensure_ascii=False, separators=(',', ':'))});\n"


def _pack(data: object) -> str:
    """Deflated JSON as base64: about a third of the UTF-8 size for Chinese text (the browser inflates it)."""
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    return base64.b64encode(deflate.compress(raw) + deflate.flush()).decode("ascii")


def _chunks(found: Iterable[Page]) -> Iterator[dict]:
    """The pages and their entries in chunks of about CHUNK_CHARS characters of text, each as soon as it is full.

    A chunk ends after a page its address picks (one in _CUT_EVERY), once the chunk holds half of CHUNK_CHARS,
    or at twice CHUNK_CHARS: so an edited case changes its own chunk, and the ones after it stay as they were
    (kept by an incremental build) instead of all shifting by the edit's length."""
    current: dict = {"p": [], "e": []}
    size = 0
    for url, title, subtitle, entries in found:
        page = len(current["p"])
        current["p"].append([url, title, subtitle])
        for anchor, heading, body, chips, done, *section in entries:
            text = marked(heading) + "\n" + marked(body)
            current["e"].append([page, anchor, section[0] if section else _section(anchor), text, chips, done])
            size += len(text)
        if size >= 2 * CHUNK_CHARS or (size >= CHUNK_CHARS // 2 and _cuts_after(url)):
            yield current
            current, size = {"p": [], "e": []}, 0
    if current["p"]:
        yield current


_CUT_EVERY = 6  # pages: with the half-full rule, chunks of about CHUNK_CHARS


def _cuts_after(url: str) -> bool:
    return zlib.crc32(url.encode("utf-8")) % _CUT_EVERY == 0


# (name, make, valid) -> what make() gives, or what an earlier build kept under that name and valid() accepts
Kept = Callable[[str, Callable[[], dict], Callable[[object], bool]], dict]


def _made(name: str, make: Callable[[], dict], valid: Callable[[object], bool]) -> dict:
    return make()


def _chunk_made(value: object) -> bool:
    return (isinstance(value, dict) and isinstance(value.get("packed"), str) and isinstance(value.get("pairs"), list)
            and all(type(h) is int and 0 <= h < 1 << 32 for h in value["pairs"]))


def index_files(book: Casebook, use_directory_urls: bool, written: Iterable[Page] = (),
                kept: Kept = _made) -> dict[str, str]:
    """Site-relative path -> content of the manifest and every chunk of the search index.

    `kept` may give a chunk's packed text and pairs as an earlier build made them from the same chunk."""
    add_user_words(book)  # here, not in a door: every build of the index segments the same way
    labels = Labels(book)
    files: dict[str, str] = {}
    names: list[str] = []

    grams = search_grams.GramMap()

    def add(chunk: dict) -> None:  # packed as soon as it is full: only the small packed text is kept
        texts = search_grams.chunk_texts(chunk, labels.items)
        name = "search-" + hashlib.sha1(json.dumps([chunk, texts], ensure_ascii=False).encode()).hexdigest()
        made = kept(name, lambda: {"packed": _pack(chunk), "pairs": search_grams.pair_hashes(texts)}, _chunk_made)
        digest = hashlib.sha1(made["packed"].encode()).hexdigest()[:8]
        files[f"{INDEX_DIR}/{len(names)}-{digest}.js"] = f'casebookSearch.chunk({len(names)},"{made["packed"]}");\n'
        names.append(digest)
        grams.add_hashes(made["pairs"])

    for chunk in _chunks(itertools.chain(pages(book, use_directory_urls, labels), written)):
        add(chunk)
    manifest = {
        "chunks": "".join(names),  # 8 characters a chunk: at 50,000 cases the manifest stays small
        "labels": labels.items,
        "synonyms": {s["word"]: s["means"] for s in getattr(book.taxonomy, "synonyms", None) or []},
    }
    if len(names) >= search_grams.MIN_CHUNKS:
        shards, manifest["grams"] = grams.files(INDEX_DIR)
        files.update(shards)
    files[MANIFEST] = _script("casebookSearch.manifest", manifest)
    return files


def read_index(site_dir: Path) -> list[dict]:
    """The index as the browser unpacks it: one dict per entry with page url, title, heading and plain text."""
    manifest = json.loads(re.search(r"manifest\((.*)\);", (site_dir / MANIFEST).read_text(encoding="utf-8"),
                                    re.S).group(1))
    out = []
    for name in chunk_names(manifest):
        packed = re.search(r'"([^"]+)"', (site_dir / INDEX_DIR / name).read_text(encoding="ascii")).group(1)
        chunk = json.loads(zlib.decompress(base64.b64decode(packed), -15))
        for page, anchor, section, text, chips, done in chunk["e"]:
            url, title, _ = chunk["p"][page]
            heading, body = text.replace(BOUNDARY, "").split("\n", 1)
            out.append({"url": url, "anchor": anchor, "title": title, "section": section, "heading": heading,
                        "body": body, "marked": text, "labels": [manifest["labels"][i][0] for i in chips],
                        "done": done})
    return out


def chunk_names(manifest: dict) -> list[str]:
    """File names of the chunks, in order, from the manifest's digests (search.js names them the same way)."""
    digests = manifest["chunks"]
    return [f"{i}-{digests[k:k + 8]}.js" for i, k in enumerate(range(0, len(digests), 8))]


def index_bytes(site_dir: Path) -> int:
    return sum(p.stat().st_size for p in (site_dir / INDEX_DIR).iterdir() if p.is_file())
