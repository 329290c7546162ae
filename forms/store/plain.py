"""The store's read path for the reads every page makes: one SELECT on the driver's own connection.

A read through SQLAlchemy's Connection (its transaction, the Core statement's execution and the
result object) costs about 0.2–0.3 ms a query in one process, where the driver reads the same row
in some 0.015 ms (issue 22). A page that reads its session, its draft and the citizen's cases pays
that three times before it renders anything. `PlainRead` keeps what SQLAlchemy is for (the
statement written in Core, compiled for the engine's dialect, the column types' conversions such
as SQLite's stored times and JSON) and drops the rest: the SQL is compiled once per store, its
bind and result conversions looked up once, and each call is a cursor on a pooled connection.

One statement is a consistent read on its own, so no transaction is begun: on SQLite the
connection is in the driver's autocommit (forms.store.engine takes over BEGIN), and PostgreSQL's
implicit transaction is rolled back when the pool takes the connection back. A read never takes
the write lock. Reads that must see one snapshot together, and every write, stay on SQLAlchemy's
transactions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Engine, Select


class PlainRead:
    """A Core SELECT compiled once for `engine`, read on the driver's connection."""

    def __init__(self, engine: Engine, statement: Select[Any]) -> None:
        dialect = engine.dialect
        compiled = statement.compile(dialect=dialect)
        self.engine = engine
        self.sql = str(compiled)
        self.names = [column.key for column in statement.selected_columns]
        binds = compiled.binds
        if any(bind.expanding for bind in binds.values()):
            raise ValueError("an IN list's parameters are not read here: use a Connection")
        self._order = list(compiled.positiontup or ()) if compiled.positional else None
        self._fixed = {name: bind.value for name, bind in binds.items() if not bind.required}
        self._to_driver: dict[str, Callable[[Any], Any]] = {}
        for name, bind in binds.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                self._to_driver[name] = process
        self._from_driver: list[tuple[int, Callable[[Any], Any]]] = []
        for index, column in enumerate(statement.selected_columns):
            process = column.type.dialect_impl(dialect).result_processor(dialect, None)
            if process is not None:
                self._from_driver.append((index, process))

    def _params(self, params: Mapping[str, Any]) -> Any:
        values = {**self._fixed, **params}
        for name, process in self._to_driver.items():
            values[name] = process(values[name])
        return values if self._order is None else tuple(values[name] for name in self._order)

    def rows(self, params: Mapping[str, Any] | None = None, limit: int | None = None) -> list[tuple[Any, ...]]:
        """The rows, each a tuple in the statement's column order, converted as SQLAlchemy would."""
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(self.sql, self._params(params or {}))
            found = cursor.fetchall() if limit is None else cursor.fetchmany(limit)
            cursor.close()
        finally:
            connection.close()
        if not self._from_driver:
            return [tuple(row) for row in found]
        converted = []
        for row in found:
            values = list(row)
            for index, process in self._from_driver:
                values[index] = process(values[index])
            converted.append(tuple(values))
        return converted

    def first(self, params: Mapping[str, Any] | None = None) -> tuple[Any, ...] | None:
        found = self.rows(params, limit=1)
        return found[0] if found else None

    def records(self, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """The rows as dicts by column name, to build a detached model from (`Case(**record)`)."""
        return [dict(zip(self.names, row, strict=True)) for row in self.rows(params)]
