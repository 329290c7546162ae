"""The question engine on its own: every question type, condition and validation message."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from forms.cases.engine import EngineContext, PageForm, apply_action, page_applies, parse_action, summarize, walk
from forms.cases.engine.messages import indirect_question, write_message
from forms.identity.records import Prescription
from sitegen.content.models import Page


def page(*questions: dict[str, Any], when: dict[str, Any] | None = None) -> Page:
    return Page.model_validate({"title": "Sida", "when": when, "questions": list(questions)})


def errors(p: Page, raw: dict[str, list[str]], context: EngineContext | None = None) -> dict[str, str]:
    form = PageForm(p, context or EngineContext(), raw)
    form.validate()
    return {error.anchor: error.message for error in form.errors}


def answers(p: Page, raw: dict[str, list[str]], context: EngineContext | None = None) -> dict[str, Any]:
    form = PageForm(p, context or EngineContext(), raw)
    assert form.validate(), [(e.anchor, e.message) for e in form.errors]
    return form.answers()


TEXT = {"id": "issued_by", "type": "text", "label": "Vem utfärdade ditt nuvarande intyg?"}


# Text and textarea ---------------------------------------------------------------------------------

def test_required_text_says_what_to_write() -> None:
    assert errors(page(TEXT), {}) == {"issued_by": "Skriv vem som utfärdade ditt nuvarande intyg."}
    assert errors(page(TEXT), {"issued_by": ["   "]}) == {"issued_by": "Skriv vem som utfärdade ditt nuvarande intyg."}


def test_text_is_stripped_and_stored() -> None:
    assert answers(page(TEXT), {"issued_by": ["  Dr Berg "]}) == {"issued_by": "Dr Berg"}


def test_optional_text_may_be_left_empty_and_is_stored_as_none() -> None:
    assert answers(page({**TEXT, "optional": True}), {"issued_by": [""]}) == {"issued_by": None}


def test_max_length_bounds_text_and_says_how_long_it_is() -> None:
    q = {**TEXT, "max_length": 5}
    assert errors(page(q), {"issued_by": ["abcdef"]}) == {"issued_by": "Skriv högst 5 tecken. Nu är det 6 tecken."}
    assert answers(page(q), {"issued_by": ["abcde"]}) == {"issued_by": "abcde"}


def test_every_text_has_a_default_bound() -> None:
    assert "Skriv högst 200 tecken" in errors(page(TEXT), {"issued_by": ["x" * 201]})["issued_by"]
    area = {"id": "story", "type": "textarea", "label": "Beskriv dina besvär."}
    assert errors(page(area), {"story": ["x" * 4000]}) == {}
    assert "Skriv högst 4000 tecken" in errors(page(area), {"story": ["x" * 4001]})["story"]


def test_textarea_keeps_line_breaks_and_uses_an_instruction_label_as_message() -> None:
    area = {"id": "story", "type": "textarea", "label": "Beskriv dina besvär."}
    assert errors(page(area), {}) == {"story": "Beskriv dina besvär."}
    assert answers(page(area), {"story": ["Rad ett\r\nRad två"]}) == {"story": "Rad ett\r\nRad två"}


def test_errors_keep_what_was_typed() -> None:
    form = PageForm(page({**TEXT, "max_length": 3}), EngineContext(), {"issued_by": ["för lång text"]})
    form.validate()
    (control,) = form.controls()
    assert control.value == "för lång text" and control.error is not None
    assert control.described_by == "issued_by-error"


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("Vem utfärdade ditt nuvarande intyg?", "Skriv vem som utfärdade ditt nuvarande intyg."),
        ("Hur tar du läkemedlet?", "Skriv hur du tar läkemedlet."),
        ("Hur många förpackningar vill du ha?", "Skriv hur många förpackningar du vill ha."),
        ("Vilket telefonnummer kan vi nå dig på?", "Skriv vilket telefonnummer vi kan nå dig på."),
        ("Sedan när har du haft besvär?", "Skriv sedan när du har haft besvär."),
        ("Produktnamn", "Skriv produktnamn."),
        ("Läkemedlets namn", "Skriv läkemedlets namn."),
        ("Skriv ditt meddelande", "Skriv ditt meddelande."),
        ("När började besvären?", "Skriv ditt svar."),  # no safe rewrite: a short general message
    ],
)
def test_messages_are_made_from_the_label(label: str, message: str) -> None:
    assert write_message(label) == message


def test_yes_no_questions_become_om_clauses() -> None:
    assert indirect_question("Är det ett nytt intyg eller en förnyelse?") == "om det är ett nytt intyg eller en förnyelse"


# Choice and choices --------------------------------------------------------------------------------

CHOICE = {"id": "renewal", "type": "choice", "label": "Nytt eller förnyelse?", "options": ["Nytt intyg", "Förnyelse"]}


def test_choice_requires_one_option_and_links_to_the_first_radio() -> None:
    assert errors(page(CHOICE), {}) == {"renewal-0": "Välj ett alternativ."}
    assert answers(page(CHOICE), {"renewal": ["Förnyelse"]}) == {"renewal": "Förnyelse"}


def test_choice_refuses_a_value_that_is_not_an_option() -> None:
    assert errors(page(CHOICE), {"renewal": ["Något annat"]}) == {"renewal-0": "Välj ett av alternativen som finns på sidan."}


def test_choice_options_from_the_mottagnings_list() -> None:
    q = {"id": "intyg", "type": "choice", "label": "Vilket intyg?", "options_from": "intyg_types"}
    context = EngineContext(options={"intyg_types": ["Körkortsintyg", "Vapenintyg"]})
    form = PageForm(page(q), context, None)
    assert [o.label for o in form.controls()[0].options] == ["Körkortsintyg", "Vapenintyg"]
    assert answers(page(q), {"intyg": ["Vapenintyg"]}, context) == {"intyg": "Vapenintyg"}
    assert errors(page(q), {"intyg": ["Friskintyg"]}, context) == {"intyg-0": "Välj ett av alternativen som finns på sidan."}


def test_optional_choice_may_be_left_unanswered() -> None:
    assert answers(page({**CHOICE, "optional": True}), {}) == {"renewal": None}


CHOICES = {"id": "days", "type": "choices", "label": "Vilka dagar?", "options": ["Mån", "Tis", "Ons"]}


def test_choices_requires_at_least_one() -> None:
    assert errors(page(CHOICES), {}) == {"days-0": "Välj minst ett alternativ."}
    assert answers(page(CHOICES), {"days": ["Mån", "Ons"]}) == {"days": ["Mån", "Ons"]}


def test_choices_min_and_max() -> None:
    q = {**CHOICES, "min": 2, "max": 2}
    assert errors(page(q), {"days": ["Mån"]}) == {"days-0": "Välj minst 2 alternativ."}
    assert errors(page(q), {"days": ["Mån", "Tis", "Ons"]}) == {"days-0": "Välj högst 2 alternativ."}
    assert errors(page(q), {"days": ["Mån", "Lör"]}) == {"days-0": "Välj ett av alternativen som finns på sidan."}


def test_optional_choices_may_be_empty_and_store_an_empty_list() -> None:
    assert answers(page({**CHOICES, "optional": True}), {}) == {"days": []}


# Date and number -----------------------------------------------------------------------------------

DATE = {"id": "valid_until", "type": "date", "label": "Till och med vilket datum gäller det?"}


@pytest.mark.parametrize("typed", ["", "31/12/2026", "2026-02-30", "2026-1-5", "i morgon"])
def test_date_must_be_a_real_date_written_as_iso(typed: str) -> None:
    assert errors(page(DATE), {"valid_until": [typed]}) == {"valid_until": "Skriv ett datum som 2025-01-31."}


def test_date_is_stored_as_iso_text_and_shows_its_format_hint() -> None:
    assert answers(page(DATE), {"valid_until": ["2026-12-31"]}) == {"valid_until": "2026-12-31"}
    (control,) = PageForm(page(DATE), EngineContext(), None).controls()
    assert control.hint is not None and "2025-01-31" in control.hint


NUMBER = {"id": "how_much", "type": "number", "label": "Hur ont gör det?", "min": 1, "max": 10}


@pytest.mark.parametrize("typed", ["0", "11", "tre", "1e3", "--2", "10,5"])
def test_number_out_of_range_or_not_a_number(typed: str) -> None:
    assert errors(page(NUMBER), {"how_much": [typed]}) == {"how_much": "Skriv ett tal mellan 1 och 10."}


def test_number_accepts_decimal_comma_and_stores_whole_numbers_as_int() -> None:
    assert answers(page(NUMBER), {"how_much": ["2,5"]}) == {"how_much": 2.5}
    assert answers(page(NUMBER), {"how_much": [" 7 "]}) == {"how_much": 7}


def test_number_messages_for_one_sided_bounds() -> None:
    only_min = {"id": "n", "type": "number", "label": "Antal", "min": 0}
    only_max = {"id": "n", "type": "number", "label": "Antal", "max": 5}
    unbounded = {"id": "n", "type": "number", "label": "Antal"}
    assert errors(page(only_min), {"n": ["-1"]}) == {"n": "Skriv ett tal som är 0 eller större."}
    assert errors(page(only_max), {"n": ["6"]}) == {"n": "Skriv ett tal som är 5 eller mindre."}
    assert errors(page(unbounded), {"n": ["x"]}) == {"n": "Skriv ett tal med siffror, till exempel 3."}
    assert errors(page(unbounded), {}) == {"n": "Skriv antal."}


# Repeat ------------------------------------------------------------------------------------------

REPEAT = {
    "id": "products",
    "type": "repeat",
    "label": "Hjälpmedel",
    "min": 1,
    "max": 3,
    "fields": [
        {"id": "product", "type": "text", "label": "Produktnamn"},
        {"id": "size", "type": "text", "label": "Storlek", "optional": True},
        {"id": "packages", "type": "number", "label": "Hur många förpackningar vill du ha?", "min": 1, "max": 20},
    ],
}


def item(index: int, product: str = "", size: str = "", packages: str = "") -> dict[str, list[str]]:
    return {
        f"products-{index}-product": [product],
        f"products-{index}-size": [size],
        f"products-{index}-packages": [packages],
    }


def test_repeat_shows_one_empty_item_at_first_and_requires_its_fields() -> None:
    form = PageForm(page(REPEAT), EngineContext(), None)
    (control,) = form.controls()
    assert [i.legend for i in control.items] == ["Hjälpmedel 1"]
    assert not control.items[0].can_remove and control.can_add
    assert errors(page(REPEAT), item(0)) == {
        "products-0-product": "Skriv produktnamn.",
        "products-0-packages": "Skriv hur många förpackningar du vill ha.",
    }


def test_repeat_item_errors_name_the_item_in_the_summary() -> None:
    form = PageForm(page(REPEAT), EngineContext(), {**item(0, "Tena", packages="2"), **item(1, "Abena", packages="99")})
    form.validate()
    assert [(e.anchor, e.context, e.message) for e in form.errors] == [
        ("products-1-packages", "Hjälpmedel 2", "Skriv ett tal mellan 1 och 20."),
    ]


def test_blank_extra_items_are_dropped_from_the_answer() -> None:
    raw = {**item(0, "Tena", "M", "2"), **item(1)}
    assert answers(page(REPEAT), raw) == {"products": [{"product": "Tena", "size": "M", "packages": 2}]}


def test_repeat_min_counts_filled_items() -> None:
    q = {**REPEAT, "min": 2}
    raw = {**item(0, "Tena", packages="2"), **item(1)}
    assert errors(page(q), raw) == {
        "products-1-product": "Skriv produktnamn.",
        "products-1-packages": "Skriv hur många förpackningar du vill ha.",
    }


def test_optional_repeat_may_be_left_blank() -> None:
    assert answers(page({**REPEAT, "optional": True, "min": None}), item(0)) == {"products": []}


def test_add_and_remove_items_without_javascript() -> None:
    p = page(REPEAT)
    context = EngineContext()
    action = parse_action(p, "add:products")
    assert action is not None
    raw, anchor = apply_action(action, item(0, "Tena", packages="1"), context)
    assert anchor == "products-1-product"
    assert [i.legend for i in PageForm(p, context, raw).controls()[0].items] == ["Hjälpmedel 1", "Hjälpmedel 2"]
    raw = {**item(0, "Tena", packages="1"), **item(1, "Abena", packages="2"), **item(2, "Depend", packages="3")}
    control = PageForm(p, context, raw).controls()[0]
    assert not control.can_add  # max 3
    assert all(i.can_remove for i in control.items)
    removed, anchor = apply_action(parse_action(p, "remove:products:1"), raw, context)
    assert anchor == "products-group"
    assert answers(p, removed) == {
        "products": [{"product": "Tena", "size": None, "packages": 1}, {"product": "Depend", "size": None, "packages": 3}]
    }


def test_add_stops_at_max_and_unknown_actions_are_ignored() -> None:
    p = page(REPEAT)
    full = {**item(0, "a", packages="1"), **item(1, "b", packages="1"), **item(2, "c", packages="1")}
    raw, _ = apply_action(parse_action(p, "add:products"), full, EngineContext())
    assert len(PageForm(p, EngineContext(), raw).controls()[0].items) == 3
    for value in ("add:other", "remove:products", "remove:products:x", "drop:products", "", None):
        assert parse_action(p, value) is None


def test_repeat_item_with_a_choice_field() -> None:
    q = {**REPEAT, "fields": [{"id": "kind", "type": "choice", "label": "Sort", "options": ["A", "B"]}]}
    assert errors(page(q), {"products-0-_item": ["1"]}) == {"products-0-kind-0": "Välj ett alternativ."}
    assert answers(page(q), {"products-0-kind": ["B"]}) == {"products": [{"kind": "B"}]}


# Prescriptions -----------------------------------------------------------------------------------

def rx(name: str, ident: str) -> Prescription:
    return Prescription(
        id=ident, clinic="m", name=name, strength="10 mg", form="tablett", dosage="1 dagligen",
        prescribed=datetime.date(2025, 1, 1), discontinued=None,
    )


PRESCRIPTIONS = {"id": "medicines", "type": "prescriptions", "label": "Välj de läkemedel du vill förnya.", "max": 3}
LISTED = EngineContext(prescriptions=[rx("Levaxin", "p1"), rx("Enalapril", "p2")])
UNLISTED = EngineContext(prescriptions=None, no_list_reason="Skriv in läkemedlen själv.")


def test_prescriptions_list_is_offered_with_no_hand_typed_item_at_first() -> None:
    control = PageForm(page(PRESCRIPTIONS), LISTED, None).controls()[0]
    assert [o.label for o in control.listing or []] == ["Levaxin 10 mg, tablett", "Enalapril 10 mg, tablett"]
    assert control.items == [] and control.can_add


def test_prescriptions_picked_from_the_list_store_name_strength_and_form_but_no_dosage() -> None:
    assert answers(page(PRESCRIPTIONS), {"medicines": ["p2"]}, LISTED) == {
        "medicines": {
            "selected": [{"id": "p2", "name": "Enalapril", "strength": "10 mg", "form": "tablett"}],
            "manual": [],
        }
    }


def test_prescriptions_need_one_medicine_from_the_list_or_by_hand() -> None:
    assert errors(page(PRESCRIPTIONS), {}, LISTED) == {
        "medicines-0": "Välj minst ett läkemedel i listan, eller lägg till ett som inte finns i listan."
    }


def test_prescriptions_refuse_an_id_not_in_the_list() -> None:
    assert errors(page(PRESCRIPTIONS), {"medicines": ["someone-elses"]}, LISTED) == {
        "medicines-0": "Välj ett av alternativen som finns på sidan."
    }


def test_prescriptions_default_hand_typed_fields_are_name_strength_form_and_optional_dosage() -> None:
    control = PageForm(page(PRESCRIPTIONS), UNLISTED, None).controls()[0]
    assert control.listing is None and control.no_list_reason == "Skriv in läkemedlen själv."
    (only,) = control.items
    assert [(c.label, c.optional) for c in only.controls] == [
        ("Läkemedlets namn", False),
        ("Styrka", False),
        ("Beredningsform", False),
        ("Hur tar du läkemedlet?", True),
    ]
    assert errors(page(PRESCRIPTIONS), {"medicines-manual-0-name": ["Alvedon"]}, UNLISTED) == {
        "medicines-manual-0-strength": "Skriv styrka.",
        "medicines-manual-0-form": "Skriv beredningsform.",
    }


def test_prescriptions_by_hand_and_from_the_list_together() -> None:
    raw = {
        "medicines": ["p1"],
        "medicines-manual-0-name": ["Alvedon"],
        "medicines-manual-0-strength": ["500 mg"],
        "medicines-manual-0-form": ["tablett"],
        "medicines-manual-0-dosage": [""],
    }
    assert answers(page(PRESCRIPTIONS), raw, LISTED)["medicines"] == {
        "selected": [{"id": "p1", "name": "Levaxin", "strength": "10 mg", "form": "tablett"}],
        "manual": [{"name": "Alvedon", "strength": "500 mg", "form": "tablett", "dosage": None}],
    }


def test_prescriptions_without_a_list_need_a_medicine_typed_by_hand() -> None:
    assert errors(page(PRESCRIPTIONS), {}, UNLISTED) == {
        "medicines-manual-0-name": "Skriv läkemedlets namn.",
        "medicines-manual-0-strength": "Skriv styrka.",
        "medicines-manual-0-form": "Skriv beredningsform.",
    }


def test_prescriptions_max_counts_list_and_hand_typed_together() -> None:
    manual = {}
    for index, name in enumerate(["A", "B"]):
        manual.update({f"medicines-manual-{index}-{f}": [name] for f in ("name", "strength", "form")})
    assert errors(page(PRESCRIPTIONS), {"medicines": ["p1", "p2"], **manual}, LISTED) == {
        "medicines-0": "Välj högst 3 läkemedel."
    }


def test_prescription_fields_from_the_question_replace_the_defaults() -> None:
    q = {**PRESCRIPTIONS, "fields": [{"id": "name", "type": "text", "label": "Namn"}]}
    assert answers(page(q), {"medicines-manual-0-name": ["Alvedon"]}, UNLISTED)["medicines"]["manual"] == [{"name": "Alvedon"}]


# Conditions and the walk -------------------------------------------------------------------------

def test_when_matches_one_value_or_any_of_a_list() -> None:
    single = page(TEXT, when={"renewal": "Förnyelse"})
    several = page(TEXT, when={"renewal": ["Förnyelse", "Byte"]})
    assert page_applies(single, {"renewal": "Förnyelse"})
    assert not page_applies(single, {"renewal": "Nytt intyg"})
    assert not page_applies(single, {})
    assert page_applies(several, {"renewal": "Byte"})


def test_when_on_a_checkbox_answer_matches_any_checked_option() -> None:
    p = page(TEXT, when={"days": "Tis"})
    assert page_applies(p, {"days": ["Mån", "Tis"]})
    assert not page_applies(p, {"days": ["Mån"]})
    assert not page_applies(p, {"days": []})


def test_when_with_several_keys_needs_all_of_them() -> None:
    p = page(TEXT, when={"a": "1", "b": "2"})
    assert page_applies(p, {"a": "1", "b": "2"})
    assert not page_applies(p, {"a": "1", "b": "3"})


def test_walk_skips_pages_whose_condition_fails_and_drops_their_answers() -> None:
    pages = [page(CHOICE), page(TEXT, when={"renewal": "Förnyelse"}), page({**DATE, "optional": True})]
    raw = {"0": {"renewal": ["Nytt intyg"]}, "1": {"issued_by": ["Dr Berg"]}, "2": {}}
    state = walk(pages, EngineContext(), raw)
    assert [(s.applies, s.complete) for s in state.states] == [(True, True), (False, False), (True, True)]
    assert state.complete
    assert state.answers == {"renewal": "Nytt intyg", "valid_until": None}
    assert [section["page"] for section in summarize(pages, state)] == [0, 2]


def test_walk_marks_an_invalid_or_missing_page_incomplete() -> None:
    pages = [page(CHOICE), page(TEXT)]
    assert not walk(pages, EngineContext(), {"0": {"renewal": ["Förnyelse"]}}).complete
    assert not walk(pages, EngineContext(), {"0": {"renewal": ["Förnyelse"]}, "1": {"issued_by": [""]}}).complete


def test_walk_keeps_the_bound_form_of_complete_pages_only() -> None:
    pages = [page(CHOICE), page(TEXT), page(DATE)]
    state = walk(pages, EngineContext(), {"0": {"renewal": ["Förnyelse"]}, "1": {"issued_by": [""]}})
    assert list(state.forms) == [0]  # page 1 failed its check, page 2 was never answered
    assert state.forms[0].form["renewal"].data == "Förnyelse"
    assert not state.forms[0].errors


def test_summary_lines_for_every_kind_of_answer() -> None:
    pages = [page(TEXT, {**NUMBER}, {**CHOICES, "optional": True}, REPEAT)]
    raw = {"0": {"issued_by": ["Dr Berg"], "how_much": ["2,5"], **item(0, "Tena", packages="2")}}
    state = walk(pages, EngineContext(), raw)
    rows = summarize(pages, state)[0]["questions"]
    assert rows[0]["lines"] == ["Dr Berg"]
    assert rows[1]["lines"] == ["2,5"]
    assert rows[2]["lines"] == ["Inget svar"]
    assert rows[3]["items"][0]["title"] == "Hjälpmedel 1"
    assert rows[3]["items"][0]["rows"][1] == {"label": "Storlek", "lines": ["Inget svar"]}
