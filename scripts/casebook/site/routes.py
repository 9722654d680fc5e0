"""Where every page, anchor and download of the site lives: the one place that makes addresses.

Addresses are source paths as a site generator sees them (`cases/fuyou.md`); `page_url` and
`relative_url` turn them into the links a page writes, for either URL style. Templates ask for
`url(route.case(slug))`, never join strings themselves.

With directory URLs and a known site address, links start at the site's path (`/casebook/cases/fuyou/`):
generators disagree on relative links in raw HTML (MkDocs leaves them as written, Zensical resolves them
against the source `.md` file, one folder off for every page not named index), but agree on these. Without
directory URLs (the offline copy, opened from file://) a page's folder is its source's folder, so relative
links mean the same to every generator and to a browser reading files.
"""
from __future__ import annotations

import functools
import posixpath
from urllib.parse import urlsplit

HOME = "index.md"
CATALOGUE = "cases/index.md"
CATEGORIES = "categories/index.md"
REGIONS = "regions/index.md"
COMPARE = "compare/index.md"
MATRIX = "compare/matrix.md"
OUTCOMES = "compare/outcomes.md"
LEARNING = "compare/learning.md"
DATA = "data/index.md"
FIELDS = "reference/fields.md"
ABOUT = "about.md"
GUIDE = "guide.md"
SCHEMA_DOWNLOAD = "data/case.schema.json"
VERSIONS = "versions.md"
TRAINING = "training/index.md"
DRAFTS = "drafts.md"  # only in a local preview (drafting_desk): sources without a case yet
FEED = "feed.xml"  # Atom feed of releases and the cases each one added or changed


def _anchored(src: str, anchor: str | None) -> str:
    return f"{src}#{anchor}" if anchor else src


def case(slug: str, anchor: str | None = None) -> str:
    return _anchored(f"cases/{slug}.md", anchor)


def practice(slug: str, category_slug: str) -> str:
    """A case's practices of one category: the anchor its heading carries."""
    return case(slug, practice_anchor(category_slug))


def practice_anchor(category_slug: str) -> str:
    return f"practice-{category_slug}"


def category(slug: str) -> str:
    return f"categories/{slug}.md"


def catalogue_filtered(key: str, value: str) -> str:
    """The catalogue with one filter chosen (the filters live in the address's fragment)."""
    return f"{CATALOGUE}#{key}={value}"


def compare_with(*slugs: str) -> str:
    """The comparison page with these cases chosen."""
    return f"{COMPARE}#c={','.join(slugs)}"


def region(key: str) -> str:
    """A region's page; `key` is its pinyin path (regions.Region.key), e.g. 'shandong/weifang'."""
    return f"regions/{key}.md"


def source(file: str) -> str:
    """A kept source text as a download; `file` is the case's source.file, relative to cases/."""
    return file


def source_page(file: str, anchor: str | None = None) -> str:
    """A kept source as a page of the site (sources/cangnanjie.txt -> sources/cangnanjie.md),
    optionally at one highlighted quote."""
    return _anchored(file.rsplit(".", 1)[0] + ".md", anchor)


def share_card(slug: str) -> str:
    """A case's share card (og:image), a PNG drawn at build time."""
    return f"cards/{slug}.png"


def compare_data(slug: str) -> str:
    return f"compare/data/{slug}.js"


def listing_rows(key: str, number: int) -> str:
    """A long listing's rows past the first ones, as a script (listing.py); `key` names the listing."""
    return f"assets/rows/{key}-{number}.js"


def material(name: str) -> str:
    """A trainer material (offline zip, handout) listed on the 培训资料 page."""
    return f"materials/{name}"


def download(name: str) -> str:
    return f"data/{name}"


def case_json(slug: str) -> str:
    """Each case's own data file: the address stays the same across releases."""
    return f"data/cases/{slug}.json"


def case_redirect(old_slug: str, use_directory_urls: bool) -> str:
    """The static page that sits where a renamed case's page used to be and sends readers on."""
    return f"cases/{old_slug}/index.html" if use_directory_urls else f"cases/{old_slug}.html"


def versioned_download(version: str, name: str) -> str:
    """A download named with the dataset version it holds, e.g. data/casebook-1.1.0-cases.csv."""
    return download(f"casebook-{version}-{name}")


def release(version: str) -> str:
    """A release's section on the 版本与更新 page (its heading's anchor)."""
    return _anchored(VERSIONS, "v" + version.replace(".", "-"))


def release_download(version: str) -> str:
    """A release's full data, kept downloadable after newer releases."""
    return download(f"releases/{version}/cases.json")


# --- from source paths to links -----------------------------------------------------------------

def page_url(src: str, use_directory_urls: bool) -> str:
    """Where a site generator puts a source file, as a URL relative to the site root."""
    if not src.endswith(".md"):
        return src
    stem = src[:-3]
    if stem == "index" or stem.endswith("/index"):
        folder = stem[: -len("index")]
        return folder if use_directory_urls else folder + "index.html"
    return stem + "/" if use_directory_urls else stem + ".html"


def _folder(src: str, use_directory_urls: bool) -> str:
    url = page_url(src, use_directory_urls)
    return (url if url.endswith("/") or not url else posixpath.dirname(url)) or "."


def _relpath(path: str, start: str) -> str:
    """posixpath.relpath for the site's own relative paths, without its two abspath calls (a build makes ~15 per case)."""
    if ".." in path or ".." in start or path.startswith("/") or start.startswith("/"):
        return posixpath.relpath(path, start)
    to = [part for part in path.split("/") if part and part != "."]
    base = [part for part in start.split("/") if part and part != "."]
    common = 0
    while common < min(len(to), len(base)) and to[common] == base[common]:
        common += 1
    return "/".join([".."] * (len(base) - common) + to[common:]) or "."


def mount(site_url: str, use_directory_urls: bool) -> str | None:
    """The path every link starts from ('/casebook/'), or None where links stay relative to the page."""
    if not (use_directory_urls and site_url):
        return None
    return urlsplit(site_url).path.rstrip("/") + "/"


def root_url(src: str, use_directory_urls: bool, site_url: str = "") -> str:
    """The site's root folder as seen from a page, e.g. '../../' (or '/casebook/', see `mount`)."""
    base = mount(site_url, use_directory_urls)
    return base if base is not None else _relpath(".", _folder(src, use_directory_urls)).rstrip("/") + "/"


@functools.lru_cache(maxsize=65536)
def relative_url(from_src: str, to_src: str, use_directory_urls: bool, site_url: str = "") -> str:
    target, anchor = (to_src.split("#", 1) + [""])[:2]
    to_url = page_url(target, use_directory_urls)
    base = mount(site_url, use_directory_urls)
    if base is not None:
        return base + to_url + (f"#{anchor}" if anchor else "")
    rel = _relpath(to_url or ".", _folder(from_src, use_directory_urls))
    if to_url.endswith("/") or not to_url:
        rel = rel.rstrip("/") + "/"
    return rel + (f"#{anchor}" if anchor else "")
