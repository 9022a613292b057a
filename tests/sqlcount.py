"""Counting SQL statements, because N+1 is a correctness bug here."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

_LOGGER = logging.getLogger("tortoise.db_client")
_NOT_QUERIES = ("Created connection pool", "Closed connection pool")


class QueryCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if not message.startswith(_NOT_QUERIES):
            self.statements.append(message)

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def count_queries() -> Iterator[QueryCounter]:
    counter = QueryCounter()
    level = _LOGGER.level
    _LOGGER.addHandler(counter)
    _LOGGER.setLevel(logging.DEBUG)
    try:
        yield counter
    finally:
        _LOGGER.removeHandler(counter)
        _LOGGER.setLevel(level)
