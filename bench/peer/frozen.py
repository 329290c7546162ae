"""The forms app with its start-up objects frozen out of the garbage collector (`--series --freeze`).

An experiment for issue 22's stall: `create_app()` leaves about 200,000 objects, and the first full
collections after start go through all of them. `gc.freeze()` moves them to a generation no
collection looks at, as the site build does (sitegen/build/shards.py).
"""

from __future__ import annotations

import gc

from flask import Flask

from forms import create_app as forms_app


def create_app() -> Flask:
    app = forms_app()
    gc.freeze()
    return app
