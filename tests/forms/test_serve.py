"""`python -m forms.serve`: the built site and the forms app answer on one address."""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.test import Client

from forms import serve
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
    (folder / "static").mkdir()
    (folder / "static" / "style.0123abcd.css").write_text("body{}", encoding="utf-8")
    (folder / ".hittavard" / "content").mkdir(parents=True)
    (folder / ".hittavard" / "content" / "manifest.json").write_text("{}", encoding="utf-8")
    (folder / "mottagningar" / ".hemlig").write_text("x", encoding="utf-8")
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


def test_the_saml_demo_turns_the_test_login_off(
    site: Path, content_dir: Path, demo_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """scripts/run-saml.sh sets FORMS_TEST_LOGIN=0: "Logga in" must then not be the test login."""
    monkeypatch.setenv("FORMS_TEST_LOGIN", "0")
    app, _ = build_app(site, {
        "FORMS_CONTENT_DIR": str(content_dir), "FORMS_DEMO_DATA": str(demo_file),
        "FORMS_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}", "FORMS_SECRET_KEY": "k" * 32,
    })
    login = Client(app).get("/e-tjanster/logga-in/")
    assert login.status_code == 503 and "Testinloggning" not in login.get_data(as_text=True)


def test_forms_app_answers_under_its_path_with_the_test_login_on(client: Client) -> None:
    start = client.get("/e-tjanster/testmottagningen/begar-intyg/")
    assert start.status_code == 303 and "/e-tjanster/logga-in/" in start.headers["Location"]
    assert "Testinloggning" in client.get("/e-tjanster/logga-in/").get_data(as_text=True)


def test_serve_refuses_a_folder_that_is_not_a_built_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--site", str(tmp_path / "saknas")]) == 1
    assert "bygg webbplatsen först" in capsys.readouterr().err



def test_fingerprinted_files_are_cached_for_a_year_and_pages_revalidated(client: Client) -> None:
    css = client.get("/static/style.0123abcd.css")
    assert css.status_code == 200 and css.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    for path in ("/", "/mottagningar/testmottagningen/", "/style.css"):
        response = client.get(path)
        assert response.headers["Cache-Control"] == "no-cache", path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert "Access-Control-Allow-Origin" not in response.headers, path
    redirect = client.get("/mottagningar/testmottagningen")
    assert redirect.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_the_builds_private_files_are_never_served(client: Client) -> None:
    for path in ("/.hittavard/content/manifest.json", "/.hittavard/", "/mottagningar/.hemlig"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Sidan finns inte" in response.get_data(as_text=True), path
    assert client.post("/").status_code == 405


def test_run_command_serves_under_gunicorn_with_one_url_and_no_development_server(tmp_path: Path) -> None:
    """What scripts/run.sh starts: gunicorn workers, the site and the app on the printed URL."""
    import os
    import re
    import signal
    import subprocess
    import sys
    import time
    import urllib.request

    from sitegen.build.run import build_site
    from tests.forms.gunicorn_run import free_port

    root = Path(__file__).resolve().parents[2]
    built = tmp_path / "build"
    build_site(root / "content", built)
    port = free_port()
    env = {**os.environ, "FORMS_DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}", "FORMS_CONTENT_DIR": str(root / "content")}
    env.pop("FORMS_SECRET_KEY", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "forms.serve", "--site", str(built), "--port", str(port)],
        cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        for _ in range(200):
            try:
                urllib.request.urlopen(url + "e-tjanster/logga-in/", timeout=2).close()
                break
            except OSError:
                assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
                time.sleep(0.1)
        with urllib.request.urlopen(url, timeout=5) as front:
            assert front.status == 200 and front.headers["Cache-Control"] == "no-cache"
        with urllib.request.urlopen(url + "e-tjanster/logga-in/", timeout=5) as login:
            assert "Testinloggning" in login.read().decode("utf-8")
        children: list[str] = []
        for _ in range(100):  # the master forks its workers one by one; on a busy machine it takes a while
            children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
            if len(children) == 2:
                break
            time.sleep(0.1)
        assert len(children) == 2, "two gunicorn workers under the master"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        output = process.communicate(timeout=20)[0].decode("utf-8")
    assert re.findall(r"http://[^\s,]+", output) == [url, f"{url}e-tjanster/"], output
    assert "development server" not in output.lower() and "werkzeug" not in output.lower(), output


def test_hidden_files_of_the_site_are_never_served(client: Client, site: Path) -> None:
    (site / ".search").mkdir()
    (site / ".search" / "index.sqlite3").write_bytes(b"SQLite format 3\x00")
    for path in ("/.search/index.sqlite3", "/.search/", "/.search", "/mottagningar/../.search/index.sqlite3"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert b"SQLite format" not in response.get_data(), path


def test_the_search_page_is_answered_by_the_app(client: Client) -> None:
    response = client.get("/sok/?q=test")
    # This site folder has no index: the app's page says search is unavailable (not the site's 404).
    assert response.status_code == 503 and "Sökningen fungerar inte just nu" in response.get_data(as_text=True)
    assert client.get("/sok").status_code == 308



def test_the_search_reads_the_index_of_the_site_it_serves_not_the_working_directorys(
    site: Path, content_dir: Path, demo_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Left to FORMS_SITE_DIR's default, /sok/ would read whatever `build/` the working directory has.
    seen: dict[str, str] = {}
    real = serve.create_app
    monkeypatch.setattr(serve, "create_app", lambda config: seen.update(config) or real(config))
    config = {
        "FORMS_CONTENT_DIR": str(content_dir),
        "FORMS_DEMO_DATA": str(demo_file),
        "FORMS_DATABASE_URL": f"sqlite:///{tmp_path / 'serve2.sqlite3'}",
    }
    build_app(site, config)
    assert Path(seen["FORMS_SITE_DIR"]) == site
