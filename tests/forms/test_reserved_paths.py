"""Content may not take a name the forms app serves a page of its own under (CONTRACT section 4)."""

from __future__ import annotations

from flask import Flask

from sitegen.content.reserved import RESERVED


def test_every_page_of_the_app_beside_the_eservices_is_a_reserved_name(app: Flask) -> None:
    prefix = app.extensions["hittavard_forms"].prefix
    own = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(prefix):
            first = rule.rule[len(prefix) :].split("/", 1)[0]
            if first and not first.startswith("<"):
                own.add(first)
    assert own, "the app serves pages of its own under its prefix"
    assert own <= RESERVED, sorted(own - RESERVED)
