"""The ordered view: what each page shows, in the order it shows it, ready for a template.

Templates stay dumb: every decision (which e-services, in which order, which ones behind "Fler
e-tjänster", which marking, which link) is made here from validated content.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import urlsplit

from markupsafe import Markup

from sitegen.content.cardvalues import phone_e164
from sitegen.content.dated import shown_exceptions, shown_notices
from sitegen.content.dated import today as build_today
from sitegen.content.loader import Content
from sitegen.content.models import Clinic
from sitegen.site.dates import ExceptionItem, NoticeItem, exception_item, notice_item, schema_opening_hours
from sitegen.site.markdown import render_markdown
from sitegen.site.ordering import by_relevance, split_visible
from sitegen.site.resolve import ResolvedEService, resolve_clinic


@dataclass(frozen=True)
class EServiceItem:
    """One `<li>` of "Våra e-tjänster"."""

    name: str
    href: str
    info_html: Markup
    kind: str  # central, local, hand or borrowed
    origin_name: str | None


@dataclass(frozen=True)
class ContactPage:
    slug: str
    clinic: Clinic
    about_html: Markup | None
    visible: list[EServiceItem]
    more: list[EServiceItem]
    opening_hours_schema: list[str]  # schema.org openingHours values
    phone_href: str | None  # tel: in E.164
    notices: list[NoticeItem]  # shown at the top of the page today
    exceptions: list[ExceptionItem]  # avvikande öppettider of the coming weeks

    @property
    def path(self) -> str:
        return f"mottagningar/{self.slug}/"


@dataclass(frozen=True)
class Municipality:
    name: str
    pages: list[ContactPage]


def swedish_sort_key(text: str) -> str:
    """Sort key for Swedish alphabetical order: å, ä, ö after z (codepoint order puts Ä before Å)."""
    table = str.maketrans({"å": "z\x01", "ä": "z\x02", "æ": "z\x02", "ö": "z\x03", "ø": "z\x03", "é": "e", "ü": "y"})
    return text.casefold().translate(table)


def site_root(content: Content) -> str:
    """The path the site is served under, from base_url ("/" for a site at the domain's root)."""
    return urlsplit(content.site.base_url).path or "/"


def _item(service: ResolvedEService, forms_url: str) -> EServiceItem:
    return EServiceItem(
        name=service.name,
        href=service.href(forms_url),
        info_html=render_markdown(service.info, 4),
        kind=service.kind,
        origin_name=service.origin_name,
    )


def contact_page(content: Content, slug: str, today: datetime.date | None = None) -> ContactPage:
    """The contact page of one mottagning: its e-services by relevance, split for "Fler e-tjänster",
    and the notices and avvikande öppettider `today` (see sitegen.content.dated) shows."""
    clinic = content.clinics[slug]
    day = build_today(today)
    ordered = by_relevance(resolve_clinic(content, slug), lambda service: service.category)
    items = [_item(service, content.site.forms_url) for service in ordered]
    visible, more = split_visible(items, content.site.visible_eservices)
    return ContactPage(
        slug=slug,
        clinic=clinic,
        about_html=render_markdown(clinic.about, 3) if clinic.about else None,
        visible=visible,
        more=more,
        opening_hours_schema=[value for hours in clinic.opening_hours for value in schema_opening_hours(hours)],
        phone_href=f"tel:{phone_e164(clinic.phone)}" if clinic.phone else None,
        notices=[notice_item(notice, index) for index, notice in enumerate(shown_notices(clinic, day))],
        exceptions=[exception_item(exception) for exception in shown_exceptions(clinic, day)],
    )


def municipalities(pages: list[ContactPage]) -> list[Municipality]:
    """Contact pages grouped by municipality, both in Swedish alphabetical order."""
    groups: dict[str, list[ContactPage]] = {}
    for page in pages:
        groups.setdefault(page.clinic.municipality, []).append(page)
    return [
        Municipality(name, sorted(group, key=lambda page: swedish_sort_key(page.clinic.name)))
        for name, group in sorted(groups.items(), key=lambda item: swedish_sort_key(item[0]))
    ]
