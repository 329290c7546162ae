"""Flask's "is this view or hook async?" answered once per function instead of on every call.

Flask calls `ensure_sync` on every view, before/after/teardown hook and context processor each time
it runs one (14 times for a form page), and each call asks `inspect.iscoroutinefunction`, about
1 µs. The answer for a function never changes, so it is kept: 0.01–0.015 ms a request (issue 22).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

# The app's views and hooks are a few dozen functions. A caller that made a new callable per request
# would make the memo grow with every request: past the bound it starts again.
SYNC_MAX = 1024


class SyncCheckedFlask(Flask):
    """Flask whose `ensure_sync` remembers its answer per callable."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sync: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        sync = self._sync.get(func)
        if sync is None:
            sync = super().ensure_sync(func)
            if len(self._sync) >= SYNC_MAX:
                self._sync.clear()
            self._sync[func] = sync
        return sync
