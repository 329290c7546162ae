"""The relevance order of seed 000, as a pure function.

Kept free of content and templates so the rule the guideline states ("kontakt first, synpunkter
last, the editor's order inside a category") is one small thing to read and to test.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from sitegen.content.models import CATEGORIES

T = TypeVar("T")

_RANK = {category: rank for rank, category in enumerate(CATEGORIES)}


def by_relevance(items: Sequence[T], category_of: Callable[[T], str]) -> list[T]:
    """Items by category rank; Python's sort is stable, so the file's order holds within one."""
    return sorted(items, key=lambda item: _RANK[category_of(item)])


def split_visible(items: Sequence[T], visible: int) -> tuple[list[T], list[T]]:
    """The items shown at once and the ones behind "Fler e-tjänster"."""
    return list(items[:visible]), list(items[visible:])
