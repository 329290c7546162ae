"""The relevance order of seed 000: category first, the clinic file's order within a category."""

from __future__ import annotations

from sitegen.content.models import CATEGORIES
from sitegen.site.ordering import by_relevance, split_visible


def test_every_category_sorts_into_guideline_order() -> None:
    items = [(category, index) for index, category in enumerate(reversed(CATEGORIES))]
    ordered = by_relevance(items, lambda item: item[0])
    assert [category for category, _ in ordered] == list(CATEGORIES)


def test_order_within_a_category_is_the_files_order() -> None:
    items = [
        ("fornya", "recept"),
        ("kontakt", "meddelande"),
        ("fornya", "intyg"),
        ("fornya", "hjälpmedel"),
        ("kontakt", "video"),
    ]
    ordered = by_relevance(items, lambda item: item[0])
    assert [name for _, name in ordered] == ["meddelande", "video", "recept", "intyg", "hjälpmedel"]


def test_ordering_does_not_change_its_input() -> None:
    items = [("synpunkter", 1), ("kontakt", 2)]
    by_relevance(items, lambda item: item[0])
    assert items == [("synpunkter", 1), ("kontakt", 2)]


def test_split_keeps_the_first_n_visible() -> None:
    assert split_visible([1, 2, 3, 4, 5, 6, 7], 5) == ([1, 2, 3, 4, 5], [6, 7])


def test_split_with_nothing_left_over() -> None:
    assert split_visible([1, 2, 3], 5) == ([1, 2, 3], [])
    assert split_visible([1, 2, 3, 4, 5], 5) == ([1, 2, 3, 4, 5], [])


def test_split_with_zero_visible_puts_all_behind_more() -> None:
    assert split_visible([1, 2], 0) == ([], [1, 2])
