"""Issue 28: a forwarded case link shows that case's own card (title and place), drawn at build time."""
from __future__ import annotations

import copy
import re
import struct
from pathlib import Path

from casebook.site import sharecard
from casebook.core.siteconfig import SiteSettings
from casebook.site.tree import generated_files
from casebook.core.validate import load_casebook

from conftest import CASES

SETTINGS = SiteSettings(site_url="https://example.org/casebook/", repo_url="", use_directory_urls=True, copyright="")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_every_case_has_its_own_card_and_its_page_names_it():
    book, problems = load_casebook(CASES)
    assert not problems
    files = generated_files(book, SETTINGS)
    general = sharecard.FALLBACK.read_bytes()
    cards = {c["slug"]: files[f"cards/{c['slug']}.png"] for c in book.cases}
    assert len(set(cards.values())) == len(cards) and general not in cards.values()
    for slug, data in cards.items():
        assert png_size(data) == (1200, 630)
        assert f'share_image: "cards/{slug}.png"' in files[f"cases/{slug}.md"]


def test_a_card_draws_title_and_place_and_escapes_them():
    book, _ = load_casebook(CASES)
    case = copy.deepcopy(book.case("fuyou"))
    case["name"] = "<b>府佑&社区</b>"
    drawing = sharecard.svg(case, "社区治理实践案例库")
    assert "&lt;b&gt;府佑&amp;社区&lt;/b&gt;" in drawing and "<b>" not in drawing
    assert "山东省 潍坊市" in drawing and case["title"][:10] in drawing
    assert png_size(sharecard.png(drawing)) == (1200, 630)


def test_a_long_title_wraps_without_an_opening_quote_at_a_line_end():
    lines = sharecard.wrap("党群服务中心打造高品质完整社区，承办社区书记“思享荟”", 23, 3)
    assert lines[0].endswith("书记") and lines[1].startswith("“")


def test_the_built_case_page_announces_its_card(site: Path):
    html = (site / "cases/fuyou/index.html").read_text(encoding="utf-8")
    (image,) = re.findall(r'<meta property="og:image" content="([^"]+)"', html)
    assert image.endswith("/cards/fuyou.png") and (site / "cards/fuyou.png").is_file()
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "assets/casebook/og.png" in home  # other pages keep the casebook's card


def test_a_card_shows_the_pixels_cairosvg_draws(tmp_path):
    """Encoded here for speed, the card must be the picture CairoSVG's own PNG writer would give."""
    from PIL import Image
    import cairosvg

    book, _ = load_casebook(CASES)
    drawing = sharecard.svg(book.case("tianma"), "社区治理实践案例库")
    ours = tmp_path / "ours.png"
    ours.write_bytes(sharecard._draw(drawing))
    theirs = tmp_path / "theirs.png"
    theirs.write_bytes(cairosvg.svg2png(bytestring=drawing.encode("utf-8"), output_width=1200, output_height=630))
    with Image.open(ours) as a, Image.open(theirs) as b:
        assert a.size == b.size == (1200, 630)
        assert a.convert("RGB").tobytes() == b.convert("RGB").tobytes()
