"""What single words match, kept per version of the index: a new query is mostly words asked before.

A search nobody has made yet is a new combination of words, filters and page, but its words are
few and recur ("vårdcentral", a municipality, "mottagningen"); and the costly ones are exactly the
common words, whose thousands of matches SQLite reads, and for a one-word query ranks, each time.
So the ids each word matches from a word's start, inside a name, and its BM25 score per match are
kept, bounded by the number of ids held (the least recently used go first): a query combines them
with set operations that give what the statement over all its words gave (an FTS5 AND of the
words' expressions matches the rows every one of them matches; BM25 does not depend on filters).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sized
from typing import Any, TypeVar

T = TypeVar("T", bound=Sized)

KEPT_IDS = 100_000  # about 5–10 MB a process: dozens of broad words, thousands of rare ones


class Memo:
    """A bounded, thread-safe memo of sized values, weighed by their length (one per index version)."""

    def __init__(self, capacity: int = KEPT_IDS) -> None:
        self.capacity = capacity
        self._kept: OrderedDict[Any, Sized] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: Any, compute: Callable[[], T]) -> T:
        with self._lock:
            value = self._kept.get(key)
            if value is not None:
                self._kept.move_to_end(key)
                return value  # type: ignore[return-value]
        value = compute()  # outside the lock: two threads may both compute a new word, then keep one
        with self._lock:
            if key not in self._kept and len(value) <= self.capacity:
                self._kept[key] = value
                self._size += len(value)
                while self._size > self.capacity:
                    _, dropped = self._kept.popitem(last=False)
                    self._size -= len(dropped)
        return value
