"""The demo content built once into a site with its search index, and apps reading it at a clock."""

from __future__ import annotations

import datetime
import re
import shutil
from collections.abc import Callable
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from forms import create_app
from sitegen.build.run import build_site

ROOT = Path(__file__).resolve().parents[2]
# Tuesday 1 December 2026, 10.00 in Stockholm (UTC+1): every demo vårdcentral is open.
TUESDAY_MORNING = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("search-demo") / "build"
    build_site(ROOT / "content", out, workers=1)
    return out


def app_for(site: Path, content: Path, database: Path, now: datetime.datetime | None = None, **extra: Any) -> Flask:
    return create_app(
        {
            "FORMS_CONTENT_DIR": str(content),
            "FORMS_SITE_DIR": str(site),
            "FORMS_DATABASE_URL": f"sqlite:///{database}",
            "FORMS_TEST_LOGIN": "1",
            "FORMS_SECRET_KEY": "test-secret-key",
            "FORMS_NOW": (now or TUESDAY_MORNING).isoformat(),
            **extra,
        }
    )


@pytest.fixture(scope="session")
def search_app(demo_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Flask]:
    """An app on the demo content and its built site; `now` sets FORMS_NOW (one app per clock)."""
    apps: dict[datetime.datetime | None, Flask] = {}
    folder = tmp_path_factory.mktemp("search-apps")

    def factory(now: datetime.datetime | None = None) -> Flask:
        if now not in apps:
            apps[now] = app_for(demo_site, ROOT / "content", folder / f"cases-{len(apps)}.sqlite3", now)
        return apps[now]

    return factory


def copy_content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(ROOT / "content", target)
    return target


def hits(html: str) -> list[str]:
    """The slugs of the results, in order."""
    return re.findall(r'<li class="result">\s*<h2><a href="/mottagningar/([a-z0-9-]+)/">', html)


def title(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found
    return unescape(found.group(1))


def h1(html: str) -> str:
    found = re.search(r"<h1>(.*?)</h1>", html, re.S)
    assert found
    return unescape(found.group(1))


def notes(html: str) -> list[str]:
    return [unescape(text) for text in re.findall(r'<p class="notice">(.*?)</p>', html, re.S)]
