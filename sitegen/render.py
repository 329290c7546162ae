"""Rendering the ordered view into the files of the site, in memory.

Everything the site consists of is produced here as `{relative path: bytes}`; writing it out is
another module's job, so a build that fails half-way has written nothing.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from sitegen.loader import Content
from sitegen.theme import Theme
from sitegen.view import ContactPage, contact_page, municipalities, site_root


def render_site(content: Content, theme: Theme) -> dict[str, bytes]:
    """All files of the site: pages, stylesheet, sitemap.xml and robots.txt."""
    env = theme.environment()
    root = site_root(content)
    common = {"site": content.site, "root": root, "css_href": f"{root}static/{theme.css_name}"}
    pages = [contact_page(content, slug) for slug in content.clinics]
    files: dict[str, bytes] = {}

    clinic_template = env.get_template("clinic.html")
    for page in pages:
        html = clinic_template.render(common, page=page, base_url=content.site.base_url)
        files[f"{page.path}index.html"] = html.encode("utf-8")
    files["index.html"] = (
        env.get_template("index.html").render(common, groups=municipalities(pages), count=len(pages)).encode("utf-8")
    )
    files["tillganglighet/index.html"] = env.get_template("tillganglighet.html").render(common).encode("utf-8")
    files["404.html"] = env.get_template("404.html").render(common).encode("utf-8")
    files[f"static/{theme.css_name}"] = theme.css_bytes
    files["sitemap.xml"] = sitemap(content.site.base_url, pages)
    files["robots.txt"] = f"User-agent: *\nAllow: /\nSitemap: {content.site.base_url}sitemap.xml\n".encode()
    return files


def sitemap(base_url: str, pages: list[ContactPage]) -> bytes:
    """sitemap.xml for search engines: the index, every contact page and the statement."""
    paths = ["", "tillganglighet/", *(page.path for page in pages)]
    urls = "".join(f"<url><loc>{escape(base_url + path)}</loc></url>\n" for path in paths)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{urls}</urlset>\n"
    ).encode()
