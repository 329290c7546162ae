"""`python -m bench.search_hooks`: what the app's per-request hooks cost a GET of /sok/.

    .venv/bin/python -m bench.search_hooks [--site DIR] [--repeat 2000]

Every request the Flask app handles runs its app-level hooks, whatever the page: the session is
opened (a database read when the request carries a session cookie), `before_request` functions
(session timeouts, the CSRF check, the rate limiter's check), `after_request` ones (the security
headers), the session is saved, and teardown functions run. /sok/ needs none of that to be a
public GET page; its kept pages are answered in front of the app (forms/search/cache.py) and skip
all of it, but every page it computes still pays it. This prints each hook's CPU time per call,
timed alone inside a request context for `/sok/?q=hud` (anonymous, and with a logged-in visitor's
cookie), and what a request costs through the whole app for a view that returns a constant, beside
a bare Flask app: the hooks' share without any search.

Which of them a public GET page such as /sok/ needs (they live in forms/platform, the lead's lane):

- opening and saving the session (sessions.ServerSessionInterface): not needed. With a cookie it
  is a database read (about 0.1 ms), and a logged-in visitor's "seen at" is written once a minute,
  which adds Set-Cookie to a page that should be cacheable. A public endpoint could get a null
  session (no read, no save, no `Vary: Cookie`).
- sessions.enforce_timeouts: not needed, and harmful: /sok/ is not among OPEN_ENDPOINTS, so a
  visitor whose login has expired gets "Du har blivit utloggad" (401) instead of the search when
  the page is computed (a kept page is served to them normally).
- security.csrf_protect: a no-op for GET already (one comparison).
- the rate limiter's before_request check (about 40 µs, the largest): not needed; /sok/ has no
  limit, yet every request walks the limiter's filters. Exempting the endpoint, or limiting with
  decorators only (no app-wide check), saves it.
- security.set_headers: needed (CSP, HSTS, nosniff, frame options), but it sets `no-store` on
  every endpoint not in CACHEABLE_ENDPOINTS; a public page should get `public, max-age=…` instead
  (forms/search/cache.py rewrites it today, in front of the app).
- the theme context processor (rendering.theme_context) reads the session through
  current_citizen() on every render; /sok/ now renders without context processors
  (forms/search/views.public_page repeats the non-personal part: site, stylesheet, favicons, root).
  Splitting theme_context into a public and a personal part would remove that repetition.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.forms_load import REPO


def cpu_us(call: Callable[[], Any], repeat: int) -> float:
    started = time.process_time()
    for _ in range(repeat):
        call()
    return (time.process_time() - started) / repeat * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search_hooks", description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path, default=REPO / "build", help="a built site (its index is read)")
    parser.add_argument("--repeat", type=int, default=2000)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-hooks-"))
    os.environ.update(
        FORMS_CONTENT_DIR=str(REPO / "content"), FORMS_SITE_DIR=str(args.site), FORMS_TEST_LOGIN="1",
        FORMS_DATABASE_URL=f"sqlite:///{work / 'forms.sqlite3'}", FORMS_SECRET_KEY=os.urandom(32).hex(),
    )  # fmt: skip
    from bench.hello_app import app as hello
    from forms import create_app
    from tests.forms.conftest import login

    app = create_app()

    @app.get("/bench-constant/")
    def constant() -> str:
        return "Hej"

    visitor = app.test_client()
    login(visitor, "19850315-1238")
    cookie = visitor.get_cookie("__Host-session")
    assert cookie is not None
    headers = {"Cookie": f"__Host-session={cookie.value}"}

    print(f"\nThe app's hooks on GET /sok/?q=hud, CPU µs per call ({args.repeat} calls each)")
    print("| hook | anonymous | logged in |\n|---|---|---|")
    rows = hook_rows(app, headers, args.repeat)
    for name, (anonymous, logged_in) in rows.items():
        print(f"| {name} | {anonymous:.0f} | {logged_in:.0f} |")

    bare_client, forms_client = hello.test_client(), app.test_client()
    bare = cpu_us(lambda: bare_client.get("/"), args.repeat)
    through = cpu_us(lambda: forms_client.get("/bench-constant/"), args.repeat)
    print("\nA constant view, CPU µs per request through Flask's test client")
    print(f"| bare Flask app | {bare:.0f} |\n| the forms app (all hooks) | {through:.0f} |")
    print(f"the forms app's hooks: {through - bare:.0f} µs a request more than bare Flask")
    return 0


def hook_rows(app: Any, cookie: dict[str, str], repeat: int) -> dict[str, tuple[float, float]]:
    """Each app-level hook, timed alone in a request context of /sok/ (without and with the cookie)."""
    anonymous, logged_in = time_hooks(app, {}, repeat), time_hooks(app, cookie, repeat)
    return {name: (value, logged_in[name]) for name, value in anonymous.items()}


def hook_name(function: Any) -> str:
    inner = getattr(function, "func", function)  # a functools.partial (the rate limiter's)
    return f"{inner.__module__}.{getattr(inner, '__qualname__', inner)}"


def time_hooks(app: Any, headers: dict[str, str], repeat: int) -> dict[str, float]:
    with app.test_request_context("/sok/?q=hud", headers=headers) as context:
        interface = app.session_interface
        response = app.response_class("x")
        timings = {"open the session": cpu_us(lambda: interface.open_session(app, context.request), repeat)}
        for function in app.before_request_funcs.get(None, []):
            timings[f"before: {hook_name(function)}"] = cpu_us(function, repeat)
        for function in app.after_request_funcs.get(None, []):
            timings[f"after: {hook_name(function)}"] = cpu_us(
                lambda function=function: function(response), repeat
            )
        timings["save the session"] = cpu_us(lambda: interface.save_session(app, context.session, response), repeat)
        for function in app.teardown_request_funcs.get(None, []):
            timings[f"teardown: {hook_name(function)}"] = cpu_us(
                lambda function=function: function(None), repeat
            )
    return timings


if __name__ == "__main__":
    sys.exit(main())
