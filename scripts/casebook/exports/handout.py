"""The printable handout: one self-contained HTML file (A4), which handout_pdf.py prints with page numbers.

Typesetting rules a printed page needs live here: figures, dates and units never break across
lines, a quoted figure keeps its qualifier (300余人, 16起以上), and each case carries a QR code
(SVG inside the file, made by segno) that opens its online page.
"""
from __future__ import annotations

import datetime as dt
import re

import segno
from markupsafe import Markup, escape

from ..core.model import Casebook
from ..core import numbers
from ..site import routes
from ..site.render import environment, vocabulary_context
from ..site.routes import page_url
from .selection import Chosen
from ..core.siteconfig import SiteSettings

CONTENTS_FROM = 2  # from two cases a trainer wants to see at once what the handout holds

_UNIT = r"(?:平方公里|平方米|公里|万元|亿元|[万亿千百]?(?:元|[个名人户起件次场项家栋处条支位所座期批间套张份辆岁倍米]))"
_UNBREAKABLE = re.compile(
    r"\d{4}年\d{1,2}月(?:\d{1,2}日)?|\d{4}[-/.]\d{1,2}(?:[-/.]\d{1,2})?|\d{1,2}月\d{1,2}日"  # dates
    r"|(?:近|约|超过|逾)?\d+(?:[.,]\d+)*(?:\s?(?:%|％|[余多]?\s?" + _UNIT + r"))?(?:以上|左右)?"  # figures
    r"|https?://\S+"  # addresses break only where the CSS says
)


def nobreak(text: object) -> Markup:
    """Escaped text with every date, figure-and-unit and web address kept on one line."""
    raw = "" if text is None else str(text)
    out, last = [], 0
    for match in _UNBREAKABLE.finditer(raw):
        out.append(str(escape(raw[last:match.start()])))
        out.append(f'<span class="nw">{escape(match.group())}</span>')
        last = match.end()
    out.append(str(escape(raw[last:])))
    return Markup("".join(out))


def figure(item: dict) -> Markup:
    """A figure as every page writes it (numbers.figure: 近100户, 300余人, 80%以上), kept on one line."""
    return Markup(f'<span class="nw">{escape(numbers.figure(item))}</span>')


def qr_svg(url: str) -> Markup:
    """A QR code as inline SVG (no image file to lose); medium error correction survives a smudged print."""
    return Markup(segno.make(url, error="m").svg_inline(scale=1, border=0, omitsize=True, dark="#000"))


def case_address(settings: SiteSettings, slug: str) -> str | None:
    return settings.online(page_url(routes.case(slug), settings.use_directory_urls))


def render(book: Casebook, chosen: Chosen, settings: SiteSettings, version: str,
           today: dt.date | None = None, pages: dict[str, int] | None = None, print_css: str = "") -> str:
    """The handout; `pages` (slug -> first page, {} to reserve their space) numbers the contents of a PDF."""
    env = environment()
    env.filters.update(nobreak=nobreak, figure=figure)
    urls = {c["slug"]: case_address(settings, c["slug"]) for c in chosen.cases}
    about_url = settings.online(page_url(routes.ABOUT, settings.use_directory_urls))
    return env.get_template("handout.html.j2").render(
        cases=chosen.cases, theme=chosen.theme, today=(today or dt.date.today()).isoformat(), version=version,
        urls=urls, qr={slug: qr_svg(url) for slug, url in urls.items() if url},
        contents=len(chosen.cases) >= CONTENTS_FROM, settings=settings,
        about_url=about_url, about_qr=qr_svg(about_url) if about_url else None,
        pages=pages, print_css=Markup(print_css), **vocabulary_context(book.taxonomy))


def furniture(chosen: Chosen, version: str, pages: int, print_css: str = "", today: dt.date | None = None) -> str:
    """One A4 page per handout page holding the running header and page number (none on the cover)."""
    return environment().get_template("handout_furniture.html.j2").render(
        theme=chosen.theme, today=(today or dt.date.today()).isoformat(), version=version, pages=pages,
        print_css=Markup(print_css))
