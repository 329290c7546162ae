"""The contact card's values a citizen acts on: phone number, postal code, and no leftover placeholders.

A wrong number on a contact page sends a person who needs care nowhere, and `sitegen new clinic`
writes "Ange telefonnummer" where the number goes; so these values are validated for what they are
(the phone number by the well-kept `phonenumbers` library, region SE), normalised to the one way the
pages show them, and a scaffold placeholder left in place is an error like any other. Each check
raises ValueError with an example of the right form, so the pydantic models report it at
file:line: key.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import phonenumbers

from sitegen.content.digits import DIGITS

PHONE_EXAMPLE = '"010-242 10 00"'
POSTAL_CODE_EXAMPLE = '"553 20"'
# What `sitegen new clinic` writes where the editor's facts go (sitegen.editor.scaffold).
_PLACEHOLDER = re.compile(r"^Ange [a-zåäö]")
_PLACEHOLDER_HSA = re.compile(r"^SE0+-0+$")


def no_placeholder(what: str) -> Callable[[str], str]:
    """A check refusing what the scaffold wrote for the editor to replace ("Ange kommun").

    `what` says what belongs there, with an example: "kommunen, till exempel Jönköping".
    """

    def check(value: str) -> str:
        if _PLACEHOLDER.match(value.strip()):
            raise ValueError(f"'{value.strip()}' står kvar från mallen; skriv {what}")
        return value

    return check


def not_placeholder_hsa(value: str) -> str:
    """Refuse the scaffold's all-zero HSA-id."""
    if _PLACEHOLDER_HSA.match(value):
        raise ValueError(
            f"'{value}' står kvar från mallen; skriv mottagningens HSA-id, till exempel SE2321000065-7331"
        )
    return value


_phone_placeholder = no_placeholder(f"mottagningens telefonnummer med riktnummer, till exempel {PHONE_EXAMPLE}")
_postal_placeholder = no_placeholder(f"postnumret, till exempel {POSTAL_CODE_EXAMPLE}")


def _parse_phone(value: str) -> phonenumbers.PhoneNumber:
    _phone_placeholder(value)
    try:
        number = phonenumbers.parse(value, "SE")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValueError(
            f"'{value.strip()}' är inget giltigt svenskt telefonnummer; skriv det med riktnummer, "
            f"till exempel {PHONE_EXAMPLE}"
        )
    return number


def normalise_phone(value: str) -> str:
    """A valid phone number in the usual Swedish grouping ("010-242 10 00"); ValueError otherwise.

    A number outside Sweden ("+45 …") is kept in its international form, which is how a Swedish
    reader would dial it. The number's E.164 form is remembered on the way (see phone_e164).
    """
    number = _parse_phone(value)
    if number.country_code == 46:
        shown = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    else:
        shown = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    if len(_E164_OF_SHOWN) >= _E164_REMEMBERED:  # a long-running preview server: stay bounded
        _E164_OF_SHOWN.clear()
    _E164_OF_SHOWN[shown] = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return shown


# Parsing a number is most of its cost (about 70 µs; with the formatting, a tenth of a contact
# page's CPU in a cold build), and every page's `tel:` link asks for the number validation has
# just parsed: so the E.164 form of each number normalise_phone returned is kept, by that text.
_E164_OF_SHOWN: dict[str, str] = {}
_E164_REMEMBERED = 100_000


def phone_e164(value: str) -> str:
    """The number as a `tel:` link wants it, E.164: "+46102421000"."""
    known = _E164_OF_SHOWN.get(value)
    if known is not None:
        return known
    return phonenumbers.format_number(_parse_phone(value), phonenumbers.PhoneNumberFormat.E164)


def normalise_postal_code(value: str) -> str:
    """A Swedish postal code as "NNN NN" ("55320" is accepted); ValueError otherwise."""
    _postal_placeholder(value)
    digits = value.strip()
    match = re.fullmatch(rf"({DIGITS}{{3}}) ?({DIGITS}{{2}})", digits)  # "５５３２０" too is refused
    if match is None:
        raise ValueError(
            f"'{digits}' är inget svenskt postnummer; skriv fem siffror, till exempel {POSTAL_CODE_EXAMPLE}"
        )
    return f"{match.group(1)} {match.group(2)}"
