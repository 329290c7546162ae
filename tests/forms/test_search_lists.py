"""The search page's long filter lists are one join of kept pieces (forms/search/lists.py), and
must write what the template's loop wrote: the same links, escaped names, quoted values, counts."""

from __future__ import annotations

from urllib.parse import quote_plus

from jinja2 import Environment

from forms.search.lists import count_text, filter_links, municipality_list
from sitegen.search.query import Facet

FACETS = [Facet('Å & <b>"Ö"</b>', 3), Facet("Malmö", 1), Facet("Boka tid", None)]
ENV = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)  # as the app's


def test_filter_links_are_what_the_template_loop_wrote() -> None:
    search = '/sok/?q=a+%26+b&x="'
    loop = ENV.from_string(
        "{% for facet in facets %}\n"
        '<li><a href="{{ search }}kommun={{ quote(facet.name) }}">{{ facet.name }}'
        "{% if facet.count is not none %} ({{ facet.count }}){% endif %}</a></li>\n"
        "{% endfor %}"
    ).render(facets=FACETS, search=search, quote=quote_plus)
    assert filter_links(search, "kommun", FACETS) == loop.rstrip("\n")


def test_the_municipality_list_is_what_the_template_loop_wrote() -> None:
    facets = [Facet('Å & <b>"Ö"</b>', 3), Facet("Malmö", 1)]
    loop = ENV.from_string(
        "{% for facet in facets %}\n"
        '<li><a href="{{ base }}?kommun={{ quote(facet.name) }}">{{ facet.name }}</a>'
        ' <span class="meta">({{ count_text(facet.count) }})</span></li>\n'
        "{% endfor %}"
    ).render(facets=facets, base="/sok/", quote=quote_plus, count_text=count_text)
    assert municipality_list("/sok/", facets) == loop.rstrip("\n")
    assert "1 mottagning)" in municipality_list("/sok/", facets)
