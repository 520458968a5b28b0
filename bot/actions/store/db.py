"""The engine, made on first use from DATABASE_URL (never at import time), and the two ways the
actions open a session: `transaction()` (commits at the end) and `session()` (reads)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session

from actions import config


@lru_cache(maxsize=4)
def engine(url: str | None = None) -> Engine:
    url = url or config.database_url()
    if url.startswith("sqlite"):
        # hide_parameters: an error message must never carry report text into a log
        eng = create_engine(url, connect_args={"check_same_thread": False}, hide_parameters=True)

        @event.listens_for(eng, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return eng
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


@contextmanager
def transaction() -> Iterator[Session]:
    """A session in one transaction: committed when the block ends, rolled back on an error."""
    with Session(engine()) as s, s.begin():
        yield s


@contextmanager
def session() -> Iterator[Session]:
    """A session for reading."""
    with Session(engine()) as s:
        yield s
