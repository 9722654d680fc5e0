"""Download what you see: the catalogue's filtered rows as a CSV file Excel opens, online and from file://."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def _download(page) -> bytes:
    with page.expect_download() as info:
        page.locator("[data-cb-download]").click()
    download = info.value
    assert download.suggested_filename.startswith("casebook-") and download.suggested_filename.endswith(".csv")
    return Path(download.path()).read_bytes()


def _rows(raw: bytes) -> list[dict]:
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the BOM
    text = raw.decode("utf-8-sig")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("context, where", [(PHONE, "file"), (DESKTOP, "http")],
                         ids=["360px-offline-file", "1280px-online"])
def test_the_filtered_rows_download_as_csv(browser, served, site, context, where):
    page = browser.new_context(accept_downloads=True, **context).new_page()
    page.goto(served + "cases/" if where == "http" else (site / "cases" / "index.html").as_uri())
    page.select_option("select[name=category]", label="矛盾纠纷调解")
    page.wait_for_function("document.querySelector('.cb-count').textContent.includes('2 /')")
    rows = _rows(_download(page))
    assert sorted(r["slug"] for r in rows) == ["cangnanjie", "huangtun-jinse-jiayuan"]
    first = next(r for r in rows if r["slug"] == "cangnanjie")
    assert first["案例"] == "南关街道仓南街社区" and "山东省" in first["地区"] and first["年份"] == "2020"
    assert "尚未在做的类别" in first and "尚未在做" not in first["实践类别"]
    assert first["网址"].startswith("http://" if where == "http" else "file://") and "cangnanjie" in first["网址"]
    page.context.close()


def test_cells_a_spreadsheet_would_run_stay_text(browser, served):
    page = browser.new_context(accept_downloads=True).new_page()
    page.goto(served + "cases/")
    # What a case name or a model could hold (the validator allows both): written into the table as text.
    page.evaluate("""() => {
        const row = document.querySelector('[data-cb-rows] tbody tr');
        row.cells[0].querySelector('a').textContent = '=HYPERLINK("http://x","点我")';
        row.cells[2].textContent = '-1,+2\\n@3';
    }""")
    raw = _download(page)
    rows = _rows(raw)
    assert rows[0]["案例"] == "'=HYPERLINK(\"http://x\",\"点我\")"
    assert rows[0]["治理模式"] == "'-1,+2 @3"  # one line: the cell's text as shown
    assert len(rows) == 5  # no filter: every case
    page.context.close()
