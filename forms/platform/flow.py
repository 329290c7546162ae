"""The steps of a 1177 e-service, apart from what is asked in them (shared by cases and booking).

Every e-service runs the same course: log in, approve the villkor, go through the steps in between,
check, send, get a receipt. For a case form the steps in between are the form's pages; for web
booking (seeds 002 and 004, forms.booking) "choose a time" and the like. This module knows only the
order and the rule that nothing is reachable before everything before it is done, so both share
it from the platform layer; it knows nothing of Flask, forms or databases.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

StepKind = Literal["villkor", "page", "check"]


def villkor_hash(text: str) -> str:
    """The version of a villkor text that a case or a booking records as approved."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Step:
    """A place in the course. `index` names the page for kind 'page'."""

    kind: StepKind
    index: int = 0


def shown(*values: object) -> str:
    """A digest of what a confirmation page showed, posted back with its button.

    A draft is one per citizen and journey, so a second window can change it while the first shows
    its check page ("Kontrollera dina svar", "Kontrollera din bokning"); the confirming POST carries
    this digest and is refused unless the draft still holds what the page showed, so "Skicka" never
    sends, and "Boka tiden" never books, what the citizen did not see.
    """
    text = "\x1f".join("" if value is None else str(value) for value in values)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


VILLKOR = Step("villkor")
CHECK = Step("check")


@dataclass(frozen=True)
class Middle:
    """A step between the villkor and the check, as the flow needs to see it."""

    index: int
    applies: bool  # False: skipped (a page whose `when` does not hold)
    complete: bool  # its answers are stored and valid


@dataclass(frozen=True)
class Course:
    """Where one draft stands: villkor approved or not, and its middle steps."""

    villkor_approved: bool
    middle: Sequence[Middle]

    def steps(self) -> list[Step]:
        """The steps the citizen goes through now, in order (skipped pages left out)."""
        pages = [Step("page", m.index) for m in self.middle if m.applies]
        return [VILLKOR, *pages, CHECK]

    def first_missing(self) -> Step:
        """The first step not done: where anyone who tries to skip ahead is sent."""
        if not self.villkor_approved:
            return VILLKOR
        for middle in self.middle:
            if middle.applies and not middle.complete:
                return Step("page", middle.index)
        return CHECK

    def may_visit(self, step: Step) -> bool:
        """A step may be shown if it is in the course and nothing before it is missing."""
        steps = self.steps()
        if step not in steps:
            return False
        return steps.index(step) <= steps.index(self.first_missing())

    def ready_to_send(self) -> bool:
        return self.first_missing() == CHECK

    def previous(self, step: Step) -> Step | None:
        """Where "Tillbaka" goes: the step before, or None from the villkor (back to the site)."""
        steps = self.steps()
        if step not in steps:
            return None
        position = steps.index(step)
        return steps[position - 1] if position > 0 else None

    def after(self, step: Step, returning_to_check: bool = False) -> Step:
        """Where to go once `step` is done.

        Normally the next step; when the citizen came from the check page ("Ändra"), straight back
        there, unless the change opened a page that still needs answers.
        """
        missing = self.first_missing()
        if returning_to_check:
            return missing
        steps = self.steps()
        if step in steps and steps.index(step) + 1 < len(steps):
            following = steps[steps.index(step) + 1]
            return following if steps.index(following) <= steps.index(missing) else missing
        return missing
