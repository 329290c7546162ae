"""Swedish personnummer: the one identifier the forms app knows a citizen by.

Kept apart from login and demo data so every place that reads a personnummer (the test login, the
demo file, a production identity provider) agrees on one canonical form, `YYYYMMDD-NNNN`, and on
the Luhn check that catches a mistyped digit before any lookup is made.
"""

from __future__ import annotations

import datetime
import re

from sitegen.content.digits import DIGITS

# ASCII digits only: "１９１２１２１２-１２１２" passed `\d` and `int()` and was kept as a second
# spelling of the same person (sitegen.content.digits says why the product refuses such digits).
_TWELVE = re.compile(rf"^({DIGITS}{{8}})-?({DIGITS}{{4}})$")


class InvalidPersonnummer(ValueError):
    """The text is not a valid personnummer; `reason` says why in plain Swedish."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    @property
    def sentence(self) -> str:
        """The reason as an error message on a page, ending with a full stop like every other one
        (the login and the access log's search showed it without, the other pages added their own)."""
        return f"{self.reason}."


def luhn_ok(ten_digits: str) -> bool:
    """The Luhn check of the last ten digits (YYMMDDNNNC), as Skatteverket defines it."""
    if len(ten_digits) != 10 or not (ten_digits.isascii() and ten_digits.isdigit()):
        return False
    total = 0
    for index, char in enumerate(ten_digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return total % 10 == 0


def normalize(text: str) -> str:
    """`text` as `YYYYMMDD-NNNN`, or InvalidPersonnummer with a message a citizen understands.

    Spaces are forgiven and the dash may be left out; anything else must be exact, because a
    personnummer that is almost right belongs to someone else.
    """
    cleaned = re.sub(r"\s+", "", text or "")
    if not cleaned:
        raise InvalidPersonnummer("Skriv ditt personnummer")
    match = _TWELVE.match(cleaned)
    if match is None:
        raise InvalidPersonnummer("Skriv personnumret med 12 siffror, till exempel 19121212-1212")
    date_part, last_four = match.groups()
    try:
        datetime.date(int(date_part[:4]), int(date_part[4:6]), int(date_part[6:8]))
    except ValueError:
        raise InvalidPersonnummer("Personnumret innehåller inget giltigt födelsedatum") from None
    if not luhn_ok(date_part[2:] + last_four):
        raise InvalidPersonnummer("Personnumret stämmer inte. Kontrollera att alla siffror är rätt") from None
    return f"{date_part}-{last_four}"


def from_identity_provider(value: str, accept_coordination_number: bool) -> str:
    """An IdP's personalIdentityNumber (exactly 12 digits) as `YYYYMMDD-NNNN`, or InvalidPersonnummer.

    Stricter than `normalize`: an IdP sends the number in one exact form, so anything else is a
    broken or tampered message, not a typing mistake. A samordningsnummer (day of birth plus 60)
    is accepted only when the region has said so (FORMS_SAML_ACCEPT_COORDINATION_NUMBER).
    """
    if not re.fullmatch(r"[0-9]{12}", value or ""):
        raise InvalidPersonnummer("not_12_digits")
    day = int(value[6:8])
    if day > 60:
        if not accept_coordination_number:
            raise InvalidPersonnummer("coordination_number")
        day -= 60
    try:
        datetime.date(int(value[:4]), int(value[4:6]), day)
    except ValueError:
        raise InvalidPersonnummer("bad_date") from None
    if not luhn_ok(value[2:]):
        raise InvalidPersonnummer("bad_check_digit")
    return f"{value[:8]}-{value[8:]}"


def birth_date(personnummer: str) -> datetime.date:
    """The birth date: the first eight digits of a normalized personnummer (a samordningsnummer's day less 60)."""
    digits = personnummer[:8]
    day = int(digits[6:8])
    return datetime.date(int(digits[:4]), int(digits[4:6]), day - 60 if day > 60 else day)


def age_on(personnummer: str, today: datetime.date) -> int:
    """Age in whole years on `today`; a birthday on 29 February counts from 1 March."""
    born = birth_date(personnummer)
    years = today.year - born.year
    if (today.month, today.day) < (born.month, born.day):
        years -= 1
    return years
