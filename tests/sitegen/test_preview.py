"""`sitegen serve`: the preview rebuilds on change and shows errors in the browser instead of stopping."""

from __future__ import annotations

import shutil
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from sitegen.cli import main
from sitegen.editor.preview import Preview, error_page, snapshot, wait_for
from sitegen.site.theme import DEFAULT_THEME
from tests.sitegen.conftest import CLINIC, write_content

PAGE = "mottagningar/vardcentralen-test/"


def fetch(url: str) -> tuple[int, str, dict[str, str]]:
    """Status, body and headers; errors are answers too."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8"), dict(response.headers)
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.read().decode("utf-8"), dict(err.headers)


@pytest.fixture
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """urllib must reach the preview directly, whatever proxy the environment names."""
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture
def theme(tmp_path: Path) -> Path:
    """A copy of the default theme, so a test can change it without touching themes/."""
    return Path(shutil.copytree(DEFAULT_THEME, tmp_path / "theme"))


@pytest.fixture
def preview(tmp_path: Path, theme: Path, no_proxy: None) -> Iterator[Preview]:
    content = write_content(tmp_path / "content")
    running = Preview(
        content, tmp_path / "preview" / "site", theme_dir=theme, port=0, interval=0.05, log=lambda _: None
    )
    running.start()
    yield running
    running.stop()


def test_serves_the_built_site_on_a_local_address(preview: Preview) -> None:
    assert preview.url.startswith("http://127.0.0.1:")
    status, body, headers = fetch(preview.url + PAGE)
    assert status == 200
    assert ">Vårdcentralen Test</h1>" in body
    assert "<script" not in body  # no reload script: the preview is the site as built
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Cache-Control"] == "no-store"


def test_a_saved_change_is_rebuilt(preview: Preview, tmp_path: Path) -> None:
    clinic_file = tmp_path / "content" / "clinics" / "vardcentralen-test.yaml"
    clinic_file.write_text(CLINIC.replace("name: Vårdcentralen Test", "name: Vårdcentralen Ändrad"), encoding="utf-8")
    assert wait_for(lambda: ">Vårdcentralen Ändrad</h1>" in fetch(preview.url + PAGE)[1])


def test_a_new_clinic_file_becomes_a_page(preview: Preview, tmp_path: Path) -> None:
    (tmp_path / "content" / "clinics" / "ny-mottagning.yaml").write_text(
        "name: Ny mottagning\nmunicipality: Testby\n", encoding="utf-8"
    )
    assert wait_for(lambda: fetch(preview.url + "mottagningar/ny-mottagning/")[0] == 200)


def test_a_theme_change_is_rebuilt(preview: Preview, theme: Path) -> None:
    template = theme / "templates" / "404.html"
    template.write_text(
        template.read_text(encoding="utf-8").replace("Sidan finns inte", "Hittas inte"), encoding="utf-8"
    )
    assert wait_for(lambda: "Hittas inte" in fetch(preview.url + "finns-inte/")[1])


def test_invalid_content_shows_the_errors_on_every_address_and_recovers(preview: Preview, tmp_path: Path) -> None:
    clinic_file = tmp_path / "content" / "clinics" / "vardcentralen-test.yaml"
    clinic_file.write_text(CLINIC.replace("municipality: Testby", "municipalty: Testby"), encoding="utf-8")
    assert wait_for(lambda: fetch(preview.url)[0] == 500)
    for path in ["", PAGE, "finns-inte/", "static/style.css"]:
        status, body, headers = fetch(preview.url + path)
        assert status == 500
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        assert "<h1>Innehållet har fel</h1>" in body
        assert (
            "vardcentralen-test.yaml:2: municipalty: okänd nyckel (stavfel?); menade du &#x27;municipality&#x27;?"
            in body
        )
        assert "<script" not in body
    assert preview.problems is not None
    assert len(preview.problems) == 2  # the unknown key and the missing municipality

    clinic_file.write_text(CLINIC, encoding="utf-8")
    assert wait_for(lambda: fetch(preview.url + PAGE)[0] == 200)
    assert preview.problems is None


def test_content_that_is_invalid_from_the_start_still_serves_the_error_page(
    tmp_path: Path, theme: Path, no_proxy: None
) -> None:
    content = write_content(tmp_path / "content", site="name: X\n")
    running = Preview(content, tmp_path / "site", theme_dir=theme, port=0, interval=0.05, log=lambda _: None)
    running.start()
    try:
        status, body, _ = fetch(running.url)
        assert status == 500
        assert "site.yaml:1: region: obligatorisk nyckel saknas" in body
        (content / "site.yaml").write_text(
            "name: Hitta vård\nregion: Region Test\nbase_url: https://hittavard.test.se/\n", encoding="utf-8"
        )
        assert wait_for(lambda: fetch(running.url)[0] == 200)
    finally:
        running.stop()


def test_a_broken_template_shows_an_error_page_too(preview: Preview, theme: Path) -> None:
    (theme / "templates" / "404.html").write_text("{% block content %}", encoding="utf-8")
    assert wait_for(lambda: fetch(preview.url)[0] == 500)
    assert "Bygget misslyckades" in fetch(preview.url)[1]


def test_addresses_outside_the_site_are_not_served(preview: Preview) -> None:
    status, body, _ = fetch(preview.url + "../../../etc/passwd")
    assert status == 404 and "Sidan finns inte" in body
    assert preview.response_for("/%2e%2e/%2e%2e/etc/passwd").status == 404


def test_a_folder_without_a_final_slash_redirects(preview: Preview) -> None:
    response = preview.response_for("/mottagningar/vardcentralen-test")
    assert (response.status, response.location) == (301, "/mottagningar/vardcentralen-test/")


def test_editor_backup_files_are_not_changes(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("x", encoding="utf-8")
    before = snapshot([tmp_path])
    for name in (".a.yaml.swp", "a.yaml~", "#a.yaml#"):
        (tmp_path / name).write_text("y", encoding="utf-8")
    assert snapshot([tmp_path]) == before
    (tmp_path / "a.yaml").write_text("xy", encoding="utf-8")
    assert snapshot([tmp_path]) != before


def test_the_error_page_escapes_what_it_shows() -> None:
    page = error_page(["a.yaml:1: name: <script>alert(1)</script>"]).decode("utf-8")
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert '<html lang="sv">' in page


def test_serve_refuses_a_port_in_use(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = write_content(tmp_path / "content")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["serve", "--content", str(content), "--port", str(port), "--out", str(tmp_path / "site")])
    assert code == 1
    assert f"Kan inte starta förhandsvisningen på port {port}" in capsys.readouterr().err
