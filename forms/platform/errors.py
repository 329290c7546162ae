"""Debug mode only in development: the debugger shows code and data, and can run code.

Flask turns debug on from FLASK_DEBUG (`flask run --debug`) or `app.run(debug=True)`. In debug,
exceptions propagate to Werkzeug's debugger instead of the plain Swedish error page, with the
stack, the local variables (answers, personnummer) and a console. "Development" here means the
test login is on, the one setting production must never have; with it off, `create_app` refuses a
debug configuration outright, and the app's `debug` stays False whatever is set later.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from forms.platform.settings import SettingsError

DEBUG_REFUSED = (
    "Felsökningsläget (FLASK_DEBUG eller DEBUG) är på men testinloggningen är av. Felsökningsläget "
    "visar kod och uppgifter om medborgarna och får bara användas vid utveckling, med FORMS_TEST_LOGIN=1. "
    "Ta bort FLASK_DEBUG i produktion."
)


class FormsFlask(Flask):
    """Flask whose `debug` can only be true in development (see the module's docstring)."""

    development: bool = False

    @property  # type: ignore[override]
    def debug(self) -> bool:
        return bool(self.config.get("DEBUG")) and self.development

    @debug.setter
    def debug(self, value: bool) -> None:
        self.config["DEBUG"] = bool(value) and self.development
        if self.config.get("TEMPLATES_AUTO_RELOAD") is None:
            self.jinja_env.auto_reload = self.debug

    def run(self, *args: Any, **kwargs: Any) -> None:
        """`app.run(debug=True)` outside development is refused like the configuration is."""
        if kwargs.get("debug") and not self.development:
            raise SettingsError(DEBUG_REFUSED)
        super().run(*args, **kwargs)


def guard_debug(app: FormsFlask, development: bool) -> None:
    """Allow debug only in development; refuse to start when it is asked for anywhere else."""
    app.development = development
    if app.config.get("DEBUG") and not development:
        raise SettingsError(DEBUG_REFUSED)
