"""The question engine: forms made at run time from an e-service's `pages` (CONTRACT section 3).

It knows questions, pages, conditions and answers, and nothing of logins, villkor or databases;
the flow (forms.cases.flow) and the views decide when a page is shown and where its data is kept.
"""

from forms.cases.engine.conditions import Walk, drop_inapplicable, page_applies, walk
from forms.cases.engine.context import EngineContext
from forms.cases.engine.items import apply_action, parse_action
from forms.cases.engine.page import PageForm, raw_from
from forms.cases.engine.summary import summarize

__all__ = [
    "EngineContext",
    "PageForm",
    "Walk",
    "apply_action",
    "drop_inapplicable",
    "page_applies",
    "parse_action",
    "raw_from",
    "summarize",
    "walk",
]
