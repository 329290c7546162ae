"""Content trees for the editor tooling tests: a site with the demo's guideline and a catalogue.

Built on `write_content` from conftest. The clinics here meet every guideline rule and quality
threshold, so a test breaks exactly one thing and expects exactly one finding, at a line it can
read straight off the YAML it wrote.
"""

from __future__ import annotations

from pathlib import Path

from tests.sitegen.conftest import SITE, write_content

GUIDELINE = """\
guideline:
  - id: synpunkter
    message: Alla mottagningar ska erbjuda Lämna synpunkter och klagomål
    any_of: [lamna-synpunkter-och-klagomal]
  - id: fornya-recept
    when: prescribes_medicines
    message: En mottagning som förskriver läkemedel ska erbjuda Förnya recept
    any_of: [fornya-recept]
  - id: fornya-hjalpmedel
    when: prescribes_aids
    message: En mottagning som förskriver hjälpmedel ska erbjuda Förnya hjälpmedel
    any_of: [fornya-hjalpmedel]
  - id: radgivning
    when: advice
    message: En mottagning som har rådgivning ska erbjuda Rådgivning, Fråga sjuksköterskan eller Kontakta mig
    any_of: [radgivning, fraga-sjukskoterskan, kontakta-mig]
  - id: tidbokning
    when: not direct_booking
    message: En mottagning utan direkttidbokning ska erbjuda både Beställ tid och Av- eller omboka tid
    all_of: [bestall-tid, av-eller-omboka-tid]
  - id: kontaktuppgifter
    message: Alla mottagningar ska ha besöksadress och telefonnummer
    requires: [address, phone]
"""

GUIDED_SITE = SITE + GUIDELINE


def _eservice(name: str, category: str) -> str:
    return f"name: {name}\ncategory: {category}\nvillkor: Här kan du använda {name}.\n"


CATALOGUE = {
    "eservices__fornya-recept": _eservice("Förnya recept", "fornya"),
    "eservices__fornya-hjalpmedel": _eservice("Förnya hjälpmedel", "fornya"),
    "eservices__radgivning": _eservice("Rådgivning", "radgivning"),
    "eservices__fraga-sjukskoterskan": _eservice("Fråga sjuksköterskan", "kontakt"),
    "eservices__kontakta-mig": _eservice("Kontakta mig", "kontakt"),
    "eservices__bestall-tid": _eservice("Beställ tid", "boka"),
    "eservices__av-eller-omboka-tid": _eservice("Av- eller omboka tid", "avboka"),
}

# Offers nothing that needs more than synpunkter, has direct booking: meets every rule.
OTHER = """\
name: Psykiatrin
municipality: Testby
address: {street: Sjukhusvägen 4, postal_code: "123 50", city: Testby}
phone: "010-123 00 00"
offers:
  direct_booking: true
eservices:
  - use: skicka-meddelande
  - use: lamna-synpunkter-och-klagomal
  - use: kontakta-mig
"""

# Everything on, so every rule applies and is met. Line numbers are used by tests.
CLINIC = """\
name: Vårdcentralen Test
municipality: Testby
address: {street: Testgatan 1, postal_code: "123 45", city: Testby}
phone: "010-123 45 67"
offers:
  prescribes_medicines: true
  prescribes_aids: true
  advice: true
  direct_booking: false
reviewed: 2026-06-01
eservices:
  - use: lamna-synpunkter-och-klagomal
  - use: fornya-recept
  - use: fornya-hjalpmedel
  - use: radgivning
  - use: bestall-tid
  - use: av-eller-omboka-tid
  - name: Videobesök
    url: https://video.test.se/
    category: kontakt
    info: Boka och genomför ett videobesök med din läkare i appen.
"""
CLINIC_ESERVICES_LINE = 11  # the `eservices:` line of CLINIC

TODAY = "2026-11-21"


def guided_content(root: Path, **files: str | None) -> Path:
    """A valid content tree with the guideline configured and met; keyword arguments as write_content."""
    defaults: dict[str, str | None] = {
        "site": GUIDED_SITE,
        **CATALOGUE,
        "clinics__psykiatrin": OTHER,
        "clinics__vardcentralen-test": CLINIC,
    }
    defaults.update(files)
    return write_content(root, **defaults)  # type: ignore[arg-type]


def line_of(text: str, fragment: str) -> int:
    """The 1-based line of the first line of `text` containing `fragment`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not in text")
