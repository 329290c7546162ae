"""The content format of CONTRACT.md section 1 and 3 as pydantic models.

One definition serves the static site and the forms app, so a form that validates here is a form
the forms app can serve. Every model forbids unknown keys: a misspelt key must be an error, never a
silently ignored line.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    field_validator,
    model_validator,
)

from sitegen.content.cardvalues import (
    no_placeholder,
    normalise_phone,
    normalise_postal_code,
    not_placeholder_hsa,
)
from sitegen.content.hours import parse_days, parse_hours

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
QuestionId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
Markdown = Annotated[str, StringConstraints(min_length=1)]

# The relevance order of seed 000: the page lists e-services in this order.
CATEGORIES: tuple[str, ...] = (
    "kontakt",
    "boka",
    "avboka",
    "radgivning",
    "egenremiss",
    "fornya",
    "bestall",
    "stod-och-behandling",
    "synpunkter",
)
Category = Literal[
    "kontakt",
    "boka",
    "avboka",
    "radgivning",
    "egenremiss",
    "fornya",
    "bestall",
    "stod-och-behandling",
    "synpunkter",
]

QuestionType = Literal["text", "textarea", "choice", "choices", "date", "number", "repeat", "prescriptions"]
_CHOICE_TYPES = {"choice", "choices"}
_BOUNDED_TYPES = {"number", "repeat", "prescriptions", "choices"}
_TEXT_TYPES = {"text", "textarea"}


class Strict(BaseModel):
    """Base for every content model: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Question(Strict):
    """One question of a form page (CONTRACT section 3)."""

    id: QuestionId
    type: QuestionType
    label: Text
    hint: Text | None = None
    optional: bool = False
    max_length: Annotated[int, Field(gt=0)] | None = None
    options: list[Text] | None = None
    options_from: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")] | None = None
    min: int | float | None = None
    max: int | float | None = None
    fields: list[Question] | None = None


WhenValue = Text | list[Text]


class Page(Strict):
    """One page of a form; `when` makes it conditional on earlier answers."""

    title: Text
    when: dict[QuestionId, WhenValue] | None = None
    questions: Annotated[list[Question], Field(min_length=1)]


class Form(Strict):
    """What a 1177-connected e-service asks: its villkor and its pages."""

    villkor: Markdown
    pages: list[Page] = Field(default_factory=list)

    def options_from_keys(self) -> list[str]:
        """The option lists the mottagning must supply for this form."""
        keys: list[str] = []
        for page in self.pages:
            for question in page.questions:
                if question.options_from and question.options_from not in keys:
                    keys.append(question.options_from)
        return keys


class CatalogueEService(Form):
    """A central e-service (ärendetyp) from eservices/<id>.yaml."""

    name: Text
    category: Category


# A fact of the card the scaffold writes a placeholder for ("Ange kommun"): left in, it is an error.
Street = Annotated[Text, AfterValidator(no_placeholder("gatuadressen, till exempel Storgatan 1"))]
City = Annotated[Text, AfterValidator(no_placeholder("orten, till exempel Jönköping"))]
Municipality = Annotated[Text, AfterValidator(no_placeholder("kommunen, till exempel Jönköping"))]
Phone = Annotated[Text, AfterValidator(normalise_phone)]
PostalCode = Annotated[Text, AfterValidator(normalise_postal_code)]


class Address(Strict):
    street: Street
    postal_code: PostalCode
    city: City


def _days(value: str) -> str:
    parse_days(value)
    return value


def _hours(value: str) -> str:
    parse_hours(value)
    return value


# Kept as the editor wrote them (the page shows them so); sitegen.content.hours reads them.
DaysText = Annotated[Text, AfterValidator(_days)]
HoursText = Annotated[Text, AfterValidator(_hours)]


class OpeningHours(Strict):
    """One line of the weekly hours: which weekdays, and when (or Stängt)."""

    days: DaysText
    hours: HoursText


class OpeningException(Strict):
    """Avvikande öppettider: one date whose hours replace what `opening_hours` says for that day."""

    date: datetime.date
    hours: HoursText
    note: Text | None = None


class Notice(Strict):
    """A dated notice at the top of the contact page, shown from `from` to `until` inclusive."""

    title: Text
    text: Markdown
    from_: datetime.date = Field(alias="from")
    until: datetime.date


class Offers(Strict):
    """Facts about the mottagning that the guideline check of seed 003 needs."""

    prescribes_medicines: bool = False
    prescribes_aids: bool = False
    advice: bool = False
    direct_booking: bool = False


OptionLists = dict[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")], list[Text]]


class UseEntry(Strict):
    """A central e-service offered by this mottagning, linked to 1177."""

    use: Slug
    options: OptionLists = Field(default_factory=dict)


class HandAddedEntry(Strict):
    """An e-service added by hand in KKA; not connected to 1177, so it needs its own info text."""

    name: Text
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]
    category: Category
    info: Markdown


class BorrowEntry(Strict):
    """An e-service of another mottagning shown on this page, marked with where it comes from."""

    borrow: Slug
    from_: Slug = Field(alias="from")


class LocalEntry(Form):
    """The mottagning's own ärendetyp: a 1177 form defined in the clinic file."""

    local: Slug
    name: Text
    category: Category
    options: OptionLists = Field(default_factory=dict)


BookingKind = Literal["boka", "avboka"]
# The default names of the two booking entries (CONTRACT section 5); `name:` may replace them.
BOOKING_NAMES: dict[str, str] = {"boka": "Boka tid", "avboka": "Av- och omboka tid"}


class BookingEntry(Strict):
    """The mottagning's web booking (webbtidbok): `boka` books a time, `avboka` shows, rebooks and
    cancels booked times. Its category is its kind; its villkor is approved before every booking."""

    booking: BookingKind
    villkor: Markdown
    name: Text | None = None
    # `boka` only: other mottagningar the journey offers under "Var vill du boka tid?" (seed 004's
    # menu), checked across files by sitegen.content.references.
    clinics: list[Slug] = Field(default_factory=list)

    @property
    def display_name(self) -> str:
        return self.name or BOOKING_NAMES[self.booking]


def _entry_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in ("use", "borrow", "local", "booking"):
            if key in value:
                return key
        return "hand"
    if isinstance(value, BaseModel):
        return {
            UseEntry: "use",
            BorrowEntry: "borrow",
            LocalEntry: "local",
            HandAddedEntry: "hand",
            BookingEntry: "booking",
        }.get(type(value))
    return None


Entry = Annotated[
    Annotated[UseEntry, Tag("use")]
    | Annotated[BorrowEntry, Tag("borrow")]
    | Annotated[LocalEntry, Tag("local")]
    | Annotated[HandAddedEntry, Tag("hand")]
    | Annotated[BookingEntry, Tag("booking")],
    Discriminator(
        _entry_kind,
        custom_error_type="entry_kind",
        custom_error_message=(
            "en e-tjänst ska vara en mappning med use, borrow, local, booking eller name/url/category/info"
        ),
    ),
]


def entry_id(entry: UseEntry | BorrowEntry | LocalEntry | HandAddedEntry | BookingEntry) -> str | None:
    """The id that must be unique within a mottagning; hand-added and booking entries have none."""
    if isinstance(entry, UseEntry):
        return entry.use
    if isinstance(entry, BorrowEntry):
        return entry.borrow
    if isinstance(entry, LocalEntry):
        return entry.local
    return None


class Clinic(Strict):
    """A mottagning's contact card, clinics/<slug>.yaml."""

    name: Annotated[Text, AfterValidator(no_placeholder("mottagningens namn, till exempel Vårdcentralen Sjöstaden"))]
    hsa_id: (
        Annotated[str, StringConstraints(pattern=r"^SE[0-9A-Za-z-]+$"), AfterValidator(not_placeholder_hsa)] | None
    ) = None
    municipality: Municipality
    address: Address | None = None
    phone: Phone | None = None
    opening_hours: list[OpeningHours] = Field(default_factory=list)
    opening_exceptions: list[OpeningException] = Field(default_factory=list)
    notices: list[Notice] = Field(default_factory=list)
    about: Annotated[Markdown, AfterValidator(no_placeholder("några meningar om mottagningen"))] | None = None
    offers: Offers = Field(default_factory=Offers)
    reviewed: datetime.date | None = None
    eservices: list[Entry] = Field(default_factory=list)


# When a guideline rule applies: always, or when an `offers` flag of the clinic is true ("not …": false).
GuidelineWhen = Literal[
    "always",
    "prescribes_medicines",
    "not prescribes_medicines",
    "prescribes_aids",
    "not prescribes_aids",
    "advice",
    "not advice",
    "direct_booking",
    "not direct_booking",
]
# Keys of a clinic file that a guideline rule may require to be filled in.
ClinicDetail = Literal["address", "phone", "hsa_id", "opening_hours", "about"]


class GuidelineRule(Strict):
    """One rule of the region's e-service guideline (seed 003), in site.yaml `guideline:`.

    Which e-services satisfy a rule is the region's decision, not the program's, so the rule names
    catalogue ids; exactly one of `any_of`, `all_of` and `requires` says what the rule asks for.
    """

    id: Slug
    when: GuidelineWhen = "always"
    any_of: Annotated[list[Slug], Field(min_length=1)] | None = None
    all_of: Annotated[list[Slug], Field(min_length=1)] | None = None
    requires: Annotated[list[ClinicDetail], Field(min_length=1)] | None = None
    booking: Annotated[list[BookingKind], Field(min_length=1)] | None = None  # webbtidbok entries
    message: Text

    @model_validator(mode="after")
    def _one_demand(self) -> GuidelineRule:
        given = [key for key in ("any_of", "all_of", "requires", "booking") if getattr(self, key) is not None]
        if len(given) != 1:
            raise ValueError("en regel ska ha exakt en av any_of, all_of och requires (eller booking för webbtidboken)")
        return self


class Quality(Strict):
    """Thresholds of the quality warnings, in site.yaml `quality:`; the defaults suit public health texts."""

    lix_max: Annotated[int, Field(gt=0)] = 50  # LIX above this: hard to read (50–60 is "svår")
    max_words: Annotated[int, Field(gt=0)] = 150  # a villkor or info text longer than this is too long
    min_info_words: Annotated[int, Field(ge=0)] = 5  # a hand-added info text shorter than this says nothing
    review_months: Annotated[int, Field(gt=0)] = 12  # a `reviewed:` date older than this is stale


class Site(Strict):
    """site.yaml: the site as a whole."""

    name: Text
    region: Text
    base_url: Annotated[str, StringConstraints(pattern=r"^https?://[^\s/]+(/\S*)?$")]
    forms_url: Annotated[str, StringConstraints(pattern=r"^(/|https?://)\S*$")] = "/e-tjanster/"
    visible_eservices: Annotated[int, Field(ge=0)] = 5
    guideline: list[GuidelineRule] = Field(default_factory=list)
    quality: Quality = Field(default_factory=Quality)
    # The staff unit that cases to Patientnämnden go to (CONTRACT section 9): a slug of its own,
    # never a mottagning's (checked across files), with the name its staff and the citizen see.
    patientnamnden: Slug | None = None
    patientnamnden_name: Text = "Patientnämnden"

    @field_validator("base_url", "forms_url")
    @classmethod
    def _ends_with_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"
