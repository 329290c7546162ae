"""Running the same object's methods in forked worker processes, one object per worker.

A build splits the mottagningar into shards; each shard is an object that loads, checks and
renders its part in steps, and keeps what it loaded between the steps (so thousands of models never
travel between processes). The first shard runs in this process, the others in forked children
that inherited everything already loaded (the catalogue, the compiled templates, the rendered
villkor), so starting them costs milliseconds.

Fork is used only where it is safe: a process with other threads (a preview server, say) could fork
while one of them holds a lock, so `usable_workers` falls back to one process there unless the
caller asks for more explicitly.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
import traceback
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import Any


class WorkerFailed(RuntimeError):
    """A worker raised; carries its traceback as text."""


def usable_workers(requested: int | None) -> int:
    """How many processes to use: `requested`, or every core when this process has no other threads."""
    if requested is not None:
        return max(1, requested)
    if threading.active_count() > 1 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def _serve(connection: Connection, target: Any) -> None:
    """The worker's loop: call the named method, send back its result, until told to stop."""
    try:
        while True:
            command, arguments = connection.recv()
            if command is None:
                return
            connection.send((True, getattr(target, command)(*arguments)))
    except EOFError:
        return
    except BaseException:
        connection.send((False, traceback.format_exc()))
    finally:
        connection.close()


class Workers:
    """One target object per process; `call` runs a method on all of them at once."""

    def __init__(self, targets: Sequence[Any]) -> None:
        self.local = targets[0]
        self.remote: list[tuple[multiprocessing.process.BaseProcess, Connection]] = []
        context = multiprocessing.get_context("fork")
        try:
            for target in targets[1:]:
                ours, theirs = context.Pipe()
                process = context.Process(target=_serve, args=(theirs, target), daemon=True)
                process.start()
                theirs.close()
                self.remote.append((process, ours))
        except BaseException:
            self.close()
            raise

    def call(self, command: str, arguments: Sequence[tuple[Any, ...]]) -> list[Any]:
        """Run `command` on every target, each with its own arguments; results in target order."""
        for (_, connection), own in zip(self.remote, arguments[1:], strict=True):
            connection.send((command, own))
        results = [getattr(self.local, command)(*arguments[0])]
        for process, connection in self.remote:
            try:
                ok, value = connection.recv()
            except EOFError:
                raise WorkerFailed(f"worker {process.pid} stopped (exit code {process.exitcode})") from None
            if not ok:
                raise WorkerFailed(value)
            results.append(value)
        return results

    def close(self) -> None:
        for _, connection in self.remote:
            with contextlib.suppress(OSError):
                connection.send((None, ()))
            connection.close()
        for process, _ in self.remote:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
                process.join()
        self.remote = []

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
