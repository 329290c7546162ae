"""What every page pays to the platform, kept from growing back (issue 22): the logged-in bar's
links are made once per app and script root, and Flask's "is it async?" is asked once per function.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from forms.platform import links
from tests.forms.conftest import BASE, OTHER_ADULT, login

INBOX = f"{BASE}/inkorg/"
BAR = {"auth.logout", "inbox.inbox", "booked.booked"}


def bar_of(html: str, root: str = "") -> None:
    assert f'<form method="post" action="{root}{BASE}/logga-ut/">' in html
    assert f'<li><a href="{root}{BASE}/inkorg/">Inkorg</a></li>' in html
    assert f'<li><a href="{root}{BASE}/bokade-tider/">Bokade tider</a></li>' in html


@pytest.fixture
def bar_urls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The bar's endpoints that `bar_links` asks url_for for from now on."""
    asked: list[str] = []
    original = links.url_for

    def counting(endpoint: str, **values: Any) -> str:
        if endpoint in BAR:
            asked.append(endpoint)
        return original(endpoint, **values)

    monkeypatch.setattr(links, "url_for", counting)
    return asked


def test_the_logged_in_bars_links_are_made_once_per_app(client: FlaskClient, bar_urls: list[str]) -> None:
    login(client, OTHER_ADULT)
    bar_of(client.get(INBOX).text)
    bar_urls.clear()
    second = client.get(INBOX)
    bar_of(second.text)
    assert bar_urls == []


def test_the_bars_links_follow_the_script_root_they_are_served_under(client: FlaskClient, bar_urls: list[str]) -> None:
    login(client, OTHER_ADULT)
    bar_of(client.get(INBOX).text)
    mounted = client.get(INBOX, base_url="http://localhost/region/")
    bar_of(mounted.text, root="/region")
    bar_of(client.get(INBOX).text)
    assert len(bar_urls) == 9  # made anew at each change of root


def test_the_bars_links_are_each_apps_own(make_app: Any) -> None:
    first, second = make_app(), make_app()
    for app in (first, second, first):
        with app.test_request_context("/"):
            made = links.bar_links()
            assert made.inbox == f"{BASE}/inkorg/"
            assert made is links._bar[0][2] and links._bar[0][0] is app
