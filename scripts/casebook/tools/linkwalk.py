"""A link walk over a built site: every internal href and src must reach a file (and its anchor, if any)."""
from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        for name in ("href", "src"):
            if attrs.get(name):
                self.links.append(attrs[name])


def _parse(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def broken_links(site: Path, mount: str) -> tuple[list[str], int]:
    """Links that resolve to nothing, as 'page -> link', and how many internal links were followed.

    `mount` is the path the site is published under (site_url's path, e.g. '/casebook/'): links
    starting with it are read from the site's root folder.
    """
    broken: list[str] = []
    checked = 0
    pages = {page: _parse(page) for page in site.rglob("*.html")}
    for page, parsed in pages.items():
        for link in parsed.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith("#") and not parts.fragment:
                continue
            checked += 1
            path = parts.path
            if path.startswith(mount):
                base, path = site, path[len(mount):]
            elif path.startswith("/"):
                broken.append(f"{page.relative_to(site)} -> {link} (outside the site's path)")
                continue
            else:
                base = page.parent
            target = (base / unquote(path)).resolve() if path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(site)} -> {link}")
            elif parts.fragment and "=" not in parts.fragment and target.suffix == ".html" \
                    and unquote(parts.fragment) not in (pages.get(target) or _parse(target)).ids:
                broken.append(f"{page.relative_to(site)} -> {link} (anchor)")
    return broken, checked
