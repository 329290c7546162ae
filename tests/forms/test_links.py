"""forms.platform.links: a list's row links are exactly what url_for writes, or refused."""

from __future__ import annotations

import pytest
from flask import Flask, url_for

from forms.platform.links import links_along, links_with_query

ODD = ["HV-2026-7KQ2MX", "Åsa öl", "a/b", "x?y#z", "100%", "a+b&c=d", "'quoted'"]


@pytest.fixture
def app() -> Flask:
    app = Flask(__name__)

    @app.get("/personal/<clinic>/arenden/<reference>/")
    def case(clinic: str, reference: str) -> str:
        return reference

    @app.get("/sidor/<int:number>/")
    def numbered(number: int) -> str:
        return str(number)

    return app


def test_each_link_is_what_url_for_writes_under_the_apps_prefix(app: Flask) -> None:
    with app.test_request_context("/", base_url="http://localhost/e-tjanster/"):
        link = links_along("case", "reference", clinic="vårdcentralen-å")
        for value in ODD:
            assert link(value) == url_for("case", clinic="vårdcentralen-å", reference=value)
        assert link("HV-2026-7KQ2MX") == "/e-tjanster/personal/v%C3%A5rdcentralen-%C3%A5/arenden/HV-2026-7KQ2MX/"


def test_a_part_that_is_no_path_part_is_refused(app: Flask) -> None:
    with app.test_request_context("/"):
        with pytest.raises(ValueError):
            links_along("case", "sida", clinic="a", reference="b")  # a query parameter
        with pytest.raises(ValueError):
            links_along("numbered", "number")  # not a string part


QUERIES = [
    {},
    {"status": "Fördelad"},
    {"status": "alla", "mina": "1", "sena": "1", "sida": 3},
    {"sida": 12, "status": "Ny"},
    *({"status": value} for value in ODD),
]


def test_each_filter_link_is_what_url_for_writes_with_that_query(app: Flask) -> None:
    with app.test_request_context("/", base_url="http://localhost/e-tjanster/"):
        with_query = links_with_query("case", clinic="vårdcentralen-å", reference="HV-1")
        for query in QUERIES:
            assert with_query(query) == url_for("case", clinic="vårdcentralen-å", reference="HV-1", **query)


def test_an_address_that_has_a_query_already_is_refused(app: Flask) -> None:
    with app.test_request_context("/"), pytest.raises(ValueError):
        links_with_query("case", clinic="a", reference="b", sida=2)
