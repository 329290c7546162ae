"""Rendering the ordered view into the files of the site, in memory.

Everything the site consists of is produced here as bytes; writing it out is another module's job,
so a build that fails half-way has written nothing. `SiteRenderer` renders one file at a time, so
the full build, the parallel workers and the incremental build all produce each file with the
same code and therefore the same bytes.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Protocol
from xml.sax.saxutils import escape

from jinja2 import Environment, FileSystemBytecodeCache, meta

from sitegen.content.dated import today as build_today
from sitegen.content.loader import Content
from sitegen.content.models import Site
from sitegen.site.markdown import render_markdown
from sitegen.site.municipalities import MunicipalityGroup, group_by_municipality, municipality_slug
from sitegen.site.theme import Theme
from sitegen.site.view import ContactPage, contact_page, site_root

# The pages besides the contact pages, by output path, and the template each one is rendered from.
CLINIC_TEMPLATE = "clinic.html"
INDEX_TEMPLATE = "index.html"
MUNICIPALITY_TEMPLATE = "kommun.html"
FIXED_PAGES = {"tillganglighet/index.html": "tillganglighet.html", "404.html": "404.html"}


# Which templates a template's source extends, includes or imports (None: a computed name).
_REFERENCES: dict[tuple[str, str], list[str | None]] = {}


class IndexEntry(Protocol):
    """What the index page and the sitemap need of a contact page (a ContactPage has it)."""

    @property
    def path(self) -> str: ...

    @property
    def clinic(self) -> Any: ...


class SiteRenderer:
    """The site's templates, compiled once, and the values every page shares."""

    def __init__(self, site: Site, theme: Theme, bytecode_dir: Path | None = None) -> None:
        self.site = site
        self.theme = theme
        self.env: Environment = theme.environment()
        # One build, one set of templates: without this Jinja checks each template file's time
        # at every `extends` and `include`, 13 `stat` calls per contact page. A renderer lives for
        # one build (the preview server makes a new one per rebuild), so a changed template is
        # still picked up by the next build.
        self.env.auto_reload = False
        if bytecode_dir is not None:
            # Compiled templates kept between builds (keyed by each template's source checksum):
            # compiling them again took longer than rendering the one page an editor changed.
            bytecode_dir.mkdir(parents=True, exist_ok=True)
            self.env.bytecode_cache = FileSystemBytecodeCache(str(bytecode_dir))
        root = site_root_of(site)
        self.common = {"site": site, "root": root, "css_href": f"{root}static/{theme.css_name}"}
        self.env.filters["kommun_slug"] = municipality_slug
        for suffix in ("svg", "ico"):
            favicon = theme.favicon_path(suffix)
            if favicon is not None:
                self.common[f"favicon_{suffix}"] = f"{root}{favicon}"
        self._clinic = self.env.get_template(CLINIC_TEMPLATE)
        self._fingerprints: dict[str, str] | None = None

    @property
    def css_path(self) -> str:
        return f"static/{self.theme.css_name}"

    def contact_page(self, page: ContactPage) -> bytes:
        return self._clinic.render(self.common, page=page, base_url=self.site.base_url).encode("utf-8")

    def index(self, groups: Sequence[MunicipalityGroup]) -> bytes:
        """The front page: the search form and the municipalities, each with its number of mottagningar."""
        template = self.env.get_template(INDEX_TEMPLATE)
        count = sum(group.count for group in groups)
        return template.render(self.common, groups=groups, count=count).encode("utf-8")

    def municipality_page(self, group: MunicipalityGroup) -> bytes:
        """`/kommuner/<slug>/`: the mottagningar of one municipality."""
        template = self.env.get_template(MUNICIPALITY_TEMPLATE)
        return template.render(self.common, group=group, base_url=self.site.base_url).encode("utf-8")

    def fixed_page(self, template: str) -> bytes:
        return self.env.get_template(template).render(self.common).encode("utf-8")

    def sitemap(self, pages: Iterable[IndexEntry], groups: Iterable[MunicipalityGroup]) -> bytes:
        return sitemap(self.site.base_url, pages, groups)

    def robots(self) -> bytes:
        return f"User-agent: *\nAllow: /\nSitemap: {self.site.base_url}sitemap.xml\n".encode()

    def prime_markdown(self, texts: Iterable[str]) -> None:
        """Render shared Markdown (the central villkor) once, before pages need it.

        render_markdown is cached, and forked workers inherit the cache: a villkor shown on
        thousands of pages is parsed once per build, not once per page.
        """
        for text in texts:
            render_markdown(text, 4)

    def fingerprints(self) -> dict[str, str]:
        """A hash per kind of page of everything in the theme that page's bytes depend on.

        A page depends on its template, the templates that template extends, includes or imports
        (found by Jinja's own parser), and the stylesheet's fingerprinted name. Templates used
        only by other things (the forms app's) do not touch the site's pages.
        """
        if self._fingerprints is None:
            names = {
                "contact": CLINIC_TEMPLATE,
                "index": INDEX_TEMPLATE,
                "municipality": MUNICIPALITY_TEMPLATE,
                **FIXED_PAGES,
            }
            self._fingerprints = {kind: self._template_fingerprint(template) for kind, template in names.items()}
        return self._fingerprints

    def _template_fingerprint(self, name: str) -> str:
        digest = hashlib.blake2b(" ".join(self.theme.site_files).encode(), digest_size=16)
        seen: set[str] = set()
        queue = [name]
        loader = self.env.loader
        assert loader is not None
        while queue:
            current = queue.pop()
            if current in seen:
                continue
            seen.add(current)
            source, _, _ = loader.get_source(self.env, current)
            digest.update(b"\0" + current.encode() + b"\0" + source.encode())
            key = (current, source)
            if key not in _REFERENCES:  # parsing is the slow part; a warm process does it once
                _REFERENCES[key] = list(meta.find_referenced_templates(self.env.parse(source)))
            for referenced in _REFERENCES[key]:
                if referenced is None:  # a computed name: any template may be used
                    queue.extend(loader.list_templates())
                else:
                    queue.append(referenced)
        return digest.hexdigest()


def site_root_of(site: Site) -> str:
    """The path the site is served under (see view.site_root)."""
    return site_root(SimpleNamespace(site=site))  # type: ignore[arg-type]


def render_site(content: Content, theme: Theme, today: datetime.date | None = None) -> dict[str, bytes]:
    """All files of the site as it is on `today` (see sitegen.content.dated.today): pages,
    stylesheet, favicon, sitemap.xml and robots.txt."""
    renderer = SiteRenderer(content.site, theme)
    day = build_today(today)
    pages = [contact_page(content, slug, day) for slug in content.clinics]
    files: dict[str, bytes] = {}
    for page in pages:
        files[f"{page.path}index.html"] = renderer.contact_page(page)
    groups = group_by_municipality(pages)
    files["index.html"] = renderer.index(groups)
    for group in groups:
        files[f"{group.path}index.html"] = renderer.municipality_page(group)
    for path, template in FIXED_PAGES.items():
        files[path] = renderer.fixed_page(template)
    files.update(theme.site_files)
    files["sitemap.xml"] = renderer.sitemap(pages, groups)
    files["robots.txt"] = renderer.robots()
    return files


def sitemap(base_url: str, pages: Iterable[IndexEntry], groups: Iterable[MunicipalityGroup]) -> bytes:
    """sitemap.xml for search engines: the index, the statement, every municipality and contact page."""
    paths = ["", "tillganglighet/", *(group.path for group in groups), *(page.path for page in pages)]
    urls = "".join(f"<url><loc>{escape(base_url + path)}</loc></url>\n" for path in paths)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{urls}</urlset>\n"
    ).encode()
