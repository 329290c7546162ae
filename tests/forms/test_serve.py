"""`python -m forms.serve`: the built site and the forms app answer on one address."""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.test import Client

from forms.serve import build_app, main


@pytest.fixture
def site(tmp_path: Path) -> Path:
    folder = tmp_path / "build"
    (folder / "mottagningar" / "testmottagningen").mkdir(parents=True)
    (folder / "index.html").write_text("<!doctype html><title>Start</title>Alla mottagningar", encoding="utf-8")
    (folder / "404.html").write_text("<!doctype html><title>Saknas</title>Sidan finns inte", encoding="utf-8")
    (folder / "mottagningar" / "testmottagningen" / "index.html").write_text(
        '<a href="/e-tjanster/testmottagningen/begar-intyg/">Begär intyg</a>', encoding="utf-8"
    )
    (folder / "style.css").write_text("body{}", encoding="utf-8")
    return folder


@pytest.fixture
def client(site: Path, content_dir: Path, demo_file: Path, tmp_path: Path) -> Client:
    app, prefix = build_app(
        site,
        {
            "FORMS_CONTENT_DIR": str(content_dir),
            "FORMS_DEMO_DATA": str(demo_file),
            "FORMS_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        },
    )
    assert prefix == "/e-tjanster/"
    return Client(app)


def test_site_pages_folders_and_missing_files(client: Client) -> None:
    assert "Alla mottagningar" in client.get("/").get_data(as_text=True)
    assert client.get("/mottagningar/testmottagningen").headers["Location"].endswith("/mottagningar/testmottagningen/")
    contact = client.get("/mottagningar/testmottagningen/")
    assert contact.status_code == 200 and "/e-tjanster/testmottagningen/begar-intyg/" in contact.get_data(as_text=True)
    missing = client.get("/finns-inte/")
    assert missing.status_code == 404 and "Sidan finns inte" in missing.get_data(as_text=True)
    assert client.get("/style.css").mimetype == "text/css"
    assert client.get("/../../etc/passwd").status_code == 404
    assert "default-src 'none'" in client.get("/").headers["Content-Security-Policy"]


def test_forms_app_answers_under_its_path_with_the_test_login_on(client: Client) -> None:
    start = client.get("/e-tjanster/testmottagningen/begar-intyg/")
    assert start.status_code == 303 and "/e-tjanster/logga-in/" in start.headers["Location"]
    assert "Testinloggning" in client.get("/e-tjanster/logga-in/").get_data(as_text=True)


def test_serve_refuses_a_folder_that_is_not_a_built_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--site", str(tmp_path / "saknas")]) == 1
    assert "bygg webbplatsen först" in capsys.readouterr().err


def test_hidden_files_of_the_site_are_never_served(client: Client, site: Path) -> None:
    (site / ".search").mkdir()
    (site / ".search" / "index.sqlite3").write_bytes(b"SQLite format 3\x00")
    for path in ("/.search/index.sqlite3", "/.search/", "/.search", "/mottagningar/../.search/index.sqlite3"):
        response = client.get(path)
        assert response.status_code in {404, 308}, path
        assert b"SQLite format" not in response.get_data(), path


def test_the_search_page_is_answered_by_the_app(client: Client) -> None:
    response = client.get("/sok/?q=test")
    # This site folder has no index: the app's page says search is unavailable (not the site's 404).
    assert response.status_code == 503 and "Sökningen fungerar inte just nu" in response.get_data(as_text=True)
    assert client.get("/sok").status_code == 308
