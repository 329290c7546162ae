"""What the access-log row costs a staff request, measured in one thread (no contention).

Three timings on the benchmark's database, each the median of `count` runs:
- the case list's reads (count and first page) in a read transaction of their own;
- the same reads with the access-log row in one write transaction (what the list view does);
- the access-log row alone in a write transaction of its own (what the case page does).
The difference of the first two is what logging adds to a list; the third, to a case page.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from statistics import median

from sqlalchemy import Engine


def _median_ms(run: Callable[[], None], count: int) -> float:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return median(times)


def log_costs(engine: Engine, clinic: str, hsa_id: str, count: int = 200) -> dict[str, float]:
    from forms.staff import accesslog, casework, rules
    from forms.store.engine import writing

    now = datetime.datetime.now(datetime.UTC)
    roles = frozenset({rules.RECEIVER, rules.HANDLER})
    filters = casework.Filters()

    def reads() -> None:
        with engine.connect() as connection:
            casework.list_cases(connection, clinic, hsa_id, roles, filters, now)

    def reads_and_row() -> None:
        with writing(engine).begin() as connection:
            rows, _ = casework.list_cases(connection, clinic, hsa_id, roles, filters, now)
            accesslog.record(
                connection, at=now, hsa_id=hsa_id, role="bench", clinic=clinic, action="list",
                detail=" ".join(f"{r.reference}/{r.subject}" for r in rows),
            )  # fmt: skip

    def row_alone() -> None:
        accesslog.append(engine, at=now, hsa_id=hsa_id, role="bench", clinic=clinic, action="read")

    reads()  # a warm pool and compiled statements, as in a running worker
    return {
        "list reads alone": _median_ms(reads, count),
        "list reads + log row, one transaction": _median_ms(reads_and_row, count),
        "log row alone, own transaction": _median_ms(row_alone, count),
    }
