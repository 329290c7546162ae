"""Slugs and ids the forms app uses for pages of its own, refused in content (CONTRACT section 4).

The forms app serves `{forms_url}{slug}/{id}/` for e-services and, beside them, pages of its own
such as `{forms_url}inkorg/` and `{forms_url}{slug}/tidbok/`. A mottagning or an e-service with one
of these names would be shadowed by (or shadow) the app's page, so it is an error in the content.
"""

from __future__ import annotations

RESERVED: frozenset[str] = frozenset(
    {
        "inkorg",  # the inbox
        "bokade-tider",  # every booked time, at every mottagning
        "logga-in",
        "logga-ut",
        "mina-uppgifter",  # the citizen's e-mail and mobile number for notices
        "personal",  # the mottagning's side (staff)
        "saml",  # the citizens' SAML service provider: saml/metadata/, saml/acs/, saml/slo/
        "utloggad",
        "ombud",  # choosing whom to act for
        "static",  # the stylesheet
        "tidbok",  # web booking: {slug}/tidbok/ and everything under it
    }
)


def reserved_message(value: str) -> str:
    return f"'{value}' är reserverat för e-tjänsternas egna sidor; välj ett annat namn"
