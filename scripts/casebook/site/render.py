"""Every generated file of the site, rendered from the validated casebook with Jinja templates.

Pages are Markdown (so MkDocs' search, title and table of contents keep
working) whose case-supplied text sits in escaped HTML, never in Markdown
syntax that could turn it into links or markup.
"""
from __future__ import annotations

import functools
import html
import json
import re
from collections.abc import Mapping
from typing import Callable

import jinja2
from markupsafe import Markup, escape

from . import catalog, dataset, datapackage, feed, listing, opendata, render_cache, routes, source_pages
from .jobs import Job
from .render_cache import PageCache
from ..core import model, numbers, regions, transfer
from .routes import page_url, relative_url, root_url
from ..core.model import Casebook
from ..core.schema import Taxonomy, fields, paths_using, vocabulary_flags

# What Markdown or one of its extensions reads as syntax anywhere in a line (emphasis, code, links, the TOC
# marker, attr_list's {…}, raw HTML, entities, tables, a heading's closing #s, strikethrough), and line
# breaks, which would let text start a line of its own (a list, a heading, a block of attributes).
# As character references they show as the characters they are, in element text and attribute values
# alike, and Markdown passes references through untouched: one rule for headings, Markdown lines and
# HTML blocks, whether or not Markdown reads inside them.
# An underscore between two letters or digits never starts or ends emphasis (needs_value stays as it is).
_INERT = {ord(ch): f"&#{ord(ch)};" for ch in "&<>\"'\\`*{}[]|#~^\n"}
_INERT[ord("\r")] = ""
_EDGE_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
_EMPTY_BRACKETS = re.compile(r"&#91;&#93;(?!\(|&#91;)")


def inert(value: object) -> Markup:
    """Text from data as it may stand anywhere in a page template: shown as written, never markup."""
    if isinstance(value, Markup):
        return value
    text = str(value).translate(_INERT)
    if "&#91;&#93;" in text:  # a field path's [] is no link: only "[](" and "[][" could become one
        text = _EMPTY_BRACKETS.sub("[]", text)
    return Markup(_EDGE_UNDERSCORE.sub("&#95;", text) if "_" in text else text)


@jinja2.pass_eval_context
def _finalize(eval_ctx: jinja2.nodes.EvalContext, value: object) -> object:
    """Every {{ value }} of a page template goes through inert(); the YAML scaffold is plain text."""
    return inert(value) if eval_ctx.autoescape and isinstance(value, str) else value


@jinja2.pass_eval_context
def _join(eval_ctx: jinja2.nodes.EvalContext, value, d: str = "", attribute: str | None = None):
    """Jinja's join, its items made inert (Jinja's own returns them HTML-escaped only, as Markup)."""
    items = [item[attribute] if isinstance(item, dict) else getattr(item, attribute) for item in value] \
        if attribute is not None else list(value)
    if not eval_ctx.autoescape:
        return str(d).join(map(str, items))
    return inert(d).join(inert(item) for item in items)


def md_text(value: object) -> Markup:
    """Text in Markdown syntax (a heading): the one rule, inert()."""
    return inert(value)


_ANCHOR = re.compile(r"[A-Za-z0-9_-]+")


def anchor_id(value: object) -> Markup:
    """An id written in attr_list's {#…}, where a character reference would be read as part of the id:
    an ordinary id (letters, digits, - and _) as it is, anything else inert (a dead anchor, never markup)."""
    text = str(value)
    return Markup(text) if _ANCHOR.fullmatch(text) else inert(text)


def json_text(value: object) -> Markup:
    """A value shown as JSON text on a page (an example, a flag): inert like any other text."""
    return inert(json.dumps(value, ensure_ascii=False))


def page_title(value: object) -> Markup:
    """A page title as a front-matter value: the theme prints titles into <title> and the header
    unescaped, so the text is HTML-escaped once here (Jinja's tojson would leave it raw for YAML to decode)."""
    return Markup(json.dumps(html.escape(str(value), quote=False), ensure_ascii=False))


def text_lines(value: str) -> Markup:
    """Text whose line breaks are character references, so it stays one line of HTML: inert() does that."""
    return inert(value)


def number(value: float | int) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("casebook", "templates/pages"),
        # Markdown's {#anchor} syntax would read as a Jinja comment; our comments are <#-- … --#>.
        comment_start_string="<#--", comment_end_string="--#>",
        # Pages and scripts are escaped; the YAML scaffold is plain text.
        autoescape=jinja2.select_autoescape(["md.j2", "html.j2", "js.j2"], default_for_string=False),
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        finalize=_finalize,
    )
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": False}
    env.filters.update(md=md_text, number=number, figure=numbers.figure, magnitude=numbers.magnitude, lines=text_lines,
                       page_title=page_title, join=_join, anchor_id=anchor_id,
                       json_text=json_text)
    env.globals.update(place=model.place, titled=model.titled, region=model.region, year=model.year, categories=model.categories,
                       outcome_kinds=model.outcome_kinds, route=routes,
                       undone_categories=model.undone_categories, quote_anchor=source_pages.anchor)
    env.globals.update(community_types=transfer.community_types, origin=transfer.origin)
    return env


def vocabulary_context(tax: Taxonomy) -> dict:
    """The vocabulary lookups every template uses: slugs, short names, labels, row codes and styles of terms."""
    done = tax.having("practice_statuses", "done")
    return {
        "tax": tax,
        "category_slug": tax.lookup("categories", "slug"),
        "category_short": tax.lookup("categories", "short"),
        "kind_label": tax.lookup("outcome_kinds", "label"),
        "kind_code": catalog.kind_codes(tax),
        "kind_class": kind_classes(tax),
        "honour_kinds": tax.having("outcome_kinds", "honours"),
        "status_label": tax.lookup("practice_statuses", "label"),
        "status_class": {t: "done" if t in done else "pending" for t in tax.terms("practice_statuses")},
        "done_statuses": done,
        # How summaries name what was done and what was not, in the vocabulary's own words.
        "done_label": "、".join(s["label"] for s in tax.practice_statuses if s["term"] in done),
        "undone_label": "、".join(s["label"] for s in tax.practice_statuses if s["term"] not in done),
        "community_slug": tax.lookup("community_types", "slug"),
        "resource_label": tax.lookup("resource_kinds", "label"),
    }


def problems_page(problems: list) -> str:
    """The page `mkdocs serve` shows while a case is broken: every problem, located, as text."""
    return environment().get_template("problems.md.j2").render(problems=problems)


def kind_classes(tax: Taxonomy) -> dict[str, str]:
    """Outcome kind -> the badge style its properties call for (a number, an honour, a plan, a description)."""
    value, honour = tax.having("outcome_kinds", "needs_value"), tax.having("outcome_kinds", "honours")
    achieved = tax.having("outcome_kinds", "achieved")
    return {t: "value" if t in value else "honour" if t in honour else "text" if t in achieved else "plan"
            for t in tax.terms("outcome_kinds")}


class SiteRenderer:
    """Renders all generated files for one build (one value of use_directory_urls)."""

    def __init__(self, book: Casebook, use_directory_urls: bool = True, site_url: str = "",
                 site_name: str = "社区治理实践案例库", pages: PageCache | None = None):
        self.book = book
        self.pages = pages or PageCache(None, None)  # rows an earlier build rendered (listing.py)
        self.use_directory_urls = use_directory_urls
        self.site_url = site_url
        self.env = environment()
        self.common = {"book": book, **vocabulary_context(book.taxonomy), **dataset.context(book),
                       "site_url": site_url, "site_name": site_name}
        self.common["learned_by"] = transfer.learned_by(book)
        # What pages share apart from the book-wide lookups a case page narrows to its own entry (_case_context):
        # a keyed job renders from this, so its key (render_cache.py) covers all it can read.
        self.shared = {name: value for name, value in self.common.items() if name not in render_cache.NARROWED}
        # Keys are worked out only where a cache can use them (an incremental build), not for exports or previews.
        self.keys = render_cache.Keys(book, self.shared, use_directory_urls, site_url) \
            if self.pages.folder is not None else None
        if self.keys:  # scores of unchanged cases come from the last build
            self.common["completeness"] = render_cache.KeptScores(self.common["completeness"], self.pages,
                                                                  lambda slug: self.keys.score(self._by_slug[slug]))

    def url_from(self, from_src: str, to_src: str) -> str:
        return relative_url(from_src, to_src, self.use_directory_urls, self.site_url)

    def absolute(self, src: str) -> str:
        """A page's full address when the site knows where it lives, else its path from the site root."""
        return self.site_url.rstrip("/") + "/" + page_url(src, self.use_directory_urls) if self.site_url \
            else "/" + page_url(src, self.use_directory_urls)

    def render(self, template: str, src: str, **context) -> str:
        return self._render(self.common, template, src, context)

    def render_keyed(self, template: str, src: str, **context) -> str:
        """A page of a keyed job: it sees what every page shares and its own context, nothing book-wide."""
        return self._render(self.shared, template, src, context)

    def _render(self, common: dict, template: str, src: str, context: dict) -> str:
        # Addresses are made by routes.py, not taken from data: HTML-escaped only, so a fragment's # stays a #.
        url: Callable[[str], Markup] = lambda to: escape(relative_url(src, to, self.use_directory_urls, self.site_url))  # noqa: E731
        root = escape(root_url(src, self.use_directory_urls, self.site_url))
        absolute: Callable[[str], Markup] = lambda to: escape(self.absolute(to))  # noqa: E731
        return self.env.get_template(template).render(**common, **context, url=url, root=root, absolute=absolute)

    def files(self) -> dict[str, str | bytes]:
        """Site-relative path -> content, for every file the renderer adds to the site."""
        ready, jobs = self.plan()
        out: dict[str, str | bytes] = {}
        for job in jobs:
            out.update(job.files())
        out.update(ready)
        return out

    def plan(self) -> tuple[dict[str, str | bytes], list[Job]]:
        """The files made at once (downloads, data), and the pages to render, each job with the paths it makes."""
        book = self.book
        by_category = catalog.by_category(book)
        undone = catalog.by_category(book, done=False)
        tree = regions.build(book)
        related = catalog.Related(book)
        jobs = [self._case_job(c, related) for c in book.cases]
        jobs += self._grouping_jobs(by_category, undone, tree)
        quotes = paths_using(book.schema, "quote")  # a walk over the schema: once, not once per source page
        for file, cases in source_pages.citing(book).items():
            paths = (routes.source_page(file),)
            key = self.keys.job(paths, self.keys.source(file), self.keys.cases(cases), quotes) if self.keys else None
            jobs.append(Job(paths, functools.partial(self._source_page, file, cases, quotes), key))
        # The pages about every case come last: a generator reading pages as they are made
        # (plugin.py) starts on the small ones.
        jobs += self._overview_jobs(by_category, undone, tree)
        version = self.common["version"]
        jobs.append(Job(dataset.download_paths(version),
                        functools.partial(dataset.downloads, book, version, self.common["completeness"],
                                          self.site_url)))
        return self._ready(), jobs

    def _grouping_jobs(self, by_category: dict, undone: dict, tree) -> list[Job]:
        """A page for every practice category and every region, each listing its cases."""
        jobs = []
        for category in self.book.taxonomy.categories:
            cases, undone_cases = by_category[category["term"]], undone[category["term"]]
            jobs.append(self._keyed_listing("category.md.j2", routes.category(category["slug"]),
                                            f"category-{category['slug']}", "_category_rows.html.j2", cases,
                                            {"category": category, "cases": cases, "undone_cases": undone_cases},
                                            (category,), {"category": category}, undone_cases))
        for region in regions.walk(tree):
            jobs.append(self._keyed_listing("region.md.j2", routes.region(region.key),
                                            "region-" + region.key.replace("/", "-"), "_region_rows.html.j2",
                                            region.cases, {"region": region}, render_cache.region_shown(region), {}))
        return jobs

    def _keyed_listing(self, template: str, src: str, key: str, rows_template: str, items: list[dict],
                       context: dict, inputs: tuple, row_context: dict, also: list[dict] = ()) -> Job:
        """A listing keyed as a whole by its items, `inputs` and the cases `also` shown: all it shows (listing.py).

        A row shows its case and `row_context` only, so each row is kept by those two: one case changed
        renders its own rows again, not the whole listing."""
        def row_key(item: dict) -> str:
            return self.keys.job((src, rows_template), self.keys.cases([item]), row_context)

        rows = listing.Rows(lambda item: self.render_keyed(rows_template, src, rows=[item], **row_context),
                            row_key if self.keys else None)

        def keyed(paths: tuple[str, ...]) -> str:
            return self.keys.job(paths, template, rows_template, self.keys.cases(items), self.keys.cases(also), inputs)

        return listing.job(self.render_keyed, template, src, key, rows, items, self.pages,
                           keyed=keyed if self.keys else None, **context)

    def _case_rows(self, src: str, rows_template: str, **lookups: Mapping) -> listing.Rows:
        """Rows of every case, each kept by its case, its source text (its completeness score follows from
        the two) and its own entries of `lookups`."""
        narrowed = {**lookups, "completeness": self.common["completeness"]}

        def render(case: dict) -> str:
            own = {name: render_cache.Only(lookup, case["slug"]) for name, lookup in narrowed.items()}
            return self.render_keyed(rows_template, src, rows=[case], **own)

        def key(case: dict) -> str:
            return self.keys.job((src, rows_template), self.keys.of_case(case),
                                 [lookup[case["slug"]] for lookup in lookups.values()])

        return listing.Rows(render, key if self.keys else None)

    def _overview_jobs(self, by_category: dict, undone: dict, tree) -> list[Job]:
        """The pages about every case: home, catalogue, overviews, comparison, reference."""
        book, page = self.book, self._page_job
        rows = self._case_rows

        def listed(template: str, src: str, key: str, rows_template: str, **context) -> Job:
            return listing.job(self.render, template, src, key, rows(src, rows_template, **context.pop("lookups", {})),
                               book.cases, self.pages, **context)

        return [
            page("home.md.j2", routes.HOME, stats=catalog.stats(book), recent=catalog.recent(book),
                 by_category=by_category, undone_by_category=undone),
            listed("catalogue.md.j2", routes.CATALOGUE, "catalogue", "_catalogue_rows.html.j2",
                   options=catalog.filter_options(book, tree), lookups={"region_of": catalog.region_of(tree)}),
            page("categories.md.j2", routes.CATEGORIES, by_category=by_category, undone_by_category=undone),
            page("regions.md.j2", routes.REGIONS, regions=tree),
            page("compare.md.j2", routes.COMPARE),
            listed("matrix.md.j2", routes.MATRIX, "matrix", "_matrix_rows.html.j2"),
            listed("outcomes.md.j2", routes.OUTCOMES, "outcomes", "_outcome_rows.html.j2", first=listing.OUTCOME_CASES),
            self._learning_job(),
            page("data.md.j2", routes.DATA, columns=opendata.column_docs(book), list_separator=opendata.SEP),
            page("guide.md.j2", routes.GUIDE),
            page("fields.md.j2", routes.FIELDS, fields=list(fields(book.schema)), flags=vocabulary_flags()),
        ]

    def _learning_job(self) -> Job:
        """Who learned from whom: a diagram while it can be read, and the links as a listing that stays small."""
        links = transfer.learning_links(self.book)
        rows = listing.Rows(lambda link: self.render("_learning_rows.html.j2", routes.LEARNING, rows=[link]))
        diagram = transfer.diagram(self.book) if len(links) <= transfer.DIAGRAM_MOST else None
        return listing.job(self.render, "learning.md.j2", routes.LEARNING, "learning", rows, links, self.pages,
                           diagram=diagram, links_count=len(links))

    def _ready(self) -> dict[str, str | bytes]:
        """The kept texts themselves, as downloads (links go to their pages), and the dataset's other files."""
        book = self.book
        ready: dict[str, str | bytes] = {routes.source(relative): text for relative, text in book.sources.items()}
        kept = dataset.files(book, self.common["history"], self.site_url, self.use_directory_urls, self.url_from)
        ready.update(kept)
        ready[routes.VERSIONS] = self.render("versions.md.j2", routes.VERSIONS, snapshots=set(kept))
        ready.update(datapackage.files(self))
        ready.update(feed.files(self))
        return ready

    def _page_job(self, template: str, src: str, **context) -> Job:
        return Job((src,), functools.partial(self._page, template, src, **context))

    def _page(self, template: str, src: str, **context) -> dict[str, str]:
        return {src: self.render(template, src, **context)}

    def _case_job(self, case: dict, related: catalog.Related) -> Job:
        slug = case["slug"]
        paths = (routes.case(slug), routes.compare_data(slug), routes.case_json(slug))
        context = self._case_context(case, related)
        return Job(paths, functools.partial(self._case_files, context),
                   self._case_key(paths, context) if self.keys else None)

    def _case_key(self, paths: tuple[str, ...], context: dict) -> str:
        keys, case = self.keys, context["case"]
        slug = case["slug"]
        return keys.job(paths, keys.of_case(case), [(keys.cases([c]), shared) for c, shared in context["related"]],
                        self.common["updated"][slug], keys.cases(self.common["learned_by"].get(slug, [])),
                        keys.cases([*context["book"].named.values()]))

    def _case_context(self, case: dict, related: catalog.Related) -> dict:
        """All a case page shows: the case, its related cases and its own entries of the book-wide lookups."""
        slug, common = case["slug"], self.common
        named = {e["case"] for e in case.get("learned_from", []) if e.get("case")}
        return {"case": case, "related": related[slug], "updated": render_cache.Only(common["updated"], slug),
                "completeness": render_cache.Only(common["completeness"], slug),  # scored when the page is rendered
                "learned_by": render_cache.Only(common["learned_by"], slug),
                "book": render_cache.Named({s: self._by_slug[s] for s in sorted(named)})}

    @functools.cached_property
    def _by_slug(self) -> dict[str, dict]:
        return {case["slug"]: case for case in self.book.cases}

    def _case_files(self, context: dict) -> dict[str, str]:
        case = context["case"]
        slug = case["slug"]
        data_file = routes.compare_data(slug)
        return {routes.case(slug): self.render_keyed("case.md.j2", routes.case(slug), **context),
                data_file: self.render_keyed("compare_data.js.j2", data_file, data=self._compare_data(case)),
                **dataset.case_file(self.site_url, case)}

    def _source_page(self, file: str, cases: list[dict], quotes: list[tuple]) -> dict[str, str]:
        src = routes.source_page(file)
        return {src: self.render_keyed("source.md.j2", src, **source_pages.context(self.book, file, cases, quotes))}

    def _compare_data(self, case: dict) -> dict:
        """What the comparison page shows of a case, as plain data its script turns into text nodes."""
        labels = self.common
        practices: dict[str, list[str]] = {}
        # What was done first; plans, proposals and things seen elsewhere after it, each labelled.
        for p in sorted(case["practices"], key=lambda p: p["status"] not in labels["done_statuses"]):
            label = "" if p["status"] in labels["done_statuses"] else f"〔{labels['status_label'][p['status']]}〕"
            practices.setdefault(p["category"], []).append(f"{p['name']}{label}")
        return {
            "slug": case["slug"], "name": case["name"], "title": case["title"],
            "url": page_url(routes.case(case["slug"]), self.use_directory_urls),
            "place": model.place(case), "year": model.year(case),
            "profile": [f"{f['label']}：{numbers.figure(f)}" for f in case.get("profile", [])],
            "models": [m["name"] for m in case.get("models", [])],
            "practices": practices,
            "outcomes": [f"【{labels['kind_label'][o['kind']]}】{o['statement']}" for o in case.get("outcomes", [])],
        }


