"""The store's read path for the reads every page makes: a Core SELECT run on the driver's cursor.

A read through SQLAlchemy's Connection (its transaction, the statement's execution context and the
result object) costs some 0.05–0.3 ms a query in one process, where the driver reads the same row
in about 0.015 ms (issue 22); a page that reads its session, its draft and the citizen's cases paid
that three times before it rendered anything. `rows` keeps what SQLAlchemy is for (the statement
written in Core, compiled for the engine's dialect, the column types' conversions such as SQLite's
stored times and JSON) and drops the rest: each statement is compiled once per dialect, its bind and
result conversions looked up once, and each call is one cursor.

Given an engine, the read is one statement on a pooled connection and no transaction is begun: one
SELECT is a consistent read on its own (on SQLite the connection is in the driver's autocommit,
forms.store.engine takes over BEGIN; PostgreSQL's implicit transaction is rolled back when the pool
takes the connection back), and it never takes the write lock. Given a Connection, it reads in that
connection's transaction (the staff side's logged reads, which write their access-log row in it).
Every write stays on SQLAlchemy's transactions.
"""

from __future__ import annotations

import threading
from collections import namedtuple
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Connection, Dialect, Engine, Select


class _Compiled:
    """One statement as one dialect's driver takes it: its SQL, its parameters' order and conversions."""

    def __init__(self, dialect: Dialect, statement: Select[Any]) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        binds = compiled.binds
        if any(bind.expanding for bind in binds.values()):
            raise ValueError("an IN list's parameters are not read here: use a Connection")
        self.order = list(compiled.positiontup or ()) if compiled.positional else None
        self.fixed = {name: bind.value for name, bind in binds.items() if not bind.required}
        self.to_driver: dict[str, Callable[[Any], Any]] = {}
        for name, bind in binds.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                self.to_driver[name] = process
        self.from_driver: list[tuple[int, Callable[[Any], Any]]] = []
        for index, column in enumerate(statement.selected_columns):
            process = column.type.dialect_impl(dialect).result_processor(dialect, None)
            if process is not None:
                self.from_driver.append((index, process))
        # Named as the statement names its columns (an unlabelled count() or a repeated name by position).
        keys = [column.key for column in statement.selected_columns]
        self.row = namedtuple("Row", keys, rename=True)  # type: ignore[misc]

    def params(self, params: Mapping[str, Any]) -> Any:
        values = {**self.fixed, **params}
        for name, process in self.to_driver.items():
            values[name] = process(values[name])
        return values if self.order is None else tuple(values[name] for name in self.order)

    def convert(self, found: list[Any]) -> list[Any]:
        make = self.row._make
        if not self.from_driver:
            return [make(row) for row in found]
        converted = []
        for row in found:
            values = list(row)
            for index, process in self.from_driver:
                values[index] = process(values[index])
            converted.append(make(values))
        return converted


_COMPILED: dict[tuple[Any, ...], _Compiled] = {}
_LOCK = threading.Lock()
# Statements are module constants or cached builders, a few dozen per process. A caller that built
# one per request would make this grow with every request: past the bound it starts again, so such
# a mistake costs compiling, never the worker's memory.
COMPILED_MAX = 1024


def _compiled(dialect: Dialect, statement: Select[Any]) -> _Compiled:
    key = (type(dialect), dialect.paramstyle, dialect.server_version_info, statement)
    found = _COMPILED.get(key)
    if found is None:
        found = _Compiled(dialect, statement)
        with _LOCK:
            if len(_COMPILED) >= COMPILED_MAX:
                _COMPILED.clear()
            _COMPILED[key] = found
    return found


def rows(source: Engine | Connection, statement: Select[Any], params: Mapping[str, Any] | None = None) -> list[Any]:
    """The statement's rows as named tuples (`row.name`, `row[0]`), converted as SQLAlchemy would."""
    compiled = _compiled(source.dialect, statement)
    if isinstance(source, Connection):  # in the caller's transaction, on its connection
        cursor = source.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(compiled.sql, compiled.params(params or {}))
            return compiled.convert(cursor.fetchall())
        finally:
            cursor.close()
    connection = source.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(compiled.sql, compiled.params(params or {}))
        found = cursor.fetchall()
        cursor.close()
    finally:
        connection.close()
    return compiled.convert(found)


def first(source: Engine | Connection, statement: Select[Any], params: Mapping[str, Any] | None = None) -> Any:
    """The first row, or None: for statements that find one row (by key, or with LIMIT 1)."""
    found = rows(source, statement, params)
    return found[0] if found else None

