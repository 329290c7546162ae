"""'Lägg till' and 'Ta bort' for repeat items, without JavaScript.

The buttons are submit buttons named `action` with values `add:<list>` and `remove:<list>:<n>`.
The page's posted data is changed here and stored as the draft's page, and the page is shown
again; WTForms numbers the items afresh from what remains.
"""

from __future__ import annotations

from dataclasses import dataclass

from forms.cases.engine.build import MANUAL_SUFFIX, item_bounds, item_fields
from forms.cases.engine.context import EngineContext
from forms.cases.engine.page import ITEM_MARKER, Raw
from sitegen.content.digits import ascii_int
from sitegen.content.models import Page, Question


@dataclass(frozen=True)
class ItemAction:
    """A parsed add or remove button, for a list on the page."""

    kind: str  # add | remove
    question: Question
    prefix: str
    position: int = 0


def parse_action(page: Page, value: str | None) -> ItemAction | None:
    """The button pressed, if it is an add or remove for a list on this page; else None."""
    if not value:
        return None
    parts = value.split(":")
    for question in page.questions:
        if question.type not in {"repeat", "prescriptions"}:
            continue
        prefix = question.id + (MANUAL_SUFFIX if question.type == "prescriptions" else "")
        if parts[0] == "add" and len(parts) == 2 and parts[1] == prefix:
            return ItemAction("add", question, prefix)
        position = ascii_int(parts[2]) if len(parts) == 3 else None
        if parts[0] == "remove" and parts[1] == prefix and position is not None:
            return ItemAction("remove", question, prefix, position)
    return None


def _indices(raw: Raw, prefix: str) -> list[int]:
    found = set()
    for key in raw:
        if key.startswith(prefix + "-"):
            index = ascii_int(key[len(prefix) + 1 :].split("-", 1)[0])
            if index is not None:
                found.add(index)
    return sorted(found)


def apply_action(action: ItemAction, raw: Raw, context: EngineContext) -> tuple[Raw, str]:
    """The page's data after the action, and the id to scroll to (the new item, or the list)."""
    listed = bool(context.prescriptions)
    _, maximum = item_bounds(action.question, listed)
    indices = _indices(raw, action.prefix)
    changed = {key: list(values) for key, values in raw.items()}
    if action.kind == "add":
        if len(indices) >= maximum:
            return changed, f"{action.prefix}-group"
        new = (indices[-1] + 1) if indices else 0
        changed[f"{action.prefix}-{new}-{ITEM_MARKER}"] = ["1"]
        first = item_fields(action.question)[0]
        suffix = "-0" if first.type in {"choice", "choices"} else ""
        return changed, f"{action.prefix}-{len(indices)}-{first.id}{suffix}"
    if action.position < len(indices):
        gone = f"{action.prefix}-{indices[action.position]}-"
        changed = {key: values for key, values in changed.items() if not key.startswith(gone)}
    return changed, f"{action.prefix}-group"
