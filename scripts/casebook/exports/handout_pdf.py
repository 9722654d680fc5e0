"""Handouts printed to PDF: a contents page that gives each case's page, a running header and page
number on every page but the cover, and fonts a PDF reader can search.

Chromium has no CSS `target-counter` and draws its header template on every page, the cover
included, with fonts it cannot take from the page. So each handout is printed with no header;
the page each case starts on is read from the PDF's named destinations (the contents links);
a handout with contents is printed again with those numbers (their space is reserved in the first
print, so no line moves); finally a second document, one page per page holding only the header
and the page number, is laid over every page but the first.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pypdf

from . import pdf, pdffont

DIGITS = "0123456789"


@dataclass
class Handout:
    render: Callable[[dict[str, int] | None, str], str]  # (first page of each case, font CSS) -> the handout
    furniture: Callable[[int, str], str]  # (page count, font CSS) -> a header and page number on each page
    contents: bool
    pdf: Path


def print_handouts(handouts: list[Handout], work: Path, timeout: float, corpus: str = "") -> None:
    """Print each handout to its PDF; `corpus` (text of the whole casebook) keeps one font subset for
    every handout of a casebook, so the cached subset serves them all."""
    drafts = [h.render(None, "") for h in handouts]
    text = corpus + "".join(drafts) + "".join(h.furniture(1, "") for h in handouts) + DIGITS
    css = pdffont.face_css(text, work)
    jobs = [_job(work, i, "a", h.render(None, css)) for i, h in enumerate(handouts)]
    with pdf.printer(timeout) as print_all:
        print_all(jobs)
        again = [i for i, h in enumerate(handouts) if h.contents]
        for i in again:
            jobs[i] = _job(work, i, "b", handouts[i].render(start_pages(jobs[i].pdf), css))
        print_all([jobs[i] for i in again])
        counts = [len(pypdf.PdfReader(job.pdf).pages) for job in jobs]
        marks = [_job(work, i, "f", h.furniture(n, css)) for i, (h, n) in enumerate(zip(handouts, counts))]
        print_all(marks)
    for job, mark, handout in zip(jobs, marks, handouts):
        overlay(job.pdf, mark.pdf, handout.pdf)


def start_pages(path: Path) -> dict[str, int]:
    """Case slug -> the page (from 1) its section starts on, from the anchors the contents link to."""
    reader = pypdf.PdfReader(path)
    pages = {}
    for name, destination in reader.named_destinations.items():
        if name.startswith("/case-"):
            pages[name.removeprefix("/case-")] = reader.get_destination_page_number(destination) + 1
    return pages


def overlay(content: Path, marks: Path, out: Path) -> None:
    """Lay each page of `marks` over the same page of `content`, the cover (page 1) left bare."""
    writer = pypdf.PdfWriter(clone_from=content)
    for page, mark in list(zip(writer.pages, pypdf.PdfReader(marks).pages))[1:]:
        page.merge_page(mark)
    for page in writer.pages:  # merged pages are written uncompressed otherwise: the file would be twice as large
        page.compress_content_streams()
    writer.compress_identical_objects()
    with open(out, "wb") as stream:
        writer.write(stream)


def _job(work: Path, i: int, step: str, html: str) -> pdf.PrintJob:
    source = work / f"handout-{i}-{step}.html"
    source.write_text(html, encoding="utf-8")
    return pdf.PrintJob(source, source.with_suffix(".pdf"))
