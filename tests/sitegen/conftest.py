"""A small, complete content tree to break one key at a time.

Error tests write the broken file as literal YAML text, so the line each message must name can be
read straight off the test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SITE = """\
name: Hitta vård
region: Region Test
base_url: https://hittavard.test.se/
forms_url: /e-tjanster/
visible_eservices: 3
"""

INTYG = """\
name: Begär intyg
category: fornya
villkor: |
  Här kan du begära ett intyg.
pages:
  - title: Vilket intyg gäller det?
    questions:
      - id: intyg
        type: choice
        label: Vilket intyg vill du ha?
        options_from: intyg_types
      - id: renewal
        type: choice
        label: Är det ett nytt intyg eller en förnyelse?
        options: [Nytt intyg, Förnyelse]
  - title: Ditt nuvarande intyg
    when: {renewal: Förnyelse}
    questions:
      - {id: issued_by, type: text, label: "Vem utfärdade intyget?"}
"""

MEDDELANDE = """\
name: Skicka meddelande
category: kontakt
villkor: Skriv till oss.
pages:
  - title: Ditt meddelande
    questions:
      - {id: message, type: textarea, label: Meddelande}
"""

SYNPUNKTER = """\
name: Lämna synpunkter och klagomål
category: synpunkter
villkor: Tyck till om vården.
"""

OTHER = """\
name: Psykiatrin
municipality: Testby
eservices:
  - use: skicka-meddelande
"""

CLINIC = """\
name: Vårdcentralen Test
municipality: Testby
address: {street: Testgatan 1, postal_code: "123 45", city: Testby}
phone: "010-123 45 67"
opening_hours:
  - {days: Måndag–fredag, hours: "08.00–17.00"}
eservices:
  - use: lamna-synpunkter-och-klagomal
  - use: begar-intyg
    options:
      intyg_types: [Körkortsintyg]
  - name: Videobesök
    url: https://video.test.se/
    category: kontakt
    info: Videobesök i appen.
  - borrow: skicka-meddelande
    from: psykiatrin
"""


def write_content(root: Path, **files: str) -> Path:
    """A valid content tree under `root`; keyword arguments replace or add files.

    Keys are paths with `__` for `/` and `_` for `-` left alone: `clinics__test="…"` writes
    clinics/test.yaml.
    """
    defaults = {
        "site": SITE,
        "eservices__begar-intyg": INTYG,
        "eservices__skicka-meddelande": MEDDELANDE,
        "eservices__lamna-synpunkter-och-klagomal": SYNPUNKTER,
        "clinics__psykiatrin": OTHER,
        "clinics__vardcentralen-test": CLINIC,
    }
    defaults.update(files)
    for name, text in defaults.items():
        if text is None:
            continue
        path = root / (name.replace("__", "/") + ".yaml")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    return write_content(tmp_path / "content")
