"""Status rules and role rules of the staff side (forms.staff.rules), as unit tests."""

from __future__ import annotations

import pytest

from forms.staff import rules
from forms.staff.casework import reply_open
from forms.staff.rules import CaseView

R, H = frozenset({rules.RECEIVER}), frozenset({rules.HANDLER})
RH = R | H
ME, OTHER = "me", "other"


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        (rules.NEW, {"fordela", "delsvar", "svara", "anteckning"}),
        (rules.DISTRIBUTED, {"fordela", "delsvar", "svara", "anteckning", "avsluta"}),
        (rules.ANSWERED, {"anteckning", "avsluta"}),
        (rules.CLOSED, {"anteckning"}),
    ],
)
def test_what_each_status_allows_for_a_receiver_who_also_handles(status: str, allowed: set[str]) -> None:
    assert set(rules.allowed_actions(RH, ME, CaseView(status, ME))) == allowed


def test_a_receiver_alone_distributes_and_sends_delsvar_but_does_not_answer_or_close() -> None:
    assert set(rules.allowed_actions(R, ME, CaseView(rules.DISTRIBUTED, OTHER))) == {"fordela", "delsvar", "anteckning"}


def test_a_handler_sees_and_works_only_the_cases_distributed_to_them() -> None:
    assert not rules.can_see(H, ME, CaseView(rules.NEW, None))
    assert not rules.can_see(H, ME, CaseView(rules.DISTRIBUTED, OTHER))
    mine = CaseView(rules.DISTRIBUTED, ME)
    assert set(rules.allowed_actions(H, ME, mine)) == {"delsvar", "svara", "anteckning", "avsluta"}


def test_admins_and_auditors_see_no_cases() -> None:
    for roles in (frozenset({rules.ADMIN}), frozenset({rules.AUDITOR})):
        assert not rules.can_see_cases(roles)
        assert not rules.can_see(roles, ME, CaseView(rules.NEW, ME))


def test_the_status_moves_forward_and_a_delsvar_keeps_it_open() -> None:
    new = CaseView(rules.NEW, None)
    distributed = rules.after(rules.DISTRIBUTE, new, ME, OTHER)
    assert distributed == CaseView(rules.DISTRIBUTED, OTHER)
    assert rules.after(rules.PARTIAL, distributed, ME) == distributed
    answered = rules.after(rules.ANSWER, distributed, ME)
    assert answered == CaseView(rules.ANSWERED, ME)  # answering makes the case the answerer's
    assert rules.after(rules.REPLY, answered, ME) == CaseView(rules.DISTRIBUTED, ME)
    assert rules.after(rules.CLOSE, answered, ME).status == rules.CLOSED


class Event:
    def __init__(self, kind: str, asks_reply: bool = False) -> None:
        self.kind, self.asks_reply = kind, asks_reply


def test_the_citizen_may_reply_once_and_only_when_the_answer_asks() -> None:
    assert reply_open([Event("answer", True)], rules.ANSWERED)
    assert not reply_open([Event("answer", False)], rules.ANSWERED)
    assert not reply_open([Event("answer", True), Event("reply")], rules.ANSWERED)
    assert not reply_open([Event("answer", True)], rules.CLOSED)
    assert reply_open([Event("answer", True), Event("reply"), Event("answer", True)], rules.ANSWERED)
